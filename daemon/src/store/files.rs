//! The store's file primitives: private directories (0700), atomic private writes (0600), moving
//! a damaged file aside, and the clock.
//!
//! Atomic writes use the workspace's `atomic-write-file` crate rather than hand-written code: it
//! creates the temporary file in the target's directory with `O_CREAT | O_EXCL` and the mode
//! given here (so a file holding tokens is never, even briefly, readable by others — no chmod
//! afterwards), `sync_all`s it, `renameat`s it over the target and fsyncs the directory. Its
//! defaults would copy the old file's mode and owner; both are turned off so that every write
//! ends at 0600 whatever the previous file had.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use atomic_write_file::AtomicWriteFile;
use atomic_write_file::unix::OpenOptionsExt as _;

/// Mode of every state file.
pub(crate) const FILE_MODE: u32 = 0o600;
/// Mode of every directory the store owns.
pub(crate) const DIR_MODE: u32 = 0o700;

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new contents, never
/// a mix, and the new file is 0600 from the moment it exists. Durable when it returns.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = AtomicWriteFile::options();
    options
        .mode(FILE_MODE)
        .preserve_mode(false)
        .preserve_owner(false);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    // `commit` = sync_all, rename over `path`, fsync the directory. Dropping the file instead
    // (on an error above) removes the temporary file and leaves `path` as it was.
    file.commit()
}

/// Whether a directory entry is a temporary file `write_atomic` left behind for `name` when the
/// process died mid-write (the crate names them `.{name}.{6 random characters}`).
pub(crate) fn is_stray_temp_of(entry: &str, name: &str) -> bool {
    entry
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|suffix| {
            suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Creates `dir` (and missing parents) owner-only, or tightens an existing one to exactly 0700.
pub(crate) fn private_dir(dir: &Path) -> Result<(), super::StoreError> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|source| super::StoreError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
    restrict_dir(dir)
}

/// Sets an existing directory to exactly 0700 unless it already is. Only ever tightens: the
/// umask may have cleared bits at creation, or someone loosened it by hand.
pub(crate) fn restrict_dir(dir: &Path) -> Result<(), super::StoreError> {
    let err = |source| super::StoreError::SecureDir {
        path: dir.to_owned(),
        source,
    };
    let mode = fs::metadata(dir).map_err(err)?.permissions().mode() & 0o777;
    if mode != DIR_MODE {
        fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)).map_err(err)?;
    }
    Ok(())
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

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_atomic_write_is_0600_even_over_a_looser_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn private_dirs_are_created_and_tightened_to_0700() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        private_dir(&nested).unwrap();
        assert_eq!(mode(&nested), 0o700);
        fs::set_permissions(&nested, Permissions::from_mode(0o755)).unwrap();
        private_dir(&nested).unwrap();
        assert_eq!(mode(&nested), 0o700);
    }

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
