//! The fakes' tests over HTTP, in one binary: one compile and one link for both fakes.
//!
//! They live in a package of their own so that they compile at the workspace's test
//! optimisation level: the fakes themselves are built optimised (the root Cargo.toml), and
//! cargo applies a package's optimisation level to its tests too. Each fake keeps the test of
//! its binary (`tests/binary.rs`), which needs cargo to build that binary beside it.

mod admin;
mod openai;

/// A reqwest client. costledger builds reqwest with rustls but no crypto provider of its own
/// (its clients bring theirs): test clients use *ring*, installed as the process default.
pub(crate) fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// [`client_builder`]'s client with reqwest's defaults.
pub(crate) fn client() -> reqwest::Client {
    client_builder().build().expect("a reqwest client")
}
