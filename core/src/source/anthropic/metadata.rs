//! The organisation behind a key, and its workspaces, API keys and users.

use serde::de::DeserializeOwned;

use super::AnthropicSource;
use super::wire::{ListPage, WireApiKey, WireOrg, WireUser, WireWorkspace};
use crate::error::{Error, Result};
use crate::model::{Credential, OrgInfo, OrgMetadata};
use crate::source::anthropic::analytics::{AdminKeyKind, admin_key_kind};
use crate::source::{RequestStats, SourceContext};

const ME: &str = "/v1/organizations/me";
const WORKSPACES: &str = "/v1/organizations/workspaces";
const API_KEYS: &str = "/v1/organizations/api_keys";
const USERS: &str = "/v1/organizations/users";
/// Most objects per page the list endpoints allow.
const LIST_LIMIT: &str = "1000";

/// A list a scoped key is refused (403) reads as empty; anything else passes.
fn refused_if_scoped<T>(
    scoped: bool,
    listed: Result<(Vec<T>, RequestStats)>,
) -> Result<(Vec<T>, RequestStats)> {
    match listed {
        Err(Error::CredentialRejected { status: 403, .. }) if scoped => {
            Ok((Vec::new(), RequestStats::default()))
        }
        other => other,
    }
}

impl AnthropicSource {
    /// `GET /v1/organizations/me`: the organisation the key answers for.
    pub(super) async fn me(&self, ctx: &SourceContext<'_>) -> Result<(OrgInfo, RequestStats)> {
        self.get(ctx, ME, &[], |body| {
            serde_json::from_slice::<WireOrg>(body)
                .map(OrgInfo::from)
                .map_err(|e| format!("not an organization object ({e})"))
        })
        .await
    }

    /// The organisation again, then every workspace (archived too), every API key (no
    /// status filter) and every user.
    pub(super) async fn org_metadata(&self, ctx: &SourceContext<'_>) -> Result<OrgMetadata> {
        let (org, mut stats) = self.me(ctx).await?;
        // A Claude Enterprise key with scopes never reaches the workspace and API key lists,
        // and the users only with `read:members`: what it is refused is left as stored.
        let scoped = matches!(
            ctx.credential,
            Some(Credential::AdminKey(key))
                if matches!(admin_key_kind(key), Ok(AdminKeyKind::EnterpriseScoped))
        );
        let archived_too = [("include_archived", "true")];
        let (workspaces, s) = refused_if_scoped(
            scoped,
            self.list_all::<WireWorkspace>(ctx, WORKSPACES, &archived_too)
                .await,
        )?;
        stats.add(s);
        // No `status` filter: every status comes back in the fake; whether the real API's
        // default leaves some statuses out is unconfirmed (docs/anthropic-client.md).
        let (api_keys, s) = refused_if_scoped(
            scoped,
            self.list_all::<WireApiKey>(ctx, API_KEYS, &[]).await,
        )?;
        stats.add(s);
        let (users, s) =
            refused_if_scoped(scoped, self.list_all::<WireUser>(ctx, USERS, &[]).await)?;
        stats.add(s);
        Ok(OrgMetadata {
            org: Some(org),
            workspaces: workspaces.into_iter().map(Into::into).collect(),
            api_keys: api_keys.into_iter().map(Into::into).collect(),
            users: users.into_iter().map(Into::into).collect(),
            stats,
        })
    }

    /// Every object of a list, following `after_id=<last_id>` while `has_more`.
    async fn list_all<T: DeserializeOwned>(
        &self,
        ctx: &SourceContext<'_>,
        path: &str,
        extra: &[(&str, &str)],
    ) -> Result<(Vec<T>, RequestStats)> {
        let mut items = Vec::new();
        let mut stats = RequestStats::default();
        let mut after: Option<String> = None;
        loop {
            let mut params: Vec<(String, String)> = extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            params.push(("limit".into(), LIST_LIMIT.into()));
            if let Some(id) = &after {
                params.push(("after_id".into(), id.clone()));
            }
            let (page, s) = self
                .get(ctx, path, &params, |body| {
                    let page: ListPage<T> = serde_json::from_slice(body)
                        .map_err(|e| format!("the list's JSON did not parse ({e})"))?;
                    if page.has_more && page.last_id.is_none() {
                        return Err("has_more is true but last_id is missing".to_string());
                    }
                    Ok(page)
                })
                .await?;
            stats.add(s);
            items.extend(page.data);
            if !page.has_more {
                return Ok((items, stats));
            }
            if page.last_id == after {
                return Err(Error::Upstream {
                    status: Some(200),
                    request_id: None,
                    message: format!(
                        "GET {path} answered with the cursor it was sent as last_id; stopping \
                         rather than looping — report this with this message"
                    ),
                    source: None,
                });
            }
            after = page.last_id;
        }
    }
}
