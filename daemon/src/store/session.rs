//! [`SessionStore`]: one session's directory, `<state_dir>/sessions/<name>/`, holding
//! `session.json` (identity and tokens), `outbox.json` (queued messages) and `lock`.
//!
//! A handle holds an exclusive advisory lock on `lock` for as long as it (or a clone) lives, so
//! two daemons sharing a state directory — or two actors in one — cannot both own a session
//! and, say, both send its queued messages. Inside the process a mutex serialises each
//! read-modify-write of a file, so clones may be used from several blocking tasks at once.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

use super::outbox::{self, Enqueued, Outgoing, QueuedMessage, Salvage};
use super::record::{SESSION_SCHEMA_VERSION, SessionRecord};
use super::{StoreError, document, files};

/// The identity and tokens file.
pub(crate) const SESSION_FILE: &str = "session.json";
/// The outbox file.
pub(crate) const OUTBOX_FILE: &str = "outbox.json";
/// The lock file.
const LOCK_FILE: &str = "lock";

/// One session's stored state. Cheap to clone (clones share the lock); `Send + Sync`, so a clone
/// can be moved into `tokio::task::spawn_blocking`. Every method does blocking file I/O and
/// fsyncs: never call it on an actor's or a runtime's thread.
#[derive(Clone, Debug)]
pub struct SessionStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    dir: PathBuf,
    /// The locked `lock` file (unlocked when closed, i.e. when the last clone drops), and
    /// whether the session was destroyed.
    state: Mutex<Held>,
}

#[derive(Debug)]
struct Held {
    _lock: File,
    destroyed: bool,
    /// Damaged outboxes salvaged since the owner last asked ([`SessionStore::take_salvaged`]).
    salvaged: Vec<Salvage>,
}

impl SessionStore {
    /// Opens (creating it 0700 if needed) and locks the directory of an already validated
    /// session name, and removes temporary files a crash left behind.
    pub(crate) fn open(sessions_dir: &Path, name: &str) -> Result<Self, StoreError> {
        let dir = sessions_dir.join(name);
        files::private_dir(&dir)?;
        let lock_path = dir.join(LOCK_FILE);
        let lock_err = |source| StoreError::Lock {
            path: lock_path.clone(),
            source,
        };
        let lock = files::open_lock_file(&lock_path).map_err(lock_err)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::SessionInUse {
                    session: name.to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(lock_err(e)),
        }
        remove_stray_temp_files(&dir)?;
        Ok(Self {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                dir,
                state: Mutex::new(Held {
                    _lock: lock,
                    destroyed: false,
                    salvaged: Vec::new(),
                }),
            }),
        })
    }

    /// The session's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The session's directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The stored identity and tokens; `None` for a session never saved.
    ///
    /// A damaged file is moved aside and reported as [`StoreError::Corrupt`] (the next call
    /// returns `None`); a file from a newer daemon is refused with
    /// [`StoreError::UnsupportedVersion`] and left in place.
    pub fn load(&self) -> Result<Option<SessionRecord>, StoreError> {
        self.with_file(SESSION_FILE, |path| {
            document::read(path, SESSION_SCHEMA_VERSION)
        })
    }

    /// Replaces the stored identity and tokens atomically (0600, durable on return).
    pub fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        self.with_file(SESSION_FILE, |path| {
            document::write(path, SESSION_SCHEMA_VERSION, "the session record", record)
        })
    }

    /// Changes the stored record in place (read, `change`, write atomically, all under the
    /// in-process lock, so writers of different fields never undo each other). Returns `false`,
    /// writing nothing, when there is no record yet.
    pub fn update(&self, change: impl FnOnce(&mut SessionRecord)) -> Result<bool, StoreError> {
        self.with_file(SESSION_FILE, |path| {
            let Some(mut record) = document::read::<SessionRecord>(path, SESSION_SCHEMA_VERSION)?
            else {
                return Ok(false);
            };
            change(&mut record);
            document::write(path, SESSION_SCHEMA_VERSION, "the session record", &record)?;
            Ok(true)
        })
    }

    /// Changes the stored record in place, starting from `fresh` when there is none yet.
    pub fn upsert(
        &self,
        fresh: impl FnOnce() -> SessionRecord,
        change: impl FnOnce(&mut SessionRecord),
    ) -> Result<(), StoreError> {
        self.with_file(SESSION_FILE, |path| {
            let mut record = document::read::<SessionRecord>(path, SESSION_SCHEMA_VERSION)?
                .unwrap_or_else(fresh);
            change(&mut record);
            document::write(path, SESSION_SCHEMA_VERSION, "the session record", &record)
        })
    }

    /// Queues a message for sending after the next (re)connect. Durable when it returns
    /// [`Enqueued::Added`]; a message id already queued is kept once ([`Enqueued::AlreadyQueued`]).
    pub fn enqueue(&self, message: Outgoing) -> Result<Enqueued, StoreError> {
        let name = self.name();
        self.with_outbox(|path| outbox::enqueue(path, name, message))
    }

    /// The queued messages, oldest first, each with the frame text exactly as queued.
    pub fn pending(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        let name = self.name();
        self.with_outbox(|path| outbox::pending(path, name))
    }

    /// Removes a message the back end acknowledged (durable on return); `false` if it was not
    /// queued. Call it only after the acknowledgement: until then a restart must re-send it.
    pub fn mark_sent(&self, message_id: Uuid) -> Result<bool, StoreError> {
        let name = self.name();
        self.with_outbox(|path| outbox::mark_sent(path, name, message_id))
    }

    /// The damaged outboxes salvaged since the last call: the owner tells the host.
    pub fn take_salvaged(&self) -> Vec<Salvage> {
        self.lock_state()
            .map(|mut held| std::mem::take(&mut held.salvaged))
            .unwrap_or_default()
    }

    /// Runs an outbox operation, keeping what it salvaged for [`Self::take_salvaged`].
    fn with_outbox<T>(
        &self,
        f: impl FnOnce(&Path) -> Result<(T, Option<Salvage>), StoreError>,
    ) -> Result<T, StoreError> {
        let mut held = self.lock_state()?;
        let (value, salvage) = f(&self.inner.dir.join(OUTBOX_FILE))?;
        held.salvaged.extend(salvage);
        Ok(value)
    }

    /// Forgets the session: removes its directory with its identity, tokens and queued
    /// messages. Every later call on this handle or its clones fails with
    /// [`StoreError::SessionRemoved`]; [`Store::session`](super::Store::session) starts afresh.
    pub fn destroy(&self) -> Result<(), StoreError> {
        let mut held = self.lock_state()?;
        let dir = &self.inner.dir;
        let err = |source| StoreError::RemoveSession {
            path: dir.clone(),
            source,
        };
        fs::remove_dir_all(dir).map_err(err)?;
        held.destroyed = true;
        if let Some(parent) = dir.parent() {
            files::sync_dir(parent).map_err(err)?;
        }
        Ok(())
    }

    /// Runs `f` on `<dir>/<file>` while holding the in-process lock.
    fn with_file<T>(
        &self,
        file: &str,
        f: impl FnOnce(&Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _held = self.lock_state()?;
        f(&self.inner.dir.join(file))
    }

    fn lock_state(&self) -> Result<std::sync::MutexGuard<'_, Held>, StoreError> {
        // A panic in another holder cannot leave memory half-updated (the state is on disk and
        // every write is atomic), so a poisoned lock is safe to take over.
        let held = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if held.destroyed {
            return Err(StoreError::SessionRemoved {
                session: self.inner.name.clone(),
            });
        }
        Ok(held)
    }
}

/// Removes the temporary files of writes that a crash interrupted before their rename. They
/// never replaced anything (the old file is intact) and may hold secrets, so they go.
fn remove_stray_temp_files(dir: &Path) -> Result<(), StoreError> {
    let list_err = |source| StoreError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut removed = false;
    for entry in fs::read_dir(dir).map_err(list_err)? {
        let entry = entry.map_err(list_err)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if [SESSION_FILE, OUTBOX_FILE]
            .iter()
            .any(|f| files::is_stray_temp_of(&name, f))
        {
            fs::remove_file(entry.path()).map_err(|source| StoreError::Write {
                path: entry.path(),
                source,
            })?;
            removed = true;
        }
    }
    if removed {
        files::sync_dir(dir).map_err(list_err)?;
    }
    Ok(())
}
