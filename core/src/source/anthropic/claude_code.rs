//! Claude Code analytics: one request series per UTC day, one page per day.

use chrono::NaiveDate;
use futures::{StreamExt, stream};

use super::AnthropicSource;
use super::wire::{CcRecord, Report};
use crate::error::{Error, Result};
use crate::model::{ClaudeCodePage, ClaudeCodeRecord};
use crate::source::{ClaudeCodeRequest, PageStream, RequestStats, SourceContext};

const PATH: &str = "/v1/organizations/usage_report/claude_code";
/// Most records per page the API allows.
const LIMIT: &str = "1000";

/// One page per day of `request`, in day order.
pub(super) fn day_pages<'a>(
    source: &'a AnthropicSource,
    ctx: SourceContext<'a>,
    request: ClaudeCodeRequest,
) -> PageStream<'a, ClaudeCodePage> {
    let end = request.end;
    stream::try_unfold(Some(request.start), move |day| async move {
        let Some(day) = day.filter(|d| *d < end) else {
            return Ok(None);
        };
        let page = source.claude_code_day(&ctx, day).await?;
        Ok(Some((page, day.succ_opt())))
    })
    .boxed()
}

/// A decoded page of one day.
struct DayPage {
    records: Vec<ClaudeCodeRecord>,
    next_page: Option<String>,
}

fn decode(body: &[u8], day: NaiveDate) -> std::result::Result<DayPage, String> {
    let report: Report<CcRecord> = serde_json::from_slice(body)
        .map_err(|e| format!("the Claude Code report's JSON did not parse ({e})"))?;
    if report.has_more && report.next_page.is_none() {
        return Err("has_more is true but next_page is missing".into());
    }
    let records = report
        .data
        .into_iter()
        .map(|r| {
            let record = r.into_record()?;
            if record.date != day {
                return Err(format!(
                    "a record dated {} came back for the day {day}",
                    record.date
                ));
            }
            Ok(record)
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    Ok(DayPage {
        records,
        next_page: report.next_page.filter(|_| report.has_more),
    })
}

impl AnthropicSource {
    /// Every record of one day, following the cursor to the end.
    async fn claude_code_day(
        &self,
        ctx: &SourceContext<'_>,
        day: NaiveDate,
    ) -> Result<ClaudeCodePage> {
        let mut page = ClaudeCodePage {
            day,
            records: Vec::new(),
            stats: RequestStats::default(),
        };
        let mut token: Option<String> = None;
        loop {
            let mut params = vec![
                (
                    "starting_at".to_string(),
                    day.format("%Y-%m-%d").to_string(),
                ),
                ("limit".to_string(), LIMIT.to_string()),
            ];
            if let Some(t) = &token {
                params.push(("page".to_string(), t.clone()));
            }
            let (decoded, stats) = self
                .get(ctx, PATH, &params, |body| decode(body, day))
                .await?;
            page.stats.add(stats);
            page.records.extend(decoded.records);
            match decoded.next_page {
                None => return Ok(page),
                Some(next) if token.as_ref() == Some(&next) => {
                    return Err(Error::Upstream {
                        status: Some(200),
                        request_id: None,
                        message: format!(
                            "GET {PATH} answered with the page token it was sent as next_page; \
                             stopping rather than looping — report this with this message"
                        ),
                        source: None,
                    });
                }
                Some(next) => token = Some(next),
            }
        }
    }
}
