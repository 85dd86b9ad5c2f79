//! `fake-openai-api`: runs the fake OpenAI Usage and Costs APIs as a process (for the
//! Python and Node tests and the demo). Prints `LISTENING <port>` and a JSON line with
//! the orgs and their keys, then serves until SIGTERM/SIGINT.

use std::io::Write;
use std::process::ExitCode;

use fake_openai_api::{FakeConfig, FakeServer, Faults};

const USAGE: &str = "usage: fake-openai-api [--port N] [--seed N] [--orgs N] [--days N] \
[--now RFC3339] [--faults 429:5[:SECS],500:7,503:N,slow:MS,trunc:N,late,down:N]";

fn parse_args(args: &[String]) -> Result<(FakeConfig, u16), String> {
    let mut config = FakeConfig::default();
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
            _ => return Err(format!("unknown argument {name:?}")),
        }
    }
    Ok((config, port))
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
    let (config, port) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("fake-openai-api: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stopped = stop_signal();
    let server = match FakeServer::start_on(config, port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fake-openai-api: cannot listen on port {port}: {e}");
            return ExitCode::from(1);
        }
    };
    // A struct, not json!, so the fields keep their documented order.
    #[derive(serde::Serialize)]
    struct Announcement {
        orgs: Vec<fake_openai_api::OrgCredentials>,
    }
    let orgs = serde_json::to_string(&Announcement {
        orgs: server.orgs(),
    })
    .expect("serialisable");
    let mut out = std::io::stdout().lock();
    let printed = writeln!(out, "LISTENING {}", server.port())
        .and_then(|_| writeln!(out, "{orgs}"))
        .and_then(|_| out.flush());
    drop(out);
    if printed.is_err() {
        return ExitCode::from(1);
    }
    stopped.await;
    server.shutdown().await;
    ExitCode::SUCCESS
}
