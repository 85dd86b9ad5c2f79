//! The `/v1` request pipeline: authentication, version check, faults, routing, and the
//! headers every answer carries.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use crate::analytics::atoms::Report;
use crate::analytics::endpoint::analytics_report;
use crate::catalog::FAST_MODE_BETA;
use crate::credentials::Access;
use crate::credentials::Credential;
use crate::errors::{ApiError, ApiResult};
use crate::faults::Decision;
use crate::oauth;
use crate::query::Query;
use crate::server::{SUPPORTED_VERSIONS, Shared};
use crate::spend_limits::effective::effective;
use crate::spend_limits::endpoints as spend;
use crate::{claude_code, control, cost, lists, usage};

/// Entry point of every request: `/_fake/*` goes to the control API, the rest to `/v1`.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/_fake" || path.starts_with("/_fake/") {
        return control::handle(&shared, req).await;
    }
    if oauth::is_oauth_path(path) {
        return oauth::handle(&shared, req).await;
    }
    api(&shared, req).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Me,
    Usage,
    Cost,
    ClaudeCode,
    List(&'static str),
    Get(&'static str, &'a str),
    Analytics(Report),
    SpendLimits,
    SpendLimitsEffective,
    SpendLimit(&'a str),
}

/// The route and the endpoint name the stats use.
fn route(path: &str) -> Option<(Route<'_>, &'static str)> {
    let rest = path
        .strip_prefix("/v1/organizations/")?
        .trim_end_matches('/');
    let found = match rest {
        "me" => (Route::Me, "me"),
        "usage_report/messages" => (Route::Usage, "usage_report/messages"),
        "cost_report" => (Route::Cost, "cost_report"),
        "usage_report/claude_code" => (Route::ClaudeCode, "usage_report/claude_code"),
        "api_keys" => (Route::List("api_keys"), "api_keys"),
        "workspaces" => (Route::List("workspaces"), "workspaces"),
        "users" => (Route::List("users"), "users"),
        "analytics/usage" => (Route::Analytics(Report::Usage), "analytics/usage"),
        "analytics/cost" => (Route::Analytics(Report::Cost), "analytics/cost"),
        "spend_limits" => (Route::SpendLimits, "spend_limits"),
        "spend_limits/effective" => (Route::SpendLimitsEffective, "spend_limits/effective"),
        _ => {
            let (collection, id) = rest.split_once('/')?;
            if id.is_empty() || id.contains('/') {
                return None;
            }
            match collection {
                "api_keys" => (Route::Get("api_keys", id), "api_keys/{id}"),
                "workspaces" => (Route::Get("workspaces", id), "workspaces/{id}"),
                "users" => (Route::Get("users", id), "users/{id}"),
                "spend_limits" => (Route::SpendLimit(id), "spend_limits/{id}"),
                _ => return None,
            }
        }
    };
    Some(found)
}

impl Route<'_> {
    /// The methods the route answers.
    fn methods(self) -> &'static [Method] {
        match self {
            Route::SpendLimits => &[Method::GET, Method::POST],
            Route::SpendLimit(_) => &[Method::GET, Method::DELETE],
            _ => &[Method::GET],
        }
    }

    /// What the route asks of a credential for `method`.
    fn access(self, method: &Method) -> Access {
        match self {
            Route::Me => Access::AnyKey,
            Route::List("users") | Route::Get("users", _) => Access::Scope("read:members"),
            Route::Analytics(_) => Access::Scope("read:analytics"),
            Route::SpendLimits | Route::SpendLimit(_) if method != Method::GET => {
                Access::Scope("write:spend_limits")
            }
            Route::SpendLimits | Route::SpendLimit(_) | Route::SpendLimitsEffective => {
                Access::Scope("read:spend_limits")
            }
            _ => Access::ConsoleOnly,
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn api(shared: &Shared, req: Request) -> Response {
    let request_id = shared.request_id();
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    let routed = route(parts.uri.path());
    let endpoint = routed.map_or("unknown", |r| r.1);
    // An admin key in `x-api-key`, or else an OAuth access token in `Authorization: Bearer`.
    let api_key = header(headers, "x-api-key");
    let bearer = api_key
        .is_none()
        .then(|| oauth::bearer_token(headers))
        .flatten();
    let key = api_key.or(bearer);
    shared
        .stats_mut()
        .record_request(key.unwrap_or(""), endpoint);

    let fail = |e: ApiError, org: Option<&str>| {
        reply(e.status, e.body(&request_id), &request_id, org, None)
    };
    let Some(key) = key else {
        return fail(ApiError::auth("x-api-key header is required"), None);
    };
    let credential = match bearer {
        None => shared.read().credential(key),
        Some(token) => {
            let now = shared.read().now.timestamp();
            let found = shared.oauth().bearer(token, now);
            match found {
                Err(why) => return fail(ApiError::auth(why), None),
                Ok(b) if !b.org_admin => {
                    let e = ApiError::permission(
                        "This OAuth token lacks the org:admin scope the Admin API requires; \
                         sign in again asking for org:admin",
                    );
                    return fail(e, None);
                }
                Ok(b) => Some(Credential::oauth(b.org)),
            }
        }
    };
    let credential = credential.map(|c| (shared.read().orgs[c.org].org.id.clone(), c));
    let Some((org_id, credential)) = credential else {
        return fail(ApiError::auth("invalid x-api-key"), None);
    };
    let org = credential.org;
    let org_id = Some(org_id.as_str());
    match header(headers, "anthropic-version") {
        None => {
            return fail(
                ApiError::invalid("anthropic-version: header is required"),
                org_id,
            );
        }
        Some(v) if !SUPPORTED_VERSIONS.contains(&v) => {
            let msg = format!("anthropic-version: {v:?} is not a valid version");
            return fail(ApiError::invalid(msg), org_id);
        }
        Some(_) => {}
    }

    let decision: Decision = shared.faults_mut().decide(key);
    if let Some(delay) = decision.delay {
        shared.stats_mut().record_fault("slow");
        tokio::time::sleep(delay).await;
    }
    if let (Some(status), Some(kind)) = (decision.status, decision.status_kind) {
        shared.stats_mut().record_fault(kind);
        let e = ApiError::injected(status);
        return reply(
            e.status,
            e.body(&request_id),
            &request_id,
            org_id,
            decision.retry_after,
        );
    }
    let Some((route, _)) = routed else {
        return fail(ApiError::not_found(), org_id);
    };
    let allowed = route.methods();
    if !allowed.contains(&parts.method) {
        let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        let e = ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            kind: "invalid_request_error",
            message: format!(
                "{} is not allowed here; this endpoint only answers {}",
                parts.method,
                names.join(" and ")
            ),
        };
        return fail(e, org_id);
    }
    let what = format!("{} {}", parts.method, parts.uri.path());
    if let Err(e) = credential.authorize(route.access(&parts.method), &what) {
        return fail(e, org_id);
    }
    let raw = match to_bytes(body, 1 << 20).await {
        Ok(b) => b,
        Err(_) => {
            return fail(
                ApiError::invalid("request body too large or unreadable"),
                org_id,
            );
        }
    };

    let betas = header(headers, "anthropic-beta");
    let fast_mode = betas.is_some_and(|b| b.split(',').any(|f| f.trim() == FAST_MODE_BETA));
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let result: ApiResult = match (route, &parts.method) {
        (Route::SpendLimits, &Method::POST) => spend::set(&mut shared.write(), org, &raw),
        (Route::SpendLimit(id), &Method::DELETE) => spend::delete(&mut shared.write(), org, id),
        _ => {
            let world = shared.read();
            let meta = &world.orgs[org].org;
            match route {
                Route::Me => lists::me(meta),
                Route::Usage => usage::usage_report(&world, org, &query, fast_mode),
                Route::Cost => cost::cost_report(&world, org, &query),
                Route::ClaudeCode => claude_code::claude_code_report(&world, org, &query),
                Route::List("api_keys") => lists::api_keys(meta, &query),
                Route::List("workspaces") => lists::workspaces(meta, &query),
                Route::List(_) => lists::users(meta, &query),
                Route::Get(collection, id) => lists::get_one(meta, collection, id),
                Route::Analytics(report) => analytics_report(&world, org, &query, report, betas),
                Route::SpendLimits => spend::list(&world, org, &query, betas),
                Route::SpendLimit(id) => spend::get(&world, org, id),
                Route::SpendLimitsEffective => effective(&world, org, &query),
            }
        }
    };
    let reports = matches!(route, Route::Usage | Route::Cost | Route::Analytics(_));
    if decision.late && reports && result.is_ok() {
        shared.write().grow_late_data();
        shared.stats_mut().record_fault("late");
    }
    let (status, body) = match result {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, e.body(&request_id)),
    };
    if decision.truncate {
        shared.stats_mut().record_fault("trunc");
        let mut resp = reply(status, Vec::new(), &request_id, org_id, None);
        *resp.body_mut() = truncated_body(body.clone());
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        return resp;
    }
    reply(status, body, &request_id, org_id, None)
}

/// A response with the headers every API answer carries.
fn reply(
    status: StatusCode,
    body: Vec<u8>,
    request_id: &str,
    org_id: Option<&str>,
    retry_after: Option<String>,
) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let value = |s: &str| HeaderValue::from_str(s).expect("header-safe value");
    h.insert("request-id", value(request_id));
    if let Some(org) = org_id {
        h.insert("anthropic-organization-id", value(org));
    }
    if let Some(secs) = retry_after {
        h.insert(header::RETRY_AFTER, value(&secs));
    }
    resp
}

/// The first half of `body`, a pause so it reaches the wire, then an error that makes
/// hyper drop the connection: the client sees a 200 whose body ends mid-JSON.
fn truncated_body(body: Vec<u8>) -> Body {
    let half = Bytes::from(body[..body.len() / 2].to_vec());
    let stream = futures::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok(half), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let cut = std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "fake: body truncated",
                    );
                    Some((Err(cut), 2))
                }
                _ => None,
            }
        }
    });
    Body::from_stream(stream)
}
