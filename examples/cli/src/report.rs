//! `costledger report …`: a user's costs, the dashboard, budgets, sync history, forecasts,
//! and the FOCUS export.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use costledger::{
    DashboardFilter, FocusFilter, Money, ReconcileFilter, SyncEvent, SyncHistoryFilter,
    UnitUsageFilter, UnitUsageLine, UserCosts,
};

use crate::args;
use crate::budgets;
use crate::cli::ReportCommand;
use crate::context::Context;
use crate::dashboard::{self, View, period_text};
use crate::failure::CliResult;
use crate::output;
use crate::reconcile;
use crate::render::{self, cost_cells, count, money, table};

pub async fn run(ctx: &Context, command: ReportCommand) -> CliResult {
    let ledger = &ctx.ledger;
    match command {
        ReportCommand::User {
            subject,
            period,
            format,
        } => {
            let period = args::period_or_month(period.as_deref(), ctx.now)?;
            let costs = ledger.user_costs(&subject, period).await?;
            if output::export(&costs, &format)? {
                return Ok(());
            }
            print_user(ctx, &costs);
        }
        ReportCommand::Dashboard {
            period,
            plans,
            top,
            format,
        } => {
            let period = args::period_or_month(period.as_deref(), ctx.now)?;
            let mut filter = DashboardFilter::new(period).top(top);
            // Budgets span every plan: shown with the whole company's dashboard only.
            let budgets = if plans.is_empty() {
                ledger.budget_statuses().await?
            } else {
                filter = filter.plans(plans);
                Vec::new()
            };
            let d = ledger.dashboard(filter).await?;
            if output::export(&d, &format)? {
                return Ok(());
            }
            let view = View {
                title: "Spend".into(),
                chart_days: 31,
                today: period.local_date(ctx.now),
                workspaces: 12,
            };
            dashboard::print(&d, &budgets, &view);
        }
        ReportCommand::History {
            plan,
            limit,
            format,
        } => {
            let filter = SyncHistoryFilter {
                plan_id: plan,
                limit,
                ..SyncHistoryFilter::default()
            };
            if let Some(id) = plan {
                ledger.get_plan(id).await?;
            }
            let events = ledger.sync_history(filter).await?;
            if output::export(&events, &format)? {
                return Ok(());
            }
            print_history(&events);
        }
        ReportCommand::Focus { period, plans } => {
            let period = args::period_or_month(period.as_deref(), ctx.now)?;
            let mut filter = FocusFilter::new(period);
            if !plans.is_empty() {
                filter = filter.plans(plans);
            }
            print!("{}", ledger.focus_export(filter).await?);
        }
        ReportCommand::Units {
            from,
            to,
            plans,
            units,
            format,
        } => {
            let (from, to) = day_range(ctx, from, to)?;
            let filter = UnitUsageFilter {
                plan_ids: plans,
                units: units
                    .iter()
                    .map(|u| args::parse("--unit", u))
                    .collect::<CliResult<_>>()?,
                ..UnitUsageFilter::new(from, to)
            };
            let lines = ledger.unit_usage(&filter).await?;
            if output::export(&lines, &format)? {
                return Ok(());
            }
            render::heading(&format!("Usage that is not tokens · {from} to {to} (UTC)"));
            print_units(&lines);
        }
        ReportCommand::Billed {
            by,
            from,
            to,
            plans,
            format,
        } => {
            let options = crate::billed::Options {
                by,
                from,
                to,
                plans,
                format,
            };
            crate::billed::run(ctx, options).await?;
        }
        ReportCommand::Reconcile {
            from,
            to,
            plans,
            format,
        } => {
            let (from, to) = day_range(ctx, from, to)?;
            let filter = ReconcileFilter {
                plan_ids: plans,
                ..ReconcileFilter::new(from, to)
            };
            let lines = ledger.reconcile(&filter).await?;
            if output::export(&lines, &format)? {
                return Ok(());
            }
            render::heading(&format!("Reconciliation · {from} to {to} (UTC)"));
            reconcile::print(&lines);
        }
        ReportCommand::Budgets { format } => {
            let statuses = ledger.budget_statuses().await?;
            if output::export(&statuses, &format)? {
                return Ok(());
            }
            render::heading(&format!(
                "Budgets · as of {}",
                ctx.now.format("%Y-%m-%d %H:%M UTC")
            ));
            budgets::print_statuses(&statuses);
        }
        ReportCommand::Forecast {
            scope,
            period,
            format,
        } => {
            let scope = args::scope(&scope)?;
            let period = args::period_or_month(period.as_deref(), ctx.now)?;
            let f = ledger.forecast(&scope, period).await?;
            if output::export(&f, &format)? {
                return Ok(());
            }
            render::heading(&format!("Forecast · {scope} · {}", period_text(&f.period)));
            println!();
            println!("  spent so far   {:>14}", money(f.spent));
            println!("  daily rate     {:>14}", money(f.daily_rate));
            println!(
                "  projected      {:>14}",
                console::style(money(f.projected)).bold()
            );
            render::note(&format!(
                "\n  {} (usage cost: billed + estimated), as of {}",
                f.method,
                f.as_of.format("%Y-%m-%d %H:%M UTC")
            ));
        }
    }
    Ok(())
}

fn print_user(ctx: &Context, c: &UserCosts) {
    let who = match (&c.subject.name, &c.subject.email) {
        (Some(name), Some(email)) => format!("{} ({name} <{email}>)", c.subject.id),
        (Some(name), None) => format!("{} ({name})", c.subject.id),
        (None, Some(email)) => format!("{} <{email}>", c.subject.id),
        (None, None) => c.subject.id.clone(),
    };
    render::heading(&format!("{who} · {}", period_text(&c.period)));
    println!();
    println!(
        "  Total          {:>14}",
        console::style(money(c.total.total())).bold()
    );
    let line = |label: &str, amount: Money, what: &str| {
        println!(
            "    {label:<13}{amount:>14}   {}",
            console::style(what).dim(),
            amount = money(amount)
        );
    };
    line("billed", c.total.billed(), "their keys' share of the bill");
    line(
        "estimated",
        c.total.estimated,
        "price table: priority tier, hours not billed yet",
    );
    let seats = c.total.subscription != Money::ZERO;
    if seats {
        line(
            "seat fees",
            c.total.subscription,
            "their seats of subscriptions, prorated",
        );
    }

    let mut header = vec!["Plan", "Billed", "Estimated"];
    if seats {
        header.push("Seat fee");
    }
    header.push("Total");
    let mut t = table(&header, &(1..header.len()).collect::<Vec<_>>());
    for p in &c.per_plan {
        let [b, e, total] = cost_cells(&p.cost);
        let mut cells = vec![format!("{} · {}", p.plan_id, p.label), b, e];
        if seats {
            cells.push(render::money_or_dash(p.cost.subscription));
        }
        cells.push(total);
        t.add_row(cells);
    }
    render::heading("Per plan");
    println!("{t}");

    let mut t = table(&["Model", "Billed", "Estimated", "Total"], &[1, 2, 3]);
    for m in &c.per_model {
        let [b, e, total] = cost_cells(&m.cost);
        t.add_row(vec![m.model.clone(), b, e, total]);
    }
    render::heading("Per model");
    println!("{t}");

    let mut t = table(&["Project", "Billed", "Estimated", "Total"], &[1, 2, 3]);
    for p in &c.per_project {
        let [b, e, total] = cost_cells(&p.cost);
        t.add_row(vec![p.name.clone(), b, e, total]);
    }
    render::heading("Per project");
    println!("{t}");

    dashboard::print_days(&c.per_day, c.period.local_date(ctx.now), 31, "Day by day:");
    render::note("\nAmounts are rounded to the cent; --json gives them exact to the nanodollar.");
}

/// `--from` (default: the first of this month) and `--to` (default: tomorrow), UTC days.
fn day_range(
    ctx: &Context,
    from: Option<String>,
    to: Option<String>,
) -> CliResult<(NaiveDate, NaiveDate)> {
    let today = ctx.now.date_naive();
    let from = match from {
        Some(text) => args::date("--from", &text)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match to {
        Some(text) => args::date("--to", &text)?,
        None => today + TimeDelta::days(1),
    };
    Ok((from, to))
}

/// The range's lines summed per plan, unit, model and variant; per-day lines are in the JSON
/// and CSV.
fn print_units(lines: &[UnitUsageLine]) {
    if lines.is_empty() {
        println!("no usage other than tokens in this range (OpenAI plans have it)");
        return;
    }
    type Key<'a> = (i64, String, &'a str, &'a str);
    let mut sums: BTreeMap<Key<'_>, (u64, u64, Option<Money>)> = BTreeMap::new();
    for l in lines {
        let key = (
            l.plan_id,
            l.unit.to_string(),
            l.model.as_deref().unwrap_or(""),
            l.variant.as_deref().unwrap_or(""),
        );
        let e = sums.entry(key).or_insert((0, 0, Some(Money::ZERO)));
        e.0 += l.quantity;
        e.1 += l.requests;
        e.2 = e.2.zip(l.estimate).map(|(a, b)| a + b);
    }
    let mut t = table(
        &[
            "Plan", "Unit", "Model", "Variant", "Quantity", "Requests", "Estimate",
        ],
        &[0, 4, 5, 6],
    );
    for ((plan, unit, model, variant), (quantity, requests, estimate)) in sums {
        let unit = if unit == "storage_bytes" {
            "storage (byte-days)".to_string()
        } else {
            unit
        };
        t.add_row(vec![
            plan.to_string(),
            unit,
            model.to_string(),
            variant.to_string(),
            count(quantity),
            count(requests),
            estimate.map_or_else(|| "no price".to_string(), money),
        ]);
    }
    println!("{t}");
    render::note(
        "  Estimates are list prices from the price table; the bill (report dashboard) is what \
         the provider charged.",
    );
}

fn print_history(events: &[SyncEvent]) {
    if events.is_empty() {
        println!("no sync yet: run `costledger sync`");
        return;
    }
    let mut t = table(
        &[
            "Event",
            "Plan",
            "Stream",
            "Status",
            "Window (UTC)",
            "Buckets",
            "Rows",
            "Requests",
            "Finished (UTC)",
        ],
        &[0, 1, 5, 6, 7],
    );
    for e in events {
        let window = match (e.window_start, e.window_end) {
            (Some(a), Some(b)) => {
                format!("{} → {}", a.format("%m-%d %H:%M"), b.format("%m-%d %H:%M"))
            }
            _ => String::new(),
        };
        let status = match (&e.error_code, &e.error_message) {
            (Some(code), Some(message)) => format!("{} [{code}] {message}", e.status),
            (Some(code), None) => format!("{} [{code}]", e.status),
            _ => e.status.to_string(),
        };
        t.add_row(vec![
            e.id.to_string(),
            e.plan_id.to_string(),
            e.stream.to_string(),
            status,
            window,
            count(e.buckets_written),
            count(e.rows_written),
            count(e.requests),
            e.finished_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ]);
    }
    println!("{t}");
}
