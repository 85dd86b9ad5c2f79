//! Which directories a plan's logs are read from, and this machine's name.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::PlanSettings;

/// The environment variable that moves Claude Code's configuration directory; a
/// comma-separated list of directories, each holding a `projects/` directory.
pub const CLAUDE_CONFIG_DIR_ENV: &str = "CLAUDE_CONFIG_DIR";

/// The directories a plan's logs are scanned in, each existing:
///
/// - the plan's `settings.directories` when it has any (each must exist);
/// - else, when `CLAUDE_CONFIG_DIR` is set, the `projects/` directory of each of its
///   comma-separated entries (an entry may also name the `projects/` directory itself);
/// - else those of `$XDG_CONFIG_HOME/claude/projects` (`~/.config/claude/projects`) and
///   `~/.claude/projects` that exist.
///
/// `~/` is expanded. Finding none is `INVALID_INPUT`, saying where it looked.
pub fn log_directories(settings: &PlanSettings) -> Result<Vec<PathBuf>> {
    let env = std::env::var(CLAUDE_CONFIG_DIR_ENV).ok();
    resolve(
        settings,
        env.as_deref(),
        home().as_deref(),
        std::env::var("XDG_CONFIG_HOME").ok(),
    )
}

fn resolve(
    settings: &PlanSettings,
    config_dir: Option<&str>,
    home: Option<&Path>,
    xdg_config: Option<String>,
) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut push = |path: PathBuf| {
        let path = path.canonicalize().unwrap_or(path);
        if !found.contains(&path) {
            found.push(path);
        }
    };
    if !settings.directories.is_empty() {
        for raw in &settings.directories {
            let path = expand(raw.trim(), home);
            if !path.is_dir() {
                return Err(Error::invalid(format!(
                    "Claude Code log directory {} does not exist or is not a directory; fix the \
                     plan's directories or leave them empty to use the default ones",
                    path.display()
                )));
            }
            push(path);
        }
        return Ok(found);
    }
    let candidates: Vec<PathBuf> = match config_dir.map(str::trim).filter(|v| !v.is_empty()) {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let path = expand(p, home);
                if path.file_name().is_some_and(|n| n == "projects") {
                    path
                } else {
                    path.join("projects")
                }
            })
            .collect(),
        None => {
            let xdg = xdg_config
                .filter(|x| !x.is_empty())
                .map(PathBuf::from)
                .or_else(|| home.map(|h| h.join(".config")));
            xdg.map(|x| x.join("claude").join("projects"))
                .into_iter()
                .chain(home.map(|h| h.join(".claude").join("projects")))
                .collect()
        }
    };
    for path in &candidates {
        if path.is_dir() {
            push(path.clone());
        }
    }
    if found.is_empty() {
        let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::invalid(format!(
            "no Claude Code log directory found (looked for {}); set {CLAUDE_CONFIG_DIR_ENV} or \
             give the plan its directories",
            if looked.is_empty() {
                "a home directory".to_string()
            } else {
                looked.join(", ")
            }
        )));
    }
    Ok(found)
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn expand(raw: &str, home: Option<&Path>) -> PathBuf {
    match (raw.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if raw == "~" => home
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(raw)),
        _ => PathBuf::from(raw),
    }
}

/// This machine's name, for the plan's placeholder organisation.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dirs: &[&Path]) -> PlanSettings {
        PlanSettings {
            directories: dirs.iter().map(|d| d.display().to_string()).collect(),
        }
    }

    #[test]
    fn defaults_are_the_existing_ones_of_xdg_and_dot_claude() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().canonicalize().unwrap();
        let none = resolve(&PlanSettings::default(), None, Some(&h), None).unwrap_err();
        assert_eq!(none.code(), "INVALID_INPUT");
        assert!(none.to_string().contains(".claude/projects"), "{none}");
        std::fs::create_dir_all(h.join(".claude/projects")).unwrap();
        assert_eq!(
            resolve(&PlanSettings::default(), None, Some(&h), None).unwrap(),
            vec![h.join(".claude/projects")]
        );
        std::fs::create_dir_all(h.join(".config/claude/projects")).unwrap();
        assert_eq!(
            resolve(&PlanSettings::default(), None, Some(&h), None).unwrap(),
            vec![
                h.join(".config/claude/projects"),
                h.join(".claude/projects")
            ]
        );
        std::fs::create_dir_all(h.join("x/claude/projects")).unwrap();
        let xdg = Some(h.join("x").display().to_string());
        assert_eq!(
            resolve(&PlanSettings::default(), None, Some(&h), xdg).unwrap()[0],
            h.join("x/claude/projects")
        );
    }

    #[test]
    fn claude_config_dir_is_a_comma_separated_list_of_config_dirs() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path().canonicalize().unwrap();
        for d in ["a/projects", "b/projects", "c"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        let list = format!(" {0}/a , {0}/b/projects,{0}/c,,{0}/a", r.display());
        let dirs = resolve(&PlanSettings::default(), Some(&list), None, None).unwrap();
        assert_eq!(dirs, vec![r.join("a/projects"), r.join("b/projects")]);
        let err = resolve(
            &PlanSettings::default(),
            Some(&format!("{}/c", r.display())),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("c/projects"), "{err}");
    }

    #[test]
    fn plan_directories_win_and_must_exist() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path().canonicalize().unwrap();
        assert_eq!(
            resolve(&settings(&[&r]), Some("/elsewhere"), None, None).unwrap(),
            vec![r.clone()]
        );
        let err = resolve(&settings(&[&r.join("missing")]), None, None, None).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("missing"), "{err}");
        std::fs::create_dir_all(r.join("logs")).unwrap();
        let s = PlanSettings {
            directories: vec!["~/logs".into()],
        };
        assert_eq!(
            resolve(&s, None, Some(&r), None).unwrap(),
            vec![r.join("logs")]
        );
    }
}
