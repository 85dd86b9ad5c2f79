//! `OAuthClient` against the fake's authorization server: the PKCE sign-in, state
//! mismatch, reused codes, refresh rotation, refused refreshes, organisation selection,
//! revocation and a provider that is down.

use std::sync::Arc;
use std::time::Duration;

use costledger::FixedClock;
use costledger::oauth::{OAuthBegin, OAuthClient, OAuthConfig, OAuthTokens};
use fake_admin_api::{
    FakeConfig, FakeServer, OAUTH_CLIENT_SECRET, OAUTH_CONFIDENTIAL_CLIENT_ID,
    OAUTH_PUBLIC_CLIENT_ID, OAuthExpiry, OAuthFaults,
};

pub const REDIRECT: &str = "http://127.0.0.1:53682/callback";

/// A public client of the fake, on the fake's clock.
pub fn client(fake: &FakeServer) -> OAuthClient {
    let config = OAuthConfig::new(OAUTH_PUBLIC_CLIENT_ID, REDIRECT)
        .endpoints_at(&fake.base_url())
        .scopes(["org:admin", "user:profile"])
        .timeout(Duration::from_secs(5))
        .clock(Arc::new(FixedClock::new(fake.now())));
    OAuthClient::new(config).unwrap()
}

/// What the browser does: follow `begin.url` to the fake's authorize endpoint and read the
/// redirect back to the host. Returns `(code, state)` from the callback's query.
pub async fn visit(begin: &OAuthBegin) -> (String, String) {
    let http = crate::common::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(&begin.url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = reqwest::Url::parse(&location).unwrap();
    let get = |k: &str| {
        url.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    (get("code"), get("state"))
}

/// A whole sign-in: begin, visit, finish.
pub async fn sign_in(client: &OAuthClient) -> OAuthTokens {
    let begin = client.begin().unwrap();
    let (code, state) = visit(&begin).await;
    client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap()
}

async fn start() -> FakeServer {
    FakeServer::start(FakeConfig::default()).await.unwrap()
}

#[tokio::test]
async fn a_full_sign_in_yields_tokens_for_the_first_organisation() {
    let fake = start().await;
    let client = client(&fake);
    let tokens = sign_in(&client).await;
    let org = &fake.orgs()[0];
    assert_eq!(tokens.organization().unwrap().id, org.id);
    assert_eq!(tokens.organization().unwrap().name, org.name);
    assert_eq!(tokens.scope(), "org:admin user:profile");
    assert!(tokens.has_org_admin());
    assert_eq!(
        tokens.expires_at(),
        Some(fake.now() + chrono::Duration::seconds(3600))
    );
    let stats = fake.oauth_stats();
    assert_eq!((stats.authorizations, stats.codes_exchanged), (1, 1));
    // Debug names no part of any token.
    let text = format!("{tokens:?}");
    assert!(!text.contains("sk-ant-o"), "{text}");
    // The organisations of the sign-in, its own first.
    let orgs = client.organizations(&tokens).await.unwrap();
    let ids: Vec<String> = orgs.iter().map(|o| o.id.clone()).collect();
    let all: Vec<String> = fake.orgs().iter().map(|o| o.id.clone()).collect();
    assert_eq!(ids, all);
}

#[tokio::test]
async fn a_state_mismatch_is_refused_before_any_request() {
    let fake = start().await;
    let client = client(&fake);
    let begin = client.begin().unwrap();
    let (code, state) = visit(&begin).await;
    let other = client.begin().unwrap();
    let e = client
        .finish(&code, &state, &other.state, begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("state does not match"), "{e}");
    let e = client
        .finish(&code, "", "", begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_eq!(fake.oauth_stats().codes_exchanged, 0);
    // The code is still good for the session that began the sign-in.
    let tokens = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap();
    assert!(tokens.has_org_admin());
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_the_first_exchange() {
    let fake = start().await;
    let client = client(&fake);
    let begin = client.begin().unwrap();
    let (code, state) = visit(&begin).await;
    let first = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap();
    let e = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(e.to_string().contains("invalid_grant"), "{e}");
    assert!(e.to_string().contains("signing in with OAuth"), "{e}");
    let e = client.refresh(&first).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    // A verifier that is not the one begin() gave is refused by the provider too.
    let again = client.begin().unwrap();
    let (code, state) = visit(&again).await;
    let wrong = client.begin().unwrap();
    let e = client
        .finish(&code, &state, &again.state, wrong.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(e.to_string().contains("code_verifier"), "{e}");
}

#[tokio::test]
async fn refresh_rotates_and_refused_refresh_says_reconnect() {
    let fake = start().await;
    let client = client(&fake);
    let first = sign_in(&client).await;
    fake.expire_oauth(OAuthExpiry::AccessTokens);
    let second = client.refresh(&first).await.unwrap();
    assert_eq!(second.organization(), first.organization());
    assert_eq!(second.scope(), first.scope());
    assert_eq!(fake.oauth_stats().refreshes, 1);
    let third = client.refresh(&second).await.unwrap();
    assert_eq!(third.organization(), first.organization());

    fake.set_oauth_faults("refuse_refresh".parse::<OAuthFaults>().unwrap());
    let e = client.refresh(&third).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    let text = e.to_string();
    assert!(text.contains("connect the plan again"), "{text}");
    fake.set_oauth_faults(OAuthFaults {
        down: true,
        ..OAuthFaults::default()
    });
    let e = client.refresh(&third).await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    assert!(e.to_string().contains("try again later"), "{e}");
    fake.set_oauth_faults(OAuthFaults::default());
    client.refresh(&third).await.unwrap();
}

#[tokio::test]
async fn revocation_ends_the_grant_and_reports_a_provider_that_is_down() {
    let fake = start().await;
    let client = client(&fake);
    let tokens = sign_in(&client).await;
    assert_eq!(client.organizations(&tokens).await.unwrap().len(), 3);
    fake.set_oauth_faults(OAuthFaults {
        down: true,
        ..OAuthFaults::default()
    });
    let e = client.revoke(&tokens).await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    fake.set_oauth_faults(OAuthFaults::default());
    client.revoke(&tokens).await.unwrap();
    assert_eq!(fake.oauth_stats().revocations, 1);
    let e = client.refresh(&tokens).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    let e = client.organizations(&tokens).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    // Revoking again is harmless (RFC 7009: unknown or dead tokens are not an error).
    client.revoke(&tokens).await.unwrap();
}

#[tokio::test]
async fn each_organisation_of_a_sign_in_gets_a_grant_of_its_own() {
    let fake = start().await;
    let orgs = fake.orgs();
    fake.set_oauth_account(&[&orgs[2].id, &orgs[0].id]).unwrap();
    let client = client(&fake);
    let tokens = sign_in(&client).await;
    assert_eq!(tokens.organization().unwrap().id, orgs[2].id);
    let listed = client.organizations(&tokens).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].id, orgs[0].id);
    let other = client
        .select_organization(&tokens, &orgs[0].id)
        .await
        .unwrap();
    assert_eq!(other.organization().unwrap().id, orgs[0].id);
    let e = client
        .select_organization(&tokens, &orgs[1].id)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    // Both refresh independently.
    client.refresh(&tokens).await.unwrap();
    client.refresh(&other).await.unwrap();
}

#[tokio::test]
async fn a_confidential_client_authenticates_and_a_wrong_secret_is_refused() {
    let fake = start().await;
    let config = |secret: &str| {
        OAuthConfig::new(OAUTH_CONFIDENTIAL_CLIENT_ID, REDIRECT)
            .endpoints_at(&fake.base_url())
            .client_secret(secret)
            .clock(Arc::new(FixedClock::new(fake.now())))
    };
    let good = OAuthClient::new(config(OAUTH_CLIENT_SECRET)).unwrap();
    let tokens = sign_in(&good).await;
    good.refresh(&tokens).await.unwrap();
    let bad = OAuthClient::new(config("not-the-secret")).unwrap();
    let begin = bad.begin().unwrap();
    let (code, state) = visit(&begin).await;
    let e = bad
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(e.to_string().contains("invalid_client"), "{e}");
    assert!(!e.to_string().contains("not-the-secret"), "{e}");
}

#[tokio::test]
async fn access_tokens_work_until_they_expire() {
    let fake = start().await;
    let client = client(&fake);
    let tokens = sign_in(&client).await;
    client.organizations(&tokens).await.unwrap();
    fake.expire_oauth(OAuthExpiry::AccessTokens);
    let e = client.organizations(&tokens).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(e.to_string().contains("expired"), "{e}");
    let fresh = client.refresh(&tokens).await.unwrap();
    assert_eq!(client.organizations(&fresh).await.unwrap().len(), 3);
}
