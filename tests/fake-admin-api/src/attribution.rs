//! Who each event is attributed to, on which product surface, and how many requests it
//! took: the Analytics API's extra dimensions.
//!
//! These come from streams of their own, keyed like the events they describe, so every
//! legacy field of every event is drawn exactly as before the Analytics API existed.

use chrono::{DateTime, Utc};

use crate::actors::Actor;
use crate::catalog::{NO_PRODUCT, PRODUCT_CLAUDE_CODE};
use crate::data::Org;
use crate::events::Event;
use crate::rng::Rng;

const TAG_ATTRIBUTE_HOUR: u64 = 13;
const TAG_ATTRIBUTE_LATE: u64 = 14;
const TAG_ATTRIBUTE_CODE: u64 = 15;

/// Share of keyed events attributed to the key itself, a person, a service account.
const KEYED_SPLIT: [u64; 3] = [50, 40, 10];
/// Share of keyless (Console) events run by a federated workload instead of a person.
const FEDERATED_PERCENT: u64 = 15;
/// Share of person-attributed events that came through Claude Code.
const CLAUDE_CODE_PERCENT: u64 = 45;

fn hour_start(hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(hour * 3_600, 0).expect("hour in range")
}

/// A person who was a member at `at`: any member, or the former member before they left.
fn pick_person(rng: &mut Rng, org: &Org, at: DateTime<Utc>) -> Actor {
    let members = org.users.len() as u64;
    let former_present = at < org.actors.former_left_at;
    let n = members + u64::from(former_present);
    Actor::User(rng.below(n) as u8)
}

/// Fills `actor`, `product` and `requests` of the events of `hour` (late ones: `round`).
pub fn attribute(events: &mut [Event], seed: u64, org: &Org, hour: i64, round: Option<u32>) {
    let mut rng = match round {
        None => Rng::from_parts(&[seed, TAG_ATTRIBUTE_HOUR, org.index as u64, hour as u64]),
        Some(r) => Rng::from_parts(&[
            seed,
            TAG_ATTRIBUTE_LATE,
            org.index as u64,
            hour as u64,
            r as u64,
        ]),
    };
    let at = hour_start(hour);
    let actors = &org.actors;
    for e in events {
        let actor = if e.api_key > 0 {
            match rng.weighted(&KEYED_SPLIT) {
                0 => Actor::ApiKey(e.api_key - 1),
                1 => pick_person(&mut rng, org, at),
                _ => Actor::ServiceAccount(rng.below(actors.service_accounts.len() as u64) as u8),
            }
        } else if rng.chance(FEDERATED_PERCENT) {
            Actor::Federated(rng.below(actors.federated.len() as u64) as u8)
        } else {
            pick_person(&mut rng, org, at)
        };
        e.actor = actors.index_of(actor);
        e.product = match actor {
            Actor::User(_) if rng.chance(CLAUDE_CODE_PERCENT) => PRODUCT_CLAUDE_CODE,
            _ => NO_PRODUCT,
        };
        e.requests = (1 + rng.below(4) + rng.skewed(0, 40)) as u16;
    }
}

/// Who ran the code execution session of `day`, and in how many execution spans.
pub fn code_execution_attribution(seed: u64, org: &Org, day: i64) -> (u8, u64) {
    let mut rng = Rng::from_parts(&[seed, TAG_ATTRIBUTE_CODE, org.index as u64, day as u64]);
    let at = DateTime::from_timestamp(day * 86_400, 0).expect("day in range");
    let person = pick_person(&mut rng, org, at);
    (org.actors.index_of(person), rng.range(1, 20))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate_org;
    use crate::events::hour_events;

    #[test]
    fn shares_roughly_follow_the_reference() {
        let end: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
        let org = generate_org(7, 0, end - chrono::Duration::days(90), end);
        let first = end.timestamp() / 3600 - 24 * 60;
        let (mut keyed, mut keyed_self, mut keyless, mut federated) = (0, 0, 0, 0);
        for h in first..first + 24 * 60 {
            for e in hour_events(7, &org, h) {
                let actor = org.actors.table[e.actor as usize];
                assert!(e.requests >= 1);
                assert!(e.product == NO_PRODUCT || matches!(actor, Actor::User(_)));
                if e.api_key > 0 {
                    keyed += 1;
                    keyed_self += u32::from(actor == Actor::ApiKey(e.api_key - 1));
                    assert!(!matches!(actor, Actor::Federated(_)));
                } else {
                    keyless += 1;
                    federated += u32::from(matches!(actor, Actor::Federated(_)));
                    assert!(!matches!(
                        actor,
                        Actor::ApiKey(_) | Actor::ServiceAccount(_)
                    ));
                }
            }
        }
        assert!(
            (40..60).contains(&(keyed_self * 100 / keyed)),
            "{keyed_self}/{keyed}"
        );
        assert!(
            (7..25).contains(&(federated * 100 / keyless)),
            "{federated}/{keyless}"
        );
    }
}
