// Shared SpendLimitStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool` and `begin_write`).

use async_trait::async_trait;
use sqlx::Row;

use crate::error::{Error, Result};
use crate::model::{
    EffectiveSpend, Money, SpendLimit, SpendLimitScope, SpendMember, SpendPeriod,
    SyncedSpendLimits,
};
use crate::store::spend_limits::SpendLimitStore;
use crate::store::{db_error, from_ts, to_ts};

type DbRow = <Db as sqlx::Database>::Row;

fn read_error(e: sqlx::Error) -> Error {
    Error::storage("reading synced spend limits", e)
}

fn scope_of(text: Option<String>) -> Result<Option<SpendLimitScope>> {
    text.map(|t| {
        t.parse::<SpendLimitScope>().map_err(|e| Error::Storage {
            message: format!("stored spend limit scope {t:?} does not parse: {e}"),
            source: None,
        })
    })
    .transpose()
}

fn ts(seconds: Option<i64>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    seconds.map(from_ts).transpose()
}

/// The budget period a limit's period is mirrored by.
fn budget_period(period: SpendPeriod) -> &'static str {
    match period {
        SpendPeriod::Daily => "day",
        SpendPeriod::Weekly => "week",
        SpendPeriod::Monthly => "month",
    }
}

fn limit_from_row(row: &DbRow) -> Result<SpendLimit> {
    let scope: String = row.try_get("scope").map_err(read_error)?;
    let period: String = row.try_get("period").map_err(read_error)?;
    let amount: Option<i64> = row.try_get("amount_nanos").map_err(read_error)?;
    let enabled: i64 = row.try_get("is_enabled").map_err(read_error)?;
    Ok(SpendLimit {
        id: row.try_get("limit_id").map_err(read_error)?,
        scope: scope_of(Some(scope))?.expect("a scope"),
        period: period.parse()?,
        amount: amount.map(Money::from_nanos),
        currency: row.try_get("currency").map_err(read_error)?,
        is_enabled: enabled != 0,
        created_at: ts(row.try_get("created_at").map_err(read_error)?)?,
        updated_at: ts(row.try_get("updated_at").map_err(read_error)?)?,
    })
}

fn effective_from_row(row: &DbRow) -> Result<EffectiveSpend> {
    let member_type: String = row.try_get("member_type").map_err(read_error)?;
    let member_id: String = row.try_get("member_id").map_err(read_error)?;
    let deleted: i64 = row.try_get("deleted").map_err(read_error)?;
    let member = match member_type.as_str() {
        "user" => SpendMember::User {
            user_id: member_id,
            email_address: row.try_get("email_address").map_err(read_error)?,
            name: row.try_get("name").map_err(read_error)?,
            deleted: deleted != 0,
        },
        "scoped_api_key" => SpendMember::ScopedApiKey {
            scoped_api_key_id: member_id,
        },
        other => {
            return Err(Error::Storage {
                message: format!("stored effective spend member type {other:?} is unknown"),
                source: None,
            });
        }
    };
    let period: String = row.try_get("period").map_err(read_error)?;
    let amount: Option<i64> = row.try_get("amount_nanos").map_err(read_error)?;
    Ok(EffectiveSpend {
        member,
        amount: amount.map(Money::from_nanos),
        currency: row.try_get("currency").map_err(read_error)?,
        period: period.parse()?,
        period_to_date_spend: Money::from_nanos(row.try_get("spent_nanos").map_err(read_error)?),
        scope: scope_of(row.try_get("scope").map_err(read_error)?)?,
        source: scope_of(row.try_get("source").map_err(read_error)?)?,
        spend_limit_id: row.try_get("spend_limit_id").map_err(read_error)?,
    })
}

#[async_trait]
impl SpendLimitStore for ThisStore {
    async fn replace_spend_limits(&self, synced: &SyncedSpendLimits) -> Result<u64> {
        let plan_id = synced.plan_id;
        let synced_at = synced
            .synced_at
            .ok_or_else(|| Error::internal("synced spend limits are stored with their time"))?;
        let mut tx = self.begin_write().await?;
        for delete in [
            "DELETE FROM costledger_spend_limits WHERE plan_id = $1",
            "DELETE FROM costledger_spend_effective WHERE plan_id = $1",
        ] {
            sqlx::query(delete)
                .bind(plan_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error("replacing synced spend limits"))?;
        }
        let mut written = 0u64;
        for (position, l) in synced.limits.iter().enumerate() {
            sqlx::query(
                "INSERT INTO costledger_spend_limits (plan_id, limit_id, position, scope_type, \
                 scope, period, amount_nanos, currency, is_enabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(plan_id)
            .bind(&l.id)
            .bind(position as i64)
            .bind(l.scope.type_name())
            .bind(l.scope.to_string())
            .bind(l.period.as_str())
            .bind(l.amount.map(Money::nanos))
            .bind(&l.currency)
            .bind(i64::from(l.is_enabled))
            .bind(l.created_at.map(to_ts))
            .bind(l.updated_at.map(to_ts))
            .execute(&mut *tx)
            .await
            .map_err(db_error("storing a synced spend limit"))?;
            written += 1;
            // A budget mirroring the limit follows its amount; one whose limit lost its cap
            // or disappeared keeps its last amount (its status says so).
            if let Some(amount) = l.amount.filter(|a| *a > Money::ZERO) {
                sqlx::query(
                    "UPDATE costledger_budgets SET amount_nanos = $1 \
                     WHERE mirror_plan_id = $2 AND mirror_scope = $3 AND period = $4",
                )
                .bind(amount.nanos())
                .bind(plan_id)
                .bind(l.scope.to_string())
                .bind(budget_period(l.period))
                .execute(&mut *tx)
                .await
                .map_err(db_error("refreshing a budget mirroring a spend limit"))?;
            }
        }
        for (position, e) in synced.effective.iter().enumerate() {
            let (member_type, member_id, email, name, deleted) = match &e.member {
                SpendMember::User {
                    user_id,
                    email_address,
                    name,
                    deleted,
                } => ("user", user_id, email_address.clone(), name.clone(), *deleted),
                SpendMember::ScopedApiKey { scoped_api_key_id } => {
                    ("scoped_api_key", scoped_api_key_id, None, None, false)
                }
            };
            sqlx::query(
                "INSERT INTO costledger_spend_effective (plan_id, position, member_type, \
                 member_id, email_address, name, deleted, period, amount_nanos, currency, \
                 spent_nanos, scope, source, spend_limit_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(plan_id)
            .bind(position as i64)
            .bind(member_type)
            .bind(member_id)
            .bind(email)
            .bind(name)
            .bind(i64::from(deleted))
            .bind(e.period.as_str())
            .bind(e.amount.map(Money::nanos))
            .bind(&e.currency)
            .bind(e.period_to_date_spend.nanos())
            .bind(e.scope.as_ref().map(ToString::to_string))
            .bind(e.source.as_ref().map(ToString::to_string))
            .bind(&e.spend_limit_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("storing a synced effective spend row"))?;
            written += 1;
        }
        sqlx::query(
            "INSERT INTO costledger_spend_limit_syncs (plan_id, synced_at, effective_missing) \
             VALUES ($1, $2, $3) ON CONFLICT (plan_id) DO UPDATE \
             SET synced_at = excluded.synced_at, effective_missing = excluded.effective_missing",
        )
        .bind(plan_id)
        .bind(to_ts(synced_at))
        .bind(&synced.effective_unavailable)
        .execute(&mut *tx)
        .await
        .map_err(db_error("recording a spend limit sync"))?;
        tx.commit()
            .await
            .map_err(db_error("committing synced spend limits"))?;
        Ok(written)
    }

    async fn synced_spend_limits(&self, plan_id: i64) -> Result<SyncedSpendLimits> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading synced spend limits"))?;
        let sync = sqlx::query(
            "SELECT synced_at, effective_missing FROM costledger_spend_limit_syncs \
             WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error("reading synced spend limits"))?;
        let Some(sync) = sync else {
            return Ok(SyncedSpendLimits {
                plan_id,
                ..SyncedSpendLimits::default()
            });
        };
        let limits = sqlx::query(
            "SELECT limit_id, scope, period, amount_nanos, currency, is_enabled, created_at, \
             updated_at FROM costledger_spend_limits WHERE plan_id = $1 ORDER BY position",
        )
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading synced spend limits"))?;
        let effective = sqlx::query(
            "SELECT member_type, member_id, email_address, name, deleted, period, \
             amount_nanos, currency, spent_nanos, scope, source, spend_limit_id \
             FROM costledger_spend_effective WHERE plan_id = $1 ORDER BY position",
        )
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading synced effective spend"))?;
        Ok(SyncedSpendLimits {
            plan_id,
            synced_at: Some(from_ts(sync.try_get("synced_at").map_err(read_error)?)?),
            limits: limits.iter().map(limit_from_row).collect::<Result<_>>()?,
            effective: effective
                .iter()
                .map(effective_from_row)
                .collect::<Result<_>>()?,
            effective_unavailable: sync.try_get("effective_missing").map_err(read_error)?,
        })
    }
}
