//! Where secrets come from: environment variables and standard input, never arguments.

use std::io::Read;

use costledger::{MasterKey, SecretString};

use crate::cli::KeySource;
use crate::failure::{CliResult, Failure};

/// Refuse a command line that carries a secret, before clap sees it (clap would echo an
/// unexpected argument back in its error). The message names the argument's position,
/// never its value.
pub fn refuse_secret_arguments(args: &[std::ffi::OsString]) -> CliResult {
    for (position, arg) in args.iter().enumerate().skip(1) {
        let text = arg.to_string_lossy();
        // `--option=value` carries its value after the first `=` (base64 may end in `=`).
        let value = match text.strip_prefix("--").and_then(|t| t.split_once('=')) {
            Some((_, v)) => v,
            None => &text,
        };
        let what = if value.starts_with("sk-ant-") {
            "an Anthropic key"
        } else if MasterKey::from_base64(value).is_ok() {
            "a master key"
        } else {
            continue;
        };
        return Err(Failure::usage(format!(
            "argument {position} looks like {what}; secrets are never taken as command-line \
             arguments, which land in the shell's history and are visible to every user in \
             the process list"
        ))
        .hint(
            "pass an admin key in ANTHROPIC_ADMIN_API_KEY (or the variable --key-env names) or \
             on standard input with --key-stdin; the master key in COSTLEDGER_MASTER_KEY",
        ));
    }
    Ok(())
}

/// Read one secret from standard input: the whole input, without its final line break.
fn read_stdin(what: &str) -> CliResult<SecretString> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let secret = text.trim_end_matches(['\n', '\r']).to_string();
    text.clear();
    if secret.is_empty() {
        return Err(Failure::usage(format!("standard input held no {what}")));
    }
    Ok(SecretString::new(secret))
}

/// Read a secret from an environment variable.
fn read_env(var: &str, what: &str, stdin_flag: &str) -> CliResult<SecretString> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(SecretString::new(v)),
        _ => Err(Failure::usage(format!(
            "no {what}: set {var}, or pipe it in with {stdin_flag}"
        ))),
    }
}

/// The admin key a command was given.
pub fn admin_key(source: &KeySource) -> CliResult<SecretString> {
    admin_key_or(source, costledger::config::ENV_ANTHROPIC_ADMIN_API_KEY)
}

/// The admin key from standard input, `--key-env`, or else the variable `default_env`.
pub fn admin_key_or(source: &KeySource, default_env: &str) -> CliResult<SecretString> {
    if source.key_stdin {
        read_stdin("admin key")
    } else {
        let env = source.key_env.as_deref().unwrap_or(default_env);
        read_env(env, "admin key", "--key-stdin")
    }
}

/// A new master key for a rotation.
pub fn new_master_key(env: &str, stdin: bool) -> CliResult<MasterKey> {
    let text = if stdin {
        read_stdin("master key")?
    } else {
        read_env(env, "new master key", "--new-key-stdin")?
    };
    Ok(MasterKey::from_base64(text.expose().trim())?)
}
