//! Terminal output: amounts, counts, tables and the daily bar chart.
//!
//! Tables show amounts rounded to the cent; the `--json` form of every report carries them
//! exact to the nanodollar.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};
use console::style;
use costledger::{Cost, Money, NANOS_PER_CENT};

/// An amount rounded to the cent, with thousands separators: `$12,345.68`, `-$0.05`.
pub fn money(amount: Money) -> String {
    let nanos = i128::from(amount.nanos());
    let cent = i128::from(NANOS_PER_CENT);
    // Half a cent and more rounds away from zero.
    let cents = (nanos.abs() + cent / 2) / cent;
    let sign = if nanos < 0 && cents > 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", thousands(cents / 100), cents % 100)
}

/// An amount, or a dash when it is zero (sparser tables read faster).
pub fn money_or_dash(amount: Money) -> String {
    if amount == Money::ZERO {
        "—".to_string()
    } else {
        money(amount)
    }
}

/// A count with thousands separators.
pub fn count(n: impl Into<i128>) -> String {
    let n = n.into();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(n.abs()))
}

fn thousands(n: i128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A table with a bold header; the columns listed in `right` hold numbers.
pub fn table(header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(
            header
                .iter()
                .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
        );
    for &i in right {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// A row of bold cells: the total line of a table.
pub fn total_row(cells: Vec<String>) -> Vec<Cell> {
    cells
        .into_iter()
        .map(|c| Cell::new(c).add_attribute(Attribute::Bold))
        .collect()
}

/// A row whose cells are dimmed: an "other" line that sums what was not listed.
pub fn dim_row(cells: Vec<String>) -> Vec<Cell> {
    cells
        .into_iter()
        .map(|c| Cell::new(c).fg(Color::DarkGrey))
        .collect()
}

/// A section heading.
pub fn heading(text: &str) {
    println!("\n{}", style(text).bold().underlined());
}

/// A dimmed note under a table.
pub fn note(text: &str) {
    println!("{}", style(text).dim());
}

/// A green tick.
pub fn tick() -> console::StyledObject<&'static str> {
    style("✓").green().bold()
}

/// The cells of a cost split by basis: billed, estimated and total.
pub fn cost_cells(cost: &Cost) -> [String; 3] {
    [
        money_or_dash(cost.billed()),
        money_or_dash(cost.estimated),
        money(cost.total()),
    ]
}

/// One bar of the daily chart.
pub struct Bar {
    /// Its label (`Nov 09 Mon`).
    pub label: String,
    /// The cost of the day.
    pub cost: Cost,
    /// A note after the amount (`today, not billed yet`).
    pub note: Option<String>,
}

const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// A horizontal bar chart of daily costs: the billed part in solid blocks, the estimated
/// part shaded, the total at the end.
pub fn bar_chart(bars: &[Bar], width: usize) -> Vec<String> {
    let max = bars
        .iter()
        .map(|b| b.cost.total().nanos())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let label_width = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let amounts: Vec<String> = bars.iter().map(|b| money(b.cost.total())).collect();
    let amount_width = amounts.iter().map(|a| a.len()).max().unwrap_or(0);
    bars.iter()
        .zip(amounts)
        .map(|(bar, amount)| {
            // Display only: floats place the bar ends, the amount printed is exact to the cent.
            let solid = bar.cost.billed().nanos().max(0) as f64 / max * width as f64;
            let shaded = (bar.cost.estimated + bar.cost.subscription).nanos().max(0) as f64 / max
                * width as f64;
            let whole = solid.floor() as usize;
            let eighth = ((solid - solid.floor()) * 8.0).round() as usize;
            let mut billed: String = "█".repeat(whole);
            let mut used = whole;
            if eighth == 8 {
                billed.push('█');
                used += 1;
            } else if eighth > 0 {
                billed.push(EIGHTHS[eighth]);
                used += 1;
            }
            let mut shade_cells = shaded.round() as usize;
            if shade_cells == 0 && shaded > 0.0 {
                shade_cells = 1;
            }
            let estimated = "░".repeat(shade_cells);
            used += shade_cells;
            let pad = " ".repeat(width.saturating_sub(used) + 1);
            let note = bar
                .note
                .as_deref()
                .map(|n| format!("  {}", style(n).dim()))
                .unwrap_or_default();
            format!(
                "  {:<label_width$}  {}{}{pad}{:>amount_width$}{note}",
                bar.label,
                style(billed).cyan(),
                style(estimated).yellow(),
                amount,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_half_a_cent_away_from_zero() {
        assert_eq!(money(Money::from_nanos(1_234_567_895_000)), "$1,234.57");
        assert_eq!(money(Money::from_nanos(4_999_999)), "$0.00");
        assert_eq!(money(Money::from_nanos(5_000_000)), "$0.01");
        assert_eq!(money(Money::from_nanos(-50_000_000)), "-$0.05");
        assert_eq!(money(Money::from_nanos(-1)), "$0.00");
        assert_eq!(money(Money::from_cents(100_000_000)), "$1,000,000.00");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(-1_234_567), "-1,234,567");
    }

    #[test]
    fn bars_scale_to_the_largest_day() {
        let day = |billed: i64, estimated: i64| Bar {
            label: "d".into(),
            cost: Cost {
                allocated: Money::from_cents(billed),
                estimated: Money::from_cents(estimated),
                ..Cost::default()
            },
            note: None,
        };
        console::set_colors_enabled(false);
        let lines = bar_chart(&[day(1000, 0), day(500, 0), day(0, 250)], 8);
        assert!(lines[0].contains("████████ "), "{}", lines[0]);
        assert!(lines[1].contains("████ "), "{}", lines[1]);
        assert!(lines[2].contains("░░ "), "{}", lines[2]);
        assert!(lines[0].ends_with("$10.00"), "{}", lines[0]);
    }
}
