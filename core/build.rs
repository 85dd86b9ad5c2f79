//! Embeds the SQL migrations in the library: `migrations/<backend>/<version>_<name>.sql`
//! becomes one entry of a list the store turns into its migrator (store/migrations.rs).
//!
//! This does what sqlx's `migrate!` macro does without that macro: the macro compiles sqlx's
//! SQLite and Postgres drivers a second time, for the compiler, in every build.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    let mut code = String::new();
    for backend in ["postgres", "sqlite"] {
        let dir = Path::new("migrations").join(backend);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, String)> = Vec::new();
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a readable migrations directory").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let Some(stem) = name.strip_suffix(".sql") else {
                continue;
            };
            assert!(
                !stem.ends_with(".up") && !stem.ends_with(".down"),
                "{}: costledger's migrations are simple (forward only)",
                path.display()
            );
            let (version, description) = stem.split_once('_').unwrap_or_else(|| {
                panic!(
                    "{}: a migration is named <version>_<name>.sql",
                    path.display()
                )
            });
            let version: i64 = version.parse().unwrap_or_else(|_| {
                panic!(
                    "{}: the version before the first _ is not an integer",
                    path.display()
                )
            });
            let absolute = fs::canonicalize(&path).expect("a migration's absolute path");
            files.push((
                version,
                description.replace('_', " "),
                absolute.to_str().expect("a UTF-8 path").to_string(),
            ));
        }
        files.sort();
        let _ = writeln!(
            code,
            "/// The {backend} migrations: version, description, SQL.\n\
             pub(crate) const {}: &[(i64, &str, &str)] = &[",
            backend.to_uppercase()
        );
        for (version, description, path) in files {
            let _ = writeln!(
                code,
                "    ({version}, {description:?}, include_str!({path:?})),"
            );
        }
        code.push_str("];\n");
    }
    fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
