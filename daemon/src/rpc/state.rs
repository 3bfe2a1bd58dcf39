//! What every call can reach: the options, the actors' addresses, the connected clients and
//! the log-level control. Built once at start-up and shared by every connection.

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix::Addr;
use cxone_chat_protocol::rpc::envelope::ParseOptions;
use tokio::sync::mpsc;

use cxone_chat_protocol::rpc::types::{Environment, SessionName};

use crate::actors::event_hub::{EventHub, Outbound};
use crate::actors::session::Session;
use crate::logging::LogControl;
use crate::options::Options;
use crate::upstream::{RestClient, SdkIdentity};

/// A connected client, for `daemon.status`.
#[derive(Debug)]
pub struct ClientEntry {
    /// Peer process id.
    pub pid: Option<u32>,
    /// Peer user id.
    pub uid: Option<u32>,
    /// Calls running.
    pub pending: Arc<AtomicU32>,
    /// Its outbound queue (for the depth).
    pub queue: mpsc::Sender<Outbound>,
}

/// Daemon-wide state shared by every connection.
#[derive(Debug)]
pub struct DaemonState {
    /// The options the daemon runs with.
    pub options: Options,
    /// JSON-RPC parsing limits.
    pub parse_options: ParseOptions,
    /// When the daemon started.
    pub started: Instant,
    /// The event hub.
    pub hub: Addr<EventHub>,
    /// Connected clients by id.
    pub clients: Mutex<HashMap<u64, ClientEntry>>,
    /// Run-time log level.
    pub log: LogControl,
    /// Chat sessions by name.
    pub sessions: Mutex<HashMap<SessionName, Addr<Session>>>,
    /// The one HTTP client every session shares.
    pub rest: RestClient,
    /// Downloads every session's large events.
    pub large_events: Addr<crate::actors::large_events::LargeEventFetcher>,
    /// What the daemon reports itself as to the back end.
    pub sdk: SdkIdentity,
    /// The state directory.
    pub store: crate::store::Store,
    /// The embedded emulator's environment in `--sandbox` mode: used when `session.prepare`
    /// names none.
    pub sandbox: Option<Environment>,
}
