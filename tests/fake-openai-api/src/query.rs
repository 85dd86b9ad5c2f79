//! Query strings: decoding, array parameters, and typed parameters with OpenAI-style
//! validation errors.

use crate::errors::ApiError;

/// Decoded query parameters in request order. `name[]` and `name` are the same key: the
/// spec's form style sends `group_by=a&group_by=b`, the official SDKs send `group_by[]=a`.
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

/// `'a', 'b', and 'c'` / `'a' and 'b'` / `'a'`: OpenAI's list punctuation.
pub fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

fn kind_of(raw: &str) -> &'static str {
    if raw.parse::<f64>().is_ok() {
        "a decimal"
    } else {
        "a string"
    }
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

    /// Rejects parameters the endpoint does not know (400 `unknown_parameter`).
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            None => Ok(()),
            Some((k, _)) => Err(ApiError::invalid(
                format!("Unknown parameter: '{k}'."),
                k,
                "unknown_parameter",
            )),
        }
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

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        let Some(raw) = self.get(key) else {
            return Ok(None);
        };
        raw.trim().parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid(
                format!(
                    "Invalid type for '{key}': expected an integer, but got {} instead.",
                    kind_of(raw)
                ),
                key,
                "invalid_type",
            )
        })
    }

    /// A required integer parameter.
    pub fn required_int(&self, key: &str) -> Result<i64, ApiError> {
        self.int(key)?.ok_or_else(|| {
            ApiError::invalid(
                format!("Missing required parameter: '{key}'."),
                key,
                "missing_required_parameter",
            )
        })
    }

    /// `limit` in `min..=max`, `default` when absent.
    pub fn limit(&self, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let Some(n) = self.int("limit")? else {
            return Ok(default);
        };
        if n < min as i64 {
            return Err(ApiError::invalid(
                format!(
                    "Invalid 'limit': integer below minimum value. Expected a value >= {min}, but got {n} instead."
                ),
                "limit",
                "integer_below_min_value",
            ));
        }
        if n > max as i64 {
            return Err(ApiError::invalid(
                format!(
                    "Invalid 'limit': integer above maximum value. Expected a value <= {max}, but got {n} instead."
                ),
                "limit",
                "integer_above_max_value",
            ));
        }
        Ok(n as u32)
    }

    /// A boolean parameter (`true` or `false`).
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(raw) => Err(ApiError::invalid(
                format!(
                    "Invalid type for '{key}': expected a boolean, but got {} instead.",
                    kind_of(raw)
                ),
                key,
                "invalid_type",
            )),
        }
    }

    /// One value checked against `allowed`.
    pub fn enum_value<'a>(
        &'a self,
        key: &str,
        allowed: &[&str],
    ) -> Result<Option<&'a str>, ApiError> {
        match self.get(key) {
            Some(v) if !allowed.contains(&v) => Err(invalid_value(key, v, allowed)),
            other => Ok(other),
        }
    }

    /// Every value of an enum array parameter, each checked against `allowed`, as indices.
    pub fn enum_list(&self, key: &str, allowed: &[&str]) -> Result<Vec<u8>, ApiError> {
        self.all(key)
            .into_iter()
            .map(|v| {
                crate::catalog::index_of(allowed, v).ok_or_else(|| invalid_value(key, v, allowed))
            })
            .collect()
    }
}

/// 400 `invalid_value`: `Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'.`
pub fn invalid_value(key: &str, value: &str, allowed: &[&str]) -> ApiError {
    ApiError::invalid(
        format!(
            "Invalid value: '{value}'. Supported values are: {}.",
            one_of(allowed)
        ),
        key,
        "invalid_value",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_encoded_and_plain_are_one_key() {
        let q =
            Query::parse("group_by%5B%5D=model&group_by[]=project_id&group_by=user_id&x=a%20b+c");
        assert_eq!(q.all("group_by"), vec!["model", "project_id", "user_id"]);
        assert_eq!(q.get("x"), Some("a b c"));
        assert!(q.only(&["group_by"]).is_err());
        assert!(q.only(&["group_by", "x"]).is_ok());
    }

    #[test]
    fn typed_parameters() {
        assert_eq!(Query::parse("").limit(7, 1, 31), Ok(7));
        assert_eq!(Query::parse("limit=31").limit(7, 1, 31), Ok(31));
        let e = Query::parse("limit=32").limit(7, 1, 31).unwrap_err();
        assert_eq!(e.code, Some("integer_above_max_value"));
        assert_eq!(
            e.message,
            "Invalid 'limit': integer above maximum value. Expected a value <= 31, but got 32 instead."
        );
        let e = Query::parse("limit=x").limit(7, 1, 31).unwrap_err();
        assert_eq!(e.code, Some("invalid_type"));
        let e = Query::parse("").required_int("start_time").unwrap_err();
        assert_eq!(e.message, "Missing required parameter: 'start_time'.");
        assert_eq!(Query::parse("batch=true").bool("batch"), Ok(Some(true)));
        assert!(Query::parse("batch=1").bool("batch").is_err());
        assert_eq!(one_of(&["1m", "1h", "1d"]), "'1m', '1h', and '1d'");
        assert_eq!(one_of(&["a", "b"]), "'a' and 'b'");
    }
}
