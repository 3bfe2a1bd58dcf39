//! Sessions: their names, chat states and modes, connection state, and channel facts.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// The session used when a call names none.
pub const DEFAULT_SESSION: &str = "default";

/// The name of a session: 1–64 ASCII letters, digits, `.`, `_` or `-`.
///
/// One daemon holds several independent sessions (brand, channel, customer), one per name. The
/// name also names the session's persisted state on disk, hence the narrow alphabet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionName(String);

/// Why a string is not a [`SessionName`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session name is 1 to 64 ASCII letters, digits, '.', '_' or '-'; got {0:?}")]
pub struct SessionNameError(pub String);

impl SessionName {
    /// Checks and wraps a name.
    pub fn new(name: impl Into<String>) -> Result<Self, SessionNameError> {
        let name = name.into();
        let valid = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(SessionName(name))
        } else {
            Err(SessionNameError(name))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is [`DEFAULT_SESSION`]; used to leave the default out when serializing.
    pub fn is_default(&self) -> bool {
        self.0 == DEFAULT_SESSION
    }
}

impl Default for SessionName {
    fn default() -> Self {
        SessionName(DEFAULT_SESSION.to_owned())
    }
}

impl TryFrom<String> for SessionName {
    type Error = SessionNameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        SessionName::new(value)
    }
}

impl From<SessionName> for String {
    fn from(name: SessionName) -> Self {
        name.0
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for SessionName {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "SessionName".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9._-]{1,64}$",
            "description": "A session name: 1 to 64 ASCII letters, digits, '.', '_' or '-'."
        })
    }
}

/// The chat state of a session, as the CXone SDKs define it.
///
/// `initial → preparing → prepared → (offline) → connecting → connected → ready → closed`.
/// Analytics work from `prepared` on; chat calls need `connected`, `ready` or `closed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ChatState {
    /// Nothing loaded yet.
    Initial,
    /// Loading the channel configuration and registering the visitor.
    Preparing,
    /// Channel known; analytics usable; not connected.
    Prepared,
    /// Live chat only: no agent is available, so the chat did not connect.
    Offline,
    /// Opening the WebSocket (also while reconnecting).
    Connecting,
    /// Connected and authorizing the customer or recovering threads.
    Connected,
    /// Threads recovered; chat fully usable.
    Ready,
    /// Live chat only: the conversation ended (the contact was closed).
    Closed,
}

/// How the channel organises conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChatMode {
    /// One thread per customer, kept for ever.
    Singlethread,
    /// Any number of named threads per customer.
    Multithread,
    /// One live conversation at a time, routed to an available agent through a queue.
    Livechat,
}

/// The state of a session's connection to the CXone back end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    /// No WebSocket, on purpose (not connected yet, or disconnected by a call).
    Disconnected,
    /// Opening the WebSocket for the first time.
    Connecting,
    /// The WebSocket is open.
    Connected,
    /// The WebSocket dropped and the daemon is reconnecting by itself.
    Reconnecting,
}

/// How customers of the channel are identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AuthenticationKind {
    /// The daemon mints the customer id itself.
    Anonymous,
    /// The customer logs in with a third-party identity provider (`customer.authorize`).
    Oauth,
    /// The back end identifies the customer with an HTTP-only cookie the daemon keeps.
    SecuredCookie,
}

/// What the channel allows for attachments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentPolicy {
    /// Whether attachments may be sent at all.
    pub enabled: bool,
    /// The largest file accepted, in bytes.
    pub max_size_bytes: u64,
    /// Accepted MIME types; `type/*` wildcards allowed.
    pub allowed_mime_types: Vec<String>,
}

/// Facts about a prepared session's channel, from its configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInfo {
    /// The CXone brand (tenant) id.
    pub brand_id: u64,
    /// The channel id, e.g. `chat_51eafb4e-…`.
    pub channel_id: String,
    /// How customers are identified.
    pub authentication: AuthenticationKind,
    /// Attachment rules.
    pub attachments: AttachmentPolicy,
    /// Whether `thread.sendTranscript` is allowed.
    pub transcript_allowed: bool,
    /// Whether the channel has a pre-chat survey (`threads.preChatSurvey`).
    pub has_pre_chat_survey: bool,
    /// Whether the channel offers the offline form while no agent is available
    /// (`session.sendOfflineMessage`; the channel's `liveChatShowOfflineForm`).
    pub offline_form: bool,
    /// Live chat only: whether an agent was available at the last check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_chat_available: Option<bool>,
}

/// The answer of `session.availability`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    /// Whether an agent is available: `session.connect` on a live-chat channel answers
    /// `offline` while this is false.
    pub online: bool,
}

/// A session as the session and lifecycle methods report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    /// The session's name.
    pub session: SessionName,
    /// The chat state.
    pub state: ChatState,
    /// The chat mode, once the channel is known (from `prepared` on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ChatMode>,
    /// The connection to the back end.
    pub connection: ConnectionState,
    /// The channel's facts, once prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelInfo>,
    /// The visitor id this session registers its device with: a UUID, stable across restarts
    /// until `session.close {forget: true}` (iOS `analytics.visitorId`, the web SDK's visitor id).
    /// Hosts use it to match the daemon's visitor with their own analytics.
    pub visitor_id: String,
}

/// One session in `daemon.status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The session's name.
    pub session: SessionName,
    /// The chat state.
    pub state: ChatState,
    /// The chat mode, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ChatMode>,
    /// The connection to the back end.
    pub connection: ConnectionState,
    /// The brand id, once prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<u64>,
    /// The channel id, once prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// Threads the session knows.
    pub threads: u32,
    /// Calls waiting for the back end.
    pub pending_requests: u32,
    /// Outbound events queued for the back end while disconnected.
    pub queued_events: u32,
    /// While not connected: why the last attempt to connect failed (an untrusted certificate,
    /// a proxy's refusal, an unreachable gateway), with what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names() {
        assert!(SessionName::new("kiosk-1.main_2").is_ok());
        for bad in ["", "a b", "../x", "é", &"x".repeat(65)] {
            assert!(SessionName::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(SessionName::default().as_str(), DEFAULT_SESSION);
        assert!(serde_json::from_str::<SessionName>("\"a/b\"").is_err());
    }

    #[test]
    fn state_names_are_the_sdk_names() {
        let names: Vec<_> = [
            ChatState::Initial,
            ChatState::Preparing,
            ChatState::Prepared,
            ChatState::Offline,
            ChatState::Connecting,
            ChatState::Connected,
            ChatState::Ready,
            ChatState::Closed,
        ]
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
        assert_eq!(
            serde_json::Value::from(names),
            serde_json::json!([
                "initial",
                "preparing",
                "prepared",
                "offline",
                "connecting",
                "connected",
                "ready",
                "closed"
            ])
        );
        assert_eq!(
            serde_json::to_value(ChatMode::Singlethread).unwrap(),
            "singlethread"
        );
        assert_eq!(
            serde_json::to_value(ChatMode::Livechat).unwrap(),
            "livechat"
        );
    }
}
