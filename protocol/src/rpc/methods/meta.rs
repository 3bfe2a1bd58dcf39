//! Meta methods: discovery, version, health and logging (`rpc.*`, `daemon.*`).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{NoParams, define_methods};
use crate::rpc::types::SessionStatus;

define_methods! {
    group = "meta";

    /// The same document is committed as `protocol/openrpc.json`.
    RpcDiscover = "rpc.discover" {
        summary: "Returns the OpenRPC document describing every method, error and event of this API.",
        params: NoParams,
        result: OpenRpcDocument,
        errors: [],
    }

    /// Cheap and always available, even before the daemon is ready: use it to check that the
    /// socket works and which protocol version the daemon speaks.
    DaemonInfo = "daemon.info" {
        summary: "Returns the daemon's version, protocol version, capabilities and limits.",
        params: NoParams,
        result: DaemonInfoResult,
        errors: [],
    }

    DaemonStatus = "daemon.status" {
        summary: "Returns the daemon's health: readiness, uptime, sessions with their chat and connection state, clients and queue depths.",
        params: NoParams,
        result: DaemonStatusResult,
        errors: [],
    }

    /// The change lasts until the daemon restarts or its configuration is reloaded.
    DaemonSetLogLevel = "daemon.setLogLevel" {
        summary: "Changes the daemon's log level, for everything or for one module.",
        params: DaemonSetLogLevelParams,
        result: DaemonSetLogLevelResult,
        errors: [InvalidParameter],
    }
}

/// The OpenRPC document (`rpc.discover`), as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpenRpcDocument(pub Value);

impl JsonSchema for OpenRpcDocument {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "OpenRpcDocument".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "$ref": "https://meta.open-rpc.org/" })
    }
}

/// The result of `daemon.info`.
// Its texts are `Cow`s so that the daemon answers with its own constants, not copies of them
// (a client reads owned strings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonInfoResult {
    /// Always `cxone-chatd`.
    pub name: Cow<'static, str>,
    /// The daemon's version.
    pub version: Cow<'static, str>,
    /// The local API's version (semver); within one major version changes are additive.
    pub protocol_version: Cow<'static, str>,
    /// Optional features this daemon has, e.g. `batch`, `events.poll`, `attachments.path`.
    pub capabilities: Vec<Cow<'static, str>>,
    /// The limits a client must stay within.
    pub limits: Limits,
}

/// Limits a client must stay within.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// The longest line accepted, in bytes, without its newline.
    pub max_line_length: u64,
    /// The most items accepted in one batch.
    pub max_batch_length: u64,
    /// How many events the replay buffer holds.
    pub event_buffer_size: u64,
    /// The longest `timeoutMs` `events.poll` honours.
    pub max_poll_timeout_ms: u64,
}

/// The result of `daemon.status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonStatusResult {
    /// Whether the daemon serves every method (the same as `state == "ready"`).
    pub ready: bool,
    /// The daemon's life-cycle state.
    pub state: DaemonState,
    /// Time since start, in milliseconds.
    pub uptime_ms: u64,
    /// Every session.
    pub sessions: Vec<SessionStatus>,
    /// Every connected client.
    pub clients: Vec<ClientStatus>,
    /// The event stream.
    pub events: EventStreamStatus,
}

/// The daemon's life-cycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum DaemonState {
    /// Loading state; most methods answer `daemonNotReady`.
    Starting,
    /// Serving.
    Ready,
    /// Shutting down; new calls are refused.
    Draining,
}

/// One connected client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientStatus {
    /// The connection's id, as in the daemon's log.
    pub id: u64,
    /// The peer's process id, when the socket tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The peer's user id, when the socket tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Its event subscriptions.
    pub subscriptions: u32,
    /// Calls it has in progress.
    pub pending_requests: u32,
    /// Messages waiting to be written to it.
    pub queued_messages: u32,
}

/// The state of the event stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventStreamStatus {
    /// This daemon run's epoch.
    pub epoch: String,
    /// The `seq` of the newest event (0 before the first).
    pub seq: u64,
    /// Events held in the replay buffer.
    pub buffered: u64,
    /// The replay buffer's capacity.
    pub capacity: u64,
}

/// The params of `daemon.setLogLevel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DaemonSetLogLevelParams {
    /// The new level.
    pub level: LogLevel,
    /// A module path (e.g. `cxone_chatd::gateway`) to change only its level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// A log level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Failures only.
    Error,
    /// Failures and anomalies.
    Warn,
    /// The default.
    Info,
    /// Details for diagnosis.
    Debug,
    /// Everything, including wire traffic summaries.
    Trace,
}

/// The result of `daemon.setLogLevel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetLogLevelResult {
    /// The log filter now in force, in `tracing` env-filter syntax (e.g. `info,cxone_chatd::gateway=debug`).
    pub filter: String,
}
