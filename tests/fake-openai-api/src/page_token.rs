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

/// Makes a token from integer cursor fields.
pub fn encode(fields: &[i64], hash: u64) -> String {
    let fields: Vec<String> = fields.iter().map(i64::to_string).collect();
    let plain = format!("{};{hash:016x}", fields.join(";"));
    format!("page_{}", URL_SAFE.encode(plain))
}

fn invalid(token: &str) -> ApiError {
    ApiError::invalid(
        format!("Invalid 'page': {token:?} is not a page token this endpoint issued."),
        "page",
        "invalid_value",
    )
}

/// Reads a token back: its cursor fields, after checking it belongs to this query.
pub fn decode(token: &str, hash: u64) -> Result<Vec<i64>, ApiError> {
    let body = token.strip_prefix("page_").ok_or_else(|| invalid(token))?;
    let bytes = URL_SAFE
        .decode(body)
        .or_else(|_| STANDARD.decode(body))
        .map_err(|_| invalid(token))?;
    let plain = String::from_utf8(bytes).map_err(|_| invalid(token))?;
    let mut fields: Vec<&str> = plain.split(';').collect();
    let got = fields.pop().ok_or_else(|| invalid(token))?;
    if u64::from_str_radix(got, 16).map_err(|_| invalid(token))? != hash {
        return Err(ApiError::invalid(
            "Invalid 'page': the page token was issued for a request with different \
             parameters; repeat the original query with only 'page' added.",
            "page",
            "invalid_value",
        ));
    }
    fields
        .into_iter()
        .map(|f| f.parse::<i64>().map_err(|_| invalid(token)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let q = Query::parse("start_time=1730419200&limit=2");
        let h = params_hash("usage/completions", &q);
        let t = encode(&[1, 2], h);
        assert!(t.starts_with("page_"));
        assert_eq!(decode(&t, h).unwrap(), vec![1, 2]);
        let other = params_hash(
            "usage/completions",
            &Query::parse("start_time=1730419200&limit=3"),
        );
        assert!(decode(&t, other).is_err());
        assert!(decode("page_!!", h).is_err());
        assert!(decode("nope", h).is_err());
        let with_page = Query::parse(&format!("limit=2&page={t}&start_time=1730419200"));
        assert_eq!(params_hash("usage/completions", &with_page), h);
    }
}
