//! One JSONL line: the cheap pre-filter, and the parse of only the fields a usage entry
//! needs (everything else, the message content above all, is skipped without allocating).

use std::borrow::Cow;

use chrono::Datelike as _;
use memchr::memmem;
use serde::Deserialize;

use crate::model::{Money, TokenCounts};

/// What one line held.
#[derive(Debug, PartialEq)]
pub(crate) enum Line<'a> {
    /// No usage in it: user turns, summaries, snapshots, Claude Code's `<synthetic>` messages
    /// and API error messages that used no tokens.
    NoUsage,
    /// It mentions usage but is not JSON of the expected shape, or has no valid timestamp.
    Malformed,
    /// A usage entry.
    Usage(RawEntry<'a>),
}

/// The fields of a usage entry, borrowed from the line where it has no escapes.
#[derive(Debug, PartialEq)]
pub(crate) struct RawEntry<'a> {
    /// `timestamp`, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// `sessionId`.
    pub session_id: Option<Cow<'a, str>>,
    /// `message.id`.
    pub message_id: Option<Cow<'a, str>>,
    /// `requestId`.
    pub request_id: Option<Cow<'a, str>>,
    /// `message.model`.
    pub model: Option<Cow<'a, str>>,
    /// `message.usage`.
    pub tokens: TokenCounts,
    /// `costUSD`.
    pub cost_usd: Option<Money>,
    /// `isSidechain`.
    pub sidechain: bool,
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", borrow, default)]
    session_id: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "costUSD", default)]
    cost_usd: Option<f64>,
    #[serde(rename = "isSidechain", default)]
    is_sidechain: Option<bool>,
    #[serde(rename = "isApiErrorMessage", default)]
    is_api_error: Option<bool>,
    #[serde(borrow, default)]
    message: Option<WireMessage<'a>>,
    /// A `progress` line's payload: a subagent's message is in `data.message`. Kept as raw
    /// text and read only when the line has no usage of its own, so that a `data` of another
    /// shape never makes a line malformed.
    #[serde(borrow, default)]
    data: Option<&'a serde_json::value::RawValue>,
}

/// `data` of a `progress` line: `{"message": {<an assistant line's fields>}}`.
#[derive(Deserialize)]
struct WireProgress<'a> {
    #[serde(borrow, default)]
    message: Option<Wire<'a>>,
}

#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    cache_creation: Option<WireCacheCreation>,
    #[serde(default)]
    server_tool_use: Option<WireServerTools>,
}

#[derive(Deserialize)]
struct WireCacheCreation {
    #[serde(default)]
    ephemeral_5m_input_tokens: Option<u64>,
    #[serde(default)]
    ephemeral_1h_input_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct WireServerTools {
    #[serde(default)]
    web_search_requests: Option<u64>,
}

/// Parses lines; holds the pre-filter's searcher.
pub(crate) struct LineParser {
    usage: memmem::Finder<'static>,
}

impl LineParser {
    /// A parser.
    pub(crate) fn new() -> Self {
        LineParser {
            usage: memmem::Finder::new(b"\"usage\""),
        }
    }

    /// What `line` holds. Lines without `"usage"` are not parsed at all.
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Line<'a> {
        if self.usage.find(line).is_none() {
            return Line::NoUsage;
        }
        let Ok(mut wire) = serde_json::from_slice::<Wire<'a>>(line) else {
            return Line::Malformed;
        };
        // A subagent's message that exists only as a `progress` line of its parent session:
        // the usage entry is `data.message` (its own timestamp, request id, sidechain flag and
        // cost), in the parent's session unless it names its own.
        if wire.message.as_ref().is_none_or(|m| m.usage.is_none())
            && let Some(inner) = wire
                .data
                .and_then(|raw| serde_json::from_str::<WireProgress<'a>>(raw.get()).ok())
                .and_then(|p| p.message)
            && inner.message.as_ref().is_some_and(|m| m.usage.is_some())
        {
            let outer_session = wire.session_id.take();
            wire = inner;
            wire.session_id = wire.session_id.or(outer_session);
        }
        let Some(message) = wire.message else {
            return Line::NoUsage;
        };
        let Some(usage) = message.usage else {
            return Line::NoUsage;
        };
        if message.model.as_deref() == Some("<synthetic>") {
            return Line::NoUsage;
        }
        let Some(at_ms) = wire.timestamp.as_deref().and_then(parse_timestamp_ms) else {
            return Line::Malformed;
        };
        let count = |n: Option<u64>| i64::try_from(n.unwrap_or(0)).unwrap_or(i64::MAX);
        // The 5m/1h split, when present, is what prices differ by; the total field is only
        // the sum of the two.
        let (cache_write_5m, cache_write_1h) = match usage.cache_creation {
            Some(split)
                if split.ephemeral_5m_input_tokens.is_some()
                    || split.ephemeral_1h_input_tokens.is_some() =>
            {
                (
                    count(split.ephemeral_5m_input_tokens),
                    count(split.ephemeral_1h_input_tokens),
                )
            }
            _ => (count(usage.cache_creation_input_tokens), 0),
        };
        let tokens = TokenCounts {
            uncached_input: count(usage.input_tokens),
            cache_write_5m,
            cache_write_1h,
            cache_read: count(usage.cache_read_input_tokens),
            output: count(usage.output_tokens),
            web_search_requests: count(usage.server_tool_use.and_then(|s| s.web_search_requests)),
        };
        let cost_usd = wire
            .cost_usd
            .filter(|c| c.is_finite() && c.abs() < 1e9)
            .map(|c| Money::from_nanos((c * 1e9).round() as i64));
        // An API error message that used no tokens is not usage.
        if wire.is_api_error == Some(true) && tokens.is_zero() {
            return Line::NoUsage;
        }
        let non_empty = |s: Option<Cow<'a, str>>| s.filter(|s| !s.is_empty());
        Line::Usage(RawEntry {
            at_ms,
            session_id: non_empty(wire.session_id),
            message_id: non_empty(message.id),
            request_id: non_empty(wire.request_id),
            model: non_empty(message.model),
            tokens,
            cost_usd,
            sidechain: wire.is_sidechain == Some(true),
        })
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp. Claude Code's own form
/// (`2026-01-05T10:00:00.123Z`) is read directly; anything else goes through chrono.
pub(crate) fn parse_timestamp_ms(text: &str) -> Option<i64> {
    fast_utc_ms(text.as_bytes()).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.f+]Z` without going through a general parser.
fn fast_utc_ms(b: &[u8]) -> Option<i64> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut millis = 0;
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (k, c) in b[i..i + digits].iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][k];
        }
        i += digits;
    }
    if i + 1 != b.len()
        || b[i] != b'Z'
        || !(1..=12).contains(&month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?;
    let days = i64::from(date.num_days_from_ce()) - 719_163;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(line: &str) -> RawEntry<'_> {
        match LineParser::new().parse(line.as_bytes()) {
            Line::Usage(entry) => entry,
            other => panic!("not a usage line: {other:?}"),
        }
    }

    #[test]
    fn a_progress_lines_subagent_message_is_an_entry_of_its_own() {
        let line = r#"{"type":"progress","sessionId":"parent","isSidechain":true,"timestamp":"2026-01-05T10:01:00.000Z","data":{"type":"agent_progress","message":{"type":"assistant","timestamp":"2026-01-06T10:00:30.000Z","requestId":"r2","costUSD":0.5,"message":{"id":"m2","model":"claude-haiku-4-5","usage":{"input_tokens":3,"output_tokens":7}}}}}"#;
        let e = usage(line);
        // Its own timestamp, request id, cost and sidechain flag; the parent's session.
        assert_eq!(
            e.at_ms,
            parse_timestamp_ms("2026-01-06T10:00:30.000Z").unwrap()
        );
        assert_eq!(e.session_id.as_deref(), Some("parent"));
        assert_eq!(
            (e.message_id.as_deref(), e.request_id.as_deref()),
            (Some("m2"), Some("r2"))
        );
        assert_eq!((e.tokens.uncached_input, e.tokens.output), (3, 7));
        assert_eq!(e.cost_usd, Some(Money::from_nanos(500_000_000)));
        assert!(!e.sidechain, "the outer flag is not the message's");
        let parser = LineParser::new();
        // Progress of another kind, or a `data` of another shape, is not usage (not malformed).
        for other in [
            r#"{"type":"progress","timestamp":"2026-01-05T10:01:00.000Z","data":{"type":"hook_progress","hookEvent":"SubagentStop","usage":1}}"#,
            r#"{"type":"x","timestamp":"2026-01-05T10:01:00.000Z","data":"usage","message":{"role":"user"}}"#,
            r#"{"type":"progress","data":{"message":{"timestamp":"2026-01-05T10:00:00Z","message":{"model":"<synthetic>","usage":{"input_tokens":0}}}}}"#,
        ] {
            assert_eq!(parser.parse(other.as_bytes()), Line::NoUsage, "{other}");
        }
        // Its usage without its own timestamp: malformed, like any usage line without one.
        let untimed = r#"{"type":"progress","timestamp":"2026-01-05T10:01:00.000Z","data":{"message":{"message":{"id":"m","usage":{"input_tokens":1}}}}}"#;
        assert_eq!(parser.parse(untimed.as_bytes()), Line::Malformed);
    }

    #[test]
    fn reads_the_fields_of_an_assistant_line() {
        let e = usage(
            r#"{"parentUuid":"p","isSidechain":true,"sessionId":"s-1","message":{"id":"msg_1","type":"message","model":"claude-sonnet-4-5","content":[{"type":"text","text":"a \"usage\": b"}],"usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":60,"ephemeral_1h_input_tokens":40},"output_tokens":5,"server_tool_use":{"web_search_requests":2},"service_tier":"standard"}},"requestId":"req_1","costUSD":0.0123,"type":"assistant","timestamp":"2026-01-05T10:00:01.250Z"}"#,
        );
        assert_eq!(e.at_ms, 1_767_607_201_250);
        assert_eq!(e.session_id.as_deref(), Some("s-1"));
        assert_eq!(e.message_id.as_deref(), Some("msg_1"));
        assert_eq!(e.request_id.as_deref(), Some("req_1"));
        assert_eq!(e.model.as_deref(), Some("claude-sonnet-4-5"));
        assert!(e.sidechain);
        assert_eq!(e.cost_usd, Some(Money::from_nanos(12_300_000)));
        let t = e.tokens;
        assert_eq!((t.uncached_input, t.output, t.cache_read), (10, 5, 1000));
        assert_eq!(
            (t.cache_write_5m, t.cache_write_1h, t.web_search_requests),
            (60, 40, 2)
        );
    }

    #[test]
    fn without_the_split_cache_writes_count_as_5_minute_writes() {
        let e = usage(
            r#"{"timestamp":"2026-01-05T10:00:00Z","message":{"usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":300}}}"#,
        );
        assert_eq!((e.tokens.cache_write_5m, e.tokens.cache_write_1h), (300, 0));
        assert_eq!((e.message_id, e.request_id, e.model), (None, None, None));
    }

    #[test]
    fn nulls_are_absent_values() {
        let e = usage(
            r#"{"timestamp":"2026-01-05T10:00:00.000Z","costUSD":null,"requestId":null,"message":{"id":"m","model":"claude-opus-4-5","usage":{"input_tokens":1,"output_tokens":2,"cache_read_input_tokens":null}}}"#,
        );
        assert_eq!(
            (e.cost_usd, e.request_id, e.tokens.cache_read),
            (None, None, 0)
        );
    }

    #[test]
    fn lines_without_usage_are_not_parsed() {
        let p = LineParser::new();
        assert_eq!(p.parse(b"not json at all"), Line::NoUsage);
        assert_eq!(
            p.parse(br#"{"type":"user","message":{"content":"what is my \"usage\"?"}}"#),
            Line::NoUsage
        );
        assert_eq!(
            p.parse(br#"{"type":"summary","summary":"\"usage\""}"#),
            Line::NoUsage
        );
        assert_eq!(
            p.parse(br#"{"timestamp":"2026-01-05T10:00:00.000Z","isApiErrorMessage":true,"message":{"model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}"#),
            Line::NoUsage
        );
    }

    #[test]
    fn broken_lines_are_malformed() {
        let p = LineParser::new();
        assert_eq!(
            p.parse(
                br#"{"timestamp":"2026-01-05T10:00:00.000Z","message":{"usage":{"input_tokens":1"#
            ),
            Line::Malformed
        );
        assert_eq!(
            p.parse(br#"{"timestamp":"yesterday","message":{"usage":{"input_tokens":1}}}"#),
            Line::Malformed
        );
        assert_eq!(
            p.parse(br#"{"message":{"usage":{"input_tokens":1}}}"#),
            Line::Malformed
        );
        assert_eq!(
            p.parse(
                br#"{"timestamp":"2026-01-05T10:00:00Z","message":{"usage":{"input_tokens":-1}}}"#
            ),
            Line::Malformed
        );
    }

    #[test]
    fn timestamps_parse_like_chrono() {
        for text in [
            "2026-01-05T10:00:00Z",
            "2026-01-05T10:00:00.1Z",
            "2026-01-05T10:00:00.123456Z",
            "1999-12-31T23:59:59.999Z",
            "2028-02-29T00:00:00.000Z",
        ] {
            let chrono = chrono::DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp_millis();
            assert_eq!(fast_utc_ms(text.as_bytes()), Some(chrono), "{text}");
        }
        assert_eq!(
            parse_timestamp_ms("2026-01-05T12:00:00+02:00"),
            Some(1_767_607_200_000)
        );
        assert_eq!(parse_timestamp_ms("2026-02-30T00:00:00Z"), None);
        assert_eq!(parse_timestamp_ms("2026-01-05 10:00:00"), None);
    }
}
