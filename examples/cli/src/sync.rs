//! `costledger sync`: bring usage and billed cost into the database, with a progress bar
//! per plan, and say what each plan's streams did.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use costledger::{
    Ledger, PlanSyncReport, StreamReport, SyncCancel, SyncOptions, SyncReport, SyncStatus,
    SyncStream,
};

use crate::args;
use crate::budgets;
use crate::cli::SyncArgs;
use crate::context::Context;
use crate::failure::{CliResult, Failure, exit};
use crate::output;
use crate::progress::SyncProgress;
use crate::render::{self, count, table};
use crate::signals::Interrupts;

/// The sync options the arguments describe.
pub fn options(a: &SyncArgs) -> CliResult<SyncOptions> {
    if !(1..=3660).contains(&a.initial_days) {
        return Err(Failure::usage(format!(
            "--initial-days must be between 1 and 3660, got {}",
            a.initial_days
        )));
    }
    let mut options = SyncOptions::default()
        .initial_backfill(TimeDelta::days(a.initial_days))
        .lease_ttl(Duration::from_secs(a.lease_ttl));
    if let Some(plan) = a.plan {
        options = options.plan(plan);
    }
    match a.streams.as_deref().map(str::trim) {
        None => {}
        Some("legacy") => options = options.streams(SyncStream::LEGACY),
        Some(list) => {
            let streams = list
                .split(',')
                .map(|s| s.trim().parse::<SyncStream>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::usage(format!("--streams: {e}")))?;
            options = options.streams(&streams);
        }
    }
    if let (Some(from), Some(to)) = (&a.from, &a.to) {
        options = options.backfill(args::instant("--from", from)?, args::instant("--to", to)?);
    }
    Ok(options)
}

pub async fn run(ctx: &Context, a: &SyncArgs) -> CliResult {
    let cancel = SyncCancel::new();
    let options = options(a)?.cancel(cancel.clone());
    options.validate()?;
    let tables = !(a.format.json || a.format.csv);
    let interrupts = Interrupts::watch(cancel)?;
    let report = sync_with_progress(&ctx.ledger, options, ctx.now, tables).await?;
    let interrupted = interrupts.received();
    drop(interrupts);
    if let Some((signal, code)) = interrupted {
        if !output::export(&report, &a.format)? {
            print_report(&report);
        }
        return Err(Failure {
            code: "INTERRUPTED".into(),
            message: format!(
                "{signal}: the sync stopped after its last committed page; each plan recorded \
                 an interrupted event and released its lease"
            ),
            hint: Some("run `costledger sync` again to continue from there".into()),
            exit: code,
        });
    }
    if !output::export(&report, &a.format)? {
        print_report(&report);
        budgets::print_alerts(&report.budget_alerts);
        if report.is_ok() {
            let n = report.plans.len();
            println!(
                "{} {n} plan{} synced, {} rows written",
                render::tick(),
                if n == 1 { "" } else { "s" },
                count(report.rows_written())
            );
        }
    }
    incomplete(&report)
}

/// Run one sync of the plans `options` names, drawing a bar per plan on stderr while it
/// runs (when stderr is a terminal and `bars` is set).
pub async fn sync_with_progress(
    ledger: &Ledger,
    options: SyncOptions,
    now: DateTime<Utc>,
    bars: bool,
) -> CliResult<SyncReport> {
    let progress = if bars {
        Some(SyncProgress::start(ledger, &options, now).await?)
    } else {
        None
    };
    let result = ledger.sync(options).await;
    if let Some(progress) = progress {
        progress.finish(result.as_ref().ok()).await;
    }
    Ok(result?)
}

/// A failure when any plan ended in error or partly: stderr names each with its code.
pub fn incomplete(report: &SyncReport) -> CliResult {
    let failed: Vec<&PlanSyncReport> = report
        .plans
        .iter()
        .filter(|p| matches!(p.status, SyncStatus::Error | SyncStatus::Partial))
        .collect();
    let Some(first) = failed.first() else {
        return Ok(());
    };
    let code = first
        .error
        .as_ref()
        .map_or_else(|| "INTERNAL".to_string(), |e| e.code.clone());
    let lines: Vec<String> = failed
        .iter()
        .map(|p| {
            let (code, message) = p
                .error
                .as_ref()
                .map_or(("", ""), |e| (e.code.as_str(), e.message.as_str()));
            format!(
                "plan {} ({:?}) {}: [{code}] {message}",
                p.plan_id, p.label, p.status
            )
        })
        .collect();
    Err(Failure {
        code,
        message: format!(
            "{} of {} plans did not sync completely; what succeeded is committed\n  {}",
            failed.len(),
            report.plans.len(),
            lines.join("\n  ")
        ),
        hint: Some("`costledger report history --plan ID` shows each stream's events".into()),
        exit: exit::SYNC_INCOMPLETE,
    })
}

/// `2026-11-20 08:00 → 2026-11-22 08:00`.
pub fn window_text(s: &StreamReport) -> String {
    match (s.window_start, s.window_end) {
        (Some(a), Some(b)) => format!("{} → {}", a.format("%b %d %H:%M"), b.format("%b %d %H:%M")),
        _ => "—".into(),
    }
}

/// The stream's line in the report table: window, buckets and rows.
fn stream_cell(plan: &PlanSyncReport, stream: SyncStream, unit: &str) -> String {
    match plan.stream(stream) {
        None => "—".into(),
        Some(s) if s.status == SyncStatus::Error => {
            format!(
                "error: {}",
                s.error.as_ref().map_or("", |e| e.code.as_str())
            )
        }
        Some(s) => format!(
            "{}\n{} {unit}, {} rows",
            window_text(s),
            count(s.buckets_written),
            count(s.rows_written)
        ),
    }
}

/// The warning of a plan that synced but whose stream left something out (a logs sync that
/// skipped malformed lines is `ok`, its usage stream `partial`): never a plain `ok`.
fn warning(plan: &PlanSyncReport) -> Option<String> {
    plan.streams
        .iter()
        .filter(|s| s.status == SyncStatus::Partial)
        .find_map(|s| s.error.as_ref())
        .map(|e| {
            format!(
                "{} {} [{}]\n{}",
                console::style("⚠").yellow().bold(),
                console::style("warning").yellow(),
                e.code,
                e.message
            )
        })
}

/// One table: a row per plan with what each stream did.
pub fn print_report(report: &SyncReport) {
    let mut t = table(
        &[
            "Plan",
            "Status",
            "Usage (hourly)",
            "Billed cost (daily)",
            "Rows",
            "Requests",
            "Time",
        ],
        &[4, 5, 6],
    );
    for p in &report.plans {
        let requests: i64 = p.streams.iter().map(|s| s.requests).sum();
        let retries: i64 = p.streams.iter().map(|s| s.retries).sum();
        let elapsed: std::time::Duration = p.streams.iter().map(|s| s.duration).sum();
        let status = match (&p.skipped_reason, &p.error) {
            (Some(reason), _) => format!("{}\n{reason}", p.status),
            (None, Some(e)) => format!("{} [{}]", p.status, e.code),
            _ => warning(p).unwrap_or_else(|| p.status.to_string()),
        };
        let requests = if retries > 0 {
            format!("{} ({} retried)", count(requests), count(retries))
        } else {
            count(requests)
        };
        t.add_row(vec![
            format!("{} · {}", p.plan_id, p.label),
            status,
            stream_cell(p, SyncStream::Usage, "hours"),
            stream_cell(p, SyncStream::Cost, "days"),
            count(p.rows_written()),
            requests,
            format!("{:.1} s", elapsed.as_secs_f64()),
        ]);
    }
    println!("{t}");
}
