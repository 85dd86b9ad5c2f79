//! The arguments of the two methods that are not [`Ledger::call`](crate::Ledger::call)s but
//! read their plain arguments as calls do: a sync ([`sync_options`]) and a new plan
//! ([`new_plan`], its credential beside the JSON).

use super::args::Args;
use crate::error::{Error, Result};
use crate::model::{NewPlan, OAuthTokens, Provider, Subscription, SyncStream};
use crate::sync::SyncOptions;

/// A sync's options from the named arguments of a JSON object, read as [`Ledger::call`](crate::Ledger::call) reads
/// arguments: `plan_id`, `streams` (names, in order), `usage_width` (`1h`, `1d`),
/// `initial_backfill_days`, `usage_lookback_days`, `cost_lookback_days`,
/// `claude_code_lookback_days`, `backfill` (a `[from, to]` pair of RFC 3339 instants),
/// `concurrency` and `lease_ttl` (seconds); each left out keeps [`SyncOptions::default`]'s.
/// A sync is not a `call`: a binding runs it with a cancel handle of its own.
pub fn sync_options(args: &str) -> Result<SyncOptions> {
    let mut a = Args::parse("sync", args)?;
    let mut options = SyncOptions {
        plan_id: a.opt("plan_id")?,
        ..SyncOptions::default()
    };
    if let Some(streams) = a.texts::<SyncStream>("streams")? {
        options = options.streams(&streams);
    }
    if let Some(width) = a.opt_text("usage_width")? {
        options = options.usage_width(width);
    }
    if let Some(days) = a.days("initial_backfill_days")? {
        options = options.initial_backfill(days);
    }
    options.usage_lookback = a
        .days("usage_lookback_days")?
        .unwrap_or(options.usage_lookback);
    options.cost_lookback = a
        .days("cost_lookback_days")?
        .unwrap_or(options.cost_lookback);
    options.claude_code_lookback =
        (a.days("claude_code_lookback_days")?).unwrap_or(options.claude_code_lookback);
    if let Some((from, to)) = a.opt("backfill")? {
        options = options.backfill(from, to);
    }
    if let Some(concurrency) = a.opt::<i64>("concurrency")? {
        options.concurrency = usize::try_from(concurrency).map_err(|_| {
            Error::invalid(format!(
                "concurrency must be a positive number of plans, got {concurrency}"
            ))
        })?;
    }
    if let Some(ttl) = a.seconds("lease_ttl")? {
        options = options.lease_ttl(ttl);
    }
    a.done()?;
    Ok(options)
}

/// A plan to add ([`Ledger::add_plan`](crate::Ledger::add_plan)), from named arguments read as [`Ledger::call`](crate::Ledger::call) reads
/// them (`label`; `provider`; `directories` of a Claude Code logs plan; `subscription` as a
/// plan's JSON writes it) and the one credential given beside them: an admin key or OAuth
/// tokens are never in a call's text. Exactly one of the key, the tokens and the directories.
pub fn new_plan(
    args: &str,
    admin_api_key: Option<String>,
    oauth_tokens: Option<OAuthTokens>,
) -> Result<NewPlan> {
    let mut a = Args::parse("add_plan", args)?;
    let label: String = a.req("label")?;
    let provider: Option<Provider> = a.opt_text("provider")?;
    let directories: Option<Vec<String>> = a.opt("directories")?;
    let subscription: Option<Subscription> = a.opt("subscription")?;
    a.done()?;
    let mut plan = match (admin_api_key, oauth_tokens, directories) {
        (Some(key), None, None) if provider == Some(Provider::OpenAi) => {
            NewPlan::openai(label, key)
        }
        (Some(key), None, None) => NewPlan::anthropic(label, key),
        (None, Some(tokens), None) => NewPlan::anthropic_oauth(label, tokens),
        (None, None, Some(directories)) => NewPlan::claude_code_logs(label, directories),
        _ => {
            return Err(Error::invalid(
                "give admin_api_key or oauth_tokens (an Anthropic organisation) or directories \
                 (a claude_code_logs plan): exactly one of them",
            ));
        }
    };
    if let Some(provider) = provider {
        // A provider that does not take the credential given is refused by the core against
        // its catalog (a logs plan with a key, an OpenAI plan with tokens).
        plan.provider = provider;
    }
    if let Some(subscription) = subscription {
        plan = plan.with_subscription(subscription);
    }
    Ok(plan)
}
