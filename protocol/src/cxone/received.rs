//! Frames the back end sends over the WebSocket, classified in the SDKs' order (PROTOCOL.md
//! §2.2): the `"pong"` string, API-Gateway errors, operation errors, postbacks (replies that
//! echo a request's `eventId`) and pushes, each carrying a typed [`EventBody`].

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::events::{
    CaseInboxAssigneeChanged, CaseStatusChanged, ConsumerAuthorized, EventInS3,
    FireProactiveAction, MessageChanged, MessageCreated, MoreMessagesLoaded, SenderTyping,
    SetPositionInQueue, ThreadListFetched, ThreadMetadataLoaded, ThreadRecovered, TokenRefreshed,
};
use super::json::{DecodeError, as_object, decode_at, opt_str_member, str_member, to_value};
use super::time::Timestamp;

mod raw;

/// One frame from server to client.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceivedFrame {
    /// The heartbeat reply: the JSON string `"pong"`.
    Pong,
    /// `{message, connectionId, requestId}` from the API gateway (unknown route, Lambda failure,
    /// oversized frame). It cannot be correlated with a request.
    GatewayError(GatewayError),
    /// A request failed: `{eventId, error: {errorCode, transactionId, errorMessage}, inputData}`.
    OperationError(OperationError),
    /// A reply or a push (boxed: events are large, pongs are not).
    Event(Box<ReceivedEvent>),
}

/// An API-Gateway error frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// E.g. `Internal server error`.
    pub message: String,
    /// The gateway connection id.
    pub connection_id: Option<String>,
    /// The gateway request id.
    pub request_id: Option<String>,
}

/// An operation error frame.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationError {
    /// The failed request's `eventId`.
    pub event_id: String,
    /// E.g. `RecoveringThreadFailed` (see PROTOCOL.md §2.6); kept as text because the set is
    /// open-ended.
    pub error_code: String,
    /// Server-side transaction id, for support.
    pub transaction_id: String,
    /// Human-readable reason.
    pub error_message: String,
    /// The request data the server was looking at.
    pub input_data: Option<Value>,
}

/// Whether an event arrived as a reply (`postback`) or unsolicited (push, `data` at the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{eventId, postback: {eventType, data}}` (plus top-level `eventType`/`status` at times).
    Postback,
    /// `{eventId, eventObject, eventType, createdAt, data}`.
    Push,
}

/// A decoded reply or push.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    /// `eventId`: the request's id on replies, the server's own on pushes. Not validated as a
    /// UUID: only Android insists, and only for `EventInS3`.
    pub event_id: String,
    /// `eventType` as written (the top-level one wins over `postback.eventType`, as in the SDKs).
    pub event_type: String,
    /// Postback or push.
    pub shape: Shape,
    /// `eventObject` (`Case`, `Message`, `SenderAction`, `Thread`, `ChatWindow`, `S3Object`).
    pub event_object: Option<String>,
    /// `createdAt` (seconds precision).
    pub created_at: Option<Timestamp>,
    /// `createdAtWithMilliseconds`.
    pub created_at_with_milliseconds: Option<Timestamp>,
    /// Top-level `status` (`"success"` on `ConsumerAuthorized`, read by the web SDK).
    pub status: Option<String>,
    /// The typed event.
    pub body: EventBody,
}

/// Every event a client may receive.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // decoded once per frame and moved, never stored in bulk
pub enum EventBody {
    /// Reply to `AuthorizeCustomer`.
    ConsumerAuthorized(ConsumerAuthorized),
    /// Reply to `ReconnectConsumer`. iOS waits for `ConsumerReconnected`; an iOS fixture uses
    /// `CustomerReconnected`; both are accepted.
    ConsumerReconnected,
    /// Reply to `RefreshToken`.
    TokenRefreshed(TokenRefreshed),
    /// Reply to `RecoverThread`.
    ThreadRecovered(ThreadRecovered),
    /// Reply to `RecoverLivechat`; `None` when the server sent no data ("no live chat").
    LivechatRecovered(Option<ThreadRecovered>),
    /// Reply to `FetchThreadList`.
    ThreadListFetched(ThreadListFetched),
    /// Reply to `LoadThreadMetadata`.
    ThreadMetadataLoaded(ThreadMetadataLoaded),
    /// Reply to `LoadMoreMessages`.
    MoreMessagesLoaded(MoreMessagesLoaded),
    /// Reply to `ArchiveThread`.
    ThreadArchived,
    /// Reply to `UpdateThread` (Android reads `data.id`).
    ThreadUpdated(Option<Value>),
    /// Reply to `SendTranscript`.
    TranscriptSent,
    /// A message was created.
    MessageCreated(MessageCreated),
    /// An agent read a customer message.
    MessageReadChanged(MessageChanged),
    /// A message's seen status changed.
    MessageSeenChanged(MessageChanged),
    /// Assignment changed.
    CaseInboxAssigneeChanged(CaseInboxAssigneeChanged),
    /// Contact status changed.
    CaseStatusChanged(CaseStatusChanged),
    /// Live-chat queue position.
    SetPositionInQueue(SetPositionInQueue),
    /// Agent started typing.
    SenderTypingStarted(SenderTyping),
    /// Agent stopped typing.
    SenderTypingEnded(SenderTyping),
    /// Welcome message or popup.
    FireProactiveAction(FireProactiveAction),
    /// A large event to download.
    EventInS3(EventInS3),
    /// An event the SDKs receive but ignore (`MessageAddedIntoCase`, `CaseCreated`, the web-only
    /// pushes) or do not know at all (iOS keeps the latter as "generic" events, which can still
    /// acknowledge a pending request such as `SendMessage`). `data` is kept verbatim.
    Other(Option<Value>),
}

/// Event types whose `eventObject` and `createdAt` iOS requires.
const NEEDS_OBJECT_AND_TIME: &[&str] = &[
    "MessageCreated",
    "MessageReadChanged",
    "CaseInboxAssigneeChanged",
    "CaseStatusChanged",
    "SenderTypingStarted",
    "SenderTypingEnded",
    "FireProactiveAction",
];

/// Event types whose top-level timestamps some SDK parses.
const STRICT_TIME: &[&str] = &[
    "MessageCreated",
    "MessageReadChanged",
    "MessageSeenChanged",
    "CaseInboxAssigneeChanged",
    "CaseStatusChanged",
    "SenderTypingStarted",
    "SenderTypingEnded",
    "FireProactiveAction",
    "EventInS3",
];

/// Event types the SDKs receive and deliberately ignore (PROTOCOL.md §3.0): they decode as
/// [`EventBody::Other`] but are not "generic" unknown events.
const KNOWN_IGNORED: &[&str] = &[
    "MessageAddedIntoCase",
    "CaseCreated",
    "MessageSent",
    "MessageUpdated",
    "MessageDeliveryStatusChanged",
    "CaseToRoutingQueueAssignmentChanged",
    "ConsumerContactInboxPreAssigneeChanged",
    "ContactPreferredUserChanged",
    "ContactRecipientsChanged",
    "PageViewCreated",
    "UserStatusChanged",
    "OfflineMessageSent",
];

/// Whether `event_type` is a known event that clients ignore.
pub fn is_known_ignored(event_type: &str) -> bool {
    KNOWN_IGNORED.contains(&event_type)
}

/// The `eventObject` values iOS knows; any other value makes it drop the event.
const KNOWN_EVENT_OBJECTS: &[&str] = &["Case", "Message", "SenderAction", "Thread", "ChatWindow"];

/// Where an event's `data` and timestamps are read from: the parsed `Value` (the reference
/// path) or the frame's raw text (`received/raw.rs`). One decoder serves both, so they cannot
/// drift apart.
trait Source: Copy {
    /// Whether the value is JSON `null`.
    fn is_null(self) -> bool;
    /// The value as `T`; the error names the field below `path`.
    fn decode<T: DeserializeOwned>(self, path: &str) -> Result<T, DecodeError>;
    /// The value as a `Value` (for data kept verbatim).
    fn to_value(self) -> Result<Value, DecodeError>;
    /// A timestamp where no SDK parses one: a malformed value is dropped, not an error.
    fn lenient_timestamp(self) -> Option<Timestamp>;
}

impl Source for &Value {
    fn is_null(self) -> bool {
        Value::is_null(self)
    }

    fn decode<T: DeserializeOwned>(self, path: &str) -> Result<T, DecodeError> {
        decode_at(self, path)
    }

    fn to_value(self) -> Result<Value, DecodeError> {
        Ok(self.clone())
    }

    fn lenient_timestamp(self) -> Option<Timestamp> {
        self.as_str().and_then(|s| Timestamp::parse(s).ok())
    }
}

impl EventBody {
    fn decode<S: Source>(event_type: &str, data: Option<S>, p: &str) -> Result<Self, DecodeError> {
        // Borrowed, never cloned: `data` is most of a frame.
        let need = |d: Option<S>| -> Result<S, DecodeError> {
            match d {
                Some(v) if !v.is_null() => Ok(v),
                _ => Err(DecodeError::new(
                    p,
                    "missing field (this event carries data)",
                )),
            }
        };
        Ok(match event_type {
            "ConsumerAuthorized" => Self::ConsumerAuthorized(need(data)?.decode(p)?),
            "ConsumerReconnected" | "CustomerReconnected" => Self::ConsumerReconnected,
            "TokenRefreshed" => Self::TokenRefreshed(need(data)?.decode(p)?),
            "ThreadRecovered" => Self::ThreadRecovered(need(data)?.decode(p)?),
            "LivechatRecovered" => Self::LivechatRecovered(match data {
                Some(v) if !v.is_null() => Some(v.decode(p)?),
                _ => None,
            }),
            "ThreadListFetched" => Self::ThreadListFetched(need(data)?.decode(p)?),
            "ThreadMetadataLoaded" => Self::ThreadMetadataLoaded(need(data)?.decode(p)?),
            "MoreMessagesLoaded" => Self::MoreMessagesLoaded(need(data)?.decode(p)?),
            "ThreadArchived" => Self::ThreadArchived,
            "ThreadUpdated" => Self::ThreadUpdated(data.map(S::to_value).transpose()?),
            "TranscriptSent" => Self::TranscriptSent,
            "MessageCreated" => Self::MessageCreated(need(data)?.decode(p)?),
            "MessageReadChanged" => Self::MessageReadChanged(need(data)?.decode(p)?),
            "MessageSeenChanged" => Self::MessageSeenChanged(need(data)?.decode(p)?),
            "CaseInboxAssigneeChanged" => Self::CaseInboxAssigneeChanged(need(data)?.decode(p)?),
            "CaseStatusChanged" => Self::CaseStatusChanged(need(data)?.decode(p)?),
            "SetPositionInQueue" => Self::SetPositionInQueue(need(data)?.decode(p)?),
            "SenderTypingStarted" => Self::SenderTypingStarted(need(data)?.decode(p)?),
            "SenderTypingEnded" => Self::SenderTypingEnded(need(data)?.decode(p)?),
            "FireProactiveAction" => Self::FireProactiveAction(need(data)?.decode(p)?),
            "EventInS3" => Self::EventInS3(need(data)?.decode(p)?),
            _ => Self::Other(data.map(S::to_value).transpose()?),
        })
    }

    /// `data` as JSON (`None` for events without data).
    pub fn data_value(&self) -> Option<Value> {
        Some(match self {
            Self::ConsumerAuthorized(d) => to_value(d),
            Self::ConsumerReconnected | Self::ThreadArchived | Self::TranscriptSent => return None,
            Self::TokenRefreshed(d) => to_value(d),
            Self::ThreadRecovered(d) => to_value(d),
            Self::LivechatRecovered(d) => return d.as_ref().map(to_value),
            Self::ThreadListFetched(d) => to_value(d),
            Self::ThreadMetadataLoaded(d) => to_value(d),
            Self::MoreMessagesLoaded(d) => to_value(d),
            Self::ThreadUpdated(d) | Self::Other(d) => return d.clone(),
            Self::MessageCreated(d) => to_value(d),
            Self::MessageReadChanged(d) | Self::MessageSeenChanged(d) => to_value(d),
            Self::CaseInboxAssigneeChanged(d) => to_value(d),
            Self::CaseStatusChanged(d) => to_value(d),
            Self::SetPositionInQueue(d) => to_value(d),
            Self::SenderTypingStarted(d) | Self::SenderTypingEnded(d) => to_value(d),
            Self::FireProactiveAction(d) => to_value(d),
            Self::EventInS3(d) => to_value(d),
        })
    }
}

impl ReceivedFrame {
    /// Decodes the text of one WebSocket text frame: ordinary replies and pushes straight
    /// from the text (`received/raw.rs`), anything else through [`Self::from_text_via_value`].
    pub fn from_text(text: &str) -> Result<Self, DecodeError> {
        match raw::decode(text) {
            Some(frame) => Ok(frame),
            None => Self::from_text_via_value(text),
        }
    }

    /// Decodes the text of one frame through `serde_json::Value`: the reference decoder, slower,
    /// whose errors name the failing field. [`Self::from_text`] gives the same result.
    pub fn from_text_via_value(text: &str) -> Result<Self, DecodeError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| DecodeError::new(".", format!("not JSON: {e}")))?;
        Self::from_value(&value)
    }

    /// Decodes one frame already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<Self, DecodeError> {
        if value.as_str() == Some("pong") {
            return Ok(Self::Pong);
        }
        let obj = as_object(value, ".")?;
        let event_id = opt_str_member(obj, "eventId", ".")?;
        let Some(event_id) = event_id else {
            if obj.contains_key("message")
                && (obj.contains_key("connectionId") || obj.contains_key("requestId"))
            {
                return Ok(Self::GatewayError(GatewayError {
                    message: str_member(obj, "message", ".")?.to_owned(),
                    connection_id: opt_str_member(obj, "connectionId", ".")?.map(str::to_owned),
                    request_id: opt_str_member(obj, "requestId", ".")?.map(str::to_owned),
                }));
            }
            // iOS and the web drop such frames; there is nothing to correlate or dispatch.
            return Err(DecodeError::new(
                "eventId",
                "missing field: a frame without eventId is neither a reply nor a push",
            ));
        };
        if let Some(error) = obj.get("error").filter(|e| !e.is_null()) {
            let e = as_object(error, "error")?;
            return Ok(Self::OperationError(OperationError {
                event_id: event_id.to_owned(),
                error_code: str_member(e, "errorCode", "error")?.to_owned(),
                transaction_id: str_member(e, "transactionId", "error")?.to_owned(),
                error_message: str_member(e, "errorMessage", "error")?.to_owned(),
                input_data: obj.get("inputData").cloned(),
            }));
        }
        ReceivedEvent::from_object(event_id, obj).map(|e| Self::Event(Box::new(e)))
    }

    /// The frame as JSON, in the shape the back end sends.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Pong => Value::String("pong".into()),
            Self::GatewayError(g) => {
                let mut m = Map::new();
                m.insert("message".into(), g.message.clone().into());
                if let Some(c) = &g.connection_id {
                    m.insert("connectionId".into(), c.clone().into());
                }
                if let Some(r) = &g.request_id {
                    m.insert("requestId".into(), r.clone().into());
                }
                Value::Object(m)
            }
            Self::OperationError(e) => {
                let mut m = Map::new();
                m.insert("eventId".into(), e.event_id.clone().into());
                m.insert(
                    "error".into(),
                    serde_json::json!({
                        "errorCode": e.error_code,
                        "transactionId": e.transaction_id,
                        "errorMessage": e.error_message,
                    }),
                );
                if let Some(i) = &e.input_data {
                    m.insert("inputData".into(), i.clone());
                }
                Value::Object(m)
            }
            Self::Event(e) => e.to_value(),
        }
    }

    /// The frame as the compact text sent on the socket.
    pub fn to_text(&self) -> String {
        self.to_value().to_string()
    }

    /// The `eventId` a pending request would be matched against, if any.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            Self::Pong | Self::GatewayError(_) => None,
            Self::OperationError(e) => Some(&e.event_id),
            Self::Event(e) => Some(&e.event_id),
        }
    }
}

/// An event's fields as its envelope holds them, before they are checked and decoded; `S` is
/// where the data and timestamps are read from.
struct Parts<'a, S> {
    event_id: &'a str,
    event_type: &'a str,
    shape: Shape,
    event_object: Option<&'a str>,
    created_at: Option<S>,
    created_at_with_milliseconds: Option<S>,
    status: Option<&'a str>,
    data: Option<S>,
    data_path: &'static str,
}

impl ReceivedEvent {
    fn from_object(event_id: &str, obj: &Map<String, Value>) -> Result<Self, DecodeError> {
        let postback = match obj.get("postback") {
            None | Some(Value::Null) => None,
            Some(p) => Some(as_object(p, "postback")?),
        };
        let (shape, data, data_path) = match postback {
            Some(p) => (Shape::Postback, p.get("data"), "postback.data"),
            None => (Shape::Push, obj.get("data"), "data"),
        };
        let event_type = match (opt_str_member(obj, "eventType", ".")?, postback) {
            (Some(t), _) => t,
            (None, Some(p)) => str_member(p, "eventType", "postback")?,
            // iOS keeps such frames as generic events: they can still satisfy a pending request.
            (None, None) => "",
        };
        Self::from_parts(Parts {
            event_id,
            event_type,
            shape,
            event_object: opt_str_member(obj, "eventObject", ".")?,
            created_at: obj.get("createdAt"),
            created_at_with_milliseconds: obj.get("createdAtWithMilliseconds"),
            status: opt_str_member(obj, "status", ".")?,
            data,
            data_path,
        })
    }

    fn from_parts<S: Source>(parts: Parts<'_, S>) -> Result<Self, DecodeError> {
        let Parts {
            event_type, shape, ..
        } = parts;
        // Timestamps are checked where an SDK reads them; on other events (generic ones, like
        // the hand-written `"createdAt": "String"` skeletons) a malformed value is dropped.
        let strict = STRICT_TIME.contains(&event_type);
        let time = |value: Option<S>, key: &str| -> Result<Option<Timestamp>, DecodeError> {
            match value {
                None => Ok(None),
                Some(v) if v.is_null() => Ok(None),
                Some(v) if strict => v.decode(key).map(Some),
                Some(v) => Ok(v.lenient_timestamp()),
            }
        };
        let created_at = time(parts.created_at, "createdAt")?;
        if NEEDS_OBJECT_AND_TIME.contains(&event_type) && shape == Shape::Push {
            match parts.event_object {
                None => {
                    return Err(DecodeError::new(
                        "eventObject",
                        "missing field (required on this event)",
                    ));
                }
                Some(o) if !KNOWN_EVENT_OBJECTS.contains(&o) => {
                    return Err(DecodeError::new(
                        "eventObject",
                        format!("unknown event object {o:?}"),
                    ));
                }
                Some(_) => {}
            }
            if created_at.is_none() {
                return Err(DecodeError::new(
                    "createdAt",
                    "missing field (required on this event)",
                ));
            }
        }
        Ok(Self {
            body: EventBody::decode(event_type, parts.data, parts.data_path)?,
            event_id: parts.event_id.to_owned(),
            event_type: event_type.to_owned(),
            shape,
            event_object: parts.event_object.map(str::to_owned),
            created_at,
            created_at_with_milliseconds: time(
                parts.created_at_with_milliseconds,
                "createdAtWithMilliseconds",
            )?,
            status: parts.status.map(str::to_owned),
        })
    }

    /// The event as JSON, in the shape the back end sends.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("eventId".into(), self.event_id.clone().into());
        if let Some(s) = &self.status {
            m.insert("status".into(), s.clone().into());
        }
        if let Some(o) = &self.event_object {
            m.insert("eventObject".into(), o.clone().into());
        }
        if let Some(t) = &self.created_at {
            m.insert("createdAt".into(), t.as_str().into());
        }
        if let Some(t) = &self.created_at_with_milliseconds {
            m.insert("createdAtWithMilliseconds".into(), t.as_str().into());
        }
        let data = self.body.data_value();
        match self.shape {
            Shape::Postback => {
                let mut p = Map::new();
                p.insert("eventType".into(), self.event_type.clone().into());
                if let Some(d) = data {
                    p.insert("data".into(), d);
                }
                m.insert("postback".into(), Value::Object(p));
            }
            Shape::Push => {
                if !self.event_type.is_empty() {
                    m.insert("eventType".into(), self.event_type.clone().into());
                }
                if let Some(d) = data {
                    m.insert("data".into(), d);
                }
            }
        }
        Value::Object(m)
    }

    /// Where the data sits, for error messages: `postback.data` or `data`.
    pub fn data_path(&self) -> &'static str {
        match self.shape {
            Shape::Postback => "postback.data",
            Shape::Push => "data",
        }
    }
}
