//! The OAuth authorization server's grants after sign-in: refresh rotation with reuse
//! detection, expiry, organisation selection, revocation, faults, scopes, control endpoints.

use fake_admin_api::{OAUTH_PUBLIC_CLIENT_ID, OAuthExpiry, OAuthFaults};
use serde_json::Value;

use crate::admin::common::start;
use crate::admin::oauth::{
    VERIFIER, authorize, challenge, exchange, good_params, me, param, post, refresh, s, sign_in,
};

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_the_grant() {
    let server = start().await;
    let tokens = sign_in(&server).await;
    server.expire_oauth(OAuthExpiry::AccessTokens);
    let r = me(&server, &s(&tokens, "access_token")).await;
    assert_eq!(
        (r.status, r.error().1.as_str()),
        (401, "OAuth token has expired")
    );

    let (status, second) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], tokens["refresh_token"]);
    assert_eq!(second["organization"], tokens["organization"]);
    assert_eq!(me(&server, &s(&second, "access_token")).await.status, 200);
    let (status, third) = refresh(&server, &s(&second, "refresh_token")).await;
    assert_eq!(status, 200);
    assert_eq!(me(&server, &s(&third, "access_token")).await.status, 200);

    // The first refresh token again: a stale copy, so the whole grant goes.
    let (status, e) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(s(&e, "error_description").contains("already used"));
    assert_eq!(me(&server, &s(&third, "access_token")).await.status, 401);
    let (status, _) = refresh(&server, &s(&third, "refresh_token")).await;
    assert_eq!(status, 400);
    let stats = server.oauth_stats();
    assert_eq!((stats.refreshes, stats.reuse_detected), (2, 1));
}

#[tokio::test]
async fn access_tokens_expire_on_the_fakes_clock() {
    let server = start().await;
    server.set_oauth_access_ttl(120);
    let tokens = sign_in(&server).await;
    assert_eq!(tokens["expires_in"], 120);
    let access = s(&tokens, "access_token");
    let now = server.now();
    server.set_now(now + chrono::Duration::seconds(119));
    assert_eq!(me(&server, &access).await.status, 200);
    server.set_now(now + chrono::Duration::seconds(120));
    assert_eq!(me(&server, &access).await.status, 401);
}

#[tokio::test]
async fn one_sign_in_lists_its_organisations_and_selects_each_as_its_own_grant() {
    let server = start().await;
    let orgs = server.orgs();
    server
        .set_oauth_account(&[orgs[1].id.as_str(), orgs[2].id.as_str()])
        .unwrap();
    assert!(server.set_oauth_account(&["nope"]).is_err());
    let tokens = sign_in(&server).await;
    assert_eq!(tokens["organization"]["id"], orgs[1].id.as_str());
    let auth = format!("Bearer {}", s(&tokens, "access_token"));
    let resp = crate::client()
        .get(format!("{}/v1/oauth/organizations", server.base_url()))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let list: Value = resp.json().await.unwrap();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [orgs[1].id.as_str(), orgs[2].id.as_str()]);
    assert_eq!(list["data"][1]["name"], orgs[2].name.as_str());

    let select = |org: String| {
        let server = &server;
        let refresh = s(&tokens, "refresh_token");
        async move {
            post(
                server,
                "/v1/oauth/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", OAUTH_PUBLIC_CLIENT_ID),
                    ("refresh_token", &refresh),
                    ("organization_id", &org),
                ],
                None,
            )
            .await
        }
    };
    let (status, e) = select(orgs[0].id.clone()).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, other) = select(orgs[2].id.clone()).await;
    assert_eq!(status, 200, "{other}");
    assert_eq!(other["organization"]["id"], orgs[2].id.as_str());
    let r = me(&server, &s(&other, "access_token")).await;
    assert_eq!(r.json()["id"], orgs[2].id.as_str());
    // Selecting did not rotate the sign-in's refresh token: both grants refresh on their own.
    assert_eq!(refresh(&server, &s(&tokens, "refresh_token")).await.0, 200);
    assert_eq!(refresh(&server, &s(&other, "refresh_token")).await.0, 200);
}

#[tokio::test]
async fn revocation_follows_rfc_7009() {
    let server = start().await;
    let tokens = sign_in(&server).await;
    let access = s(&tokens, "access_token");
    let revoke = |token: String, hint: &'static str| {
        let server = &server;
        async move {
            post(
                server,
                "/v1/oauth/revoke",
                &[
                    ("token", token.as_str()),
                    ("token_type_hint", hint),
                    ("client_id", OAUTH_PUBLIC_CLIENT_ID),
                ],
                None,
            )
            .await
        }
    };
    // Unknown tokens are not an error.
    assert_eq!(
        revoke("sk-ant-ort01-unknown".into(), "refresh_token")
            .await
            .0,
        200
    );
    assert_eq!(server.oauth_stats().revocations, 0);
    let (status, e) = revoke(access.clone(), "id_token").await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_token_type"))
    );
    // An access token revokes only itself.
    assert_eq!(revoke(access.clone(), "access_token").await.0, 200);
    assert_eq!(me(&server, &access).await.status, 401);
    let (status, second) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!(status, 200);
    // A refresh token revokes the grant, and its access tokens with it.
    assert_eq!(
        revoke(s(&second, "refresh_token"), "refresh_token").await.0,
        200
    );
    assert_eq!(me(&server, &s(&second, "access_token")).await.status, 401);
    let (status, e) = refresh(&server, &s(&second, "refresh_token")).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(server.oauth_stats().revocations, 2);
}

#[tokio::test]
async fn faults_refuse_refreshes_or_take_the_server_down() {
    let server = start().await;
    let tokens = sign_in(&server).await;
    server.set_oauth_faults("refuse_refresh".parse::<OAuthFaults>().unwrap());
    let (status, e) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(server.oauth_stats().refused_refreshes, 1);
    // The admin API is unaffected; the access token still works until it expires.
    assert_eq!(me(&server, &s(&tokens, "access_token")).await.status, 200);

    server.set_oauth_faults(OAuthFaults {
        down: true,
        ..OAuthFaults::default()
    });
    let (status, e) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (503, Some("temporarily_unavailable"))
    );
    let (status, _) = post(
        &server,
        "/v1/oauth/revoke",
        &[
            ("token", &s(&tokens, "refresh_token")),
            ("client_id", OAUTH_PUBLIC_CLIENT_ID),
        ],
        None,
    )
    .await;
    assert_eq!(status, 503);
    server.set_oauth_faults(OAuthFaults::default());
    // Nothing was used up while refused or down.
    assert_eq!(refresh(&server, &s(&tokens, "refresh_token")).await.0, 200);
    assert_eq!(server.oauth_stats().down_answers, 2);
}

#[tokio::test]
async fn bearer_tokens_without_org_admin_or_unknown_get_refused() {
    let server = start().await;
    let c = challenge(VERIFIER);
    let mut params = good_params("st-4", &c);
    params[3].1 = "user:profile".into();
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, pairs) = authorize(&server, &refs).await;
    let (status, tokens) = exchange(&server, param(&pairs, "code").unwrap(), VERIFIER).await;
    assert_eq!(status, 200);
    let r = me(&server, &s(&tokens, "access_token")).await;
    assert_eq!(r.status, 403);
    assert!(r.error().1.contains("org:admin"));
    let r = me(&server, "sk-ant-oat01-forged").await;
    assert_eq!(
        (r.status, r.error().1.as_str()),
        (401, "invalid bearer token")
    );
}

#[tokio::test]
async fn control_endpoints_drive_the_authorization_server() {
    let server = start().await;
    let client = crate::client();
    let url = |p: &str| format!("{}/_fake/oauth{p}", server.base_url());
    let r = client
        .post(url("/faults"))
        .body("down")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(server.faults().to_string().is_empty());
    let state: Value = client
        .get(url(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["faults"], "down");
    let r = client
        .post(url("/faults"))
        .body("flaky")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    client.post(url("/faults")).body("").send().await.unwrap();
    let r = client.post(url("/ttl")).body("60").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let tokens = sign_in(&server).await;
    assert_eq!(tokens["expires_in"], 60);
    let r = client
        .post(url("/expire"))
        .body("access")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(me(&server, &s(&tokens, "access_token")).await.status, 401);
    let org = server.orgs()[2].id.clone();
    let r = client
        .post(url("/account"))
        .body(format!("[\"{org}\"]"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(sign_in(&server).await["organization"]["id"], org.as_str());
    let r = client
        .post(url("/account"))
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}
