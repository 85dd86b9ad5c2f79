//! `costledger demo --claude-code`: a Claude Max user's month, from Claude Code logs the demo
//! writes itself (three projects, sessions on most days, streamed answers written several
//! times as Claude Code does), synced into a ledger without a master key and shown with the
//! `logs` reports.
//!
//! The logs are deterministic per day: a session's lines depend only on its day and number,
//! and only the lines before now are written. A later run appends what happened since to
//! today's sessions and adds the days that passed; the files of days older than the month are
//! removed, as Claude Code's cleanup does, and the ledger keeps their usage.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use costledger::{
    BillingCycle, FixedClock, Ledger, LedgerConfig, ListPlans, Money, NewPlan, Subscription,
    SubscriptionCatalog, SubscriptionTier, SyncOptions,
};

use crate::cli::{LogsArgs, LogsCommand, Order};
use crate::context::Context;
use crate::failure::CliResult;
use crate::render::{self, count, money};
use crate::sync::{incomplete, print_report};

/// The demo's directory of logs and its database, under `--dir`.
const LOGS_DIR: &str = "costledger-claude-code-demo";
const DB_FILE: &str = "costledger-claude-code-demo.db";
/// The plan's label.
const LABEL: &str = "Claude Max (demo)";
/// Days of logs kept, as Claude Code's default `cleanupPeriodDays`.
const DAYS: u64 = 30;
const PROJECTS: [&str; 3] = ["-home-me-webapp", "-home-me-api", "-home-me-notes"];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// What the generated logs hold.
#[derive(Default)]
struct Written {
    sessions: usize,
    lines: usize,
    removed: usize,
}

fn model(rng: &mut Rng) -> &'static str {
    match rng.below(10) {
        0..=6 => "claude-sonnet-4-5-20250929",
        7 | 8 => "claude-opus-4-1-20250805",
        _ => "claude-haiku-4-5-20251001",
    }
}

/// The lines of session `n` of `day` (all of them, also those after now).
fn session_lines(day: NaiveDate, n: u64, project: &str) -> Vec<(DateTime<Utc>, String)> {
    let mut rng = Rng::new(u64::from(day.num_days_from_ce().unsigned_abs()) * 31 + n);
    let session = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        rng.below(1 << 32),
        rng.below(1 << 16),
        rng.below(1 << 12),
        rng.below(1 << 12),
        rng.below(1 << 48)
    );
    let cwd = project.replace('-', "/");
    let start = day.and_hms_opt(8, 0, 0).expect("a time").and_utc()
        + TimeDelta::minutes(i64::try_from(n * 150 + rng.below(90)).unwrap_or(0));
    let mut at = start;
    let mut context = 18_000 + rng.below(6_000) as i64;
    let mut out = Vec::new();
    for turn in 0..20 + rng.below(60) {
        at += TimeDelta::seconds(20 + rng.below(240) as i64);
        let model = model(&mut rng);
        let (message, request) = (
            format!("msg_{session}_{turn}"),
            format!("req_{session}_{turn}"),
        );
        let written = 200 + rng.below(4_000) as i64;
        let read = context;
        context += written + rng.below(3_000) as i64;
        let input = 1 + rng.below(30) as i64;
        let mut output = 0;
        // Claude Code writes a line per content block, each with the usage so far.
        for _ in 0..1 + rng.below(3) {
            at += TimeDelta::milliseconds(300 + rng.below(4_000) as i64);
            output += 50 + rng.below(1_200) as i64;
            let line = format!(
                "{{\"parentUuid\":null,\"isSidechain\":false,\"userType\":\"external\",\
                 \"cwd\":\"{cwd}\",\"sessionId\":\"{session}\",\"version\":\"2.0.14\",\
                 \"message\":{{\"id\":\"{message}\",\"type\":\"message\",\"role\":\"assistant\",\
                 \"model\":\"{model}\",\"content\":[{{\"type\":\"text\",\"text\":\"…\"}}],\
                 \"usage\":{{\"input_tokens\":{input},\"cache_creation_input_tokens\":{written},\
                 \"cache_read_input_tokens\":{read},\"output_tokens\":{output},\
                 \"service_tier\":\"standard\"}}}},\"requestId\":\"{request}\",\
                 \"type\":\"assistant\",\"uuid\":\"{session}-{turn}-{output}\",\
                 \"timestamp\":\"{}\"}}\n",
                at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
            );
            out.push((at, line));
        }
        if context > 160_000 {
            // /compact: the context starts small again.
            context = 20_000 + rng.below(5_000) as i64;
        }
    }
    out
}

/// Write the month of logs up to `now` under `projects`, and remove the files of older days.
fn write_logs(projects: &Path, now: DateTime<Utc>) -> CliResult<Written> {
    let mut written = Written::default();
    let today = now.date_naive();
    let first = today - Days::new(DAYS - 1);
    let mut keep: Vec<PathBuf> = Vec::new();
    let mut day = first;
    while day <= today {
        let sessions = match day.weekday() {
            Weekday::Sat | Weekday::Sun => u64::from(day.day().is_multiple_of(3)),
            _ => 3 + u64::from(day.day() % 2),
        };
        for n in 0..sessions {
            let project = PROJECTS[((u64::from(day.day()) + n) % 3) as usize];
            let lines = session_lines(day, n, project);
            let mut text = String::new();
            let mut count = 0;
            for (_, line) in lines.iter().filter(|(at, _)| *at < now) {
                text.push_str(line);
                count += 1;
            }
            if count == 0 {
                continue;
            }
            let dir = projects.join(project);
            fs::create_dir_all(&dir)?;
            let path = dir.join(format!("{}-{n}.jsonl", day.format("%Y%m%d")));
            // Rewrite a file only when it changed: an unchanged file costs a sync nothing.
            if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                fs::write(&path, &text)?;
            }
            keep.push(path);
            written.sessions += 1;
            written.lines += count;
        }
        day = day + Days::new(1);
    }
    // Claude Code's cleanup: the logs of older days go; the ledger keeps their usage.
    for project in PROJECTS {
        let Ok(entries) = fs::read_dir(projects.join(project)) else {
            continue;
        };
        for entry in entries.flatten() {
            if !keep.contains(&entry.path()) {
                fs::remove_file(entry.path())?;
                written.removed += 1;
            }
        }
    }
    Ok(written)
}

fn args(since: Option<NaiveDate>) -> LogsArgs {
    LogsArgs {
        plan: None,
        since: since.map(|d| d.to_string()),
        until: None,
        timezone: Some("UTC".into()),
        project: None,
        breakdown: false,
        order: Order::Asc,
        sync: false,
        json: false,
    }
}

pub async fn run(dir: &Path, now: DateTime<Utc>) -> CliResult {
    fs::create_dir_all(dir)?;
    let projects = dir.join(LOGS_DIR).join("projects");
    let db = dir.join(DB_FILE);
    println!(
        "{}",
        console::style(
            "costledger demo --claude-code — a Claude Max user's month, from Claude Code's logs"
        )
        .bold()
    );
    let written = write_logs(&projects, now)?;
    println!(
        "  {:<12} {} (generated: {} sessions in {} projects over {DAYS} days, {} lines; \
         each answer written 1 to 3 times as it streamed)",
        "logs",
        projects.display(),
        written.sessions,
        PROJECTS.len(),
        count(written.lines as i64)
    );
    if written.removed > 0 {
        println!(
            "  {:<12} {} older session files removed, as Claude Code's 30-day cleanup does; \
             the ledger keeps their usage",
            "", written.removed
        );
    }
    println!(
        "  {:<12} {} (SQLite; no master key: a logs plan has no key to seal)",
        "database",
        db.display()
    );
    let config = LedgerConfig::new(format!("sqlite://{}", db.display()))
        .without_env()
        .clock(Arc::new(FixedClock::new(now)));
    let ledger = Ledger::open(config).await?;
    let ctx = Context { ledger, now };
    let result = show(&ctx, &projects, now).await;
    ctx.ledger.close().await;
    result
}

async fn show(ctx: &Context, projects: &Path, now: DateTime<Utc>) -> CliResult {
    let ledger = &ctx.ledger;
    let first = now.date_naive() - Days::new(DAYS - 1);
    let existing = ledger
        .list_plans(ListPlans::default())
        .await?
        .into_iter()
        .find(|p| p.label == LABEL);
    if existing.is_none() {
        let mut plan = NewPlan::claude_code_logs(LABEL, vec![projects.display().to_string()]);
        plan.subscription = Some(Subscription::new(SubscriptionTier::Max5x, 1, first));
        ledger.add_plan(plan).await?;
    }
    render::heading("Sync · only what was appended since the last sync is read");
    let report = ledger.sync(SyncOptions::default()).await?;
    print_report(&report);
    incomplete(&report)?;

    crate::logs::run(ctx, LogsCommand::Weekly(args(Some(first)))).await?;
    let yesterday = now.date_naive() - Days::new(1);
    crate::logs::run(ctx, LogsCommand::Blocks(args(Some(yesterday)))).await?;

    let days = ledger
        .claude_code_logs_daily(
            plan_id(ledger).await?,
            &costledger::source::claude_code_logs::LogReportOptions {
                since: Some(first),
                ..Default::default()
            },
        )
        .await?;
    let api_cost = days
        .iter()
        .fold(Money::ZERO, |sum, d| sum + d.usage.estimated_cost);
    let fee = SubscriptionCatalog::bundled().list_price(
        SubscriptionTier::Max5x,
        BillingCycle::Monthly,
        first,
    );
    render::heading("The month");
    println!();
    println!(
        "  {:<34}{:>12}",
        "at API list prices",
        console::style(money(api_cost)).bold()
    );
    if let Some(fee) = fee {
        println!("  {:<34}{:>12}", "the Max 5x plan's fee", money(fee));
    }
    let mut next = String::new();
    let _ = write!(
        next,
        "\nNext:\n  COSTLEDGER_DATABASE_URL=sqlite://{db} costledger logs daily --breakdown\n  \
         … logs session --order desc   … logs monthly --json   … logs blocks --timezone Asia/Kolkata",
        db = ctx_db(projects)
    );
    render::note(&next);
    Ok(())
}

/// The database beside the logs directory.
fn ctx_db(projects: &Path) -> String {
    projects
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join(DB_FILE).display().to_string())
        .unwrap_or_else(|| DB_FILE.to_string())
}

async fn plan_id(ledger: &Ledger) -> CliResult<i64> {
    Ok(ledger
        .list_plans(ListPlans::default())
        .await?
        .into_iter()
        .find(|p| p.label == LABEL)
        .map(|p| p.id)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_lines_depend_only_on_its_day_and_number() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let a = session_lines(day, 1, PROJECTS[0]);
        assert_eq!(a, session_lines(day, 1, PROJECTS[0]));
        assert_ne!(a, session_lines(day, 2, PROJECTS[0]));
        assert!(a.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    }
}
