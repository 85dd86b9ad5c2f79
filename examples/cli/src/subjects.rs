//! `costledger subjects …`: your application's users.

use costledger::NewSubject;

use crate::cli::SubjectsCommand;
use crate::context::Context;
use crate::failure::CliResult;
use crate::output;
use crate::render::{self, table};

pub async fn run(ctx: &Context, command: SubjectsCommand) -> CliResult {
    let ledger = &ctx.ledger;
    match command {
        SubjectsCommand::Add { id, email, name } => {
            let mut subject = NewSubject::new(id);
            if let Some(email) = email {
                subject = subject.email(email);
            }
            if let Some(name) = name {
                subject = subject.name(name);
            }
            let s = ledger.upsert_subject(subject).await?;
            println!(
                "{} subject {:?}{}{}",
                render::tick(),
                s.id,
                s.name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                s.email
                    .as_deref()
                    .map(|e| format!(": keys created by {e} are theirs unless mapped elsewhere"))
                    .unwrap_or_default()
            );
        }
        SubjectsCommand::List { json } => {
            let subjects = ledger.list_subjects().await?;
            if json {
                return output::json(&subjects);
            }
            if subjects.is_empty() {
                println!("no subjects yet: `costledger subjects add ID --email …` creates one");
                return Ok(());
            }
            let mut t = table(&["ID", "Name", "Email", "Created (UTC)"], &[]);
            for s in subjects {
                t.add_row(vec![
                    s.id,
                    s.name.unwrap_or_default(),
                    s.email.unwrap_or_default(),
                    s.created_at.format("%Y-%m-%d %H:%M").to_string(),
                ]);
            }
            println!("{t}");
        }
        SubjectsCommand::Delete { id } => {
            ledger.get_subject(&id).await?;
            ledger.delete_subject(&id).await?;
            println!(
                "{} deleted subject {id:?} with their projects and mappings",
                render::tick()
            );
        }
    }
    Ok(())
}
