//! What can be checked before the database is opened: labels, keys' shapes, subscriptions,
//! periods, amounts, instants. A command refused for its input leaves nothing behind (no
//! database file created, no migration run); what needs the store (a plan that does not
//! exist, a label in use) is checked by the command itself.

use chrono::{DateTime, Utc};
use costledger::{
    BudgetPeriod, SecretString, validate_admin_key, validate_label, validate_openai_admin_key,
};

use crate::args;
use crate::cli::{
    BudgetsCommand, Command, Global, MapKeyCommand, PlansCommand, ReportCommand, SubscriptionArgs,
};
use crate::context::fixed_now;
use crate::failure::CliResult;
use crate::plans::subscription_of;
use crate::secrets;
use crate::sync;

/// Input read before opening, handed to the command so that it is read only once (an admin
/// key piped on standard input can be read only once).
#[derive(Default)]
pub struct Checked {
    /// The admin key of `plans add` or `plans rotate-credential`.
    pub admin_key: Option<SecretString>,
}

/// Check `command`'s input; `INVALID_INPUT` (exit 2) before anything is opened.
pub fn before_opening(global: &Global, command: &Command) -> CliResult<Checked> {
    let now = fixed_now(global)?.unwrap_or_else(Utc::now);
    let mut checked = Checked::default();
    match command {
        Command::Plans(PlansCommand::Add {
            label,
            key,
            openai,
            claude_code_logs,
            subscription,
            ..
        }) => {
            validate_label(label)?;
            subscription_ok(subscription, now)?;
            if *openai {
                let env = costledger::config::ENV_OPENAI_ADMIN_KEY;
                let admin_key = secrets::admin_key_or(key, env)?;
                validate_openai_admin_key(&admin_key)?;
                checked.admin_key = Some(admin_key);
            } else if !claude_code_logs {
                let admin_key = secrets::admin_key(key)?;
                validate_admin_key(&admin_key)?;
                checked.admin_key = Some(admin_key);
            }
        }
        Command::Plans(PlansCommand::Update {
            label,
            subscription,
            ..
        }) => {
            if let Some(label) = label {
                validate_label(label)?;
            }
            subscription_ok(subscription, now)?;
        }
        Command::Plans(PlansCommand::RotateCredential { key, .. }) => {
            let admin_key = secrets::admin_key(key)?;
            // The plan's provider is in the store: either shape passes here, and the core
            // checks the key against the plan's provider.
            if validate_openai_admin_key(&admin_key).is_err() {
                validate_admin_key(&admin_key)?;
            }
            checked.admin_key = Some(admin_key);
        }
        Command::Sync(a) => {
            sync::options(a)?.validate()?;
        }
        Command::Report(r) => match r {
            ReportCommand::User { period, .. }
            | ReportCommand::Dashboard { period, .. }
            | ReportCommand::Focus { period, .. } => {
                args::period_or_month(period.as_deref(), now)?;
            }
            ReportCommand::Forecast { scope, period, .. } => {
                args::scope(scope)?;
                args::period_or_month(period.as_deref(), now)?;
            }
            ReportCommand::Budgets { .. }
            | ReportCommand::History { .. }
            | ReportCommand::Units { .. }
            | ReportCommand::Billed { .. }
            | ReportCommand::Reconcile { .. } => {}
        },
        Command::Logs(c) => {
            crate::logs::options(c)?;
        }
        Command::MapKey(MapKeyCommand::Add { from, until, .. }) => {
            instant("--from", from.as_deref())?;
            instant("--until", until.as_deref())?;
        }
        Command::MapKey(MapKeyCommand::End { at, .. }) => {
            instant("--at", at.as_deref())?;
        }
        Command::Budgets(BudgetsCommand::Add {
            scope,
            every,
            amount,
            mirror_limit,
            time_zone,
            ..
        }) => {
            args::scope(scope)?;
            if let Some(amount) = amount {
                args::dollars("--amount", amount)?;
            }
            if let Some(limit) = mirror_limit {
                args::parse::<costledger::model::SpendLimitScope>("--mirror-limit", limit)?;
            }
            args::parse::<BudgetPeriod>("--every", every)?;
            args::time_zone("--time-zone", time_zone)?;
        }
        Command::Budgets(BudgetsCommand::Update {
            amount,
            every,
            time_zone,
            ..
        }) => {
            if let Some(amount) = amount {
                args::dollars("--amount", amount)?;
            }
            if let Some(every) = every {
                args::parse::<BudgetPeriod>("--every", every)?;
            }
            if let Some(zone) = time_zone {
                args::time_zone("--time-zone", zone)?;
            }
        }
        _ => {}
    }
    Ok(checked)
}

fn subscription_ok(s: &SubscriptionArgs, now: DateTime<Utc>) -> CliResult {
    if let Some(subscription) = subscription_of(now, s)? {
        subscription.validate()?;
    }
    Ok(())
}

fn instant(option: &str, text: Option<&str>) -> CliResult {
    if let Some(text) = text {
        args::instant(option, text)?;
    }
    Ok(())
}
