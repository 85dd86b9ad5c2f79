//! `costledger plans …`: connect organisations, list, change, check, disconnect.

use costledger::{
    DataRetention, ListPlans, NewPlan, Plan, PlanUpdate, Provider, Subscription, SubscriptionTier,
};

use chrono::{DateTime, Utc};

use crate::args;
use crate::check::Checked;
use crate::cli::{PlansCommand, SubscriptionArgs};
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, table};
use crate::secrets;

pub async fn run(ctx: &Context, command: PlansCommand, checked: Checked) -> CliResult {
    let ledger = &ctx.ledger;
    // Read before the database was opened (check.rs): standard input can be read only once.
    let admin_key = |key, default_env| match checked.admin_key {
        Some(admin_key) => Ok(admin_key),
        None => secrets::admin_key_or(key, default_env),
    };
    let anthropic_env = costledger::config::ENV_ANTHROPIC_ADMIN_API_KEY;
    match command {
        PlansCommand::Add {
            label,
            key,
            openai,
            claude_code_logs,
            dirs,
            subscription,
            json,
        } => {
            let mut plan = if claude_code_logs {
                NewPlan::claude_code_logs(label, dirs)
            } else if openai {
                let env = costledger::config::ENV_OPENAI_ADMIN_KEY;
                NewPlan::openai(label, admin_key(&key, env)?)
            } else {
                NewPlan::anthropic(label, admin_key(&key, anthropic_env)?)
            };
            if let Some(s) = subscription_of(ctx.now, &subscription)? {
                plan = plan.with_subscription(s);
            }
            let known = ledger.list_plans(ListPlans::all()).await?;
            let plan = ledger.add_plan(plan).await?;
            if json {
                return output::json(&plan);
            }
            // An organisation disconnected with its data kept is reconnected, not added again.
            let verb = if known.iter().any(|p| p.id == plan.id) {
                "reconnected"
            } else {
                "added"
            };
            match &plan.key_hint {
                Some(hint) => println!(
                    "{} {verb} plan {} {:?}: {}, key {hint} (sealed with the master key)",
                    render::tick(),
                    plan.id,
                    plan.label,
                    organisation(&plan),
                ),
                None => println!(
                    "{} added plan {} {:?}: Claude Code's logs in {}; no key to seal",
                    render::tick(),
                    plan.id,
                    plan.label,
                    if plan.settings.directories.is_empty() {
                        "the default directories".to_string()
                    } else {
                        plan.settings.directories.join(", ")
                    }
                ),
            }
            println!("  next: costledger sync --plan {}", plan.id);
        }
        PlansCommand::List { all, json } => {
            let filter = if all {
                ListPlans::all()
            } else {
                ListPlans::default()
            };
            let plans = ledger.list_plans(filter).await?;
            if json {
                return output::json(&plans);
            }
            print_list(&plans);
        }
        PlansCommand::Update {
            id,
            label,
            subscription,
            no_subscription,
            json,
        } => {
            let mut update = PlanUpdate::new();
            if let Some(label) = label {
                update = update.label(label);
            }
            if no_subscription {
                update = update.clear_subscription();
            } else if let Some(s) = subscription_of(ctx.now, &subscription)? {
                update = update.subscription(s);
            }
            let plan = ledger.update_plan(id, update).await?;
            if json {
                return output::json(&plan);
            }
            println!(
                "{} updated plan {} {:?}",
                render::tick(),
                plan.id,
                plan.label
            );
            print_list(&[plan]);
        }
        PlansCommand::Connect {
            label,
            client_id,
            oauth_url,
            port,
            timeout,
            org,
            json,
            ..
        } => {
            let signed_in =
                crate::connect::sign_in_to(&client_id, &oauth_url, port, timeout, org.as_deref())
                    .await?;
            let plan = ledger
                .add_plan(NewPlan::anthropic_oauth(label, signed_in.tokens))
                .await?;
            if json {
                return output::json(&plan);
            }
            println!(
                "{} connected plan {} {:?}: {}, {} (tokens sealed with the master key)",
                render::tick(),
                plan.id,
                plan.label,
                organisation(&plan),
                plan.key_hint.as_deref().unwrap_or_default(),
            );
            println!("  next: costledger sync --plan {}", plan.id);
            if !signed_in.others.is_empty() {
                println!("  the sign-in also reaches (one plan each, `--org ID` to connect):");
                for other in &signed_in.others {
                    println!("    {} {}", other.id, other.name);
                }
            }
        }
        PlansCommand::Disconnect { id, purge } => {
            let retention = if purge {
                DataRetention::Purge
            } else {
                DataRetention::Keep
            };
            let plan = ledger.disconnect_plan(id, retention).await?;
            let data = if purge {
                "its synced data was deleted"
            } else {
                "its synced data stays in past reports (--purge deletes it)"
            };
            println!(
                "{} disconnected plan {} {:?}: its sealed key is destroyed; {data}",
                render::tick(),
                plan.id,
                plan.label
            );
        }
        PlansCommand::RotateCredential { id, key } => {
            let plan = ledger
                .rotate_plan_credential(id, admin_key(&key, anthropic_env)?)
                .await?;
            println!(
                "{} plan {} {:?} now uses key {} (checked against {}, sealed)",
                render::tick(),
                plan.id,
                plan.label,
                plan.key_hint.as_deref().unwrap_or("none"),
                organisation(&plan)
            );
        }
        PlansCommand::ImportEnv => match ledger.import_plan_from_env().await? {
            Some(plan) => println!(
                "{} imported {} as plan {} {:?}, key {}",
                render::tick(),
                costledger::config::ENV_ANTHROPIC_ADMIN_API_KEY,
                plan.id,
                plan.label,
                plan.key_hint.as_deref().unwrap_or("none")
            ),
            None => println!(
                "nothing imported: {} is unset, or plans already exist (import-env only \
                 creates the first plan)",
                costledger::config::ENV_ANTHROPIC_ADMIN_API_KEY
            ),
        },
        PlansCommand::Check { id } => {
            let org = ledger.check_plan(id).await?;
            let plan = ledger.get_plan(id).await?;
            println!(
                "{} plan {} {:?}: key {} opens with the master key and answers for {} ({})",
                render::tick(),
                plan.id,
                plan.label,
                plan.key_hint.as_deref().unwrap_or("none"),
                org.name,
                org.id
            );
        }
        PlansCommand::Keys { id, json } => {
            ledger.get_plan(id).await?;
            let metadata = ledger.store().metadata(id).await?;
            if json {
                return output::json(&metadata);
            }
            print_keys(&metadata);
        }
    }
    Ok(())
}

fn organisation(plan: &Plan) -> String {
    match (&plan.org_name, &plan.org_id) {
        // OpenAI names an organisation only by its slug: the id is the name.
        (Some(name), Some(id)) if name == id => id.clone(),
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.clone(),
        _ if plan.provider == Provider::ClaudeCodeLogs => "Claude Code logs".into(),
        _ => plan.provider.to_string(),
    }
}

/// The subscription the options describe, if a tier was given; it starts today (`now`)
/// unless `--anchor` says otherwise.
pub fn subscription_of(
    now: DateTime<Utc>,
    s: &SubscriptionArgs,
) -> CliResult<Option<Subscription>> {
    let Some(tier) = &s.tier else { return Ok(None) };
    let tier: SubscriptionTier = args::parse("--tier", tier)?;
    let anchor = match &s.anchor {
        Some(text) => args::date("--anchor", text)?,
        None => now.date_naive(),
    };
    let mut subscription =
        Subscription::new(tier, s.seats, anchor).cycle(args::parse("--cycle", &s.cycle)?);
    if let Some(price) = &s.price_per_seat {
        subscription = subscription.price_per_seat(args::dollars("--price-per-seat", price)?);
    }
    Ok(Some(subscription))
}

fn print_list(plans: &[Plan]) {
    if plans.is_empty() {
        println!(
            "no plans yet: `costledger plans add --label NAME` reads the admin key from \
             ANTHROPIC_ADMIN_API_KEY"
        );
        return;
    }
    let mut t = table(
        &[
            "ID",
            "Label",
            "Status",
            "Organisation",
            "Key",
            "Subscription",
            "Last synced",
        ],
        &[0],
    );
    for p in plans {
        let subscription = p
            .subscription
            .as_ref()
            .map(|s| format!("{} × {} {}", s.seats, s.tier, s.cycle))
            .unwrap_or_default();
        let synced = match (&p.last_synced_at, &p.last_error) {
            (_, Some(error)) => format!("error: {error}"),
            (Some(at), None) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            (None, None) => "never".into(),
        };
        t.add_row(vec![
            p.id.to_string(),
            p.label.clone(),
            p.status.to_string(),
            p.org_name.clone().unwrap_or_else(|| organisation(p)),
            p.key_hint.clone().unwrap_or_default(),
            subscription,
            synced,
        ]);
    }
    println!("{t}");
}

fn print_keys(metadata: &costledger::OrgMetadata) {
    if metadata.api_keys.is_empty() {
        println!("no API keys known yet: run `costledger sync` first");
        return;
    }
    let workspace = |id: &Option<String>| match id {
        None => costledger::reports::DEFAULT_WORKSPACE_NAME.to_string(),
        Some(id) => metadata
            .workspaces
            .iter()
            .find(|w| &w.id == id)
            .map_or_else(|| id.clone(), |w| w.name.clone()),
    };
    let creator = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| metadata.users.iter().find(|u| &u.id == id))
            .map_or_else(String::new, |u| u.email.clone())
    };
    let mut t = table(
        &["API key id", "Name", "Workspace", "Status", "Created by"],
        &[],
    );
    for k in &metadata.api_keys {
        t.add_row(vec![
            k.id.clone(),
            k.name.clone(),
            workspace(&k.workspace_id),
            k.status.clone(),
            creator(&k.created_by_id),
        ]);
    }
    println!("{t}");
}
