//! The persistent store: what a session must keep across daemon restarts — the visitor id and
//! customer identity, tokens and secured cookies, known thread ids — and the durable outbox of
//! messages sent while disconnected.
//!
//! # Layout
//!
//! ```text
//! <state_dir>/                   created 0700 if missing (an existing one is left as it is)
//!   sessions/                    0700
//!     <session name>/            0700, one per session
//!       session.json             0600  SessionRecord (identity, tokens, thread ids)
//!       outbox.json              0600  queued messages, oldest first
//!       lock                     0600  held (flock) while a SessionStore is open
//!       *.corrupt-<unix ms>      a damaged file, moved aside and reported
//! ```
//!
//! Every file is replaced atomically (temporary file created 0600 in the same directory,
//! `sync_all`, rename, directory fsync), so a crash leaves the old or the new
//! contents and never a file readable by others. Each carries a schema `"version"`; a newer one
//! is refused, a damaged one is moved aside and reported ([`StoreError::Corrupt`]), never
//! silently dropped.
//!
//! # Boundary
//!
//! The records here ([`SessionRecord`], [`QueuedMessage`], …) are the store's own on-disk
//! format and derive serde for that alone. The house rule that only `protocol` types cross a
//! wire and domain types never derive `Serialize` is about the local API and CXone: the
//! session actor converts its domain state into these records, and neither actor messages nor
//! domain types become serializable because of the store. Tokens are [`Secret`]s and frames or
//! message text are redacted, so `Debug` of any record is safe to log.
//!
//! # Blocking
//!
//! All of it is synchronous file I/O with fsyncs. Callers on an actor or async runtime thread
//! must move the work off it, e.g.
//! `tokio::task::spawn_blocking(move || store.enqueue(msg))` with a clone of the
//! [`SessionStore`] (clones are cheap and share the session's lock).

mod document;
mod error;
mod files;
mod outbox;
mod record;
mod secret;
mod session;

use std::fs::{self, DirBuilder};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

pub use error::{StoreError, Trouble};
pub use outbox::{Enqueued, OUTBOX_SCHEMA_VERSION, Outgoing, QueuedMessage, Salvage};
pub use record::{
    CustomEndpoints, ExpiringToken, PreparedFor, SESSION_SCHEMA_VERSION, SessionRecord,
    StoredCustomer, StoredEnvironment, StoredVisit, ThirdPartyTokens, TransactionToken,
};
pub use secret::{REDACTED, Secret};
pub use session::SessionStore;

/// The store under one state directory.
#[derive(Clone, Debug)]
pub struct Store {
    sessions: PathBuf,
}

impl Store {
    /// Opens the store in `state_dir`, creating the directory (0700) if it is missing and its
    /// `sessions/` directory (always 0700).
    pub fn open(state_dir: &Path) -> Result<Self, StoreError> {
        if !state_dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(files::DIR_MODE)
                .create(state_dir)
                .map_err(|source| StoreError::CreateDir {
                    path: state_dir.to_owned(),
                    source,
                })?;
        }
        let sessions = state_dir.join("sessions");
        files::private_dir(&sessions)?;
        Ok(Self { sessions })
    }

    /// Opens one session's state, creating its directory if needed. Fails with
    /// [`StoreError::SessionInUse`] while another handle (not a clone) holds the session.
    pub fn session(&self, name: &str) -> Result<SessionStore, StoreError> {
        check_session_name(name)?;
        SessionStore::open(&self.sessions, name)
    }

    /// The sessions that have something stored (an identity or queued messages), sorted by
    /// name: what a restarted daemon restores.
    pub fn list_sessions(&self) -> Result<Vec<String>, StoreError> {
        let err = |source| StoreError::ListSessions {
            path: self.sessions.clone(),
            source,
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.sessions).map_err(err)? {
            let entry = entry.map_err(err)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let dir = entry.path();
            let has_state = [session::SESSION_FILE, session::OUTBOX_FILE]
                .iter()
                .any(|f| dir.join(f).is_file());
            if check_session_name(&name).is_ok() && dir.is_dir() && has_state {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

/// Accepts exactly the API's session names (`[A-Za-z0-9._-]{1,64}`), and refuses `.` and `..`,
/// which that pattern allows but which would name the wrong directory.
pub fn check_session_name(name: &str) -> Result<(), StoreError> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && name != "."
        && name != "..";
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidSessionName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_that_would_escape_or_misname_a_directory_are_refused() {
        for bad in ["", ".", "..", "a/b", "../x", "a b", "é", &"x".repeat(65)] {
            assert!(
                matches!(
                    check_session_name(bad),
                    Err(StoreError::InvalidSessionName(_))
                ),
                "{bad:?}"
            );
        }
        for good in ["default", "a.b_c-1", "...", ".hidden", &"x".repeat(64)] {
            check_session_name(good).unwrap();
        }
    }

    #[test]
    fn handles_can_move_into_blocking_tasks() {
        fn send_sync_static<T: Send + Sync + 'static>() {}
        send_sync_static::<Store>();
        send_sync_static::<SessionStore>();
        send_sync_static::<StoreError>();
    }

    #[test]
    fn only_sessions_with_state_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let empty = store.session("empty").unwrap();
        let saved = store.session("saved").unwrap();
        saved
            .save(&SessionRecord::new(
                uuid::Uuid::new_v4(),
                PreparedFor {
                    brand_id: 1,
                    channel_id: "c".into(),
                    environment: StoredEnvironment::Named("NA1".into()),
                },
            ))
            .unwrap();
        fs::create_dir(dir.path().join("sessions/..bad name")).unwrap();
        assert_eq!(store.list_sessions().unwrap(), vec!["saved".to_owned()]);
        drop((empty, saved));
    }
}
