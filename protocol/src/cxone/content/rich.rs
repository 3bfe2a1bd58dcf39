//! Rich content the mobile SDKs render: `QUICK_REPLIES`, `LIST_PICKER`, `RICH_LINK` and
//! `TIME_PICKER` (PROTOCOL.md §3.9.8; iOS `MessageQuickRepliesDTO`, `MessageListPickerDTO`,
//! `MessageRichLinkDTO`, `MessageTimePickerDTO`).
//!
//! The wire wraps every text in `{ "content": … }`; the public types flatten that away.

use serde::{Deserialize, Serialize};

use crate::cxone::time::Timestamp;

/// A file reference: `{ "fileName", "url", "mimeType" }` (rich-link media, button icons). Both
/// SDKs require all three keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// File name.
    pub file_name: String,
    /// Where to fetch the file.
    pub url: String,
    /// MIME type.
    pub mime_type: String,
}

/// A `REPLY_BUTTON` action: `{ "type": "REPLY_BUTTON", "text", "postback"?, "description"?, "icon"? }`.
/// Pressing it sends a TEXT message with the button's text and postback. Any other action
/// `type` fails to decode (both SDKs treat the whole content as unsupported then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ReplyButtonWire", into = "ReplyButtonWire")]
pub struct ReplyButton {
    /// Label, also the text of the answer message.
    pub text: String,
    /// Postback sent with the answer.
    pub postback: Option<String>,
    /// Secondary text (list pickers).
    pub description: Option<String>,
    /// Optional icon.
    pub icon: Option<Media>,
}

impl ReplyButton {
    /// The wire `type` of a reply button.
    pub const TYPE: &'static str = "REPLY_BUTTON";

    /// A button with a label and a postback.
    pub fn new(text: impl Into<String>, postback: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            postback: Some(postback.into()),
            description: None,
            icon: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ReplyButtonWire {
    #[serde(rename = "type")]
    kind: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    postback: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    icon: Option<Media>,
}

impl TryFrom<ReplyButtonWire> for ReplyButton {
    type Error = String;

    fn try_from(w: ReplyButtonWire) -> Result<Self, Self::Error> {
        if w.kind != ReplyButton::TYPE {
            return Err(format!(
                "unsupported action type {:?} (expected {:?})",
                w.kind,
                ReplyButton::TYPE
            ));
        }
        Ok(Self {
            text: w.text,
            postback: w.postback,
            description: w.description,
            icon: w.icon,
        })
    }
}

impl From<ReplyButton> for ReplyButtonWire {
    fn from(b: ReplyButton) -> Self {
        Self {
            kind: ReplyButton::TYPE.to_owned(),
            text: b.text,
            postback: b.postback,
            description: b.description,
            icon: b.icon,
        }
    }
}

/// `QUICK_REPLIES`: a text with buttons (`payload.text.content`, `payload.actions[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickRepliesContent {
    /// `payload.text.content`.
    pub text: String,
    /// `payload.actions`.
    pub actions: Vec<ReplyButton>,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

/// `LIST_PICKER`: a title, a text and a list of buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPickerContent {
    /// `payload.title.content`.
    pub title: String,
    /// `payload.text.content`.
    pub text: String,
    /// `payload.actions`.
    pub actions: Vec<ReplyButton>,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

/// `RICH_LINK`: a titled link with a preview image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RichLinkContent {
    /// `payload.title.content`.
    pub title: String,
    /// `payload.url` — the link target.
    pub url: String,
    /// `payload.media` — the preview image.
    pub media: Media,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

/// One slot of a time picker: `{ "id", "duration", "startTime" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeSlot {
    /// Slot id.
    pub id: String,
    /// Length of the slot in seconds.
    pub duration: u64,
    /// Start of the slot.
    pub start_time: Timestamp,
}

/// `TIME_PICKER` (iOS ≥ 3.3.0): a title and a sheet of time slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePickerContent {
    /// `payload.title.content` — shown in the conversation.
    pub title: String,
    /// `payload.event.title.content` — shown on top of the picker.
    pub event_title: String,
    /// `payload.event.timeSlots`.
    pub time_slots: Vec<TimeSlot>,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

/// `{ "content": … }`.
#[derive(Serialize, Deserialize)]
struct Wrapped {
    content: String,
}

impl Wrapped {
    fn new(text: &str) -> Self {
        Self {
            content: text.to_owned(),
        }
    }
}

/// A rich content on the wire, without `type`: `{ "payload": P, "fallbackText"? }`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RichWire<P> {
    payload: P,
    #[serde(
        default,
        deserialize_with = "super::fallback_text",
        skip_serializing_if = "Option::is_none"
    )]
    fallback_text: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct QuickRepliesPayload {
    text: Wrapped,
    actions: Vec<ReplyButton>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ListPickerPayload {
    title: Wrapped,
    text: Wrapped,
    actions: Vec<ReplyButton>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct RichLinkPayload {
    title: Wrapped,
    url: String,
    media: Media,
}

#[derive(Serialize, Deserialize)]
pub(super) struct TimePickerPayload {
    title: Wrapped,
    event: TimePickerEvent,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimePickerEvent {
    title: Wrapped,
    time_slots: Vec<TimeSlot>,
}

impl From<RichWire<QuickRepliesPayload>> for QuickRepliesContent {
    fn from(w: RichWire<QuickRepliesPayload>) -> Self {
        Self {
            text: w.payload.text.content,
            actions: w.payload.actions,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&QuickRepliesContent> for RichWire<QuickRepliesPayload> {
    fn from(c: &QuickRepliesContent) -> Self {
        let payload = QuickRepliesPayload {
            text: Wrapped::new(&c.text),
            actions: c.actions.clone(),
        };
        Self {
            payload,
            fallback_text: c.fallback_text.clone(),
        }
    }
}

impl From<RichWire<ListPickerPayload>> for ListPickerContent {
    fn from(w: RichWire<ListPickerPayload>) -> Self {
        let p = w.payload;
        Self {
            title: p.title.content,
            text: p.text.content,
            actions: p.actions,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&ListPickerContent> for RichWire<ListPickerPayload> {
    fn from(c: &ListPickerContent) -> Self {
        let payload = ListPickerPayload {
            title: Wrapped::new(&c.title),
            text: Wrapped::new(&c.text),
            actions: c.actions.clone(),
        };
        Self {
            payload,
            fallback_text: c.fallback_text.clone(),
        }
    }
}

impl From<RichWire<RichLinkPayload>> for RichLinkContent {
    fn from(w: RichWire<RichLinkPayload>) -> Self {
        let p = w.payload;
        Self {
            title: p.title.content,
            url: p.url,
            media: p.media,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&RichLinkContent> for RichWire<RichLinkPayload> {
    fn from(c: &RichLinkContent) -> Self {
        let payload = RichLinkPayload {
            title: Wrapped::new(&c.title),
            url: c.url.clone(),
            media: c.media.clone(),
        };
        Self {
            payload,
            fallback_text: c.fallback_text.clone(),
        }
    }
}

impl From<RichWire<TimePickerPayload>> for TimePickerContent {
    fn from(w: RichWire<TimePickerPayload>) -> Self {
        let p = w.payload;
        Self {
            title: p.title.content,
            event_title: p.event.title.content,
            time_slots: p.event.time_slots,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&TimePickerContent> for RichWire<TimePickerPayload> {
    fn from(c: &TimePickerContent) -> Self {
        let event = TimePickerEvent {
            title: Wrapped::new(&c.event_title),
            time_slots: c.time_slots.clone(),
        };
        Self {
            payload: TimePickerPayload {
                title: Wrapped::new(&c.title),
                event,
            },
            fallback_text: c.fallback_text.clone(),
        }
    }
}
