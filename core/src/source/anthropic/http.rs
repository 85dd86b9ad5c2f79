//! The one request function: a paced, retried request with the admin key, returning the
//! decoded body and how many attempts it took. Every endpoint (legacy reports, Analytics,
//! Spend Limits) goes through it, so retries and pacing are the same everywhere.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};

use super::pacing::KeyId;
use super::retry::{RetryPolicy, retry_after, retryable_status, should_retry_header};
use super::wire::ErrorEnvelope;
use super::{ANTHROPIC_VERSION, AnthropicSource};
use crate::crypto::SecretString;
use crate::error::{Error, Result};
use crate::model::Credential;
use crate::source::failure::{Api, LastFailure};
use crate::source::{RequestStats, SourceContext};

/// Query parameters in order; array parameters repeat their `name[]`.
pub(crate) type Params = Vec<(String, String)>;

/// One request: method, path, query, an optional `anthropic-beta` flag and JSON body.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) params: &'a [(String, String)],
    /// Sent as `anthropic-beta` (the Analytics and Spend Limits APIs need theirs).
    pub(crate) beta: Option<&'static str>,
    pub(crate) body: Option<&'a serde_json::Value>,
}

impl<'a> Call<'a> {
    /// A `GET` with no beta flag and no body.
    pub(crate) fn get(path: &'a str, params: &'a [(String, String)]) -> Self {
        Call {
            method: &Method::GET,
            path,
            params,
            beta: None,
            body: None,
        }
    }

    /// The same call with an `anthropic-beta` flag.
    pub(crate) fn beta(mut self, flag: &'static str) -> Self {
        self.beta = Some(flag);
        self
    }
}

/// What one attempt came back with.
enum Attempt {
    /// A 2xx with its whole body.
    Success {
        body: Bytes,
        request_id: Option<String>,
    },
    /// Any other status, with what its body and headers said.
    Failure {
        status: u16,
        headers: HeaderMap,
        envelope: ErrorEnvelope,
    },
    /// No complete response: connection, timeout, or a body cut off.
    Transport(reqwest::Error),
}

fn request_id(headers: &HeaderMap, envelope: &ErrorEnvelope) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| envelope.request_id.clone())
}

/// What authenticates a request: an admin key in `x-api-key` or an OAuth access token in
/// `Authorization: Bearer`.
enum Auth {
    Key(SecretString),
    Bearer(SecretString),
}

impl Auth {
    fn secret(&self) -> &SecretString {
        match self {
            Auth::Key(s) | Auth::Bearer(s) => s,
        }
    }

    fn header(&self) -> Result<(&'static str, HeaderValue)> {
        let (name, text) = match self {
            Auth::Key(key) => ("x-api-key", key.expose().to_string()),
            Auth::Bearer(token) => ("authorization", format!("Bearer {}", token.expose())),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Error::invalid(format!(
                "credential {} contains characters that cannot be sent in an HTTP header; \
                 paste it again without spaces or line breaks",
                self.secret().hint()
            ))
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }
}

/// The credential to send now (an OAuth access token refreshed first when near expiry).
async fn current_auth(ctx: &SourceContext<'_>) -> Result<Auth> {
    match (ctx.credential, ctx.refresher) {
        (Some(Credential::AdminKey(key)), _) => Ok(Auth::Key(key.clone())),
        (Some(Credential::OAuth(_)), Some(refresher)) => {
            Ok(Auth::Bearer(refresher.access_token().await?))
        }
        (Some(Credential::OAuth(tokens)), None) => Ok(Auth::Bearer(tokens.access_token().clone())),
        (None, _) => Err(Error::invalid(
            "an Anthropic plan needs an admin key or OAuth tokens; add the plan with one, or \
             rotate the plan's credential to set one",
        )),
    }
}

impl AnthropicSource {
    /// `GET base_url + path?params`, retried per the policy, the body decoded by `decode`
    /// (whose `Err` marks the body malformed). Returns the value and the attempt counts.
    pub(crate) async fn get<T>(
        &self,
        ctx: &SourceContext<'_>,
        path: &str,
        params: &[(String, String)],
        decode: impl Fn(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<(T, RequestStats)> {
        self.send(ctx, Call::get(path, params), decode).await
    }

    /// Sends `call`, retried per the policy (writes too: setting a spend limit is an upsert
    /// and deleting one is idempotent), the body decoded by `decode`.
    pub(crate) async fn send<T>(
        &self,
        ctx: &SourceContext<'_>,
        call: Call<'_>,
        decode: impl Fn(&[u8]) -> std::result::Result<T, String>,
    ) -> Result<(T, RequestStats)> {
        let Call {
            method,
            path,
            params,
            beta,
            body,
        } = call;
        let mut auth = current_auth(ctx).await?;
        let mut refreshed_after_401 = false;
        let config = &self.inner.config;
        let policy: &RetryPolicy = &config.retry;
        let url = format!("{}{path}", config.base_url);
        let mut stats = RequestStats::default();
        let mut malformed = 0u32;
        loop {
            if stats.requests > 0 && !refreshed_after_401 {
                // A later attempt: the token may have neared its expiry while waiting.
                if let Auth::Bearer(_) = auth {
                    auth = current_auth(ctx).await?;
                }
            }
            let (auth_name, auth_value) = auth.header()?;
            self.inner
                .pacer
                .wait(KeyId::of(auth.secret()), config.min_request_interval)
                .await;
            stats.requests += 1;
            let retry = stats.requests - 1;
            stats.retries = retry;
            if let Some(counter) = ctx.requests {
                counter.record(retry > 0);
            }
            let mut request = self
                .inner
                .client
                .request(method.clone(), &url)
                .query(params)
                .header(auth_name, auth_value)
                .header("anthropic-version", ANTHROPIC_VERSION)
                .header(USER_AGENT, config.user_agent.as_str())
                .timeout(config.timeout);
            if let Some(flag) = beta {
                request = request.header("anthropic-beta", flag);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let (failure, asked) = match attempt(request).await {
                Attempt::Success { body, request_id } => match decode(&body) {
                    Ok(value) => return Ok((value, stats)),
                    Err(why) => {
                        malformed += 1;
                        let failure = LastFailure::Malformed { request_id, why };
                        if malformed > RetryPolicy::MALFORMED_RETRIES {
                            return Err(failure.give_up_call(
                                &self.api(),
                                method.as_str(),
                                path,
                                retry,
                            ));
                        }
                        (failure, None)
                    }
                },
                Attempt::Failure {
                    status,
                    headers,
                    envelope,
                } => {
                    let request_id = request_id(&headers, &envelope);
                    let (kind, message) = provider_message(&envelope, status, auth.secret());
                    // An OAuth access token refused once: refresh and try again, once.
                    if let (401, Auth::Bearer(used), Some(refresher), false) =
                        (status, &auth, ctx.refresher, refreshed_after_401)
                    {
                        auth = Auth::Bearer(refresher.after_rejection(used).await?);
                        refreshed_after_401 = true;
                        continue;
                    }
                    if let (401 | 403, Auth::Bearer(_)) = (status, &auth) {
                        // Still refused after a refresh (or without one): only a new
                        // sign-in helps, not a new admin key.
                        return Err(Error::OAuthRejected {
                            plan: ctx.plan_id,
                            status,
                            error: kind.unwrap_or_else(|| "invalid_token".into()),
                            description: message,
                        });
                    }
                    if status == 401 || status == 403 {
                        return Err(Error::CredentialRejected {
                            plan: ctx.plan_id,
                            status,
                            request_id,
                            message,
                        });
                    }
                    let message = match kind {
                        Some(kind) => format!("{kind}: {message}"),
                        None => message,
                    };
                    let asked = retry_after(&headers, SystemTime::now());
                    let failure = LastFailure::Status {
                        status,
                        request_id,
                        message,
                        retry_after: asked,
                    };
                    if !retryable_status(status, should_retry_header(&headers)) {
                        return Err(failure.refused_call(&self.api(), method.as_str(), path));
                    }
                    (failure, asked)
                }
                Attempt::Transport(e) if e.is_builder() => {
                    return Err(LastFailure::Transport(e).give_up_call(
                        &self.api(),
                        method.as_str(),
                        path,
                        retry,
                    ));
                }
                Attempt::Transport(e) => (LastFailure::Transport(e), None),
            };
            if retry >= policy.max_retries {
                return Err(failure.give_up_call(&self.api(), method.as_str(), path, retry));
            }
            let wait = policy.wait(retry, asked);
            tracing::debug!(
                path,
                retry = retry + 1,
                ?wait,
                method = method.as_str(),
                "retrying an Admin API request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// How errors name this API.
    fn api(&self) -> Api<'_> {
        Api {
            name: "Anthropic",
            base_url_should_be: "the Anthropic API",
            base_url: &self.inner.config.base_url,
            timeout: self.inner.config.timeout,
        }
    }
}

/// Sends one attempt and reads its whole body.
async fn attempt(request: reqwest::RequestBuilder) -> Attempt {
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Transport(e),
    };
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_success() {
        return match response.bytes().await {
            Ok(body) => Attempt::Success {
                body,
                request_id: request_id(&headers, &ErrorEnvelope::default()),
            },
            Err(e) => Attempt::Transport(e),
        };
    }
    // An error body that cannot be read still leaves the status to act on.
    let body = response.bytes().await.unwrap_or_default();
    let envelope = serde_json::from_slice::<ErrorEnvelope>(&body).unwrap_or_default();
    Attempt::Failure {
        status: status.as_u16(),
        headers,
        envelope,
    }
}

/// The envelope's `error.type` and `error.message` (or the status's reason), with any echo
/// of the key replaced by its hint.
fn provider_message(
    envelope: &ErrorEnvelope,
    status: u16,
    key: &SecretString,
) -> (Option<String>, String) {
    let detail = envelope.error.as_ref();
    let message = detail.and_then(|d| d.message.clone()).unwrap_or_else(|| {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no reason given");
        format!("HTTP {status} {reason} without an error body")
    });
    let kind = detail.and_then(|d| d.kind.clone());
    if key.is_empty() {
        return (kind, message);
    }
    let scrub = |s: String| s.replace(key.expose(), &key.hint());
    (kind.map(scrub), scrub(message))
}
