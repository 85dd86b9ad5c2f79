//! The fakes' tests over HTTP, in one binary: one compile and one link for both fakes.
//!
//! They live in a package of their own so that they compile at the workspace's test
//! optimisation level: the fakes themselves are built optimised (the root Cargo.toml), and
//! cargo applies a package's optimisation level to its tests too. Each fake keeps the test of
//! its binary (`tests/binary.rs`), which needs cargo to build that binary beside it.

mod admin;
mod openai;
