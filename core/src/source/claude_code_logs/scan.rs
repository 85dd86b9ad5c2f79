//! Finding the `*.jsonl` files under the log directories, with what tells a file that grew
//! from one that was replaced: its identity (device and inode), size and modification time.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// A log file found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundFile {
    /// Where it is.
    pub path: PathBuf,
    /// The project: the directory under `projects/`.
    pub project: String,
    /// The session to use for entries without a `sessionId`.
    pub session_hint: String,
    /// Device number (0 where the platform has none).
    pub device: i64,
    /// Inode number (0 where the platform has none).
    pub inode: i64,
    /// Size in bytes.
    pub size: i64,
    /// Modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Every `*.jsonl` file under `roots`, recursively, in path order. Symbolic links are not
/// followed (as ccusage does), and a file reachable twice (overlapping roots, hard links) is
/// listed once. Unreadable directories are skipped.
pub(crate) fn find_log_files(roots: &[PathBuf]) -> Vec<FoundFile> {
    let mut found = Vec::new();
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    for root in roots {
        let mut files = Vec::new();
        walk(root, &mut files);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, meta) in files {
            let (device, inode) = identity(&meta);
            if (device, inode) != (0, 0) && !seen.insert((device, inode)) {
                continue;
            }
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
            found.push(FoundFile {
                project: project_of(root, &path),
                session_hint: session_hint(&path),
                path,
                device,
                inode,
                size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
                mtime_ns,
            });
        }
    }
    found
}

/// Every `*.jsonl` file under `dir` with its metadata (of the file itself, not a link's).
fn walk(dir: &Path, files: &mut Vec<(PathBuf, fs::Metadata)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, files);
        } else if kind.is_file()
            && path.extension().is_some_and(|e| e == "jsonl")
            && let Ok(meta) = entry.metadata()
        {
            files.push((path, meta));
        }
    }
}

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev() as i64, meta.ino() as i64)
}

#[cfg(not(unix))]
fn identity(_meta: &fs::Metadata) -> (i64, i64) {
    (0, 0)
}

/// The project of a file: the directory after the last `projects` component below the root
/// (or the root itself when it is a `projects` directory); `unknown` for a file directly in
/// it.
pub(crate) fn project_of(root: &Path, path: &Path) -> String {
    let relative: Vec<&str> = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    let dirs = &relative[..relative.len().saturating_sub(1)];
    let after = dirs
        .iter()
        .rposition(|d| *d == "projects")
        .map_or(0, |i| i + 1);
    dirs.get(after)
        .filter(|d| !d.trim().is_empty())
        .map_or_else(|| "unknown".to_string(), |d| (*d).to_string())
}

/// The session of entries that carry none: the file's name, or for a subagent's file
/// (`<session>/subagents/<agent>.jsonl`) its session's directory.
pub(crate) fn session_hint(path: &Path) -> String {
    let name = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .map(str::to_string)
    };
    let parent = path.parent();
    if name(parent).as_deref() == Some("subagents")
        && let Some(session) = name(parent.and_then(Path::parent))
    {
        return session;
    }
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("unknown")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_and_sessions_come_from_the_path() {
        let root = Path::new("/h/.claude/projects");
        assert_eq!(project_of(root, &root.join("-h-app/s1.jsonl")), "-h-app");
        assert_eq!(
            project_of(root, &root.join("-h-app/s1/subagents/a.jsonl")),
            "-h-app"
        );
        assert_eq!(project_of(root, &root.join("loose.jsonl")), "unknown");
        let config = Path::new("/h/.claude");
        assert_eq!(
            project_of(config, &config.join("projects/-h-app/s1.jsonl")),
            "-h-app"
        );
        assert_eq!(session_hint(&root.join("-h-app/s1.jsonl")), "s1");
        assert_eq!(
            session_hint(&root.join("-h-app/s1/subagents/agent-7.jsonl")),
            "s1"
        );
    }

    #[test]
    fn finds_jsonl_files_once_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("projects");
        for f in [
            "b/2.jsonl",
            "a/1.jsonl",
            "a/s/subagents/x.jsonl",
            "a/notes.txt",
        ] {
            let p = root.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, "{}\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("a/1.jsonl"), root.join("b/link.jsonl")).unwrap();
        let found = find_log_files(&[root.clone(), root.clone()]);
        let names: Vec<String> = found
            .iter()
            .map(|f| f.path.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a/1.jsonl", "a/s/subagents/x.jsonl", "b/2.jsonl"]);
        assert_eq!(found[1].project, "a");
        assert_eq!(found[1].session_hint, "s");
        assert!(found.iter().all(|f| f.size == 3 && f.mtime_ns > 0));
    }
}
