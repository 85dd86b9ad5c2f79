//! Nothing: this package holds the fakes' tests (tests/main.rs).
