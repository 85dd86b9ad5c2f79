//! Usage events: what happened in one org in one minute, generated per hour as a pure
//! function of (seed, org, hour), plus late-arriving extras and code execution sessions.

use chrono::{DateTime, Utc};

use crate::attribution::attribute;
use crate::catalog::{
    GEO_GLOBAL, GEO_NOT_AVAILABLE, GEO_US, MODELS, TIER_BATCH, TokenType, WINDOW_LONG,
};
use crate::data::Org;
use crate::rng::Rng;

/// Aggregated usage of one combination of dimensions in one minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Minute within the hour, 0–59.
    pub minute: u8,
    /// 0 = no key (Console/Workbench), i+1 = `org.api_keys[i]`.
    pub api_key: u8,
    /// 0 = the Default workspace, i+1 = `org.workspaces[i]`.
    pub workspace: u8,
    /// Index into [`MODELS`].
    pub model: u8,
    /// Index into [`crate::catalog::SERVICE_TIERS`].
    pub tier: u8,
    /// Index into [`crate::catalog::CONTEXT_WINDOWS`].
    pub window: u8,
    /// Index into [`crate::catalog::INFERENCE_GEOS`].
    pub geo: u8,
    /// Tokens in [`TokenType::ALL`] order.
    pub tokens: [u32; 5],
    /// Web search requests.
    pub web_search: u32,
    /// Analytics only: index into `org.actors.table` of whom the usage is attributed to.
    pub actor: u8,
    /// Analytics only: index into [`crate::catalog::PRODUCTS`], or
    /// [`crate::catalog::NO_PRODUCT`].
    pub product: u8,
    /// Analytics only: API requests behind the event (at least 1).
    pub requests: u16,
    /// How many times late data had grown when this event arrived (0 for on-time events),
    /// so a paged analytics query can keep the snapshot of its first page.
    pub generation: u32,
}

/// A code execution charge (cost report only; it has no usage counterpart).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeExecution {
    /// Hour of the day it is billed in.
    pub hour_of_day: u8,
    /// 0 = Default workspace, i+1 = `org.workspaces[i]`.
    pub workspace: u8,
    /// Its cost.
    pub nanos: u64,
}

const TAG_HOUR: u64 = 10;
const TAG_LATE: u64 = 11;
const TAG_CODE: u64 = 12;

/// Share of activity by UTC hour of day, in percent of the peak.
const DIURNAL: [u64; 24] = [
    40, 30, 20, 15, 10, 10, 10, 15, 25, 35, 45, 55, 65, 80, 95, 100, 100, 95, 90, 85, 75, 65, 55,
    45,
];

/// The events of one hour (`hour` counts hours since the Unix epoch), sorted by minute.
pub fn hour_events(seed: u64, org: &Org, hour: i64) -> Vec<Event> {
    let mut rng = Rng::from_parts(&[seed, TAG_HOUR, org.index as u64, hour as u64]);
    let day = hour.div_euclid(24);
    let weekend = (day + 3).rem_euclid(7) >= 5; // 1970-01-01 was a Thursday
    let diurnal = DIURNAL[hour.rem_euclid(24) as usize];
    // Expected events in thousandths: up to ~16 at the peak of a busy org.
    let expected_milli = 10 * org.activity * diurnal * if weekend { 40 } else { 100 } / 1000;
    if rng.chance(8) {
        return Vec::new(); // some hours have no usage at all
    }
    let n = (expected_milli * rng.range(50, 150) / 100 + rng.below(1000)) / 1000;
    let mut events: Vec<Event> = (0..n).map(|_| random_event(&mut rng, org, hour)).collect();
    events.sort_by_key(|e| e.minute);
    attribute(&mut events, seed, org, hour, None);
    events
}

/// Extra events that arrive late in `hour`, the `round`-th time late data grows.
pub fn late_events(seed: u64, org: &Org, hour: i64, round: u32) -> Vec<Event> {
    let mut rng = Rng::from_parts(&[seed, TAG_LATE, org.index as u64, hour as u64, round as u64]);
    let n = rng.range(1, 3);
    let mut events: Vec<Event> = (0..n).map(|_| random_event(&mut rng, org, hour)).collect();
    attribute(&mut events, seed, org, hour, Some(round));
    events
}

/// The code execution charge of a day (`day` counts days since the epoch), if any.
pub fn code_execution(seed: u64, org: &Org, day: i64) -> Option<CodeExecution> {
    let mut rng = Rng::from_parts(&[seed, TAG_CODE, org.index as u64, day as u64]);
    if !rng.chance(30) {
        return None;
    }
    let hour_of_day = rng.below(24) as u8;
    let workspace = pick_console_workspace(&mut rng, org);
    let centihours = rng.range(10, 4_000);
    Some(CodeExecution {
        hour_of_day,
        workspace,
        nanos: centihours * crate::pricing::CODE_EXECUTION_NANOS_PER_CENTIHOUR,
    })
}

fn hour_start(hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(hour * 3600, 0).expect("hour in range")
}

/// Console usage (no key) lands in the Default workspace or a live workspace.
fn pick_console_workspace(rng: &mut Rng, org: &Org) -> u8 {
    let live: Vec<usize> = (0..org.workspaces.len())
        .filter(|&w| org.workspaces[w].archived_at.is_none())
        .collect();
    match rng.below(live.len() as u64 + 1) as usize {
        0 => 0,
        i => live[i - 1] as u8 + 1,
    }
}

fn random_event(rng: &mut Rng, org: &Org, hour: i64) -> Event {
    let start = hour_start(hour);
    // Keys that still worked in this hour; weight 2 is the Console's share.
    let mut candidates = vec![(0u8, 2u64)];
    for (i, k) in org.api_keys.iter().enumerate() {
        if k.usable_until.is_none_or(|until| start < until) {
            candidates.push((i as u8 + 1, k.weight));
        }
    }
    let weights: Vec<u64> = candidates.iter().map(|c| c.1).collect();
    let api_key = candidates[rng.weighted(&weights)].0;
    let workspace = match api_key {
        0 => pick_console_workspace(rng, org),
        k => org.api_keys[k as usize - 1]
            .workspace
            .map_or(0, |w| w as u8 + 1),
    };
    let weights: Vec<u64> = MODELS.iter().map(|m| m.weight).collect();
    let model = rng.weighted(&weights) as u8;
    let spec = MODELS[model as usize];
    let tier = rng.weighted(&[70, 20, 10]) as u8;
    let window = u8::from(spec.long_context && rng.chance(8));
    let geo = if !spec.geo_routing {
        GEO_NOT_AVAILABLE
    } else {
        let ws_us = workspace > 0 && org.workspaces[workspace as usize - 1].default_geo == GEO_US;
        // Batch never runs with `us` here (see pricing::token_rate).
        if tier != TIER_BATCH && rng.chance(if ws_us { 80 } else { 10 }) {
            GEO_US
        } else {
            GEO_GLOBAL
        }
    };
    let mut tokens = [0u32; 5];
    let t = |tt: TokenType| tt as usize;
    if window == WINDOW_LONG {
        tokens[t(TokenType::Input)] = rng.range(60_000, 300_000) as u32;
        tokens[t(TokenType::CacheRead)] = rng.range(150_000, 500_000) as u32;
    } else {
        tokens[t(TokenType::Input)] = rng.skewed(50, 40_000) as u32;
        if rng.chance(55) {
            tokens[t(TokenType::CacheRead)] = rng.skewed(2_000, 180_000) as u32;
        }
    }
    if rng.chance(40) {
        tokens[t(TokenType::CacheWrite5m)] = rng.skewed(1_000, 60_000) as u32;
    }
    if rng.chance(15) {
        tokens[t(TokenType::CacheWrite1h)] = rng.skewed(1_000, 30_000) as u32;
    }
    tokens[t(TokenType::Output)] = rng.skewed(50, 12_000) as u32;
    let web_search = if rng.chance(10) {
        rng.range(1, 15) as u32
    } else {
        0
    };
    Event {
        minute: rng.below(60) as u8,
        api_key,
        workspace,
        model,
        tier,
        window,
        geo,
        tokens,
        web_search,
        // Filled by `attribute` from its own stream, so these draws stay as they were.
        actor: 0,
        product: 0,
        requests: 0,
        generation: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate_org;

    #[test]
    fn hours_are_pure_and_varied() {
        let end: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
        let org = generate_org(7, 0, end - chrono::Duration::days(90), end);
        let first = end.timestamp() / 3600 - 24 * 30;
        let counts: Vec<usize> = (first..first + 24 * 7)
            .map(|h| hour_events(7, &org, h).len())
            .collect();
        assert!(counts.contains(&0), "some hours are empty");
        assert!(counts.iter().any(|&c| c >= 8), "busy hours exist");
        assert_eq!(
            hour_events(7, &org, first + 15),
            hour_events(7, &org, first + 15)
        );
        for h in first..first + 24 * 7 {
            for e in hour_events(7, &org, h) {
                let input: u32 = e.tokens[0] + e.tokens[1] + e.tokens[2] + e.tokens[3];
                assert!(e.window != WINDOW_LONG || input > 200_000);
                assert!(e.window != WINDOW_LONG || MODELS[e.model as usize].long_context);
                assert!(!(e.tier == TIER_BATCH && e.geo == GEO_US));
            }
        }
    }
}
