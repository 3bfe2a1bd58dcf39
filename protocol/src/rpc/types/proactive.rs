//! Proactive actions: welcome messages and custom pop-ups the contact centre pushes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{CustomField, OpenInactivityPopup};

/// A proactive action pushed by the contact centre (`proactive.action`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveAction {
    /// The action's id (a UUID); report what happened with `analytics.proactiveAction`.
    pub action_id: String,
    /// The action's name, as configured.
    pub action_name: String,
    /// What kind of action it is.
    pub action_type: ProactiveActionType,
    /// What to show.
    pub content: ProactiveContent,
    /// Custom fields the action hands over to the customer.
    pub custom_fields: Vec<CustomField>,
}

/// The kinds of proactive action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ProactiveActionType {
    /// A greeting; the daemon also inserts it as the first message of the next new thread.
    WelcomeMessage,
    /// A pop-up for the host application to show.
    CustomPopupBox,
    /// Live chat: the contact centre asks whether the customer is still there
    /// (`content.inactivityPopup`); it is not reported with `analytics.proactiveAction`.
    InactivityPopup,
}

/// What a proactive action shows. Welcome messages have only `bodyText`, with its placeholders
/// already filled in by the daemon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveContent {
    /// The main text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Pop-up headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_text: Option<String>,
    /// Pop-up second headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_secondary_text: Option<String>,
    /// Pop-up picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Pop-up template variables, as configured.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub variables: Map<String, Value>,
    /// The inactivity popup, for actions of that type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_popup: Option<OpenInactivityPopup>,
}

/// What happened to a proactive action on the host's side, for `analytics.proactiveAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ProactiveActionOutcome {
    /// It was shown.
    Displayed,
    /// The customer clicked it.
    Clicked,
    /// It reached its goal (e.g. a chat started).
    Success,
    /// It could not be shown, or the customer dismissed it.
    Failed,
}
