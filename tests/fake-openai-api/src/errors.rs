//! API errors and OpenAI's error envelope `{"error": {message, type, param, code}}`.

use crate::json::Obj;
use axum::http::StatusCode;

/// An error the API answers with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.type`, e.g. `invalid_request_error`.
    pub kind: &'static str,
    /// `error.message`.
    pub message: String,
    /// `error.param`: the offending parameter, if one is to blame.
    pub param: Option<String>,
    /// `error.code`, e.g. `invalid_api_key`.
    pub code: Option<&'static str>,
}

/// Where to find API keys, as OpenAI's authentication errors say it.
const KEYS_PAGE: &str = "https://platform.openai.com/account/api-keys";

impl ApiError {
    /// 400 `invalid_request_error` about parameter `param`.
    pub fn invalid(message: impl Into<String>, param: &str, code: &'static str) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            message: message.into(),
            param: Some(param.to_string()),
            code: Some(code),
        }
    }

    /// 401: no `Authorization: Bearer …` header at all.
    pub fn missing_key() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "invalid_request_error",
            message: format!(
                "You didn't provide an API key. You need to provide your API key in an \
                 Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). \
                 You can obtain an API key from {KEYS_PAGE}."
            ),
            param: None,
            code: None,
        }
    }

    /// 401 `invalid_api_key`; the key is shown redacted, as the real API does.
    pub fn invalid_key(key: &str) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "invalid_request_error",
            message: format!(
                "Incorrect API key provided: {}. You can find your API key at {KEYS_PAGE}.",
                redact(key)
            ),
            param: None,
            code: Some("invalid_api_key"),
        }
    }

    /// 401 `mismatched_organization`: `OpenAI-Organization` names another org.
    pub fn mismatched_organization() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "invalid_request_error",
            message: "OpenAI-Organization header should match organization for API key".into(),
            param: None,
            code: Some("mismatched_organization"),
        }
    }

    /// 403: the key's permissions lack `scope`.
    pub fn missing_scope(scope: &str) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "invalid_request_error",
            message: format!(
                "You have insufficient permissions for this operation. Missing scopes: {scope}. \
                 Check that you have the correct role in your organization (Reader, Writer, \
                 Owner) and project (Member, Owner), and if you're using a restricted API key, \
                 that it has the necessary scopes."
            ),
            param: None,
            code: None,
        }
    }

    /// 404 for a path the API does not have.
    pub fn invalid_url(method: &str, path: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            message: format!("Invalid URL ({method} {path})"),
            param: None,
            code: None,
        }
    }

    /// 404 for an object id that does not exist in this org.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            message: format!("No {what} found with id '{id}'."),
            param: None,
            code: Some("not_found"),
        }
    }

    /// An error status of the fault injector: 429, 500 or 503.
    pub fn injected(status: u16, org_id: &str, retry_after_secs: u64) -> ApiError {
        let (kind, code, message) = match status {
            429 => (
                "requests",
                Some("rate_limit_exceeded"),
                format!(
                    "Rate limit reached for requests in organization {org_id}. \
                     Please try again in {retry_after_secs}s."
                ),
            ),
            503 => (
                "server_error",
                None,
                "The server is overloaded or not ready yet.".to_string(),
            ),
            _ => (
                "server_error",
                None,
                "The server had an error while processing your request. Sorry about that!"
                    .to_string(),
            ),
        };
        ApiError {
            status: StatusCode::from_u16(status).expect("valid status"),
            kind,
            message,
            param: None,
            code,
        }
    }

    /// `{"error":{"message":…,"type":…,"param":…,"code":…}}`
    pub fn body(&self) -> Vec<u8> {
        let error = Obj::new()
            .str("message", Some(&self.message))
            .str("type", Some(self.kind))
            .str("param", self.param.as_deref())
            .str("code", self.code)
            .done();
        Obj::new().raw("error", &error).done().into_bytes()
    }
}

/// `sk-admin**********…wxyz`: the first eight and last four characters, as OpenAI shows
/// a wrong key. Short values are starred out entirely.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

/// Result of an API handler: a JSON body or an error.
pub type ApiResult = Result<Vec<u8>, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_redaction() {
        let e = ApiError::invalid("bad", "limit", "invalid_type");
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(v["error"]["param"], "limit");
        assert_eq!(v["error"]["code"], "invalid_type");
        assert_eq!(
            redact("sk-admin-abcdefghijklmnop"),
            "sk-admin*************mnop"
        );
        assert_eq!(redact("short"), "*****");
        let e = ApiError::missing_key();
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(v["error"]["code"], serde_json::Value::Null);
    }
}
