//! `costledger map-key …`: which user (and project) an API key's spend belongs to, when.

use costledger::{MappingFilter, NewKeyMapping};

use crate::args;
use crate::cli::MapKeyCommand;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, table};

/// When a mapping starts: a mapping without a start covers all of the key's history.
fn since(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match at {
        None => "all history".to_string(),
        Some(at) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

pub async fn run(ctx: &Context, command: MapKeyCommand) -> CliResult {
    let ledger = &ctx.ledger;
    match command {
        MapKeyCommand::Add {
            plan,
            key_id,
            subject,
            project,
            from,
            until,
        } => {
            let mut mapping = NewKeyMapping::new(plan, key_id, subject);
            if let Some(project) = project {
                mapping = mapping.project(project);
            }
            if let Some(from) = from {
                mapping = mapping.from(args::instant("--from", &from)?);
            }
            if let Some(until) = until {
                mapping = mapping.until(args::instant("--until", &until)?);
            }
            let m = ledger.map_key(mapping).await?;
            println!(
                "{} mapping {}: key {} of plan {} belongs to {:?}{}, from {}{}; reports change at once",
                render::tick(),
                m.id,
                m.api_key_id,
                m.plan_id,
                m.subject_id,
                m.project_id
                    .map(|p| format!(" (project {p})"))
                    .unwrap_or_default(),
                since(m.valid_from),
                m.valid_to
                    .map(|t| format!(" until {}", t.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            );
        }
        MapKeyCommand::List {
            plan,
            subject,
            json,
        } => {
            let filter = MappingFilter {
                plan_id: plan,
                subject_id: subject,
                ..MappingFilter::default()
            };
            let mappings = ledger.list_mappings(filter).await?;
            if json {
                return output::json(&mappings);
            }
            let mut t = table(
                &[
                    "ID",
                    "Plan",
                    "API key id",
                    "Subject",
                    "Project",
                    "From",
                    "Until",
                ],
                &[0, 1],
            );
            for m in mappings {
                t.add_row(vec![
                    m.id.to_string(),
                    m.plan_id.to_string(),
                    m.api_key_id,
                    m.subject_id,
                    m.project_id
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "default".into()),
                    since(m.valid_from),
                    m.valid_to
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_else(|| "open-ended".into()),
                ]);
            }
            println!("{t}");
        }
        MapKeyCommand::End { id, at } => {
            let at = match at {
                Some(text) => args::instant("--at", &text)?,
                None => ctx.now,
            };
            let m = ledger.end_mapping(id, at).await?;
            println!(
                "{} mapping {} ends at {}: from then on key {} falls back to its creator",
                render::tick(),
                m.id,
                at.format("%Y-%m-%d %H:%M UTC"),
                m.api_key_id
            );
        }
        MapKeyCommand::Delete { id } => {
            ledger.delete_mapping(id).await?;
            println!("{} deleted mapping {id}", render::tick());
        }
    }
    Ok(())
}
