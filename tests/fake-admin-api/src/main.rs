//! `fake-admin-api`: runs the fake Admin API as a process (for the Python and Node tests
//! and the demo). Prints `LISTENING <port>` and a JSON line with the orgs, then serves
//! until SIGTERM/SIGINT.

use std::io::Write;
use std::process::ExitCode;

use fake_admin_api::{FakeConfig, FakeServer, Faults, OrgKinds};

const USAGE: &str = "usage: fake-admin-api [--port N] [--seed N] [--orgs N] [--days N] \
[--now RFC3339] [--faults 429:5[:SECS],500:7,529:N,slow:MS,trunc:N,late,down:N] \
[--enterprise-orgs I,J] [--hipaa-orgs I,J] [--analytics-beta-disabled-orgs I,J]";

/// `1,2` → [1, 2]: org indices, 0-based.
fn indices(value: &str) -> Option<Vec<usize>> {
    value.split(',').map(|v| v.trim().parse().ok()).collect()
}

fn parse_args(args: &[String]) -> Result<(FakeConfig, OrgKinds, u16), String> {
    let mut config = FakeConfig::default();
    let mut kinds = OrgKinds::none();
    let mut port = 0u16;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag.as_str(), None),
        };
        let value = match inline.or_else(|| it.next().cloned()) {
            Some(v) => v,
            None => return Err(format!("{name} needs a value")),
        };
        let bad = |what: &str| format!("{name}: expected {what}, got {value:?}");
        match name {
            "--port" => port = value.parse().map_err(|_| bad("a port number"))?,
            "--seed" => config.seed = value.parse().map_err(|_| bad("an unsigned integer"))?,
            "--orgs" => {
                config.orgs = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=200).contains(n))
                    .ok_or_else(|| bad("1 to 200"))?
            }
            "--days" => {
                config.days = value
                    .parse()
                    .ok()
                    .filter(|n| (0..=3_650).contains(n))
                    .ok_or_else(|| bad("0 to 3650"))?
            }
            "--now" => {
                config.now = chrono::DateTime::parse_from_rfc3339(&value)
                    .map_err(|_| bad("an RFC 3339 timestamp"))?
                    .with_timezone(&chrono::Utc)
            }
            "--faults" => config.faults = value.parse::<Faults>().map_err(|e| e.to_string())?,
            "--enterprise-orgs" => {
                kinds.enterprise = indices(&value).ok_or_else(|| bad("org indices like 1,2"))?
            }
            "--hipaa-orgs" => {
                kinds.hipaa = indices(&value).ok_or_else(|| bad("org indices like 1,2"))?
            }
            "--analytics-beta-disabled-orgs" => {
                kinds.analytics_beta_disabled =
                    indices(&value).ok_or_else(|| bad("org indices like 1,2"))?
            }
            _ => return Err(format!("unknown argument {name:?}")),
        }
    }
    if let Some(i) = kinds.out_of_range(config.orgs) {
        return Err(format!(
            "org index {i} is out of range: there are {} orgs, numbered from 0",
            config.orgs
        ));
    }
    Ok((config, kinds, port))
}

/// Resolves on SIGTERM or SIGINT. The handlers are installed when this is called, so
/// call it before announcing the port: a test may signal as soon as it reads the line.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, kinds, port) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("fake-admin-api: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stopped = stop_signal();
    let enterprise = !kinds.enterprise.is_empty();
    let server = match FakeServer::start_with_kinds_on(config, kinds, port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fake-admin-api: cannot listen on port {port}: {e}");
            return ExitCode::from(1);
        }
    };
    // A struct, not json!, so the fields keep their documented order (id, name, admin_key).
    #[derive(serde::Serialize)]
    struct Announcement {
        orgs: Vec<fake_admin_api::OrgCredentials>,
    }
    let orgs = serde_json::to_string(&Announcement {
        orgs: server.orgs(),
    })
    .expect("serialisable");
    // With Enterprise orgs, a third line lists their scoped keys; the orgs line keeps its
    // three fields so existing readers are not disturbed.
    let scoped = enterprise.then(|| {
        serde_json::to_string(&serde_json::json!({ "scoped_keys": server.scoped_keys() }))
            .expect("serialisable")
    });
    let mut out = std::io::stdout().lock();
    let printed = writeln!(out, "LISTENING {}", server.port())
        .and_then(|_| writeln!(out, "{orgs}"))
        .and_then(|_| scoped.map_or(Ok(()), |line| writeln!(out, "{line}")))
        .and_then(|_| out.flush());
    drop(out);
    if printed.is_err() {
        return ExitCode::from(1);
    }
    stopped.await;
    server.shutdown().await;
    ExitCode::SUCCESS
}
