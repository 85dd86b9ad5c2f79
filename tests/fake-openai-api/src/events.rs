//! Usage events: what happened in one org in one minute on one endpoint, generated per
//! hour as a pure function of (seed, org, hour), plus late-arriving extras.

use chrono::{DateTime, Utc};

use crate::catalog::{
    COMPLETION_MODELS, Endpoint, Modality, TIER_DEFAULT, TIER_FLEX, TIER_PRIORITY, Tok,
};
use crate::data::{Org, Owner};
use crate::rng::Rng;

/// Aggregated usage of one combination of dimensions in one minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Minute within the hour, 0–59.
    pub minute: u8,
    /// Which usage endpoint reports it.
    pub endpoint: Endpoint,
    /// 0 = no project, i+1 = `org.projects[i]`.
    pub project: u8,
    /// 0 = no user, i+1 = `org.users[i]`.
    pub user: u8,
    /// 0 = no API key (Playground or unattributed), i+1 = `org.api_keys[i]`.
    pub key: u8,
    /// Index into `endpoint.models()`.
    pub model: u8,
    /// Completions: ran in the Batch API.
    pub batch: bool,
    /// Completions: index into [`crate::catalog::SERVICE_TIERS`].
    pub tier: u8,
    /// Images: index into [`crate::catalog::SIZES`].
    pub size: u8,
    /// Images: index into [`crate::catalog::SOURCES`].
    pub source: u8,
    /// Web search: index into [`crate::catalog::CONTEXT_LEVELS`].
    pub level: u8,
    /// File search: i+1 = `org.vector_stores[i]`.
    pub store: u8,
    /// `num_model_requests` (file search and code interpreter have none).
    pub requests: u32,
    /// Completions: tokens in [`Tok::ALL`] order. Others: `counts[0]` is the endpoint's
    /// quantity (input tokens, images, characters, seconds, calls or sessions).
    pub counts: [u32; 10],
}

const TAG_HOUR: u64 = 10;
const TAG_LATE: u64 = 11;

/// Share of activity by UTC hour of day, in percent of the peak.
const DIURNAL: [u64; 24] = [
    40, 30, 20, 15, 10, 10, 10, 15, 25, 35, 45, 55, 65, 80, 95, 100, 100, 95, 90, 85, 75, 65, 55,
    45,
];

/// Relative share of events per endpoint, in [`Endpoint::ALL`] order (vector stores are
/// storage, not events).
const ENDPOINT_WEIGHTS: [u64; 9] = [70, 8, 4, 4, 3, 3, 3, 3, 2];

fn hour_start(hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(hour * 3600, 0).expect("hour in range")
}

/// The events of one hour (`hour` counts hours since the Unix epoch), sorted by minute.
pub fn hour_events(seed: u64, org: &Org, hour: i64) -> Vec<Event> {
    let mut rng = Rng::from_parts(&[seed, TAG_HOUR, org.index as u64, hour as u64]);
    let day = hour.div_euclid(24);
    let weekend = (day + 3).rem_euclid(7) >= 5; // 1970-01-01 was a Thursday
    let diurnal = DIURNAL[hour.rem_euclid(24) as usize];
    // Expected events in thousandths: about 19 at the peak of a busy org.
    let expected_milli = 12 * org.activity * diurnal * if weekend { 40 } else { 100 } / 1000;
    if rng.chance(8) {
        return Vec::new(); // some hours have no usage at all
    }
    let n = (expected_milli * rng.range(50, 150) / 100 + rng.below(1000)) / 1000;
    let mut events: Vec<Event> = (0..n).map(|_| random_event(&mut rng, org, hour)).collect();
    events.sort_by_key(|e| e.minute);
    events
}

/// Extra events that arrive late in `hour`, the `round`-th time late data grows.
pub fn late_events(seed: u64, org: &Org, hour: i64, round: u32) -> Vec<Event> {
    let mut rng = Rng::from_parts(&[seed, TAG_LATE, org.index as u64, hour as u64, round as u64]);
    let n = rng.range(1, 3);
    (0..n).map(|_| random_event(&mut rng, org, hour)).collect()
}

/// Who is charged: (project, user, key), each 0 for none.
fn attribution(
    rng: &mut Rng,
    org: &Org,
    hour: i64,
    endpoint: Endpoint,
    project: Option<usize>,
) -> (u8, u8, u8) {
    let start = hour_start(hour);
    // 0 = Playground (Default project, a user, no key), 1 = unattributed, k+2 = key k.
    let mut candidates: Vec<(usize, u64)> = Vec::new();
    if project.is_none_or(|p| p == 0) {
        candidates.push((0, 3));
    }
    if project.is_none() && endpoint != Endpoint::CodeInterpreterSessions {
        candidates.push((1, 1));
    }
    for (i, k) in org.api_keys.iter().enumerate() {
        let usable = k.usable_until.is_none_or(|until| start < until);
        if usable && project.is_none_or(|p| p == k.project) {
            candidates.push((i + 2, k.weight));
        }
    }
    let user = |rng: &mut Rng| rng.below(org.users.len() as u64) as u8 + 1;
    if candidates.is_empty() {
        // A project whose keys are all gone: console usage by a member.
        return (project.map_or(0, |p| p as u8 + 1), user(rng), 0);
    }
    let weights: Vec<u64> = candidates.iter().map(|c| c.1).collect();
    match candidates[rng.weighted(&weights)].0 {
        0 => (1, user(rng), 0),
        1 => (0, 0, 0),
        k => {
            let key = &org.api_keys[k - 2];
            let user = match key.owner {
                Owner::User(u) => u as u8 + 1,
                Owner::ServiceAccount(_) => 0,
            };
            (key.project as u8 + 1, user, (k - 1) as u8)
        }
    }
}

fn blank(minute: u8, endpoint: Endpoint) -> Event {
    Event {
        minute,
        endpoint,
        project: 0,
        user: 0,
        key: 0,
        model: 0,
        batch: false,
        tier: TIER_DEFAULT,
        size: 0,
        source: 0,
        level: 0,
        store: 0,
        requests: 0,
        counts: [0; 10],
    }
}

/// Cached tokens come in 128-token steps above a 1,024-token minimum.
fn cached(rng: &mut Rng, hi: u64) -> u32 {
    (rng.skewed(1_024, hi) / 128 * 128) as u32
}

fn completion(rng: &mut Rng, e: &mut Event) {
    let weights: Vec<u64> = COMPLETION_MODELS.iter().map(|m| m.weight).collect();
    e.model = rng.weighted(&weights) as u8;
    let spec = COMPLETION_MODELS[e.model as usize];
    // The Batch API needs an API key: Playground and unattributed usage never batch.
    e.batch = spec.batch && e.key > 0 && rng.chance(20);
    if !e.batch {
        if spec.priority && rng.chance(10) {
            e.tier = TIER_PRIORITY;
        } else if spec.flex && rng.chance(25) {
            e.tier = TIER_FLEX;
        }
    }
    e.requests = rng.skewed(1, 60) as u32;
    let mut set = |t: Tok, v: u64| e.counts[t as usize] = v as u32;
    match spec.modality {
        Modality::Text | Modality::TextImageIn => {
            set(Tok::InText, rng.skewed(50, 40_000));
            if rng.chance(55) {
                set(Tok::CachedText, cached(rng, 60_000) as u64);
            }
            if spec.cache_writes && rng.chance(30) {
                set(Tok::CacheWrite, rng.skewed(1_024, 20_000));
            }
            set(Tok::OutText, rng.skewed(20, 8_000));
            if spec.modality == Modality::TextImageIn && rng.chance(15) {
                set(Tok::InImage, rng.skewed(85, 6_000));
                if rng.chance(30) {
                    set(Tok::CachedImage, cached(rng, 3_000) as u64);
                }
            }
        }
        Modality::Audio => {
            set(Tok::InText, rng.skewed(50, 4_000));
            set(Tok::InAudio, rng.skewed(100, 20_000));
            if rng.chance(40) {
                set(Tok::CachedText, cached(rng, 4_000) as u64);
            }
            if rng.chance(40) {
                set(Tok::CachedAudio, cached(rng, 8_000) as u64);
            }
            set(Tok::OutText, rng.skewed(20, 2_000));
            set(Tok::OutAudio, rng.skewed(100, 15_000));
        }
        Modality::Image => {
            set(Tok::InText, rng.skewed(20, 1_000));
            if rng.chance(40) {
                set(Tok::InImage, rng.skewed(200, 4_000));
            }
            if rng.chance(20) {
                set(Tok::CachedText, cached(rng, 2_048) as u64);
            }
            if rng.chance(10) {
                set(Tok::CachedImage, cached(rng, 2_048) as u64);
            }
            set(Tok::OutImage, rng.skewed(1_000, 6_000));
        }
    }
}

fn random_event(rng: &mut Rng, org: &Org, hour: i64) -> Event {
    let endpoint = Endpoint::ALL[rng.weighted(&ENDPOINT_WEIGHTS)];
    let mut e = blank(rng.below(60) as u8, endpoint);
    let mut project = None;
    if endpoint == Endpoint::FileSearchCalls {
        let s = rng.below(org.vector_stores.len() as u64) as usize;
        e.store = s as u8 + 1;
        project = Some(org.vector_stores[s].project);
    }
    (e.project, e.user, e.key) = attribution(rng, org, hour, endpoint, project);
    match endpoint {
        Endpoint::Completions => completion(rng, &mut e),
        Endpoint::Embeddings => {
            e.model = rng.weighted(&[70, 30]) as u8;
            e.counts[0] = rng.skewed(100, 400_000) as u32;
            e.requests = rng.skewed(1, 200) as u32;
        }
        Endpoint::Moderations => {
            e.model = rng.weighted(&[80, 20]) as u8;
            e.counts[0] = rng.skewed(20, 20_000) as u32;
            e.requests = rng.skewed(1, 100) as u32;
        }
        Endpoint::Images => {
            e.model = rng.weighted(&[60, 40]) as u8;
            if e.model == 0 {
                e.size = [2, 4, 3][rng.weighted(&[70, 20, 10])];
            } else {
                e.size = rng.below(3) as u8;
                e.source = rng.weighted(&[50, 30, 20]) as u8;
            }
            e.counts[0] = rng.range(1, 8) as u32;
            e.requests = rng.range(1, e.counts[0] as u64) as u32;
        }
        Endpoint::AudioSpeeches => {
            e.model = rng.weighted(&[70, 30]) as u8;
            e.counts[0] = rng.skewed(20, 20_000) as u32;
            e.requests = rng.skewed(1, 30) as u32;
        }
        Endpoint::AudioTranscriptions => {
            e.counts[0] = rng.skewed(5, 3_600) as u32;
            e.requests = rng.skewed(1, 20) as u32;
        }
        Endpoint::WebSearchCalls => {
            e.model = rng.weighted(&[60, 40]) as u8;
            e.level = rng.weighted(&[30, 50, 20]) as u8;
            e.counts[0] = rng.skewed(1, 40) as u32;
            e.requests = rng.range(e.counts[0].div_ceil(3) as u64, e.counts[0] as u64) as u32;
        }
        Endpoint::FileSearchCalls => e.counts[0] = rng.skewed(1, 60) as u32,
        Endpoint::CodeInterpreterSessions => e.counts[0] = rng.range(1, 4) as u32,
        Endpoint::VectorStores => unreachable!("vector stores are storage, not events"),
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate_org;

    #[test]
    fn hours_are_pure_varied_and_consistent() {
        let end: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
        let org = generate_org(7, 0, end - chrono::Duration::days(90), end);
        let first = end.timestamp() / 3600 - 24 * 30;
        let all: Vec<Event> = (first..first + 24 * 14)
            .flat_map(|h| hour_events(7, &org, h))
            .collect();
        assert_eq!(
            hour_events(7, &org, first + 15),
            hour_events(7, &org, first + 15)
        );
        for endpoint in &Endpoint::ALL[..9] {
            assert!(all.iter().any(|e| e.endpoint == *endpoint), "{endpoint:?}");
        }
        assert!(
            all.iter().any(|e| e.project == 0 && e.key == 0),
            "unattributed"
        );
        assert!(
            all.iter()
                .any(|e| e.project == 1 && e.key == 0 && e.user > 0),
            "playground"
        );
        assert!(
            all.iter().any(|e| e.key > 0 && e.user == 0),
            "service account"
        );
        for e in all.iter().filter(|e| e.endpoint == Endpoint::Completions) {
            let spec = COMPLETION_MODELS[e.model as usize];
            assert!(!e.batch || spec.batch);
            assert!(e.tier != TIER_FLEX || spec.flex);
            assert_eq!(e.counts[Tok::CachedText as usize] % 128, 0);
        }
        for e in all
            .iter()
            .filter(|e| e.endpoint == Endpoint::FileSearchCalls)
        {
            let store = &org.vector_stores[e.store as usize - 1];
            assert_eq!(e.project as usize, store.project + 1);
        }
    }
}
