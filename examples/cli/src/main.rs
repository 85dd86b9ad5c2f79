//! `costledger`: the command-line tool on the costledger library, and its demo.
//!
//! Each subcommand lives in its own module and does three things: read its arguments,
//! call the [`costledger::Ledger`] method that does the work, print the result. Errors
//! print as `error[CODE]: message` on stderr with an exit code per kind (docs/cli.md).

mod args;
mod billed;
mod budgets;
mod check;
mod cli;
mod connect;
mod context;
mod dashboard;
mod demo;
mod failure;
mod limits;
mod logs;
mod mappings;
mod master_key;
mod output;
mod plans;
mod progress;
mod projects;
mod providers;
mod reconcile;
mod render;
mod report;
mod secrets;
mod signals;
mod subjects;
mod sync;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::failure::CliResult;

fn main() -> ExitCode {
    restore_sigpipe();
    let argv: Vec<_> = std::env::args_os().collect();
    if let Err(failure) = secrets::refuse_secret_arguments(&argv) {
        return failure.report();
    }
    let cli = Cli::parse_from(argv);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return failure::Failure::from(e).report(),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

async fn run(cli: Cli) -> CliResult {
    let global = &cli.global;
    match cli.command {
        Command::Demo(args) => demo::run(global, &args).await,
        Command::MasterKey(command) => master_key::run(global, command).await,
        Command::Providers { json } => providers::run(json),
        command => {
            let checked = check::before_opening(global, &command)?;
            let ctx = Context::open(global).await?;
            let result = dispatch(&ctx, command, checked).await;
            ctx.ledger.close().await;
            result
        }
    }
}

async fn dispatch(ctx: &Context, command: Command, checked: check::Checked) -> CliResult {
    match command {
        Command::Plans(c) => plans::run(ctx, c, checked).await,
        Command::Sync(args) => sync::run(ctx, &args).await,
        Command::Report(c) => report::run(ctx, c).await,
        Command::Logs(c) => logs::run(ctx, c).await,
        Command::Subjects(c) => subjects::run(ctx, c).await,
        Command::Projects(c) => projects::run(ctx, c).await,
        Command::MapKey(c) => mappings::run(ctx, c).await,
        Command::Budgets(c) => budgets::run(ctx, c).await,
        Command::Limits(c) => limits::run(ctx, c).await,
        Command::Verify(args) => verify::run(ctx, &args).await,
        Command::Demo(_) | Command::MasterKey(_) | Command::Providers { .. } => {
            unreachable!("handled before opening")
        }
    }
}

/// Rust ignores SIGPIPE, so printing to a closed pipe (`costledger report … | head`) would
/// panic; the default action ends the process quietly, as other command-line tools do.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
