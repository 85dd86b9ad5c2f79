//! `costledger limits …`: the providers' spend limits as the last sync stored them.

use costledger::model::SpendMember;

use crate::cli::LimitsCommand;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, money_or_dash, table};

pub async fn run(ctx: &Context, command: LimitsCommand) -> CliResult {
    match command {
        LimitsCommand::List { plan, json } => {
            let synced = ctx.ledger.synced_spend_limits(plan).await?;
            if json {
                return output::json(&synced);
            }
            let Some(at) = synced.synced_at else {
                println!(
                    "plan {plan}'s spend limits were never synced: `costledger sync` brings \
                     them in (Anthropic plans)"
                );
                return Ok(());
            };
            let mut t = table(&["ID", "Scope", "Period", "Limit", "Enabled"], &[3]);
            for l in &synced.limits {
                t.add_row(vec![
                    l.id.clone(),
                    l.scope.to_string(),
                    l.period.to_string(),
                    l.amount.map_or_else(|| "no cap".into(), money_or_dash),
                    if l.is_enabled { "yes" } else { "no" }.into(),
                ]);
            }
            println!("{t}");
            if !synced.effective.is_empty() {
                let mut t = table(&["Member", "Period", "Effective limit", "Spent"], &[2, 3]);
                for e in &synced.effective {
                    let member = match &e.member {
                        SpendMember::User {
                            user_id,
                            email_address,
                            ..
                        } => email_address.clone().unwrap_or_else(|| user_id.clone()),
                        SpendMember::ScopedApiKey { scoped_api_key_id } => {
                            scoped_api_key_id.clone()
                        }
                    };
                    t.add_row(vec![
                        member,
                        e.period.to_string(),
                        e.amount.map_or_else(|| "none".into(), money_or_dash),
                        money_or_dash(e.period_to_date_spend),
                    ]);
                }
                println!("{t}");
            }
            render::note(&format!(
                "as synced at {}{}",
                at.format("%Y-%m-%d %H:%M UTC"),
                synced
                    .effective_unavailable
                    .as_deref()
                    .map(|r| format!("; no effective report: {r}"))
                    .unwrap_or_default()
            ));
        }
    }
    Ok(())
}
