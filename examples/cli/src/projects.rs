//! `costledger projects …`: named groups of a user's spend.

use crate::cli::ProjectsCommand;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, table};

pub async fn run(ctx: &Context, command: ProjectsCommand) -> CliResult {
    let ledger = &ctx.ledger;
    match command {
        ProjectsCommand::Add { subject, name } => {
            let p = ledger.create_project(&subject, &name).await?;
            println!(
                "{} project {} {:?} of {:?}; map keys to it with `costledger map-key add PLAN KEY {} --project {}`",
                render::tick(),
                p.id,
                p.name,
                p.subject_id,
                p.subject_id,
                p.id
            );
        }
        ProjectsCommand::List { subject, json } => {
            let projects = ledger.list_projects(subject.as_deref()).await?;
            if json {
                return output::json(&projects);
            }
            let mut t = table(&["ID", "Owner", "Name", "Default"], &[0]);
            for p in projects {
                t.add_row(vec![
                    p.id.to_string(),
                    p.subject_id,
                    p.name,
                    if p.is_default { "yes" } else { "" }.to_string(),
                ]);
            }
            println!("{t}");
        }
        ProjectsCommand::Delete { id } => {
            ledger.delete_project(id).await?;
            println!(
                "{} deleted project {id}; its keys fall back to the owner's default project",
                render::tick()
            );
        }
    }
    Ok(())
}
