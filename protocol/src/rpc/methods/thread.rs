//! One thread: send, history, rename, archive, receipts, typing, end, transcript, fields
//! (`thread.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::customer::CustomFieldsResult;
use super::{Empty, define_methods};
use crate::rpc::types::{AttachmentInput, CustomFieldValues, Message, SessionName, Thread};

define_methods! {
    group = "thread";

    /// Needs `text`, `postback` or at least one attachment. Returns at once with the message in
    /// status `queued` (waiting for the connection) or `sent`; `message.updated` events follow
    /// (`delivered`, `seen`, `read`, or `failed` with the error). To answer a button, send its
    /// text and postback. Sending to a `pending` thread creates it on the back end.
    ThreadSend = "thread.send" {
        summary: "Sends a message (text, postback, attachments) in a thread.",
        params: ThreadSendParams,
        result: Message,
        errors: [UnknownSession, NotConnected, UnknownThread, ThreadClosed, AttachmentRejected, InvalidParameter, BackendRejected, Timeout],
    }

    ThreadLoadMore = "thread.loadMore" {
        summary: "Loads older messages of a thread and returns them.",
        params: ThreadParams,
        result: ThreadLoadMoreResult,
        errors: [UnknownSession, NotConnected, UnknownThread, NoMoreMessages, BackendRejected, Timeout],
    }

    ThreadRename = "thread.rename" {
        summary: "Renames a thread (multi-thread channels).",
        params: ThreadRenameParams,
        result: Thread,
        errors: [UnknownSession, NotConnected, UnknownThread, ThreadClosed, UnsupportedInMode, BackendRejected],
    }

    /// The thread becomes `closed` and takes no more messages.
    ThreadArchive = "thread.archive" {
        summary: "Archives a thread (multi-thread channels).",
        params: ThreadParams,
        result: Thread,
        errors: [UnknownSession, NotConnected, UnknownThread, UnsupportedInMode, BackendRejected, Timeout],
    }

    ThreadMarkRead = "thread.markRead" {
        summary: "Marks every message of a thread as seen by the customer.",
        params: ThreadParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, UnknownThread],
    }

    /// Send `isTyping: false` when the customer stops typing (e.g. 1.5 s after the last key).
    ThreadTyping = "thread.typing" {
        summary: "Tells the agent whether the customer is typing.",
        params: ThreadTypingParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, UnknownThread, ThreadClosed],
    }

    /// The back end confirms with a `contact.status` event (`closed`); the chat state becomes
    /// `closed`. Start a new conversation with `threads.create`.
    ThreadEndContact = "thread.endContact" {
        summary: "Ends the live-chat conversation of a thread.",
        params: ThreadParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, UnknownThread, UnsupportedInMode, IllegalThreadState],
    }

    ThreadSendTranscript = "thread.sendTranscript" {
        summary: "E-mails the transcript of a thread's conversation.",
        params: ThreadSendTranscriptParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, UnknownThread, FeatureDisabled, IllegalThreadState, InvalidParameter, BackendRejected, Timeout],
    }

    /// Values are merged into the contact's fields. For a `pending` thread they are sent with its
    /// first message.
    ThreadSetCustomFields = "thread.setCustomFields" {
        summary: "Sets custom fields of a thread's contact (case).",
        params: ThreadSetCustomFieldsParams,
        result: CustomFieldsResult,
        errors: [UnknownSession, NotConnected, UnknownThread, ThreadClosed, InvalidParameter],
    }
}

/// The params of methods that take only a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
}

/// The params of `thread.send`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadSendParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The postback of the button being answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// Files to attach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentInput>,
    /// A UUID of your choosing that becomes the message id; sending again with the same id does
    /// not send the message twice. The daemon mints one when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
}

/// The result of `thread.loadMore`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadLoadMoreResult {
    /// The older messages, oldest first.
    pub messages: Vec<Message>,
    /// Whether even older messages exist.
    pub has_more_messages: bool,
}

/// The params of `thread.rename`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadRenameParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
    /// The new name.
    pub name: String,
}

/// The params of `thread.typing`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadTypingParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
    /// Whether the customer is typing now.
    pub is_typing: bool,
    /// What the customer has typed so far, shown to the agent as a preview of the message (the
    /// web SDK's typing preview: send it when the customer pauses, at most every second or so).
    /// Up to 10,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// The params of `thread.sendTranscript`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadSendTranscriptParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
    /// Where to send it.
    pub email: String,
}

/// The params of `thread.setCustomFields`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThreadSetCustomFieldsParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The thread.
    pub thread_id: String,
    /// The values to set, by ident.
    pub custom_fields: CustomFieldValues,
}
