//! The HTTP client every costledger request goes through: rustls with the *ring* crypto
//! provider and the platform's certificate verifier, no redirects followed (a credential is
//! never sent to another host).
//!
//! The TLS configuration is the client's own: costledger neither reads nor installs rustls'
//! process-wide default provider, so a host that installs another one is not affected.

use std::sync::Arc;
use std::time::Duration;

use rustls_platform_verifier::BuilderVerifierExt;

use crate::error::{Error, Result};

/// A new client; `timeout` bounds each whole request when given.
pub(crate) fn client(timeout: Option<Duration>) -> Result<reqwest::Client> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| Error::Upstream {
        status: None,
        request_id: None,
        message: "could not build the HTTP client (TLS configuration)".into(),
        source: Some(source),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| failed(Box::new(e)))?
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().map_err(|e| failed(Box::new(e)))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn builds_without_a_process_default_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        super::client(None).expect("a client");
        super::client(Some(std::time::Duration::from_secs(5))).expect("a client");
        // Building one installed nothing process-wide.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }
}
