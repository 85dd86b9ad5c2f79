//! The costledger CLI's tests: the built binary run as a user runs it.
//! One test binary per crate: one compile and one link instead of one per file.

#[macro_use]
mod common;

mod billed;
mod budgets;
mod demo;
mod docs;
mod interrupts;
mod logs;
mod master_key;
mod people;
mod plans;
mod postgres;
mod providers;
mod reports;
mod sync;
