//! The fake Admin API's tests: its protocol, shapes, data and faults over HTTP.
//! One test binary per crate: one compile and one link instead of one per file.

#[macro_use]
mod common;

mod binary;
mod claude_code;
mod cost_report;
mod faults;
mod lists;
mod protocol;
mod shapes;
mod truth;
mod usage_report;
