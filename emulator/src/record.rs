//! The record of everything the emulator received — WebSocket frames and REST calls — so that
//! a test can prove what reached the back end, in what order and how many times
//! (`GET /admin/received`).

use serde::Serialize;
use serde_json::Value;

/// One received thing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record {
    /// Position in the record, from 1.
    pub seq: u64,
    /// `ws` or `rest`.
    pub transport: &'static str,
    /// `AuthorizeCustomer`, `heartbeat`, `PUT /web-analytics/…`, `malformed`, …
    pub kind: String,
    /// The connection, for WebSocket frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<u64>,
    /// Brand and channel, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<i64>,
    /// Channel id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The frame or body as received (JSON when it parsed, a string otherwise).
    pub body: Value,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
}
