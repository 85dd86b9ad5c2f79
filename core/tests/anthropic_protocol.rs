//! What the fake Admin API cannot produce: the exact request on the wire, malformed 200s,
//! `x-should-retry` and `retry-after-ms`, client errors, redirects and a key echoed back.
//! A scripted server answers each connection with the next canned response.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use costledger::source::anthropic::{AnthropicConfig, AnthropicSource, RetryPolicy};
use costledger::source::{SourceContext, UsageRequest, UsageSource};
use costledger::{BucketWidth, Credential, Error, PlanSettings, SecretString};
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "sk-ant-admin01-Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9AbCd";
const ME: &str =
    r#"{"id":"12345678-1234-5678-1234-567812345678","type":"organization","name":"Org"}"#;

/// Serves `responses` in order, one per connection, and records each request's head.
struct Scripted {
    base_url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nrequest-id: req_scripted\r\n\
         connection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

fn error_body(kind: &str, message: &str) -> String {
    serde_json::json!({"type": "error", "error": {"type": kind, "message": message}}).to_string()
}

async fn scripted(responses: Vec<String>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        for reply in responses {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    Scripted { base_url, requests }
}

impl Scripted {
    fn source(&self) -> AnthropicSource {
        let config = AnthropicConfig::new(&self.base_url)
            .retry_policy(RetryPolicy::for_tests())
            .min_request_interval(Duration::ZERO);
        AnthropicSource::new(config).unwrap()
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

struct Plan(Credential, PlanSettings);

impl Plan {
    fn new() -> Plan {
        Plan(
            Credential::AdminKey(SecretString::from(KEY)),
            PlanSettings::default(),
        )
    }

    fn ctx(&self) -> SourceContext<'_> {
        SourceContext {
            plan_id: Some(1),
            credential: Some(&self.0),
            settings: &self.1,
            requests: None,
            refresher: None,
        }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn the_request_carries_the_documented_headers_and_bracket_arrays() {
    let body = r#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[]}],"has_more":false,"next_page":null}"#;
    let server = scripted(vec![response("200 OK", &[], body)]).await;
    let plan = Plan::new();
    let request = UsageRequest::for_sync(
        t("2025-08-01T00:00:00Z"),
        t("2025-08-02T00:00:00Z"),
        BucketWidth::Day,
    );
    let pages: Vec<_> = server
        .source()
        .usage(plan.ctx(), request)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].rows.is_empty());
    let head = server.requests.lock().unwrap()[0].to_lowercase();
    let line = head.lines().next().unwrap();
    assert!(
        line.starts_with("get /v1/organizations/usage_report/messages?"),
        "{line}"
    );
    for part in [
        "starting_at=2025-08-01t00%3a00%3a00z",
        "ending_at=2025-08-02t00%3a00%3a00z",
        "bucket_width=1d",
        "limit=31",
        "group_by%5b%5d=api_key_id&group_by%5b%5d=workspace_id&group_by%5b%5d=model&\
         group_by%5b%5d=service_tier&group_by%5b%5d=context_window",
    ] {
        assert!(line.contains(part), "{part} not in {line}");
    }
    assert!(head.contains(&format!("x-api-key: {}", KEY.to_lowercase())));
    assert!(head.contains("anthropic-version: 2023-06-01"));
    assert!(head.contains(&format!(
        "user-agent: costledger/{}",
        env!("CARGO_PKG_VERSION")
    )));
}

#[tokio::test]
async fn a_malformed_success_is_retried_twice_then_reported() {
    let bad = response("200 OK", &[], r#"{"id": 12"#);
    let server = scripted(vec![bad.clone(), bad.clone(), bad.clone(), bad]).await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    assert!(e.to_string().contains("malformed response"), "{e}");
    assert!(e.to_string().contains("after 2 retries"), "{e}");
    assert_eq!(server.count(), 3);

    let server = scripted(vec![
        response("200 OK", &[], "<html>proxy error</html>"),
        response("200 OK", &[], ME),
    ])
    .await;
    let org = server.source().verify(Plan::new().ctx()).await.unwrap();
    assert_eq!(org.name, "Org");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn server_retry_hints_are_honoured() {
    // x-should-retry: false stops a 503 from being retried.
    let server = scripted(vec![response(
        "503 Service Unavailable",
        &[("x-should-retry", "false")],
        &error_body("api_error", "down for maintenance"),
    )])
    .await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Upstream {
                status: Some(503),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("down for maintenance"), "{e}");
    assert_eq!(server.count(), 1);

    // x-should-retry: true makes a 400 worth another try; retry-after-ms is waited.
    let server = scripted(vec![
        response(
            "400 Bad Request",
            &[("x-should-retry", "true")],
            &error_body("invalid_request_error", "try again"),
        ),
        response(
            "429 Too Many Requests",
            &[("retry-after-ms", "80"), ("retry-after", "30")],
            &error_body("rate_limit_error", "Rate limited"),
        ),
        response("200 OK", &[], ME),
    ])
    .await;
    let started = Instant::now();
    let source = server.source();
    source.verify(Plan::new().ctx()).await.unwrap();
    assert_eq!(server.count(), 3);
    // retry-after-ms (80 ms) wins over retry-after (30 s): the wait is at least 80 ms, and
    // the test finishing at all shows the 30 s was not taken.
    assert!(started.elapsed() >= Duration::from_millis(80));
}

#[tokio::test]
async fn client_errors_fail_at_once_with_the_providers_words() {
    let server = scripted(vec![response(
        "400 Bad Request",
        &[],
        &error_body(
            "invalid_request_error",
            "Cannot specify more than 5 group_by[] dimensions.",
        ),
    )])
    .await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Upstream {
                status: Some(400),
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("invalid_request_error: Cannot specify more than 5 group_by[] dimensions."),
        "{text}"
    );
    assert!(text.contains("request id req_scripted"), "{text}");
    assert_eq!(server.count(), 1);

    let server = scripted(vec![response(
        "404 Not Found",
        &[],
        &error_body(
            "not_found_error",
            "The requested resource could not be found.",
        ),
    )])
    .await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert!(e.to_string().contains("check that the base URL"), "{e}");

    let server = scripted(vec![response(
        "403 Forbidden",
        &[],
        &error_body("permission_error", "Permission denied"),
    )])
    .await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert!(
        matches!(&e, Error::CredentialRejected { status: 403, plan: Some(1), message, .. } if message == "Permission denied"),
        "{e:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn redirects_are_not_followed_and_echoed_keys_are_masked() {
    let server = scripted(vec![response(
        "307 Temporary Redirect",
        &[("location", "http://127.0.0.1:9/v1/organizations/me")],
        "",
    )])
    .await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Upstream {
                status: Some(307),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(server.count(), 1);

    let echo = error_body("authentication_error", &format!("invalid x-api-key {KEY}"));
    let server = scripted(vec![response("401 Unauthorized", &[], &echo)]).await;
    let e = server.source().verify(Plan::new().ctx()).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(!text.contains("Zm9vYmFyYmF6cXV4"), "{text}");
    assert!(text.contains("sk-ant-admin01-…AbCd"), "{text}");
}
