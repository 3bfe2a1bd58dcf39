//! Host application life cycle: foreground and background (`app.*`).
//!
//! These do what a mobile SDK integration does around its screen's life cycle, so a host
//! application only reports the transitions. Failures along the way are reported as `error`
//! events and logged rather than failing the call: a background step that cannot reach the back
//! end must not stop the host.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SessionParams, define_methods};
use crate::rpc::types::{SessionName, SessionState};

define_methods! {
    group = "lifecycle";

    /// Prepares again if needed, starts or extends the analytics visit, reconnects if the session
    /// was connected before going to the background, re-authorizes the customer and recovers the
    /// threads. The session must have been prepared once (`session.prepare`).
    AppForeground = "app.foreground" {
        summary: "Tells the daemon the host application became active.",
        params: SessionParams,
        result: SessionState,
        errors: [UnknownSession],
    }

    /// Sends the time spent on the current page, stops page-view timing and, if configured (or
    /// asked with `disconnect`), drops the connection while keeping all state.
    AppBackground = "app.background" {
        summary: "Tells the daemon the host application went to the background.",
        params: AppBackgroundParams,
        result: SessionState,
        errors: [UnknownSession],
    }
}

/// The params of `app.background`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppBackgroundParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// Whether to drop the connection; the daemon's configuration decides when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnect: Option<bool>,
}
