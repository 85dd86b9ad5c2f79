//! The Usage and Cost Analytics API (beta): flat rows of usage and billed cost, grouped
//! by any of its dimensions, summed from the same events as the legacy reports.

pub mod atoms;
pub mod cache;
pub mod dims;
pub mod endpoint;
pub mod filter;
pub mod params;
pub mod render;
pub mod rows;
pub mod truth;
