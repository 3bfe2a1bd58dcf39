//! Event delivery: push subscriptions and long-polling (`events.*`).
//!
//! See [`crate::rpc::notifications`] for the delivery contract (`seq`, `epoch`, "since is strictly
//! greater", resync).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::define_methods;
use crate::rpc::notifications::{Event, EventCursor, EventKind, SubscriptionId};
use crate::rpc::types::SessionName;

define_methods! {
    group = "events";

    /// Events newer than `since` are replayed first (strictly greater: pass the last `seq` you
    /// handled), then live events follow as `events.event` notifications on this connection
    /// until `events.unsubscribe` or disconnect. Without `since`, only events after the call are
    /// sent. Daemon-wide kinds (`daemon.shutdown`, `events.*`) are sent whatever the filters.
    EventsSubscribe = "events.subscribe" {
        summary: "Starts pushing events to this connection, after replaying those newer than since.",
        params: EventsSubscribeParams,
        result: EventsSubscribeResult,
        errors: [Overloaded],
    }

    EventsUnsubscribe = "events.unsubscribe" {
        summary: "Stops a subscription of this connection.",
        params: EventsUnsubscribeParams,
        result: EventsUnsubscribeResult,
        errors: [],
    }

    /// For clients that cannot take notifications: returns at once when events newer than
    /// `since` exist, otherwise waits up to `timeoutMs` for one. Call again with `since = next`.
    EventsPoll = "events.poll" {
        summary: "Returns the events newer than since, waiting up to timeoutMs for the first one.",
        params: EventsPollParams,
        result: EventsPollResult,
        errors: [RequestCancelled],
    }
}

/// The params of `events.subscribe`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsSubscribeParams {
    /// Only events of this session; events of every session when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionName>,
    /// Replay the buffered events after this position first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<EventCursor>,
    /// Only these kinds; every kind when left out or empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EventKind>,
}

/// The result of `events.subscribe`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsSubscribeResult {
    /// The subscription's id, carried by each of its `events.event` notifications.
    pub subscription: SubscriptionId,
    /// This daemon run's epoch.
    pub epoch: String,
    /// The newest event's `seq` when the subscription started: replayed events are at most this,
    /// live ones greater.
    pub seq: u64,
}

/// The params of `events.unsubscribe`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsUnsubscribeParams {
    /// The subscription to stop.
    pub subscription: SubscriptionId,
}

/// The result of `events.unsubscribe`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsUnsubscribeResult {
    /// Whether the subscription existed on this connection (false makes a repeated call harmless).
    pub unsubscribed: bool,
}

/// The params of `events.poll`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsPollParams {
    /// Return events after this position; only events after the call when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<EventCursor>,
    /// How long to wait for an event when none is ready, in milliseconds; 0 (the default)
    /// returns at once. Capped at `daemon.info`'s `limits.maxPollTimeoutMs`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout_ms: u64,
    /// The most events to return; the daemon's own maximum when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only events of this session; every session when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionName>,
    /// Only these kinds; every kind when left out or empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EventKind>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The result of `events.poll`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsPollResult {
    /// The events, oldest first; empty when the wait timed out.
    pub events: Vec<Event>,
    /// Pass this as `since` in the next call.
    pub next: EventCursor,
}
