//! The one request function of the OpenAI source: a paced, retried `GET` with the admin key
//! as a bearer token, returning the decoded body, the organisation header and the attempts.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use serde::Deserialize;

use super::OpenAiSource;
use crate::crypto::SecretString;
use crate::error::{Error, Result};
use crate::model::Credential;
use crate::source::anthropic::pacing::KeyId;
use crate::source::anthropic::retry::{
    RetryPolicy, retry_after, retryable_status, should_retry_header,
};
use crate::source::failure::{Api, LastFailure};
use crate::source::{RequestStats, SourceContext};

/// `{"error":{"message","type","param","code"}}`, every field optional when reading.
#[derive(Debug, Default, Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    error: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// A decoded answer: the value, the `openai-organization` header, the attempts it took.
pub(crate) struct Answer<T> {
    pub(crate) value: T,
    pub(crate) organization: Option<String>,
    pub(crate) stats: RequestStats,
}

enum Attempt {
    Success {
        body: Bytes,
        headers: HeaderMap,
    },
    Failure {
        status: u16,
        headers: HeaderMap,
        envelope: ErrorEnvelope,
    },
    Transport(reqwest::Error),
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn admin_key<'a>(ctx: &SourceContext<'a>) -> Result<&'a SecretString> {
    match ctx.credential {
        Some(Credential::AdminKey(key)) => Ok(key),
        _ => Err(Error::invalid(
            "an OpenAI plan needs an admin key (sk-admin-…); add the plan with one, or rotate \
             the plan's credential to set one",
        )),
    }
}

impl OpenAiSource {
    /// `GET base_url + path?params`, retried per the policy, the body decoded by `decode`
    /// (whose `Err` marks the body malformed).
    pub(crate) async fn get<T>(
        &self,
        ctx: &SourceContext<'_>,
        path: &str,
        params: &[(String, String)],
        decode: impl Fn(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<Answer<T>> {
        let key = admin_key(ctx)?;
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                Error::invalid(format!(
                    "admin key {} contains characters that cannot be sent in an HTTP header; paste \
                 it again without spaces or line breaks",
                    key.hint()
                ))
            })?;
        auth.set_sensitive(true);
        let config = &self.inner.config;
        let policy: &RetryPolicy = &config.retry;
        let url = format!("{}{path}", config.base_url);
        let mut stats = RequestStats::default();
        let mut malformed = 0u32;
        loop {
            self.inner
                .pacer
                .wait(KeyId::of(key), config.min_request_interval)
                .await;
            stats.requests += 1;
            let retry = stats.requests - 1;
            stats.retries = retry;
            if let Some(counter) = ctx.requests {
                counter.record(retry > 0);
            }
            let request = self
                .inner
                .client
                .get(&url)
                .query(params)
                .header(AUTHORIZATION, auth.clone())
                .header(USER_AGENT, config.user_agent.as_str())
                .timeout(config.timeout);
            let (failure, asked) = match attempt(request).await {
                Attempt::Success { body, headers } => match decode(&body) {
                    Ok(value) => {
                        return Ok(Answer {
                            value,
                            organization: header(&headers, "openai-organization"),
                            stats,
                        });
                    }
                    Err(why) => {
                        malformed += 1;
                        let request_id = header(&headers, "x-request-id");
                        let failure = LastFailure::Malformed { request_id, why };
                        if malformed > RetryPolicy::MALFORMED_RETRIES {
                            return Err(failure.give_up(&self.api(), path, retry));
                        }
                        (failure, None)
                    }
                },
                Attempt::Failure {
                    status,
                    headers,
                    envelope,
                } => {
                    let request_id = header(&headers, "x-request-id");
                    let message = provider_message(&envelope, status, key);
                    if status == 401 || status == 403 {
                        return Err(Error::CredentialRejected {
                            plan: ctx.plan_id,
                            status,
                            request_id,
                            message,
                        });
                    }
                    let asked = retry_after(&headers, SystemTime::now());
                    let failure = LastFailure::Status {
                        status,
                        request_id,
                        message,
                        retry_after: asked,
                    };
                    if !retryable_status(status, should_retry_header(&headers)) {
                        return Err(failure.refused(&self.api(), path));
                    }
                    (failure, asked)
                }
                Attempt::Transport(e) if e.is_builder() => {
                    return Err(LastFailure::Transport(e).give_up(&self.api(), path, retry));
                }
                Attempt::Transport(e) => (LastFailure::Transport(e), None),
            };
            if retry >= policy.max_retries {
                return Err(failure.give_up(&self.api(), path, retry));
            }
            let wait = policy.wait(retry, asked);
            tracing::debug!(path, retry = retry + 1, ?wait, "retrying an OpenAI request");
            tokio::time::sleep(wait).await;
        }
    }

    /// How errors name this API.
    fn api(&self) -> Api<'_> {
        Api {
            name: "OpenAI",
            base_url_should_be: "the OpenAI API (without /v1)",
            base_url: &self.inner.config.base_url,
            timeout: self.inner.config.timeout,
        }
    }
}

async fn attempt(request: reqwest::RequestBuilder) -> Attempt {
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Transport(e),
    };
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_success() {
        return match response.bytes().await {
            Ok(body) => Attempt::Success { body, headers },
            Err(e) => Attempt::Transport(e),
        };
    }
    let body = response.bytes().await.unwrap_or_default();
    let envelope = serde_json::from_slice::<ErrorEnvelope>(&body).unwrap_or_default();
    Attempt::Failure {
        status: status.as_u16(),
        headers,
        envelope,
    }
}

/// `type (code): message`, or the status's reason, with any echo of the key (whole, or the
/// API's own `sk-admin****…abcd` masking of it) replaced by its hint.
fn provider_message(envelope: &ErrorEnvelope, status: u16, key: &SecretString) -> String {
    let detail = envelope.error.as_ref();
    let message = detail.and_then(|d| d.message.clone()).unwrap_or_else(|| {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no reason given");
        format!("HTTP {status} {reason} without an error body")
    });
    let label = match (
        detail.and_then(|d| d.kind.as_deref()),
        detail.and_then(|d| d.code.as_deref()),
    ) {
        (Some(kind), Some(code)) => format!("{kind} ({code}): "),
        (Some(kind), None) => format!("{kind}: "),
        (None, Some(code)) => format!("{code}: "),
        (None, None) => String::new(),
    };
    let text = format!("{label}{message}");
    if key.is_empty() {
        return text;
    }
    let text = text.replace(key.expose(), &key.hint());
    mask_key_echo(&text, key)
}

/// The real API answers a bad key with "Incorrect API key provided: sk-admin*****…wxyz":
/// the masked form still carries the key's last characters. Replace any word that starts
/// like the key with the hint.
fn mask_key_echo(text: &str, key: &SecretString) -> String {
    text.split(' ')
        .map(|word| {
            let bare = word.trim_end_matches(['.', ',', ';']);
            if bare.len() > 12 && bare.starts_with("sk-") && bare.contains('*') {
                word.replacen(bare, &key.hint(), 1)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_type_and_code_and_never_the_key() {
        let key = SecretString::from(format!("sk-admin-{}wxyz", "k".repeat(60)));
        let envelope: ErrorEnvelope = serde_json::from_str(
            r#"{"error":{"message":"Incorrect API key provided: sk-admin*********wxyz. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
        )
        .unwrap();
        let text = provider_message(&envelope, 401, &key);
        assert!(
            text.starts_with("invalid_request_error (invalid_api_key): "),
            "{text}"
        );
        assert!(text.contains("provided: sk-admin-…wxyz."), "{text}");
        assert!(!text.contains("****"), "{text}");
        let bare = provider_message(&ErrorEnvelope::default(), 503, &key);
        assert_eq!(bare, "HTTP 503 Service Unavailable without an error body");
    }
}
