//! `PLUGIN` content: a tree of elements (PROTOCOL.md §3.9.7, §3.9.8).
//!
//! The mobile SDKs render exactly one plugin, the inactivity popup (see
//! [`inactivity`](super::inactivity)). Every other plugin — the legacy `MENU`, `GALLERY`,
//! `TEXT_AND_BUTTONS`, `QUICK_REPLIES`, `SATISFACTION_SURVEY`, `CUSTOM`, deep-link buttons — is
//! unsupported and shown through its `fallbackText`. Those are kept as [`PluginContent`]: the
//! raw JSON (re-emitted exactly) plus a parsed view of the element tree.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `payload` of a plugin: `{ "postback"?, "elements": [...] }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginPayload {
    /// Plugin-level postback (usually `""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// The top-level elements; the first one decides what the plugin is.
    #[serde(default)]
    pub elements: Vec<PluginElement>,
}

/// One node of a plugin's element tree: `{ "id"?, "type", "text"?, "postback"?, "url"?,
/// "fileName"?, "mimeType"?, "variables"?, "elements"? }`. Keys outside this set (e.g. the
/// lowercase `filename` of old `MENU` fixtures) are not part of the typed view but survive in
/// [`PluginContent::raw`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginElement {
    /// Element id (UUIDs on current servers, short ids on legacy ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Element type: `INACTIVITY_POPUP`, `TITLE`, `TEXT`, `BUTTON`, `COUNTDOWN`, `FILE`,
    /// `MENU`, `CUSTOM`, `IFRAME_BUTTON`, …
    #[serde(rename = "type")]
    pub element_type: String,
    /// Display text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Postback of a button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// Link or file URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// File name (`filename` in legacy `MENU` plugins).
    #[serde(default, alias = "filename", skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Free-form variables (`CUSTOM` plugins, the countdown of the inactivity popup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Value>,
    /// Child elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<PluginElement>,
}

impl PluginElement {
    /// An element of `element_type` with nothing else set.
    pub fn new(element_type: impl Into<String>) -> Self {
        Self {
            id: None,
            element_type: element_type.into(),
            text: None,
            postback: None,
            url: None,
            file_name: None,
            mime_type: None,
            variables: None,
            elements: Vec::new(),
        }
    }

    /// Sets the id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the postback.
    pub fn with_postback(mut self, postback: impl Into<String>) -> Self {
        self.postback = Some(postback.into());
        self
    }

    /// Sets the variables.
    pub fn with_variables(mut self, variables: Value) -> Self {
        self.variables = Some(variables);
        self
    }

    /// Sets the child elements.
    pub fn with_elements(mut self, elements: Vec<PluginElement>) -> Self {
        self.elements = elements;
        self
    }
}

/// A `PLUGIN` the SDKs cannot render. Re-encodes to exactly the JSON it was decoded from.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginContent {
    raw: Map<String, Value>,
    payload: PluginPayload,
}

impl PluginContent {
    /// The wire `type`.
    pub const TYPE: &'static str = "PLUGIN";

    /// Builds the content `{ "type": "PLUGIN", "payload": …, "fallbackText"? }` (e.g. for an
    /// emulator that wants to exercise a client's unsupported-content path).
    pub fn new(payload: PluginPayload, fallback_text: Option<String>) -> Self {
        let mut raw = Map::new();
        raw.insert("type".to_owned(), Value::String(Self::TYPE.to_owned()));
        // Infallible: every key is a string and every value plain data.
        raw.insert(
            "payload".to_owned(),
            serde_json::to_value(&payload).expect("plugin payload is plain JSON"),
        );
        if let Some(text) = fallback_text {
            raw.insert("fallbackText".to_owned(), Value::String(text));
        }
        Self { raw, payload }
    }

    pub(super) fn from_parts(raw: Map<String, Value>, payload: PluginPayload) -> Self {
        Self { raw, payload }
    }

    /// The element tree.
    pub fn payload(&self) -> &PluginPayload {
        &self.payload
    }

    /// The type of the first element (`MENU`, `CUSTOM`, …), which is what the plugin is.
    pub fn plugin_type(&self) -> Option<&str> {
        self.payload
            .elements
            .first()
            .map(|e| e.element_type.as_str())
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

/// A plugin on the wire, without `type`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PluginWire {
    pub(super) payload: PluginPayload,
    #[serde(
        default,
        deserialize_with = "super::fallback_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) fallback_text: Option<String>,
}
