//! Threads (conversations) and their contacts (cases).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Agent, CustomField, InactivityPopup, Message, Timestamp};

/// The state of a thread, as the CXone SDKs define it.
///
/// `pending → received → loaded → ready → closed`; a closed thread never reopens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ThreadState {
    /// Created here, unknown to the back end until its first message is sent.
    Pending,
    /// Listed by the back end; nothing loaded yet.
    Received,
    /// Its metadata (last message, agent) is loaded.
    Loaded,
    /// Its history is loaded; messages can be sent.
    Ready,
    /// Archived, or its contact closed: it takes no more messages.
    Closed,
}

/// A thread, without its messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// The thread id (a UUID).
    pub id: String,
    /// Its name (multi-thread channels), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its state.
    pub state: ThreadState,
    /// When it was created, once the back end knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed, once the back end knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Messages from the contact centre the customer has not seen (`thread.markRead` clears it).
    pub unread_count: u32,
    /// The newest message, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Box<Message>>,
    /// The agent handling the thread, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// Live chat: the customer's position in the routing queue while waiting for an agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_position: Option<u32>,
    /// The thread's current contact (case), once the back end created one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The contact's custom fields (pre-chat survey answers and `thread.setCustomFields`).
    pub custom_fields: Vec<CustomField>,
    /// Live chat: the contact centre asks whether the customer is still there (also announced
    /// as a `proactive.action` of type `inactivityPopup`); answer before `expiresAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_popup: Option<OpenInactivityPopup>,
}

/// A live chat's open inactivity popup: the contact centre ends the conversation at `expiresAt`
/// unless the customer keeps it going. Answer with `thread.send`, the chosen button's `text` and
/// `postback`: the daemon sends it as the SDKs do, out of the transcript, and the popup closes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenInactivityPopup {
    /// The live-chat thread.
    pub thread_id: String,
    /// The id of the (hidden) message that carried it.
    pub message_id: String,
    /// When the countdown runs out.
    pub expires_at: Timestamp,
    /// What it says: title, text, countdown and the two buttons.
    pub prompt: InactivityPopup,
}

/// A thread with the messages loaded so far, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSnapshot {
    /// The thread.
    pub thread: Thread,
    /// Its loaded messages, oldest first.
    pub messages: Vec<Message>,
    /// Whether `thread.loadMore` can fetch older messages.
    pub has_more_messages: bool,
}

/// A contact (case): one episode of a thread in the contact centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// The contact id.
    pub id: String,
    /// Its status.
    pub status: ContactStatus,
}

/// The status of a contact (case) in the contact centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ContactStatus {
    /// Just created, not yet routed.
    New,
    /// Being handled.
    Open,
    /// Waiting for the customer or a third party.
    Pending,
    /// Escalated within the contact centre.
    Escalated,
    /// Resolved; may still reopen.
    Resolved,
    /// Closed for good: the thread takes no more messages (live chat: the conversation ended).
    Closed,
    /// Deleted by the contact centre.
    Trashed,
    /// A status this version of the API does not know.
    Unknown,
}
