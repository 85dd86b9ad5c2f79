//! `costledger budgets …`: limits on usage cost per day, week or month, and where they stand.

use costledger::{Budget, BudgetAlert, BudgetStatus, BudgetUpdate, NewBudget};

use crate::args;
use crate::cli::BudgetsCommand;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, money, table};

pub async fn run(ctx: &Context, command: BudgetsCommand) -> CliResult {
    let ledger = &ctx.ledger;
    match command {
        BudgetsCommand::Add {
            name,
            scope,
            every,
            amount,
            mirror_limit,
            plan,
            alerts,
            no_alerts,
            time_zone,
            json,
        } => {
            let period = args::parse("--every", &every)?;
            let mut budget = match (mirror_limit, plan, amount) {
                (Some(limit), Some(plan), _) => {
                    NewBudget::mirroring(name, plan, args::parse("--mirror-limit", &limit)?, period)
                }
                (_, _, amount) => NewBudget::new(
                    name,
                    args::scope(&scope)?,
                    args::dollars("--amount", amount.as_deref().unwrap_or_default())?,
                    period,
                ),
            }
            .time_zone(time_zone);
            if no_alerts {
                budget = budget.thresholds(Vec::new());
            } else if !alerts.is_empty() {
                budget = budget.thresholds(alerts);
            }
            let b = ledger.create_budget(budget).await?;
            if json {
                return output::json(&b);
            }
            println!(
                "{} budget {} {:?}: {} per {} on {}, alerts at {}",
                render::tick(),
                b.id,
                b.name,
                money(b.amount),
                b.period,
                b.scope,
                thresholds(&b)
            );
            if let Some(m) = &b.mirror {
                println!(
                    "  mirrors the {} {} spend limit of plan {}: each sync refreshes its amount",
                    b.period.spend_period(),
                    m.scope,
                    m.plan_id
                );
            }
            println!("  `costledger report budgets` shows where it stands");
        }
        BudgetsCommand::List { json } => {
            let budgets = ledger.list_budgets().await?;
            if json {
                return output::json(&budgets);
            }
            if budgets.is_empty() {
                println!(
                    "no budgets yet: `costledger budgets add --name … --amount …` creates one"
                );
                return Ok(());
            }
            let mut t = table(
                &[
                    "ID",
                    "Name",
                    "Scope",
                    "Limit",
                    "Every",
                    "Time zone",
                    "Alerts at",
                ],
                &[0, 3],
            );
            for b in &budgets {
                t.add_row(vec![
                    b.id.to_string(),
                    b.name.clone(),
                    b.scope.to_string(),
                    money(b.amount),
                    b.period.to_string(),
                    b.time_zone.clone(),
                    thresholds(b),
                ]);
            }
            println!("{t}");
        }
        BudgetsCommand::Update {
            id,
            name,
            amount,
            every,
            alerts,
            no_alerts,
            time_zone,
            json,
        } => {
            let update = BudgetUpdate {
                name,
                amount: amount.map(|a| args::dollars("--amount", &a)).transpose()?,
                period: every.map(|e| args::parse("--every", &e)).transpose()?,
                time_zone,
                thresholds: if no_alerts {
                    Some(Vec::new())
                } else {
                    (!alerts.is_empty()).then_some(alerts)
                },
            };
            let b = ledger.update_budget(id, update).await?;
            if json {
                return output::json(&b);
            }
            println!(
                "{} budget {} {:?}: {} per {} on {}, alerts at {}",
                render::tick(),
                b.id,
                b.name,
                money(b.amount),
                b.period,
                b.scope,
                thresholds(&b)
            );
        }
        BudgetsCommand::Delete { id } => {
            ledger.delete_budget(id).await?;
            println!("{} deleted budget {id}", render::tick());
        }
    }
    Ok(())
}

fn thresholds(b: &Budget) -> String {
    if b.thresholds.is_empty() {
        return "none".into();
    }
    b.thresholds
        .iter()
        .map(|t| format!("{t}%"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `███████░░░  73%`: a ten-cell gauge of the share of the limit used.
fn gauge(percent: f64) -> String {
    let cells = ((percent / 10.0).round().clamp(0.0, 10.0)) as usize;
    let bar = format!("{}{}", "█".repeat(cells), "░".repeat(10 - cells));
    let bar = if percent >= 100.0 {
        console::style(bar).red().to_string()
    } else if percent >= 80.0 {
        console::style(bar).yellow().to_string()
    } else {
        console::style(bar).green().to_string()
    };
    format!("{bar} {percent:>4.0}%")
}

/// The budgets table: each budget's current period, spent, limit, forecast and alerts.
pub fn print_statuses(statuses: &[BudgetStatus]) {
    if statuses.is_empty() {
        println!("no budgets yet: `costledger budgets add --name … --amount …` creates one");
        return;
    }
    let mut t = table(
        &["Budget", "Period", "Spent", "Limit", "Used", "Forecast"],
        &[2, 3, 5],
    );
    for s in statuses {
        let projected = s.forecast.projected;
        let mut forecast = if projected > s.budget.amount {
            format!("{} (over)", money(projected))
        } else {
            money(projected)
        };
        let mut limit = money(s.budget.amount);
        if let Some(p) = &s.provider_limit {
            limit = match p.amount {
                Some(a) => format!("{}\nprovider {}", money(s.budget.amount), money(a)),
                None => format!(
                    "{}\nprovider: {}",
                    money(s.budget.amount),
                    provider_state(p)
                ),
            };
            if p.forecast_over_provider_limit {
                forecast.push_str("\nover provider limit");
                if let Some(day) = p.crosses_on {
                    forecast.push_str(&format!(" on {day}"));
                }
            }
        }
        let reached = if s.thresholds_crossed.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = s
                .thresholds_crossed
                .iter()
                .map(|t| format!("{t}%"))
                .collect();
            format!("\nreached {}", list.join(" "))
        };
        t.add_row(vec![
            format!("{} · {}\n{}", s.budget.id, s.budget.name, s.budget.scope),
            format!(
                "{}\nper {}",
                crate::dashboard::period_text(&s.period),
                s.budget.period
            ),
            money(s.spent.usage()),
            limit,
            format!("{}{reached}", gauge(s.percent_used)),
            forecast,
        ]);
    }
    println!("{t}");
    render::note(
        "Spent is usage cost (billed + estimated) in each budget's current period; the forecast \
         adds the recent daily run rate for the time left (--json states each method).",
    );
}

/// Why a mirrored budget shows no provider amount.
fn provider_state(p: &costledger::ProviderLimitStatus) -> &'static str {
    match p.state {
        costledger::ProviderLimitState::Present => "present",
        costledger::ProviderLimitState::NoCap => "no cap",
        costledger::ProviderLimitState::Missing => "gone at the provider",
        costledger::ProviderLimitState::NotSynced => "not synced yet",
    }
}

/// The alerts a sync returned, one line each (each threshold alerts once per period).
pub fn print_alerts(alerts: &[BudgetAlert]) {
    for a in alerts {
        println!(
            "  {} budget {} {:?} reached {}% of {} for {}: {} spent",
            console::style("⚠").yellow().bold(),
            a.budget_id,
            a.name,
            a.threshold,
            money(a.amount),
            crate::dashboard::period_text(&a.period),
            money(a.spent)
        );
    }
}
