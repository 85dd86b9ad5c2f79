//! `costledger verify`: audit the derived cost facts against the synced usage and cost, the
//! way fsck audits a disk, and repair them on request.

use costledger::VerifyReport;

use crate::args;
use crate::cli::VerifyArgs;
use crate::context::Context;
use crate::failure::{CliResult, Failure, exit};
use crate::output;
use crate::render::{self, count, money, table};

pub async fn run(ctx: &Context, a: &VerifyArgs) -> CliResult {
    let range = match (&a.from, &a.to) {
        (Some(from), Some(to)) => Some((args::date("--from", from)?, args::date("--to", to)?)),
        _ => None,
    };
    let report = ctx.ledger.verify(a.plan, range, a.repair).await?;
    if a.json {
        output::json(&report)?;
    } else {
        print_report(&report);
    }
    if report.is_consistent() {
        return Ok(());
    }
    Err(Failure {
        code: "INCONSISTENT".into(),
        message: format!(
            "{} day(s) or month(s) of stored cost facts differ from the synced usage and cost",
            report.differences()
        ),
        hint: Some("`costledger verify --repair` derives them again".into()),
        exit: exit::INCONSISTENT,
    })
}

fn print_report(report: &VerifyReport) {
    let mut plans = table(
        &["Plan", "Days", "Checked", "Pending", "Differ", "Repaired"],
        &[2, 3, 4],
    );
    for p in &report.plans {
        let range = match (p.from, p.to) {
            (Some(a), Some(b)) => format!("{a} → {b}"),
            _ => "no data".into(),
        };
        let differ = p.days.len() + p.months.len();
        let repaired = p.days.iter().filter(|d| d.repaired).count()
            + p.months.iter().filter(|m| m.repaired).count();
        plans.add_row(vec![
            format!("{} · {}", p.plan_id, p.label),
            range,
            count(p.days_checked),
            count(p.stale_days),
            count(differ as i64),
            if report.repair {
                count(repaired as i64)
            } else {
                "—".into()
            },
        ]);
    }
    println!("{plans}");
    let mut lines = table(
        &[
            "Plan",
            "Day / month",
            "Tables",
            "Stored",
            "Recomputed",
            "State",
        ],
        &[3, 4],
    );
    let state = |stale: bool, repaired: bool| {
        match (repaired, stale, report.repair) {
            (true, _, _) => "repaired",
            (false, _, true) => "still differs",
            (false, true, false) => "pending derivation",
            (false, false, false) => "differs",
        }
        .to_string()
    };
    let mut any = false;
    for p in &report.plans {
        for d in &p.days {
            any = true;
            lines.add_row(vec![
                p.plan_id.to_string(),
                d.date.to_string(),
                d.tables.join(", "),
                money(d.stored.usage()),
                money(d.recomputed.usage()),
                state(d.stale, d.repaired),
            ]);
        }
        for m in &p.months {
            any = true;
            lines.add_row(vec![
                p.plan_id.to_string(),
                m.month.format("%Y-%m").to_string(),
                m.tables.join(", "),
                money(m.stored.usage()),
                money(m.recomputed.usage()),
                state(false, m.repaired),
            ]);
        }
    }
    if any {
        println!("{lines}");
    } else {
        println!(
            "{} every derived fact matches the synced usage and cost",
            render::tick()
        );
    }
}
