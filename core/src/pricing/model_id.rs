//! Model id normalisation: the usage report returns whatever model string a request named
//! (a dated snapshot id, an alias, a `-latest` alias), so lookups are tolerant of case,
//! surrounding whitespace and a trailing snapshot date.

use chrono::NaiveDate;

/// The id as the price table stores ids: trimmed and lower-cased.
pub(crate) fn normalize(model: &str) -> String {
    model.trim().to_ascii_lowercase()
}

/// The id without a trailing `-YYYYMMDD` snapshot date (`claude-sonnet-4-5-20250929` →
/// `claude-sonnet-4-5`), or `None` when it has none. Eight digits that are not a calendar
/// date are not a snapshot date.
pub(crate) fn strip_snapshot_date(model: &str) -> Option<&str> {
    let (base, suffix) = model.rsplit_once('-')?;
    if base.is_empty() || suffix.len() != 8 || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(suffix, "%Y%m%d").ok()?;
    Some(base)
}

/// Whether `id` is acceptable as a model id or alias in the data file: non-empty, already
/// normalised, and free of whitespace.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id == normalize(id) && !id.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_real_snapshot_dates() {
        assert_eq!(
            strip_snapshot_date("claude-sonnet-4-5-20250929"),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(
            strip_snapshot_date("claude-3-haiku-20240307"),
            Some("claude-3-haiku")
        );
        assert_eq!(strip_snapshot_date("claude-opus-4-6"), None);
        assert_eq!(strip_snapshot_date("claude-x-20251399"), None);
        assert_eq!(strip_snapshot_date("claude-x-2025092"), None);
        assert_eq!(strip_snapshot_date("-20250929"), None);
        assert_eq!(strip_snapshot_date("20250929"), None);
    }

    #[test]
    fn normalizes_case_and_space() {
        assert_eq!(normalize("  Claude-Opus-4-6 \n"), "claude-opus-4-6");
        assert!(is_valid_id("claude-opus-4-6"));
        assert!(!is_valid_id("Claude-Opus"));
        assert!(!is_valid_id("claude opus"));
        assert!(!is_valid_id(""));
    }
}
