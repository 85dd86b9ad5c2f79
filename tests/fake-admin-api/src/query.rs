//! Query strings: decoding, bracketed arrays, typed parameters with API-style errors.

use crate::errors::ApiError;

/// Decoded query parameters in request order. `name[]` and `name` are the same key.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    /// Parses a raw query string (without `?`).
    pub fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let k = percent_decode(k);
                let k = k.strip_suffix("[]").unwrap_or(&k).to_string();
                (k, percent_decode(v))
            })
            .collect();
        Query { pairs }
    }

    /// Already decoded pairs (a JSON body's string fields).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Query {
        Query { pairs }
    }

    /// The first value of a scalar parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of an array parameter, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A canonical rendering of every parameter except `page`, for page tokens.
    pub fn canonical_without_page(&self) -> String {
        let mut pairs: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.sort();
        pairs.join("&")
    }

    /// An integer in `min..=max`, `default` when absent.
    pub fn limit(&self, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let Some(raw) = self.get("limit") else {
            return Ok(default);
        };
        let n: i64 = raw.trim().parse().map_err(|_| {
            ApiError::invalid(format!(
                "limit: Input should be a valid integer, got {raw:?}"
            ))
        })?;
        if n < min as i64 {
            return Err(ApiError::invalid(format!(
                "limit: Input should be greater than or equal to {min}"
            )));
        }
        if n > max as i64 {
            return Err(ApiError::invalid(format!(
                "limit: Input should be less than or equal to {max}"
            )));
        }
        Ok(n as u32)
    }

    /// Every value of an enum array parameter, each checked against `allowed`.
    pub fn enum_list(&self, key: &str, allowed: &[&str]) -> Result<Vec<u8>, ApiError> {
        self.all(key)
            .into_iter()
            .map(|v| {
                crate::catalog::index_of(allowed, v).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "{key}[]: Input should be {}; got {v:?}",
                        one_of(allowed)
                    ))
                })
            })
            .collect()
    }
}

/// `'a', 'b' or 'c'`
pub fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_encoded_and_plain_are_one_key() {
        let q = Query::parse(
            "group_by%5B%5D=model&group_by[]=workspace_id&group_by=api_key_id&x=a%20b+c",
        );
        assert_eq!(
            q.all("group_by"),
            vec!["model", "workspace_id", "api_key_id"]
        );
        assert_eq!(q.get("x"), Some("a b c"));
    }

    #[test]
    fn timestamps_with_offsets_survive_decoding() {
        let q = Query::parse("starting_at=2025-08-01T00%3A00%3A00%2B02%3A00&bad=%zz%");
        assert_eq!(q.get("starting_at"), Some("2025-08-01T00:00:00+02:00"));
        assert_eq!(q.get("bad"), Some("%zz%"));
    }

    #[test]
    fn limits() {
        let q = Query::parse("limit=0");
        assert!(q.limit(7, 1, 31).is_err());
        assert_eq!(Query::parse("").limit(7, 1, 31), Ok(7));
        assert_eq!(Query::parse("limit=31").limit(7, 1, 31), Ok(31));
        assert!(Query::parse("limit=32").limit(7, 1, 31).is_err());
        assert!(Query::parse("limit=x").limit(7, 1, 31).is_err());
    }
}
