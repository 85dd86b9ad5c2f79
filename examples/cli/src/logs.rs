//! `costledger logs daily|weekly|monthly|session|blocks`: the reports a Claude Code user
//! knows from ccusage, read from a `claude_code_logs` plan's synced entries (exact in any
//! time zone: the core cuts days from quarter-hour sums).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use costledger::source::claude_code_logs::{
    LogBlockUsage, LogModelUsage, LogPeriodUsage, LogReportOptions, LogSessionUsage, LogUsage,
};
use costledger::{ListPlans, Money, PlanStatus, Provider, SyncOptions, TokenCounts};
use serde::Serialize;

use crate::cli::{LogsArgs, LogsCommand, Order};
use crate::context::Context;
use crate::failure::{CliResult, Failure};
use crate::output;
use crate::render::{self, count, money, table};

/// The report a `logs` subcommand asks for, and its arguments.
fn split(command: &LogsCommand) -> (&'static str, &LogsArgs) {
    match command {
        LogsCommand::Daily(a) => ("daily", a),
        LogsCommand::Weekly(a) => ("weekly", a),
        LogsCommand::Monthly(a) => ("monthly", a),
        LogsCommand::Session(a) => ("sessions", a),
        LogsCommand::Blocks(a) => ("blocks", a),
    }
}

/// A day of `--since`/`--until`: `2026-01-05` or ccusage's `20260105`.
fn day(option: &str, text: &str) -> CliResult<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y%m%d"))
        .map_err(|_| {
            Failure::usage(format!(
                "{option} must be a day such as 2026-01-05 (or 20260105), got {text:?}"
            ))
        })
}

/// The time zone of `--timezone`, else of `TZ` when it names an IANA zone, else UTC.
fn zone(args: &LogsArgs) -> CliResult<Tz> {
    match args.timezone.as_deref() {
        Some(name) => name.trim().parse::<Tz>().map_err(|_| {
            Failure::usage(format!(
                "--timezone must be an IANA time zone such as Europe/Paris or Asia/Kolkata, \
                 got {name:?}"
            ))
        }),
        None => Ok(std::env::var("TZ")
            .ok()
            .and_then(|tz| tz.trim().trim_start_matches(':').parse::<Tz>().ok())
            .unwrap_or(Tz::UTC)),
    }
}

/// The report options `args` describe, checked before the database is opened.
pub fn options(command: &LogsCommand) -> CliResult<LogReportOptions> {
    let (_, args) = split(command);
    let options = LogReportOptions {
        time_zone: Some(zone(args)?.name().to_string()),
        since: args
            .since
            .as_deref()
            .map(|d| day("--since", d))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| day("--until", d))
            .transpose()?,
        project: args.project.clone(),
    };
    if let (Some(since), Some(until)) = (options.since, options.until)
        && since > until
    {
        return Err(Failure::usage(format!(
            "--since ({since}) must not be after --until ({until})"
        )));
    }
    Ok(options)
}

/// The plan of `--plan`, or the only `claude_code_logs` plan.
async fn plan_id(ctx: &Context, plan: Option<i64>) -> CliResult<i64> {
    if let Some(id) = plan {
        return Ok(id);
    }
    let plans: Vec<_> = ctx
        .ledger
        .list_plans(ListPlans::default())
        .await?
        .into_iter()
        .filter(|p| p.provider == Provider::ClaudeCodeLogs && p.status != PlanStatus::Disconnected)
        .collect();
    match plans.as_slice() {
        [plan] => Ok(plan.id),
        [] => Err(
            Failure::usage("no claude_code_logs plan to report on").hint(
                "add one with `costledger plans add --label \"My Max plan\" --claude-code-logs`, \
             then `costledger sync`",
            ),
        ),
        several => Err(Failure::usage(format!(
            "{} claude_code_logs plans ({}): say which with --plan ID",
            several.len(),
            several
                .iter()
                .map(|p| format!("{} · {}", p.id, p.label))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub async fn run(ctx: &Context, command: LogsCommand) -> CliResult {
    let options = options(&command)?;
    let (report, args) = split(&command);
    let plan = plan_id(ctx, args.plan).await?;
    let ledger = &ctx.ledger;
    if args.sync {
        let result = ledger.sync(SyncOptions::default().plan(plan)).await?;
        crate::sync::incomplete(&result)?;
    }
    let tz: Tz = options
        .time_zone
        .as_deref()
        .unwrap_or("UTC")
        .parse()
        .unwrap_or(Tz::UTC);
    let desc = args.order == Order::Desc;
    let header = Header {
        report,
        plan_id: plan,
        time_zone: tz.name().to_string(),
        since: options.since,
        until: options.until,
        project: options.project.clone(),
    };
    match &command {
        LogsCommand::Daily(_) | LogsCommand::Weekly(_) | LogsCommand::Monthly(_) => {
            let mut rows = match command {
                LogsCommand::Daily(_) => ledger.claude_code_logs_daily(plan, &options).await?,
                LogsCommand::Weekly(_) => ledger.claude_code_logs_weekly(plan, &options).await?,
                _ => ledger.claude_code_logs_monthly(plan, &options).await?,
            };
            if desc {
                rows.reverse();
            }
            let totals = sum(rows.iter().map(|r| &r.usage));
            if args.json {
                return output::json(&Json {
                    header,
                    rows: &rows,
                    totals,
                });
            }
            print_periods(&header, &rows, &totals, args.breakdown);
        }
        LogsCommand::Session(_) => {
            let mut rows = ledger.claude_code_logs_sessions(plan, &options).await?;
            rows.sort_by(|a, b| {
                a.last_at
                    .cmp(&b.last_at)
                    .then_with(|| (&a.project, &a.session).cmp(&(&b.project, &b.session)))
            });
            if desc {
                rows.reverse();
            }
            let totals = sum(rows.iter().map(|r| &r.usage));
            if args.json {
                return output::json(&Json {
                    header,
                    rows: &rows,
                    totals,
                });
            }
            print_sessions(&header, &rows, &totals, tz, args.breakdown);
        }
        LogsCommand::Blocks(_) => {
            let blocks = ledger.claude_code_logs_blocks(plan, &options).await?;
            let mut rows: Vec<Block> = blocks.into_iter().map(|b| Block::new(b, ctx.now)).collect();
            if desc {
                rows.reverse();
            }
            let totals = sum(rows.iter().map(|r| &r.block.usage));
            if args.json {
                return output::json(&Json {
                    header,
                    rows: &rows,
                    totals,
                });
            }
            print_blocks(&header, &rows, &totals, tz, ctx.now, args.breakdown);
        }
    }
    Ok(())
}

/// What a report covers, at the top of its JSON.
#[derive(Serialize)]
struct Header {
    report: &'static str,
    plan_id: i64,
    time_zone: String,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    project: Option<String>,
}

/// A report as `--json` prints it: what it covers, its rows (under `daily`, `weekly`,
/// `monthly`, `sessions` or `blocks`) and their totals.
struct Json<'a, T> {
    header: Header,
    rows: &'a [T],
    totals: LogUsage,
}

impl<T: Serialize> Serialize for Json<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let h = &self.header;
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("report", h.report)?;
        map.serialize_entry("plan_id", &h.plan_id)?;
        map.serialize_entry("time_zone", &h.time_zone)?;
        map.serialize_entry("since", &h.since)?;
        map.serialize_entry("until", &h.until)?;
        map.serialize_entry("project", &h.project)?;
        map.serialize_entry(h.report, self.rows)?;
        map.serialize_entry("totals", &self.totals)?;
        map.end()
    }
}

/// The usage of several groups together: a model without a price in any of them has no cost
/// in the sum (never a partial one); the total cost counts what has a price.
fn sum<'a>(groups: impl Iterator<Item = &'a LogUsage>) -> LogUsage {
    let mut total = LogUsage::default();
    for g in groups {
        total.entries += g.entries;
        total.tokens.add(&g.tokens);
        total.estimated_cost += g.estimated_cost;
        for m in &g.models {
            match total.models.iter_mut().find(|t| t.model == m.model) {
                Some(t) => {
                    t.entries += m.entries;
                    t.tokens.add(&m.tokens);
                    t.estimated_cost = t.estimated_cost.zip(m.estimated_cost).map(|(a, b)| a + b);
                }
                None => total.models.push(m.clone()),
            }
        }
    }
    total.models.sort_by(|a, b| a.model.cmp(&b.model));
    total.missing_prices = total
        .models
        .iter()
        .filter(|m| m.estimated_cost.is_none())
        .map(|m| m.model.clone())
        .collect();
    total
}

/// A block with what the CLI adds: its burn rate and, while it runs, where it is heading.
#[derive(Serialize)]
struct Block {
    #[serde(flatten)]
    block: LogBlockUsage,
    /// Tokens per minute and dollars per hour between its first and last entry.
    burn_rate: Option<BurnRate>,
    /// The active block's tokens and cost at its end if it keeps burning at that rate.
    projection: Option<Projection>,
}

#[derive(Serialize)]
struct BurnRate {
    tokens_per_minute: i64,
    cost_per_hour: Money,
}

#[derive(Serialize)]
struct Projection {
    remaining_minutes: i64,
    tokens: i64,
    estimated_cost: Money,
}

/// `value * num / den`, rounded down, in integers (exact for money).
fn scale(value: i64, num: i64, den: i64) -> i64 {
    (i128::from(value) * i128::from(num) / i128::from(den)) as i64
}

fn total_tokens(t: &TokenCounts) -> i64 {
    t.total_input() + t.output
}

impl Block {
    fn new(block: LogBlockUsage, now: DateTime<Utc>) -> Block {
        let span = (block.last_at - block.first_at).num_milliseconds();
        let tokens = total_tokens(&block.usage.tokens);
        let cost = block.usage.estimated_cost.nanos();
        let burn_rate = (span > 0).then(|| BurnRate {
            tokens_per_minute: scale(tokens, 60_000, span),
            cost_per_hour: Money::from_nanos(scale(cost, 3_600_000, span)),
        });
        let projection = match (&burn_rate, block.active) {
            (Some(_), true) => {
                let remaining = (block.end - now).num_milliseconds().max(0);
                Some(Projection {
                    remaining_minutes: remaining / 60_000,
                    tokens: tokens + scale(tokens, remaining, span),
                    estimated_cost: Money::from_nanos(cost + scale(cost, remaining, span)),
                })
            }
            _ => None,
        };
        Block {
            block,
            burn_rate,
            projection,
        }
    }
}

const TOKEN_HEADER: [&str; 6] = [
    "Input",
    "Output",
    "Cache Create",
    "Cache Read",
    "Total Tokens",
    "Cost (USD)",
];

/// The token and cost cells of a usage: a cost with a `*` when a model in it has no price.
fn usage_cells(u: &LogUsage) -> Vec<String> {
    let mut cost = money(u.estimated_cost);
    if !u.missing_prices.is_empty() {
        cost.push('*');
    }
    let mut cells = token_cells(&u.tokens);
    cells.push(cost);
    cells
}

fn token_cells(t: &TokenCounts) -> Vec<String> {
    vec![
        count(t.uncached_input),
        count(t.output),
        count(t.cache_write_5m + t.cache_write_1h),
        count(t.cache_read),
        count(total_tokens(t)),
    ]
}

/// A model's line under its group (`--breakdown`): its cost, or `no price`.
fn model_cells(first: usize, m: &LogModelUsage) -> Vec<String> {
    let mut cells = vec![String::new(); first];
    cells[first - 1] = format!("└ {}", m.model);
    cells.extend(token_cells(&m.tokens));
    cells.push(m.estimated_cost.map_or_else(|| "no price".into(), money));
    cells
}

fn models_text(u: &LogUsage) -> String {
    u.models
        .iter()
        .map(|m| format!("- {}", short_model(&m.model)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `claude-sonnet-4-5-20250929` → `sonnet-4-5`, as ccusage shows models.
fn short_model(model: &str) -> &str {
    let name = model.strip_prefix("claude-").unwrap_or(model);
    match name.rsplit_once('-') {
        Some((head, date)) if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => name,
    }
}

fn title(h: &Header, what: &str) {
    let mut text = format!(
        "Claude Code usage {what} · plan {} · {}",
        h.plan_id, h.time_zone
    );
    if let Some(p) = &h.project {
        text.push_str(&format!(" · project {p}"));
    }
    match (h.since, h.until) {
        (Some(a), Some(b)) => text.push_str(&format!(" · {a} → {b}")),
        (Some(a), None) => text.push_str(&format!(" · from {a}")),
        (None, Some(b)) => text.push_str(&format!(" · until {b}")),
        (None, None) => {}
    }
    render::heading(&text);
}

fn footer(totals: &LogUsage) {
    if !totals.missing_prices.is_empty() {
        render::note(&format!(
            "* no price for {}: their tokens are counted, their cost is in no total",
            totals.missing_prices.join(", ")
        ));
    }
    render::note(
        "Costs are estimates at list prices (the logs carry no bill); --json gives them exact \
         to the nanodollar.",
    );
}

fn print_periods(h: &Header, rows: &[LogPeriodUsage], totals: &LogUsage, breakdown: bool) {
    let (what, label) = match h.report {
        "weekly" => ("per week (Monday to Sunday)", "Week"),
        "monthly" => ("per month", "Month"),
        _ => ("per day", "Date"),
    };
    title(h, what);
    if rows.is_empty() {
        println!("no usage in this range: run `costledger sync` (or add --sync) to read new logs");
        return;
    }
    let mut header = vec![label, "Models"];
    header.extend(TOKEN_HEADER);
    let mut t = table(&header, &(2..header.len()).collect::<Vec<_>>());
    for r in rows {
        let mut cells = vec![r.period.clone(), models_text(&r.usage)];
        cells.extend(usage_cells(&r.usage));
        t.add_row(cells);
        if breakdown {
            for m in &r.usage.models {
                t.add_row(render::dim_row(model_cells(2, m)));
            }
        }
    }
    let mut cells = vec!["Total".to_string(), String::new()];
    cells.extend(usage_cells(totals));
    t.add_row(render::total_row(cells));
    println!("{t}");
    footer(totals);
}

fn print_sessions(
    h: &Header,
    rows: &[LogSessionUsage],
    totals: &LogUsage,
    tz: Tz,
    breakdown: bool,
) {
    title(h, "per session");
    if rows.is_empty() {
        println!("no usage in this range: run `costledger sync` (or add --sync) to read new logs");
        return;
    }
    let mut header = vec!["Project", "Session", "Models"];
    header.extend(TOKEN_HEADER);
    header.push("Last Activity");
    let mut t = table(&header, &(3..header.len() - 1).collect::<Vec<_>>());
    for r in rows {
        let mut cells = vec![r.project.clone(), r.session.clone(), models_text(&r.usage)];
        cells.extend(usage_cells(&r.usage));
        cells.push(
            r.last_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        );
        t.add_row(cells);
        if breakdown {
            for m in &r.usage.models {
                let mut cells = model_cells(3, m);
                cells.push(String::new());
                t.add_row(render::dim_row(cells));
            }
        }
    }
    let mut cells = vec!["Total".to_string(), String::new(), String::new()];
    cells.extend(usage_cells(totals));
    cells.push(String::new());
    t.add_row(render::total_row(cells));
    println!("{t}");
    footer(totals);
}

fn print_blocks(
    h: &Header,
    rows: &[Block],
    totals: &LogUsage,
    tz: Tz,
    now: DateTime<Utc>,
    breakdown: bool,
) {
    title(h, "per 5-hour block");
    if rows.is_empty() {
        println!("no usage in this range: run `costledger sync` (or add --sync) to read new logs");
        return;
    }
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let mut header = vec!["Block Start", "Status", "Models"];
    header.extend(TOKEN_HEADER);
    let mut t = table(&header, &(3..header.len()).collect::<Vec<_>>());
    for r in rows {
        let b = &r.block;
        let status = if b.active {
            let left = (b.end - now).num_minutes().max(0);
            format!("ACTIVE\n{}h {:02}m left", left / 60, left % 60)
        } else {
            let span = (b.last_at - b.first_at).num_minutes();
            format!("{}h {:02}m", span / 60, span % 60)
        };
        let mut cells = vec![local(b.start), status, models_text(&b.usage)];
        cells.extend(usage_cells(&b.usage));
        t.add_row(cells);
        if breakdown {
            for m in &b.usage.models {
                t.add_row(render::dim_row(model_cells(3, m)));
            }
        }
    }
    let mut cells = vec!["Total".to_string(), String::new(), String::new()];
    cells.extend(usage_cells(totals));
    t.add_row(render::total_row(cells));
    println!("{t}");
    for r in rows.iter().filter(|r| r.block.active) {
        let b = &r.block;
        println!(
            "\n  Active block {} → {}",
            local(b.start),
            b.end.with_timezone(&tz).format("%H:%M")
        );
        match &r.burn_rate {
            Some(rate) => println!(
                "  burn rate      {} tokens/min · {}/hour",
                count(rate.tokens_per_minute),
                money(rate.cost_per_hour)
            ),
            None => println!("  burn rate      — (a single entry so far)"),
        }
        if let Some(p) = &r.projection {
            println!(
                "  projected      {} tokens · {} at the block's end ({}h {:02}m left)",
                count(p.tokens),
                money(p.estimated_cost),
                p.remaining_minutes / 60,
                p.remaining_minutes % 60
            );
        }
    }
    footer(totals);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_shortened_like_ccusage() {
        assert_eq!(short_model("claude-sonnet-4-5-20250929"), "sonnet-4-5");
        assert_eq!(short_model("claude-opus-4-6"), "opus-4-6");
        assert_eq!(short_model("gpt-x"), "gpt-x");
    }

    #[test]
    fn days_take_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(day("--since", "2026-01-05").unwrap(), d);
        assert_eq!(day("--since", "20260105").unwrap(), d);
        assert_eq!(day("--since", "Jan 5").unwrap_err().exit, 2);
    }

    #[test]
    fn burn_rate_and_projection_are_exact_integers() {
        assert_eq!(scale(7, 1, 3), 2);
        assert_eq!(scale(i64::MAX / 2, 4, 4), i64::MAX / 2);
    }
}
