//! The `fake-admin-api` binary: startup lines, control endpoints, signals, bad arguments.

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-admin-api"))
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

// A failed assertion must not leave the process behind holding the test's stdout.
impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn stop(mut r: Running) -> std::process::ExitStatus {
    let pid = r.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = r.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn prints_port_and_orgs_serves_control_endpoints_and_exits_on_sigterm() {
    let run = spawn(&[
        "--port",
        "0",
        "--seed",
        "7",
        "--orgs",
        "2",
        "--days",
        "30",
        "--now",
        "2026-11-20T00:00:00Z",
        "--faults",
        "500:1",
    ]);
    let orgs = run.orgs["orgs"].as_array().unwrap().clone();
    assert_eq!(orgs.len(), 2);
    for o in &orgs {
        let mut f: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        f.sort();
        assert_eq!(f, ["admin_key", "id", "name"]);
    }
    let base = format!("http://127.0.0.1:{}", run.port);
    let key = orgs[0]["admin_key"].as_str().unwrap().to_string();
    let org_id = orgs[0]["id"].as_str().unwrap().to_string();
    let client = new_client();
    let me = || async {
        client
            .get(format!("{base}/v1/organizations/me"))
            .header("x-api-key", &key)
            .header("anthropic-version", "2023-06-01")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let post = |path: &str, body: String| {
        let req = client.post(format!("{base}/_fake/{path}")).body(body);
        async move { req.send().await.unwrap() }
    };
    assert_eq!(me().await, 500, "--faults is in force");
    // Control endpoints never fault.
    assert_eq!(
        new_client()
            .get(format!("{base}/_fake/stats"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r: Value = post("faults", String::new()).await.json().await.unwrap();
    assert_eq!(r["faults"], "");
    assert_eq!(me().await, 200);
    let r = post("faults", "429:1:0.5".into()).await;
    assert_eq!(r.json::<Value>().await.unwrap()["faults"], "429:1:0.5");
    assert_eq!(me().await, 429);
    assert_eq!(post("faults", "bogus".into()).await.status(), 400);
    post("faults", String::new()).await;

    let truth: Value = new_client()
        .get(format!("{base}/_fake/truth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(truth["orgs"].as_array().unwrap().len(), 2);
    assert_eq!(truth["usage_starting_at"], "2026-10-21T00:00:00Z");
    let before = truth["orgs"][0]["usage_totals"]["output_tokens"]
        .as_u64()
        .unwrap();
    assert_eq!(post("late", String::new()).await.status(), 200);
    let truth: Value = new_client()
        .get(format!("{base}/_fake/truth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        truth["orgs"][0]["usage_totals"]["output_tokens"]
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
    let truth: Value = new_client()
        .get(format!(
            "{base}/_fake/truth?starting_at=2026-11-20T00:00:00Z"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(truth["cost_ending_at"], "2026-11-21T00:00:00Z");
    assert_eq!(
        truth["orgs"][0]["cost_per_day"].as_object().unwrap().len(),
        1
    );
    assert_eq!(post("now", "tomorrow".into()).await.status(), 400);

    let r: Value = post("admin_keys", org_id.clone())
        .await
        .json()
        .await
        .unwrap();
    let second = r["admin_key"].as_str().unwrap().to_string();
    assert_eq!(post("admin_keys", "no-such-org".into()).await.status(), 404);
    let r: Value = post("revoke", key.clone()).await.json().await.unwrap();
    assert_eq!(r["revoked"], true);
    assert_eq!(me().await, 401);
    let status = client
        .get(format!("{base}/v1/organizations/me"))
        .header("x-api-key", &second)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);

    let stats: Value = new_client()
        .get(format!("{base}/_fake/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["by_key"][&key], 4);
    assert_eq!(stats["by_endpoint"]["me"], 5);
    assert_eq!(stats["faults"]["500"], 1);
    assert_eq!(stats["faults"]["429"], 1);
    assert_eq!(stats["requests"], 5);

    assert!(stop(run).success(), "SIGTERM exits 0");
}

#[tokio::test]
async fn org_kind_flags_and_scoped_keys() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-admin-api"))
        .args([
            "--orgs",
            "3",
            "--days",
            "10",
            "--enterprise-orgs",
            "1",
            "--hipaa-orgs=0,2",
        ])
        .args(["--analytics-beta-disabled-orgs", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines.next().unwrap().unwrap()["LISTENING ".len()..]
        .parse()
        .unwrap();
    let orgs: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    // The orgs line keeps its three fields; the scoped keys come on a third line.
    let mut f: Vec<&str> = orgs["orgs"][1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    f.sort();
    assert_eq!(f, ["admin_key", "id", "name"]);
    let scoped: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let keys = scoped["scoped_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["org_id"], orgs["orgs"][1]["id"]);
    assert_eq!(
        keys[0]["scopes"],
        serde_json::json!(["read:analytics", "read:spend_limits", "write:spend_limits"])
    );
    let run = Running { child, port, orgs };
    let base = format!("http://127.0.0.1:{port}");
    let client = new_client();
    let analytics = |key: String| {
        let req = client
            .get(format!(
                "{base}/v1/organizations/analytics/cost?starting_at=2026-11-19T00:00:00Z"
            ))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .header("anthropic-beta", "analytics-usage-cost-2026-08-24");
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let admin = |i: usize| {
        run.orgs["orgs"][i]["admin_key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(analytics(admin(0)).await, 400, "HIPAA-ready");
    assert_eq!(analytics(admin(1)).await, 200);
    assert_eq!(
        analytics(admin(2)).await,
        404,
        "the beta is checked before HIPAA"
    );
    assert_eq!(
        analytics(keys[0]["key"].as_str().unwrap().into()).await,
        200
    );
    assert_eq!(
        analytics(keys[1]["key"].as_str().unwrap().into()).await,
        403
    );

    let listed: Value = client
        .get(format!("{base}/_fake/scoped_keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(&listed["scoped_keys"], &scoped["scoped_keys"]);
    let mint = |body: String| {
        let req = client.post(format!("{base}/_fake/scoped_keys")).body(body);
        async move { req.send().await.unwrap() }
    };
    let org1 = run.orgs["orgs"][1]["id"].as_str().unwrap().to_string();
    let r = mint(format!(
        r#"{{"org_id":"{org1}","scopes":["read:analytics"]}}"#
    ))
    .await;
    assert_eq!(r.status(), 200);
    let minted: Value = r.json().await.unwrap();
    assert_eq!(analytics(minted["key"].as_str().unwrap().into()).await, 200);
    let org0 = run.orgs["orgs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        mint(format!(
            r#"{{"org_id":"{org0}","scopes":["read:analytics"]}}"#
        ))
        .await
        .status(),
        400
    );
    assert_eq!(
        mint(r#"{"org_id":"nope","scopes":["read:analytics"]}"#.into())
            .await
            .status(),
        404
    );
    assert_eq!(mint("read:analytics".into()).await.status(), 400);
    let truth: Value = client
        .get(format!("{base}/_fake/truth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<(&str, bool, bool)> = truth["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap(),
                o["hipaa"].as_bool().unwrap(),
                o["analytics_beta"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("console", true, true),
            ("enterprise", false, true),
            ("console", true, false)
        ]
    );
    assert!(stop(run).success());
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for args in [
        &["--port"][..],
        &["--orgs", "0"],
        &["--faults", "explode"],
        &["--now", "soon"],
        &["--colour", "red"],
        &["--enterprise-orgs", "3"],
        &["--hipaa-orgs", "one"],
        &["--analytics-beta-disabled-orgs", "1,"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fake-admin-api"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("fake-admin-api:"),
            "{args:?}"
        );
    }
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
