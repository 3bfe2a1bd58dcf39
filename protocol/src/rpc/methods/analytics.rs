//! Visitor analytics: page views, chat window, conversions, proactive actions (`analytics.*`).
//!
//! All of them work from the `prepared` state on, without a connection: they go to the back end's
//! analytics REST endpoint. A visit lasts 30 minutes after the last page view; the daemon starts
//! a new one when needed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Empty, SessionParams, define_methods};
use crate::rpc::types::{ProactiveActionOutcome, ProactiveActionType, SessionName, Timestamp};

define_methods! {
    group = "analytics";

    /// If another page was being viewed, its time on page is reported first.
    AnalyticsPageView = "analytics.pageView" {
        summary: "Reports that the customer opened a page (screen) of the host application.",
        params: AnalyticsPageParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }

    /// Ignored unless `title` and `url` match the page last reported by `analytics.pageView`.
    AnalyticsPageViewEnded = "analytics.pageViewEnded" {
        summary: "Reports that the customer left the page, with the time spent on it.",
        params: AnalyticsPageParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }

    AnalyticsChatWindowOpen = "analytics.chatWindowOpen" {
        summary: "Reports that the customer opened the chat window.",
        params: SessionParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }

    AnalyticsConversion = "analytics.conversion" {
        summary: "Reports a conversion (e.g. a purchase) with its type and value.",
        params: AnalyticsConversionParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }

    /// Android's `customVisitor`: any JSON value, sent over the connection as a
    /// `StoreVisitorEvents` frame exactly as Android sends it (labelled
    /// `ProactiveActionDisplayed`, an SDK quirk the back end expects). Unlike the other
    /// analytics it needs a connection. An extension beyond PRODUCT.md §3 (docs/parity.md).
    AnalyticsCustomVisitorEvent = "analytics.customVisitorEvent" {
        summary: "Sends a custom visitor event: any JSON value the contact centre has agreed with the host.",
        params: AnalyticsCustomVisitorEventParams,
        result: Empty,
        errors: [UnknownSession, NotConnected, InvalidParameter],
    }

    AnalyticsProactiveAction = "analytics.proactiveAction" {
        summary: "Reports what happened to a proactive action: displayed, clicked, success or failed.",
        params: AnalyticsProactiveActionParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }
}

/// The params of `analytics.pageView` and `analytics.pageViewEnded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsPageParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The page's title, e.g. `Basket`.
    pub title: String,
    /// The page's identifier; any URL-like string, e.g. `app://basket`.
    pub url: String,
}

/// The params of `analytics.conversion`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsConversionParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// What kind of conversion, e.g. `purchase`.
    pub conversion_type: String,
    /// Its value, e.g. the amount.
    pub conversion_value: f64,
    /// When it happened; now when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
}

/// The params of `analytics.proactiveAction`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsProactiveActionParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The action's id, from the `proactive.action` event.
    pub action_id: String,
    /// The action's name, from the event.
    pub action_name: String,
    /// The action's type, from the event.
    pub action_type: ProactiveActionType,
    /// What happened.
    pub outcome: ProactiveActionOutcome,
}

/// The params of `analytics.customVisitorEvent`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsCustomVisitorEventParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The event: any JSON value but `null`.
    pub data: serde_json::Value,
}
