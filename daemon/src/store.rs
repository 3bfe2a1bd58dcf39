//! The persistent store: what a session must keep across daemon restarts — the visitor id and
//! customer identity, tokens and secured cookies, the visit, the threads it knows with their
//! latest messages and unread state — and the durable outbox of messages sent while
//! disconnected.
//!
//! # Layout
//!
//! ```text
//! <state_dir>/                   created 0700 if missing (an existing one is left as it is)
//!   state.db                     0600  SQLite, WAL mode: every session (see store/db.rs)
//!   state.db-wal, state.db-shm   0600  SQLite's write-ahead log and its index
//!   lock                         0600  held (flock) by the daemon that owns the directory
//!   state.db.corrupt-<unix ms>   a damaged database, moved aside and reported
//!   sessions/                    the JSON layout of earlier releases: imported on the first
//!                                start, its files removed once the import is committed
//! ```
//!
//! An administrator reads it with `sqlite3 state.db` (tables `sessions`, `outbox`, `threads`,
//! `messages`, `damaged`).
//! Every change is a transaction; a `queued` answer or a saved token is committed — synced to
//! the WAL — before the caller hears of it. One database serves every session: three file
//! descriptors in all, whatever the number of sessions.
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
//! One thread of the store's own does all SQLite work (store/db.rs). The plain methods of
//! [`SessionStore`] wait for it on the calling thread: call them from `spawn_blocking`, never
//! on an actor's thread; [`SessionStore::enqueue_soon`] answers as a future instead.

mod db;
mod document;
mod error;
mod files;
mod legacy;
mod outbox;
mod record;
mod salvage;
mod secret;
mod session;
mod threads;

use std::collections::{HashMap, HashSet};
use std::fs::{DirBuilder, File, TryLockError};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

pub use error::{StoreError, Trouble};
pub use outbox::{Enqueued, Outgoing, QueuedMessage, Salvage};
pub use record::{
    CustomEndpoints, ExpiringToken, PreparedFor, SESSION_SCHEMA_VERSION, SessionRecord,
    StoredCustomer, StoredEnvironment, StoredVisit, ThirdPartyTokens, TransactionToken,
};
pub use secret::{REDACTED, Secret};
pub use session::SessionStore;
pub use threads::{
    KeptThread, MESSAGES_KEPT, StoredAttachment, StoredAuthor, StoredContact, StoredDelivery,
    StoredMessage, StoredThread, StoredThreadState, ThreadsWrite,
};

/// The store under one state directory. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: db::Db,
    /// Session names with a live [`SessionStore`].
    owned: Arc<Mutex<HashSet<String>>>,
    /// Damage found while opening, not yet told to the sessions concerned.
    reports: Reports,
}

/// Damage reports, filled by the database's thread while it opens and taken by each session's
/// owner ([`SessionStore::take_salvaged`]).
pub(crate) type Reports = Arc<Mutex<Untold>>;

/// The damage reports not yet taken.
#[derive(Debug, Default)]
pub(crate) struct Untold {
    /// Per session name.
    by_session: HashMap<String, Vec<Salvage>>,
    /// Messages lost from a damaged database without a known session: told to the first
    /// session that asks.
    orphans: Option<Salvage>,
}

impl Untold {
    /// The reports for `name`, and the orphans if nobody took them yet.
    pub(crate) fn take(&mut self, name: &str) -> Vec<Salvage> {
        let mut reports = self.by_session.remove(name).unwrap_or_default();
        reports.extend(self.orphans.take());
        reports
    }
}

impl Store {
    /// Opens the store in `state_dir`: creates the directory (0700) if it is missing and takes
    /// its lock (a second daemon is refused here), then leaves the rest — opening the database,
    /// salvaging a damaged one, importing the JSON layout of earlier releases — to the
    /// database's thread, which does it before any call it is given. A state directory that
    /// cannot be written (read-only) gives a store whose every call fails with
    /// [`StoreError::Unavailable`], naming why.
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
        let lock = lock_dir(state_dir)?;
        let path = state_dir.join(db::DB_FILE);
        let reports = Reports::default();
        let (opening, filled, sessions_dir) =
            (path.clone(), reports.clone(), state_dir.join("sessions"));
        let db = db::Db::spawn(&path, lock, move || {
            let conn = open_or_salvage(&opening, &filled)?;
            import_legacy(&conn, &sessions_dir, &filled)?;
            Ok(conn)
        });
        Ok(Self {
            db,
            owned: Arc::default(),
            reports,
        })
    }

    /// Opens one session's state. Fails with [`StoreError::SessionInUse`] while another handle
    /// (not a clone) holds the session.
    pub fn session(&self, name: &str) -> Result<SessionStore, StoreError> {
        check_session_name(name)?;
        SessionStore::open(
            self.db.clone(),
            self.owned.clone(),
            name,
            self.reports.clone(),
        )
    }

    /// The sessions that have something stored (a record or queued messages), sorted by name:
    /// what a restarted daemon restores.
    pub fn list_sessions(&self) -> Result<Vec<String>, StoreError> {
        self.db.call_blocking(|c| {
            let fail = |e| StoreError::database(Path::new(db::DB_FILE), "listing sessions in", &e);
            let mut s = c
                .prepare("SELECT name FROM sessions UNION SELECT session FROM outbox ORDER BY 1")
                .map_err(fail)?;
            let names = s
                .query_map([], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(fail)?;
            Ok(names
                .into_iter()
                .filter(|n| check_session_name(n).is_ok())
                .collect())
        })
    }
}

/// The database at `path`, checked; a damaged one is salvaged into a new one, its reports kept
/// for the sessions.
fn open_or_salvage(path: &Path, reports: &Reports) -> Result<rusqlite::Connection, StoreError> {
    // An empty file is not something this store ever leaves (the schema is written when it is
    // created): whatever it held was lost outside SQLite.
    let emptied = std::fs::metadata(path).is_ok_and(|m| m.len() == 0)
        && !files::with_suffix(path, "-wal").exists();
    let reason = if emptied {
        "the database file is empty".to_owned()
    } else {
        match db::connect(path) {
            Ok(conn) => match quick_check(&conn) {
                Ok(()) => return Ok(conn),
                Err(reason) => reason,
            },
            Err(db::Opening::Failed(e)) if e.trouble() == Trouble::Damaged => e.cause(),
            Err(e) => return Err(e.into_error(path)),
        }
    };
    let (conn, saved) = salvage::recover(path, &reason, || {
        db::connect(path).map_err(|e| e.into_error(path))
    })?;
    let mut untold = reports.lock().unwrap_or_else(PoisonError::into_inner);
    for (name, report) in saved.reports {
        untold.by_session.entry(name).or_default().push(report);
    }
    untold.orphans = saved.orphans;
    Ok(conn)
}

/// SQLite's own check of the whole file.
fn quick_check(conn: &rusqlite::Connection) -> Result<(), String> {
    let check: Result<Vec<String>, _> = conn
        .prepare("PRAGMA quick_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    match check {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(()),
        Ok(lines) => Err(format!(
            "SQLite's check found: {}",
            lines.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )),
        Err(e) => Err(format!("SQLite's check failed: {e}")),
    }
}

/// Imports the old JSON layout under `sessions_dir`, if any, in one transaction; removes its
/// files once that is committed.
fn import_legacy(
    conn: &rusqlite::Connection,
    sessions_dir: &Path,
    reports: &Reports,
) -> Result<(), StoreError> {
    if !sessions_dir.is_dir() {
        return Ok(());
    }
    let found = legacy::read_all(sessions_dir)?;
    if found.is_empty() {
        return Ok(());
    }
    let fail = |e| StoreError::database(Path::new(db::DB_FILE), "importing the old state into", &e);
    let tx = conn.unchecked_transaction().map_err(fail)?;
    let mut imported = 0;
    for s in &found {
        // A record already in the database (an import cut short by a crash) wins.
        if let Some(record) = &s.record
            && matches!(session::read_record(&tx, &s.name)?, Ok(None))
        {
            session::write_record(&tx, &s.name, record)?;
        }
        for m in &s.messages {
            outbox::insert(
                &tx,
                &s.name,
                &m.thread_id,
                &m.message_id,
                i64::try_from(m.seq).unwrap_or(0),
                &m.frame,
                m.enqueued_at,
            )?;
            imported += 1;
        }
    }
    tx.commit().map_err(fail)?;
    for s in &found {
        legacy::remove_imported(sessions_dir, &s.name);
    }
    let _ = std::fs::remove_dir(sessions_dir);
    tracing::info!(
        sessions = found.len(),
        messages = imported,
        "imported the state of an earlier release into the state database"
    );
    let mut untold = reports.lock().unwrap_or_else(PoisonError::into_inner);
    for s in found {
        if let Some(r) = s.salvage {
            untold.by_session.entry(s.name).or_default().push(r);
        }
    }
    Ok(())
}

/// Takes the state directory's lock, so that a second daemon on the same directory stops at
/// once instead of sharing sessions. `None` on a read-only directory without a lock file
/// (nothing can be written there anyway).
fn lock_dir(state_dir: &Path) -> Result<Option<File>, StoreError> {
    let path = state_dir.join("lock");
    let file = match files::open_lock_file(&path) {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(30) => match File::open(&path) {
            Ok(f) => f,
            Err(_) => return Ok(None),
        },
        Err(source) => return Err(StoreError::Lock { path, source }),
    };
    // A store of this process that was just dropped may still hold the lock for as long as its
    // database thread takes to finish the job in hand: wait that long before saying another
    // daemon has the directory.
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::StateInUse {
                    path: state_dir.to_owned(),
                });
            }
            Err(TryLockError::Error(source)) => return Err(StoreError::Lock { path, source }),
        }
    }
}

/// How long [`lock_dir`] waits for a lock held by someone else.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

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
        assert_eq!(store.list_sessions().unwrap(), vec!["saved".to_owned()]);
        drop((empty, saved));
    }
}
