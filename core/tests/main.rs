//! costledger's integration tests, on SQLite and Postgres, against the fake Admin API.
//! One test binary per crate: one compile and one link instead of one per file.

#[macro_use]
mod common;
mod logs_support;

mod analytics_basis;
mod analytics_source;
mod analytics_store;
mod analytics_sync;
mod anthropic_client;
mod anthropic_protocol;
mod billed_costs;
mod bindings_schema;
mod budgets;
mod calls;
mod claude_code_logs;
mod claude_code_logs_incremental;
mod claude_code_logs_parity;
mod claude_code_logs_reports;
mod claude_code_logs_store;
mod credential_reach;
mod derived_facts;
mod docs_samples;
mod exports;
mod oauth_client;
mod oauth_plans;
mod oauth_processes;
mod openai_actors;
mod openai_sync;
mod plans;
mod reconcile;
mod report_rollups;
mod reports;
mod spend_limits_ledger;
mod spend_limits_source;
mod spend_limits_sync;
mod stale_days;
mod store_conformance;
mod store_open;
mod sync;
mod sync_processes;
