//! `/_fake/*`: unauthenticated control endpoints for tests that run the binary.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::buckets::parse_rfc3339;
use crate::faults::Faults;
use crate::oauth::{OAuthExpiry, OAuthFaults};
use crate::query::Query;
use crate::server::Shared;

fn json_reply(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("serialisable");
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_reply(status, &json!({ "error": message.into() }))
}

/// Serves one control request.
pub(crate) async fn handle(shared: &Shared, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let query = Query::parse(req.uri().query().unwrap_or(""));
    let body = match to_bytes(req.into_body(), 1 << 20).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => return error(StatusCode::BAD_REQUEST, "body too large or unreadable"),
    };
    match (method, path.as_str()) {
        (Method::GET, "/_fake/truth") => truth(shared, &query),
        (Method::GET, "/_fake/stats") => json_reply(StatusCode::OK, &shared.stats()),
        (Method::POST, "/_fake/stats/reset") => {
            shared.reset_stats();
            json_reply(StatusCode::OK, &json!({ "ok": true }))
        }
        (Method::GET, "/_fake/orgs") => {
            json_reply(StatusCode::OK, &json!({ "orgs": shared.orgs() }))
        }
        (Method::GET, "/_fake/faults") => json_reply(
            StatusCode::OK,
            &json!({ "faults": shared.faults().to_string() }),
        ),
        (Method::POST, "/_fake/faults") => match body.parse::<Faults>() {
            Ok(f) => {
                let canonical = f.to_string();
                shared.set_faults(f);
                json_reply(StatusCode::OK, &json!({ "faults": canonical }))
            }
            Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
        },
        (Method::POST, "/_fake/now") => match parse_rfc3339(&body) {
            Some(now) => {
                shared.write().set_now(now);
                json_reply(StatusCode::OK, &json!({ "now": body }))
            }
            None => error(
                StatusCode::BAD_REQUEST,
                format!("expected an RFC 3339 timestamp, got {body:?}"),
            ),
        },
        (Method::POST, "/_fake/late") => {
            let mut world = shared.write();
            world.grow_late_data();
            json_reply(StatusCode::OK, &json!({ "ok": true }))
        }
        (Method::POST, "/_fake/revoke") => {
            let revoked = shared.write().revoke(&body);
            json_reply(StatusCode::OK, &json!({ "revoked": revoked }))
        }
        (Method::GET, "/_fake/scoped_keys") => json_reply(
            StatusCode::OK,
            &json!({ "scoped_keys": shared.read().scoped_keys() }),
        ),
        (Method::POST, "/_fake/scoped_keys") => scoped_key(shared, &body),
        (Method::GET, "/_fake/oauth") => {
            let oauth = shared.oauth();
            json_reply(
                StatusCode::OK,
                &json!({ "faults": oauth.faults().to_string(), "stats": oauth.stats() }),
            )
        }
        (Method::POST, "/_fake/oauth/faults") => match body.parse::<OAuthFaults>() {
            Ok(f) => {
                shared.oauth().set_faults(f);
                json_reply(StatusCode::OK, &json!({ "faults": f.to_string() }))
            }
            Err(e) => error(StatusCode::BAD_REQUEST, e),
        },
        (Method::POST, "/_fake/oauth/expire") => {
            let what = match body.as_str() {
                "" | "access" => OAuthExpiry::AccessTokens,
                "codes" => OAuthExpiry::Codes,
                other => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("expected access or codes, got {other:?}"),
                    );
                }
            };
            shared.oauth().expire(what);
            json_reply(
                StatusCode::OK,
                &json!({ "expired": if what == OAuthExpiry::Codes { "codes" } else { "access" } }),
            )
        }
        (Method::POST, "/_fake/oauth/ttl") => match body.parse::<i64>() {
            Ok(secs) => {
                shared.oauth().set_access_ttl(secs);
                json_reply(StatusCode::OK, &json!({ "access_ttl": secs }))
            }
            Err(_) => error(
                StatusCode::BAD_REQUEST,
                format!("expected a number of seconds, got {body:?}"),
            ),
        },
        (Method::POST, "/_fake/oauth/account") => {
            let ids: Vec<String> = match serde_json::from_str(&body) {
                Ok(ids) => ids,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("expected a JSON array of org ids: {e}"),
                    );
                }
            };
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            match shared.org_indices(&refs) {
                Ok(orgs) => {
                    shared.oauth().set_account(orgs);
                    json_reply(StatusCode::OK, &json!({ "orgs": ids }))
                }
                Err(e) => error(StatusCode::BAD_REQUEST, e),
            }
        }
        (Method::POST, "/_fake/admin_keys") => match shared.write().add_admin_key(&body) {
            Some(key) => json_reply(StatusCode::OK, &json!({ "org_id": body, "admin_key": key })),
            None => error(StatusCode::NOT_FOUND, format!("no org with id {body:?}")),
        },
        _ => error(StatusCode::NOT_FOUND, format!("no control endpoint {path}")),
    }
}

fn truth(shared: &Shared, query: &Query) -> Response {
    let parse = |key: &str| match query.get(key) {
        None => Ok(None),
        Some(raw) => parse_rfc3339(raw)
            .map(Some)
            .ok_or_else(|| format!("{key}: expected an RFC 3339 timestamp, got {raw:?}")),
    };
    let (start, end) = match (parse("starting_at"), parse("ending_at")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(m), _) | (_, Err(m)) => return error(StatusCode::BAD_REQUEST, m),
    };
    let truth = match (start, end) {
        (None, None) => shared.truth(),
        (start, end) => {
            let (default_start, now) = {
                let w = shared.read();
                (
                    chrono::DateTime::from_timestamp(w.start_hour * 3_600, 0).expect("in range"),
                    w.now,
                )
            };
            shared.truth_between(start.unwrap_or(default_start), end.unwrap_or(now))
        }
    };
    json_reply(StatusCode::OK, &truth)
}

/// `POST /_fake/scoped_keys` with `{"org_id":…,"scopes":[…]}`.
fn scoped_key(shared: &Shared, body: &str) -> Response {
    #[derive(serde::Deserialize)]
    struct Ask {
        org_id: String,
        scopes: Vec<String>,
    }
    let ask: Ask = match serde_json::from_str(body) {
        Ok(a) => a,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"org_id\":…,\"scopes\":[…]}}: {e}"),
            );
        }
    };
    let scopes: Vec<&str> = ask.scopes.iter().map(String::as_str).collect();
    let minted = shared.write().add_scoped_key(&ask.org_id, &scopes);
    match minted {
        Ok(key) => json_reply(
            StatusCode::OK,
            &json!({ "org_id": ask.org_id, "key": key, "scopes": ask.scopes }),
        ),
        Err(e) if e.starts_with("no org") => error(StatusCode::NOT_FOUND, e),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}
