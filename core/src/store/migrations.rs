//! The store's migrators, from the SQL files core/build.rs embeds.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// The table recording applied migrations: the host's own sqlx migrations may live in the
/// same database under sqlx's default name.
const TABLE: &str = "costledger_migrations";

/// The migrator for the Postgres store.
pub(crate) fn postgres() -> Migrator {
    migrator(embedded::POSTGRES)
}

/// The migrator for the SQLite store.
pub(crate) fn sqlite() -> Migrator {
    migrator(embedded::SQLITE)
}

/// A migrator with `files` as sqlx's `migrate!` would build it: same versions,
/// descriptions and checksums (SHA-384 of the SQL), so databases migrated by either agree.
fn migrator(files: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = files
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sqlx::AssertSqlSafe(sql).into_sql_str(),
                sql.starts_with("-- no-transaction"),
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(TABLE);
    migrator
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_embedded_in_version_order() {
        for (files, dir) in [
            (embedded::POSTGRES, "migrations/postgres"),
            (embedded::SQLITE, "migrations/sqlite"),
        ] {
            let on_disk =
                std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                    .unwrap()
                    .filter(|e| {
                        e.as_ref()
                            .unwrap()
                            .path()
                            .extension()
                            .is_some_and(|x| x == "sql")
                    })
                    .count();
            assert_eq!(files.len(), on_disk, "{dir}");
            assert!(files.windows(2).all(|w| w[0].0 < w[1].0), "{dir}");
        }
        let m = postgres();
        let first = m.iter().next().unwrap();
        assert_eq!(
            (first.version, &*first.description),
            (20261122000001, "plans")
        );
        assert_eq!(m.table_name, TABLE);
    }

    /// A released migration never changes: databases record each one's checksum, and sqlx
    /// refuses to open one whose recorded checksum differs. These are the first eight bytes
    /// of each released file's SHA-384, as `sha384sum` prints them.
    #[test]
    fn released_migrations_keep_their_checksums() {
        const RELEASED: [(i64, &str, &str); 19] = [
            (20261122000001, "e2182621cb6ea05b", "a43540fe325d8739"),
            (20261122000002, "98af8f2bf56fb3d6", "1b33fbbecab992e3"),
            (20261122000003, "118807609f766425", "ad330af33ec7c5dc"),
            (20261122000004, "105358b3441c3ec0", "f49e15164e8b3265"),
            (20261122000005, "cbba877528c9660a", "d4e2febfd0d12ac7"),
            (20261122000007, "7ad34ee8da250a3e", "72feba714554fc42"),
            (20261206000008, "8faec9b6dfaa468e", "6fa274aa0cd92f9e"),
            (20261206000009, "14e22a56216a9c1d", "927128fd489c24ce"),
            (20261206000010, "690925a000c4b251", "12e27427bc21436c"),
            (20261206000016, "367f2a30f3533787", "367f2a30f3533787"),
            (20261206000017, "e198519da478311e", "c07299b1a842c40c"),
            (20261206000018, "bfc383e427d70063", "7c970e0dc0b3ef91"),
            (20261206000019, "ac669da577d13aaa", "4ccda3552bd4af2f"),
            (20261206000020, "0f68f2023ff84b79", "7ee66dce027e086f"),
            (20261206000021, "7a026ee3787bb749", "7a026ee3787bb749"),
            (20261206000022, "ada43012e851a2c9", "b59b198d145e611c"),
            (20261207000023, "5d2fb7134905d31d", "dac946f2b0e5a922"),
            (20261207000024, "cef438eaaee1d779", "47522853224eb3f3"),
            (20261207000025, "5bea83ef6e6366bf", "428e94917902a250"),
        ];
        let prefix = |m: &Migrator, version: i64| {
            let found = m.iter().find(|m| m.version == version).expect("released");
            hex::encode(&found.checksum[..8])
        };
        let (pg, lite) = (postgres(), sqlite());
        for (version, on_postgres, on_sqlite) in RELEASED {
            assert_eq!(prefix(&pg, version), on_postgres, "Postgres {version}");
            assert_eq!(prefix(&lite, version), on_sqlite, "SQLite {version}");
        }
    }
}
