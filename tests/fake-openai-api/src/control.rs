//! `/_fake/*`: unauthenticated control endpoints for tests that run the binary.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::config::KeyKind;
use crate::faults::Faults;
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
        (Method::POST, "/_fake/now") => match chrono::DateTime::parse_from_rfc3339(&body) {
            Ok(now) => {
                shared.write().set_now(now.with_timezone(&chrono::Utc));
                json_reply(StatusCode::OK, &json!({ "now": body }))
            }
            Err(_) => error(
                StatusCode::BAD_REQUEST,
                format!("expected an RFC 3339 timestamp, got {body:?}"),
            ),
        },
        (Method::POST, "/_fake/late") => {
            shared.write().grow_late_data();
            json_reply(StatusCode::OK, &json!({ "ok": true }))
        }
        (Method::POST, "/_fake/revoke") => {
            let revoked = shared.write().revoke(&body);
            json_reply(StatusCode::OK, &json!({ "revoked": revoked }))
        }
        (Method::POST, "/_fake/admin_keys") => add_key(shared, &body),
        _ => error(StatusCode::NOT_FOUND, format!("no control endpoint {path}")),
    }
}

/// Body `<org id>` or `<org id> <kind>` (kind `admin`, `read_only` or `usage_only`).
fn add_key(shared: &Shared, body: &str) -> Response {
    let mut words = body.split_whitespace();
    let org_id = words.next().unwrap_or_default();
    let kind = match words
        .next()
        .map(str::parse::<KeyKind>)
        .unwrap_or(Ok(KeyKind::Admin))
    {
        Ok(kind) => kind,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match shared.write().add_admin_key(org_id, kind) {
        Some(key) => json_reply(
            StatusCode::OK,
            &json!({ "org_id": org_id, "kind": kind, "admin_key": key }),
        ),
        None => error(StatusCode::NOT_FOUND, format!("no org with id {org_id:?}")),
    }
}

fn truth(shared: &Shared, query: &Query) -> Response {
    let parse = |key: &str| match query.get(key) {
        None => Ok(None),
        Some(raw) => raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{key}: expected Unix seconds, got {raw:?}")),
    };
    match (parse("start_time"), parse("end_time")) {
        (Ok(None), Ok(None)) => json_reply(StatusCode::OK, &shared.truth()),
        (Ok(start), Ok(end)) => {
            let (history_start, now) = {
                let w = shared.read();
                (w.history_start(), w.now.timestamp())
            };
            let truth = shared.truth_between(start.unwrap_or(history_start), end.unwrap_or(now));
            json_reply(StatusCode::OK, &truth)
        }
        (Err(m), _) | (_, Err(m)) => error(StatusCode::BAD_REQUEST, m),
    }
}
