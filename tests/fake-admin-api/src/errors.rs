//! API errors and their JSON envelope.

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
}

impl ApiError {
    /// 400 `invalid_request_error`.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            message: message.into(),
        }
    }

    /// 401 `authentication_error`.
    pub fn auth(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "authentication_error",
            message: message.into(),
        }
    }

    /// 403 `permission_error`.
    pub fn permission(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "permission_error",
            message: message.into(),
        }
    }

    /// 404 `not_found_error` with its own message.
    pub fn not_found_with(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "not_found_error",
            message: message.into(),
        }
    }

    /// 404 `not_found_error` with the documented message.
    pub fn not_found() -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "not_found_error",
            message: "The requested resource could not be found.".into(),
        }
    }

    /// An error status of the fault injector: 429, 500 or 529.
    pub fn injected(status: u16) -> ApiError {
        let (kind, message) = match status {
            429 => ("rate_limit_error", "Rate limited"),
            529 => ("overloaded_error", "Overloaded"),
            _ => ("api_error", "Internal server error"),
        };
        ApiError {
            status: StatusCode::from_u16(status).expect("valid status"),
            kind,
            message: message.into(),
        }
    }

    /// `{"type":"error","error":{"type":…,"message":…},"request_id":…}`
    pub fn body(&self, request_id: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "type": "error",
            "error": { "type": self.kind, "message": self.message },
            "request_id": request_id,
        }))
        .expect("serialisable")
    }
}

/// Result of an API handler: a JSON body or an error.
pub type ApiResult = Result<Vec<u8>, ApiError>;
