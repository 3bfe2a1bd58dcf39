//! Frames the client sends over the WebSocket (PROTOCOL.md §2.1, §3): the envelope
//! `{action, eventId, payload}`, the heartbeat, and every sent event's `data`.
//!
//! Both the daemon (which builds them) and the emulator (which receives them from any SDK) use
//! these types, so decoding accepts every SDK's spelling: `customerIdentity` or
//! `consumerIdentity`, `ReconnectCustomer` or `ReconnectConsumer`, the web names of the seen and
//! custom-field events, and absent or empty `data`.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::common::{
    AccessToken, BrandRef, CustomField, CustomFields, CustomerIdentity, IdRef, ThreadRef,
    UuidString,
};
use super::content::MessageContent;
use super::json::{DecodeError, as_object, decode_at, join, str_member, to_value};
use super::rest::BrowserFingerprint;
use super::time::Timestamp;

/// The `action` route selector of the API-Gateway WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Used only for `AuthorizeCustomer`.
    Register,
    /// Every other event.
    ChatWindowEvent,
    /// Keep-alive `{"action":"heartbeat"}`.
    Heartbeat,
    /// Defined by the SDKs, never sent by them.
    Outbound,
}

/// One frame from client to server.
#[derive(Debug, Clone, PartialEq)]
pub enum OutgoingFrame {
    /// `{"action":"heartbeat"}`; the server answers with the text frame `"pong"`.
    Heartbeat,
    /// An event: `{action, eventId, payload}`.
    Event {
        /// `register` for `AuthorizeCustomer`, `chatWindowEvent` otherwise.
        action: Action,
        /// A fresh id per request; replies echo it.
        event_id: String,
        /// The event (boxed: payloads are large, heartbeats are not).
        payload: Box<Payload>,
    },
}

/// Which key carries the customer identity. The SDKs disagree per event (PROTOCOL.md §2.1);
/// the server accepts both, and a decoded payload remembers which one it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKey {
    /// `customerIdentity`
    Customer,
    /// `consumerIdentity`
    Consumer,
}

impl IdentityKey {
    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customerIdentity",
            Self::Consumer => "consumerIdentity",
        }
    }

    /// The key iOS uses for `event` (PROTOCOL.md §2.1), which the daemon follows.
    pub fn for_event(event: &SentEvent) -> Self {
        match event {
            SentEvent::ReconnectConsumer { .. }
            | SentEvent::RefreshToken(_)
            | SentEvent::SendOutbound(_)
            | SentEvent::EndContact(_)
            | SentEvent::StoreVisitorEvents(_)
            | SentEvent::SendTranscript(_)
            // Web only, and the web SDK writes `consumerIdentity` on every event.
            | SentEvent::SendOfflineMessage(_) => Self::Consumer,
            _ => Self::Customer,
        }
    }
}

/// `payload` of an event frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The brand.
    pub brand: BrandRef,
    /// The channel.
    pub channel: IdRef,
    /// The customer, under `customerIdentity` or `consumerIdentity`; absent on some legacy
    /// payloads (`StoreVisitorEvents` on iOS).
    pub identity: Option<(IdentityKey, CustomerIdentity)>,
    /// `{id: visitorId}`.
    pub visitor: Option<IdRef>,
    /// `{id: destinationId}` (ExecuteTrigger, StoreVisitorEvents).
    pub destination: Option<IdRef>,
    /// `eventType` together with its `data`.
    pub event: SentEvent,
}

/// Every event a client sends, with its `data`.
#[derive(Debug, Clone, PartialEq)]
pub enum SentEvent {
    /// Legacy authorization (action `register`).
    AuthorizeCustomer(AuthorizeCustomerData),
    /// Re-authorization with a stored access token; `ios_spelling` is true for
    /// `ReconnectCustomer`, false for `ReconnectConsumer`.
    ReconnectConsumer {
        /// Which spelling was (or is to be) used on the wire.
        ios_spelling: bool,
        /// The stored token.
        data: AccessTokenData,
    },
    /// Exchange an expiring legacy access token for a new one.
    RefreshToken(AccessTokenData),
    /// Single-thread recovery (thread id optional).
    RecoverThread(RecoverData),
    /// Live-chat recovery (thread id optional).
    RecoverLivechat(RecoverData),
    /// Multi-thread list.
    FetchThreadList,
    /// Metadata (last message, owner) of one thread.
    LoadThreadMetadata(ThreadData),
    /// Older history of a thread.
    LoadMoreMessages(LoadMoreMessagesData),
    /// Rename.
    UpdateThread(ThreadData),
    /// Archive.
    ArchiveThread(ThreadData),
    /// A customer message.
    SendMessage(MessageData),
    /// A message recorded as sent *to* the customer (the welcome message).
    SendOutbound(MessageData),
    /// The customer started typing.
    SenderTypingStarted(ThreadData),
    /// The customer stopped typing.
    SenderTypingEnded(ThreadData),
    /// What the customer is typing, before it is sent (the web SDK's `sendMessagePreview`,
    /// from `keystrokeForPreview`): shown to the agent as a preview.
    SendMessagePreview(MessagePreviewData),
    /// The customer has seen the thread (`MessageSeenByConsumer` on the web).
    MessageSeenByCustomer(ThreadData),
    /// Customer custom fields (`SetConsumerCustomFields` on the web).
    SetCustomerCustomFields(CustomFieldsData),
    /// Contact custom fields (`SetConsumerContactCustomFields` on the web).
    SetContactCustomFields(ContactCustomFieldsData),
    /// E-mail a transcript.
    SendTranscript(SendTranscriptData),
    /// End the live-chat contact.
    EndContact(EndContactData),
    /// Run a proactive trigger.
    ExecuteTrigger(ExecuteTriggerData),
    /// Custom visitor events.
    StoreVisitorEvents(StoreVisitorEventsData),
    /// The offline form: a message left while no agent is available (web only).
    SendOfflineMessage(OfflineMessageData),
    /// An event type this crate does not model; kept verbatim so a server can answer it with an
    /// operation error naming the type.
    Other {
        /// The `eventType` as sent.
        event_type: String,
        /// `data`, if any.
        data: Option<Value>,
    },
}

impl SentEvent {
    /// The `eventType` on the wire (the mobile spelling, except where the decoded frame used
    /// another one).
    pub fn event_type(&self) -> &str {
        match self {
            Self::AuthorizeCustomer(_) => "AuthorizeCustomer",
            Self::ReconnectConsumer {
                ios_spelling: true, ..
            } => "ReconnectCustomer",
            Self::ReconnectConsumer {
                ios_spelling: false,
                ..
            } => "ReconnectConsumer",
            Self::RefreshToken(_) => "RefreshToken",
            Self::RecoverThread(_) => "RecoverThread",
            Self::RecoverLivechat(_) => "RecoverLivechat",
            Self::FetchThreadList => "FetchThreadList",
            Self::LoadThreadMetadata(_) => "LoadThreadMetadata",
            Self::LoadMoreMessages(_) => "LoadMoreMessages",
            Self::UpdateThread(_) => "UpdateThread",
            Self::ArchiveThread(_) => "ArchiveThread",
            Self::SendMessage(_) => "SendMessage",
            Self::SendOutbound(_) => "SendOutbound",
            Self::SenderTypingStarted(_) => "SenderTypingStarted",
            Self::SenderTypingEnded(_) => "SenderTypingEnded",
            Self::SendMessagePreview(_) => "SendMessagePreview",
            Self::MessageSeenByCustomer(_) => "MessageSeenByCustomer",
            Self::SetCustomerCustomFields(_) => "SetCustomerCustomFields",
            Self::SetContactCustomFields(_) => "SetContactCustomFields",
            Self::SendTranscript(_) => "SendTranscript",
            Self::EndContact(_) => "EndContact",
            Self::ExecuteTrigger(_) => "ExecuteTrigger",
            Self::StoreVisitorEvents(_) => "StoreVisitorEvents",
            Self::SendOfflineMessage(_) => "SendOfflineMessage",
            Self::Other { event_type, .. } => event_type,
        }
    }

    /// The action this event travels under.
    pub fn action(&self) -> Action {
        match self {
            Self::AuthorizeCustomer(_) => Action::Register,
            _ => Action::ChatWindowEvent,
        }
    }

    /// Whether the event carries `data`.
    fn has_data(&self) -> bool {
        match self {
            Self::RecoverThread(d) | Self::RecoverLivechat(d) => d.thread.is_some(),
            Self::FetchThreadList => false,
            Self::Other { data, .. } => data.is_some(),
            _ => true,
        }
    }

    /// Writes `data` with `s` (only asked of events that [`Self::has_data`]): straight into a
    /// frame's text, or into a `Value`. One mapping for both, so they cannot drift apart.
    fn serialize_data<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::AuthorizeCustomer(d) => d.serialize(s),
            Self::ReconnectConsumer { data, .. } | Self::RefreshToken(data) => data.serialize(s),
            Self::RecoverThread(d) | Self::RecoverLivechat(d) => d.serialize(s),
            Self::FetchThreadList => s.serialize_unit(),
            Self::LoadThreadMetadata(d)
            | Self::UpdateThread(d)
            | Self::ArchiveThread(d)
            | Self::SenderTypingStarted(d)
            | Self::SenderTypingEnded(d)
            | Self::MessageSeenByCustomer(d) => d.serialize(s),
            Self::LoadMoreMessages(d) => d.serialize(s),
            Self::SendMessage(d) => d.serialize(s),
            Self::SendOutbound(d) => d.serialize(s),
            Self::SendMessagePreview(d) => d.serialize(s),
            Self::SetCustomerCustomFields(d) => d.serialize(s),
            Self::SetContactCustomFields(d) => d.serialize(s),
            Self::SendTranscript(d) => d.serialize(s),
            Self::EndContact(d) => d.serialize(s),
            Self::ExecuteTrigger(d) => d.serialize(s),
            Self::StoreVisitorEvents(d) => d.serialize(s),
            Self::SendOfflineMessage(d) => d.serialize(s),
            Self::Other { data, .. } => data.serialize(s),
        }
    }

    fn data_value(&self) -> Option<Value> {
        self.has_data().then(|| {
            self.serialize_data(serde_json::value::Serializer)
                .expect("protocol types always serialize")
        })
    }

    fn from_wire(event_type: &str, data: Option<&Value>, path: &str) -> Result<Self, DecodeError> {
        // Absent and `{}` data mean the same to every SDK; `null` too.
        let empty = Value::Object(Map::new());
        let d = match data {
            None | Some(Value::Null) => &empty,
            Some(v) => v,
        };
        let p = join(path, "data");
        Ok(match event_type {
            "AuthorizeCustomer" | "AuthorizeConsumer" => Self::AuthorizeCustomer(decode_at(d, &p)?),
            "ReconnectCustomer" => Self::ReconnectConsumer {
                ios_spelling: true,
                data: decode_at(d, &p)?,
            },
            "ReconnectConsumer" => Self::ReconnectConsumer {
                ios_spelling: false,
                data: decode_at(d, &p)?,
            },
            "RefreshToken" => Self::RefreshToken(decode_at(d, &p)?),
            "RecoverThread" => Self::RecoverThread(decode_at(d, &p)?),
            "RecoverLivechat" => Self::RecoverLivechat(decode_at(d, &p)?),
            "FetchThreadList" => Self::FetchThreadList,
            "LoadThreadMetadata" => Self::LoadThreadMetadata(decode_at(d, &p)?),
            "LoadMoreMessages" => Self::LoadMoreMessages(decode_at(d, &p)?),
            "UpdateThread" => Self::UpdateThread(decode_at(d, &p)?),
            "ArchiveThread" => Self::ArchiveThread(decode_at(d, &p)?),
            "SendMessage" => Self::SendMessage(decode_at(d, &p)?),
            "SendOutbound" => Self::SendOutbound(decode_at(d, &p)?),
            "SenderTypingStarted" => Self::SenderTypingStarted(decode_at(d, &p)?),
            "SenderTypingEnded" => Self::SenderTypingEnded(decode_at(d, &p)?),
            "SendMessagePreview" => Self::SendMessagePreview(decode_at(d, &p)?),
            "MessageSeenByCustomer" | "MessageSeenByConsumer" => {
                Self::MessageSeenByCustomer(decode_at(d, &p)?)
            }
            "SetCustomerCustomFields" | "SetConsumerCustomFields" => {
                Self::SetCustomerCustomFields(decode_at(d, &p)?)
            }
            "SetContactCustomFields" | "SetConsumerContactCustomFields" => {
                Self::SetContactCustomFields(decode_at(d, &p)?)
            }
            "SendTranscript" => Self::SendTranscript(decode_at(d, &p)?),
            "EndContact" => Self::EndContact(decode_at(d, &p)?),
            "ExecuteTrigger" => Self::ExecuteTrigger(decode_at(d, &p)?),
            "StoreVisitorEvents" => Self::StoreVisitorEvents(decode_at(d, &p)?),
            "SendOfflineMessage" => Self::SendOfflineMessage(decode_at(d, &p)?),
            other => Self::Other {
                event_type: other.to_owned(),
                data: data.cloned(),
            },
        })
    }
}

/// `data` of `AuthorizeCustomer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeCustomerData {
    /// OAuth code and PKCE verifier (OAuth channels); iOS omits the object when both are unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<OAuthAuthorization>,
    /// Ask the server not to attach channel info to the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_channel_info: Option<bool>,
    /// `ios`, `android` or `web`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_platform: Option<String>,
    /// The SDK version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_version: Option<String>,
}

/// `{authorizationCode, codeVerifier}` (web sends `authorizationCode: null`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthAuthorization {
    /// Single-use authorization code from the identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    /// PKCE code verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
}

impl std::fmt::Debug for OAuthAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("OAuthAuthorization")
            .field("authorization_code", &redact(&self.authorization_code))
            .field("code_verifier", &redact(&self.code_verifier))
            .finish()
    }
}

/// `{accessToken: {token}}` — `data` of `ReconnectConsumer` and `RefreshToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenData {
    /// The current (possibly expired) token.
    pub access_token: AccessToken,
}

/// `data` of `RecoverThread` / `RecoverLivechat`: without a thread id the server answers with
/// the customer's current thread in the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoverData {
    /// The thread, when the client knows it. Android always sends `{"client_type": …}` here,
    /// with the id only when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<OptionalThreadRef>,
}

/// A thread reference whose id may be absent (Android's `{"client_type":"no_thread_id"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionalThreadRef {
    /// The thread id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_on_external_platform: Option<UuidString>,
}

impl RecoverData {
    /// The requested thread id, if any.
    pub fn thread_id(&self) -> Option<&UuidString> {
        self.thread
            .as_ref()
            .and_then(|t| t.id_on_external_platform.as_ref())
    }
}

/// `{thread: {idOnExternalPlatform, threadName?}}` — the data of most thread-scoped events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadData {
    /// The thread.
    pub thread: ThreadRef,
}

/// `data` of `SendMessagePreview`: `{thread: {idOnExternalPlatform}, messageContent}`, the text
/// typed so far as a `TEXT` content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePreviewData {
    /// The thread.
    pub thread: ThreadRef,
    /// The text typed so far.
    pub message_content: PreviewContent,
}

/// The content of a preview, exactly as the web SDK writes it: `{type: "TEXT", payload: {text}}`
/// (no `parameters` or `postback`, unlike a sent message's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewContent {
    /// Always `TEXT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    pub payload: PreviewPayload,
}

/// `{text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPayload {
    /// The text typed so far.
    pub text: String,
}

impl PreviewContent {
    /// A preview of `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            kind: "TEXT".to_owned(),
            payload: PreviewPayload { text: text.into() },
        }
    }
}

/// `data` of `LoadMoreMessages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadMoreMessagesData {
    /// Paging cursor from the last recovery or page.
    pub scroll_token: String,
    /// The thread.
    pub thread: ThreadRef,
    /// Advisory; the server pages by `scrollToken` (Android sends the newest date here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_message_datetime: Option<Timestamp>,
}

/// `data` of `SendMessage` and `SendOutbound` (PROTOCOL.md §3.9.1, §3.9.6). The SDKs use two
/// sets of key names for the same things — `customer`/`consumer`, `contact`/`consumerContact`,
/// `deviceFingerprint`/`browserFingerprint` (mobile `SendOutbound` and the 2.x web SDK use the
/// legacy ones) — and a decoded message keeps whichever it received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageData {
    /// The thread; `threadName` travels here for a thread the server does not know yet.
    pub thread: ThreadRef,
    /// What is sent.
    pub message_content: MessageContent,
    /// Client-minted message id; the `MessageCreated` echo carries the same id.
    pub id_on_external_platform: UuidString,
    /// Customer custom fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomFields>,
    /// Customer custom fields under the legacy key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<CustomFields>,
    /// Contact custom fields (pre-chat survey answers for a new thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<CustomFields>,
    /// Contact custom fields under the legacy key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_contact: Option<CustomFields>,
    /// Uploaded attachments.
    #[serde(default)]
    pub attachments: Vec<SentAttachment>,
    /// Device fingerprint (the keys of the visitor registration's `browserFingerprint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_fingerprint: Option<BrowserFingerprint>,
    /// Device fingerprint under the legacy key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_fingerprint: Option<BrowserFingerprint>,
    /// The customer's OAuth access token, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessToken>,
}

impl MessageData {
    /// Customer custom fields under either key.
    pub fn customer_fields(&self) -> &[CustomField] {
        self.customer
            .as_ref()
            .or(self.consumer.as_ref())
            .map_or(&[], |c| &c.custom_fields)
    }

    /// Contact custom fields under either key.
    pub fn contact_fields(&self) -> &[CustomField] {
        self.contact
            .as_ref()
            .or(self.consumer_contact.as_ref())
            .map_or(&[], |c| &c.custom_fields)
    }
}

/// An attachment reference in a sent message: the upload's `fileUrl` plus names. Senders are
/// less complete than receivers (Android omits `fileName`, the web SDK sends only `url` and
/// `friendlyName`), so only those two are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentAttachment {
    /// The uploaded file's URL.
    pub url: String,
    /// Display name.
    pub friendly_name: String,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// File name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// `{customFields: [...]}` — `data` of `SetCustomerCustomFields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldsData {
    /// The fields.
    pub custom_fields: Vec<CustomField>,
}

/// `data` of `SetContactCustomFields` (the web omits `contact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactCustomFieldsData {
    /// The thread whose contact gets the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<ThreadRef>,
    /// The fields.
    pub custom_fields: Vec<CustomField>,
    /// The contact id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<IdRef>,
}

/// `data` of `SendTranscript`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTranscriptData {
    /// The contact whose transcript is wanted.
    pub consumer_contact: IdRef,
    /// E-mail recipients.
    pub consumer_recipients: Vec<TranscriptRecipient>,
}

/// `{idOnExternalPlatform: "john@example.com"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptRecipient {
    /// The e-mail address.
    pub id_on_external_platform: String,
}

/// `data` of `EndContact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndContactData {
    /// The thread.
    pub thread: ThreadRef,
    /// The contact to end.
    pub contact: IdRef,
}

/// `data` of `ExecuteTrigger`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteTriggerData {
    /// `{id: triggerId}`.
    pub trigger: IdRef,
}

/// `data` of `StoreVisitorEvents`: current SDKs send `visitorEvents`; an older iOS variant
/// sent only a `browserFingerprint`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreVisitorEventsData {
    /// Custom visitor events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_events: Option<Vec<VisitorEvent>>,
    /// Legacy fingerprint-only variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_fingerprint: Option<BrowserFingerprint>,
}

/// `data` of `SendOfflineMessage`, as the web SDK writes it: the message as a `TEXT` content and
/// the author's identity with the e-mail address as its id and the name split at its last space
/// (`"Ada King Lovelace"` → first `Ada King`, last `Lovelace`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfflineMessageData {
    /// The message.
    pub message_content: PreviewContent,
    /// Who left it: `idOnExternalPlatform` is their e-mail address.
    pub author_customer_identity: crate::cxone::common::CustomerIdentity,
}

/// One custom visitor event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorEvent {
    /// Event type (Android labels every custom event `ProactiveActionDisplayed`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// Event id.
    pub id: String,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_with_milliseconds: Option<Timestamp>,
    /// Any JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl Payload {
    /// The payload as JSON.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "eventType".into(),
            Value::String(self.event.event_type().to_owned()),
        );
        m.insert("brand".into(), to_value(&self.brand));
        m.insert("channel".into(), to_value(&self.channel));
        if let Some((key, identity)) = &self.identity {
            m.insert(key.as_str().into(), to_value(identity));
        }
        if let Some(v) = &self.visitor {
            m.insert("visitor".into(), to_value(v));
        }
        if let Some(d) = &self.destination {
            m.insert("destination".into(), to_value(d));
        }
        if let Some(data) = self.event.data_value() {
            m.insert("data".into(), data);
        }
        Value::Object(m)
    }

    /// Decodes a `payload` object found at `path`.
    pub fn from_value(value: &Value, path: &str) -> Result<Self, DecodeError> {
        let obj = as_object(value, path)?;
        let event_type = str_member(obj, "eventType", path)?;
        let identity = match (obj.get("customerIdentity"), obj.get("consumerIdentity")) {
            (Some(v), _) if !v.is_null() => Some((
                IdentityKey::Customer,
                decode_at(v, &join(path, "customerIdentity"))?,
            )),
            (_, Some(v)) if !v.is_null() => Some((
                IdentityKey::Consumer,
                decode_at(v, &join(path, "consumerIdentity"))?,
            )),
            _ => None,
        };
        let opt_ref = |key: &str| -> Result<Option<IdRef>, DecodeError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                // The web sends `{}` when it has no visitor or destination yet.
                Some(Value::Object(o)) if o.is_empty() => Ok(None),
                Some(v) => decode_at(v, &join(path, key)).map(Some),
            }
        };
        Ok(Self {
            brand: decode_at(
                obj.get("brand").unwrap_or(&Value::Null),
                &join(path, "brand"),
            )?,
            channel: decode_at(
                obj.get("channel").unwrap_or(&Value::Null),
                &join(path, "channel"),
            )?,
            identity,
            visitor: opt_ref("visitor")?,
            destination: opt_ref("destination")?,
            event: SentEvent::from_wire(event_type, obj.get("data"), path)?,
        })
    }
}

impl OutgoingFrame {
    /// The frame as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Heartbeat => serde_json::json!({ "action": "heartbeat" }),
            Self::Event {
                action,
                event_id,
                payload,
            } => serde_json::json!({
                "action": to_value(action),
                "eventId": event_id,
                "payload": payload.to_value(),
            }),
        }
    }

    /// The frame as the compact text sent on the socket, written straight from the types: the
    /// same JSON as [`Self::to_value`], without building that tree on every send (issue #15).
    pub fn to_text(&self) -> String {
        serde_json::to_string(&Text(self)).expect("protocol types always serialize")
    }

    /// Decodes a frame a client sent.
    pub fn from_value(value: &Value) -> Result<Self, DecodeError> {
        let obj = as_object(value, ".")?;
        let action: Action = match obj.get("action") {
            Some(v) => decode_at(v, "action")?,
            None => {
                return Err(DecodeError::new(
                    "action",
                    "missing field (every client frame has an action)",
                ));
            }
        };
        if action == Action::Heartbeat {
            return Ok(Self::Heartbeat);
        }
        let event_id = str_member(obj, "eventId", ".")?.to_owned();
        let payload = match obj.get("payload") {
            Some(p) => Box::new(Payload::from_value(p, "payload")?),
            None => return Err(DecodeError::new("payload", "missing field")),
        };
        Ok(Self::Event {
            action,
            event_id,
            payload,
        })
    }

    /// Decodes the text of a client frame.
    pub fn from_text(text: &str) -> Result<Self, DecodeError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| DecodeError::new(".", format!("not JSON: {e}")))?;
        Self::from_value(&value)
    }
}

/// A frame serialized as its text: the members [`OutgoingFrame::to_value`] and
/// [`Payload::to_value`] build, in their (sorted) order.
struct Text<'a>(&'a OutgoingFrame);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            OutgoingFrame::Heartbeat => m.serialize_entry("action", "heartbeat")?,
            OutgoingFrame::Event {
                action,
                event_id,
                payload,
            } => {
                m.serialize_entry("action", action)?;
                m.serialize_entry("eventId", event_id)?;
                m.serialize_entry("payload", &PayloadText(payload))?;
            }
        }
        m.end()
    }
}

struct PayloadText<'a>(&'a Payload);

impl Serialize for PayloadText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("brand", &p.brand)?;
        m.serialize_entry("channel", &p.channel)?;
        if let Some((key, identity)) = &p.identity {
            m.serialize_entry(key.as_str(), identity)?;
        }
        if p.event.has_data() {
            m.serialize_entry("data", &DataText(&p.event))?;
        }
        if let Some(d) = &p.destination {
            m.serialize_entry("destination", d)?;
        }
        m.serialize_entry("eventType", p.event.event_type())?;
        if let Some(v) = &p.visitor {
            m.serialize_entry("visitor", v)?;
        }
        m.end()
    }
}

struct DataText<'a>(&'a SentEvent);

impl Serialize for DataText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_data(s)
    }
}
