//! The fake OpenAI API's tests: its protocol, shapes, data, truth and faults over HTTP.

mod common;

mod cached_tokens;
mod costs;
mod faults;
mod lists;
mod protocol;
mod reconcile;
mod shapes;
mod truth;
mod truth_costs;
mod usage;
mod usage_filters;
