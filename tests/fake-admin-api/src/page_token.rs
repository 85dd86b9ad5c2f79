//! Opaque `next_page` tokens: `page_` + base64 of a cursor and a hash of the request's
//! other parameters, so a token only works with the query that produced it.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

use crate::errors::ApiError;
use crate::query::Query;

/// FNV-1a, 64 bits: stable across versions and platforms.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The hash binding a token to one endpoint and its parameters (all but `page`).
pub fn params_hash(endpoint: &str, query: &Query) -> u64 {
    fnv1a(format!("{endpoint}?{}", query.canonical_without_page()).as_bytes())
}

/// Makes a token from cursor fields.
pub fn encode(fields: &[String], hash: u64) -> String {
    let plain = format!("{};{hash:016x}", fields.join(";"));
    format!("page_{}", URL_SAFE.encode(plain))
}

/// Reads a token back: its cursor fields, after checking it belongs to this query.
pub fn decode(token: &str, hash: u64) -> Result<Vec<String>, ApiError> {
    decode_as(
        token,
        hash,
        "page: the page token was issued for a request with different parameters; \
         repeat the original query with only `page` added",
    )
}

/// Like [`decode`], with the message a mismatched token gets.
pub fn decode_as(token: &str, hash: u64, mismatch: &str) -> Result<Vec<String>, ApiError> {
    let invalid = || ApiError::invalid(format!("page: invalid page token {token:?}"));
    let body = token.strip_prefix("page_").ok_or_else(invalid)?;
    let bytes = URL_SAFE
        .decode(body)
        .or_else(|_| STANDARD.decode(body))
        .map_err(|_| invalid())?;
    let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut fields: Vec<String> = plain.split(';').map(str::to_string).collect();
    let got = fields.pop().ok_or_else(invalid)?;
    if u64::from_str_radix(&got, 16).map_err(|_| invalid())? != hash {
        return Err(ApiError::invalid(mismatch));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let q = Query::parse("starting_at=2025-08-01T00:00:00Z&limit=2");
        let h = params_hash("usage", &q);
        let t = encode(&["a".into(), "b".into()], h);
        assert!(t.starts_with("page_"));
        assert_eq!(decode(&t, h).unwrap(), vec!["a", "b"]);
        let other = params_hash(
            "usage",
            &Query::parse("starting_at=2025-08-01T00:00:00Z&limit=3"),
        );
        assert!(decode(&t, other).is_err());
        assert!(decode("page_!!", h).is_err());
        assert!(decode("nope", h).is_err());
        // The page parameter itself is not part of the binding.
        let with_page = Query::parse(&format!(
            "limit=2&page={t}&starting_at=2025-08-01T00:00:00Z"
        ));
        assert_eq!(params_hash("usage", &with_page), h);
    }
}
