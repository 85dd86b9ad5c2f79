//! `GET /v1/organizations/usage_report/claude_code`: daily Claude Code analytics records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::buckets::rfc3339;
use crate::catalog::{GEO_GLOBAL, MODELS, TIER_STANDARD, TokenType};
use crate::data::Org;
use crate::errors::{ApiError, ApiResult};
use crate::page_token;
use crate::pricing::{NANOS_PER_CENT, token_rate};
use crate::query::Query;
use crate::rng::Rng;
use crate::usage::Report;
use crate::world::World;

const TAG_CLAUDE_CODE: u64 = 20;
const TERMINALS: [&str; 6] = [
    "vscode",
    "iTerm.app",
    "tmux",
    "cursor",
    "Terminal.app",
    "ghostty",
];
const TOOLS: [&str; 4] = [
    "edit_tool",
    "multi_edit_tool",
    "write_tool",
    "notebook_edit_tool",
];
/// Claude Code runs on these (indices into MODELS).
const CC_MODELS: [u8; 3] = [0, 1, 3];

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Actor {
    UserActor { email_address: String },
    ApiActor { api_key_name: String },
}

#[derive(Serialize)]
struct LinesOfCode {
    added: u64,
    removed: u64,
}

#[derive(Serialize)]
struct CoreMetrics {
    num_sessions: u64,
    lines_of_code: LinesOfCode,
    commits_by_claude_code: u64,
    pull_requests_by_claude_code: u64,
}

#[derive(Serialize)]
struct ToolAction {
    accepted: u64,
    rejected: u64,
}

#[derive(Serialize)]
struct Tokens {
    input: u64,
    output: u64,
    cache_read: u64,
    cache_creation: u64,
}

#[derive(Serialize)]
struct EstimatedCost {
    currency: &'static str,
    amount: u64,
}

#[derive(Serialize)]
struct ModelUsage {
    model: &'static str,
    tokens: Tokens,
    estimated_cost: EstimatedCost,
}

#[derive(Serialize)]
struct Record {
    date: String,
    actor: Actor,
    organization_id: String,
    customer_type: &'static str,
    terminal_type: &'static str,
    core_metrics: CoreMetrics,
    tool_actions: BTreeMap<&'static str, ToolAction>,
    model_breakdown: Vec<ModelUsage>,
}

fn record(rng: &mut Rng, org: &Org, day: i64, actor: Actor, terminal: &'static str) -> Record {
    let added = rng.skewed(10, 4_000);
    let tool_actions = TOOLS
        .iter()
        .map(|&t| {
            let accepted = rng.skewed(0, 60);
            (
                t,
                ToolAction {
                    accepted,
                    rejected: rng.below(accepted / 5 + 2),
                },
            )
        })
        .collect();
    let first = rng.below(CC_MODELS.len() as u64) as usize;
    let n_models = rng.range(1, 2) as usize;
    let model_breakdown = (0..n_models)
        .map(|i| {
            let m = CC_MODELS[(first + i) % CC_MODELS.len()];
            let tokens = Tokens {
                input: rng.skewed(1_000, 200_000),
                output: rng.skewed(500, 60_000),
                cache_read: rng.skewed(0, 2_000_000),
                cache_creation: rng.skewed(0, 150_000),
            };
            let rate = |t| token_rate(m, TIER_STANDARD, 0, GEO_GLOBAL, t);
            let nanos = tokens.input * rate(TokenType::Input)
                + tokens.output * rate(TokenType::Output)
                + tokens.cache_read * rate(TokenType::CacheRead)
                + tokens.cache_creation * rate(TokenType::CacheWrite5m);
            ModelUsage {
                model: MODELS[m as usize].id,
                tokens,
                // Whole cents, rounded half up.
                estimated_cost: EstimatedCost {
                    currency: "USD",
                    amount: (nanos + NANOS_PER_CENT / 2) / NANOS_PER_CENT,
                },
            }
        })
        .collect();
    Record {
        date: rfc3339(day * 86_400),
        actor,
        organization_id: org.id.clone(),
        customer_type: "api",
        terminal_type: terminal,
        core_metrics: CoreMetrics {
            num_sessions: rng.range(1, 9),
            lines_of_code: LinesOfCode {
                added,
                removed: rng.below(added + 1),
            },
            commits_by_claude_code: rng.below(12),
            pull_requests_by_claude_code: rng.below(4),
        },
        tool_actions,
        model_breakdown,
    }
}

/// The records of one day (`day` counts days since the epoch), a pure function of the seed.
fn day_records(seed: u64, org: &Org, day: i64) -> Vec<Record> {
    let mut rng = Rng::from_parts(&[seed, TAG_CLAUDE_CODE, org.index as u64, day as u64]);
    let weekend = (day + 3).rem_euclid(7) >= 5;
    let mut out = Vec::new();
    for user in &org.users {
        if !matches!(user.role, "developer" | "claude_code_user" | "admin") {
            continue;
        }
        if !rng.chance(if weekend { 25 } else { 75 }) {
            continue;
        }
        let first = rng.below(TERMINALS.len() as u64) as usize;
        for i in 0..rng.range(1, 2) as usize {
            let actor = Actor::UserActor {
                email_address: user.email.clone(),
            };
            let terminal = TERMINALS[(first + i) % TERMINALS.len()];
            out.push(record(&mut rng, org, day, actor, terminal));
        }
    }
    for key in org.api_keys.iter().filter(|k| k.status == "active") {
        if rng.chance(15) {
            let actor = Actor::ApiActor {
                api_key_name: key.name.clone(),
            };
            out.push(record(&mut rng, org, day, actor, "tmux"));
        }
    }
    out
}

/// Serves one page of the Claude Code report for org `org`.
pub fn claude_code_report(world: &World, org: usize, query: &Query) -> ApiResult {
    let raw = query
        .get("starting_at")
        .ok_or_else(|| ApiError::invalid("starting_at: Field required"))?;
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "starting_at: Input should be a date in the format YYYY-MM-DD, got {raw:?}"
            ))
        })?;
    let limit = query.limit(20, 1, 1_000)? as usize;
    let day = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
        / 86_400;
    let hash = page_token::params_hash("usage_report/claude_code", query);
    let offset = match query.get("page") {
        None => 0,
        Some(token) => page_token::decode(token, hash)?
            .first()
            .and_then(|f| f.parse::<usize>().ok())
            .ok_or_else(|| ApiError::invalid(format!("page: invalid page token {token:?}")))?,
    };
    // Complete days only: a day appears once it has ended.
    let served =
        day >= world.start_hour.div_euclid(24) && day < world.now.timestamp().div_euclid(86_400);
    let meta = &world.orgs[org].org;
    let records = if served {
        day_records(world.seed, meta, day)
    } else {
        Vec::new()
    };
    if offset > records.len() {
        return Err(ApiError::invalid("page: invalid page token"));
    }
    let end = (offset + limit).min(records.len());
    let has_more = end < records.len();
    let next_page = has_more.then(|| page_token::encode(&[end.to_string()], hash));
    let data: Vec<Record> = records
        .into_iter()
        .skip(offset)
        .take(end - offset)
        .collect();
    Ok(serde_json::to_vec(&Report {
        data,
        has_more,
        next_page,
    })
    .expect("serialisable"))
}
