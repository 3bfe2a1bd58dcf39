//! The options the daemon runs with, and their defaults. [`crate::config`] builds them from the
//! configuration layers (defaults, files, environment, flags).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::store::Secret;

/// Run-time options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The socket path.
    pub socket: PathBuf,
    /// Permission bits of the socket file (0600 by default; 0660 with a client group).
    pub socket_mode: u32,
    /// User ids allowed besides the daemon's own user and root.
    pub allowed_uids: Vec<u32>,
    /// Group ids whose members may connect.
    pub allowed_gids: Vec<u32>,
    /// Where state is kept.
    pub state_dir: PathBuf,
    /// Longest accepted request line, in bytes.
    pub max_line_length: usize,
    /// Largest accepted batch.
    pub max_batch_len: usize,
    /// Events kept for replay.
    pub event_buffer: usize,
    /// Messages queued per connection before its events are lagged.
    pub client_queue: usize,
    /// Calls running at once per connection before further calls are refused.
    pub max_pending: u32,
    /// Longest `events.poll` wait.
    pub max_poll_timeout_ms: u64,
    /// Most connections at once.
    pub max_clients: usize,
    /// Most connections one user other than the daemon's own and root may hold.
    pub max_clients_per_user: usize,
    /// How long a connection may sit idle (no line, no call, no subscription).
    pub idle_timeout: Duration,
    /// Start an embedded emulator and use it when `session.prepare` names no environment.
    pub sandbox: bool,
    /// The log filter (`info`, `debug`, `module=level,…`).
    pub log_level: String,
    /// How stderr logs look when stderr is not the journal.
    pub log_format: LogFormat,
    /// The longest a SIGTERM drain may take.
    pub drain_timeout: Duration,
    /// How long clients get to read `daemon.shutdown` before connections close.
    pub shutdown_grace: Duration,
    /// How long each critical actor has to answer the watchdog's ping.
    pub ping_timeout: Duration,
    /// Whether `app.background` drops the connection when the call does not say.
    pub disconnect_in_background: bool,
    /// Whether a single-thread connection without a conversation gets one created.
    pub create_thread_on_connect: bool,
    /// Trust roots (`network.ca_file`, read), proxies (resolved), timeouts and keep-alive:
    /// every connection to CXone.
    pub network: crate::upstream::Network,
    /// The OAuth client secret, read from a file or a systemd credential (never argv).
    pub oauth_client_secret: Option<Secret>,
}

/// The default socket path in the environment `env`: `$XDG_RUNTIME_DIR/cxone-chatd/rpc.sock`
/// for a user daemon, `$RUNTIME_DIRECTORY/rpc.sock` under systemd, `/run/cxone-chatd/rpc.sock`
/// otherwise.
pub fn default_socket_in(env: &HashMap<String, String>) -> PathBuf {
    let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("RUNTIME_DIRECTORY") {
        return dir.join("rpc.sock");
    }
    match var("XDG_RUNTIME_DIR") {
        Some(dir) => dir.join("cxone-chatd").join("rpc.sock"),
        None => PathBuf::from("/run/cxone-chatd/rpc.sock"),
    }
}

/// The default state directory in the environment `env`: `$STATE_DIRECTORY` under systemd,
/// else `$XDG_STATE_HOME/cxone-chatd`, else `~/.local/state/cxone-chatd`, else
/// `/var/lib/cxone-chatd`.
pub fn default_state_dir_in(env: &HashMap<String, String>) -> PathBuf {
    let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("STATE_DIRECTORY") {
        // systemd lists several directories separated by colons when the unit names several.
        let first = dir
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        return PathBuf::from(first);
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return dir.join("cxone-chatd");
    }
    match var("HOME") {
        Some(home) => home.join(".local/state/cxone-chatd"),
        None => PathBuf::from("/var/lib/cxone-chatd"),
    }
}

/// How log lines on stderr look (the journal, when stderr is the journal, has its own format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}
