// Shared SubjectStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool` and `begin_write`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{
    DEFAULT_PROJECT_NAME, KeyMapping, MappingFilter, NewKeyMapping, NewSubject, Project, Subject,
    normalise_email,
};
use crate::store::{SubjectStore, db_error, from_ts, is_unique_violation, to_ts};

type DbRow = <Db as sqlx::Database>::Row;
type DbConn = <Db as sqlx::Database>::Connection;

/// The start of history, for mappings without a start.
const BEGINNING: i64 = 0;

fn subject_from_row(row: &DbRow) -> Result<Subject> {
    let read = db_error("reading a subject");
    Ok(Subject {
        id: row.try_get("id").map_err(read)?,
        email: row
            .try_get("email")
            .map_err(db_error("reading a subject"))?,
        name: row.try_get("name").map_err(db_error("reading a subject"))?,
        created_at: from_ts(
            row.try_get("created_at")
                .map_err(db_error("reading a subject"))?,
        )?,
        updated_at: from_ts(
            row.try_get("updated_at")
                .map_err(db_error("reading a subject"))?,
        )?,
    })
}

fn project_from_row(row: &DbRow) -> Result<Project> {
    let read = |e| Error::storage("reading a project", e);
    let is_default: i64 = row.try_get("is_default").map_err(read)?;
    Ok(Project {
        id: row.try_get("id").map_err(read)?,
        subject_id: row.try_get("subject_id").map_err(read)?,
        name: row.try_get("name").map_err(read)?,
        is_default: is_default != 0,
        created_at: from_ts(row.try_get("created_at").map_err(read)?)?,
    })
}

fn mapping_from_row(row: &DbRow) -> Result<KeyMapping> {
    let read = |e| Error::storage("reading a key mapping", e);
    let valid_to: Option<i64> = row.try_get("valid_to").map_err(read)?;
    Ok(KeyMapping {
        id: row.try_get("id").map_err(read)?,
        plan_id: row.try_get("plan_id").map_err(read)?,
        api_key_id: row.try_get("api_key_id").map_err(read)?,
        subject_id: row.try_get("subject_id").map_err(read)?,
        project_id: row.try_get("project_id").map_err(read)?,
        valid_from: {
            let start: i64 = row.try_get("valid_from").map_err(read)?;
            if start == BEGINNING {
                None
            } else {
                Some(from_ts(start)?)
            }
        },
        valid_to: valid_to.map(from_ts).transpose()?,
        created_at: from_ts(row.try_get("created_at").map_err(read)?)?,
    })
}

const MAPPING_COLUMNS: &str = "SELECT id, plan_id, api_key_id, subject_id, project_id, valid_from, valid_to, created_at \
     FROM costledger_key_mappings ";

async fn fetch_subject(conn: &mut DbConn, id: &str) -> Result<Subject> {
    let row = sqlx::query(
        "SELECT id, email, name, created_at, updated_at FROM costledger_subjects WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("reading a subject"))?;
    match row {
        Some(row) => subject_from_row(&row),
        None => Err(Error::SubjectNotFound { id: id.to_string() }),
    }
}

async fn fetch_project(conn: &mut DbConn, id: i64) -> Result<Project> {
    let row = sqlx::query(
        "SELECT id, subject_id, name, is_default, created_at FROM costledger_projects WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("reading a project"))?;
    match row {
        Some(row) => project_from_row(&row),
        None => Err(Error::ProjectNotFound { id }),
    }
}

async fn fetch_mapping(conn: &mut DbConn, id: i64) -> Result<KeyMapping> {
    let mut q = QueryBuilder::<Db>::new(MAPPING_COLUMNS);
    q.push("WHERE id = ").push_bind(id);
    let row = q
        .build()
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error("reading a key mapping"))?;
    match row {
        Some(row) => mapping_from_row(&row),
        None => Err(Error::MappingNotFound { id }),
    }
}

fn describe(m: &KeyMapping) -> String {
    let until = m
        .valid_to
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| "open-ended".to_string());
    format!(
        "mapping {} (to subject {:?} from {} until {until})",
        m.id,
        m.subject_id,
        m.valid_from
            .map_or_else(|| "the beginning".to_string(), |t| t.to_rfc3339())
    )
}

#[async_trait]
impl SubjectStore for ThisStore {
    async fn upsert_subject(&self, subject: &NewSubject, now: DateTime<Utc>) -> Result<Subject> {
        let email_norm = subject.email.as_deref().map(normalise_email);
        let mut tx = self.begin_write().await?;
        if let Some(norm) = &email_norm {
            let other: Option<String> = sqlx::query_scalar(
                "SELECT id FROM costledger_subjects WHERE email_norm = $1 AND id <> $2",
            )
            .bind(norm)
            .bind(&subject.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error("checking a subject's email"))?;
            if let Some(other) = other {
                return Err(Error::conflict(format!(
                    "email {:?} already belongs to subject {other:?}; each email attributes \
                     keys to one subject",
                    subject.email.as_deref().unwrap_or_default()
                )));
            }
        }
        let written = sqlx::query(
            "INSERT INTO costledger_subjects (id, email, email_norm, name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO UPDATE SET \
             email = excluded.email, email_norm = excluded.email_norm, name = excluded.name, \
             updated_at = excluded.updated_at",
        )
        .bind(&subject.id)
        .bind(&subject.email)
        .bind(&email_norm)
        .bind(&subject.name)
        .bind(to_ts(now))
        .execute(&mut *tx)
        .await;
        if let Err(e) = written {
            if is_unique_violation(&e, "costledger_subjects_email", "email_norm") {
                return Err(Error::conflict(format!(
                    "email {:?} already belongs to another subject",
                    subject.email.as_deref().unwrap_or_default()
                )));
            }
            return Err(Error::storage("storing a subject", e));
        }
        sqlx::query(
            "INSERT INTO costledger_projects (subject_id, name, is_default, created_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&subject.id)
        .bind(DEFAULT_PROJECT_NAME)
        .bind(to_ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db_error("creating a subject's default project"))?;
        let stored = fetch_subject(&mut tx, &subject.id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a subject"))?;
        Ok(stored)
    }

    async fn get_subject(&self, id: &str) -> Result<Subject> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading a subject"))?;
        fetch_subject(&mut conn, id).await
    }

    async fn list_subjects(&self) -> Result<Vec<Subject>> {
        let rows = sqlx::query(
            "SELECT id, email, name, created_at, updated_at FROM costledger_subjects ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing subjects"))?;
        rows.iter().map(subject_from_row).collect()
    }

    async fn delete_subject(&self, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        fetch_subject(&mut tx, id).await?;
        for sql in [
            "DELETE FROM costledger_key_mappings WHERE subject_id = $1",
            "DELETE FROM costledger_projects WHERE subject_id = $1",
            "DELETE FROM costledger_subjects WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error("deleting a subject"))?;
        }
        tx.commit()
            .await
            .map_err(db_error("committing a subject's deletion"))
    }

    async fn create_project(
        &self,
        subject_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Project> {
        let mut tx = self.begin_write().await?;
        fetch_subject(&mut tx, subject_id).await?;
        let id: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO costledger_projects (subject_id, name, is_default, created_at) \
             VALUES ($1, $2, 0, $3) RETURNING id",
        )
        .bind(subject_id)
        .bind(name)
        .bind(to_ts(now))
        .fetch_one(&mut *tx)
        .await;
        let id = match id {
            Ok(id) => id,
            Err(e) if matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation()) => {
                return Err(Error::conflict(format!(
                    "subject {subject_id:?} already has a project named {name:?}"
                )));
            }
            Err(e) => return Err(Error::storage("creating a project", e)),
        };
        let project = fetch_project(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a project"))?;
        Ok(project)
    }

    async fn get_project(&self, id: i64) -> Result<Project> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading a project"))?;
        fetch_project(&mut conn, id).await
    }

    async fn list_projects(&self, subject_id: Option<&str>) -> Result<Vec<Project>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, subject_id, name, is_default, created_at FROM costledger_projects",
        );
        if let Some(subject) = subject_id {
            q.push(" WHERE subject_id = ")
                .push_bind(subject.to_string());
        }
        q.push(" ORDER BY id");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing projects"))?;
        rows.iter().map(project_from_row).collect()
    }

    async fn delete_project(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let project = fetch_project(&mut tx, id).await?;
        if project.is_default {
            return Err(Error::invalid(format!(
                "project {id} is the default project of subject {:?} and cannot be deleted",
                project.subject_id
            )));
        }
        sqlx::query("UPDATE costledger_key_mappings SET project_id = NULL WHERE project_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("detaching a project's mappings"))?;
        sqlx::query("DELETE FROM costledger_projects WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("deleting a project"))?;
        tx.commit()
            .await
            .map_err(db_error("committing a project's deletion"))
    }

    async fn insert_mapping(
        &self,
        mapping: &NewKeyMapping,
        now: DateTime<Utc>,
    ) -> Result<KeyMapping> {
        let from = mapping.valid_from.map(to_ts).unwrap_or(BEGINNING);
        let to = mapping.valid_to.map(to_ts);
        let mut tx = self.begin_write().await?;
        let plan: Option<i64> = sqlx::query_scalar("SELECT id FROM costledger_plans WHERE id = $1")
            .bind(mapping.plan_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error("checking a mapping's plan"))?;
        if plan.is_none() {
            return Err(Error::PlanNotFound {
                id: mapping.plan_id,
            });
        }
        fetch_subject(&mut tx, &mapping.subject_id).await?;
        if let Some(project_id) = mapping.project_id {
            let project = fetch_project(&mut tx, project_id).await?;
            if project.subject_id != mapping.subject_id {
                return Err(Error::invalid(format!(
                    "project {project_id} belongs to subject {:?}, not {:?}",
                    project.subject_id, mapping.subject_id
                )));
            }
        }
        let mut q = QueryBuilder::<Db>::new(MAPPING_COLUMNS);
        q.push("WHERE plan_id = ")
            .push_bind(mapping.plan_id)
            .push(" AND api_key_id = ")
            .push_bind(mapping.api_key_id.clone())
            .push(" ORDER BY valid_from");
        let rows = q
            .build()
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error("reading a key's mappings"))?;
        for existing in rows.iter().map(mapping_from_row) {
            let existing = existing?;
            let e_from = existing.valid_from.map_or(BEGINNING, to_ts);
            let e_to = existing.valid_to.map(to_ts);
            let overlaps = e_from < to.unwrap_or(i64::MAX) && from < e_to.unwrap_or(i64::MAX);
            if !overlaps {
                continue;
            }
            if e_to.is_none() && e_from < from {
                // The key changed hands: the earlier open-ended mapping ends where this starts.
                sqlx::query("UPDATE costledger_key_mappings SET valid_to = $1 WHERE id = $2")
                    .bind(from)
                    .bind(existing.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error("closing the previous mapping"))?;
                continue;
            }
            return Err(Error::conflict(format!(
                "key {} of plan {} is already covered by {}; end or delete that mapping first",
                mapping.api_key_id,
                mapping.plan_id,
                describe(&existing)
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO costledger_key_mappings (plan_id, api_key_id, subject_id, project_id, \
             valid_from, valid_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(mapping.plan_id)
        .bind(&mapping.api_key_id)
        .bind(&mapping.subject_id)
        .bind(mapping.project_id)
        .bind(from)
        .bind(to)
        .bind(to_ts(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error("storing a key mapping"))?;
        let stored = fetch_mapping(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a key mapping"))?;
        Ok(stored)
    }

    async fn list_mappings(&self, filter: &MappingFilter) -> Result<Vec<KeyMapping>> {
        let mut q = QueryBuilder::<Db>::new(MAPPING_COLUMNS);
        q.push("WHERE 1 = 1");
        if let Some(plan) = filter.plan_id {
            q.push(" AND plan_id = ").push_bind(plan);
        }
        if let Some(key) = &filter.api_key_id {
            q.push(" AND api_key_id = ").push_bind(key.clone());
        }
        if let Some(subject) = &filter.subject_id {
            q.push(" AND subject_id = ").push_bind(subject.clone());
        }
        q.push(" ORDER BY plan_id, api_key_id, valid_from");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing key mappings"))?;
        rows.iter().map(mapping_from_row).collect()
    }

    async fn end_mapping(&self, id: i64, at: DateTime<Utc>) -> Result<KeyMapping> {
        let mut tx = self.begin_write().await?;
        let mapping = fetch_mapping(&mut tx, id).await?;
        if mapping.valid_from.is_some_and(|start| at <= start) {
            return Err(Error::invalid(format!(
                "a mapping cannot end at {at}, at or before its start {}; delete it instead",
                mapping.valid_from.expect("checked")
            )));
        }
        if mapping.valid_to.is_some_and(|end| at > end) {
            return Err(Error::invalid(format!(
                "mapping {id} already ends at {}; it cannot be extended to {at}",
                mapping.valid_to.unwrap()
            )));
        }
        sqlx::query("UPDATE costledger_key_mappings SET valid_to = $1 WHERE id = $2")
            .bind(to_ts(at))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("ending a key mapping"))?;
        let ended = fetch_mapping(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a key mapping"))?;
        Ok(ended)
    }

    async fn delete_mapping(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM costledger_key_mappings WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_error("deleting a key mapping"))?;
        if done.rows_affected() == 0 {
            return Err(Error::MappingNotFound { id });
        }
        Ok(())
    }

    async fn key_creator_emails(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT k.plan_id, k.api_key_id, u.email FROM costledger_api_keys k \
             JOIN costledger_org_users u ON u.plan_id = k.plan_id AND u.user_id = k.created_by_id \
             WHERE k.plan_id IN (",
        );
        push_ids(&mut q, plan_ids);
        q.push(")");
        self.emails_by_plan(q, plan_ids, "reading key creators").await
    }

    async fn member_emails(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, user_id, email FROM costledger_org_users WHERE plan_id IN (",
        );
        push_ids(&mut q, plan_ids);
        q.push(
            ") UNION ALL SELECT a.plan_id, a.actor_id, a.email_address \
             FROM costledger_analytics_actors a \
             WHERE a.actor_type = 'user_actor' AND a.email_address IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM costledger_org_users u \
               WHERE u.plan_id = a.plan_id AND u.user_id = a.actor_id) \
             AND a.plan_id IN (",
        );
        push_ids(&mut q, plan_ids);
        q.push(")");
        self.emails_by_plan(q, plan_ids, "reading org members' emails")
            .await
    }

    async fn attribution_versions(&self) -> Result<Vec<(i64, i64)>> {
        sqlx::query_as(
            "SELECT scope, version FROM costledger_attribution_versions ORDER BY scope",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading attribution versions"))
    }
}

/// `ids` as the bound values of an `IN (…)` list.
fn push_ids(q: &mut QueryBuilder<Db>, ids: &[i64]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
}

impl ThisStore {
    /// Rows of (plan id, id, email) with the email normalised; none when there is no plan.
    async fn emails_by_plan(
        &self,
        mut q: QueryBuilder<Db>,
        plan_ids: &[i64],
        what: &'static str,
    ) -> Result<Vec<(i64, String, String)>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error(what))?;
        rows.iter()
            .map(|row| {
                let read = |e| Error::storage(what, e);
                let email: String = row.try_get(2).map_err(read)?;
                Ok((
                    row.try_get(0).map_err(read)?,
                    row.try_get(1).map_err(read)?,
                    normalise_email(&email),
                ))
            })
            .collect()
    }
}

