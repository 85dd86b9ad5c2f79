//! OAuth sign-in (core `oauth/`): the client a host's two routes use, and the opaque tokens
//! it returns. The plan side (adding, rotating, disconnecting) sits in `plans.rs`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use costledger::FixedClock;
use costledger::oauth::{OAuthClient, OAuthConfig, OAuthTokens};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use zeroize::Zeroizing;

use crate::config::seconds;
use crate::error;
use crate::pending::{Pending, Reply};

/// The client options as the Python layer passes them (a dict); `None` keeps the core's
/// default.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct ClientArgs {
    client_secret: Option<String>,
    base_url: Option<String>,
    authorize_url: Option<String>,
    token_url: Option<String>,
    revocation_url: Option<String>,
    organizations_url: Option<String>,
    scopes: Option<Vec<String>>,
    timeout: Option<f64>,
    now: Option<DateTime<Utc>>,
}

impl ClientArgs {
    fn into_config(
        self,
        client_id: String,
        redirect_uri: String,
    ) -> costledger::Result<OAuthConfig> {
        let mut config = OAuthConfig::new(client_id, redirect_uri);
        if let Some(base) = &self.base_url {
            config = config.endpoints_at(base);
        }
        if let Some(secret) = self.client_secret {
            config = config.client_secret(secret);
        }
        if let Some(url) = self.authorize_url {
            config = config.authorize_url(url);
        }
        if let Some(url) = self.token_url {
            config = config.token_url(url);
        }
        if let Some(url) = self.revocation_url {
            config = config.revocation_url(url);
        }
        if let Some(url) = self.organizations_url {
            config = config.organizations_url(url);
        }
        if let Some(scopes) = self.scopes {
            config = config.scopes(scopes);
        }
        if let Some(timeout) = seconds("timeout", self.timeout)? {
            config = config.timeout(timeout);
        }
        if let Some(now) = self.now {
            config = config.clock(Arc::new(FixedClock::new(now)));
        }
        Ok(config)
    }
}

/// A host application's OAuth client (core `OAuthClient`).
#[pyclass(name = "OAuthClient", module = "costledger._native", frozen)]
pub struct PyOAuthClient {
    inner: OAuthClient,
}

/// The tokens of a sign-in (core `OAuthTokens`): opaque, no part of a token ever leaves them.
#[pyclass(name = "OAuthTokens", module = "costledger._native", frozen)]
pub struct PyOAuthTokens {
    pub(crate) inner: OAuthTokens,
}

#[pymethods]
impl PyOAuthClient {
    /// Check the configuration and build the client; `INVALID_INPUT` names a bad field.
    #[new]
    fn new(
        py: Python<'_>,
        client_id: String,
        redirect_uri: String,
        options: ClientArgs,
    ) -> PyResult<Self> {
        options
            .into_config(client_id, redirect_uri)
            .and_then(OAuthClient::new)
            .map(|inner| PyOAuthClient { inner })
            .map_err(|e| error::to_py(py, e))
    }

    /// Start a sign-in: `(url, state, verifier)`.
    fn begin(&self, py: Python<'_>) -> PyResult<(String, String, String)> {
        let begin = self.inner.begin().map_err(|e| error::to_py(py, e))?;
        Ok((begin.url, begin.state, begin.verifier.expose().to_string()))
    }

    /// Exchange the callback's code once its state matches; resolves to `OAuthTokens`.
    fn finish(
        &self,
        code: String,
        state: String,
        expected_state: String,
        verifier: String,
    ) -> Pending {
        let client = self.inner.clone();
        let (code, verifier) = (Zeroizing::new(code), Zeroizing::new(verifier));
        Pending::new(async move {
            client
                .finish(&code, &state, &expected_state, &verifier)
                .await
                .map(|t| Reply::Tokens(Box::new(t)))
        })
    }

    /// The organisations the sign-in reaches, the tokens' own first (JSON).
    fn organizations(&self, tokens: &PyOAuthTokens) -> Pending {
        let (client, tokens) = (self.inner.clone(), tokens.inner.clone());
        Pending::json(async move { client.organizations(&tokens).await })
    }

    /// Tokens of a grant of their own for another organisation the sign-in reaches.
    fn select_organization(&self, tokens: &PyOAuthTokens, org_id: String) -> Pending {
        let (client, tokens) = (self.inner.clone(), tokens.inner.clone());
        Pending::new(async move {
            client
                .select_organization(&tokens, &org_id)
                .await
                .map(|t| Reply::Tokens(Box::new(t)))
        })
    }

    /// Revoke the grant at the provider (RFC 7009).
    fn revoke(&self, tokens: &PyOAuthTokens) -> Pending {
        let (client, tokens) = (self.inner.clone(), tokens.inner.clone());
        Pending::json(async move { client.revoke(&tokens).await })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner.config())
    }
}

#[pymethods]
impl PyOAuthTokens {
    /// When the access token expires, when the provider said.
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.inner.expires_at()
    }

    /// The granted scopes, space-separated.
    #[getter]
    fn scope(&self) -> &str {
        self.inner.scope()
    }

    /// `(id, name)` of the organisation the tokens answer for, when the provider named it.
    #[getter]
    fn organization(&self) -> Option<(String, String)> {
        self.inner
            .organization()
            .map(|o| (o.id.clone(), o.name.clone()))
    }

    /// Tokens do not pickle: a pickle is their plaintext.
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "OAuthTokens cannot be pickled: that would write the tokens in clear; add them to \
             a plan (add_plan(..., oauth_tokens=...)), which seals them",
        ))
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}
