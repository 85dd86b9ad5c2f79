//! `costledger report billed`: the Analytics API's billed cost per day, API key, actor or
//! workspace, net and list, as the library's `billed_costs` returns it.

use std::collections::BTreeMap;

use chrono::{Datelike, TimeDelta};
use costledger::{ActorType, BilledBy, BilledCostFilter, BilledCostLine, Money};

use crate::args;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, money, table, total_row};

/// What `--by` sums by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// Per person: members, service accounts, keys themselves, federated identities.
    Actor,
    /// Per API key (Console usage has none).
    ApiKey,
    /// Per workspace.
    Workspace,
    /// Per day only.
    Day,
}

impl From<ByArg> for BilledBy {
    fn from(by: ByArg) -> Self {
        match by {
            ByArg::Actor => BilledBy::Actor,
            ByArg::ApiKey => BilledBy::ApiKey,
            ByArg::Workspace => BilledBy::Workspace,
            ByArg::Day => BilledBy::Day,
        }
    }
}

/// The report's arguments (see `ReportCommand::Billed`).
pub struct Options {
    pub by: ByArg,
    pub from: Option<String>,
    pub to: Option<String>,
    pub plans: Vec<i64>,
    pub format: crate::cli::Format,
}

pub async fn run(ctx: &Context, o: Options) -> CliResult {
    let today = ctx.now.date_naive();
    let from = match o.from {
        Some(text) => args::date("--from", &text)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match o.to {
        Some(text) => args::date("--to", &text)?,
        None => today + TimeDelta::days(1),
    };
    let filter = BilledCostFilter {
        plan_ids: o.plans,
        ..BilledCostFilter::new(from, to, o.by.into())
    };
    let lines = ctx.ledger.billed_costs(&filter).await?;
    if output::export(&lines, &o.format)? {
        return Ok(());
    }
    let what = match o.by {
        ByArg::Actor => "per actor",
        ByArg::ApiKey => "per API key",
        ByArg::Workspace => "per workspace",
        ByArg::Day => "per day",
    };
    render::heading(&format!("Billed cost {what} · {from} to {to} (UTC)"));
    print(&lines, o.by);
    Ok(())
}

/// Net, list and discount of some lines.
#[derive(Default)]
struct Sums {
    net: Money,
    list: Money,
}

/// The range's lines summed per plan and group (per plan and day with `--by day`); the
/// per-day lines of every group are in the JSON and CSV.
fn print(lines: &[BilledCostLine], by: ByArg) {
    if lines.is_empty() {
        println!(
            "no billed cost from the Analytics API in this range: the `analytics` sync stream \
             has not read it (Anthropic plans only)"
        );
        return;
    }
    // Members first, then keys themselves, service accounts, federated identities.
    let rank = |l: &BilledCostLine| l.actor.as_ref().map(|a| a.actor_type);
    let mut sums: BTreeMap<(i64, Option<ActorType>, Vec<String>), Sums> = BTreeMap::new();
    for l in lines {
        let s = sums
            .entry((l.plan_id, rank(l), group_cells(l, by)))
            .or_default();
        s.net += l.net;
        s.list += l.list;
    }
    let group_header: &[&str] = match by {
        ByArg::Actor => &["Actor", "Name", "E-mail", "Subject"],
        ByArg::ApiKey => &["API key"],
        ByArg::Workspace => &["Workspace"],
        ByArg::Day => &["Day"],
    };
    let mut header = vec!["Plan"];
    header.extend_from_slice(group_header);
    let first_amount = header.len();
    header.extend_from_slice(&["Net", "List", "Discount"]);
    let right: Vec<usize> = (first_amount..first_amount + 3).collect();
    let mut t = table(&header, &right);
    let mut total = Sums::default();
    for ((plan, _, cells), s) in &sums {
        let mut row = vec![plan.to_string()];
        row.extend(cells.iter().cloned());
        row.extend([money(s.net), money(s.list), money(s.list - s.net)]);
        t.add_row(row);
        total.net += s.net;
        total.list += s.list;
    }
    let mut row = vec!["Total".to_string()];
    row.extend(group_header.iter().map(|_| String::new()));
    row.extend([
        money(total.net),
        money(total.list),
        money(total.list - total.net),
    ]);
    t.add_row(total_row(row));
    println!("{t}");
    render::note(
        "  Basis billed: the provider's own amounts (net after the organisation's discount, \
         list at list prices), no allocation. --json gives them per day, exact.",
    );
}

fn group_cells(l: &BilledCostLine, by: ByArg) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match by {
        ByArg::Actor => match &l.actor {
            Some(a) => {
                let who = match (&a.id, &a.federated_provider, &a.federated_subject) {
                    (Some(id), _, _) => id.clone(),
                    (None, Some(p), Some(s)) => format!("{p} {s}"),
                    _ => String::new(),
                };
                let name = match (&a.name, a.deleted) {
                    (Some(n), true) => format!("{n} (former)"),
                    (None, true) => "(former member)".to_string(),
                    (n, false) => text(n),
                };
                vec![
                    format!("{} {who}", short_type(a.actor_type)),
                    name,
                    text(&a.email),
                    text(&a.subject_id),
                ]
            }
            None => vec![String::new(); 4],
        },
        ByArg::ApiKey => vec![
            l.api_key_id
                .clone()
                .unwrap_or_else(|| "(no key: Console, Workbench)".into()),
        ],
        ByArg::Workspace => vec![
            l.workspace_id
                .clone()
                .unwrap_or_else(|| costledger::reports::DEFAULT_WORKSPACE_NAME.into()),
        ],
        ByArg::Day => vec![l.day.to_string()],
    }
}

fn short_type(t: ActorType) -> &'static str {
    match t {
        ActorType::User => "member",
        ActorType::ApiKey => "key",
        ActorType::ServiceAccount => "service account",
        ActorType::Federated => "federated",
    }
}
