//! Failpoints: a testing aid that aborts the process at a chosen point of a sync, to prove that
//! what a process killed there leaves is made exact by the next ordinary call.
//!
//! `COSTLEDGER_FAILPOINTS` lists `name=N` pairs separated by commas; the process aborts
//! (`std::process::abort`, as abrupt as `SIGKILL`: no destructor, no rollback, no event) the
//! `N`th time it passes the named point. The variable is read once; when it is unset a
//! failpoint costs one atomic load. The names are in [`NAMES`]; docs/sync.md lists them.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that arms failpoints.
pub const ENV: &str = "COSTLEDGER_FAILPOINTS";

/// After a usage, cost or Claude Code page's transaction committed.
pub(crate) const AFTER_PAGE_COMMIT: &str = "after_page_commit";
/// After a day's derived facts were committed (hit once per day of a month's transaction),
/// before the next month's (mid-allocation).
pub(crate) const AFTER_DAY_DERIVED: &str = "after_day_derived";
/// When a plan's sync is over, before its events and outcome are recorded.
pub(crate) const BEFORE_SYNC_EVENT: &str = "before_sync_event";

/// Every failpoint.
pub const NAMES: &[&str] = &[AFTER_PAGE_COMMIT, AFTER_DAY_DERIVED, BEFORE_SYNC_EVENT];

struct Armed {
    /// Name -> (abort on this hit, hits so far).
    points: HashMap<&'static str, (u64, AtomicU64)>,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| parse(&std::env::var(ENV).ok()?))
        .as_ref()
}

fn parse(spec: &str) -> Option<Armed> {
    let mut points = HashMap::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let parsed = item.split_once('=').and_then(|(name, n)| {
            let name = NAMES.iter().find(|known| **known == name.trim())?;
            let n: u64 = n.trim().parse().ok().filter(|n| *n >= 1)?;
            Some((*name, n))
        });
        match parsed {
            Some((name, n)) => {
                points.insert(name, (n, AtomicU64::new(0)));
            }
            // A misspelt failpoint must not let a crash test pass without crashing.
            None => {
                eprintln!(
                    "costledger: {ENV}: cannot use {item:?}; expected name=N with N >= 1 and a \
                     name among {}",
                    NAMES.join(", ")
                );
                std::process::abort();
            }
        }
    }
    (!points.is_empty()).then_some(Armed { points })
}

/// Pass the failpoint `name`: abort the process if this is the hit it is armed for.
pub(crate) fn hit(name: &'static str) {
    let Some(armed) = armed() else { return };
    let Some((at, hits)) = armed.points.get(name) else {
        return;
    };
    if hits.fetch_add(1, Ordering::SeqCst) + 1 == *at {
        eprintln!("costledger: failpoint {name} reached (hit {at}): aborting");
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_parsed() {
        let armed = parse(" after_page_commit=3, before_sync_event=1 ").unwrap();
        assert_eq!(armed.points[AFTER_PAGE_COMMIT].0, 3);
        assert_eq!(armed.points[BEFORE_SYNC_EVENT].0, 1);
        assert!(!armed.points.contains_key(AFTER_DAY_DERIVED));
        assert!(parse("").is_none());
    }
}
