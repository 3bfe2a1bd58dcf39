//! Events the daemon pushes: the `events.event` notification and every event kind.
//!
//! A client calls `events.subscribe`, then receives
//! `{"jsonrpc":"2.0","method":"events.event","params":{subscription, epoch, seq, session, kind, data}}`
//! on the same connection (or fetches the same [`Event`]s with `events.poll`).
//!
//! Delivery contract:
//!
//! * `seq` increases by one for every event of the daemon, across sessions; `epoch` (a UUID v7)
//!   changes when the daemon restarts, and `seq` restarts with it.
//! * `since` is **strictly greater**: subscribing or polling with `since = {epoch, seq: 41}`
//!   delivers events 42, 43, … — pass the `seq` of the last event you handled.
//! * If `since` has a different epoch, or is older than the daemon's replay buffer, the first event
//!   is `events.resyncRequired`: re-read state (`session.state`, `threads.list`, `threads.load`).
//! * `events.lagged` and `events.resyncRequired` concern one subscriber; their `seq` is the cursor
//!   to resume from, not a new event of the stream.
//! * Every event has a `data` object, even when it is empty.

mod data;

pub use data::{
    AgentAssigned, AgentTyping, ChatStateChanged, ConnectionLost, ConnectionRestored,
    ContactStatusChanged, CustomEvent, CustomFieldsSet, DaemonShutdown, ErrorEvent, EventsLagged,
    MessageCreated, MessageUpdated, ProactiveActionFired, QueuePosition, ResyncReason,
    ResyncRequired, ShutdownReason, ThreadUpdated, ThreadsUpdated, TokenRefreshFailed,
};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::envelope::Notification;
use super::types::SessionName;

/// The method name of the event notification.
pub const EVENTS_EVENT: &str = "events.event";

/// A subscription's id, unique per daemon run.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct SubscriptionId(pub u64);

/// A position in the event stream: "everything after event `seq` of daemon run `epoch`".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventCursor {
    /// The daemon run (UUID v7) the `seq` belongs to.
    pub epoch: String,
    /// The last event already handled; delivery resumes strictly after it.
    pub seq: u64,
}

/// One event, as pushed in `events.event` and returned by `events.poll`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The daemon run (UUID v7) the event belongs to.
    pub epoch: String,
    /// Its position in the stream (see the module docs).
    pub seq: u64,
    /// The session it concerns; `null` for daemon-wide events (always present).
    #[schemars(required, schema_with = "nullable_session")]
    pub session: Option<SessionName>,
    /// The kind and its data.
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// `session` is always sent, `null` for daemon-wide events: required, and nullable.
fn nullable_session(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.subschema_for::<Option<SessionName>>()
}

/// The params of an `events.event` notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventNotification {
    /// The subscription that asked for it.
    pub subscription: SubscriptionId,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

impl EventNotification {
    /// The JSON-RPC notification to write to the subscriber.
    pub fn to_notification(&self) -> Result<Notification, serde_json::Error> {
        Notification::with_params(EVENTS_EVENT, self)
    }
}

/// Defines [`EventKind`] and [`EventPayload`] from one table, so a kind cannot exist without its
/// data type, its name and its summary.
macro_rules! event_kinds {
    ($( $variant:ident($data:ident) = $name:literal, $summary:literal; )+) => {
        /// Every kind of event (`events.event.kind`), serialized as its name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(Serialize, Deserialize, JsonSchema)]
        #[non_exhaustive]
        pub enum EventKind {
            $( #[doc = $summary] #[serde(rename = $name)] $variant, )+
        }

        impl EventKind {
            /// Every kind, in table order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The kind's name, e.g. `message.created`.
            pub const fn name(self) -> &'static str {
                match self { $(EventKind::$variant => $name,)+ }
            }

            /// What the event means and what to do about it.
            pub const fn summary(self) -> &'static str {
                match self { $(EventKind::$variant => $summary,)+ }
            }

            /// The schema of the kind's `data` (a reference into the generator's definitions).
            pub fn data_schema(self, generator: &mut SchemaGenerator) -> Schema {
                match self { $(EventKind::$variant => generator.subschema_for::<$data>(),)+ }
            }
        }

        /// An event's `kind` and its `data`.
        ///
        /// Each `data` is boxed: the daemon keeps thousands of events for replay, and unboxed
        /// every one took the room of the largest kind (536 bytes).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(tag = "kind", content = "data")]
        #[non_exhaustive]
        pub enum EventPayload {
            $( #[doc = $summary] #[serde(rename = $name)] $variant(Box<$data>), )+
        }

        impl EventPayload {
            /// The payload's kind.
            pub fn kind(&self) -> EventKind {
                match self { $(EventPayload::$variant(_) => EventKind::$variant,)+ }
            }
        }

        $(
            impl From<$data> for EventPayload {
                fn from(data: $data) -> Self {
                    EventPayload::$variant(Box::new(data))
                }
            }
        )+
    };
}

event_kinds! {
    ChatStateChanged(ChatStateChanged) = "chat.stateChanged",
        "The session's chat state changed (e.g. connecting → ready).";
    ConnectionLost(ConnectionLost) = "connection.lost",
        "The connection to the back end dropped; the daemon reconnects by itself when `reconnecting` is true. Calls needing the back end fail with notConnected meanwhile.";
    ConnectionRestored(ConnectionRestored) = "connection.restored",
        "The connection to the back end is back and the session's threads were recovered; messages that arrived meanwhile follow as events.";
    ThreadUpdated(ThreadUpdated) = "thread.updated",
        "A thread changed (name, state, agent, unread count, last message); replace your copy.";
    ThreadsUpdated(ThreadsUpdated) = "threads.updated",
        "The list of threads changed (created, archived, recovered); replace your whole list.";
    MessageCreated(MessageCreated) = "message.created",
        "A message was added to a thread: from the contact centre, or your own once the daemon accepted it.";
    MessageUpdated(MessageUpdated) = "message.updated",
        "A message's status changed (queued, sent, delivered, seen, read, failed); replace your copy. A failed message carries the error.";
    AgentTyping(AgentTyping) = "agent.typing",
        "An agent started or stopped typing in a thread.";
    AgentAssigned(AgentAssigned) = "agent.assigned",
        "A thread's agent changed (assigned, transferred, or unassigned when agent is absent).";
    QueuePosition(QueuePosition) = "queue.position",
        "Live chat: the customer's position in the routing queue changed.";
    ContactStatus(ContactStatusChanged) = "contact.status",
        "A thread's contact (case) changed status; closed means the conversation ended and the thread takes no more messages.";
    ProactiveAction(ProactiveActionFired) = "proactive.action",
        "The contact centre pushed a proactive action (welcome message or pop-up); report what you did with analytics.proactiveAction.";
    CustomEvent(CustomEvent) = "custom.event",
        "The back end sent an event this API does not model; its payload is passed through as is.";
    CustomFieldsSet(CustomFieldsSet) = "customFields.set",
        "Custom fields of the customer or of a thread's contact were set (by a call, or by a proactive action's hand-over).";
    TokenRefreshFailed(TokenRefreshFailed) = "token.refreshFailed",
        "Renewing the customer's login failed; get a new authorization code and call customer.authorize.";
    Error(ErrorEvent) = "error",
        "Something failed in the background (not in answer to a call); the error says what and what to do.";
    EventsLagged(EventsLagged) = "events.lagged",
        "This subscriber fell behind and events were dropped for it; subscribe again with since = this event's epoch and seq to get them back.";
    EventsResyncRequired(ResyncRequired) = "events.resyncRequired",
        "Events cannot be replayed from the requested position (daemon restarted, or too old); re-read state, then continue from this event's seq.";
    DaemonShutdown(DaemonShutdown) = "daemon.shutdown",
        "The daemon is stopping or restarting; reconnect after it is back and subscribe with since to resume.";
}

/// Every event kind (same as [`EventKind::ALL`]).
pub const ALL_EVENT_KINDS: &[EventKind] = EventKind::ALL;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;

    fn lagged() -> EventNotification {
        EventNotification {
            subscription: SubscriptionId(3),
            event: Event {
                epoch: "0190b3c4-0000-7000-8000-000000000000".into(),
                seq: 41,
                session: None,
                payload: EventsLagged {
                    dropped: 7,
                    unsubscribed: false,
                }
                .into(),
            },
        }
    }

    #[test]
    fn notification_has_the_documented_flat_shape() {
        let n = lagged().to_notification().unwrap();
        assert_eq!(
            serde_json::to_value(&n).unwrap(),
            json!({
                "jsonrpc": "2.0",
                "method": "events.event",
                "params": {
                    "subscription": 3,
                    "epoch": "0190b3c4-0000-7000-8000-000000000000",
                    "seq": 41,
                    "session": null,
                    "kind": "events.lagged",
                    "data": {"dropped": 7, "unsubscribed": false}
                }
            })
        );
    }

    #[test]
    fn event_notification_round_trips_through_flatten() {
        let text = serde_json::to_string(&lagged()).unwrap();
        assert_eq!(
            serde_json::from_str::<EventNotification>(&text).unwrap(),
            lagged()
        );
    }

    #[test]
    fn kinds_are_unique_and_match_the_payload_tags() {
        let names: HashSet<_> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), EventKind::ALL.len());
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
        let payload: EventPayload = EventsLagged {
            dropped: 1,
            unsubscribed: true,
        }
        .into();
        assert_eq!(payload.kind(), EventKind::EventsLagged);
        assert_eq!(
            serde_json::to_value(&payload).unwrap()["kind"],
            "events.lagged"
        );
    }

    #[test]
    fn an_unknown_kind_is_refused() {
        let bad = json!({"epoch": "e", "seq": 1, "session": null, "kind": "nope", "data": {}});
        assert!(serde_json::from_value::<Event>(bad).is_err());
    }
}
