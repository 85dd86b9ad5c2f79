//! The organisation behind an OpenAI admin key, and its projects, API keys and users.
//!
//! OpenAI has no `me` endpoint and no object carries the `org-…` id: the organisation is
//! the `openai-organization` header of an authenticated answer (its slug), which is what a
//! plan records as its organisation id and name.

use serde::de::DeserializeOwned;

use super::OpenAiSource;
use super::wire::{List, WireApiKey, WireProject, WireUser};
use crate::error::{Error, Result};
use crate::model::{OrgInfo, OrgMetadata};
use crate::source::{RequestStats, SourceContext};

const PROJECTS: &str = "/v1/organization/projects";
const USERS: &str = "/v1/organization/users";
/// Most objects per page the list endpoints allow.
const LIST_LIMIT: &str = "100";

fn param(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

impl OpenAiSource {
    /// `GET /v1/organization/projects?limit=1`: proves the key (a read-only admin key is
    /// enough) and names the organisation from the answer's header.
    pub(super) async fn identify(
        &self,
        ctx: &SourceContext<'_>,
    ) -> Result<(OrgInfo, RequestStats)> {
        let answer = self
            .get(ctx, PROJECTS, &[param("limit", "1")], |body| {
                serde_json::from_slice::<List<WireProject>>(body)
                    .map(|_| ())
                    .map_err(|e| format!("not a list of projects ({e})"))
            })
            .await?;
        let slug = answer
            .organization
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Error::Upstream {
                status: Some(200),
                request_id: None,
                message: format!(
                    "GET {PROJECTS} answered without the openai-organization header that names \
                     the organisation; check that {} is the OpenAI API",
                    self.inner.config.base_url
                ),
                source: None,
            })?;
        let org = OrgInfo {
            id: slug.clone(),
            name: slug,
        };
        Ok((org, answer.stats))
    }

    /// The organisation again, every project (archived too) as a workspace, every API key of
    /// every project (whatever its owner's access), and every user.
    pub(super) async fn org_metadata(&self, ctx: &SourceContext<'_>) -> Result<OrgMetadata> {
        let (org, mut stats) = self.identify(ctx).await?;
        let (projects, s) = self
            .list_all::<WireProject>(ctx, PROJECTS, &[param("include_archived", "true")])
            .await?;
        stats.add(s);
        let mut api_keys = Vec::new();
        for project in &projects {
            let path = format!("{PROJECTS}/{}/api_keys", project.id);
            let (keys, s) = self
                .list_all::<WireApiKey>(ctx, &path, &[param("owner_project_access", "any")])
                .await?;
            stats.add(s);
            api_keys.extend(keys.into_iter().map(|k| k.into_info(&project.id)));
        }
        let (users, s) = self.list_all::<WireUser>(ctx, USERS, &[]).await?;
        stats.add(s);
        Ok(OrgMetadata {
            org: Some(org),
            workspaces: projects.into_iter().map(Into::into).collect(),
            api_keys,
            users: users.into_iter().map(Into::into).collect(),
            stats,
        })
    }

    /// Every object of a list, following `after=<last_id>` while `has_more`.
    async fn list_all<T: DeserializeOwned>(
        &self,
        ctx: &SourceContext<'_>,
        path: &str,
        extra: &[(String, String)],
    ) -> Result<(Vec<T>, RequestStats)> {
        let mut items = Vec::new();
        let mut stats = RequestStats::default();
        let mut after: Option<String> = None;
        loop {
            let mut params = extra.to_vec();
            params.push(param("limit", LIST_LIMIT));
            if let Some(id) = &after {
                params.push(param("after", id));
            }
            let answer = self
                .get(ctx, path, &params, |body| {
                    let page: List<T> = serde_json::from_slice(body)
                        .map_err(|e| format!("the list's JSON did not parse ({e})"))?;
                    if page.has_more && page.last_id.is_none() {
                        return Err("has_more is true but last_id is missing".to_string());
                    }
                    Ok(page)
                })
                .await?;
            stats.add(answer.stats);
            let page = answer.value;
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
