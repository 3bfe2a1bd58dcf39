//! The configuration file's schema: every key, its default, and whether a reload (SIGHUP)
//! applies it. The same schema is filled from files, the environment and flags
//! (see [`super`]); `systemd/config.toml` documents each key for administrators.
//!
//! These are the daemon's own on-disk format (like the store's records), kept apart from
//! [`crate::options::Options`], which is what the daemon runs with.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Why a file's text does not fit the schema (the caller adds the file's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    /// Not valid TOML: the parser's message, with line and column, on one line.
    Syntax(String),
    /// A key is unknown or has the wrong type.
    BadKey {
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Checks one file's text against the schema: what `check-config` and start-up run on each
/// file. Pure (no I/O), so that it can be fuzzed on its own (`fuzz/`, target `config_toml`).
pub fn check(text: &str) -> Result<FileConfig, SchemaError> {
    let de = toml::Deserializer::parse(text)
        .map_err(|e| SchemaError::Syntax(e.to_string().trim().replace('\n', " ")))?;
    serde_path_to_error::deserialize::<_, FileConfig>(de).map_err(|e| SchemaError::BadKey {
        key: e.path().to_string(),
        message: e.inner().message().trim().to_owned(),
    })
}

/// The whole file. Every section and key is optional; unknown keys are errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// `[socket]`.
    pub socket: SocketSection,
    /// `[state]`.
    pub state: StateSection,
    /// `[log]`.
    pub log: LogSection,
    /// `[limits]`.
    pub limits: LimitsSection,
    /// `[shutdown]`.
    pub shutdown: ShutdownSection,
    /// `[health]`.
    pub health: HealthSection,
    /// `[sandbox]`.
    pub sandbox: SandboxSection,
    /// `[oauth]`.
    pub oauth: OauthSection,
    /// `[lifecycle]`.
    pub lifecycle: LifecycleSection,
    /// `[network]`.
    pub network: NetworkSection,
}

/// `[network]`: how the daemon reaches CXone. Every key is live: a reload (SIGHUP) applies it to
/// the connections opened afterwards, and reads `ca_file` and the credentials file again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSection {
    /// A PEM file of extra trust roots, added to the system's (a TLS-inspecting proxy's root,
    /// a private back end's) (live).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The proxy for REST and the WebSocket, `http://HOST:PORT`, `socks5://HOST:PORT` or
    /// `socks5h://HOST:PORT` (no credentials here); when not set, `HTTPS_PROXY`, `http_proxy`,
    /// `ALL_PROXY` and `NO_PROXY` are read as curl reads them (live).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// A file (0600) holding the proxy's `user:password` on one line (live).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_credentials_file: Option<PathBuf>,
    /// TCP, proxy and TLS connection setup, REST and WebSocket (live).
    pub connect_timeout_ms: u64,
    /// A whole REST request (uploads have their own, longer limit) (live).
    pub request_timeout_ms: u64,
    /// The WebSocket's heartbeat interval: keep it below an idle proxy's or NAT's timeout, so
    /// the tunnel is never idle long enough to be cut (live).
    pub heartbeat_interval_ms: u64,
    /// TCP keep-alive probes after this many idle seconds; 0 turns them off (live).
    pub tcp_keepalive_s: u64,
}

impl Default for NetworkSection {
    fn default() -> Self {
        Self {
            ca_file: None,
            proxy: None,
            proxy_credentials_file: None,
            connect_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            heartbeat_interval_ms: 10_000,
            tcp_keepalive_s: 30,
        }
    }
}

/// `[lifecycle]`: what `app.background` does when the call does not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifecycleSection {
    /// Drop the connection on `app.background` (kept state; `app.foreground` reconnects). Off
    /// by default: a kiosk usually stays reachable; desktops that want the iOS-documented
    /// behaviour switch it on (live).
    pub disconnect_in_background: bool,
    /// Single-thread channels: when a connection's recovery finds no open conversation and the
    /// channel has no pre-chat survey, create one (pending until its first message), as iOS
    /// does, so a kiosk's chat screen always has a thread to show. Off by default (live, read
    /// at each `session.connect`).
    pub create_thread_on_connect: bool,
}

/// `[socket]`: where clients connect and who may.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SocketSection {
    /// The socket path; unset means the platform default (restart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Permission bits as an octal string, `"0600"` or `"0660"`; never world-accessible
    /// (restart; ignored for a socket passed by systemd, whose `SocketMode=` applies).
    pub mode: String,
    /// Users allowed besides the daemon's own user and root (live, new connections).
    pub allowed_uids: Vec<u32>,
    /// Groups whose members may connect (live, new connections).
    pub allowed_gids: Vec<u32>,
    /// The same by name, resolved when the configuration is loaded, e.g.
    /// `["cxone-chatd-clients"]` (live, new connections).
    pub allowed_groups: Vec<String>,
}

impl Default for SocketSection {
    fn default() -> Self {
        Self {
            path: None,
            mode: "0600".into(),
            allowed_uids: Vec::new(),
            allowed_gids: Vec::new(),
            allowed_groups: Vec::new(),
        }
    }
}

/// `[state]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateSection {
    /// The state directory; unset means `$STATE_DIRECTORY` or the XDG default (restart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// A tracing filter: `info`, `debug`, `cxone_chatd::upstream=debug,info`, … (live).
    pub level: String,
    /// `text` or `json` on stderr; the journal is used instead when stderr is the journal
    /// (restart).
    pub format: LogFormatSetting,
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormatSetting::Text,
        }
    }
}

/// `log.format` as the file spells it (see `options::LogFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormatSetting {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[limits]`: all live except `event_buffer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Longest accepted request line, in bytes (new connections).
    pub max_line_length: usize,
    /// Largest accepted JSON-RPC batch.
    pub max_batch_len: usize,
    /// Events kept for replay (restart).
    pub event_buffer: usize,
    /// Messages queued per connection before its events are lagged (new connections).
    pub client_queue: usize,
    /// Calls running at once per connection.
    pub max_pending: u32,
    /// Longest `events.poll` wait, in milliseconds.
    pub max_poll_timeout_ms: u64,
    /// Most connections at once.
    pub max_clients: usize,
    /// Most connections one user may hold (the daemon's own user and root are not counted
    /// against it, and the last few connections are kept for them).
    pub max_clients_per_user: usize,
    /// A connection that sent no complete line for this long, with no call running and no
    /// subscription, is closed, in milliseconds.
    pub idle_timeout_ms: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self {
            max_line_length: cxone_chat_protocol::rpc::codec::DEFAULT_MAX_LINE_LENGTH,
            max_batch_len: cxone_chat_protocol::rpc::envelope::DEFAULT_MAX_BATCH_LEN,
            event_buffer: 10_000,
            client_queue: 1_024,
            max_pending: 256,
            max_poll_timeout_ms: 300_000,
            max_clients: 256,
            max_clients_per_user: 64,
            idle_timeout_ms: 300_000,
        }
    }
}

/// `[shutdown]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShutdownSection {
    /// How long a SIGTERM drain may take, in milliseconds; keep it below the unit's
    /// `TimeoutStopSec=` (live).
    pub drain_timeout_ms: u64,
    /// How long clients are given to read `daemon.shutdown` before connections close (live).
    pub grace_ms: u64,
}

impl Default for ShutdownSection {
    fn default() -> Self {
        Self {
            drain_timeout_ms: 10_000,
            grace_ms: 200,
        }
    }
}

/// `[health]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthSection {
    /// How long each critical actor has to answer the watchdog's ping, in milliseconds (live).
    pub ping_timeout_ms: u64,
}

impl Default for HealthSection {
    fn default() -> Self {
        Self {
            ping_timeout_ms: 2_000,
        }
    }
}

/// `[sandbox]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxSection {
    /// Start the embedded emulator as the default back end (restart).
    pub enabled: bool,
}

/// `[oauth]`: where the OAuth client secret is read from — never the secret itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OauthSection {
    /// A file holding the secret (mode 0600) (restart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// The name of a systemd credential (`LoadCredential=NAME:…`), read from
    /// `$CREDENTIALS_DIRECTORY/NAME` (restart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_credential: Option<String>,
}

/// Keys a reload applies at once; every other key needs a restart.
pub const LIVE_KEYS: &[&str] = &[
    "log.level",
    "lifecycle.disconnect_in_background",
    "lifecycle.create_thread_on_connect",
    "socket.allowed_uids",
    "socket.allowed_gids",
    "socket.allowed_groups",
    "limits.max_line_length",
    "limits.max_batch_len",
    "limits.client_queue",
    "limits.max_pending",
    "limits.max_poll_timeout_ms",
    "limits.max_clients",
    "limits.max_clients_per_user",
    "limits.idle_timeout_ms",
    "shutdown.drain_timeout_ms",
    "shutdown.grace_ms",
    "health.ping_timeout_ms",
    "network.ca_file",
    "network.proxy",
    "network.proxy_credentials_file",
    "network.connect_timeout_ms",
    "network.request_timeout_ms",
    "network.heartbeat_interval_ms",
    "network.tcp_keepalive_s",
];
