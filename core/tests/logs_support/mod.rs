//! Support of the Claude Code logs tests: ccusage, generated corpora, ledgers.

pub mod ccusage;
pub mod corpus;
pub mod ledger;
