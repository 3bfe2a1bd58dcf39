//! The event hub: one actor that numbers every event, keeps the replay buffer, pushes events to
//! subscribed client connections and answers long-polls.
//!
//! **The hub never waits on a client.** Each connection has a bounded outbound queue; the hub
//! only `try_send`s into it. When a queue is full the subscription is ended on the spot and the
//! connection is told, after it has written what it already queued, with one `events.lagged`
//! whose `seq` is the last event it did receive — so the client re-subscribes with `since` and
//! loses nothing that is still buffered.

use std::collections::HashMap;

use actix::prelude::*;
use cxone_chat_protocol::rpc::methods::events::{EventsPollResult, EventsSubscribeResult};
use cxone_chat_protocol::rpc::methods::meta::EventStreamStatus;
use cxone_chat_protocol::rpc::notifications::{
    Event, EventCursor, EventNotification, EventPayload, EventsLagged, SubscriptionId,
};
use cxone_chat_protocol::rpc::types::SessionName;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use crate::event_log::{EventLog, Filter, Since};

/// One line in a connection's outbound queue: a JSON-RPC message, serialized with its newline
/// ([`json_line`]), holding its share of the connection's byte budget until the writer has
/// written it.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// The message and its newline, written to the socket as it is.
    pub(crate) line: Line,
    _bytes: OwnedSemaphorePermit,
}

/// A JSON-RPC message serialized, its newline included: the bytes a connection's writer sends.
/// Bytes, not a `String`: nothing reads them as text, and serde_json's output needs no second
/// UTF-8 check.
pub(crate) type Line = Vec<u8>;

/// `message` serialized as one line of a connection's queue, its newline included, into a buffer
/// of `size_hint` bytes: an answer of a few KiB is written once, not grown by copies from
/// serde_json's 128 bytes and then copied again to add the newline.
pub(crate) fn json_line(message: &impl serde::Serialize, size_hint: usize) -> Line {
    let mut line = Vec::with_capacity(size_hint + 1);
    serde_json::to_writer(&mut line, message).expect("JSON-RPC messages serialize");
    line.push(b'\n');
    line
}

/// A connection's outbound side, shared by its calls and its subscriptions: a queue bounded in
/// items and in bytes, so a client that does not read holds at most `max_bytes` of answers and
/// events in the daemon, however large they are.
#[derive(Debug, Clone)]
pub(crate) struct Sink {
    /// The connection.
    pub(crate) client: u64,
    /// Its bounded outbound queue.
    pub(crate) queue: mpsc::Sender<Outbound>,
    /// Where lag notices go once the queue has drained (one per subscription at most).
    pub(crate) lag: mpsc::UnboundedSender<Line>,
    /// The bytes the queue may still take.
    bytes: Arc<Semaphore>,
    max_bytes: u32,
}

/// The connection the line was for is gone.
#[derive(Debug)]
pub(crate) struct Gone;

impl Sink {
    /// A sink over `queue` that holds at most `max_bytes` of queued lines.
    pub(crate) fn new(
        client: u64,
        queue: mpsc::Sender<Outbound>,
        lag: mpsc::UnboundedSender<Line>,
        max_bytes: u32,
    ) -> Self {
        let max_bytes = max_bytes.max(1);
        Self {
            client,
            queue,
            lag,
            bytes: Arc::new(Semaphore::new(max_bytes as usize)),
            max_bytes,
        }
    }

    /// A line's share of the byte budget (a line larger than the whole budget takes all of it).
    fn share(&self, line: &[u8]) -> u32 {
        (line.len().max(1)).min(self.max_bytes as usize) as u32
    }

    /// Queues `line` if there is room for it now, in items and bytes; false otherwise.
    pub(crate) fn try_push(&self, line: Line) -> bool {
        let Ok(permit) = self.bytes.clone().try_acquire_many_owned(self.share(&line)) else {
            return false;
        };
        self.queue
            .try_send(Outbound {
                line,
                _bytes: permit,
            })
            .is_ok()
    }

    /// Queues `line`, waiting for room: the caller is held back while the client does not read.
    pub(crate) async fn push(&self, line: Line) -> Result<(), Gone> {
        let permit = self
            .bytes
            .clone()
            .acquire_many_owned(self.share(&line))
            .await
            .map_err(|_| Gone)?;
        self.queue
            .send(Outbound {
                line,
                _bytes: permit,
            })
            .await
            .map_err(|_| Gone)
    }

    /// Whether `lines` fit in the queue now, in items and bytes.
    fn has_room_for(&self, lines: &[Line]) -> bool {
        let bytes: usize = lines.iter().map(|l| self.share(l) as usize).sum();
        lines.len() <= self.queue.capacity() && bytes <= self.bytes.available_permits()
    }
}

#[derive(Debug)]
struct Subscription {
    sink: Sink,
    filter: Filter,
    /// The last event queued for this subscriber.
    last_seq: u64,
}

#[derive(Debug)]
struct Poller {
    filter: Filter,
    since: u64,
    reply: oneshot::Sender<Event>,
}

/// The hub actor.
#[derive(Debug)]
pub(crate) struct EventHub {
    log: EventLog,
    next_subscription: u64,
    subscriptions: HashMap<SubscriptionId, Subscription>,
    pollers: Vec<Poller>,
}

impl EventHub {
    /// A hub for a daemon run with a fresh epoch (UUID v7) and a replay buffer of `capacity`.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            log: EventLog::new(uuid::Uuid::now_v7().to_string(), capacity),
            next_subscription: 1,
            subscriptions: HashMap::new(),
            pollers: Vec::new(),
        }
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(EventHub);

impl Actor for EventHub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Publishers use `do_send`, which ignores capacity; the bound here only matters for
        // `send`-style callers such as status queries.
        ctx.set_mailbox_capacity(1024);
    }
}

/// Publish an event.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Publish {
    /// The session it concerns (`None` for daemon-wide events).
    pub(crate) session: Option<SessionName>,
    /// The event.
    pub(crate) payload: EventPayload,
}

impl Handler<Publish> for EventHub {
    type Result = ();

    fn handle(&mut self, msg: Publish, _: &mut Self::Context) {
        let event = self.log.append(msg.session, msg.payload).clone();
        let mut lagged = Vec::new();
        for (id, sub) in &mut self.subscriptions {
            if !sub.filter.matches(&event) {
                continue;
            }
            if sub.sink.try_push(notification(*id, &event)) {
                sub.last_seq = event.seq;
            } else {
                // A full queue is a slow client; a closed one a client that is gone. Either way
                // the subscription ends here and the daemon moves on.
                lagged.push(*id);
            }
        }
        for id in lagged {
            if let Some(sub) = self.subscriptions.remove(&id) {
                let notice = Event {
                    epoch: self.log.epoch().to_owned(),
                    seq: sub.last_seq,
                    session: None,
                    payload: EventsLagged {
                        dropped: event.seq - sub.last_seq,
                        unsubscribed: true,
                    }
                    .into(),
                };
                let _ = sub.sink.lag.send(notification(id, &notice));
            }
        }
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pollers)
            .into_iter()
            .partition(|p| event.seq > p.since && p.filter.matches(&event));
        self.pollers = waiting
            .into_iter()
            .filter(|p| !p.reply.is_closed())
            .collect();
        for p in ready {
            let _ = p.reply.send(event.clone());
        }
    }
}

fn notification(subscription: SubscriptionId, event: &Event) -> Line {
    let n = EventNotification {
        subscription,
        event: event.clone(),
    };
    // Most events (a message, a state change) take a few hundred bytes to a few KiB.
    json_line(&n.to_notification().expect("events serialize"), 512)
}

/// Subscribe a connection; the replay (or a resync notice) is queued before the call returns.
#[derive(Message, Debug)]
#[rtype(result = "Result<EventsSubscribeResult, SubscribeError>")]
pub(crate) struct Subscribe {
    /// The connection's sink.
    pub(crate) sink: Sink,
    /// What it wants.
    pub(crate) filter: Filter,
    /// Replay strictly after this cursor.
    pub(crate) since: Option<EventCursor>,
}

/// Why a subscription could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SubscribeError {
    /// The replay does not fit into the connection's queue.
    #[error(
        "the replay of {needed} events does not fit into this connection's queue; read faster or subscribe with a later since"
    )]
    ReplayTooLarge {
        /// Events to replay.
        needed: usize,
    },
}

impl Handler<Subscribe> for EventHub {
    type Result = Result<EventsSubscribeResult, SubscribeError>;

    fn handle(&mut self, msg: Subscribe, _: &mut Self::Context) -> Self::Result {
        let id = SubscriptionId(self.next_subscription);
        self.next_subscription += 1;
        let head = self.log.last_seq();
        let lines: Vec<Line> = match self.log.since(msg.since.as_ref(), &msg.filter) {
            Since::Events(events) => events.into_iter().map(|e| notification(id, e)).collect(),
            Since::Resync(resync) => {
                let notice = Event {
                    epoch: self.log.epoch().to_owned(),
                    seq: head,
                    session: None,
                    payload: resync.into(),
                };
                vec![notification(id, &notice)]
            }
        };
        if !msg.sink.has_room_for(&lines) {
            return Err(SubscribeError::ReplayTooLarge {
                needed: lines.len(),
            });
        }
        for line in lines {
            // Capacity was checked above and this actor is the only other sender of events.
            let _ = msg.sink.try_push(line);
        }
        self.subscriptions.insert(
            id,
            Subscription {
                sink: msg.sink,
                filter: msg.filter,
                last_seq: head,
            },
        );
        Ok(EventsSubscribeResult {
            subscription: id,
            epoch: self.log.epoch().to_owned(),
            seq: head,
        })
    }
}

/// End a subscription of `client`. Answers whether it existed.
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub(crate) struct Unsubscribe {
    /// The connection asking (a connection may only end its own subscriptions).
    pub(crate) client: u64,
    /// The subscription.
    pub(crate) subscription: SubscriptionId,
}

impl Handler<Unsubscribe> for EventHub {
    type Result = bool;

    fn handle(&mut self, msg: Unsubscribe, _: &mut Self::Context) -> bool {
        match self.subscriptions.get(&msg.subscription) {
            Some(s) if s.sink.client == msg.client => {
                self.subscriptions.remove(&msg.subscription).is_some()
            }
            _ => false,
        }
    }
}

/// A connection went away: drop its subscriptions.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct ClientGone {
    /// The connection.
    pub(crate) client: u64,
}

impl Handler<ClientGone> for EventHub {
    type Result = ();

    fn handle(&mut self, msg: ClientGone, _: &mut Self::Context) {
        self.subscriptions
            .retain(|_, s| s.sink.client != msg.client);
    }
}

/// A long-poll: the buffered events after `since`, or a receiver for the next one.
#[derive(Message, Debug)]
#[rtype(result = "PollAnswer")]
pub(crate) struct Poll {
    /// What to return.
    pub(crate) filter: Filter,
    /// Strictly after this; `None` means from now on.
    pub(crate) since: Option<EventCursor>,
    /// At most this many events.
    pub(crate) limit: usize,
}

/// The hub's answer to a poll.
#[derive(Debug)]
pub(crate) enum PollAnswer {
    /// Events are available now (or the cursor needs a resync, returned as an event).
    Ready(EventsPollResult),
    /// Nothing yet: wait on this for the next matching event (or time out).
    Wait(oneshot::Receiver<Event>, EventCursor),
}

impl Handler<Poll> for EventHub {
    type Result = MessageResult<Poll>;

    fn handle(&mut self, msg: Poll, _: &mut Self::Context) -> Self::Result {
        let head = self.log.head();
        let answer = match self.log.since(msg.since.as_ref(), &msg.filter) {
            Since::Events(events) if !events.is_empty() => {
                let events: Vec<Event> =
                    events.into_iter().take(msg.limit.max(1)).cloned().collect();
                let next = EventCursor {
                    epoch: head.epoch.clone(),
                    seq: events.last().map_or(head.seq, |e| e.seq),
                };
                PollAnswer::Ready(EventsPollResult { events, next })
            }
            Since::Events(_) => {
                let (tx, rx) = oneshot::channel();
                let since = msg.since.as_ref().map_or(head.seq, |c| c.seq);
                self.pollers.push(Poller {
                    filter: msg.filter,
                    since,
                    reply: tx,
                });
                PollAnswer::Wait(rx, head)
            }
            Since::Resync(resync) => {
                let notice = Event {
                    epoch: head.epoch.clone(),
                    seq: head.seq,
                    session: None,
                    payload: resync.into(),
                };
                PollAnswer::Ready(EventsPollResult {
                    events: vec![notice],
                    next: head,
                })
            }
        };
        MessageResult(answer)
    }
}

/// The stream's position and buffer use, for `daemon.status`.
#[derive(Message, Debug)]
#[rtype(result = "EventStreamStatus")]
pub(crate) struct Status;

impl Handler<Status> for EventHub {
    type Result = MessageResult<Status>;

    fn handle(&mut self, _: Status, _: &mut Self::Context) -> Self::Result {
        MessageResult(EventStreamStatus {
            epoch: self.log.epoch().to_owned(),
            seq: self.log.last_seq(),
            buffered: self.log.buffered() as u64,
            capacity: self.log.capacity() as u64,
        })
    }
}

/// How many subscriptions each connection has, for `daemon.status`.
#[derive(Message, Debug)]
#[rtype(result = "HashMap<u64, u32>")]
pub(crate) struct SubscriptionCounts;

impl Handler<SubscriptionCounts> for EventHub {
    type Result = MessageResult<SubscriptionCounts>;

    fn handle(&mut self, _: SubscriptionCounts, _: &mut Self::Context) -> Self::Result {
        let mut counts = HashMap::new();
        for s in self.subscriptions.values() {
            *counts.entry(s.sink.client).or_insert(0) += 1;
        }
        MessageResult(counts)
    }
}

#[cfg(test)]
mod tests {
    use cxone_chat_protocol::rpc::notifications::{DaemonShutdown, ShutdownReason};
    use serde_json::Value;

    use super::*;

    fn shutdown() -> Publish {
        Publish {
            session: None,
            payload: DaemonShutdown {
                reason: ShutdownReason::Restart,
                grace_ms: 0,
            }
            .into(),
        }
    }

    fn sink(
        capacity: usize,
    ) -> (
        Sink,
        mpsc::Receiver<Outbound>,
        mpsc::UnboundedReceiver<Line>,
    ) {
        let (queue, rx) = mpsc::channel(capacity);
        let (lag, lag_rx) = mpsc::unbounded_channel();
        (Sink::new(7, queue, lag, 1 << 20), rx, lag_rx)
    }

    fn seq_of(line: &[u8]) -> u64 {
        let v: Value = serde_json::from_slice(line).unwrap();
        v["params"]["seq"].as_u64().unwrap()
    }

    fn drain(rx: &mut mpsc::Receiver<Outbound>) -> Vec<u64> {
        let mut out = Vec::new();
        while let Ok(Outbound { line: l, .. }) = rx.try_recv() {
            out.push(seq_of(&l));
        }
        out
    }

    #[actix::test]
    async fn a_full_queue_ends_the_subscription_with_one_lag_notice_and_nobody_waits() {
        let hub = EventHub::new(100).start();
        let (s, mut rx, mut lag_rx) = sink(2);
        let sub = hub
            .send(Subscribe {
                sink: s,
                filter: Filter::default(),
                since: None,
            })
            .await
            .unwrap()
            .unwrap();
        for _ in 0..5 {
            hub.send(shutdown()).await.unwrap();
        }
        assert_eq!(drain(&mut rx), vec![1, 2], "only what fitted was queued");
        let notice: Value = serde_json::from_slice(&lag_rx.try_recv().unwrap()).unwrap();
        assert_eq!(notice["params"]["kind"], "events.lagged");
        assert_eq!(
            notice["params"]["seq"], 2,
            "resume after the last event received"
        );
        assert_eq!(notice["params"]["subscription"], sub.subscription.0);
        assert_eq!(notice["params"]["data"]["unsubscribed"], true);
        hub.send(shutdown()).await.unwrap();
        assert!(
            drain(&mut rx).is_empty() && lag_rx.try_recv().is_err(),
            "the subscription is over"
        );
    }

    #[actix::test]
    async fn resubscribing_with_since_replays_what_was_missed() {
        let hub = EventHub::new(100).start();
        for _ in 0..4 {
            hub.send(shutdown()).await.unwrap();
        }
        let status = hub.send(Status).await.unwrap();
        let (s, mut rx, _lag) = sink(10);
        let since = Some(EventCursor {
            epoch: status.epoch.clone(),
            seq: 1,
        });
        let r = hub
            .send(Subscribe {
                sink: s,
                filter: Filter::default(),
                since,
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.seq, 4);
        assert_eq!(drain(&mut rx), vec![2, 3, 4]);
        hub.send(shutdown()).await.unwrap();
        assert_eq!(drain(&mut rx), vec![5]);
    }

    #[actix::test]
    async fn a_cursor_from_another_run_gets_a_resync_notice() {
        let hub = EventHub::new(100).start();
        hub.send(shutdown()).await.unwrap();
        let (s, mut rx, _lag) = sink(10);
        let since = Some(EventCursor {
            epoch: "another-run".into(),
            seq: 9,
        });
        hub.send(Subscribe {
            sink: s,
            filter: Filter::default(),
            since,
        })
        .await
        .unwrap()
        .unwrap();
        let Ok(Outbound { line, .. }) = rx.try_recv() else {
            panic!("no notice")
        };
        let v: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(v["params"]["kind"], "events.resyncRequired");
        assert_eq!(v["params"]["data"]["reason"], "epochChanged");
    }

    #[actix::test]
    async fn a_poll_waits_for_the_next_event_or_answers_at_once() {
        let hub = EventHub::new(100).start();
        let PollAnswer::Wait(rx, head) = hub
            .send(Poll {
                filter: Filter::default(),
                since: None,
                limit: 10,
            })
            .await
            .unwrap()
        else {
            panic!("nothing to return yet");
        };
        hub.send(shutdown()).await.unwrap();
        assert_eq!(rx.await.unwrap().seq, 1);
        let since = Some(EventCursor {
            epoch: head.epoch,
            seq: 0,
        });
        let PollAnswer::Ready(r) = hub
            .send(Poll {
                filter: Filter::default(),
                since,
                limit: 10,
            })
            .await
            .unwrap()
        else {
            panic!("event 1 is buffered");
        };
        assert_eq!((r.events.len(), r.next.seq), (1, 1));
    }

    #[actix::test]
    async fn a_replay_larger_than_the_queue_is_refused_not_truncated() {
        let hub = EventHub::new(100).start();
        for _ in 0..5 {
            hub.send(shutdown()).await.unwrap();
        }
        let epoch = hub.send(Status).await.unwrap().epoch;
        let (s, _rx, _lag) = sink(3);
        let r = hub
            .send(Subscribe {
                sink: s,
                filter: Filter::default(),
                since: Some(EventCursor { epoch, seq: 0 }),
            })
            .await
            .unwrap();
        assert!(matches!(
            r,
            Err(SubscribeError::ReplayTooLarge { needed: 5 })
        ));
    }
}
