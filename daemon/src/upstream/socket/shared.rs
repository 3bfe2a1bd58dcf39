//! State shared by a connection's handles and its driver task: the table of requests waiting
//! for a reply (keyed by `eventId`), whether the connection still takes requests, liveness
//! counters and the "finished" signal.
//!
//! A std mutex guards the table: every critical section is a map insert or remove, never held
//! across an await, so a tokio mutex would only add overhead.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use cxone_chat_protocol::cxone::received::ReceivedEvent;
use tokio::sync::{oneshot, watch};

use super::{Liveness, RequestError};

/// What a waiting request receives.
pub(super) type Reply = Result<ReceivedEvent, RequestError>;

/// See the module documentation.
#[derive(Debug)]
pub(super) struct Shared {
    table: Mutex<Table>,
    pub(super) liveness: watch::Sender<Liveness>,
    /// Becomes `true` once the driver has finished and every waiter has been failed.
    pub(super) finished: watch::Sender<bool>,
}

#[derive(Debug)]
struct Table {
    waiting: HashMap<String, oneshot::Sender<Reply>>,
    /// False once the connection is closing or closed: new requests fail at once instead of
    /// waiting for a reply that cannot come.
    open: bool,
}

impl Shared {
    pub(super) fn new() -> Self {
        Self {
            table: Mutex::new(Table {
                waiting: HashMap::new(),
                open: true,
            }),
            liveness: watch::Sender::new(Liveness::default()),
            finished: watch::Sender::new(false),
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // Nothing in a critical section can panic halfway through a change worth protecting.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the connection still takes requests.
    pub(super) fn is_open(&self) -> bool {
        self.table().open
    }

    /// Registers a request; its reply (or failure) arrives on the returned receiver.
    pub(super) fn register(
        &self,
        event_id: &str,
    ) -> Result<oneshot::Receiver<Reply>, RequestError> {
        let mut table = self.table();
        if !table.open {
            return Err(RequestError::ConnectionLost);
        }
        if table.waiting.contains_key(event_id) {
            return Err(RequestError::DuplicateEventId {
                event_id: event_id.to_owned(),
            });
        }
        let (tx, rx) = oneshot::channel();
        table.waiting.insert(event_id.to_owned(), tx);
        Ok(rx)
    }

    /// How many requests wait for a reply (waiters whose caller gave up not counted).
    pub(super) fn waiting(&self) -> usize {
        self.table()
            .waiting
            .values()
            .filter(|tx| !tx.is_closed())
            .count()
    }

    /// Forgets a request that gave up (timeout, or its future was dropped).
    pub(super) fn forget(&self, event_id: &str) {
        self.table().waiting.remove(event_id);
    }

    /// Whether a request with this id is waiting for its reply.
    pub(super) fn is_waiting(&self, event_id: &str) -> bool {
        self.table()
            .waiting
            .get(event_id)
            .is_some_and(|tx| !tx.is_closed())
    }

    /// The waiter for `event_id`, if one is registered and still listening.
    pub(super) fn take_waiter(&self, event_id: &str) -> Option<oneshot::Sender<Reply>> {
        self.table()
            .waiting
            .remove(event_id)
            .filter(|tx| !tx.is_closed())
    }

    /// Stops taking requests; those already waiting may still be answered by frames received
    /// before the connection ended.
    pub(super) fn stop_accepting(&self) {
        self.table().open = false;
    }

    /// Stops taking requests and fails every waiting one with `ConnectionLost` (dropping a
    /// sender is what the waiter reads as the connection ending).
    pub(super) fn close(&self) {
        let mut table = self.table();
        table.open = false;
        table.waiting.clear();
    }
}

/// Forgets a request when its future ends in any way, so that a timed-out or cancelled
/// request does not leave an entry behind.
pub(super) struct WaiterGuard<'a> {
    pub(super) shared: &'a Shared,
    pub(super) event_id: &'a str,
}

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        self.shared.forget(self.event_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_ids_are_refused_and_closing_fails_waiters() {
        let shared = Shared::new();
        let mut a = shared.register("a").unwrap();
        let mut b = shared.register("b").unwrap();
        assert!(matches!(
            shared.register("a"),
            Err(RequestError::DuplicateEventId { .. })
        ));
        shared.stop_accepting();
        assert!(!shared.is_open());
        assert!(matches!(
            shared.register("c"),
            Err(RequestError::ConnectionLost)
        ));
        let waiter = shared.take_waiter("a").expect("waiting requests are kept");
        waiter.send(Err(RequestError::NotARequest)).unwrap();
        assert_eq!(
            a.try_recv().unwrap().unwrap_err(),
            RequestError::NotARequest
        );
        shared.close();
        assert_eq!(b.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    }

    #[test]
    fn a_waiter_whose_receiver_is_gone_is_not_handed_out() {
        let shared = Shared::new();
        let rx = shared.register("a").unwrap();
        drop(rx);
        assert!(shared.take_waiter("a").is_none());
        let _rx = shared.register("b").unwrap();
        assert!(shared.take_waiter("b").is_some());
        assert!(shared.take_waiter("b").is_none(), "taken once");
        {
            let _g = WaiterGuard {
                shared: &shared,
                event_id: "c",
            };
            let _rx = shared.register("c").unwrap();
        }
        assert!(shared.take_waiter("c").is_none(), "the guard forgot it");
    }
}
