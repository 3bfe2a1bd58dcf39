//! The daemon's public shapes: sessions, chats, threads, messages, customers, surveys.
//!
//! These are cxone-chatd's own types, informed by the CXone SDKs but never the CXone wire format:
//! names are camelCase, states and modes are the SDKs' (`ChatState`, `ChatMode`, `ThreadState`),
//! and CXone quirks (legacy field names, `consumer`/`customer` spellings, numeric-string ids) stay
//! on the daemon's side of the conversion.
//!
//! Input types (those only found in params) reject unknown fields, so a typo is answered with
//! −32602 naming the field; output types ignore unknown fields, so clients keep working when the
//! daemon adds members.

mod content;
mod customer;
mod environment;
mod message;
mod proactive;
mod session;
mod survey;
mod thread;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

pub use content::{
    Countdown, InactivityPopup, ListPicker, Media, MessageContent, Plugin, PluginElement,
    PluginElementKind, PopupButton, QuickReplies, ReplyButton, RichLink, TimePicker, TimeSlot,
    UnsupportedContent,
};
pub use customer::{CustomField, CustomFieldScope, CustomFieldValues, Customer, CustomerIdentity};
pub use environment::{CustomEnvironment, Environment, EnvironmentName};
pub use message::{
    Agent, Attachment, AttachmentInput, Author, CustomerAuthor, Message, MessageDirection,
    MessageStatus,
};
pub use proactive::{
    ProactiveAction, ProactiveActionOutcome, ProactiveActionType, ProactiveContent,
};
pub use session::{
    AttachmentPolicy, AuthenticationKind, Availability, ChannelInfo, ChatMode, ChatState,
    ConnectionState, DEFAULT_SESSION, SessionName, SessionNameError, SessionState, SessionStatus,
};
pub use survey::{
    PreChatSurvey, SurveyChoiceField, SurveyField, SurveyNode, SurveyOption, SurveyTextField,
    SurveyTreeField,
};
pub use thread::{
    Contact, ContactStatus, OpenInactivityPopup, Thread, ThreadSnapshot, ThreadState,
};

/// A point in time as an RFC 3339 string with an offset, e.g. `2024-05-06T20:45:53.654Z`.
///
/// Kept as text: the daemon normalises CXone's several timestamp spellings once, and clients parse
/// it with whatever date library they use.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The RFC 3339 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Timestamp {
    fn from(s: &str) -> Self {
        Timestamp(s.to_owned())
    }
}

impl JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "An RFC 3339 date-time with offset."
        })
    }
}
