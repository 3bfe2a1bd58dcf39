//! `TEXT` and `POSTBACK` content and the `parameters` object that marks hidden messages
//! (PROTOCOL.md §3.9.1, §3.9.8).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The exact text of the hidden message that opens a live chat (§3.7).
pub const BEGIN_CONVERSATION_TEXT: &str = "Begin Conversation";

/// `messageContent.parameters`: free-form flags attached to a message.
///
/// Kept exactly as received because real captures carry `"parameters": []` (an empty *array*)
/// as well as objects, and re-encoding must not turn one into the other. iOS also accepts an
/// array of objects and merges them (a later object wins), which [`get`](Self::get) mirrors.
/// Values of any JSON type are kept; only the boolean `true` counts as a set flag, as in both
/// SDKs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageParameters(Value);

impl MessageParameters {
    /// Live-chat "Begin Conversation" message.
    pub const IS_INITIAL_MESSAGE: &'static str = "isInitialMessage";
    /// Automatic reply the SDKs send when they cannot render an agent message.
    pub const IS_UNSUPPORTED_MESSAGE_TYPE_ANSWER: &'static str = "isUnsupportedMessageTypeAnswer";
    /// iOS answer to an inactivity popup.
    pub const IS_INACTIVITY_POPUP_ANSWER: &'static str = "isInactivityPopupAnswer";

    /// An empty object, `{}` — what iOS sends when there are no parameters.
    pub fn new() -> Self {
        Self(Value::Object(Map::new()))
    }

    /// Wraps any JSON value as received.
    pub fn from_value(value: Value) -> Self {
        Self(value)
    }

    /// The JSON value as received.
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// The value of `key`: looked up in the object, or in the merged objects of an array.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.0 {
            Value::Object(map) => map.get(key),
            // iOS folds the array left to right, so the last object holding the key wins.
            Value::Array(items) => items
                .iter()
                .rev()
                .find_map(|item| item.as_object()?.get(key)),
            _ => None,
        }
    }

    /// Whether `key` is set to the boolean `true` (`"true"` or `1` do not count, as in the SDKs).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }

    /// Returns the parameters with `key` set to `value`. A non-object form (an array, or
    /// anything else) is first replaced by the object it stands for.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        if !self.0.is_object() {
            let mut merged = Map::new();
            if let Value::Array(items) = &self.0 {
                for object in items.iter().filter_map(Value::as_object) {
                    merged.extend(object.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            self.0 = Value::Object(merged);
        }
        if let Value::Object(map) = &mut self.0 {
            map.insert(key.into(), value.into());
        }
        self
    }

    /// `isInitialMessage: true`.
    pub fn is_initial_message(&self) -> bool {
        self.flag(Self::IS_INITIAL_MESSAGE)
    }

    /// `isUnsupportedMessageTypeAnswer: true`.
    pub fn is_unsupported_message_type_answer(&self) -> bool {
        self.flag(Self::IS_UNSUPPORTED_MESSAGE_TYPE_ANSWER)
    }

    /// `isInactivityPopupAnswer: true`.
    pub fn is_inactivity_popup_answer(&self) -> bool {
        self.flag(Self::IS_INACTIVITY_POPUP_ANSWER)
    }

    /// Whether any of the three flags that hide a message from the transcript is set (the iOS
    /// rule; Android's is narrower, see [`TextContent::is_hidden`]).
    pub fn has_hiding_flag(&self) -> bool {
        self.is_initial_message()
            || self.is_unsupported_message_type_answer()
            || self.is_inactivity_popup_answer()
    }
}

impl Default for MessageParameters {
    fn default() -> Self {
        Self::new()
    }
}

/// `TEXT` content: `{ "type": "TEXT", "payload": { "text": … }, "postback"?, "parameters"?, "fallbackText"? }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextContent {
    /// `payload.text`.
    pub text: String,
    /// The top-level `postback`: `None` when the key is absent, `Some(None)` for an explicit
    /// `null` (iOS always writes it), `Some(Some(p))` for a quick-reply / list-picker answer.
    pub postback: Option<Option<String>>,
    /// `parameters`, when present and not `null`.
    pub parameters: Option<MessageParameters>,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

impl TextContent {
    /// The minimal form `{ "type": "TEXT", "payload": { "text": … } }` — what Android sends
    /// when there is no postback and no parameters, and what the back end sends for agents.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            postback: None,
            parameters: None,
            fallback_text: None,
        }
    }

    /// The iOS `SendMessage` form: `{ "type": "TEXT", "payload": { "text": … }, "parameters": {},
    /// "postback": null }` — iOS always writes both keys.
    pub fn outgoing(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            postback: Some(None),
            parameters: Some(MessageParameters::new()),
            fallback_text: None,
        }
    }

    /// Sets the postback (the answer to a quick reply or list picker button).
    pub fn with_postback(mut self, postback: impl Into<String>) -> Self {
        self.postback = Some(Some(postback.into()));
        self
    }

    /// Sets the parameters.
    pub fn with_parameters(mut self, parameters: MessageParameters) -> Self {
        self.parameters = Some(parameters);
        self
    }

    /// Sets the fallback text.
    pub fn with_fallback_text(mut self, fallback_text: impl Into<String>) -> Self {
        self.fallback_text = Some(fallback_text.into());
        self
    }

    /// The postback, when one is set.
    pub fn postback(&self) -> Option<&str> {
        self.postback.as_ref()?.as_deref()
    }

    /// Whether the parameters set `key` to `true`.
    pub fn flag(&self, key: &str) -> bool {
        self.parameters.as_ref().is_some_and(|p| p.flag(key))
    }

    /// The live-chat opener: text exactly `Begin Conversation` and `isInitialMessage: true`
    /// (Android's rule for hiding it).
    pub fn is_begin_conversation(&self) -> bool {
        self.text == BEGIN_CONVERSATION_TEXT && self.flag(MessageParameters::IS_INITIAL_MESSAGE)
    }

    /// Whether the SDKs hide this message from the transcript. iOS hides every message with
    /// one of the three parameter flags set; Android hides unsupported-content answers and the
    /// `Begin Conversation` opener — a subset of the iOS rule, so the iOS rule is used.
    pub fn is_hidden(&self) -> bool {
        self.parameters
            .as_ref()
            .is_some_and(MessageParameters::has_hiding_flag)
    }
}

/// `POSTBACK` content: `{ "type": "POSTBACK", "payload": { "text": …, "postback": … }, "postback"? }`.
///
/// Android sends inactivity-popup answers this way (with the top-level `postback` repeating
/// the payload's); both SDKs drop received `POSTBACK` messages from the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct PostbackContent {
    /// `payload.text` — the label of the chosen button.
    pub text: String,
    /// `payload.postback` — the button's postback.
    pub postback: String,
    /// The top-level `postback` (absent / `null` / value, as for [`TextContent::postback`]).
    pub message_postback: Option<Option<String>>,
    /// `parameters`, when present and not `null`.
    pub parameters: Option<MessageParameters>,
    /// `fallbackText`.
    pub fallback_text: Option<String>,
}

impl PostbackContent {
    /// Android's form: `{ "type": "POSTBACK", "payload": { "text": …, "postback": … }, "postback": … }`.
    pub fn new(text: impl Into<String>, postback: impl Into<String>) -> Self {
        let postback = postback.into();
        Self {
            text: text.into(),
            message_postback: Some(Some(postback.clone())),
            postback,
            parameters: None,
            fallback_text: None,
        }
    }
}

/// Deserializes a field that distinguishes an absent key (`None`, via `#[serde(default)]`)
/// from an explicit `null` (`Some(None)`).
pub(super) fn absent_or_nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `TEXT` on the wire, without `type`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TextWire {
    payload: TextPayloadWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<MessageParameters>,
    #[serde(
        default,
        deserialize_with = "absent_or_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    postback: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "super::fallback_text",
        skip_serializing_if = "Option::is_none"
    )]
    fallback_text: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct TextPayloadWire {
    text: String,
}

impl From<TextWire> for TextContent {
    fn from(w: TextWire) -> Self {
        Self {
            text: w.payload.text,
            postback: w.postback,
            parameters: w.parameters,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&TextContent> for TextWire {
    fn from(c: &TextContent) -> Self {
        Self {
            payload: TextPayloadWire {
                text: c.text.clone(),
            },
            parameters: c.parameters.clone(),
            postback: c.postback.clone(),
            fallback_text: c.fallback_text.clone(),
        }
    }
}

/// `POSTBACK` on the wire, without `type`. iOS requires both payload fields.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PostbackWire {
    payload: PostbackPayloadWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<MessageParameters>,
    #[serde(
        default,
        deserialize_with = "absent_or_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    postback: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "super::fallback_text",
        skip_serializing_if = "Option::is_none"
    )]
    fallback_text: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PostbackPayloadWire {
    text: String,
    postback: String,
}

impl From<PostbackWire> for PostbackContent {
    fn from(w: PostbackWire) -> Self {
        Self {
            text: w.payload.text,
            postback: w.payload.postback,
            message_postback: w.postback,
            parameters: w.parameters,
            fallback_text: w.fallback_text,
        }
    }
}

impl From<&PostbackContent> for PostbackWire {
    fn from(c: &PostbackContent) -> Self {
        Self {
            payload: PostbackPayloadWire {
                text: c.text.clone(),
                postback: c.postback.clone(),
            },
            parameters: c.parameters.clone(),
            postback: c.message_postback.clone(),
            fallback_text: c.fallback_text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn array_parameters_are_merged_like_ios_does() {
        let p = MessageParameters::from_value(
            json!([{ "isInitialMessage": false }, { "isInitialMessage": true }]),
        );
        assert!(p.is_initial_message());
        assert!(!MessageParameters::from_value(json!([])).has_hiding_flag());
        assert!(
            !MessageParameters::from_value(json!({ "isInitialMessage": "true" }))
                .is_initial_message()
        );
    }

    #[test]
    fn setting_a_flag_on_an_array_turns_it_into_the_merged_object() {
        let p = MessageParameters::from_value(json!([{ "a": 1 }]))
            .with("isInactivityPopupAnswer", true);
        assert_eq!(
            p.as_value(),
            &json!({ "a": 1, "isInactivityPopupAnswer": true })
        );
    }
}
