//! The Claude Code logs reports (daily, weekly, monthly, sessions, blocks, files): read the
//! stored entries and hourly sums and tally them with the logs source's rules
//! (`crate::source::claude_code_logs`).

use chrono::{Datelike, TimeZone};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::Provider;
use crate::pricing::PriceTable;
use crate::source::claude_code_logs::blocks::{BLOCK_MS, blocks};
use crate::source::claude_code_logs::report::{Cut, instant, project, scope, utc_day};
use crate::source::claude_code_logs::tally::Tally;
use crate::source::claude_code_logs::{
    LogBlockUsage, LogPeriodUsage, LogReportOptions, LogSessionUsage,
};
use crate::store::logs::LogFile;

impl Context {
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
            .store
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
            tally.add(period, &row);
        }
        Ok(tally
            .finish(PriceTable::bundled(), options.cost_mode)
            .into_iter()
            .map(|(period, usage)| LogPeriodUsage { period, usage })
            .collect())
    }

    /// [`crate::Ledger::claude_code_logs_daily`].
    pub(crate) async fn claude_code_logs_daily(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Day).await
    }

    /// [`crate::Ledger::claude_code_logs_weekly`].
    pub(crate) async fn claude_code_logs_weekly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Week).await
    }

    /// [`crate::Ledger::claude_code_logs_monthly`].
    pub(crate) async fn claude_code_logs_monthly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.logs_periods(plan_id, options, Cut::Month).await
    }

    /// [`crate::Ledger::claude_code_logs_sessions`].
    pub(crate) async fn claude_code_logs_sessions(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogSessionUsage>> {
        self.logs_plan(plan_id).await?;
        let (_, start, end) = scope(options)?;
        let store = &self.store;
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
            tally.add(row.session_ref, &row);
            let span = spans
                .entry(row.session_ref)
                .or_insert((row.first_ms, row.last_ms));
            *span = (span.0.min(row.first_ms), span.1.max(row.last_ms));
        }
        let mut out: Vec<LogSessionUsage> = tally
            .finish(PriceTable::bundled(), options.cost_mode)
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

    /// [`crate::Ledger::claude_code_logs_blocks`].
    pub(crate) async fn claude_code_logs_blocks(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogBlockUsage>> {
        self.logs_plan(plan_id).await?;
        let (_, start, end) = scope(options)?;
        let entries = self
            .store
            .log_counted_entries(plan_id, start, end, project(options))
            .await?;
        let times: Vec<i64> = entries.iter().map(|e| e.at_ms).collect();
        let spans = blocks(&times);
        let mut tally = Tally::new();
        for (i, span) in spans.iter().enumerate() {
            for e in &entries[span.entries.clone()] {
                tally.add(i, e);
            }
        }
        let now = self.now().timestamp_millis();
        Ok(tally
            .finish(PriceTable::bundled(), options.cost_mode)
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

    /// [`crate::Ledger::claude_code_log_files`].
    pub(crate) async fn claude_code_log_files(&self, plan_id: i64) -> Result<Vec<LogFile>> {
        self.logs_plan(plan_id).await?;
        self.store.log_files(plan_id).await
    }
}
