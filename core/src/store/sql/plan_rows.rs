// Plans and credentials as stored: decoding their rows and encoding their columns,
// compiled once per backend (the including module defines `Db`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::model::{CredentialReach, Money, Plan, PlanSettings, Subscription};
use crate::store::{KeyCheck, StoredCredential, db_error, from_ts};

type DbRow = <Db as sqlx::Database>::Row;

fn corrupt(what: &str, value: &str) -> Error {
    Error::Storage {
        message: format!("stored {what} {value:?} cannot be read; the row is corrupt"),
        source: None,
    }
}

pub(super) fn plan_from_row(row: &DbRow) -> Result<Plan> {
    let get = db_error("reading a plan row");
    let provider: String = row.try_get("provider").map_err(get)?;
    let status: String = row
        .try_get("status")
        .map_err(db_error("reading a plan row"))?;
    let settings: String = row
        .try_get("settings")
        .map_err(db_error("reading a plan row"))?;
    let tier: Option<String> = row
        .try_get("sub_tier")
        .map_err(db_error("reading a plan row"))?;
    let subscription = match tier {
        None => None,
        Some(tier) => {
            let cycle: String = row
                .try_get("sub_cycle")
                .map_err(db_error("reading a plan"))?;
            let anchor: String = row
                .try_get("sub_anchor_date")
                .map_err(db_error("reading a plan"))?;
            let price: Option<i64> = row
                .try_get("sub_seat_price_nanos")
                .map_err(db_error("reading a plan"))?;
            Some(Subscription {
                tier: tier
                    .parse()
                    .map_err(|_| corrupt("subscription tier", &tier))?,
                seats: row
                    .try_get("sub_seats")
                    .map_err(db_error("reading a plan"))?,
                price_per_seat: price.map(Money::from_nanos),
                cycle: cycle
                    .parse()
                    .map_err(|_| corrupt("billing cycle", &cycle))?,
                anchor_date: NaiveDate::parse_from_str(&anchor, "%Y-%m-%d")
                    .map_err(|_| corrupt("anchor date", &anchor))?,
                currency: row
                    .try_get("sub_currency")
                    .map_err(db_error("reading a plan"))?,
            })
        }
    };
    let opt_ts = |name: &str| -> Result<Option<DateTime<Utc>>> {
        let v: Option<i64> = row.try_get(name).map_err(db_error("reading a plan row"))?;
        v.map(from_ts).transpose()
    };
    Ok(Plan {
        id: row.try_get("id").map_err(db_error("reading a plan row"))?,
        provider: provider
            .parse()
            .map_err(|_| corrupt("provider", &provider))?,
        label: row
            .try_get("label")
            .map_err(db_error("reading a plan row"))?,
        status: status
            .parse()
            .map_err(|_| corrupt("plan status", &status))?,
        key_hint: row
            .try_get("key_hint")
            .map_err(db_error("reading a plan row"))?,
        org_id: row
            .try_get("org_id")
            .map_err(db_error("reading a plan row"))?,
        org_name: row
            .try_get("org_name")
            .map_err(db_error("reading a plan row"))?,
        settings: serde_json::from_str::<PlanSettings>(&settings)
            .map_err(|_| corrupt("plan settings", &settings))?,
        subscription,
        created_at: from_ts(
            row.try_get("created_at")
                .map_err(db_error("reading a plan"))?,
        )?,
        updated_at: from_ts(
            row.try_get("updated_at")
                .map_err(db_error("reading a plan"))?,
        )?,
        last_synced_at: opt_ts("last_synced_at")?,
        last_error: row
            .try_get("last_error")
            .map_err(db_error("reading a plan row"))?,
        reach: match row
            .try_get::<Option<String>, _>("credential_reach")
            .map_err(db_error("reading a plan row"))?
        {
            Some(text) => Some(
                serde_json::from_str::<CredentialReach>(&text)
                    .map_err(|_| corrupt("plan credential reach", &text))?,
            ),
            None => None,
        },
    })
}

/// The stored form of a credential's reach.
pub(super) fn reach_column(reach: Option<&CredentialReach>) -> Result<Option<String>> {
    reach
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::internal(format!("a credential reach does not serialise: {e}")))
}

pub(super) fn subscription_columns(
    sub: Option<&Subscription>,
) -> (
    Option<&'static str>,
    Option<i64>,
    Option<i64>,
    Option<&'static str>,
    Option<String>,
    Option<String>,
) {
    match sub {
        None => (None, None, None, None, None, None),
        Some(s) => (
            Some(s.tier.as_str()),
            Some(s.seats),
            s.price_per_seat.map(Money::nanos),
            Some(s.cycle.as_str()),
            Some(s.anchor_date.format("%Y-%m-%d").to_string()),
            Some(s.currency.clone()),
        ),
    }
}

pub(super) fn credential_from_row(plan_id: i64, row: &DbRow) -> Result<StoredCredential> {
    Ok(StoredCredential {
        plan_id,
        kind: row
            .try_get("kind")
            .map_err(db_error("reading a credential"))?,
        sealed: Sealed {
            key_id: row
                .try_get("key_id")
                .map_err(db_error("reading a credential"))?,
            nonce: row
                .try_get("nonce")
                .map_err(db_error("reading a credential"))?,
            ciphertext: row
                .try_get("ciphertext")
                .map_err(db_error("reading a credential"))?,
        },
    })
}

pub(super) fn key_check_from_row(row: &DbRow) -> Result<KeyCheck> {
    let read = || db_error("reading a master-key version");
    let current: Option<i64> = row.try_get("is_current").map_err(read())?;
    let retired: Option<i64> = row.try_get("retired_at").map_err(read())?;
    Ok(KeyCheck {
        sealed: Sealed {
            key_id: row.try_get("key_id").map_err(read())?,
            nonce: row.try_get("nonce").map_err(read())?,
            ciphertext: row.try_get("ciphertext").map_err(read())?,
        },
        current: current == Some(1),
        created_at: from_ts(row.try_get("created_at").map_err(read())?)?,
        retired_at: retired.map(from_ts).transpose()?,
    })
}
