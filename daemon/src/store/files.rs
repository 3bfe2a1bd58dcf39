//! The store's file primitives: the lock file, reading the old layout's files, moving a damaged
//! file aside, and the clock.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// `path` with `suffix` appended to its file name (`state.db` → `state.db-wal`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Mode of every state file.
pub(crate) const FILE_MODE: u32 = 0o600;
/// Mode of every directory the store owns.
pub(crate) const DIR_MODE: u32 = 0o700;

/// Whether a directory entry is a temporary file the old layout's atomic writes left behind for
/// `name` when the process died mid-write (named `.{name}.{6 random characters}`).
pub(crate) fn is_stray_temp_of(entry: &str, name: &str) -> bool {
    entry
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|suffix| {
            suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Opens (creating it 0600 if needed) a file for an advisory lock.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)
}

/// Reads a whole file; `None` when it does not exist.
pub(crate) fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Renames a damaged file to `{name}.corrupt-{unix ms}` (with `-{n}` added if that exists) in
/// its own directory, durably, and returns the new path. The file is kept, not deleted: it may
/// hold the only copy of a queued message or an identity someone wants back.
pub(crate) fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("a state file path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let base = format!("{name}.corrupt-{}", now_unix_ms());
    let mut target = path.with_file_name(&base);
    let mut n = 1;
    // `rename` would silently replace an existing file; the session lock keeps anyone else
    // from creating one between this check and the rename.
    while target.try_exists()? {
        target = path.with_file_name(format!("{base}-{n}"));
        n += 1;
    }
    fs::rename(path, &target)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(target)
}

/// Makes a rename or removal in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_aside_never_replaces_an_earlier_corrupt_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.json");
        fs::write(&path, b"one").unwrap();
        let first = move_aside(&path).unwrap();
        fs::write(&path, b"two").unwrap();
        let second = move_aside(&path).unwrap();
        assert_ne!(first, second);
        assert!(!path.exists());
        assert_eq!(fs::read(&first).unwrap(), b"one");
        assert_eq!(fs::read(&second).unwrap(), b"two");
        let name = first.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("session.json.corrupt-"), "{name}");
    }

    #[test]
    fn stray_temporary_files_are_recognised_by_name() {
        assert!(is_stray_temp_of(".session.json.aB3xY9", "session.json"));
        assert!(!is_stray_temp_of("session.json", "session.json"));
        assert!(!is_stray_temp_of(".session.json.corrupt-1", "session.json"));
        assert!(!is_stray_temp_of(".outbox.json.aB3xY9", "session.json"));
    }
}
