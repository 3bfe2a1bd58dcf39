//! The threads a session knows (and the welcome template), kept in its store record
//! (`threadIds`, `welcome`), so that a restarted daemon still knows them before the back end
//! answers: `threads.list` shows them and a send
//! to one while the connection is down gets `notConnected` (retryable), never `unknownThread`.
//! A restored thread the next recovery does not confirm (archived, or gone) is dropped again.
//!
//! Writes go off the actor's thread, each a locked read-modify-write of the record that adds or
//! removes its own ids, so their order does not matter; the ids are not secret and a lost write
//! only means a thread learnt again from the back end, so none is awaited.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::UuidString;
use uuid::Uuid;

use super::Threads;
use crate::session::threads::Change;

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

    fn handle(&mut self, msg: RestoreThreads, _: &mut Self::Context) {
        // The back end's, when it already came, is newer.
        if self.welcome.is_none() {
            self.welcome = msg.welcome;
        }
        let ids: Vec<UuidString> = msg
            .ids
            .iter()
            .filter_map(|id| UuidString::parse(&id.to_string()).ok())
            .collect();
        self.remembered
            .extend(ids.iter().map(|id| id.to_lowercase()));
        if self.registry.restore(&ids) {
            self.announce(Change::Threads);
        }
    }
}

impl Threads {
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
