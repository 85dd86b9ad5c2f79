//! Opening the ledger the global options and the environment describe.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use costledger::{FixedClock, Ledger, LedgerConfig};

use crate::args;
use crate::cli::Global;
use crate::failure::CliResult;

/// What every command that touches the database works with.
pub struct Context {
    /// The open ledger.
    pub ledger: Ledger,
    /// What the ledger takes as now: the system clock, or `--now` in a simulation.
    pub now: DateTime<Utc>,
}

/// The instant `--now` (or `COSTLEDGER_NOW`) fixes, if any.
pub fn fixed_now(global: &Global) -> CliResult<Option<DateTime<Utc>>> {
    global
        .now
        .as_deref()
        .map(|text| args::instant("--now", text))
        .transpose()
}

impl Context {
    /// Open the database named by `--db` (or `COSTLEDGER_DATABASE_URL`); the master key and
    /// the Anthropic base URL come from the environment, read by the core itself.
    pub async fn open(global: &Global) -> CliResult<Context> {
        let mut config = LedgerConfig::new(global.db.clone());
        let now = match fixed_now(global)? {
            Some(now) => {
                config = config.clock(Arc::new(FixedClock::new(now)));
                now
            }
            None => Utc::now(),
        };
        if let Some(schema) = &global.postgres_schema {
            config = config.postgres_schema(schema.clone());
        }
        if let Some(ms) = global.request_interval_ms {
            config = config.request_interval(Duration::from_millis(ms));
        }
        let ledger = Ledger::open(config).await?;
        Ok(Context { ledger, now })
    }
}
