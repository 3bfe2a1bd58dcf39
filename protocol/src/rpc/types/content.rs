//! Rich message content: quick replies, list pickers, rich links, time pickers, the live-chat
//! inactivity popup, and content the daemon cannot represent.
//!
//! To answer a button (quick reply, list picker, popup), call `thread.send` with the button's
//! `text` as `text` and its `postback` as `postback`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// The structured content of a message, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum MessageContent {
    /// Plain text; the text is the message's `text`.
    Text,
    /// A question with reply buttons; the buttons disappear once one is chosen.
    QuickReplies(QuickReplies),
    /// A titled list of choices that stays available.
    ListPicker(ListPicker),
    /// A link with a title and a picture.
    RichLink(RichLink),
    /// An appointment picker.
    TimePicker(TimePicker),
    /// Live chat: "are you still there?" with a countdown. Not a message to show in the transcript
    /// but a prompt; answer with one of its buttons.
    InactivityPopup(InactivityPopup),
    /// Content this daemon cannot represent; show `fallbackText`.
    Unsupported(UnsupportedContent),
}

/// A question with reply buttons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuickReplies {
    /// The question.
    pub text: String,
    /// The answers to offer.
    pub buttons: Vec<ReplyButton>,
}

/// A titled list of choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListPicker {
    /// The list's title.
    pub title: String,
    /// The text under the title.
    pub text: String,
    /// The choices.
    pub buttons: Vec<ReplyButton>,
}

/// One choice of a quick reply or list picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyButton {
    /// The button's label, also the text to send when it is chosen.
    pub text: String,
    /// The postback to send when it is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// A second line of text (list pickers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An icon to show with the button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Media>,
}

/// A picture or other file referenced by rich content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// Where to download it.
    pub url: String,
    /// Its file name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Its MIME type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// A link with a title and a picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RichLink {
    /// The link's title.
    pub title: String,
    /// The target URL.
    pub url: String,
    /// The picture, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
}

/// An appointment picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimePicker {
    /// The picker's title.
    pub title: String,
    /// The title of the event being booked, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_title: Option<String>,
    /// The slots to choose from.
    pub slots: Vec<TimeSlot>,
}

/// One bookable slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeSlot {
    /// The slot's id, to send back as the postback.
    pub id: String,
    /// When the slot starts.
    pub start_time: Timestamp,
    /// How long it lasts, in seconds.
    pub duration_seconds: u64,
}

/// The live-chat inactivity prompt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InactivityPopup {
    /// The prompt's title.
    pub title: String,
    /// The paragraphs of the prompt, in order.
    pub body: Vec<String>,
    /// The time left to answer.
    pub countdown: Countdown,
    /// The button that keeps the conversation open.
    pub continue_button: PopupButton,
    /// The button that ends the conversation.
    pub end_button: PopupButton,
}

/// A countdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Countdown {
    /// When it started.
    pub started_at: Timestamp,
    /// How long it runs, in seconds.
    pub seconds: u64,
}

/// A button of the inactivity popup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PopupButton {
    /// The label, also the text to send.
    pub text: String,
    /// The postback to send.
    pub postback: String,
}

/// Content the daemon cannot represent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnsupportedContent {
    /// The text the back end provides for clients that cannot show the content.
    pub fallback_text: String,
}
