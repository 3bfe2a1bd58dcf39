//! The live-chat inactivity popup (PROTOCOL.md §3.9.7): a `PLUGIN` whose first element has
//! type `INACTIVITY_POPUP`, with a title, two texts, a countdown and two buttons.
//!
//! Recognition follows iOS, the more tolerant SDK: children are picked by type, not position
//! (Android insists on the order title, text, countdown, text, button, button — which
//! [`InactivityPopup::to_element`] always writes), children of other types are ignored, and
//! the refresh ("Yes") and expire ("No") buttons are told apart by the `isExpired` flag of the
//! JSON in their postbacks. A popup that does not fit stays a generic, unsupported
//! [`PluginContent`](super::PluginContent).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::plugin::{PluginElement, PluginPayload};
use crate::cxone::common::UuidString;
use crate::cxone::time::Timestamp;

/// The JSON carried as a string in each popup button's postback:
/// `{"type":"sessionExpiration","isExpired":false,"workflowJobId":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionExpirationPostback {
    /// Always `sessionExpiration`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `false` on the refresh ("keep chatting") button, `true` on the expire button.
    pub is_expired: bool,
    /// The workflow job that is waiting for the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_job_id: Option<String>,
}

impl SessionExpirationPostback {
    /// The value of `type`.
    pub const TYPE: &'static str = "sessionExpiration";

    /// The refresh button's postback.
    pub fn refresh(workflow_job_id: impl Into<String>) -> Self {
        Self {
            kind: Self::TYPE.to_owned(),
            is_expired: false,
            workflow_job_id: Some(workflow_job_id.into()),
        }
    }

    /// The expire button's postback.
    pub fn expire(workflow_job_id: impl Into<String>) -> Self {
        Self {
            kind: Self::TYPE.to_owned(),
            is_expired: true,
            workflow_job_id: Some(workflow_job_id.into()),
        }
    }

    /// Parses a button's postback string.
    pub fn parse(postback: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(postback)
    }

    /// The compact JSON text that goes into a button's postback.
    pub fn to_postback(&self) -> String {
        serde_json::to_string(self).expect("plain JSON object")
    }
}

/// A `TITLE` or `TEXT` child: `{ "id", "type", "text" }`. iOS requires the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopupText {
    /// Element id.
    pub id: String,
    /// The text.
    pub text: String,
}

/// The `COUNTDOWN` child: `{ "id", "type", "variables": { "startedAt", "numberOfSeconds" } }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopupCountdown {
    /// Element id.
    pub id: String,
    /// When the countdown started (iOS rejects fractional seconds here; send whole seconds).
    pub started_at: Timestamp,
    /// Length of the countdown in seconds.
    pub number_of_seconds: u64,
}

impl PopupCountdown {
    /// Unix milliseconds at which the countdown runs out.
    pub fn expires_at_unix_ms(&self) -> i64 {
        let length_ms =
            i64::try_from(self.number_of_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.started_at.unix_ms().saturating_add(length_ms)
    }
}

/// A `BUTTON` child: `{ "id", "type", "text", "postback" }`. iOS parses the id as a UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopupButton {
    /// Element id.
    pub id: UuidString,
    /// Label, also the text of the answer message.
    pub text: String,
    /// The postback exactly as received; the answer must repeat it verbatim.
    pub postback: String,
}

impl PopupButton {
    /// A button whose postback is `session` serialized.
    pub fn new(
        id: UuidString,
        text: impl Into<String>,
        session: &SessionExpirationPostback,
    ) -> Self {
        Self {
            id,
            text: text.into(),
            postback: session.to_postback(),
        }
    }

    /// The parsed postback.
    pub fn session_expiration(&self) -> Result<SessionExpirationPostback, serde_json::Error> {
        SessionExpirationPostback::parse(&self.postback)
    }
}

/// Why an element is not a usable inactivity popup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PopupError {
    /// The element has another type.
    #[error("element type is {0:?}, not INACTIVITY_POPUP")]
    NotAPopup(String),
    /// A required child or field is missing.
    #[error("inactivity popup has no {0}")]
    Missing(&'static str),
    /// A child is present but unusable.
    #[error("invalid {element} in inactivity popup: {reason}")]
    Invalid {
        /// Which child.
        element: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The two button postbacks do not carry one `isExpired: false` and one `isExpired: true`.
    #[error(
        "inactivity popup buttons cannot be told apart: expected one postback with isExpired false and one with true"
    )]
    AmbiguousButtons,
}

/// An inactivity popup, decoded from its `INACTIVITY_POPUP` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InactivityPopup {
    /// Id of the `INACTIVITY_POPUP` element.
    pub id: String,
    /// The `TITLE` child.
    pub title: PopupText,
    /// The first `TEXT` child.
    pub body: PopupText,
    /// The second `TEXT` child ("Do you wish to continue?").
    pub call_to_action: PopupText,
    /// The `COUNTDOWN` child.
    pub countdown: PopupCountdown,
    /// The button whose postback says `isExpired: false`.
    pub refresh: PopupButton,
    /// The button whose postback says `isExpired: true`.
    pub expire: PopupButton,
}

impl InactivityPopup {
    /// The element type that marks the popup.
    pub const ELEMENT_TYPE: &'static str = "INACTIVITY_POPUP";

    /// Reads a popup from its `INACTIVITY_POPUP` element.
    pub fn from_element(element: &PluginElement) -> Result<Self, PopupError> {
        if element.element_type != Self::ELEMENT_TYPE {
            return Err(PopupError::NotAPopup(element.element_type.clone()));
        }
        let id = element.id.clone().ok_or(PopupError::Missing("id"))?;
        let of_type =
            |t: &'static str| element.elements.iter().filter(move |e| e.element_type == t);
        let mut texts = of_type("TEXT");
        let mut buttons = of_type("BUTTON");
        let title = popup_text(of_type("TITLE").next(), "TITLE element")?;
        let body = popup_text(texts.next(), "TEXT element")?;
        let call_to_action = popup_text(texts.next(), "second TEXT element")?;
        let countdown = countdown(of_type("COUNTDOWN").next())?;
        let first = button(buttons.next(), "BUTTON element")?;
        let second = button(buttons.next(), "second BUTTON element")?;
        let (refresh, expire) = match (first.1.is_expired, second.1.is_expired) {
            (false, true) => (first.0, second.0),
            (true, false) => (second.0, first.0),
            _ => return Err(PopupError::AmbiguousButtons),
        };
        Ok(Self {
            id,
            title,
            body,
            call_to_action,
            countdown,
            refresh,
            expire,
        })
    }

    /// The `INACTIVITY_POPUP` element, children in the order Android requires: title, text,
    /// countdown, text, refresh button, expire button.
    pub fn to_element(&self) -> PluginElement {
        let text =
            |t: &PopupText, kind: &str| PluginElement::new(kind).with_id(&t.id).with_text(&t.text);
        let button = |b: &PopupButton| {
            PluginElement::new("BUTTON")
                .with_id(b.id.as_str())
                .with_text(&b.text)
                .with_postback(&b.postback)
        };
        let countdown = PluginElement::new("COUNTDOWN")
            .with_id(&self.countdown.id)
            .with_variables(json!({
                "startedAt": self.countdown.started_at,
                "numberOfSeconds": self.countdown.number_of_seconds,
            }));
        PluginElement::new(Self::ELEMENT_TYPE)
            .with_id(&self.id)
            .with_elements(vec![
                text(&self.title, "TITLE"),
                text(&self.body, "TEXT"),
                countdown,
                text(&self.call_to_action, "TEXT"),
                button(&self.refresh),
                button(&self.expire),
            ])
    }

    /// The text iOS shows as the popup message: body and call to action joined by a space.
    pub fn message(&self) -> String {
        format!("{} {}", self.body.text, self.call_to_action.text)
    }
}

/// An inactivity popup as message content. Re-encodes to exactly the JSON it was decoded from
/// (either the usual `PLUGIN` form or iOS's alternative top-level `INACTIVITY_POPUP` form).
#[derive(Debug, Clone, PartialEq)]
pub struct InactivityPopupContent {
    raw: Map<String, Value>,
    popup: InactivityPopup,
}

impl InactivityPopupContent {
    /// Builds `{ "type": "PLUGIN", "fallbackText"?, "payload": { "postback": "", "elements": [popup] } }`.
    pub fn new(popup: InactivityPopup, fallback_text: Option<String>) -> Self {
        let payload = PluginPayload {
            postback: Some(String::new()),
            elements: vec![popup.to_element()],
        };
        let mut raw = Map::new();
        raw.insert("type".to_owned(), Value::String("PLUGIN".to_owned()));
        if let Some(text) = fallback_text {
            raw.insert("fallbackText".to_owned(), Value::String(text));
        }
        raw.insert(
            "payload".to_owned(),
            serde_json::to_value(payload).expect("plugin payload is plain JSON"),
        );
        Self { raw, popup }
    }

    pub(super) fn from_parts(raw: Map<String, Value>, popup: InactivityPopup) -> Self {
        Self { raw, popup }
    }

    /// The popup.
    pub fn popup(&self) -> &InactivityPopup {
        &self.popup
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

fn popup_text(
    element: Option<&PluginElement>,
    name: &'static str,
) -> Result<PopupText, PopupError> {
    let element = element.ok_or(PopupError::Missing(name))?;
    let missing = |field: &str| PopupError::Invalid {
        element: name,
        reason: format!("missing {field}"),
    };
    Ok(PopupText {
        id: element.id.clone().ok_or_else(|| missing("id"))?,
        text: element.text.clone().ok_or_else(|| missing("text"))?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountdownVariables {
    started_at: Timestamp,
    number_of_seconds: u64,
}

fn countdown(element: Option<&PluginElement>) -> Result<PopupCountdown, PopupError> {
    const NAME: &str = "COUNTDOWN element";
    let element = element.ok_or(PopupError::Missing(NAME))?;
    let invalid = |reason: String| PopupError::Invalid {
        element: NAME,
        reason,
    };
    let id = element
        .id
        .clone()
        .ok_or_else(|| invalid("missing id".to_owned()))?;
    let variables = element
        .variables
        .as_ref()
        .ok_or_else(|| invalid("missing variables".to_owned()))?;
    let vars = CountdownVariables::deserialize(variables)
        .map_err(|e| invalid(format!("variables: {e}")))?;
    Ok(PopupCountdown {
        id,
        started_at: vars.started_at,
        number_of_seconds: vars.number_of_seconds,
    })
}

fn button(
    element: Option<&PluginElement>,
    name: &'static str,
) -> Result<(PopupButton, SessionExpirationPostback), PopupError> {
    let element = element.ok_or(PopupError::Missing(name))?;
    let invalid = |reason: String| PopupError::Invalid {
        element: name,
        reason,
    };
    let id = element
        .id
        .as_deref()
        .ok_or_else(|| invalid("missing id".to_owned()))?;
    let id = UuidString::parse(id).map_err(|e| invalid(e.to_string()))?;
    let text = element
        .text
        .clone()
        .ok_or_else(|| invalid("missing text".to_owned()))?;
    let postback = element
        .postback
        .clone()
        .ok_or_else(|| invalid("missing postback".to_owned()))?;
    let session = SessionExpirationPostback::parse(&postback)
        .map_err(|e| invalid(format!("postback: {e}")))?;
    if session.kind != SessionExpirationPostback::TYPE {
        return Err(invalid(format!(
            "postback type is {:?}, not {:?}",
            session.kind,
            SessionExpirationPostback::TYPE
        )));
    }
    Ok((PopupButton { id, text, postback }, session))
}
