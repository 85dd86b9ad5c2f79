//! Machine-readable output: the report's own JSON, and the core's CSV exports.

use costledger::Export;
use serde::Serialize;

use crate::cli::Format;

use crate::failure::CliResult;

/// Print a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> CliResult {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Print a report as JSON or CSV when `format` asks for one (the core's exports: exact
/// amounts, RFC 4180 CSV); false when the caller prints tables.
pub fn export<T: Export + ?Sized>(report: &T, format: &Format) -> CliResult<bool> {
    if format.json {
        println!("{}", report.to_json()?);
    } else if format.csv {
        print!("{}", report.to_csv()?);
    } else {
        return Ok(false);
    }
    Ok(true)
}
