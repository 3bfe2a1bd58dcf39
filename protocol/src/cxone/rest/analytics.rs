//! Analytics (visitor) events, `POST /web-analytics/1.0/tenants/{brandId}/visitors/{visitorId}/events`
//! (PROTOCOL.md §1.6). Responses are ignored by every SDK.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::cxone::common::{IdRef, UuidString};
use crate::cxone::time::Timestamp;

/// One analytics event: `{ "id", "type", "visitId", "destination": { "id" },
/// "createdAtWithMilliseconds", "data" }`. `type` and `data` live in [`AnalyticsEventData`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EventWire", into = "EventWire")]
pub struct AnalyticsEvent {
    /// Event id (a fresh UUID per event).
    pub id: UuidString,
    /// The current visit (a visit lasts 30 minutes after the last page view).
    pub visit_id: UuidString,
    /// The SDK session's destination.
    pub destination: IdRef,
    /// When it happened, with milliseconds (`…53.654Z`; Android writes a lowercase `z`).
    pub created_at_with_milliseconds: Timestamp,
    /// The type and its data.
    pub data: AnalyticsEventData,
}

impl AnalyticsEvent {
    /// An event with a fresh lowercase id.
    pub fn new(
        visit_id: UuidString,
        destination_id: impl Into<String>,
        at: Timestamp,
        data: AnalyticsEventData,
    ) -> Self {
        Self {
            id: UuidString::new_v4(),
            visit_id,
            destination: IdRef::new(destination_id),
            created_at_with_milliseconds: at,
            data,
        }
    }
}

/// `type` with its `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyticsEventData {
    /// `VisitorVisit`, data `{}`: a new visit started.
    VisitorVisit,
    /// `PageView`.
    PageView(PageView),
    /// `TimeSpentOnPage`.
    TimeSpentOnPage(TimeSpentOnPage),
    /// `ChatWindowOpened`, data `{}`.
    ChatWindowOpened,
    /// `Conversion`.
    Conversion(Conversion),
    /// `ProactiveActionDisplayed` (Android also labels custom visitor events this way).
    ProactiveActionDisplayed(ProactiveAction),
    /// `ProactiveActionClicked`.
    ProactiveActionClicked(ProactiveAction),
    /// `ProactiveActionSuccess`.
    ProactiveActionSuccess(ProactiveAction),
    /// `ProactiveActionFailed`.
    ProactiveActionFailed(ProactiveAction),
    /// `Custom`: free-form data.
    Custom(Value),
    /// Any other type, with its data as received.
    Other {
        /// The `type`.
        event_type: String,
        /// The `data`.
        data: Value,
    },
}

/// `PageView` data: `{ "title", "url" }` (the URL may be any page identifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    /// Page title.
    pub title: String,
    /// Page identifier.
    pub url: String,
}

/// `TimeSpentOnPage` data: `{ "url", "title", "timeSpentOnPage" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeSpentOnPage {
    /// Page identifier.
    pub url: String,
    /// Page title.
    pub title: String,
    /// Whole seconds since the matching page view (Android: at least 1).
    pub time_spent_on_page: u64,
}

/// `Conversion` data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversion {
    /// Kind of conversion.
    pub conversion_type: String,
    /// Value; kept as the JSON number it is (iOS sends a decimal, Android an integer).
    pub conversion_value: Number,
    /// When it happened.
    pub conversion_time_with_milliseconds: Timestamp,
}

/// `ProactiveAction*` data: `{ "actionId", "actionName", "actionType" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProactiveAction {
    /// Action id (UUID).
    pub action_id: String,
    /// Action name.
    pub action_name: String,
    /// `WelcomeMessage` or `CustomPopupBox`.
    pub action_type: String,
}

/// Wire `type` names.
mod types {
    pub(super) const VISITOR_VISIT: &str = "VisitorVisit";
    pub(super) const PAGE_VIEW: &str = "PageView";
    pub(super) const TIME_SPENT_ON_PAGE: &str = "TimeSpentOnPage";
    pub(super) const CHAT_WINDOW_OPENED: &str = "ChatWindowOpened";
    pub(super) const CONVERSION: &str = "Conversion";
    pub(super) const PROACTIVE_ACTION_DISPLAYED: &str = "ProactiveActionDisplayed";
    pub(super) const PROACTIVE_ACTION_CLICKED: &str = "ProactiveActionClicked";
    pub(super) const PROACTIVE_ACTION_SUCCESS: &str = "ProactiveActionSuccess";
    pub(super) const PROACTIVE_ACTION_FAILED: &str = "ProactiveActionFailed";
    pub(super) const CUSTOM: &str = "Custom";
}

impl AnalyticsEventData {
    /// The wire `type`.
    pub fn event_type(&self) -> &str {
        match self {
            Self::VisitorVisit => types::VISITOR_VISIT,
            Self::PageView(_) => types::PAGE_VIEW,
            Self::TimeSpentOnPage(_) => types::TIME_SPENT_ON_PAGE,
            Self::ChatWindowOpened => types::CHAT_WINDOW_OPENED,
            Self::Conversion(_) => types::CONVERSION,
            Self::ProactiveActionDisplayed(_) => types::PROACTIVE_ACTION_DISPLAYED,
            Self::ProactiveActionClicked(_) => types::PROACTIVE_ACTION_CLICKED,
            Self::ProactiveActionSuccess(_) => types::PROACTIVE_ACTION_SUCCESS,
            Self::ProactiveActionFailed(_) => types::PROACTIVE_ACTION_FAILED,
            Self::Custom(_) => types::CUSTOM,
            Self::Other { event_type, .. } => event_type,
        }
    }

    /// The `data` object.
    pub fn to_data(&self) -> Value {
        match self {
            Self::VisitorVisit | Self::ChatWindowOpened => Value::Object(Map::new()),
            Self::PageView(d) => json(d),
            Self::TimeSpentOnPage(d) => json(d),
            Self::Conversion(d) => json(d),
            Self::ProactiveActionDisplayed(d)
            | Self::ProactiveActionClicked(d)
            | Self::ProactiveActionSuccess(d)
            | Self::ProactiveActionFailed(d) => json(d),
            Self::Custom(data) | Self::Other { data, .. } => data.clone(),
        }
    }

    /// Reads `data` for `event_type`. Known types must carry their fields; the data of
    /// `VisitorVisit` and `ChatWindowOpened` is not inspected (it is `{}`).
    pub fn from_parts(event_type: &str, data: Value) -> Result<Self, serde_json::Error> {
        Ok(match event_type {
            types::VISITOR_VISIT => Self::VisitorVisit,
            types::CHAT_WINDOW_OPENED => Self::ChatWindowOpened,
            types::PAGE_VIEW => Self::PageView(serde_json::from_value(data)?),
            types::TIME_SPENT_ON_PAGE => Self::TimeSpentOnPage(serde_json::from_value(data)?),
            types::CONVERSION => Self::Conversion(serde_json::from_value(data)?),
            types::PROACTIVE_ACTION_DISPLAYED => {
                Self::ProactiveActionDisplayed(serde_json::from_value(data)?)
            }
            types::PROACTIVE_ACTION_CLICKED => {
                Self::ProactiveActionClicked(serde_json::from_value(data)?)
            }
            types::PROACTIVE_ACTION_SUCCESS => {
                Self::ProactiveActionSuccess(serde_json::from_value(data)?)
            }
            types::PROACTIVE_ACTION_FAILED => {
                Self::ProactiveActionFailed(serde_json::from_value(data)?)
            }
            types::CUSTOM => Self::Custom(data),
            other => Self::Other {
                event_type: other.to_owned(),
                data,
            },
        })
    }
}

/// Typed data as JSON; infallible for these plain structs.
fn json<T: Serialize>(data: &T) -> Value {
    serde_json::to_value(data).expect("analytics data is plain JSON")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventWire {
    id: UuidString,
    #[serde(rename = "type")]
    event_type: String,
    visit_id: UuidString,
    destination: IdRef,
    created_at_with_milliseconds: Timestamp,
    data: Value,
}

impl TryFrom<EventWire> for AnalyticsEvent {
    type Error = String;

    fn try_from(w: EventWire) -> Result<Self, Self::Error> {
        let data = AnalyticsEventData::from_parts(&w.event_type, w.data)
            .map_err(|e| format!("data of a {} event: {e}", w.event_type))?;
        Ok(Self {
            id: w.id,
            visit_id: w.visit_id,
            destination: w.destination,
            created_at_with_milliseconds: w.created_at_with_milliseconds,
            data,
        })
    }
}

impl From<AnalyticsEvent> for EventWire {
    fn from(e: AnalyticsEvent) -> Self {
        Self {
            id: e.id,
            event_type: e.data.event_type().to_owned(),
            visit_id: e.visit_id,
            destination: e.destination,
            created_at_with_milliseconds: e.created_at_with_milliseconds,
            data: e.data.to_data(),
        }
    }
}
