//! The daemon's event stream as plain data: every event gets the next `seq` of this run's
//! `epoch` and goes into a bounded replay buffer. Subscribers and pollers ask for "everything
//! after cursor X"; when X is from another run or fell out of the buffer, the answer is a
//! resync instead (ENGINEERING-NOTES §3.4). The event hub actor is a thin shell over this.

use std::collections::VecDeque;

use cxone_chat_protocol::rpc::notifications::{
    Event, EventCursor, EventKind, EventPayload, ResyncReason, ResyncRequired,
};
use cxone_chat_protocol::rpc::types::SessionName;

/// The replay buffer and sequence counter.
#[derive(Debug)]
pub(crate) struct EventLog {
    epoch: String,
    last_seq: u64,
    buffer: VecDeque<Event>,
    capacity: usize,
}

/// What a subscriber or poller gets for a cursor.
#[derive(Debug, PartialEq)]
pub(crate) enum Since<'a> {
    /// The buffered events after the cursor (possibly none), oldest first.
    Events(Vec<&'a Event>),
    /// The cursor cannot be served; the client must re-read state.
    Resync(ResyncRequired),
}

/// Which events a subscriber wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    /// Only this session's events (and daemon-wide ones); all sessions when `None`.
    pub(crate) session: Option<SessionName>,
    /// Only these kinds; all when empty.
    pub(crate) kinds: Vec<EventKind>,
}

impl Filter {
    /// Whether `event` passes. Daemon-wide events (`session: null`) pass every session filter:
    /// a subscriber for one session still needs to hear that the daemon is shutting down.
    pub(crate) fn matches(&self, event: &Event) -> bool {
        let session_ok = match (&self.session, &event.session) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        };
        session_ok && (self.kinds.is_empty() || self.kinds.contains(&event.payload.kind()))
    }
}

impl EventLog {
    /// A new stream for a daemon run identified by `epoch`.
    pub(crate) fn new(epoch: String, capacity: usize) -> Self {
        Self {
            epoch,
            last_seq: 0,
            // Allocated as it fills: an idle daemon holds no ring.
            buffer: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// This run's epoch.
    pub(crate) fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The `seq` of the newest event (0 before the first).
    pub(crate) fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// How many events are buffered.
    pub(crate) fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// The buffer's capacity.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The cursor pointing at the newest event.
    pub(crate) fn head(&self) -> EventCursor {
        EventCursor {
            epoch: self.epoch.clone(),
            seq: self.last_seq,
        }
    }

    /// Appends an event and returns it with its `seq`.
    pub(crate) fn append(&mut self, session: Option<SessionName>, payload: EventPayload) -> &Event {
        self.last_seq += 1;
        if self.buffer.len() == self.capacity {
            self.buffer.pop_front();
        }
        self.buffer.push_back(Event {
            epoch: self.epoch.clone(),
            seq: self.last_seq,
            session,
            payload,
        });
        self.buffer.back().expect("just pushed")
    }

    /// The events strictly after `cursor` that pass `filter`. `None` means "from now on":
    /// nothing to replay.
    pub(crate) fn since(&self, cursor: Option<&EventCursor>, filter: &Filter) -> Since<'_> {
        let Some(cursor) = cursor else {
            return Since::Events(Vec::new());
        };
        if cursor.epoch != self.epoch {
            return Since::Resync(ResyncRequired {
                reason: ResyncReason::EpochChanged,
                oldest_seq: self.oldest_seq(),
            });
        }
        if cursor.seq > self.last_seq {
            // A cursor from the future of this run cannot be honoured either.
            return Since::Resync(ResyncRequired {
                reason: ResyncReason::TooOld,
                oldest_seq: self.oldest_seq(),
            });
        }
        // The event right after the cursor must still be buffered, or some were lost.
        if let Some(oldest) = self.oldest_seq()
            && cursor.seq + 1 < oldest
        {
            return Since::Resync(ResyncRequired {
                reason: ResyncReason::TooOld,
                oldest_seq: Some(oldest),
            });
        }
        Since::Events(
            self.buffer
                .iter()
                .filter(|e| e.seq > cursor.seq && filter.matches(e))
                .collect(),
        )
    }

    fn oldest_seq(&self) -> Option<u64> {
        self.buffer.front().map(|e| e.seq)
    }
}

#[cfg(test)]
mod tests {
    use cxone_chat_protocol::rpc::notifications::{DaemonShutdown, EventsLagged, ShutdownReason};

    use super::*;

    fn name(s: &str) -> SessionName {
        SessionName::new(s).unwrap()
    }

    fn payload(n: u64) -> EventPayload {
        EventsLagged {
            dropped: n,
            unsubscribed: false,
        }
        .into()
    }

    fn seqs(s: Since<'_>) -> Vec<u64> {
        match s {
            Since::Events(e) => e.iter().map(|e| e.seq).collect(),
            Since::Resync(r) => panic!("unexpected resync {r:?}"),
        }
    }

    #[test]
    fn replay_is_strictly_after_the_cursor() {
        let mut log = EventLog::new("e1".into(), 10);
        for n in 0..5 {
            log.append(Some(SessionName::default()), payload(n));
        }
        let all = Filter::default();
        assert_eq!(
            seqs(log.since(
                Some(&EventCursor {
                    epoch: "e1".into(),
                    seq: 2
                }),
                &all
            )),
            vec![3, 4, 5]
        );
        assert_eq!(
            seqs(log.since(
                Some(&EventCursor {
                    epoch: "e1".into(),
                    seq: 5
                }),
                &all
            )),
            Vec::<u64>::new()
        );
        assert_eq!(seqs(log.since(None, &all)), Vec::<u64>::new());
        assert_eq!(
            log.head(),
            EventCursor {
                epoch: "e1".into(),
                seq: 5
            }
        );
    }

    #[test]
    fn another_epoch_a_lost_gap_or_a_future_cursor_means_resync() {
        let mut log = EventLog::new("e2".into(), 3);
        for n in 0..6 {
            log.append(None, payload(n));
        }
        let f = Filter::default();
        let r = |epoch: &str, seq| match log.since(
            Some(&EventCursor {
                epoch: epoch.into(),
                seq,
            }),
            &f,
        ) {
            Since::Resync(r) => Some(r.reason),
            Since::Events(_) => None,
        };
        assert_eq!(r("e1", 5), Some(ResyncReason::EpochChanged));
        assert_eq!(
            r("e2", 1),
            Some(ResyncReason::TooOld),
            "events 2 and 3 were evicted"
        );
        assert_eq!(
            r("e2", 3),
            None,
            "event 4 is the oldest buffered: nothing lost"
        );
        assert_eq!(r("e2", 9), Some(ResyncReason::TooOld));
        assert_eq!(log.buffered(), 3);
    }

    #[test]
    fn filters_select_sessions_and_kinds_but_daemon_events_reach_everyone() {
        let mut log = EventLog::new("e".into(), 10);
        log.append(Some(name("a")), payload(1));
        log.append(Some(name("b")), payload(2));
        log.append(
            None,
            DaemonShutdown {
                reason: ShutdownReason::Restart,
                grace_ms: 0,
            }
            .into(),
        );
        let start = EventCursor {
            epoch: "e".into(),
            seq: 0,
        };
        let only_a = Filter {
            session: Some(name("a")),
            kinds: vec![],
        };
        assert_eq!(seqs(log.since(Some(&start), &only_a)), vec![1, 3]);
        let shutdowns = Filter {
            session: None,
            kinds: vec![EventKind::DaemonShutdown],
        };
        assert_eq!(seqs(log.since(Some(&start), &shutdowns)), vec![3]);
    }
}
