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
use crate::actors::threads::Threads;
use crate::logging::LogControl;
use crate::options::Options;
use crate::upstream::{RestClient, SdkIdentity};

/// Who is on the other end of a connection, from the socket's peer credentials.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Peer {
    /// Process id.
    pub(crate) pid: Option<u32>,
    /// Effective user id.
    pub(crate) uid: Option<u32>,
}

impl Peer {
    /// Whether the peer is the daemon's own user or root: the users trusted with what only
    /// the daemon may see (files read by path, trace logs).
    pub(crate) fn is_admin(&self) -> bool {
        let own = nix::unistd::geteuid().as_raw();
        self.uid.is_some_and(|u| u == own || u == 0)
    }
}

/// The actors a call addresses: the session (its life: connect, customer, lifecycle,
/// analytics) and its thread registry (threads, messages, sending), which calls reach directly.
#[derive(Debug, Clone)]
pub(crate) struct SessionHandle {
    /// The session actor.
    pub(crate) session: Addr<Session>,
    /// Its thread registry.
    pub(crate) threads: Addr<Threads>,
}

/// A connected client, for `daemon.status`.
#[derive(Debug)]
pub(crate) struct ClientEntry {
    /// Peer process id.
    pub(crate) pid: Option<u32>,
    /// Peer user id.
    pub(crate) uid: Option<u32>,
    /// Calls running.
    pub(crate) pending: Arc<AtomicU32>,
    /// Its outbound queue (for the depth).
    pub(crate) queue: mpsc::Sender<Outbound>,
}

/// Daemon-wide state shared by every connection.
#[derive(Debug)]
pub(crate) struct DaemonState {
    /// The options the daemon runs with; a reload (SIGHUP) swaps in new live values. Read
    /// them with [`DaemonState::options`].
    pub(crate) options: RwLock<Arc<Options>>,
    /// The critical actors the watchdog checks.
    pub(crate) health: Arc<crate::actors::health::Registry>,
    /// The watchdog's ping timeout in milliseconds (live).
    pub(crate) ping_timeout_ms: Arc<AtomicU64>,
    /// Whether the debug-build test hooks (`debug.wedge`) are on (`CXONE_CHATD_TEST_HOOKS=1`).
    pub(crate) test_hooks: bool,
    /// When the daemon started.
    pub(crate) started: Instant,
    /// The event hub.
    pub(crate) hub: Addr<EventHub>,
    /// Connected clients by id.
    pub(crate) clients: Mutex<HashMap<u64, ClientEntry>>,
    /// Run-time log level.
    pub(crate) log: LogControl,
    /// Chat sessions by name.
    pub(crate) sessions: Mutex<HashMap<SessionName, SessionHandle>>,
    /// The one HTTP client every session shares.
    pub(crate) rest: RestClient,
    /// Downloads every session's large events.
    pub(crate) large_events: Addr<crate::actors::large_events::LargeEventFetcher>,
    /// What the daemon reports itself as to the back end.
    pub(crate) sdk: SdkIdentity,
    /// The state directory.
    pub(crate) store: crate::store::Store,
    /// The embedded emulator's environment in `--sandbox` mode: used when `session.prepare`
    /// names none.
    pub(crate) sandbox: Option<Environment>,
    /// `true` once the sessions stored by an earlier run are restored. The socket accepts
    /// before that (READY comes first); a call naming a session not there yet waits for it.
    pub(crate) restored: tokio::sync::watch::Sender<bool>,
}

impl DaemonState {
    /// The options now in force (a snapshot; a reload may replace them meanwhile).
    pub(crate) fn options(&self) -> Arc<Options> {
        self.options
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the options (a reload).
    pub(crate) fn set_options(&self, options: Options) {
        self.ping_timeout_ms.store(
            options.ping_timeout.as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        *self.options.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(options);
    }

    /// JSON-RPC parsing limits now in force.
    pub(crate) fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            max_batch_len: self.options().max_batch_len,
        }
    }
}
