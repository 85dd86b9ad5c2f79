//! The dashboard in a terminal: where the money went, on which basis, day by day.

use chrono::{Datelike, Days, NaiveDate};
use costledger::reports::DayCost;
use costledger::{BudgetStatus, Cost, Dashboard, Money, Period, PlanStatus, Provider};

use crate::render::{self, Bar, bar_chart, cost_cells, count, money, money_or_dash, table};

/// What the printed dashboard shows beyond the report itself.
pub struct View {
    /// Heading of the whole dashboard.
    pub title: String,
    /// Bars in the daily chart (the last days of the period up to today).
    pub chart_days: usize,
    /// Today in the period's time zone: later dates are left out of the chart.
    pub today: NaiveDate,
    /// Rows of the workspace table before the rest is summed into one line.
    pub workspaces: usize,
}

/// `2026-10-24 → 2026-11-22 (UTC)`: the period's first and last dates (`2026-11 (UTC)` for
/// a whole month).
pub fn period_text(period: &Period) -> String {
    let last = period.end - Days::new(1);
    let whole_month = period.start.day() == 1
        && last.month() == period.start.month()
        && (last + Days::new(1)).day() == 1;
    let range = if whole_month {
        period.start.format("%Y-%m").to_string()
    } else if last == period.start {
        period.start.to_string()
    } else {
        format!("{} → {last}", period.start)
    };
    format!("{range} ({})", period.time_zone.name())
}

/// Whether a plan reads Claude Code's logs: no bill, no workspaces, no users.
fn is_logs(provider: Provider) -> bool {
    provider == Provider::ClaudeCodeLogs
}

/// Print the dashboard, and where the budgets stand. A dashboard of Claude Code logs plans
/// only leaves out what logs cannot have (the bill, workspaces, users).
pub fn print(d: &Dashboard, budgets: &[BudgetStatus], view: &View) {
    let logs_only = !d.per_plan.is_empty() && d.per_plan.iter().all(|p| is_logs(p.provider));
    render::heading(&format!("{} · {}", view.title, period_text(&d.period)));
    if logs_only {
        print_logs_basis(&d.totals);
    } else {
        print_basis(&d.totals);
    }
    print_plans(d, !logs_only);
    if !logs_only {
        print_workspaces(d, view.workspaces);
    }
    print_models(d, !logs_only);
    if !logs_only {
        print_users(d);
    }
    if !budgets.is_empty() {
        render::heading("Budgets · current periods");
        crate::budgets::print_statuses(budgets);
    }
    print_days_legend(&d.daily, view.today, view.chart_days, "Last", !logs_only);
    if let Some(plan) = d.per_plan.iter().find(|p| is_logs(p.provider)) {
        render::note(&format!(
            "  Claude Code logs are priced here by the hour at standard rates; `costledger logs \
             daily --plan {}` prices each request (fast mode, long context, costUSD)",
            plan.plan_id
        ));
    }
    if !d.missing_prices.is_empty() {
        let tokens: i64 = d.missing_prices.iter().map(|m| m.tokens).sum();
        render::note(&format!(
            "  {} tokens of {} model(s) have no price in the price table: their cost is unknown, \
             not zero (see docs/pricing.md)",
            count(tokens),
            d.missing_prices.len()
        ));
    }
    render::note("\nAmounts are rounded to the cent; --json gives them exact to the nanodollar.");
}

fn print_basis(totals: &Cost) {
    let line = |label: &str, amount: Money, what: &str| {
        println!(
            "  {label:<16}{:>14}   {}",
            money(amount),
            console::style(what).dim()
        );
    };
    println!();
    println!(
        "  {:<16}{:>14}",
        console::style("Total").bold(),
        console::style(money(totals.total())).bold()
    );
    line("  billed", totals.billed(), "the provider's bill, exact");
    if totals.billed_per_key != Money::ZERO {
        line(
            "    per key",
            totals.billed_per_key,
            "billed to each key and person by the provider",
        );
    }
    line(
        "    allocated",
        totals.allocated,
        "split across API keys by their tokens",
    );
    line(
        "    unallocated",
        totals.unallocated,
        "no usage to split it by: code execution",
    );
    line(
        "  estimated",
        totals.estimated,
        "price table: priority tier, hours not billed yet",
    );
    if totals.subscription != Money::ZERO {
        line(
            "  subscriptions",
            totals.subscription,
            "fixed fees prorated to the period",
        );
    }
}

fn print_logs_basis(totals: &Cost) {
    println!();
    println!(
        "  {:<16}{:>14}   {}",
        console::style("Total").bold(),
        console::style(money(totals.total())).bold(),
        console::style("estimated from Claude Code's logs at list prices: no bill").dim()
    );
    if totals.subscription != Money::ZERO {
        println!(
            "  {:<16}{:>14}   {}",
            "  subscriptions",
            money(totals.subscription),
            console::style("fixed fees prorated to the period").dim()
        );
    }
}

fn print_plans(d: &Dashboard, billed: bool) {
    let subscriptions = d.totals.subscription != Money::ZERO;
    let mut header = vec!["Plan", "Provider", "Billed", "Estimated"];
    if !billed {
        header.remove(2);
    }
    if subscriptions {
        header.push("Subscription");
    }
    header.push("Total");
    let right: Vec<usize> = (2..header.len()).collect();
    let mut t = table(&header, &right);
    let row = |label: String, provider: String, cost: &Cost| {
        let [billed, estimated, total] = cost_cells(cost);
        let mut cells = vec![label, provider, billed, estimated];
        if subscriptions {
            cells.push(money_or_dash(cost.subscription));
        }
        cells.push(total);
        cells
    };
    // Without anything billed, the billed cell (after plan and provider) is left out.
    let row = |label: String, provider: String, cost: &Cost| {
        let mut cells = row(label, provider, cost);
        if !billed {
            cells.remove(2);
        }
        cells
    };
    for p in &d.per_plan {
        let label = match p.status {
            PlanStatus::Active => format!("{} · {}", p.plan_id, p.label),
            status => format!("{} · {} ({status})", p.plan_id, p.label),
        };
        let provider = costledger::provider_info(p.provider).name;
        t.add_row(row(label, provider, &p.cost));
    }
    t.add_row(render::total_row(row(
        "Total".into(),
        String::new(),
        &d.totals,
    )));
    render::heading("Per plan");
    println!("{t}");
}

fn print_workspaces(d: &Dashboard, shown: usize) {
    let mut t = table(&["Workspace", "Billed", "Estimated", "Total"], &[1, 2, 3]);
    let mut rest = Cost::default();
    for (i, w) in d.per_workspace.iter().enumerate() {
        if i < shown {
            let [b, e, total] = cost_cells(&w.cost);
            t.add_row(vec![w.name.clone(), b, e, total]);
        } else {
            rest += w.cost;
        }
    }
    let hidden = d.per_workspace.len().saturating_sub(shown);
    if hidden > 0 {
        let [b, e, total] = cost_cells(&rest);
        t.add_row(render::dim_row(vec![
            format!("{hidden} more workspaces"),
            b,
            e,
            total,
        ]));
    }
    let usage = Cost {
        subscription: Money::ZERO,
        ..d.totals
    };
    let [b, e, total] = cost_cells(&usage);
    t.add_row(render::total_row(vec!["Total".into(), b, e, total]));
    render::heading("Per workspace");
    println!("{t}");
}

fn print_models(d: &Dashboard, billed: bool) {
    // Model, input and output tokens, then the cost cells (billed left out when nothing can
    // be billed).
    let cells = |name: String, input: i64, output: i64, [b, e, total]: [String; 3]| {
        let mut row = vec![name, count(input), count(output)];
        if billed {
            row.push(b);
        }
        row.extend([e, total]);
        row
    };
    let mut header = vec![
        "Model",
        "Input tokens",
        "Output tokens",
        "Billed",
        "Estimated",
        "Total",
    ];
    if !billed {
        header.remove(3);
    }
    let right: Vec<usize> = (1..header.len()).collect();
    let mut t = table(&header, &right);
    for m in &d.per_model {
        let mut costs = cost_cells(&m.cost);
        let name = if m.model.is_empty() {
            "(no model: code execution)".to_string()
        } else if m.cost_unknown {
            format!("{} (no price: cost unknown)", m.model)
        } else {
            m.model.clone()
        };
        if m.cost_unknown {
            // What is known, marked incomplete; a model without any price shows no amount.
            for cell in &mut costs {
                *cell = if m.cost.is_zero() {
                    "unknown".to_string()
                } else {
                    format!("{cell}+?")
                };
            }
        }
        t.add_row(cells(name, m.tokens.total_input(), m.tokens.output, costs));
    }
    let usage = Cost {
        subscription: Money::ZERO,
        ..d.totals
    };
    let input: i64 = d.per_model.iter().map(|m| m.tokens.total_input()).sum();
    let output: i64 = d.per_model.iter().map(|m| m.tokens.output).sum();
    t.add_row(render::total_row(cells(
        "Total".into(),
        input,
        output,
        cost_cells(&usage),
    )));
    render::heading("Per model");
    println!("{t}");
}

fn print_users(d: &Dashboard) {
    let mut t = table(
        &["User", "Email", "Billed", "Estimated", "Total"],
        &[2, 3, 4],
    );
    let mut listed = Cost::default();
    for s in &d.top_subjects {
        listed += s.cost;
        let [b, e, total] = cost_cells(&s.cost);
        let who = s
            .email
            .clone()
            .or_else(|| s.name.clone())
            .unwrap_or_default();
        t.add_row(vec![s.subject_id.clone(), who, b, e, total]);
    }
    let usage = Cost {
        subscription: Money::ZERO,
        ..d.totals
    };
    // Users below the top of the list: what the totals hold beyond the listed lines.
    let others = Cost {
        billed_per_key: usage.billed_per_key
            - listed.billed_per_key
            - d.unattributed.billed_per_key,
        allocated: usage.allocated - listed.allocated - d.unattributed.allocated,
        unallocated: usage.unallocated - listed.unallocated - d.unattributed.unallocated,
        estimated: usage.estimated - listed.estimated - d.unattributed.estimated,
        subscription: Money::ZERO,
    };
    if !others.is_zero() {
        let [b, e, total] = cost_cells(&others);
        t.add_row(render::dim_row(vec![
            "other users".into(),
            String::new(),
            b,
            e,
            total,
        ]));
    }
    let [b, e, total] = cost_cells(&d.unattributed);
    t.add_row(render::dim_row(vec![
        "unattributed".into(),
        "Console, unmapped keys, unallocated".into(),
        b,
        e,
        total,
    ]));
    let [b, e, total] = cost_cells(&usage);
    t.add_row(render::total_row(vec![
        "Total".into(),
        String::new(),
        b,
        e,
        total,
    ]));
    render::heading("Top users");
    println!("{t}");
}

/// The daily bar chart of up to `most` days ending today (later dates are left out); the
/// heading is `{title} N days`.
pub fn print_days(daily: &[DayCost], today: NaiveDate, most: usize, title: &str) {
    print_days_legend(daily, today, most, title, true);
}

/// [`print_days`], with the legend's billed mark only when something can be billed.
fn print_days_legend(daily: &[DayCost], today: NaiveDate, most: usize, title: &str, billed: bool) {
    let days: Vec<&DayCost> = daily.iter().filter(|day| day.date <= today).collect();
    let first = days.len().saturating_sub(most);
    let bars: Vec<Bar> = days[first..]
        .iter()
        .map(|day| Bar {
            label: day.date.format("%b %d %a").to_string(),
            cost: day.cost,
            note: (day.date == today).then(|| "today so far".to_string()),
        })
        .collect();
    if bars.is_empty() {
        return;
    }
    render::heading(&format!("{title} {} days", bars.len()));
    if billed {
        println!(
            "  {} billed   {} estimated",
            console::style("█").cyan(),
            console::style("░").yellow()
        );
    } else {
        println!("  {} estimated", console::style("░").yellow());
    }
    for line in bar_chart(&bars, 40) {
        println!("{line}");
    }
}
