//! The options the daemon runs with, and their defaults. Today they come from command-line
//! flags; the configuration file and environment (issue #6) will feed the same struct.

use std::path::PathBuf;

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
    /// Start an embedded emulator and use it when `session.prepare` names no environment.
    pub sandbox: bool,
}

impl Options {
    /// Defaults for a socket at `socket` and state in `state_dir`.
    pub fn new(socket: PathBuf, state_dir: PathBuf) -> Self {
        Self {
            socket,
            socket_mode: 0o600,
            allowed_uids: Vec::new(),
            allowed_gids: Vec::new(),
            state_dir,
            max_line_length: cxone_chat_protocol::rpc::codec::DEFAULT_MAX_LINE_LENGTH,
            max_batch_len: cxone_chat_protocol::rpc::envelope::DEFAULT_MAX_BATCH_LEN,
            event_buffer: 10_000,
            client_queue: 1_024,
            max_pending: 256,
            max_poll_timeout_ms: 300_000,
            max_clients: 256,
            sandbox: false,
        }
    }
}

/// The default socket path: `$XDG_RUNTIME_DIR/cxone-chatd/rpc.sock` for a user daemon,
/// `$RUNTIME_DIRECTORY/rpc.sock` under systemd, `/run/cxone-chatd/rpc.sock` otherwise.
pub fn default_socket() -> PathBuf {
    if let Some(dir) = std::env::var_os("RUNTIME_DIRECTORY") {
        return PathBuf::from(dir).join("rpc.sock");
    }
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) => PathBuf::from(dir).join("cxone-chatd").join("rpc.sock"),
        None => PathBuf::from("/run/cxone-chatd/rpc.sock"),
    }
}

/// The default state directory: `$STATE_DIRECTORY` under systemd, else
/// `$XDG_STATE_HOME/cxone-chatd`, else `~/.local/state/cxone-chatd`, else `/var/lib/cxone-chatd`.
pub fn default_state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STATE_DIRECTORY") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME") {
        return PathBuf::from(dir).join("cxone-chatd");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/state/cxone-chatd"),
        None => PathBuf::from("/var/lib/cxone-chatd"),
    }
}
