//! Rich message content: quick replies, list pickers, rich links, time pickers, the live-chat
//! inactivity popup, the legacy plugins (menus, galleries, text and buttons, satisfaction
//! surveys, custom plugins), and content the daemon cannot represent.
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
    /// A legacy plugin (menu, gallery, text and buttons, quick replies, satisfaction survey,
    /// custom): its element tree, typed node by node, for a host that renders it. The mobile
    /// SDKs of today show only the fallback text, which is the message's `text`; since a host may
    /// render the plugin, the agent is not told it could not be shown (as for `unsupported`).
    Plugin(Plugin),
    /// Content this daemon cannot represent; show `fallbackText`.
    Unsupported(UnsupportedContent),
}

/// A legacy plugin's element tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Plugin {
    /// What the plugin is: the kind of its first element.
    pub kind: PluginElementKind,
    /// The text for a client that does not render it, when the back end gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_text: Option<String>,
    /// The top-level elements, in order.
    pub elements: Vec<PluginElement>,
}

/// One node of a plugin: a container (`menu`, `gallery`, …) with `elements`, or a leaf (a
/// title, a text, a button, a file). Only the fields its kind uses are present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginElement {
    /// What the node is.
    pub kind: PluginElementKind,
    /// The element's `type` on the wire (`MENU`, `IFRAME_BUTTON`, …), for `other` kinds.
    pub element_type: String,
    /// The element's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its text (titles, texts, button labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A button's postback: send it with the button's text (`thread.send {text, postback}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// A deep link the button opens (from a `{'type':'deepLink','deepLink':…}` postback)
    /// instead of answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deep_link: Option<String>,
    /// A file's or a web button's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// A file's or a text's MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// A custom plugin's variables, as the agent's application defined them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<serde_json::Value>,
    /// A container's children, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<PluginElement>,
}

/// The kinds of plugin elements the SDKs (up to iOS 2.x, which typed them) know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PluginElementKind {
    /// A card: a file, a title, a text and buttons.
    Menu,
    /// Cards side by side.
    Gallery,
    /// A text with buttons under it.
    TextAndButtons,
    /// A text with buttons that disappear once one is chosen.
    QuickReplies,
    /// A text with a button that opens the survey's web page.
    SatisfactionSurvey,
    /// A plugin of the agent application's own; read `variables`.
    Custom,
    /// A title.
    Title,
    /// A text.
    Text,
    /// A button that answers with its postback (or opens `deepLink`).
    Button,
    /// A button that opens `url` in a web view.
    IframeButton,
    /// A picture or other file at `url`.
    File,
    /// A countdown (`variables`: `startedAt`, `numberOfSeconds`).
    Countdown,
    /// A kind this build does not know; `elementType` names it.
    Other,
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
