//! What every call can reach: the options, the actors' addresses, the connected clients and
//! the log-level control. Built once at start-up and shared by every connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};
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
    /// The options the daemon runs with; a reload (SIGHUP) swaps in new live values. Read
    /// them with [`DaemonState::options`].
    pub options: RwLock<Arc<Options>>,
    /// The critical actors the watchdog checks.
    pub health: Arc<crate::actors::health::Registry>,
    /// The watchdog's ping timeout in milliseconds (live).
    pub ping_timeout_ms: Arc<AtomicU64>,
    /// Whether the debug-build test hooks (`debug.wedge`) are on (`CXONE_CHATD_TEST_HOOKS=1`).
    pub test_hooks: bool,
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

impl DaemonState {
    /// The options now in force (a snapshot; a reload may replace them meanwhile).
    pub fn options(&self) -> Arc<Options> {
        self.options
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the options (a reload).
    pub fn set_options(&self, options: Options) {
        self.ping_timeout_ms.store(
            options.ping_timeout.as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        *self.options.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(options);
    }

    /// JSON-RPC parsing limits now in force.
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            max_batch_len: self.options().max_batch_len,
        }
    }
}
