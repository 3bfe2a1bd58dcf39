//! The `data` of every event the back end sends (PROTOCOL.md §3): replies (postbacks) and
//! pushes alike. [`received`](super::received) decides which frame carries which event.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{
    AccessToken, Agent, BrandRef, Contact, CustomField, CustomFields, CustomerIdentity, IdRef,
    Thread, ThreadRef,
};
use super::message::Message;

/// `ConsumerAuthorized` — reply to `AuthorizeCustomer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerAuthorized {
    /// The customer as the server knows them; in OAuth channels it replaces the local identity.
    pub consumer_identity: CustomerIdentity,
    /// Present only in OAuth channels (`isAuthorizationEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessToken>,
    /// Customer custom fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomFields>,
    /// Contact custom fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<CustomFields>,
}

/// `TokenRefreshed` — reply to `RefreshToken`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRefreshed {
    /// The new token and its lifetime.
    pub access_token: AccessToken,
}

/// `ThreadRecovered` and `LivechatRecovered`: one thread with its newest messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadRecovered {
    /// The thread's contact (current servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The same under its older name; both SDKs accept either. Use [`Self::contact`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_contact: Option<Contact>,
    /// The agent the contact is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox_assignee: Option<Agent>,
    /// The previous assignee (live chat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_inbox_assignee: Option<Agent>,
    /// The contact's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_assignee: Option<Agent>,
    /// Messages, **newest first** on the wire.
    pub messages: Vec<Message>,
    /// Paging cursor for `LoadMoreMessages`; empty when there is no older history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_scroll_token: Option<String>,
    /// The thread.
    pub thread: Thread,
    /// Customer custom fields (iOS requires the object today; 2022 servers omitted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomFields>,
}

impl ThreadRecovered {
    /// The contact under whichever key the server used.
    pub fn contact(&self) -> Option<&Contact> {
        self.contact.as_ref().or(self.consumer_contact.as_ref())
    }
}

/// `ThreadListFetched` — reply to `FetchThreadList`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadListFetched {
    /// The customer's threads in this channel (without messages).
    pub threads: Vec<Thread>,
}

/// `ThreadMetadataLoaded` — reply to `LoadThreadMetadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMetadataLoaded {
    /// The thread's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_assignee: Option<Agent>,
    /// The newest message (required by both SDKs).
    pub last_message: Message,
}

/// `MoreMessagesLoaded` — reply to `LoadMoreMessages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoreMessagesLoaded {
    /// Older messages; empty means there are no more.
    pub messages: Vec<Message>,
    /// The next cursor (empty when exhausted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scroll_token: Option<String>,
}

/// `MessageCreated` — a message in either direction, including the echo of the customer's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageCreated {
    /// The brand.
    pub brand: BrandRef,
    /// The channel.
    pub channel: IdRef,
    /// The contact the message belongs to; carries the contact id a new thread needs.
    pub case: Contact,
    /// The thread (absent in 2022 captures, so optional; the message names its thread anyway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<ThreadRef>,
    /// The message.
    pub message: Message,
}

/// `MessageReadChanged` / `MessageSeenChanged` — a message whose statistics changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageChanged {
    /// The brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<BrandRef>,
    /// The message with its new statistics.
    pub message: Message,
}

/// `CaseInboxAssigneeChanged` — the contact was (re)assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseInboxAssigneeChanged {
    /// The brand.
    pub brand: BrandRef,
    /// The channel.
    pub channel: IdRef,
    /// The contact.
    pub case: Contact,
    /// The new assignee; `null` when unassigned.
    #[serde(default)]
    pub inbox_assignee: Option<Agent>,
    /// The previous assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_inbox_assignee: Option<Agent>,
}

/// `CaseStatusChanged` — e.g. `closed` after `EndContact`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseStatusChanged {
    /// The brand.
    pub brand: BrandRef,
    /// The channel.
    pub channel: IdRef,
    /// The contact with its new status.
    pub case: Contact,
}

/// `SetPositionInQueue` — live-chat queue position (server → client despite the name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetPositionInQueue {
    /// The contact, matched to a thread by id.
    pub consumer_contact: IdRef,
    /// The routing queue (Android requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_queue: Option<IdRef>,
    /// 1-based position.
    pub position_in_queue: i64,
    /// Whether any agent serving the queue is online (Android requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_any_agent_online_for_queue: Option<bool>,
}

/// `SenderTypingStarted` / `SenderTypingEnded` pushed by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderTyping {
    /// The brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<BrandRef>,
    /// The channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<IdRef>,
    /// The thread.
    pub thread: ThreadRef,
    /// The typing agent; `null` for the echo of the customer's own typing, which clients ignore.
    #[serde(default)]
    pub user: Option<Agent>,
}

/// `FireProactiveAction` — welcome message or custom popup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FireProactiveAction {
    /// The destination (SDK session) it is meant for.
    pub destination: IdRef,
    /// The action.
    pub proactive_action: ProactiveAction,
}

/// `proactiveAction` of [`FireProactiveAction`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveAction {
    /// What to do.
    pub action: ProactiveActionDetails,
    /// Conditions (ignored by the SDKs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Value>,
}

/// `proactiveAction.action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveActionDetails {
    /// Action id.
    pub action_id: String,
    /// Display name.
    pub action_name: String,
    /// `WelcomeMessage` or `CustomPopupBox` (others are kept as text).
    pub action_type: String,
    /// Content and hand-over fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ProactiveActionData>,
}

impl ProactiveActionDetails {
    /// Whether this is a welcome message.
    pub fn is_welcome_message(&self) -> bool {
        self.action_type == "WelcomeMessage"
    }
}

/// `action.data`: when present, iOS requires both `content` and `handover.customFields`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveActionData {
    /// What to show.
    pub content: ProactiveContent,
    /// Custom fields merged into the customer's on hand-over.
    pub handover: Handover,
}

/// `action.data.content`. Welcome messages carry `bodyText` (a template, see PROTOCOL.md
/// §3.9.6); popups carry the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveContent {
    /// Template text with `{{key|fallback}}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Popup headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_text: Option<String>,
    /// Popup secondary headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_secondary_text: Option<String>,
    /// Popup image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// MIME type of the popup content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Popup variables: an object on current servers, sometimes an empty array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Value>,
}

/// `action.data.handover`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handover {
    /// Fields to merge.
    pub custom_fields: Vec<CustomField>,
}

/// `EventInS3` — a large event parked in the bucket (PROTOCOL.md §3.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInS3 {
    /// Where to download the original event.
    pub s3_object: S3Object,
    /// The original event's type (informational).
    pub origin_event: OriginEvent,
}

/// `{url}` — a pre-signed download URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Object {
    /// The URL.
    pub url: String,
}

/// `{eventType}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginEvent {
    /// Event type of the parked event.
    pub event_type: String,
}
