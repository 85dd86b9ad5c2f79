//! How a command fails: the core's error code and message on stderr, a hint in the terms of
//! this tool, and an exit code a script can branch on.

use std::process::ExitCode;

/// Exit codes (docs/cli.md lists them).
pub mod exit {
    /// Anything else: storage, the provider after every retry, an internal error.
    pub const FAILURE: u8 = 1;
    /// The command line or a value in it was rejected (`INVALID_INPUT`).
    pub const USAGE: u8 = 2;
    /// A plan, subject, project, mapping or budget does not exist (`*_NOT_FOUND`).
    pub const NOT_FOUND: u8 = 3;
    /// A label, email or org already in use (`CONFLICT`).
    pub const CONFLICT: u8 = 4;
    /// A credential could not be opened or was refused (`CRYPTO`, `CREDENTIAL_REJECTED`,
    /// `ORG_MISMATCH`).
    pub const CREDENTIAL: u8 = 5;
    /// A sync ran, but at least one plan ended in error or partly.
    pub const SYNC_INCOMPLETE: u8 = 6;
    /// `verify` found stored facts that differ from the synced data, and did not repair them.
    pub const INCONSISTENT: u8 = 7;
    /// A sync stopped on SIGINT (Ctrl-C), after committing its current page: 128 + 2.
    pub const INTERRUPTED_SIGINT: u8 = 130;
    /// A sync stopped on SIGTERM, after committing its current page: 128 + 15.
    pub const INTERRUPTED_SIGTERM: u8 = 143;
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    /// The stable code (`PLAN_NOT_FOUND`).
    pub code: String,
    /// What was wrong and what to do.
    pub message: String,
    /// What to run, in this tool's terms.
    pub hint: Option<String>,
    /// The process exit code.
    pub exit: u8,
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, Failure>;

impl Failure {
    /// A rejected argument (`INVALID_INPUT`, exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: "INVALID_INPUT".into(),
            message: message.into(),
            hint: None,
            exit: exit::USAGE,
        }
    }

    /// Add a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Print to stderr and give the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error[{}]: {}", self.code, self.message);
        if let Some(hint) = &self.hint {
            eprintln!("  hint: {hint}");
        }
        ExitCode::from(self.exit)
    }
}

/// The exit code of a core error code.
pub fn exit_code_of(code: &str) -> u8 {
    match code {
        "INVALID_INPUT" => exit::USAGE,
        "CONFLICT" => exit::CONFLICT,
        "CRYPTO" | "CREDENTIAL_REJECTED" | "ORG_MISMATCH" => exit::CREDENTIAL,
        c if c.ends_with("_NOT_FOUND") => exit::NOT_FOUND,
        _ => exit::FAILURE,
    }
}

fn hint_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "PLAN_NOT_FOUND" => "`costledger plans list --all` shows the plans and their ids",
        "SUBJECT_NOT_FOUND" => {
            "`costledger subjects list` shows the users; `subjects add` creates one"
        }
        "PROJECT_NOT_FOUND" => "`costledger projects list` shows the projects and their ids",
        "MAPPING_NOT_FOUND" => "`costledger map-key list` shows the mappings and their ids",
        "BUDGET_NOT_FOUND" => "`costledger budgets list` shows the budgets and their ids",
        "CRYPTO" => {
            "COSTLEDGER_MASTER_KEY must be the key the admin keys were sealed with (after a \
             rotation, the new one)"
        }
        "CREDENTIAL_REJECTED" => {
            "replace the key with `costledger plans rotate-credential ID` (it reads \
             ANTHROPIC_ADMIN_API_KEY or --key-stdin)"
        }
        _ => return None,
    })
}

impl From<costledger::Error> for Failure {
    fn from(e: costledger::Error) -> Self {
        let code = e.code();
        Failure {
            code: code.to_string(),
            message: e.full_message(),
            hint: hint_for(code).map(str::to_string),
            exit: exit_code_of(code),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure {
            code: "IO".into(),
            message: e.to_string(),
            hint: None,
            exit: exit::FAILURE,
        }
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure {
            code: "INTERNAL".into(),
            message: format!("writing JSON failed: {e}"),
            hint: None,
            exit: exit::FAILURE,
        }
    }
}
