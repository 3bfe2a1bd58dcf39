//! The `data` of each event kind.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rpc::errors::ErrorObject;
use crate::rpc::types::{
    Agent, ChatMode, ChatState, ContactStatus, CustomField, CustomFieldScope, Message,
    ProactiveAction, Thread,
};

/// `chat.stateChanged`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatStateChanged {
    /// The new state.
    pub state: ChatState,
    /// The state before.
    pub previous: ChatState,
    /// The chat mode, once the channel is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ChatMode>,
}

/// `connection.lost`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionLost {
    /// Why, for people and logs.
    pub reason: String,
    /// Whether the daemon is reconnecting by itself. When false it gave up: call
    /// `session.connect` to try again.
    pub reconnecting: bool,
    /// The reconnection attempt about to be made (1 for the first).
    pub attempt: u32,
    /// The delay before that attempt, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_in_ms: Option<u64>,
}

/// `connection.restored`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRestored {
    /// How many attempts it took.
    pub attempts: u32,
    /// How long the connection was down, in milliseconds.
    pub downtime_ms: u64,
}

/// `thread.updated`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadUpdated {
    /// The thread as it is now.
    pub thread: Thread,
}

/// `threads.updated`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadsUpdated {
    /// Every thread of the session, as `threads.list` would return them.
    pub threads: Vec<Thread>,
}

/// `message.created`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageCreated {
    /// The new message.
    pub message: Message,
}

/// `message.updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageUpdated {
    /// The message as it is now.
    pub message: Message,
    /// Why it failed, when its status is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
}

/// `agent.typing`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentTyping {
    /// The thread.
    pub thread_id: String,
    /// Whether the agent is typing now.
    pub is_typing: bool,
    /// The agent, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
}

/// `agent.assigned`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentAssigned {
    /// The thread.
    pub thread_id: String,
    /// The agent now handling it; absent when it was unassigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// The agent who handled it before, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_agent: Option<Agent>,
}

/// `queue.position`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueuePosition {
    /// The thread waiting for an agent.
    pub thread_id: String,
    /// Its position (1 = next).
    pub position: u32,
    /// Whether any agent of the queue is online, when the back end says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents_online: Option<bool>,
}

/// `contact.status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactStatusChanged {
    /// The thread.
    pub thread_id: String,
    /// The contact (case) id.
    pub contact_id: String,
    /// Its new status.
    pub status: ContactStatus,
}

/// `proactive.action`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveActionFired {
    /// The action.
    pub action: ProactiveAction,
}

/// `custom.event`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomEvent {
    /// The back end's name for the event, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The event's payload, as received.
    pub payload: Value,
}

/// `customFields.set`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldsSet {
    /// Whose fields.
    pub scope: CustomFieldScope,
    /// The thread, for contact fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// The fields that were set.
    pub custom_fields: Vec<CustomField>,
}

/// `token.refreshFailed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenRefreshFailed {
    /// What failed (code `tokenRefreshFailed` or `tokenExpired`).
    pub error: ErrorObject,
}

/// `error`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEvent {
    /// What failed and what to do.
    pub error: ErrorObject,
    /// The thread concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

/// `events.lagged`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsLagged {
    /// How many events were dropped for this subscriber.
    pub dropped: u64,
    /// Whether the daemon ended the subscription (subscribe again with `since`).
    pub unsubscribed: bool,
}

/// `events.resyncRequired`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResyncRequired {
    /// Why events cannot be replayed.
    pub reason: ResyncReason,
    /// The oldest `seq` still in the replay buffer, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_seq: Option<u64>,
}

/// Why a subscriber must re-read state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ResyncReason {
    /// `since` belongs to an earlier daemon run.
    EpochChanged,
    /// `since` is older than the replay buffer.
    TooOld,
}

/// `daemon.shutdown`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonShutdown {
    /// Whether the daemon is coming back.
    pub reason: ShutdownReason,
    /// How long the daemon keeps finishing calls before it closes connections, in milliseconds.
    pub grace_ms: u64,
}

/// Why the daemon stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ShutdownReason {
    /// It is restarting (upgrade, configuration change); reconnect in a moment.
    Restart,
    /// It is stopping for good.
    Stop,
}
