//! Reports of a Claude Code logs plan: per day, month, session and 5-hour block, each with
//! tokens per model, the cost estimated at list prices, and the models without a price.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::blocks::{BLOCK_MS, blocks};
use super::tally::Tally;
use crate::Ledger;
use crate::error::{Error, Result};
use crate::model::{Money, Provider, TokenCounts};
use crate::pricing::PriceTable;
use crate::store::logs::LogFile;

/// What the log reports cover and how they cut days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogReportOptions {
    /// The IANA time zone days and months are cut in (`Europe/Paris`); `None` is UTC.
    pub time_zone: Option<String>,
    /// The first day included, in that time zone.
    pub since: Option<NaiveDate>,
    /// The last day included, in that time zone.
    pub until: Option<NaiveDate>,
    /// Only this project's entries (the directory under `projects/`, as sessions name it).
    pub project: Option<String>,
}

/// How a periods report cuts time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cut {
    Day,
    /// ISO weeks, Monday to Sunday, named by their Monday.
    Week,
    Month,
}

/// One model's tokens in a report group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogModelUsage {
    /// The model, as the logs name it.
    pub model: String,
    /// Entries counted (after dedup).
    pub entries: i64,
    /// Their tokens (`uncached_input` is the logs' `input_tokens`).
    pub tokens: TokenCounts,
    /// The cost estimated at list prices (never billed: the logs carry no bill); `None` when
    /// the price table has no price for the model on one of the days.
    pub estimated_cost: Option<Money>,
}

/// The usage of a report group (a day, a month, a session, a block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogUsage {
    /// Entries counted.
    pub entries: i64,
    /// Their tokens, every model included.
    pub tokens: TokenCounts,
    /// The estimated cost of the models with a price (an estimate, never a billed amount).
    pub estimated_cost: Money,
    /// Per model, in name order.
    pub models: Vec<LogModelUsage>,
    /// Models without a price: their tokens are counted, their cost is in no total.
    pub missing_prices: Vec<String>,
}

/// The usage of one day or month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogPeriodUsage {
    /// `2026-01-05` for a day, the week's Monday (`2026-01-05`) for a week, `2026-01` for a
    /// month, in the report's time zone.
    pub period: String,
    /// Its usage.
    pub usage: LogUsage,
}

/// The usage of one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogSessionUsage {
    /// The project (the directory under `projects/`).
    pub project: String,
    /// The session id.
    pub session: String,
    /// Its first counted entry.
    pub first_at: DateTime<Utc>,
    /// Its last counted entry.
    pub last_at: DateTime<Utc>,
    /// Its usage.
    pub usage: LogUsage,
}

/// The usage of one 5-hour block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogBlockUsage {
    /// Its start: the first entry's hour (UTC).
    pub start: DateTime<Utc>,
    /// Its end, 5 hours later.
    pub end: DateTime<Utc>,
    /// Its first entry.
    pub first_at: DateTime<Utc>,
    /// Its last entry.
    pub last_at: DateTime<Utc>,
    /// True while it runs: now is before its end and within 5 hours of its last entry.
    pub active: bool,
    /// Its usage.
    pub usage: LogUsage,
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn utc_day(ms: i64) -> NaiveDate {
    instant(ms).date_naive()
}

/// The time zone and the `[start, end)` range in milliseconds of a report's options.
fn scope(options: &LogReportOptions) -> Result<(Tz, i64, i64)> {
    let tz = match options
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
    {
        None => Tz::UTC,
        Some(name) => Tz::from_str(name).map_err(|_| {
            Error::invalid(format!(
                "time zone must be an IANA name such as Europe/Paris, got {name:?}"
            ))
        })?,
    };
    let midnight = |day: NaiveDate| {
        let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        tz.from_local_datetime(&local).earliest().map_or_else(
            || local.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
    };
    let start = options.since.map_or(i64::MIN, midnight);
    let end = options
        .until
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, midnight);
    if start >= end {
        return Err(Error::invalid(format!(
            "since ({}) must not be after until ({})",
            options.since.unwrap_or_default(),
            options.until.unwrap_or_default()
        )));
    }
    Ok((tz, start, end))
}

/// The project filter of a report's options (an empty name is none).
fn project(options: &LogReportOptions) -> Option<&str> {
    options.project.as_deref().filter(|p| !p.is_empty())
}

impl Ledger {
    async fn logs_plan(&self, plan_id: i64) -> Result<()> {
        let plan = self.get_plan(plan_id).await?;
        if plan.provider != Provider::ClaudeCodeLogs {
            return Err(Error::invalid(format!(
                "plan {plan_id} ({:?}) is a {} plan; log reports need a claude_code_logs plan",
                plan.label, plan.provider
            )));
        }
        Ok(())
    }

    async fn logs_periods(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
        cut: Cut,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_plan(plan_id).await?;
        let (tz, start, end) = scope(options)?;
        let mut tally = Tally::new();
        for row in self
            .store()
            .log_usage_by_quarter(plan_id, start, end, project(options))
            .await?
        {
            // Quarter hours never straddle a day in any time zone (offsets are whole quarters).
            let local = tz
                .timestamp_millis_opt(row.at_ms)
                .single()
                .map_or_else(|| utc_day(row.at_ms), |t| t.date_naive());
            let period = match cut {
                Cut::Day => local.format("%Y-%m-%d").to_string(),
                Cut::Week => (local
                    - chrono::Days::new(u64::from(local.weekday().num_days_from_monday())))
                .format("%Y-%m-%d")
                .to_string(),
                Cut::Month => format!("{:04}-{:02}", local.year(), local.month()),
            };
            tally.add(
                period,
                &row.model,
                utc_day(row.at_ms),
                row.entries,
                &row.tokens,
            );
        }
        Ok(tally
            .finish(PriceTable::bundled())
            .into_iter()
            .map(|(period, usage)| LogPeriodUsage { period, usage })
            .collect())
    }

    /// Counted usage of a `claude_code_logs` plan per day (in `options.time_zone`, default
    /// UTC), oldest first. Costs are estimates at list prices.
    pub async fn claude_code_logs_daily(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Day).await
    }

    /// Counted usage of a `claude_code_logs` plan per ISO week (Monday to Sunday, in
    /// `options.time_zone`), named by its Monday, oldest first.
    pub async fn claude_code_logs_weekly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Week).await
    }

    /// Counted usage of a `claude_code_logs` plan per month, oldest first.
    pub async fn claude_code_logs_monthly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Month).await
    }

    /// Counted usage of a `claude_code_logs` plan per session (and its project), the most
    /// recently active first.
    pub async fn claude_code_logs_sessions(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogSessionUsage>> {
        self.logs_plan(plan_id).await?;
        let (_, start, end) = scope(options)?;
        let store = self.store();
        let names: std::collections::HashMap<i64, (String, String)> = store
            .log_sessions(plan_id)
            .await?
            .into_iter()
            .map(|s| (s.id, (s.project, s.session)))
            .collect();
        let mut tally = Tally::new();
        let mut spans: std::collections::HashMap<i64, (i64, i64)> =
            std::collections::HashMap::new();
        for row in store
            .log_usage_by_session(plan_id, start, end, project(options))
            .await?
        {
            tally.add(
                row.session_ref,
                &row.model,
                utc_day(row.at_ms),
                row.entries,
                &row.tokens,
            );
            let span = spans
                .entry(row.session_ref)
                .or_insert((row.first_ms, row.last_ms));
            *span = (span.0.min(row.first_ms), span.1.max(row.last_ms));
        }
        let mut out: Vec<LogSessionUsage> = tally
            .finish(PriceTable::bundled())
            .into_iter()
            .map(|(session_ref, usage)| {
                let (project, session) = names.get(&session_ref).cloned().unwrap_or_default();
                let (first, last) = spans[&session_ref];
                LogSessionUsage {
                    project,
                    session,
                    first_at: instant(first),
                    last_at: instant(last),
                    usage,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.last_at
                .cmp(&a.last_at)
                .then_with(|| (&a.project, &a.session).cmp(&(&b.project, &b.session)))
        });
        Ok(out)
    }

    /// Counted usage of a `claude_code_logs` plan per 5-hour block (ccusage's `blocks`),
    /// oldest first. `active` is judged against the ledger's clock.
    pub async fn claude_code_logs_blocks(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogBlockUsage>> {
        self.logs_plan(plan_id).await?;
        let (_, start, end) = scope(options)?;
        let entries = self
            .store()
            .log_counted_entries(plan_id, start, end, project(options))
            .await?;
        let times: Vec<i64> = entries.iter().map(|e| e.at_ms).collect();
        let spans = blocks(&times);
        let mut tally = Tally::new();
        for (i, span) in spans.iter().enumerate() {
            for e in &entries[span.entries.clone()] {
                tally.add(i, &e.model, utc_day(e.at_ms), 1, &e.tokens);
            }
        }
        let now = self.now().timestamp_millis();
        Ok(tally
            .finish(PriceTable::bundled())
            .into_iter()
            .map(|(i, usage)| {
                let span = &spans[i];
                let last = times[span.entries.end - 1];
                LogBlockUsage {
                    start: instant(span.start_ms),
                    end: instant(span.start_ms + BLOCK_MS),
                    first_at: instant(times[span.entries.start]),
                    last_at: instant(last),
                    active: now < span.start_ms + BLOCK_MS && now - last < BLOCK_MS,
                    usage,
                }
            })
            .collect())
    }

    /// The log files a `claude_code_logs` plan tracks, with how far each was read and the
    /// lines it skipped so far.
    pub async fn claude_code_log_files(&self, plan_id: i64) -> Result<Vec<LogFile>> {
        self.logs_plan(plan_id).await?;
        self.store().log_files(plan_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_cuts_local_days() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let options = LogReportOptions {
            time_zone: Some("Asia/Kathmandu".into()),
            since: Some(day(5)),
            until: Some(day(5)),
            project: None,
        };
        let (_, start, end) = scope(&options).unwrap();
        // Kathmandu is UTC+5:45.
        assert_eq!(instant(start).to_rfc3339(), "2026-01-04T18:15:00+00:00");
        assert_eq!(end - start, 86_400_000);
        let bad = LogReportOptions {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        assert_eq!(scope(&bad).unwrap_err().code(), "INVALID_INPUT");
        let backwards = LogReportOptions {
            since: Some(day(6)),
            until: Some(day(5)),
            ..Default::default()
        };
        assert_eq!(scope(&backwards).unwrap_err().code(), "INVALID_INPUT");
        assert_eq!(scope(&LogReportOptions::default()).unwrap().1, i64::MIN);
    }
}
