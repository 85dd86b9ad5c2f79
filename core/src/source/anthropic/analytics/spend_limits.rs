//! The Spend Limits API: list (with its read beta flag), get, set (an upsert on scope and
//! period), delete, and the effective report of each member's limit and period-to-date
//! spend. A refusal of what the organisation kind cannot do becomes `InvalidInput` with the
//! provider's reason.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::wire::{self, Page, WireLimit, page};
use crate::error::{Error, Result};
use crate::model::{EffectiveSpend, OrgKind, SpendLimit, SpendLimitWrite, SpendPeriod};
use crate::source::SourceContext;
use crate::source::anthropic::AnthropicSource;
use crate::source::anthropic::http::Call;
use crate::source::anthropic::reports::param;

/// The beta flag listing spend limits requires.
pub const SPEND_LIMIT_READS_BETA: &str = "spend-limit-reads-2026-09-26";

const PATH: &str = "/v1/organizations/spend_limits";
const EFFECTIVE_PATH: &str = "/v1/organizations/spend_limits/effective";
/// Most items per page of the list and the effective report.
const PAGE_SIZE: u32 = 1_000;

/// Which limits to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpendLimitFilter {
    /// Only these scope types (`scope_type[]`: `organization`, `workspace`, `user`, …);
    /// empty lists all.
    pub scope_types: Vec<String>,
    /// Only this workspace's limits (Console organisations).
    pub workspace_id: Option<String>,
}

/// The provider's words in a refusal: what follows `was refused: ` up to the advice.
fn provider_words(message: &str) -> &str {
    let words = message
        .split_once("was refused: ")
        .map_or(message, |(_, rest)| rest);
    words
        .rsplit_once("; this is not retried")
        .map_or(words, |(w, _)| w)
}

/// A 400 (and a 404 on one limit) becomes `InvalidInput` naming what was refused.
fn refused(what: &str, e: Error) -> Error {
    match e {
        Error::Upstream {
            status: Some(status @ (400 | 404)),
            message,
            ..
        } => Error::invalid(format!(
            "the organisation refused to {what} (HTTP {status}): {}",
            provider_words(&message)
        )),
        other => other,
    }
}

fn decode_one<W: DeserializeOwned, T>(
    body: &[u8],
    convert: fn(W) -> std::result::Result<T, String>,
) -> std::result::Result<T, String> {
    let w: W = serde_json::from_slice(body).map_err(|e| format!("the JSON did not parse ({e})"))?;
    convert(w)
}

impl AnthropicSource {
    /// Every spend limit of the organisation matching `filter`, following `next_page`.
    pub async fn spend_limits(
        &self,
        ctx: SourceContext<'_>,
        filter: &SpendLimitFilter,
    ) -> Result<Vec<SpendLimit>> {
        let mut params = vec![param("limit", PAGE_SIZE.to_string())];
        params.extend(
            filter
                .scope_types
                .iter()
                .map(|t| param("scope_type[]", t.as_str())),
        );
        if let Some(w) = &filter.workspace_id {
            params.push(param("workspace_id", w.as_str()));
        }
        self.all_pages(
            ctx,
            PATH,
            params,
            Some(SPEND_LIMIT_READS_BETA),
            wire::spend_limit,
        )
        .await
        .map_err(|e| refused("list its spend limits", e))
    }

    /// One spend limit by id.
    pub async fn spend_limit(&self, ctx: SourceContext<'_>, id: &str) -> Result<SpendLimit> {
        let path = format!("{PATH}/{id}");
        let (limit, _) = self
            .send(&ctx, Call::get(&path, &[]), |b| {
                decode_one::<WireLimit, _>(b, wire::spend_limit)
            })
            .await
            .map_err(|e| refused(&format!("read spend limit {id}"), e))?;
        Ok(limit)
    }

    /// Sets a limit: creates it, or overwrites the one of the same scope and period (same
    /// id). With `kind` known, what that kind of organisation cannot set is refused before
    /// anything is sent; otherwise the provider's refusal comes back as `InvalidInput`.
    pub async fn set_spend_limit(
        &self,
        ctx: SourceContext<'_>,
        write: &SpendLimitWrite,
        kind: Option<OrgKind>,
    ) -> Result<SpendLimit> {
        write.check(kind)?;
        let amount = write
            .amount
            .map(|m| (m.nanos() / crate::model::NANOS_PER_CENT).to_string());
        let body = json!({
            "amount": amount,
            "scope": write.scope,
            "period": write.period.as_str(),
        });
        let call = Call {
            method: &Method::POST,
            path: PATH,
            params: &[],
            beta: None,
            body: Some(&body),
        };
        let what = format!(
            "set a {} {} spend limit",
            write.period,
            write.scope.type_name()
        );
        let (limit, _) = self
            .send(&ctx, call, |b| {
                decode_one::<WireLimit, _>(b, wire::spend_limit)
            })
            .await
            .map_err(|e| refused(&what, e))?;
        Ok(limit)
    }

    /// Deletes a limit (Enterprise: user limits only; Console: organization and workspace).
    pub async fn delete_spend_limit(&self, ctx: SourceContext<'_>, id: &str) -> Result<()> {
        let path = format!("{PATH}/{id}");
        let call = Call {
            method: &Method::DELETE,
            path: &path,
            params: &[],
            beta: None,
            body: None,
        };
        self.send(&ctx, call, |b| {
            let v: serde_json::Value =
                serde_json::from_slice(b).map_err(|e| format!("the JSON did not parse ({e})"))?;
            match v.get("type").and_then(|t| t.as_str()) {
                Some("spend_limit_deleted") => Ok(()),
                other => Err(format!("expected type spend_limit_deleted, got {other:?}")),
            }
        })
        .await
        .map_err(|e| refused(&format!("delete spend limit {id}"), e))?;
        Ok(())
    }

    /// The effective report (Claude Enterprise): each member's resolved limit per period
    /// and spend since the period began; `periods` and `user_ids` narrow it (empty: all).
    pub async fn effective_spend(
        &self,
        ctx: SourceContext<'_>,
        periods: &[SpendPeriod],
        user_ids: &[String],
    ) -> Result<Vec<EffectiveSpend>> {
        let mut params = vec![param("limit", PAGE_SIZE.to_string())];
        params.extend(periods.iter().map(|p| param("period[]", p.as_str())));
        params.extend(user_ids.iter().map(|u| param("user_ids[]", u.as_str())));
        self.all_pages(ctx, EFFECTIVE_PATH, params, None, wire::effective)
            .await
            .map_err(|e| refused("report effective spend limits", e))
    }

    /// Follows `next_page` to the end of a cursor list.
    async fn all_pages<W: DeserializeOwned, T>(
        &self,
        ctx: SourceContext<'_>,
        path: &str,
        params: Vec<(String, String)>,
        beta: Option<&'static str>,
        convert: fn(W) -> std::result::Result<T, String>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut p = params.clone();
            if let Some(t) = &token {
                p.push(param("page", t.as_str()));
            }
            let mut call = Call::get(path, &p);
            call.beta = beta;
            let (next, _) = self
                .send(&ctx, call, |body| {
                    let page: Page<W> = page(body)?;
                    let next = page.next().map(str::to_string);
                    let items = page
                        .data
                        .into_iter()
                        .map(convert)
                        .collect::<std::result::Result<Vec<T>, String>>()?;
                    Ok((items, next))
                })
                .await?;
            let (items, next) = next;
            out.extend(items);
            match next {
                Some(n) if token.as_deref() == Some(n.as_str()) => {
                    return Err(Error::Upstream {
                        status: Some(200),
                        request_id: None,
                        message: format!(
                            "GET {path} answered with the page token it was sent as next_page; \
                             stopping rather than looping — report this with this message"
                        ),
                        source: None,
                    });
                }
                Some(n) => token = Some(n),
                None => return Ok(out),
            }
        }
    }
}

#[async_trait::async_trait]
impl crate::source::SpendLimitApi for AnthropicSource {
    async fn list(
        &self,
        ctx: SourceContext<'_>,
        filter: &SpendLimitFilter,
    ) -> Result<Vec<SpendLimit>> {
        self.spend_limits(ctx, filter).await
    }

    async fn set(
        &self,
        ctx: SourceContext<'_>,
        write: &SpendLimitWrite,
        kind: Option<OrgKind>,
    ) -> Result<SpendLimit> {
        self.set_spend_limit(ctx, write, kind).await
    }

    async fn delete(&self, ctx: SourceContext<'_>, id: &str) -> Result<()> {
        self.delete_spend_limit(ctx, id).await
    }

    async fn effective(
        &self,
        ctx: SourceContext<'_>,
        periods: &[SpendPeriod],
        user_ids: &[String],
    ) -> Result<Vec<EffectiveSpend>> {
        self.effective_spend(ctx, periods, user_ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_the_provider_words() {
        let e = Error::Upstream {
            status: Some(400),
            request_id: None,
            message: "POST /v1/organizations/spend_limits was refused: invalid_request_error: \
                      scope.type: nope; this is not retried; if it persists, report it"
                .into(),
            source: None,
        };
        let e = refused("set a monthly seat_tier spend limit", e);
        assert_eq!(e.code(), "INVALID_INPUT");
        assert_eq!(
            e.to_string(),
            "the organisation refused to set a monthly seat_tier spend limit (HTTP 400): \
             invalid_request_error: scope.type: nope"
        );
    }
}
