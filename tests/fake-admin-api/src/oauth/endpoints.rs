//! The authorization server's HTTP surface: `GET /oauth/authorize`, `POST /v1/oauth/token`,
//! `POST /v1/oauth/revoke` and `GET /v1/oauth/organizations`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::grants::Authorized;
use super::{OAuthError, OAuthState};
use crate::query::Query;
use crate::server::Shared;

/// True for the paths this module serves.
pub(crate) fn is_oauth_path(path: &str) -> bool {
    path == "/oauth/authorize" || path.starts_with("/v1/oauth/")
}

fn json_reply(status: u16, body: &Value) -> Response {
    let mut resp = Response::new(Body::from(serde_json::to_vec(body).expect("serialisable")));
    *resp.status_mut() = StatusCode::from_u16(status).expect("valid status");
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // RFC 6749 §5.1: token responses must not be cached.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

fn oauth_error(e: &OAuthError) -> Response {
    let mut resp = json_reply(e.status, &e.body());
    if e.status == 401 {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth\""),
        );
    }
    resp
}

/// HTTP Basic client credentials (RFC 6749 §2.3.1), form-decoded.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let q = Query::parse(&format!("id={id}&secret={secret}"));
    Some((q.get("id")?.to_string(), q.get("secret")?.to_string()))
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Form (RFC 6749 §4.1.3) or JSON body, as the query-string decoder reads it.
fn form_body(headers: &HeaderMap, raw: &[u8]) -> Result<Query, OAuthError> {
    let text = String::from_utf8_lossy(raw);
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Ok(Query::parse(&text));
    }
    let value: Value = serde_json::from_str(&text).map_err(|e| OAuthError {
        status: 400,
        error: "invalid_request",
        description: format!("the body is not JSON: {e}"),
    })?;
    let pairs = value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect();
    Ok(Query::from_pairs(pairs))
}

/// Serves one OAuth request.
pub(crate) async fn handle(shared: &Shared, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().trim_end_matches('/').to_string();
    if shared.oauth().faults().down {
        shared.oauth().stats.down_answers += 1;
        return json_reply(
            503,
            &json!({
                "error": "temporarily_unavailable",
                "error_description": "the authorization server is down (fake fault)"
            }),
        );
    }
    let now = shared.read().now.timestamp();
    let expected = match path.as_str() {
        "/oauth/authorize" | "/v1/oauth/organizations" => Method::GET,
        "/v1/oauth/token" | "/v1/oauth/revoke" => Method::POST,
        _ => {
            return json_reply(
                404,
                &json!({"error": "not_found", "error_description": format!("no endpoint {path}")}),
            );
        }
    };
    if parts.method != expected {
        return json_reply(
            405,
            &json!({"error": "invalid_request", "error_description": format!("{path} only answers {expected}")}),
        );
    }
    let raw = match to_bytes(body, 1 << 16).await {
        Ok(b) => b,
        Err(_) => {
            return json_reply(
                400,
                &json!({"error": "invalid_request", "error_description": "body too large"}),
            );
        }
    };
    match path.as_str() {
        "/oauth/authorize" => {
            let q = Query::parse(parts.uri.query().unwrap_or(""));
            match shared.oauth().authorize(&q, now) {
                Authorized::Redirect(url) => {
                    let mut resp = Response::new(Body::empty());
                    *resp.status_mut() = StatusCode::FOUND;
                    resp.headers_mut().insert(
                        header::LOCATION,
                        HeaderValue::from_str(&url).expect("encoded URL"),
                    );
                    resp
                }
                Authorized::Refuse(why) => json_reply(
                    400,
                    &json!({"error": "invalid_request", "error_description": why}),
                ),
            }
        }
        "/v1/oauth/token" => {
            let form = match form_body(&parts.headers, &raw) {
                Ok(f) => f,
                Err(e) => return oauth_error(&e),
            };
            let org_ids: Vec<String> = shared
                .read()
                .orgs
                .iter()
                .map(|o| o.org.id.clone())
                .collect();
            let mut oauth = shared.oauth();
            match oauth.token(&form, basic_auth(&parts.headers), now, &org_ids) {
                Ok((family, access, refresh)) => {
                    token_reply(shared, &oauth, family, &access, &refresh)
                }
                Err(e) => oauth_error(&e),
            }
        }
        "/v1/oauth/revoke" => {
            let form = match form_body(&parts.headers, &raw) {
                Ok(f) => f,
                Err(e) => return oauth_error(&e),
            };
            match shared.oauth().revoke(&form, basic_auth(&parts.headers)) {
                Ok(()) => json_reply(200, &json!({})),
                Err(e) => oauth_error(&e),
            }
        }
        _ => organizations(shared, &parts.headers, now),
    }
}

fn token_reply(
    shared: &Shared,
    oauth: &OAuthState,
    family: usize,
    access: &str,
    refresh: &str,
) -> Response {
    let (org, mut body) = oauth.token_body(family, access, refresh);
    let world = shared.read();
    let meta = &world.orgs[org].org;
    body["organization"] = json!({ "id": meta.id, "name": meta.name });
    json_reply(200, &body)
}

/// `GET /v1/oauth/organizations`: the organisations the bearer token's sign-in reaches, the
/// one it answers for first.
fn organizations(shared: &Shared, headers: &HeaderMap, now: i64) -> Response {
    let Some(token) = bearer_token(headers) else {
        return json_reply(
            401,
            &json!({"error": "invalid_token", "error_description": "Authorization: Bearer is required"}),
        );
    };
    let reach = shared.oauth().reach(token, now);
    match reach {
        Ok(orgs) => {
            let world = shared.read();
            let data: Vec<Value> = orgs
                .iter()
                .map(|&i| {
                    let o = &world.orgs[i].org;
                    json!({ "id": o.id, "name": o.name })
                })
                .collect();
            json_reply(200, &json!({ "data": data }))
        }
        Err(why) => json_reply(
            401,
            &json!({"error": "invalid_token", "error_description": why}),
        ),
    }
}
