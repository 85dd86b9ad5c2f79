//! Cursor pages of the spend limit list and the effective report.

use crate::errors::ApiError;
use crate::page_token;
use crate::query::Query;

/// One page of items and the cursor of the next.
pub struct Paged<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_page: Option<String>,
}

/// The page `query` asks for of `items` (`limit` 1–1000, default 20). The cursor is
/// bound to the endpoint and every other parameter, as the documented message says.
pub fn paginate<T>(query: &Query, endpoint: &str, items: Vec<T>) -> Result<Paged<T>, ApiError> {
    let limit = query.limit(20, 1, 1_000)? as usize;
    let hash = page_token::params_hash(endpoint, query);
    let offset = match query.get("page") {
        None => 0,
        Some(token) => {
            let fields = page_token::decode_as(
                token,
                hash,
                "page: cursor does not match current query parameters",
            )?;
            match fields[..] {
                [ref n] => n
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0 && n < items.len()),
                _ => None,
            }
            .ok_or_else(|| ApiError::invalid(format!("page: invalid page token {token:?}")))?
        }
    };
    let stop = (offset + limit).min(items.len());
    let next_page = (stop < items.len()).then(|| page_token::encode(&[stop.to_string()], hash));
    let items = items.into_iter().skip(offset).take(stop - offset).collect();
    Ok(Paged { items, next_page })
}
