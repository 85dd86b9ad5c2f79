//! The demo's per-person billed cost: the Analytics API's own amounts for each organisation
//! member, net after the organisation's discount and at list prices, summed over the
//! dashboard's days.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use costledger::{ActorType, BilledBy, BilledCostFilter, Ledger, Money};

use crate::failure::CliResult;
use crate::render::{self, money, table, total_row};

/// Members shown, by net cost.
const TOP: usize = 6;

#[derive(Default)]
struct Person {
    name: String,
    subject: String,
    plans: Vec<i64>,
    net: Money,
    list: Money,
}

/// The members who cost the most over `[from, to)`, with their net and list amounts.
pub async fn print(ledger: &Ledger, from: NaiveDate, to: NaiveDate) -> CliResult {
    render::heading(&format!(
        "Billed per person · the Analytics API's amounts per member, {from} to {to} (UTC)"
    ));
    let lines = ledger
        .billed_costs(&BilledCostFilter::new(from, to, BilledBy::Actor))
        .await?;
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    for line in &lines {
        let Some(actor) = line
            .actor
            .as_ref()
            .filter(|a| a.actor_type == ActorType::User)
        else {
            continue;
        };
        let who = actor
            .email
            .clone()
            .or_else(|| actor.id.clone())
            .unwrap_or_default();
        let p = people.entry(who).or_default();
        p.name = actor.name.clone().unwrap_or_default();
        p.subject = actor.subject_id.clone().unwrap_or_default();
        if !p.plans.contains(&line.plan_id) {
            p.plans.push(line.plan_id);
        }
        p.net += line.net;
        p.list += line.list;
    }
    if people.is_empty() {
        println!("no member's billed cost in this range: the analytics stream has not read it");
        return Ok(());
    }
    let mut ranked: Vec<(String, Person)> = people.into_iter().collect();
    ranked.sort_by(|a, b| b.1.net.cmp(&a.1.net).then_with(|| a.0.cmp(&b.0)));
    let mut t = table(
        &[
            "Member", "Name", "Subject", "Plans", "Net", "List", "Discount",
        ],
        &[4, 5, 6],
    );
    let (mut net, mut list) = (Money::ZERO, Money::ZERO);
    let shown = ranked.len().min(TOP);
    for (email, p) in ranked.iter().take(TOP) {
        let plans: Vec<String> = p.plans.iter().map(i64::to_string).collect();
        t.add_row(vec![
            email.clone(),
            p.name.clone(),
            p.subject.clone(),
            plans.join(", "),
            money(p.net),
            money(p.list),
            money(p.list - p.net),
        ]);
        net += p.net;
        list += p.list;
    }
    t.add_row(total_row(vec![
        format!("top {shown} of {}", ranked.len()),
        String::new(),
        String::new(),
        String::new(),
        money(net),
        money(list),
        money(list - net),
    ]));
    println!("{t}");
    render::note(
        "  Basis billed: what the provider billed each member, whichever keys they used, or \
         none (Console, Claude Code); no allocation. `costledger report billed --by actor`.",
    );
    Ok(())
}

/// One reconciled day, the most recent: the three columns finance signs a month off with.
pub async fn print_reconciliation(ledger: &Ledger, from: NaiveDate, to: NaiveDate) -> CliResult {
    render::heading("Reconciliation · the Analytics API, the legacy cost report, the allocation");
    let lines = ledger
        .reconcile(&costledger::ReconcileFilter::new(from, to))
        .await?;
    let Some(l) = lines
        .iter()
        .filter(|l| l.status == costledger::ReconcileStatus::Reconciled)
        .max_by_key(|l| (l.day, std::cmp::Reverse(l.plan_id)))
    else {
        println!("no day that both sources cover completely yet");
        return Ok(());
    };
    let m = |v: Option<Money>| v.map_or_else(|| "-".to_string(), money);
    println!(
        "  plan {} · {}: analytics net {} (list {}, discount {}) · legacy cost report {} \
         (rounding {}, Priority Tier {}) · allocated {} (unallocated {})",
        l.plan_id,
        l.day,
        m(l.analytics_net),
        m(l.analytics_list),
        m(l.discount),
        m(l.legacy),
        m(l.rounding),
        m(l.priority_tier),
        m(l.allocated),
        m(l.unallocated),
    );
    render::note(
        "  legacy + rounding + Priority Tier = list; list − discount = net; allocated + \
         unallocated = legacy. Every day: `costledger report reconcile`.",
    );
    Ok(())
}
