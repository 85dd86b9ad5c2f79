//! A progress bar per plan while a sync runs.
//!
//! The core's sync says nothing until it is done (it has no progress callback yet), so the
//! bars follow what a sync commits: every page it writes advances its stream's watermark in
//! the store, which a small task reads a few times a second. The window each stream covers
//! comes from the core's own window arithmetic (`costledger::sync::window`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use costledger::store::Store;
use costledger::sync::window::{WindowInputs, next_window};
use costledger::{Ledger, ListPlans, Plan, SyncOptions, SyncReport, SyncStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;

use crate::failure::CliResult;
use crate::render::count;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// The streams that keep a watermark, as the store names them, in the order a sync runs
/// them, with their bucket width.
const STREAMS: [(&str, &str, i64); 3] = [
    ("usage:1h", "usage by hour", HOUR),
    ("cost", "billed cost by day", DAY),
    ("claude_code", "Claude Code analytics", DAY),
];

/// Bars being drawn, and the task moving them.
pub struct SyncProgress {
    bars: Vec<(i64, ProgressBar)>,
    poller: Option<JoinHandle<()>>,
}

/// One stream of one plan: its window start, and how many hours the window spans.
struct Leg {
    key: &'static str,
    label: &'static str,
    start: DateTime<Utc>,
    hours: u64,
}

/// A bar that follows the watermarks of a plan's streams.
struct Tracked {
    plan_id: i64,
    legs: Vec<Leg>,
    bar: ProgressBar,
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:<22.bold} {bar:32.cyan/blue} {percent:>3}%  {msg:.dim}")
        .expect("valid template")
        .progress_chars("█▉▊▋▌▍▎▏ ")
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:<22.bold} {spinner:.cyan} {msg:.dim}")
        .expect("valid template")
}

fn done_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:<22.bold} {msg}").expect("valid template")
}

fn prefix(plan: &Plan) -> String {
    let label: String = plan.label.chars().take(18).collect();
    format!("{} · {label}", plan.id)
}

/// The legs of a plan's sync with new history to fetch; `None` when every stream only
/// re-fetches its lookback (or an explicit range), which moves no watermark.
async fn legs(
    store: &dyn Store,
    plan: &Plan,
    options: &SyncOptions,
    now: DateTime<Utc>,
) -> CliResult<Option<Vec<Leg>>> {
    if options.backfill.is_some() {
        return Ok(None);
    }
    let lookbacks: [TimeDelta; 3] = [
        options.usage_lookback,
        options.cost_lookback,
        options.claude_code_lookback,
    ];
    let mut legs = Vec::new();
    let mut fresh = false;
    for ((key, label, width), lookback) in STREAMS.into_iter().zip(lookbacks) {
        let stored = store.watermark(plan.id, key).await?;
        let inputs = WindowInputs {
            now,
            width_secs: width,
            initial_backfill: options.initial_backfill,
            lookback,
            backfill: None,
        };
        if let Some((window, _)) = next_window(inputs, stored.as_ref()) {
            fresh |= stored.is_none_or(|s| s.watermark < window.end);
            legs.push(Leg {
                key,
                label,
                start: window.start,
                hours: ((window.end - window.start).num_seconds() / HOUR) as u64,
            });
        }
    }
    Ok(fresh.then_some(legs))
}

impl SyncProgress {
    /// Draw a bar for each plan the sync will run, if stderr is a terminal.
    pub async fn start(
        ledger: &Ledger,
        options: &SyncOptions,
        now: DateTime<Utc>,
    ) -> CliResult<SyncProgress> {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        if multi.is_hidden() {
            return Ok(SyncProgress {
                bars: Vec::new(),
                poller: None,
            });
        }
        let plans = match options.plan_id {
            Some(id) => vec![ledger.get_plan(id).await?],
            None => ledger.list_plans(ListPlans::default()).await?,
        };
        let store = ledger.store().clone();
        let mut bars = Vec::new();
        let mut tracked = Vec::new();
        for plan in &plans {
            let bar = multi.add(ProgressBar::hidden());
            bar.set_prefix(prefix(plan));
            match legs(store.as_ref(), plan, options, now).await? {
                Some(legs) => {
                    bar.set_style(bar_style());
                    bar.set_length(legs.iter().map(|l| l.hours).sum::<u64>().max(1));
                    bar.set_message("metadata");
                    tracked.push(Tracked {
                        plan_id: plan.id,
                        legs,
                        bar: bar.clone(),
                    });
                }
                None => {
                    bar.set_style(spinner_style());
                    bar.set_message(if options.backfill.is_some() {
                        "re-syncing the range"
                    } else {
                        "re-fetching the recent buckets that may still change"
                    });
                    bar.enable_steady_tick(Duration::from_millis(100));
                }
            }
            bars.push((plan.id, bar));
        }
        let poller = tokio::spawn(async move {
            loop {
                for t in &tracked {
                    advance(store.as_ref(), t).await;
                }
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
        });
        Ok(SyncProgress {
            bars,
            poller: Some(poller),
        })
    }

    /// Stop moving the bars and leave each with its plan's outcome.
    pub async fn finish(self, report: Option<&SyncReport>) {
        if let Some(poller) = self.poller {
            poller.abort();
            let _ = poller.await;
        }
        for (plan_id, bar) in self.bars {
            bar.set_style(done_style());
            bar.finish_with_message(outcome(report.and_then(|r| r.plan(plan_id))));
        }
    }
}

/// Move a bar to the sum of its streams' progress; name the stream being fetched.
async fn advance(store: &dyn Store, t: &Tracked) {
    let mut done = 0;
    let mut current = None;
    for leg in &t.legs {
        let hours = match store.watermark(t.plan_id, leg.key).await {
            Ok(Some(mark)) => ((mark.watermark - leg.start).num_seconds() / HOUR).max(0) as u64,
            _ => 0,
        };
        let hours = hours.min(leg.hours);
        done += hours;
        if hours < leg.hours && current.is_none() {
            current = Some(leg.label);
        }
    }
    t.bar.set_position(done);
    t.bar
        .set_message(current.unwrap_or("allocating the bill to API keys"));
}

fn outcome(plan: Option<&costledger::PlanSyncReport>) -> String {
    match plan {
        Some(p) if p.status == SyncStatus::Ok => {
            let requests: i64 = p.streams.iter().map(|s| s.requests).sum();
            let elapsed: Duration = p.streams.iter().map(|s| s.duration).sum();
            format!(
                "{} {} rows · {} requests · {:.1} s",
                console::style("✓").green().bold(),
                count(p.rows_written()),
                count(requests),
                elapsed.as_secs_f64()
            )
        }
        Some(p) => format!(
            "{} {}{}",
            console::style("✗").red().bold(),
            p.status,
            p.error
                .as_ref()
                .map(|e| format!(" [{}]", e.code))
                .unwrap_or_default()
        ),
        None => console::style("✗ not synced").red().to_string(),
    }
}
