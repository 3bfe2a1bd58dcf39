//! The threads a session knows, kept in its store so that a restarted daemon still knows them
//! before the back end answers: `threads.list` shows them with their names and unread counts,
//! `threads.get` their latest messages, and a send to one while the connection is down is
//! queued (or, after an explicit disconnect, `notConnected`), never `unknownThread`. A
//! restored thread the next recovery does not confirm (archived, or gone) is dropped again.
//! The welcome template is kept too.
//!
//! Which threads are the session's is the record's `threadIds`, written here as the registry
//! learns of threads; what is known of each — its metadata and its newest messages — goes to
//! the `threads` and `messages` tables (`store/threads.rs`). Both are written off the actor's
//! thread and never awaited: they are a copy of the back end's state, and a lost write only
//! means a thread shown a little out of date until the next recovery.
//!
//! What is written is what changed: the registry's messages note their own changes
//! (`Messages::take_changed`), and a thread's record is written when it differs from the one
//! last written. Changes are gathered: the first announcement after a write posts a
//! [`Persist`] to the actor's own mailbox, which runs after the events already waiting and
//! writes at most once per `PERSIST_EVERY` (50 ms).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::UuidString;
use uuid::Uuid;

use super::Threads;
use crate::session::kept;
use crate::session::threads::Change;
use crate::store::{StoredThread, ThreadsWrite};

/// New messages of a thread between two trims of its stored history (`MESSAGES_KEPT`).
const TRIM_EVERY: usize = 100;

/// The shortest time between two writes of a session's threads: changes within it are
/// gathered into one write (a crash loses at most this much of a copy the back end has).
const PERSIST_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// The threads an earlier run knew and the welcome template it had, sent once the session is
/// prepared for the same back end, channel and customer as then.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct RestoreThreads {
    pub(crate) ids: Vec<Uuid>,
    pub(crate) welcome: Option<String>,
}

impl Handler<RestoreThreads> for Threads {
    type Result = ();

    fn handle(&mut self, msg: RestoreThreads, ctx: &mut Self::Context) {
        // The back end's, when it already came, is newer.
        if self.welcome.is_none() {
            self.welcome = msg.welcome;
        }
        let ids: Vec<UuidString> = msg
            .ids
            .iter()
            .filter_map(|id| UuidString::parse(&id.to_string()).ok())
            .collect();
        let keys: Vec<String> = ids.iter().map(UuidString::to_lowercase).collect();
        self.remembered.extend(keys.iter().cloned());
        // No call may see the registry before its threads are back: the mailbox waits for the
        // read (a few milliseconds), the actor's thread does not.
        let load = self.store.load_threads_soon(keys);
        ctx.wait(load.into_actor(self).map(move |loaded, act, _| {
            let kept = match loaded {
                Ok(k) => k,
                Err(e) => {
                    tracing::warn!(session = %act.name, error = %e, "cannot read the session's stored threads; they are listed by id until the back end answers");
                    Vec::new()
                }
            };
            let mut entries = Vec::with_capacity(kept.len());
            for k in kept {
                let record = k.thread.clone();
                if let Some(e) = kept::entry(k) {
                    act.persisted.threads.insert(e.key(), record);
                    entries.push(e);
                }
            }
            if act.registry.restore(&ids, entries) {
                act.announce(Change::Threads);
            }
        }));
    }
}

/// Writes what changed in the registry since the last write (see the module's comment).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(super) struct Persist;

impl Handler<Persist> for Threads {
    type Result = ();

    fn handle(&mut self, _: Persist, ctx: &mut Self::Context) {
        // At most one write per `PERSIST_EVERY`: a message going queued → sent → delivered, and
        // the answer that follows it, are written once.
        if let Some(last) = self.persisted.last_write {
            let since = last.elapsed();
            if since < PERSIST_EVERY {
                ctx.run_later(PERSIST_EVERY - since, |act, _| act.write_changes());
                return;
            }
        }
        self.write_changes();
    }
}

impl Threads {
    fn write_changes(&mut self) {
        self.persisted.scheduled.set(false);
        self.persisted.last_write = Some(std::time::Instant::now());
        let write = self.changes();
        if write.is_empty() {
            return;
        }
        let (failing, name) = (self.persisted.failing.clone(), self.name.clone());
        let saved = self.store.save_threads_soon(write);
        tokio::spawn(async move {
            match saved.await {
                Ok(()) => {
                    if failing.swap(false, Ordering::Relaxed) {
                        tracing::info!(session = %name, "the session's threads are saved again");
                    }
                }
                // Said once per outage, not once per message.
                Err(e) if !failing.swap(true, Ordering::Relaxed) => {
                    tracing::warn!(session = %name, error = %e, "cannot save the session's threads; a restart would show them as the back end has them once it answers");
                }
                Err(_) => {}
            }
        });
    }
}

/// What the store has of the registry, as far as this run wrote or read it.
#[derive(Debug, Default)]
pub(super) struct Persisted {
    /// Each thread's record as last written or read, by key.
    threads: HashMap<String, StoredThread>,
    /// New messages per thread since its stored history was last trimmed.
    since_trim: HashMap<String, usize>,
    /// A [`Persist`] is waiting in the mailbox.
    scheduled: std::cell::Cell<bool>,
    /// The last write failed (to log an outage once).
    failing: Arc<AtomicBool>,
    /// When changes were last handed to the store.
    last_write: Option<std::time::Instant>,
}

impl Threads {
    /// Asks for a [`Persist`] after what is already waiting, unless one is asked for.
    pub(super) fn persist_soon(&self) {
        if let Some(me) = &self.me
            && !self.persisted.scheduled.replace(true)
        {
            me.do_send(Persist);
        }
    }

    /// The changes to write: changed messages, thread records that differ from the stored
    /// ones, and threads no longer known.
    fn changes(&mut self) -> ThreadsWrite {
        let mut w = ThreadsWrite::default();
        let Persisted {
            threads,
            since_trim,
            ..
        } = &mut self.persisted;
        let mut present = HashSet::with_capacity(threads.len());
        for (key, e) in self.registry.entries_mut() {
            present.insert(key.clone());
            if e.messages.has_changes() {
                let changed = e.messages.take_changed();
                let count = since_trim.entry(key.clone()).or_default();
                *count += changed.len();
                if *count >= TRIM_EVERY {
                    *count = 0;
                    w.trim.push(key.clone());
                }
                w.messages.extend(
                    changed
                        .into_iter()
                        .map(|(place, m)| (key.clone(), place, kept::message_record(m))),
                );
            }
            let record = kept::thread_record(e);
            if threads.get(key) != Some(&record) {
                threads.insert(key.clone(), record.clone());
                w.threads.push(record);
            }
        }
        threads.retain(|key, _| {
            let keep = present.contains(key);
            if !keep {
                w.removed.push(key.clone());
            }
            keep
        });
        since_trim.retain(|key, _| present.contains(key));
        w
    }

    /// Writes the ids of threads the store does not have yet. Called after every inbound
    /// event: `remembered` holds exactly the registry's keys, so only a longer registry can
    /// hold a new one, and the common case costs a comparison.
    pub(super) fn remember_threads(&mut self) {
        if self.registry.len() <= self.remembered.len() {
            return;
        }
        let new: Vec<Uuid> = self
            .registry
            .keys()
            .filter(|k| !self.remembered.contains(*k))
            .filter_map(|k| Uuid::parse_str(k).ok())
            .collect();
        if new.is_empty() {
            return;
        }
        self.remembered.extend(new.iter().map(|id| id.to_string()));
        self.write(move |r| {
            for id in new {
                r.remember_thread(id);
            }
        });
    }

    /// Keeps the welcome template the back end just sent, when it is not the one kept already.
    pub(super) fn remember_welcome(&mut self, before: Option<String>) {
        if self.welcome == before {
            return;
        }
        let welcome = self.welcome.clone();
        self.write(move |r| r.welcome = welcome);
    }

    /// Drops the restored threads a recovery did not confirm, here and in the store.
    pub(super) fn forget_unconfirmed(&mut self) {
        let gone = self.registry.forget_unconfirmed();
        if gone.is_empty() {
            return;
        }
        for k in &gone {
            self.remembered.remove(k);
        }
        self.announce(Change::Threads);
        let gone: Vec<Uuid> = gone
            .iter()
            .filter_map(|k| Uuid::parse_str(k).ok())
            .collect();
        self.write(move |r| r.thread_ids.retain(|id| !gone.contains(id)));
    }

    /// Another customer: the last one's threads are forgotten here and in the store.
    pub(super) fn forget_all(&mut self) {
        if self.registry.len() > 0 {
            self.registry.clear();
            self.announce(Change::Threads);
        }
        // The store may hold ids this run never restored; none of them are the new customer's.
        self.remembered.clear();
        self.write(|r| r.thread_ids.clear());
    }

    fn write(&self, change: impl FnOnce(&mut crate::store::SessionRecord) + Send + 'static) {
        let (store, name) = (self.store.clone(), self.name.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = store.update(change) {
                tracing::warn!(session = %name, error = %e, "cannot save the session's threads");
            }
        });
    }
}
