//! [`SessionStore`]: one session's rows in the state database — its record in `sessions`
//! (identity, tokens, visit, thread ids: the [`SessionRecord`] as versioned JSON), its queued
//! messages in `outbox`, and its threads and their latest messages in `threads` and `messages`.
//!
//! A handle owns its session for as long as it (or a clone) lives: the [`Store`](super::Store)
//! gives each name to one owner at a time, and the state directory's lock keeps a second daemon
//! out, so nobody else can, say, send the same queued messages. Every method either waits for
//! the database on the calling thread (the `*` methods: tests, `spawn_blocking`) or returns
//! its answer as a future (the `*_soon` ones, sent to the database at once, so that calls made
//! in order are committed in order).

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::StoreError;
use super::db::{Db, Pending};
use super::outbox::{self, Enqueued, Outgoing, QueuedMessage, Salvage};
use super::record::{SESSION_SCHEMA_VERSION, SessionRecord};
use super::threads::{self, KeptThread, ThreadsWrite};

/// One session's stored state. Cheap to clone (clones share the ownership); `Send + Sync`.
#[derive(Clone, Debug)]
pub struct SessionStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    db: Db,
    /// The store's owned names: this one leaves it when the last clone drops.
    owned: Arc<Mutex<HashSet<String>>>,
    destroyed: AtomicBool,
    /// Damage reports not yet taken, this session's among them.
    reports: super::Reports,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.owned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.name);
    }
}

fn db_err(step: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::database(Path::new(super::db::DB_FILE), step, &e)
}

impl SessionStore {
    /// Takes `name` for a new owner (an already validated name).
    pub(crate) fn open(
        db: Db,
        owned: Arc<Mutex<HashSet<String>>>,
        name: &str,
        reports: super::Reports,
    ) -> Result<Self, StoreError> {
        if !owned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned())
        {
            return Err(StoreError::SessionInUse {
                session: name.to_owned(),
            });
        }
        Ok(Self {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                db,
                owned,
                destroyed: AtomicBool::new(false),
                reports,
            }),
        })
    }

    /// The session's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Sends `work` on this session's rows to the database.
    fn submit<T, F>(&self, work: F) -> Pending<T>
    where
        F: FnOnce(&Connection, &str) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let name = self.inner.name.clone();
        let inner = self.inner.clone();
        self.inner.db.submit(move |conn| {
            // Checked in the writer, in order with the destroy that set it.
            if inner.destroyed.load(Ordering::Acquire) {
                return Err(StoreError::SessionRemoved { session: name });
            }
            work(conn, &name)
        })
    }

    /// The stored identity and tokens; `None` for a session never saved.
    ///
    /// A record that cannot be decoded is moved to the `damaged` table and reported as
    /// [`StoreError::DamagedRecord`] (the next call returns `None`); one from a newer daemon is
    /// refused with [`StoreError::UnsupportedVersion`] and left in place.
    pub fn load(&self) -> Result<Option<SessionRecord>, StoreError> {
        // The move of a damaged record is committed; only then is it reported.
        self.submit(read_record).wait_blocking()?
    }

    /// Replaces the stored identity and tokens (durable on return).
    pub fn save(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.submit(move |c, name| write_record(c, name, &record))
            .wait_blocking()
    }

    /// Changes the stored record in place (read, `change`, write, in one transaction, so writers
    /// of different fields never undo each other). Returns `false`, writing nothing, when there
    /// is no record yet.
    pub fn update(
        &self,
        change: impl FnOnce(&mut SessionRecord) + Send + 'static,
    ) -> Result<bool, StoreError> {
        self.submit(move |c, name| {
            // A damaged record was moved aside (and is reported by `load`): nothing to update.
            let Ok(Some(mut record)) = read_record(c, name)? else {
                return Ok(false);
            };
            change(&mut record);
            write_record(c, name, &record)?;
            Ok(true)
        })
        .wait_blocking()
    }

    /// Changes the stored record in place, starting from `fresh` when there is none yet.
    pub fn upsert(
        &self,
        fresh: impl FnOnce() -> SessionRecord + Send + 'static,
        change: impl FnOnce(&mut SessionRecord) + Send + 'static,
    ) -> Result<(), StoreError> {
        self.submit(move |c, name| {
            let mut record = read_record(c, name)?.ok().flatten().unwrap_or_else(fresh);
            change(&mut record);
            write_record(c, name, &record)
        })
        .wait_blocking()
    }

    /// Queues a message for sending after the next (re)connect. Durable when it returns
    /// [`Enqueued::Added`]; a message id already queued is kept once ([`Enqueued::AlreadyQueued`]).
    pub fn enqueue(&self, message: Outgoing) -> Result<Enqueued, StoreError> {
        self.submit(move |c, name| outbox::enqueue(c, name, message))
            .wait_blocking()
    }

    /// [`SessionStore::enqueue`], sent to the database now and answered once committed: calls
    /// made one after the other are queued in that order, and share commits.
    pub fn enqueue_soon(
        &self,
        message: Outgoing,
    ) -> impl Future<Output = Result<Enqueued, StoreError>> + Send + use<> {
        self.submit(move |c, name| outbox::enqueue(c, name, message))
            .wait()
    }

    /// The queued messages, in send order, each with the frame text exactly as queued.
    pub fn pending(&self) -> Result<Vec<QueuedMessage>, StoreError> {
        self.submit(outbox::pending).wait_blocking()
    }

    /// How many messages are queued.
    pub fn pending_count(&self) -> Result<usize, StoreError> {
        self.submit(outbox::count).wait_blocking()
    }

    /// Removes a message the back end acknowledged (durable on return); `false` if it was not
    /// queued. Call it only after the acknowledgement: until then a restart must re-send it.
    pub fn mark_sent(&self, message_id: Uuid) -> Result<bool, StoreError> {
        self.submit(move |c, name| outbox::mark_sent(c, name, message_id))
            .wait_blocking()
    }

    /// [`SessionStore::mark_sent`], sent to the database now and answered once committed:
    /// removals of a flush share commits instead of paying one each.
    pub fn mark_sent_soon(
        &self,
        message_id: Uuid,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send + use<> {
        self.submit(move |c, name| outbox::mark_sent(c, name, message_id))
            .wait()
    }

    /// Writes a batch of changes to the session's threads and messages; answered once
    /// committed. Nothing waits for it but the log (see `threads.rs`).
    pub fn save_threads_soon(
        &self,
        write: ThreadsWrite,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + use<> {
        self.submit(move |c, name| threads::save(c, name, &write))
            .wait()
    }

    /// The stored threads among `ids` (lowercase), with their newest messages; rows of threads
    /// not among them are removed.
    pub fn load_threads_soon(
        &self,
        ids: Vec<String>,
    ) -> impl Future<Output = Result<Vec<KeptThread>, StoreError>> + Send + use<> {
        self.submit(move |c, name| threads::load(c, name, &ids))
            .wait()
    }

    /// The damage reports about this session not yet taken: the owner tells the host. They are
    /// made while the database opens, so they are complete once any other call has answered.
    pub fn take_salvaged(&self) -> Vec<Salvage> {
        self.inner
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(&self.inner.name)
    }

    /// Forgets the session: its record and queued messages. Every later call on this handle or
    /// its clones fails with [`StoreError::SessionRemoved`]; [`Store::session`](super::Store::session)
    /// starts afresh once they are dropped.
    pub fn destroy(&self) -> Result<(), StoreError> {
        let inner = self.inner.clone();
        self.submit(move |c, name| {
            c.execute("DELETE FROM sessions WHERE name = ?1", [name])
                .and_then(|_| c.execute("DELETE FROM outbox WHERE session = ?1", [name]))
                .map_err(db_err("removing a session from"))?;
            threads::remove_all(c, name)?;
            inner.destroyed.store(true, Ordering::Release);
            Ok(())
        })
        .wait_blocking()
    }
}

/// The record of `name`, decoded. A row that does not decode is moved to `damaged`, a change
/// to keep: reported in the inner result, so that the job's savepoint is not rolled back.
pub(crate) fn read_record(
    c: &Connection,
    name: &str,
) -> Result<Result<Option<SessionRecord>, StoreError>, StoreError> {
    let row = c
        .prepare_cached("SELECT version, record FROM sessions WHERE name = ?1")
        .and_then(|mut s| {
            s.query_row([name], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()
        })
        .map_err(db_err("reading a session from"))?;
    let Some((version, text)) = row else {
        return Ok(Ok(None));
    };
    if version > i64::from(SESSION_SCHEMA_VERSION) {
        return Ok(Err(StoreError::UnsupportedVersion {
            path: Path::new(super::db::DB_FILE).join(format!("sessions/{name}")),
            found: version as u64,
            supported: SESSION_SCHEMA_VERSION,
        }));
    }
    match serde_json::from_str::<SessionRecord>(&text) {
        Ok(record) => Ok(Ok(Some(record))),
        Err(e) => {
            let reason = super::document::describe(&e);
            c.execute(
                "INSERT INTO damaged (at, what, name, content, reason) VALUES (?1, 'session', ?2, ?3, ?4)",
                params![super::files::now_unix_ms(), name, text, reason],
            )
            .and_then(|_| c.execute("DELETE FROM sessions WHERE name = ?1", [name]))
            .map_err(db_err("moving a damaged session record in"))?;
            Ok(Err(StoreError::DamagedRecord {
                session: name.to_owned(),
                reason,
            }))
        }
    }
}

/// Writes the record of `name`.
pub(crate) fn write_record(
    c: &Connection,
    name: &str,
    record: &SessionRecord,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(record).map_err(|source| StoreError::Encode {
        what: "the session record",
        source,
    })?;
    c.prepare_cached(
        "INSERT INTO sessions (name, version, record) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, record = excluded.record",
    )
    .and_then(|mut s| s.execute(params![name, SESSION_SCHEMA_VERSION, text]))
    .map(drop)
    .map_err(db_err("saving a session in"))
}
