//! `costledger plans connect --oauth`: the OAuth sign-in of a command-line tool (RFC 8252).
//! The redirect comes back to a loopback port this process listens on, as `gh auth login`
//! does; the code, the state and the PKCE verifier never leave this process and the browser.

use std::time::Duration;

use costledger::OrgInfo;
use costledger::oauth::{OAuthClient, OAuthConfig, OAuthTokens};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::failure::{CliResult, Failure};

fn invalid(message: String) -> Failure {
    costledger::Error::invalid(message).into()
}

/// What a sign-in gives: the tokens of the organisation asked for, and the other
/// organisations the account reaches.
pub struct SignedIn {
    /// The tokens to seal: the sign-in's own organisation's, or those of `--org`.
    pub tokens: OAuthTokens,
    /// The organisations the sign-in reaches besides the one connected.
    pub others: Vec<OrgInfo>,
}

/// Sign in ([`sign_in`]); with `org`, trade the tokens for that organisation's (a grant of
/// its own) and revoke the sign-in's own grant, which no plan keeps.
pub async fn sign_in_to(
    client_id: &str,
    oauth_url: &str,
    port: u16,
    timeout_secs: u64,
    org: Option<&str>,
) -> CliResult<SignedIn> {
    let (client, tokens) = sign_in(client_id, oauth_url, port, timeout_secs).await?;
    let reached = client.organizations(&tokens).await?;
    let own = tokens.organization().map(|o| o.id.clone());
    let chosen = org.map(str::to_string).or(own);
    let tokens = match org {
        Some(id) if Some(id) != tokens.organization().map(|o| o.id.as_str()) => {
            if !reached.iter().any(|o| o.id == id) {
                let ids: Vec<&str> = reached.iter().map(|o| o.id.as_str()).collect();
                let _ = client.revoke(&tokens).await;
                return Err(invalid(format!(
                    "the sign-in does not reach organisation {id:?}; it reaches {}",
                    ids.join(", ")
                )));
            }
            let selected = client.select_organization(&tokens, id).await?;
            // Best effort: the sign-in's own grant is not kept by any plan.
            let _ = client.revoke(&tokens).await;
            selected
        }
        _ => tokens,
    };
    let others = reached
        .into_iter()
        .filter(|o| Some(&o.id) != chosen.as_ref())
        .collect();
    Ok(SignedIn { tokens, others })
}

/// Print the authorization URL, wait for the redirect, exchange the code.
async fn sign_in(
    client_id: &str,
    oauth_url: &str,
    port: u16,
    timeout_secs: u64,
) -> CliResult<(OAuthClient, OAuthTokens)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let config = OAuthConfig::new(client_id, redirect).endpoints_at(oauth_url);
    let client = OAuthClient::new(config)?;
    let begin = client.begin()?;
    println!("Open this URL in a browser to sign in (waiting on 127.0.0.1:{port}):");
    println!("{}", begin.url);
    let wait = Duration::from_secs(timeout_secs);
    let (code, state) = tokio::time::timeout(wait, callback(&listener))
        .await
        .map_err(|_| {
            invalid(format!(
                "no sign-in arrived within {timeout_secs} s; run the command again"
            ))
        })??;
    let tokens = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await?;
    Ok((client, tokens))
}

/// Serve connections until one is the redirect to `/callback`; answer it and return its
/// `code` and `state` (an `error` the provider sent becomes the failure).
async fn callback(listener: &TcpListener) -> CliResult<(String, String)> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let mut head = Vec::with_capacity(2048);
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&head);
        let target = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("GET "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or("");
        let Some(query) = target.strip_prefix("/callback?") else {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        };
        let pairs = query_pairs(query);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let (body, result) = match (get("code"), get("state"), get("error")) {
            (Some(code), Some(state), None) => (
                "costledger: signed in. You can close this window.",
                Ok((code, state)),
            ),
            (_, _, error) => (
                "costledger: the sign-in did not complete. See the terminal.",
                Err(invalid(format!(
                    "the sign-in was refused: {} {}",
                    error.unwrap_or_else(|| "no code in the redirect".into()),
                    get("error_description").unwrap_or_default()
                ))),
            ),
        };
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n\
             cache-control: no-store\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(reply.as_bytes()).await;
        return result;
    }
}

/// The decoded pairs of a query string (form encoding, as the redirect carries it).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut url = reqwest::Url::parse("http://127.0.0.1/").expect("a constant URL parses");
    url.set_query(Some(query));
    url.query_pairs().into_owned().collect()
}
