//! Message content, `messageContent` on the wire (PROTOCOL.md §3.9.1, §3.9.7, §3.9.8).
//!
//! [`MessageContent`] is one variant per `type` the mobile SDKs understand, plus two variants
//! for what they do not: [`PluginContent`] (any plugin but the inactivity popup) and
//! [`UnsupportedContent`] (unknown types, and known types whose payload does not have the
//! required shape). Decoding therefore never fails because of *what* a message says — only
//! when `messageContent` is not an object or has no string `type`, which both SDKs require.
//!
//! Re-encoding is faithful: typed variants write back the keys they model (a subset of what
//! was read, with equal values — `"postback": null` and `"parameters": []` included), and the
//! raw-backed variants write back exactly the object they were read from.
//!
//! Questions a consumer asks: [`MessageContent::is_supported`] and
//! [`MessageContent::fallback_text`] ("can I render it, and if not what do I show?"),
//! [`MessageContent::is_hidden`] ("does it belong in the transcript?") and
//! [`MessageContent::plain_text`] ("what text stands for it?").

mod inactivity;
mod plugin;
mod rich;
mod text;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use inactivity::{
    InactivityPopup, InactivityPopupContent, PopupButton, PopupCountdown, PopupError, PopupText,
    SessionExpirationPostback,
};
pub use plugin::{PluginContent, PluginElement, PluginPayload};
pub use rich::{
    ListPickerContent, Media, QuickRepliesContent, ReplyButton, RichLinkContent, TimePickerContent,
    TimeSlot,
};
pub use text::{BEGIN_CONVERSATION_TEXT, MessageParameters, PostbackContent, TextContent};

/// `messageContent` of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    /// `TEXT`.
    Text(TextContent),
    /// `QUICK_REPLIES`.
    QuickReplies(QuickRepliesContent),
    /// `LIST_PICKER`.
    ListPicker(ListPickerContent),
    /// `RICH_LINK`.
    RichLink(RichLinkContent),
    /// `TIME_PICKER`.
    TimePicker(TimePickerContent),
    /// `POSTBACK`.
    Postback(PostbackContent),
    /// A `PLUGIN` holding an inactivity popup (or iOS's top-level `INACTIVITY_POPUP` form).
    /// Boxed: it is several times larger than the other variants and rare.
    InactivityPopup(Box<InactivityPopupContent>),
    /// Any other `PLUGIN`: not rendered by the SDKs.
    Plugin(PluginContent),
    /// An unknown `type`, or a known one whose payload is malformed.
    Unsupported(UnsupportedContent),
}

/// Content the SDKs cannot render, kept as received.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedContent {
    raw: Map<String, Value>,
    reason: UnsupportedReason,
}

/// Why content is [`MessageContent::Unsupported`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsupportedReason {
    /// The `type` is not one the SDKs know.
    UnknownType,
    /// The `type` is known but the content lacks something the SDKs require; the text says what.
    Malformed(String),
}

impl UnsupportedContent {
    /// The `type` as received.
    pub fn content_type(&self) -> &str {
        self.raw
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// Why it is unsupported.
    pub fn reason(&self) -> &UnsupportedReason {
        &self.reason
    }

    /// `fallbackText`.
    pub fn fallback_text(&self) -> Option<&str> {
        self.raw.get("fallbackText").and_then(Value::as_str)
    }

    /// The JSON object as received.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
    }
}

/// Why a JSON value is not message content at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// `messageContent` must be an object.
    #[error("messageContent must be a JSON object")]
    NotAnObject,
    /// `type` is required by both SDKs.
    #[error("messageContent has no `type`")]
    MissingType,
    /// `type` must be a string.
    #[error("messageContent `type` must be a string")]
    TypeNotAString,
}

/// Wire `type` names.
mod types {
    pub(super) const TEXT: &str = "TEXT";
    pub(super) const QUICK_REPLIES: &str = "QUICK_REPLIES";
    pub(super) const LIST_PICKER: &str = "LIST_PICKER";
    pub(super) const RICH_LINK: &str = "RICH_LINK";
    pub(super) const TIME_PICKER: &str = "TIME_PICKER";
    pub(super) const POSTBACK: &str = "POSTBACK";
    pub(super) const PLUGIN: &str = "PLUGIN";
    pub(super) const INACTIVITY_POPUP: &str = "INACTIVITY_POPUP";
}

impl MessageContent {
    /// The iOS `SendMessage` text: `{"type":"TEXT","payload":{"text":…},"parameters":{},"postback":null}`.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextContent::outgoing(text))
    }

    /// The iOS answer to a quick reply or list picker button: TEXT with the button's postback.
    pub fn reply(button: &ReplyButton) -> Self {
        let content = TextContent::outgoing(button.text.clone());
        Self::Text(match &button.postback {
            Some(postback) => content.with_postback(postback.clone()),
            None => content,
        })
    }

    /// The hidden live-chat opener: text `Begin Conversation`, `isInitialMessage: true`.
    pub fn begin_conversation() -> Self {
        let parameters = MessageParameters::new().with(MessageParameters::IS_INITIAL_MESSAGE, true);
        Self::Text(TextContent::outgoing(BEGIN_CONVERSATION_TEXT).with_parameters(parameters))
    }

    /// The hidden automatic reply to content the client cannot render
    /// (`isUnsupportedMessageTypeAnswer: true`); the text is the client's choice (iOS:
    /// `The last agent's message is not supported in the mobile SDK: <fallback>`).
    pub fn unsupported_content_answer(text: impl Into<String>) -> Self {
        let parameters = MessageParameters::new()
            .with(MessageParameters::IS_UNSUPPORTED_MESSAGE_TYPE_ANSWER, true);
        Self::Text(TextContent::outgoing(text).with_parameters(parameters))
    }

    /// The iOS answer to an inactivity popup: TEXT with the button's text and postback and
    /// `isInactivityPopupAnswer: true`. (Android sends [`PostbackContent::new`] instead.)
    pub fn inactivity_popup_answer(button: &PopupButton) -> Self {
        let parameters =
            MessageParameters::new().with(MessageParameters::IS_INACTIVITY_POPUP_ANSWER, true);
        let content =
            TextContent::outgoing(button.text.clone()).with_postback(button.postback.clone());
        Self::Text(content.with_parameters(parameters))
    }

    /// Reads content from JSON; see the module doc for what fails.
    pub fn from_value(value: Value) -> Result<Self, ContentError> {
        let kind = match &value {
            Value::Object(map) => match map.get("type") {
                Some(Value::String(kind)) => kind.clone(),
                Some(_) => return Err(ContentError::TypeNotAString),
                None => return Err(ContentError::MissingType),
            },
            _ => return Err(ContentError::NotAnObject),
        };
        let decoded = match kind.as_str() {
            types::TEXT => typed::<text::TextWire, _>(&value, Self::Text),
            types::QUICK_REPLIES => {
                typed::<rich::RichWire<rich::QuickRepliesPayload>, _>(&value, Self::QuickReplies)
            }
            types::LIST_PICKER => {
                typed::<rich::RichWire<rich::ListPickerPayload>, _>(&value, Self::ListPicker)
            }
            types::RICH_LINK => {
                typed::<rich::RichWire<rich::RichLinkPayload>, _>(&value, Self::RichLink)
            }
            types::TIME_PICKER => {
                typed::<rich::RichWire<rich::TimePickerPayload>, _>(&value, Self::TimePicker)
            }
            types::POSTBACK => typed::<text::PostbackWire, _>(&value, Self::Postback),
            types::PLUGIN => Self::plugin(&value),
            types::INACTIVITY_POPUP => Self::top_level_popup(&value),
            _ => Decoded::Unknown,
        };
        Ok(match decoded {
            Decoded::Typed(content) => content,
            Decoded::Popup(popup) => Self::InactivityPopup(Box::new(
                InactivityPopupContent::from_parts(into_map(value), *popup),
            )),
            Decoded::Plugin(payload) => {
                Self::Plugin(PluginContent::from_parts(into_map(value), payload))
            }
            Decoded::Unknown => Self::Unsupported(UnsupportedContent {
                raw: into_map(value),
                reason: UnsupportedReason::UnknownType,
            }),
            Decoded::Malformed(reason) => Self::Unsupported(UnsupportedContent {
                raw: into_map(value),
                reason: UnsupportedReason::Malformed(reason),
            }),
        })
    }

    /// The content as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("message content is plain JSON")
    }

    /// A `PLUGIN`: the inactivity popup when its first element is one, else a generic plugin.
    fn plugin(value: &Value) -> Decoded {
        match plugin::PluginWire::deserialize(value) {
            Err(e) => Decoded::Malformed(format!("PLUGIN: {e}")),
            Ok(wire) => match wire
                .payload
                .elements
                .first()
                .map(InactivityPopup::from_element)
            {
                Some(Ok(popup)) => Decoded::Popup(Box::new(popup)),
                _ => Decoded::Plugin(wire.payload),
            },
        }
    }

    /// iOS also accepts `{ "type": "INACTIVITY_POPUP", "payload": <popup element> }`.
    fn top_level_popup(value: &Value) -> Decoded {
        let popup = value
            .get("payload")
            .ok_or_else(|| "missing field `payload`".to_owned())
            .and_then(|payload| {
                PluginElement::deserialize(payload).map_err(|e| format!("payload: {e}"))
            })
            .and_then(|element| InactivityPopup::from_element(&element).map_err(|e| e.to_string()));
        match popup {
            Ok(popup) => Decoded::Popup(Box::new(popup)),
            Err(reason) => Decoded::Malformed(format!("INACTIVITY_POPUP: {reason}")),
        }
    }

    /// The wire `type`.
    pub fn content_type(&self) -> &str {
        match self {
            Self::Text(_) => types::TEXT,
            Self::QuickReplies(_) => types::QUICK_REPLIES,
            Self::ListPicker(_) => types::LIST_PICKER,
            Self::RichLink(_) => types::RICH_LINK,
            Self::TimePicker(_) => types::TIME_PICKER,
            Self::Postback(_) => types::POSTBACK,
            Self::InactivityPopup(c) => c
                .raw()
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(types::PLUGIN),
            Self::Plugin(_) => types::PLUGIN,
            Self::Unsupported(c) => c.content_type(),
        }
    }

    /// Whether the mobile SDKs render this content. When not, they show
    /// [`fallback_text`](Self::fallback_text) and send a hidden
    /// [`unsupported_content_answer`](Self::unsupported_content_answer) once.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Self::Plugin(_) | Self::Unsupported(_))
    }

    /// `fallbackText`: what to show instead when the content is not supported.
    pub fn fallback_text(&self) -> Option<&str> {
        match self {
            Self::Text(c) => c.fallback_text.as_deref(),
            Self::QuickReplies(c) => c.fallback_text.as_deref(),
            Self::ListPicker(c) => c.fallback_text.as_deref(),
            Self::RichLink(c) => c.fallback_text.as_deref(),
            Self::TimePicker(c) => c.fallback_text.as_deref(),
            Self::Postback(c) => c.fallback_text.as_deref(),
            Self::InactivityPopup(c) => c.fallback_text(),
            Self::Plugin(c) => c.fallback_text(),
            Self::Unsupported(c) => c.fallback_text(),
        }
    }

    /// Whether the SDKs keep this message out of the transcript: TEXT with one of the hiding
    /// parameter flags (which covers `Begin Conversation` + `isInitialMessage`), every
    /// `POSTBACK` (both SDKs drop them from history), and the inactivity popup (shown as a
    /// popup, never as a message).
    pub fn is_hidden(&self) -> bool {
        match self {
            Self::Text(c) => c.is_hidden(),
            Self::Postback(_) | Self::InactivityPopup(_) => true,
            _ => false,
        }
    }

    /// The plain text that stands for the content (transcripts, notifications, clients that
    /// render text only): the text of TEXT, POSTBACK and quick replies and the title of a time
    /// picker, as is (possibly empty); title and text of a list picker, title and URL of a rich
    /// link, title, body and call to action of an inactivity popup, joined by newlines (`None`
    /// when all are empty); the fallback text of unsupported content (`None` without one).
    pub fn plain_text(&self) -> Option<String> {
        let join = |parts: &[&str]| {
            let text = parts
                .iter()
                .copied()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            (!text.is_empty()).then_some(text)
        };
        match self {
            Self::Text(c) => Some(c.text.clone()),
            Self::Postback(c) => Some(c.text.clone()),
            Self::QuickReplies(c) => Some(c.text.clone()),
            Self::ListPicker(c) => join(&[&c.title, &c.text]),
            Self::RichLink(c) => join(&[&c.title, &c.url]),
            Self::TimePicker(c) => Some(c.title.clone()),
            Self::InactivityPopup(c) => {
                let p = c.popup();
                join(&[&p.title.text, &p.body.text, &p.call_to_action.text])
            }
            Self::Plugin(_) | Self::Unsupported(_) => self.fallback_text().map(str::to_owned),
        }
    }

    /// The inactivity popup, when this is one.
    pub fn inactivity_popup(&self) -> Option<&InactivityPopup> {
        match self {
            Self::InactivityPopup(c) => Some(c.popup()),
            _ => None,
        }
    }
}

/// What the first decoding pass found; the raw object is attached afterwards so that it is
/// moved, not cloned.
enum Decoded {
    Typed(MessageContent),
    Popup(Box<InactivityPopup>),
    Plugin(PluginPayload),
    Unknown,
    Malformed(String),
}

/// Decodes a typed variant from the whole content object (`type` included and ignored).
fn typed<W, C>(value: &Value, variant: impl FnOnce(C) -> MessageContent) -> Decoded
where
    W: DeserializeOwned + Into<C>,
{
    match W::deserialize(value) {
        Ok(wire) => Decoded::Typed(variant(wire.into())),
        Err(e) => {
            let kind = value
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Decoded::Malformed(format!("{kind}: {e}"))
        }
    }
}

/// `fallbackText` when it is a string. Anything else is dropped rather than failing the
/// content: the text is only a fallback, and iOS does not even read it for supported types.
fn fallback_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => Some(text),
        _ => None,
    })
}

/// The object inside a value already known to be one.
fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `{ "type": …, <the wire struct's keys> }`.
#[derive(Serialize)]
struct Tagged<'a, W> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    body: W,
}

impl Serialize for MessageContent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = self.content_type();
        match self {
            Self::Text(c) => Tagged {
                kind,
                body: text::TextWire::from(c),
            }
            .serialize(serializer),
            Self::Postback(c) => Tagged {
                kind,
                body: text::PostbackWire::from(c),
            }
            .serialize(serializer),
            Self::QuickReplies(c) => Tagged {
                kind,
                body: rich::RichWire::from(c),
            }
            .serialize(serializer),
            Self::ListPicker(c) => Tagged {
                kind,
                body: rich::RichWire::from(c),
            }
            .serialize(serializer),
            Self::RichLink(c) => Tagged {
                kind,
                body: rich::RichWire::from(c),
            }
            .serialize(serializer),
            Self::TimePicker(c) => Tagged {
                kind,
                body: rich::RichWire::from(c),
            }
            .serialize(serializer),
            Self::InactivityPopup(c) => c.raw().serialize(serializer),
            Self::Plugin(c) => c.raw().serialize(serializer),
            Self::Unsupported(c) => c.raw().serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(D::Error::custom)
    }
}

impl From<TextContent> for MessageContent {
    fn from(c: TextContent) -> Self {
        Self::Text(c)
    }
}

impl From<QuickRepliesContent> for MessageContent {
    fn from(c: QuickRepliesContent) -> Self {
        Self::QuickReplies(c)
    }
}

impl From<ListPickerContent> for MessageContent {
    fn from(c: ListPickerContent) -> Self {
        Self::ListPicker(c)
    }
}

impl From<RichLinkContent> for MessageContent {
    fn from(c: RichLinkContent) -> Self {
        Self::RichLink(c)
    }
}

impl From<TimePickerContent> for MessageContent {
    fn from(c: TimePickerContent) -> Self {
        Self::TimePicker(c)
    }
}

impl From<PostbackContent> for MessageContent {
    fn from(c: PostbackContent) -> Self {
        Self::Postback(c)
    }
}

impl From<InactivityPopupContent> for MessageContent {
    fn from(c: InactivityPopupContent) -> Self {
        Self::InactivityPopup(Box::new(c))
    }
}

impl From<PluginContent> for MessageContent {
    fn from(c: PluginContent) -> Self {
        Self::Plugin(c)
    }
}
