//! `costledger master-key …`: make a master key, or rotate to a new one.

use costledger::MasterKey;

use crate::cli::{Global, MasterKeyCommand};
use crate::context::Context;
use crate::failure::CliResult;
use crate::render;
use crate::secrets;

pub async fn run(global: &Global, command: MasterKeyCommand) -> CliResult {
    match command {
        MasterKeyCommand::Generate => {
            // The key alone on stdout, so `KEY=$(costledger master-key generate)` works.
            println!("{}", MasterKey::generate().to_base64().as_str());
            eprintln!(
                "Keep this key in a secret store (a vault, your platform's secrets) and give \
                 it to costledger as COSTLEDGER_MASTER_KEY. Without it the stored admin keys \
                 cannot be opened."
            );
        }
        MasterKeyCommand::Rotate {
            new_key_env,
            new_key_stdin,
        } => {
            let new_key = secrets::new_master_key(&new_key_env, new_key_stdin)?;
            let id = new_key.id().to_string();
            let ctx = Context::open(global).await?;
            let result = ctx.ledger.rotate_master_key(new_key).await;
            ctx.ledger.close().await;
            let count = result?;
            println!(
                "{} re-sealed {count} admin key(s) under the new master key (id {id}), in one \
                 transaction",
                render::tick()
            );
            println!(
                "  now set COSTLEDGER_MASTER_KEY to the new key everywhere costledger runs; \
                 the old key opens nothing any more"
            );
        }
    }
    Ok(())
}
