//! What can go wrong in the store, one variant per failed step, each message saying what to do.
//!
//! No variant carries file contents: a corrupt file's reason names the place and the kind of
//! damage, never a value, because a value may be a token (see `document::describe`).

use std::io;
use std::path::PathBuf;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The session name cannot be used as a directory name.
    #[error(
        "{0:?} cannot be stored: a session name is 1 to 64 ASCII letters, digits, '.', '_' or '-', \
         and not \".\" or \"..\"; choose another name"
    )]
    InvalidSessionName(String),
    /// A directory of the store could not be created.
    #[error(
        "cannot create the state directory {path}: {source}; check that the daemon's user may \
         write there, or choose another --state-dir"
    )]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The session's lock file could not be opened or locked.
    #[error("cannot lock the session directory {path}: {source}; check its permissions")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Another store handle (in this or another daemon) holds the session.
    #[error(
        "session {session:?} is already open, in this daemon or in another cxone-chatd using the \
         same state directory; stop the other daemon or give each its own --state-dir"
    )]
    SessionInUse {
        /// The session.
        session: String,
    },
    /// The session was destroyed through this handle or a clone of it.
    #[error(
        "the stored state of session {session:?} was removed; open the session again to start \
         afresh"
    )]
    SessionRemoved {
        /// The session.
        session: String,
    },
    /// A state file could not be read.
    #[error("cannot read {path}: {source}; check its permissions")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A record could not be turned into JSON (a bug: the records are plain data).
    #[error("cannot encode {what} as JSON: {source}; please report this as a bug")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
    /// The file was written by a newer daemon; it is left untouched.
    #[error(
        "{path} has schema version {found}, but this cxone-chatd reads versions up to \
         {supported}; it was written by a newer release — upgrade, or move the file away to \
         start the session afresh"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The file was damaged; it was moved aside and the next load starts afresh.
    #[error(
        "{path} is damaged ({reason}); it was moved to {moved_to} and the session starts afresh — \
         inspect or delete that file"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where it is now.
        moved_to: PathBuf,
        /// What is wrong with it (no values: they may be secrets).
        reason: String,
    },
    /// A damaged file could not be moved aside.
    #[error(
        "{path} is damaged ({reason}) and could not be moved aside: {source}; move it away by hand"
    )]
    MoveAside {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A frame handed to the outbox is not JSON, so it could never be sent.
    #[error(
        "the frame of message {message_id} is not a JSON document ({reason}); it was not queued \
         (a bug in the caller: queue the encoded frame text)"
    )]
    InvalidFrame {
        /// The message.
        message_id: uuid::Uuid,
        /// What is wrong with it.
        reason: String,
    },
    /// The list of stored sessions could not be read.
    #[error("cannot list the stored sessions in {path}: {source}; check its permissions")]
    ListSessions {
        /// The `sessions` directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A session's record in the database does not decode; it was moved to the `damaged`
    /// table and the session starts afresh.
    #[error(
        "the stored record of session {session:?} is damaged ({reason}); it was moved to the \
         state database's `damaged` table and the session starts afresh"
    )]
    DamagedRecord {
        /// The session.
        session: String,
        /// What is wrong with it (no values).
        reason: String,
    },
    /// The state directory is used by another daemon.
    #[error(
        "the state directory {path} is in use by another cxone-chatd; stop it or give each \
         daemon its own --state-dir"
    )]
    StateInUse {
        /// The state directory.
        path: PathBuf,
    },
    /// The state database refused a step.
    #[error("{step} the state database {path} failed: {message}; {}", database_advice(*.code))]
    Database {
        /// The database file.
        path: PathBuf,
        /// What was being done ("opening", "queuing a message", …).
        step: &'static str,
        /// SQLite's error class, when it is one of SQLite's own.
        code: Option<rusqlite::ErrorCode>,
        /// SQLite's message (never a value: SQLite's messages name tables and columns).
        message: String,
    },
    /// The state database cannot be used here (a read-only file system, permissions, a file
    /// from a newer release): the daemon keeps its sessions in memory.
    #[error(
        "the state database {path} cannot be used: {reason}; sessions are kept in memory only \
         until the daemon is restarted with a usable one"
    )]
    Unavailable {
        /// The database file.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// The database's writer has stopped (the daemon is shutting down).
    #[error("the state database {path} is closed; the daemon is stopping")]
    Closed {
        /// The database file.
        path: PathBuf,
    },
}

fn database_advice(code: Option<rusqlite::ErrorCode>) -> &'static str {
    use rusqlite::ErrorCode as C;
    match code {
        Some(C::DiskFull) => "free space on the state directory's file system",
        Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) => {
            "make the state directory writable by the daemon's user"
        }
        Some(C::DatabaseCorrupt | C::NotADatabase) => {
            "the file is damaged: restart the daemon, which moves it aside and salvages what it can"
        }
        Some(C::SystemIoFailure) => "the disk failed to read or write: check it",
        _ => "check the state directory",
    }
}

impl StoreError {
    /// What went wrong, without the advice the error gives a caller: for a damage report,
    /// where the advice (restart, which salvages) has already been followed.
    pub(crate) fn cause(&self) -> String {
        match self {
            StoreError::Database { step, message, .. } => {
                format!("{step} the state database failed: {message}")
            }
            other => other.to_string(),
        }
    }

    /// The error of a failed SQLite step.
    pub(crate) fn database(
        path: &std::path::Path,
        step: &'static str,
        e: &rusqlite::Error,
    ) -> Self {
        StoreError::Database {
            path: path.to_owned(),
            step,
            code: e.sqlite_error_code(),
            message: e.to_string(),
        }
    }
}

/// What kind of trouble a store error is, for the host: the disk is full, the state directory
/// cannot be used, a file was damaged, or something else (a bug, a second daemon).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// No space left (ENOSPC, EDQUOT).
    Full,
    /// Read-only, permissions, a failing disk.
    Unavailable,
    /// A state file was damaged and moved aside.
    Damaged,
    /// Anything else.
    Other,
}

impl StoreError {
    /// The kind of trouble, from the I/O error underneath.
    pub fn trouble(&self) -> Trouble {
        let io = match self {
            StoreError::Corrupt { .. }
            | StoreError::MoveAside { .. }
            | StoreError::DamagedRecord { .. } => return Trouble::Damaged,
            StoreError::Unavailable { .. } => return Trouble::Unavailable,
            StoreError::Database { code, .. } => {
                use rusqlite::ErrorCode as C;
                return match code {
                    Some(C::DiskFull) => Trouble::Full,
                    Some(C::DatabaseCorrupt | C::NotADatabase) => Trouble::Damaged,
                    Some(
                        C::ReadOnly | C::CannotOpen | C::PermissionDenied | C::SystemIoFailure,
                    ) => Trouble::Unavailable,
                    _ => Trouble::Other,
                };
            }
            StoreError::CreateDir { source, .. }
            | StoreError::Lock { source, .. }
            | StoreError::Read { source, .. } => source,
            _ => return Trouble::Other,
        };
        match io.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Trouble::Full,
            _ => Trouble::Unavailable,
        }
    }
}
