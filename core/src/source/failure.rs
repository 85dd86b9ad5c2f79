//! Why a provider request failed, and the error a sync reports once retrying cannot help:
//! one wording for every provider's HTTP client (each client keeps its own retry loop).

use std::time::Duration;

use crate::error::Error;

/// Why the last attempt of a request failed.
pub(crate) enum LastFailure {
    /// An HTTP status other than 2xx, with what its headers and body said.
    Status {
        status: u16,
        request_id: Option<String>,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No complete response: connection, timeout, or a body cut off.
    Transport(reqwest::Error),
    /// A 2xx whose body is not what the API documents.
    Malformed {
        request_id: Option<String>,
        why: String,
    },
}

/// The API a client talks to, as its errors name it.
pub(crate) struct Api<'a> {
    /// `Anthropic`, `OpenAI`.
    pub(crate) name: &'static str,
    /// What a 404 suggests the base URL is not: `the Anthropic API`, `the OpenAI API
    /// (without /v1)`.
    pub(crate) base_url_should_be: &'static str,
    /// The base URL requests go to.
    pub(crate) base_url: &'a str,
    /// The timeout of one request.
    pub(crate) timeout: Duration,
}

impl LastFailure {
    /// The error for a status that retrying cannot fix (a 4xx other than those retried or
    /// refusing the credential).
    pub(crate) fn refused(self, api: &Api<'_>, path: &str) -> Error {
        self.refused_call(api, "GET", path)
    }

    /// [`LastFailure::refused`] for a request of any method.
    pub(crate) fn refused_call(self, api: &Api<'_>, method: &str, path: &str) -> Error {
        let LastFailure::Status {
            status,
            request_id,
            message,
            ..
        } = self
        else {
            unreachable!("only statuses are refused");
        };
        let advice = if status == 404 {
            format!(
                "check that the base URL {} is {}",
                api.base_url, api.base_url_should_be
            )
        } else {
            "this is not retried; if it persists, report it with this message".to_string()
        };
        Error::Upstream {
            status: Some(status),
            request_id,
            message: format!("{method} {path} was refused: {message}; {advice}"),
            source: None,
        }
    }

    /// The error once `retries` retries are spent (or a request could not even be built).
    pub(crate) fn give_up(self, api: &Api<'_>, path: &str, retries: u32) -> Error {
        self.give_up_call(api, "GET", path, retries)
    }

    /// [`LastFailure::give_up`] for a request of any method.
    pub(crate) fn give_up_call(
        self,
        api: &Api<'_>,
        method: &str,
        path: &str,
        retries: u32,
    ) -> Error {
        let after = match retries {
            0 => String::new(),
            1 => " after 1 retry".to_string(),
            n => format!(" after {n} retries"),
        };
        match self {
            LastFailure::Status {
                status: 429,
                request_id,
                retry_after,
                ..
            } => Error::RateLimited {
                status: 429,
                request_id,
                retries,
                retry_after,
            },
            LastFailure::Status {
                status,
                request_id,
                message,
                ..
            } => Error::Upstream {
                status: Some(status),
                request_id,
                message: format!(
                    "{method} {path} kept failing{after}: {message}; the {} API is having trouble, \
                     sync again later",
                    api.name
                ),
                source: None,
            },
            LastFailure::Transport(e) => {
                let what = if e.is_timeout() {
                    format!("timed out (limit {:?})", api.timeout)
                } else if e.is_connect() {
                    "could not connect".to_string()
                } else if e.is_body() || e.is_decode() {
                    "the response body was cut off".to_string()
                } else {
                    "no complete response arrived".to_string()
                };
                Error::Upstream {
                    status: e.status().map(|s| s.as_u16()),
                    request_id: None,
                    message: format!(
                        "{method} {path} {what}{after}; check the network and that {} is reachable",
                        api.base_url
                    ),
                    source: Some(Box::new(e.without_url())),
                }
            }
            LastFailure::Malformed { request_id, why } => Error::Upstream {
                status: Some(200),
                request_id,
                message: format!(
                    "malformed response to {method} {path}{after}: {why}; if it persists, report it \
                     with this message"
                ),
                source: None,
            },
        }
    }
}
