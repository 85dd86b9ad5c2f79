//! `costledger demo`: the library's main job end to end, against local fakes of the
//! Anthropic Admin API and of OpenAI's organisation API: connect three Anthropic organisations
//! and one OpenAI organisation (keys sealed), sync 90 days of usage and billed cost, attribute
//! it to users, and show where the money went.
//!
//! A re-run reuses the database and syncs incrementally. The fake's history is anchored at
//! the moment the demo's plans were added, so a later run sees the same past plus the hours
//! that have passed since.

mod billed;
mod claude_code;
mod files;
mod people;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, TimeDelta, Utc};
use costledger::{
    BudgetPeriod, BudgetScope, DashboardFilter, FixedClock, Ledger, LedgerConfig, ListPlans, Money,
    NewBudget, NewPlan, Period, Plan, SyncHistoryFilter, SyncOptions, SyncReport, SyncStream,
};
use fake_admin_api::{FakeConfig, FakeServer, Faults};

use self::files::DemoFiles;
use crate::cli::{DemoArgs, Global};
use crate::context::fixed_now;
use crate::dashboard::{self, View};
use crate::failure::CliResult;
use crate::render::{self, count};
use crate::sync::{incomplete, print_report, sync_with_progress};

/// The fakes' data: seed, organisations (Anthropic, OpenAI), days of history.
const SEED: u64 = 7;
const ORGS: usize = 3;
const OPENAI_ORGS: usize = 1;
const HISTORY_DAYS: u32 = 90;
/// Days the dashboard covers, ending today, and bars in its chart.
const DASHBOARD_DAYS: u64 = 30;
const CHART_DAYS: usize = 14;

pub async fn run(global: &Global, args: &DemoArgs) -> CliResult {
    let now = fixed_now(global)?.unwrap_or_else(Utc::now);
    if args.claude_code {
        return claude_code::run(&args.dir, now).await;
    }
    let files = DemoFiles::prepare(&args.dir)?;
    println!(
        "{}",
        console::style("costledger demo — what four AI plans cost, end to end").bold()
    );
    describe_files(&files);

    let anchor = history_anchor(&files, now).await?.unwrap_or(now);
    let fake = FakeServer::start(FakeConfig {
        seed: SEED,
        orgs: ORGS,
        days: HISTORY_DAYS,
        now: anchor,
        faults: Faults::none(),
    })
    .await?;
    let openai = fake_openai_api::FakeServer::start(fake_openai_api::FakeConfig {
        seed: SEED,
        orgs: OPENAI_ORGS,
        days: HISTORY_DAYS,
        now: anchor,
        faults: fake_openai_api::Faults::none(),
    })
    .await?;
    if now > anchor {
        fake.set_now(now);
        openai.set_now(now);
    }
    println!(
        "  {:<12} a local fake of the Anthropic Admin API at {}",
        "Admin API",
        fake.base_url()
    );
    println!(
        "  {:<12} a local fake of OpenAI's Usage and Costs APIs at {}",
        "OpenAI API",
        openai.base_url()
    );
    println!(
        "  {:<12} {ORGS} + {OPENAI_ORGS} organisations, {HISTORY_DAYS} days of usage, now {}",
        "",
        now.format("%Y-%m-%d %H:%M UTC")
    );

    let config = LedgerConfig::new(files.url())
        .without_env()
        .master_key(files.key.clone())
        .anthropic_base_url(fake.base_url())
        .openai_base_url(openai.base_url())
        .clock(Arc::new(FixedClock::new(now)))
        // Pacing protects the real API; the local fake needs none.
        .request_interval(Duration::ZERO);
    let ledger = Ledger::open(config).await?;
    let result = run_with(&ledger, (&fake, &openai), &files, now).await;
    ledger.close().await;
    fake.shutdown().await;
    openai.shutdown().await;
    result
}

fn describe_files(files: &DemoFiles) {
    let state = if files.reused {
        "reused: this run syncs incrementally"
    } else {
        "new"
    };
    println!(
        "  {:<12} {} (SQLite, {state})",
        "database",
        files.db.display()
    );
    let key_state = if files.new_key {
        "generated, readable only by you"
    } else {
        "reused"
    };
    println!(
        "  {:<12} {} ({key_state})",
        "master key",
        files.key_path.display()
    );
    render::note(
        "               a real install keeps the master key in a secret store (a vault, the \
         platform's secrets)\n               and passes it as COSTLEDGER_MASTER_KEY; never \
         beside the database",
    );
}

/// When the demo's plans were first added: the fake's history ends there on every run.
async fn history_anchor(files: &DemoFiles, now: DateTime<Utc>) -> CliResult<Option<DateTime<Utc>>> {
    if !files.reused {
        return Ok(None);
    }
    let ledger = Ledger::open(
        LedgerConfig::new(files.url())
            .without_env()
            .master_key(files.key.clone()),
    )
    .await?;
    let plans = ledger.list_plans(ListPlans::all()).await;
    ledger.close().await;
    Ok(plans?
        .iter()
        .map(|p| p.created_at)
        .min()
        .map(|t| t.min(now)))
}

async fn run_with(
    ledger: &Ledger,
    fakes: (&FakeServer, &fake_openai_api::FakeServer),
    files: &DemoFiles,
    now: DateTime<Utc>,
) -> CliResult {
    render::heading("Plans · each admin key is verified with the API, then sealed (AES-256-GCM)");
    let (plans, added) = connect(ledger, fakes).await?;
    for plan in &plans {
        println!(
            "  {} {} · {:<18} key {}  org {}{}",
            render::tick(),
            plan.id,
            plan.label,
            plan.key_hint.as_deref().unwrap_or("none"),
            plan.org_id.as_deref().unwrap_or(""),
            if added.contains(&plan.id) {
                ""
            } else {
                "  (connected before)"
            }
        );
    }

    render::heading(
        "Budgets · limits on usage cost; each threshold alerts once per period, in the sync \
         that reaches it",
    );
    ensure_budgets(ledger, &plans).await?;

    let first = !files.reused;
    let options = SyncOptions::default().initial_backfill(TimeDelta::days(HISTORY_DAYS.into()));
    if first {
        render::heading(&format!(
            "Sync · first sync: {HISTORY_DAYS} days of history"
        ));
        render::note(
            "  hourly usage, daily billed cost and Claude Code analytics of each plan, plans in \
             parallel, each page in one transaction",
        );
    } else {
        render::heading("Sync · incremental");
        render::note(&format!(
            "  each stream fetches what is new since its watermark, plus a lookback (usage {} \
             days, cost {}) because recent buckets still change",
            options.usage_lookback.num_days(),
            options.cost_lookback.num_days()
        ));
    }
    let report = sync_with_progress(ledger, options, now, true).await?;
    print_report(&report);
    incomplete(&report)?;
    if report.budget_alerts.is_empty() {
        render::note("  no new budget alerts: the thresholds reached were alerted before");
    } else {
        crate::budgets::print_alerts(&report.budget_alerts);
    }
    if first {
        println!(
            "{} {} plans synced: {} rows written",
            render::tick(),
            report.plans.len(),
            count(report.rows_written())
        );
    } else {
        say_incremental(ledger, &report).await?;
    }

    render::heading("Your app's users · attribution happens when reports are read: no re-sync");
    people::ensure(ledger, &plans, now).await?;

    let today = now.date_naive();
    let period = Period::dates(today - Days::new(DASHBOARD_DAYS - 1), today + Days::new(1))?;
    let d = ledger
        .dashboard(DashboardFilter::new(period).top(8))
        .await?;
    let budgets = ledger.budget_statuses().await?;
    let view = View {
        title: format!("Dashboard · last {DASHBOARD_DAYS} days"),
        chart_days: CHART_DAYS,
        today,
        workspaces: 8,
    };
    dashboard::print(&d, &budgets, &view);
    let (from, to) = (today - Days::new(DASHBOARD_DAYS - 1), today + Days::new(1));
    billed::print(ledger, from, to).await?;
    billed::print_reconciliation(ledger, from, to).await?;
    next_steps(files, now);
    Ok(())
}

/// The demo's budgets: the company per month, the first plan per week. Created once.
async fn ensure_budgets(ledger: &Ledger, plans: &[Plan]) -> CliResult {
    let mut wanted = vec![NewBudget::new(
        "Company, monthly",
        BudgetScope::Global,
        Money::from_cents(250_000),
        BudgetPeriod::Month,
    )];
    if let Some(plan) = plans.first() {
        wanted.push(NewBudget::new(
            format!("{}, weekly", plan.label),
            BudgetScope::Plan(plan.id),
            Money::from_cents(15_000),
            BudgetPeriod::Week,
        ));
    }
    let existing = ledger.list_budgets().await?;
    for budget in wanted {
        let b = match existing.iter().find(|b| b.name == budget.name) {
            Some(b) => b.clone(),
            None => ledger.create_budget(budget).await?,
        };
        println!(
            "  {} {} · {:<24} {} per {} on {}, alerts at {}",
            render::tick(),
            b.id,
            b.name,
            render::money(b.amount),
            b.period,
            b.scope,
            b.thresholds
                .iter()
                .map(|t| format!("{t}%"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// The demo's plans, one per organisation of the fakes: added on the first run (and for any
/// organisation whose plan was disconnected since), found again on later runs. The OpenAI
/// organisation is read with its read-only admin key, as docs/openai.md recommends.
async fn connect(
    ledger: &Ledger,
    (anthropic, openai): (&FakeServer, &fake_openai_api::FakeServer),
) -> CliResult<(Vec<Plan>, Vec<i64>)> {
    let existing = ledger.list_plans(ListPlans::default()).await?;
    let mut wanted: Vec<(String, NewPlan)> = anthropic
        .orgs()
        .into_iter()
        .map(|org| (org.id, NewPlan::anthropic(org.name, org.admin_key)))
        .collect();
    wanted.extend(openai.orgs().into_iter().map(|org| {
        let label = format!("{} (OpenAI)", org.name);
        (org.slug, NewPlan::openai(label, org.read_only_key))
    }));
    let mut plans = Vec::new();
    let mut added = Vec::new();
    for (org_id, new_plan) in wanted {
        match existing
            .iter()
            .find(|p| p.org_id.as_deref() == Some(org_id.as_str()))
        {
            Some(plan) => plans.push(plan.clone()),
            None => {
                let plan = ledger.add_plan(new_plan).await?;
                added.push(plan.id);
                plans.push(plan);
            }
        }
    }
    Ok((plans, added))
}

/// On a re-run: how this sync compares with the first one.
async fn say_incremental(ledger: &Ledger, report: &SyncReport) -> CliResult {
    let events = ledger
        .sync_history(SyncHistoryFilter {
            limit: 10_000,
            ..SyncHistoryFilter::default()
        })
        .await?;
    // The oldest event of each plan's stream belongs to its first sync.
    let mut first = std::collections::BTreeMap::new();
    for e in events.iter().rev() {
        first.entry((e.plan_id, e.stream)).or_insert(e.rows_written);
    }
    let first_rows: i64 = first.values().sum();
    let usage_hours: i64 = report
        .plans
        .iter()
        .filter_map(|p| p.stream(SyncStream::Usage))
        .map(|s| s.buckets_written)
        .sum();
    println!(
        "{} incremental sync: {} rows written, {} hours of usage across the plans; the first \
         sync wrote {} rows",
        render::tick(),
        count(report.rows_written()),
        count(usage_hours),
        count(first_rows)
    );
    Ok(())
}

fn next_steps(files: &DemoFiles, now: DateTime<Utc>) {
    let month = now.format("%Y-%m");
    render::heading("Next");
    println!(
        "  The fake API stopped with the demo; reports read the database, so they work as is:\n"
    );
    println!("    export COSTLEDGER_DATABASE_URL={}", files.url());
    println!(
        "    export COSTLEDGER_MASTER_KEY=\"$(cat {})\"",
        files.key_path.display()
    );
    println!("    alias costledger='cargo run -q --release -p costledger-cli --'");
    println!();
    println!("    costledger report dashboard --period {month}");
    println!("    costledger report user support-bot --period {month}");
    println!("    costledger report history");
    println!("    costledger plans list");
    println!("    costledger plans keys 1");
    println!();
    println!("  Run the demo again: it syncs only what changed since this run.");
    println!(
        "  With a real organisation: set ANTHROPIC_ADMIN_API_KEY and run \
         `costledger plans add --label \"Prod\"`, then `costledger sync`."
    );
    println!("  Every command and option: docs/cli.md, or `costledger --help`.");
}
