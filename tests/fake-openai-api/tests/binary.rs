//! The `fake-openai-api` binary: startup lines, control endpoints, signals, bad arguments.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Running {
    child: Child,
    port: u16,
    orgs: Value,
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-openai-api"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port = first.strip_prefix("LISTENING ").unwrap().parse().unwrap();
    let orgs: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    Running { child, port, orgs }
}

fn stop(mut r: Running, signal: &str) -> std::process::ExitStatus {
    let pid = r.child.id().to_string();
    Command::new("kill").args([signal, &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = r.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "did not exit on {signal}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn prints_port_and_keys_serves_control_endpoints_and_exits_on_sigterm() {
    let run = spawn(&[
        "--port",
        "0",
        "--seed",
        "7",
        "--orgs",
        "1",
        "--days",
        "30",
        "--now",
        "2026-11-20T00:00:00Z",
        "--faults",
        "500:1",
    ]);
    let orgs = run.orgs["orgs"].as_array().unwrap().clone();
    assert_eq!(orgs.len(), 1);
    let mut f: Vec<&str> = orgs[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    f.sort();
    assert_eq!(f, ["admin_key", "id", "name", "read_only_key", "slug"]);
    let base = format!("http://127.0.0.1:{}", run.port);
    let key = orgs[0]["read_only_key"].as_str().unwrap().to_string();
    let org_id = orgs[0]["id"].as_str().unwrap().to_string();
    let client = new_client();
    let call = |k: String| {
        let req = client
            .get(format!("{base}/v1/organization/projects"))
            .bearer_auth(k);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let post = |path: &str, body: String| {
        let req = client.post(format!("{base}/_fake/{path}")).body(body);
        async move { req.send().await.unwrap() }
    };
    let json = |url: String| async move {
        new_client()
            .get(url)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(call(key.clone()).await, 500, "--faults is in force");
    let r: Value = post("faults", String::new()).await.json().await.unwrap();
    assert_eq!(r["faults"], "");
    assert_eq!(call(key.clone()).await, 200);
    assert_eq!(post("faults", "bogus".into()).await.status(), 400);

    let truth = json(format!("{base}/_fake/truth")).await;
    assert_eq!(truth["start_time"], 1_795_132_800 - 30 * 86_400);
    let before = truth["orgs"][0]["tokens_total"]["output_tokens"]
        .as_u64()
        .unwrap();
    assert_eq!(post("late", String::new()).await.status(), 200);
    let truth = json(format!("{base}/_fake/truth")).await;
    assert!(
        truth["orgs"][0]["tokens_total"]["output_tokens"]
            .as_u64()
            .unwrap()
            > before
    );
    let r: Value = post("now", "2026-11-21T00:00:00Z".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["now"], "2026-11-21T00:00:00Z");
    let window = json(format!("{base}/_fake/truth?start_time=1795132800")).await;
    assert_eq!(window["end_time"], 1_795_219_200);
    assert_eq!(
        window["orgs"][0]["cost_per_day"].as_object().unwrap().len(),
        1
    );
    assert_eq!(post("now", "tomorrow".into()).await.status(), 400);

    let r: Value = post("admin_keys", format!("{org_id} usage_only"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["kind"], "usage_only");
    let usage_only = r["admin_key"].as_str().unwrap().to_string();
    assert_eq!(call(usage_only).await, 403);
    assert_eq!(
        post("admin_keys", format!("{org_id} root")).await.status(),
        400
    );
    assert_eq!(post("admin_keys", "org-nope".into()).await.status(), 404);
    let r: Value = post("revoke", key.clone()).await.json().await.unwrap();
    assert_eq!(r["revoked"], true);
    assert_eq!(call(key.clone()).await, 401);
    assert_eq!(
        call(orgs[0]["admin_key"].as_str().unwrap().to_string()).await,
        200
    );

    let stats = json(format!("{base}/_fake/stats")).await;
    assert_eq!(stats["by_key"][&key], 3);
    assert_eq!(stats["by_endpoint"]["projects"], 5);
    assert_eq!(stats["faults"]["500"], 1);
    assert_eq!(post("stats/reset", String::new()).await.status(), 200);
    assert_eq!(json(format!("{base}/_fake/stats")).await["requests"], 0);
    assert_eq!(
        json(format!("{base}/_fake/orgs")).await["orgs"],
        run.orgs["orgs"]
    );
    assert!(stop(run, "-TERM").success(), "SIGTERM exits 0");
}

#[test]
fn sigint_also_exits_0() {
    let run = spawn(&["--orgs", "1", "--days", "1"]);
    assert!(stop(run, "-INT").success());
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for args in [
        &["--port"][..],
        &["--orgs", "0"],
        &["--faults", "explode"],
        &["--now", "soon"],
        &["--colour", "red"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fake-openai-api"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("fake-openai-api:"),
            "{args:?}"
        );
    }
    let help = Command::new(env!("CARGO_BIN_EXE_fake-openai-api"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).starts_with("usage: "));
}

/// A reqwest client. costledger builds reqwest with rustls but no crypto provider of its own
/// (its clients bring theirs): test clients use *ring*, installed as the process default.
fn new_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// [`new_client_builder`]'s client with reqwest's defaults.
fn new_client() -> reqwest::Client {
    new_client_builder().build().expect("a reqwest client")
}
