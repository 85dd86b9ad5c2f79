//! Synced databases copied from templates: the first test that needs the fake's history
//! synced under some (backend, [`FakeConfig`], [`OrgKinds`], [`SyncOptions`]) syncs it once
//! into a template, and every test asking for the same gets a private copy of it, a fresh
//! fake started from the same config and a ledger opened on the copy.
//!
//! That is what [`super::fake::synced_with_kinds`] and one `sync(options)` leave, because the
//! fake is deterministic by its config (same orgs, same admin keys, same data: the sealed
//! credentials of the copy still open, with the template's master key) and the ledger's
//! config, not the database, says where the fake is. What differs is the fake's own state:
//! its request counters and stats start at zero, so a test asserting on what the first sync
//! asked of the fake must sync for real.
//!
//! Under cargo-nextest, which runs each test in a process of its own, a template would serve
//! one test: the test syncs its own database as before.
//!
//! Templates live for the process: tests run on threads of their own, each with its own
//! runtime, so only the content is shared, never a pool or a ledger. A template is made on a
//! thread and runtime of its own. Its Postgres schema is `cltest_tmpl_<pid>_…` and its SQLite
//! file is in `<temp>/cltest_tmpl_<pid>_…/`: nothing drops them when the process ends, so the
//! first template of a process removes those of processes that are gone, and
//! scripts/test.sh sweeps the schemas as it sweeps every `cltest_<kind>_<pid>_…` one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use costledger::{FixedClock, Ledger, ListPlans, MasterKey, Plan, SyncOptions, SyncReport};
use fake_admin_api::{FakeConfig, FakeServer, OrgKinds};
use sqlx::Connection;

use super::fake::{Synced, config, synced_with_kinds};
use super::{COUNTER, TestDb};

/// What a template holds besides the database content: everything a test needs to carry on
/// as if it had synced itself.
struct Template {
    place: Place,
    key: MasterKey,
    /// The plans as `add_plan` returned them, before the sync (as `synced` hands them out).
    plans: Vec<Plan>,
    /// The fake's admin keys, to check that the test's fake is the template's.
    admin_keys: Vec<String>,
    /// The template's sync's report.
    report: SyncReport,
}

enum Place {
    /// A checkpointed SQLite file nothing writes to any more.
    Sqlite(PathBuf),
    /// A Postgres schema and what copying it takes.
    Postgres(PgTemplate),
}

struct PgTemplate {
    schema: String,
    /// Tables with their columns, referenced tables first.
    tables: Vec<(String, String)>,
    /// Sequences with their last value.
    sequences: Vec<(String, i64)>,
    /// A superuser copies with foreign-key triggers off (the order already satisfies them).
    superuser: bool,
}

type Slot = Arc<OnceLock<Arc<Template>>>;

static TEMPLATES: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
static SWEPT_SQLITE: AtomicBool = AtomicBool::new(false);
static SWEPT_POSTGRES: AtomicBool = AtomicBool::new(false);

/// The default fake's 90 days synced with the legacy streams (`all_history(90)`), from the
/// template the report, export and rollup tests share, and the report of that sync (ok).
pub async fn synced_90(db: TestDb) -> (Synced, SyncReport) {
    let (s, report) = synced_from_template(
        db,
        FakeConfig::default(),
        OrgKinds::none(),
        super::fake::all_history(90),
    )
    .await;
    assert!(report.is_ok(), "{report:#?}");
    (s, report)
}

/// What [`synced_with_kinds`] followed by `s.ledger.sync(options)` returns, from a template:
/// the test's own copy of the synced database, a fresh fake with the same config, and the
/// report of the template's sync (the sync that wrote what the copy holds).
pub async fn synced_from_template(
    db: TestDb,
    fake_config: FakeConfig,
    kinds: OrgKinds,
    options: SyncOptions,
) -> (Synced, SyncReport) {
    if one_test_per_process() {
        // The template would serve this test alone: sync straight into its database.
        let s = synced_with_kinds(db, fake_config, kinds).await;
        let report = s.ledger.sync(options).await.unwrap();
        return (s, report);
    }
    let backend = match &db.schema {
        Some(_) => format!("postgres {}", db.url),
        None => "sqlite".to_string(),
    };
    let name = format!("{backend} | {fake_config:?} | {kinds:?} | {options:?}");
    let slot = TEMPLATES
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(name)
        .or_default()
        .clone();
    let template = {
        let (db, fake_config, kinds) = (db.clone(), fake_config.clone(), kinds.clone());
        // The first test of a kind makes it; the others wait for it (on their own threads).
        let get = move || {
            slot.get_or_init(|| Arc::new(make(&db, fake_config, kinds, options)))
                .clone()
        };
        match tokio::runtime::Handle::current().runtime_flavor() {
            tokio::runtime::RuntimeFlavor::CurrentThread => get(),
            _ => tokio::task::block_in_place(get),
        }
    };
    match &template.place {
        Place::Sqlite(file) => copy_sqlite(file, &db),
        Place::Postgres(pg) => copy_postgres(pg, &db).await,
    }
    let fake = FakeServer::start_with_kinds(fake_config, kinds)
        .await
        .expect("fake starts");
    let admin_keys: Vec<String> = fake.orgs().into_iter().map(|o| o.admin_key).collect();
    assert_eq!(
        admin_keys, template.admin_keys,
        "a fake with the template's config has the template's admin keys"
    );
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(&db, &template.key, &fake, &clock))
        .await
        .expect("ledger opens on the copy");
    let stored: Vec<(i64, String)> = ledger
        .list_plans(ListPlans::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.label))
        .collect();
    let expected: Vec<(i64, String)> = template
        .plans
        .iter()
        .map(|p| (p.id, p.label.clone()))
        .collect();
    assert_eq!(stored, expected, "the copy has the template's plans");
    let synced = Synced {
        db,
        fake,
        key: template.key.clone(),
        clock,
        ledger,
        plans: template.plans.clone(),
    };
    (synced, template.report.clone())
}

/// True under cargo-nextest, which runs each test in a process of its own.
fn one_test_per_process() -> bool {
    std::env::var("NEXTEST_EXECUTION_MODE").is_ok_and(|mode| mode == "process-per-test")
}

/// Sync a template like `db` (same backend and database), on a thread and runtime of its
/// own, and close everything it opened.
fn make(db: &TestDb, fake_config: FakeConfig, kinds: OrgKinds, options: SyncOptions) -> Template {
    let name = format!(
        "cltest_tmpl_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let (tdb, file) = if db.is_postgres() {
        let tdb = TestDb {
            url: db.url.clone(),
            schema: Some(name),
            dir: None,
            schema_guard: None,
        };
        (tdb, None)
    } else {
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("template dir");
        let file = dir.join("ledger.db");
        let tdb = TestDb {
            url: format!("sqlite://{}", file.display()),
            schema: None,
            dir: None,
            schema_guard: None,
        };
        (tdb, Some(file))
    };
    let made = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let swept = if tdb.is_postgres() {
                &SWEPT_POSTGRES
            } else {
                &SWEPT_SQLITE
            };
            if !swept.swap(true, Ordering::SeqCst) {
                sweep(&tdb).await;
            }
            let s = synced_with_kinds(tdb.clone(), fake_config, kinds).await;
            let report = s.ledger.sync(options).await.unwrap();
            s.ledger.close().await;
            let place = match file {
                Some(file) => {
                    checkpoint(&tdb).await;
                    let wal = file.with_extension("db-wal");
                    let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
                    assert_eq!(left, 0, "the template's WAL is checkpointed");
                    Place::Sqlite(file)
                }
                None => Place::Postgres(pg_template(&tdb).await),
            };
            let admin_keys = s.fake.orgs().into_iter().map(|o| o.admin_key).collect();
            let Synced {
                fake, key, plans, ..
            } = s;
            fake.shutdown().await;
            Template {
                place,
                key,
                plans,
                admin_keys,
                report,
            }
        })
    })
    .join();
    made.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Write the template's WAL into its file, so that the file alone is the database.
async fn checkpoint(tdb: &TestDb) {
    let mut conn = sqlx::SqliteConnection::connect(&tdb.url).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

fn sqlite_path(db: &TestDb) -> &Path {
    Path::new(db.url.strip_prefix("sqlite://").expect("a SQLite URL"))
}

/// The test's database is a copy of the template's file (nothing has opened it yet).
fn copy_sqlite(file: &Path, db: &TestDb) {
    let to = sqlite_path(db);
    assert!(!to.exists(), "the test's database is new");
    std::fs::copy(file, to).expect("copy the template");
}

/// What copying the template schema takes, read from the catalog once.
async fn pg_template(tdb: &TestDb) -> PgTemplate {
    use sqlx::Row;
    let schema = tdb.schema.clone().unwrap();
    let mut conn = sqlx::PgConnection::connect(&tdb.url).await.unwrap();
    let columns: Vec<(String, String)> = sqlx::query(
        "SELECT c.relname::text, \
                string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) \
         FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid \
         WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 \
           AND NOT a.attisdropped AND a.attgenerated = '' \
           AND c.relname <> 'costledger_migrations' \
         GROUP BY c.relname ORDER BY c.relname",
    )
    .bind(&schema)
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let references: Vec<(String, String)> = sqlx::query(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = $1 AND c.contype = 'f'",
    )
    .bind(&schema)
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        // regclass prints the name qualified by the schema (not on the search path).
        let bare = |s: String| s.rsplit('.').next().unwrap().trim_matches('"').to_string();
        (bare(r.get(0)), bare(r.get(1)))
    })
    .collect();
    // Referenced tables first: every table after all the tables it references.
    let mut tables = Vec::new();
    let mut left = columns;
    while !left.is_empty() {
        let (ready, wait): (Vec<_>, Vec<_>) = left.into_iter().partition(|(t, _)| {
            references
                .iter()
                .all(|(from, to)| from != t || to == t || tables.iter().any(|(done, _)| done == to))
        });
        assert!(!ready.is_empty(), "foreign keys form a cycle: {wait:?}");
        tables.extend(ready);
        left = wait;
    }
    assert!(
        references.iter().all(|(from, to)| from != to),
        "a table references itself: copying its rows needs an order"
    );
    let sequences = sqlx::query(
        "SELECT sequencename::text, last_value FROM pg_sequences \
         WHERE schemaname = $1 AND last_value IS NOT NULL",
    )
    .bind(&schema)
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let superuser: String = sqlx::query_scalar("SELECT current_setting('is_superuser')")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    PgTemplate {
        schema,
        tables,
        sequences,
        superuser: superuser == "on",
    }
}

/// Migrate the test's schema as any test's, then copy the template's rows and sequence
/// positions into it, in one transaction: the rows the migrations wrote are removed first, and
/// the tables' own triggers (which keep derived rows such as the attribution versions) are off
/// while the copy writes exactly the template's rows.
async fn copy_postgres(pg: &PgTemplate, db: &TestDb) {
    db.store().await.close().await;
    let to = db.schema.as_deref().unwrap();
    let from = &pg.schema;
    let mut sql = String::from("BEGIN;\n");
    if pg.superuser {
        sql.push_str("SET LOCAL session_replication_role = replica;\n");
    }
    let all: Vec<String> = pg
        .tables
        .iter()
        .map(|(table, _)| format!("\"{to}\".\"{table}\""))
        .collect();
    for table in &all {
        sql.push_str(&format!("ALTER TABLE {table} DISABLE TRIGGER USER;\n"));
    }
    sql.push_str(&format!("TRUNCATE {};\n", all.join(", ")));
    for (table, columns) in &pg.tables {
        sql.push_str(&format!(
            "INSERT INTO \"{to}\".\"{table}\" ({columns}) OVERRIDING SYSTEM VALUE \
             SELECT {columns} FROM \"{from}\".\"{table}\";\n"
        ));
    }
    for (sequence, last) in &pg.sequences {
        sql.push_str(&format!(
            "SELECT setval('\"{to}\".\"{sequence}\"', {last});\n"
        ));
    }
    for table in &all {
        sql.push_str(&format!("ALTER TABLE {table} ENABLE TRIGGER USER;\n"));
    }
    sql.push_str("COMMIT;\n");
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("copy the template {from} into {to}: {e}"));
    conn.close().await.unwrap();
}

/// Remove the templates of processes that are gone (checked in /proc; where there is no
/// /proc, nothing is removed).
async fn sweep(tdb: &TestDb) {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let gone = |name: &str| {
        name.strip_prefix("cltest_tmpl_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok())
            .is_some_and(|pid| !proc.join(pid.to_string()).exists())
    };
    if tdb.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&tdb.url).await.unwrap();
        let schemas: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'cltest\\_tmpl\\_%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for schema in schemas.iter().filter(|s| gone(s)) {
            let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
            {
                eprintln!("could not drop the old template {schema}: {e}");
            }
        }
        conn.close().await.unwrap();
    } else if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in entries.flatten() {
            if entry.file_name().to_str().is_some_and(gone) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}
