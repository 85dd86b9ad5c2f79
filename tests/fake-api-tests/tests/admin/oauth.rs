//! The OAuth authorization server's sign-in: authorize with PKCE and state, the code
//! exchange and its checks, bearer tokens on the Admin API, confidential clients. The
//! helpers here serve `oauth_grants` too.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use fake_admin_api::{
    FakeServer, OAUTH_CLIENT_SECRET, OAUTH_CONFIDENTIAL_CLIENT_ID, OAUTH_PUBLIC_CLIENT_ID,
    OAuthExpiry,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::admin::common::{get_with, start};

pub(crate) const REDIRECT: &str = "http://127.0.0.1:53682/callback";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-extra-chars";

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub(crate) fn no_redirects() -> reqwest::Client {
    crate::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET /oauth/authorize` with these parameters: `(status, Location query pairs or body)`.
pub(crate) async fn authorize(
    server: &FakeServer,
    params: &[(&str, &str)],
) -> (u16, Vec<(String, String)>) {
    let url = format!("{}/oauth/authorize?{}", server.base_url(), form(params));
    let resp = no_redirects().get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    let Some(location) = resp.headers().get("location") else {
        return (status, vec![("body".into(), resp.text().await.unwrap())]);
    };
    let location = location.to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    let query = location.split_once('?').unwrap().1;
    let pairs = query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), decode(v))
        })
        .collect();
    (status, pairs)
}

pub(crate) fn decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn good_params(state: &str, challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", OAUTH_PUBLIC_CLIENT_ID.into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", "org:admin user:profile".into()),
        ("state", state.into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

pub(crate) async fn code_for(server: &FakeServer, verifier: &str) -> String {
    let c = challenge(verifier);
    let params = good_params("st-1", &c);
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, pairs) = authorize(server, &refs).await;
    assert_eq!(status, 302, "{pairs:?}");
    assert_eq!(param(&pairs, "state"), Some("st-1"));
    param(&pairs, "code").unwrap().to_string()
}

/// `POST path` with a form body (and HTTP Basic when given): `(status, JSON)`.
pub(crate) async fn post(
    server: &FakeServer,
    path: &str,
    pairs: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut req = crate::client()
        .post(format!("{}{path}", server.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs));
    if let Some((id, secret)) = basic {
        let creds = STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
        req = req.header("authorization", format!("Basic {creds}"));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    if status == 200 && path.ends_with("/token") {
        assert_eq!(resp.headers()["cache-control"], "no-store");
    }
    (
        status,
        serde_json::from_str(&resp.text().await.unwrap()).unwrap(),
    )
}

pub(crate) async fn exchange(server: &FakeServer, code: &str, verifier: &str) -> (u16, Value) {
    post(
        server,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_PUBLIC_CLIENT_ID),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await
}

pub(crate) async fn refresh(server: &FakeServer, token: &str) -> (u16, Value) {
    post(
        server,
        "/v1/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", OAUTH_PUBLIC_CLIENT_ID),
            ("refresh_token", token),
        ],
        None,
    )
    .await
}

pub(crate) async fn me(server: &FakeServer, access: &str) -> crate::admin::common::Resp {
    let auth = format!("Bearer {access}");
    get_with(
        server,
        "me",
        &[
            ("authorization", auth.as_str()),
            ("anthropic-version", "2023-06-01"),
        ],
    )
    .await
}

pub(crate) async fn sign_in(server: &FakeServer) -> Value {
    let code = code_for(server, VERIFIER).await;
    let (status, tokens) = exchange(server, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

pub(crate) fn s(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_string()
}

#[tokio::test]
async fn sign_in_exchanges_a_pkce_code_for_tokens_the_admin_api_accepts() {
    let server = start().await;
    let tokens = sign_in(&server).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "org:admin user:profile");
    let access = s(&tokens, "access_token");
    assert!(access.starts_with("sk-ant-oat01-"), "{access}");
    assert!(s(&tokens, "refresh_token").starts_with("sk-ant-ort01-"));
    let org0 = &server.orgs()[0];
    assert_eq!(tokens["organization"]["id"], org0.id.as_str());

    let r = me(&server, &access).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["id"], org0.id.as_str());
    assert_eq!(
        r.header("anthropic-organization-id"),
        Some(org0.id.as_str())
    );
    // The legacy reports and lists answer too; the Analytics API does not take OAuth.
    let auth = format!("Bearer {access}");
    let headers = [
        ("authorization", auth.as_str()),
        ("anthropic-version", "2023-06-01"),
    ];
    let r = get_with(&server, "api_keys?limit=1", &headers).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = get_with(
        &server,
        "analytics/cost?starting_at=2026-11-01T00:00:00Z",
        &[
            ("authorization", auth.as_str()),
            ("anthropic-version", "2023-06-01"),
            ("anthropic-beta", crate::admin::common::ANALYTICS_BETA),
        ],
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.error().1.contains("does not accept OAuth tokens"),
        "{}",
        r.body
    );
    let stats = server.oauth_stats();
    assert_eq!((stats.authorizations, stats.codes_exchanged), (1, 1));
    assert_eq!(stats.bearer_requests, 3);
}

#[tokio::test]
async fn authorize_refuses_bad_requests_the_rfc_way() {
    let server = start().await;
    let c = challenge(VERIFIER);
    let base = good_params("st-2", &c);
    let with = |key: &str, value: &str| -> Vec<(String, String)> {
        base.iter()
            .map(|(k, v)| {
                let v = if *k == key {
                    value.to_string()
                } else {
                    v.clone()
                };
                (k.to_string(), v)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect()
    };
    let run = |params: Vec<(String, String)>| {
        let server = &server;
        async move {
            let refs: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            authorize(server, &refs).await
        }
    };
    // An unknown client or a bad redirect URI is answered in place, never redirected.
    let (status, body) = run(with("client_id", "nobody")).await;
    assert_eq!(status, 400);
    assert!(param(&body, "body").unwrap().contains("unknown client_id"));
    let (status, _) = run(with("redirect_uri", "/relative")).await;
    assert_eq!(status, 400);
    // The rest go back to the client with `error` and the state.
    for (key, value, error) in [
        ("code_challenge_method", "plain", "invalid_request"),
        ("code_challenge", "", "invalid_request"),
        ("code_challenge", "tooshort", "invalid_request"),
        ("response_type", "token", "unsupported_response_type"),
        ("scope", "org:admin root", "invalid_scope"),
    ] {
        let (status, pairs) = run(with(key, value)).await;
        assert_eq!(status, 302, "{key}={value}");
        assert_eq!(param(&pairs, "error"), Some(error), "{key}={value}");
        assert_eq!(param(&pairs, "state"), Some("st-2"));
        assert!(param(&pairs, "code").is_none());
    }
    let (status, pairs) = run(with("state", "")).await;
    assert_eq!(
        (status, param(&pairs, "error")),
        (302, Some("invalid_request"))
    );
    assert_eq!(server.oauth_stats().authorizations, 0);
}

#[tokio::test]
async fn code_exchange_checks_verifier_redirect_client_expiry_and_reuse() {
    let server = start().await;
    let code = code_for(&server, VERIFIER).await;
    let other = "x".repeat(43);
    let (status, e) = exchange(&server, &code, &other).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(s(&e, "error_description").contains("code_verifier"));
    let (status, e) = post(
        &server,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_PUBLIC_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:1/other"),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let (status, e) = post(
        &server,
        "/v1/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "nobody"),
        ],
        None,
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, e) = post(
        &server,
        "/v1/oauth/token",
        &[
            ("grant_type", "password"),
            ("client_id", OAUTH_PUBLIC_CLIENT_ID),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    // A failed attempt does not use the code up; the right verifier still works, once.
    let (status, tokens) = exchange(&server, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    let access = s(&tokens, "access_token");
    assert_eq!(me(&server, &access).await.status, 200);
    let (status, e) = exchange(&server, &code, VERIFIER).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(s(&e, "error_description").contains("already used"));
    // … and the reuse revoked what the code had been exchanged for.
    let r = me(&server, &access).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error().1, "OAuth token has been revoked");
    assert_eq!(server.oauth_stats().reuse_detected, 1);

    let late = code_for(&server, VERIFIER).await;
    server.expire_oauth(OAuthExpiry::Codes);
    let (status, e) = exchange(&server, &late, VERIFIER).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(s(&e, "error_description").contains("expired"));
}

#[tokio::test]
async fn confidential_clients_authenticate_with_basic_or_the_body() {
    let server = start().await;
    let c = challenge(VERIFIER);
    let mut params = good_params("st-3", &c);
    params[1].1 = OAUTH_CONFIDENTIAL_CLIENT_ID.into();
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, pairs) = authorize(&server, &refs).await;
    let code = param(&pairs, "code").unwrap().to_string();
    let ask = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (status, e) = post(
        &server,
        "/v1/oauth/token",
        &ask,
        Some((OAUTH_CONFIDENTIAL_CLIENT_ID, "wrong")),
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, tokens) = post(
        &server,
        "/v1/oauth/token",
        &ask,
        Some((OAUTH_CONFIDENTIAL_CLIENT_ID, OAUTH_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let (status, rotated) = post(
        &server,
        "/v1/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &s(&tokens, "refresh_token")),
            ("client_id", OAUTH_CONFIDENTIAL_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    // A public client cannot use the confidential client's refresh token.
    let (status, e) = refresh(&server, &s(&rotated, "refresh_token")).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
}
