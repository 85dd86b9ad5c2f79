//! The `/v1` request pipeline: authentication, organisation check, faults, routing,
//! permissions, and the headers every answer carries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use crate::catalog::Endpoint;
use crate::config::KeyKind;
use crate::errors::{ApiError, ApiResult};
use crate::faults::RetryAfter;
use crate::query::Query;
use crate::server::Shared;
use crate::{control, costs, lists, usage};

/// The REST API version every answer names in `openai-version`.
pub const OPENAI_VERSION: &str = "2020-10-01";

/// Entry point of every request: `/_fake/*` goes to the control API, the rest to `/v1`.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/_fake" || path.starts_with("/_fake/") {
        return control::handle(&shared, req).await;
    }
    let started = Instant::now();
    let mut resp = api(&shared, req).await;
    let ms = started.elapsed().as_millis().to_string();
    resp.headers_mut().insert(
        "openai-processing-ms",
        HeaderValue::from_str(&ms).expect("digits"),
    );
    resp
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Usage(Endpoint),
    Costs,
    Projects,
    Project(&'a str),
    ProjectKeys(&'a str),
    ProjectKey(&'a str, &'a str),
    ServiceAccounts(&'a str),
    Users,
    User(&'a str),
    AdminKeys,
    AdminKey(&'a str),
}

/// The route and the endpoint name the stats use.
fn route(path: &str) -> Option<(Route<'_>, String)> {
    let rest = path
        .strip_prefix("/v1/organization/")?
        .trim_end_matches('/');
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let found = match parts[..] {
        ["usage", name] => {
            let e = Endpoint::from_path(name)?;
            (Route::Usage(e), format!("usage/{name}"))
        }
        ["costs"] => (Route::Costs, "costs".into()),
        ["projects"] => (Route::Projects, "projects".into()),
        ["projects", id] => (Route::Project(id), "projects/{id}".into()),
        ["projects", id, "api_keys"] => (Route::ProjectKeys(id), "projects/{id}/api_keys".into()),
        ["projects", id, "api_keys", key] => (
            Route::ProjectKey(id, key),
            "projects/{id}/api_keys/{id}".into(),
        ),
        ["projects", id, "service_accounts"] => (
            Route::ServiceAccounts(id),
            "projects/{id}/service_accounts".into(),
        ),
        ["users"] => (Route::Users, "users".into()),
        ["users", id] => (Route::User(id), "users/{id}".into()),
        ["admin_api_keys"] => (Route::AdminKeys, "admin_api_keys".into()),
        ["admin_api_keys", id] => (Route::AdminKey(id), "admin_api_keys/{id}".into()),
        _ => return None,
    };
    Some(found)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The bearer token of `Authorization: Bearer <key>` (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = header(headers, "authorization")?.trim();
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

/// What a key of `kind` may not do on `route` with `method`: the missing scope.
fn missing_scope(kind: KeyKind, route: Route<'_>, method: &Method) -> Option<&'static str> {
    if method != Method::GET {
        return (!kind.writes()).then_some("api.management.write");
    }
    match route {
        Route::Usage(_) | Route::Costs => (!kind.reads_usage()).then_some("api.usage.read"),
        _ => (!kind.reads_management()).then_some("api.management.read"),
    }
}

async fn api(shared: &Shared, req: Request) -> Response {
    let request_id = shared.request_id();
    let (parts, _) = req.into_parts();
    let headers = &parts.headers;
    let path = parts.uri.path();
    let routed = route(path);
    let endpoint = routed.as_ref().map_or("unknown", |r| r.1.as_str());
    let key = bearer(headers);
    shared
        .stats_mut()
        .record_request(key.unwrap_or(""), endpoint);

    let fail = |e: ApiError, org: Option<&str>| reply(e.status, e.body(), &request_id, org, None);
    let Some(key) = key else {
        return fail(ApiError::missing_key(), None);
    };
    let found = {
        let world = shared.read();
        world.key(key).map(|(o, kind)| {
            let org = &world.orgs[o].org;
            (o, kind, org.id.clone(), org.slug.clone())
        })
    };
    let Some((org, kind, org_id, slug)) = found else {
        return fail(ApiError::invalid_key(key), None);
    };
    if header(headers, "openai-organization").is_some_and(|h| h.trim() != org_id) {
        return fail(ApiError::mismatched_organization(), None);
    }
    let slug = Some(slug.as_str());

    let decision = shared.faults_mut().decide(key);
    if let Some(delay) = decision.delay {
        shared.stats_mut().record_fault("slow");
        tokio::time::sleep(delay).await;
    }
    if let (Some(status), Some(fault)) = (decision.status, decision.status_kind) {
        shared.stats_mut().record_fault(fault);
        let wait = decision.retry_after;
        let e = ApiError::injected(status, &org_id, wait.map_or(0, |w| w.secs));
        return reply(e.status, e.body(), &request_id, slug, wait);
    }
    let Some((route, _)) = routed else {
        return fail(ApiError::invalid_url(parts.method.as_str(), path), slug);
    };
    if let Some(scope) = missing_scope(kind, route, &parts.method) {
        return fail(ApiError::missing_scope(scope), slug);
    }
    if parts.method != Method::GET {
        let e = ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            kind: "invalid_request_error",
            message: format!(
                "This fake serves only reads: {} {path} is not implemented here.",
                parts.method
            ),
            param: None,
            code: None,
        };
        return fail(e, slug);
    }

    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let result: ApiResult = {
        let world = shared.read();
        let meta = &world.orgs[org].org;
        match route {
            Route::Usage(e) => usage::usage(&world, org, e, &query),
            Route::Costs => costs::costs(&world, org, &query),
            Route::Projects => lists::projects(&world, meta, &query),
            Route::Project(id) => lists::project(&world, meta, id, &query),
            Route::ProjectKeys(id) => lists::project_api_keys(&world, meta, id, &query),
            Route::ProjectKey(id, k) => lists::project_api_key(&world, meta, id, k, &query),
            Route::ServiceAccounts(id) => lists::service_accounts(meta, id, &query),
            Route::Users => lists::users(meta, &query),
            Route::User(id) => lists::user(meta, id, &query),
            Route::AdminKeys => lists::admin_api_keys(&world, meta, &query),
            Route::AdminKey(id) => lists::admin_api_key(&world, meta, id, &query),
        }
    };
    if decision.late && matches!(route, Route::Usage(_) | Route::Costs) && result.is_ok() {
        shared.write().grow_late_data();
        shared.stats_mut().record_fault("late");
    }
    let (status, body) = match result {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, e.body()),
    };
    if decision.truncate {
        shared.stats_mut().record_fault("trunc");
        let length = body.len();
        let mut resp = reply(status, Vec::new(), &request_id, slug, None);
        *resp.body_mut() = truncated_body(body);
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        resp
    } else {
        reply(status, body, &request_id, slug, None)
    }
}

/// A response with the headers every API answer carries. `org` (the slug) is set once the
/// key is known to belong to an org.
fn reply(
    status: StatusCode,
    body: Vec<u8>,
    request_id: &str,
    org: Option<&str>,
    retry_after: Option<RetryAfter>,
) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let value = |s: &str| HeaderValue::from_str(s).expect("header-safe value");
    h.insert("x-request-id", value(request_id));
    h.insert("openai-version", HeaderValue::from_static(OPENAI_VERSION));
    if let Some(org) = org {
        h.insert("openai-organization", value(org));
    }
    if let Some(wait) = retry_after {
        h.insert(header::RETRY_AFTER, value(&wait.secs.to_string()));
        h.insert("retry-after-ms", value(&wait.ms.to_string()));
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
