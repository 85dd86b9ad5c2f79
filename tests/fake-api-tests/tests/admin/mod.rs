//! The fake Admin API's tests: its protocol, shapes, data and faults over HTTP.

mod common;

mod analytics_faults;
mod analytics_pagination;
mod analytics_protocol;
mod analytics_reconcile;
mod analytics_shapes;
mod analytics_truth;
mod claude_code;
mod cost_report;
mod faults;
mod lists;
mod oauth;
mod oauth_grants;
mod protocol;
mod shapes;
mod spend_effective;
mod spend_limits;
mod spend_list;
mod truth;
mod usage_report;
