//! `costledger report reconcile`: the reconciliation table, one line per plan and UTC day and
//! a total line, the differences beside the three columns they explain.

use costledger::{Money, ReconcileLine, ReconcileStatus, SourceState};

use crate::render::{self, money, table, total_row};

/// An amount rounded to the cent, blank when the source has none.
fn cell(amount: Option<Money>) -> String {
    amount.map(money).unwrap_or_default()
}

/// A small difference (rounding, late data) exact to the nanodollar.
fn exact(amount: Option<Money>) -> String {
    amount.map(|m| m.to_string()).unwrap_or_default()
}

/// Why a line reads as it does.
fn status(l: &ReconcileLine) -> String {
    match l.status {
        ReconcileStatus::Reconciled => "reconciled".into(),
        ReconcileStatus::NoData => "no data from either source".into(),
        ReconcileStatus::LateData => format!(
            "late data (analytics {}, legacy {})",
            l.analytics_state, l.legacy_state
        ),
        ReconcileStatus::LegacyOnly => match (&l.analytics_state, &l.analytics_unavailable) {
            (SourceState::Unavailable, Some(why)) => format!("legacy only: {why}"),
            (SourceState::BeforeWindow, _) => {
                "legacy only: before the Analytics API's window".into()
            }
            (state, _) => format!("legacy only (analytics {state})"),
        },
    }
}

/// Sums of a column over the lines that have it; `None` when none has.
fn total(
    lines: &[ReconcileLine],
    column: impl Fn(&ReconcileLine) -> Option<Money>,
) -> Option<Money> {
    lines.iter().filter_map(column).reduce(|a, b| a + b)
}

pub fn print(lines: &[ReconcileLine]) {
    if lines.is_empty() {
        println!("no Anthropic plan to reconcile");
        return;
    }
    let mut t = table(
        &[
            "Plan",
            "Day",
            "Analytics net",
            "Analytics list",
            "Legacy",
            "Allocated",
            "Discount",
            "Priority tier",
            "Rounding",
            "Late",
            "Unallocated",
            "Status",
        ],
        &[0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    for l in lines {
        t.add_row(vec![
            l.plan_id.to_string(),
            l.day.to_string(),
            cell(l.analytics_net),
            cell(l.analytics_list),
            cell(l.legacy),
            cell(l.allocated),
            cell(l.discount),
            cell(l.priority_tier),
            exact(l.rounding),
            exact(l.late),
            cell(l.unallocated),
            status(l),
        ]);
    }
    let reconciled = lines
        .iter()
        .filter(|l| l.status == ReconcileStatus::Reconciled)
        .count();
    t.add_row(total_row(vec![
        "Total".into(),
        format!("{reconciled}/{} days reconciled", lines.len()),
        cell(total(lines, |l| l.analytics_net)),
        cell(total(lines, |l| l.analytics_list)),
        cell(total(lines, |l| l.legacy)),
        cell(total(lines, |l| l.allocated)),
        cell(total(lines, |l| l.discount)),
        cell(total(lines, |l| l.priority_tier)),
        exact(total(lines, |l| l.rounding)),
        exact(total(lines, |l| l.late)),
        cell(total(lines, |l| l.unallocated)),
        String::new(),
    ]));
    println!("{t}");
    render::note(
        "  Reconciled days: legacy + rounding + priority tier = analytics list; late days: legacy \
         + priority tier + late = analytics list;\n  analytics list − discount = analytics net; \
         allocated + unallocated = legacy. A blank cell: the source has nothing for the day.\n  \
         Totals add the days each column has. Amounts are rounded to the cent (rounding and late \
         exact); --json gives them all exact.",
    );
}
