//! Running the daemon: the actix system, the socket, the actors, and a clean stop on SIGTERM or
//! SIGINT (the socket file is removed; staged draining arrives with issue #6).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::Actor;
use cxone_chat_protocol::rpc::envelope::ParseOptions;

use cxone_chat_protocol::rpc::notifications::{DaemonShutdown, ShutdownReason};

use crate::actors::event_hub::{EventHub, Publish};
use crate::listener::{self, BindError};
use crate::logging::LogControl;
use crate::options::Options;
use crate::rpc::server::accept_loop;
use crate::rpc::state::DaemonState;
use crate::upstream::{RestClient, RestConfig, SdkIdentity};

/// Why the daemon stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The socket could not be opened.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    HttpClient(#[source] crate::upstream::RestError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
}

/// Runs until SIGTERM or SIGINT.
pub fn run(options: Options) -> Result<(), RunError> {
    let log = LogControl::install();
    // A panicking actor dies alone and silently, leaving callers waiting forever (actix does
    // not restart it). Better to log and exit, so the service manager restarts a whole daemon.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "a bug stopped cxone-chatd; it exits so that it can be restarted");
        default_hook(info);
        std::process::exit(70);
    }));
    let system = actix::System::new();
    system.block_on(async move {
        let (listener, own_uid) = listener::bind(&options.socket, options.socket_mode)?;
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(RunError::Signals)?;
        let hub = EventHub::new(options.event_buffer).start();
        let rest = RestClient::new(RestConfig::default()).map_err(RunError::HttpClient)?;
        let socket = options.socket.clone();
        let state = Arc::new(DaemonState {
            parse_options: ParseOptions { max_batch_len: options.max_batch_len },
            options,
            started: Instant::now(),
            hub,
            clients: Mutex::new(HashMap::new()),
            log,
            sessions: Mutex::new(HashMap::new()),
            rest,
            sdk: SdkIdentity::default(),
        });
        tracing::info!(socket = %socket.display(), version = env!("CARGO_PKG_VERSION"), "cxone-chatd is listening");
        let hub = state.hub.clone();
        tokio::select! {
            () = accept_loop(listener, state, own_uid) => {}
            _ = term.recv() => tracing::info!("SIGTERM received, stopping"),
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received, stopping"),
        }
        // Tell subscribers before the sockets close, so they know to reconnect and resume.
        let grace = Duration::from_millis(200);
        let shutdown = DaemonShutdown { reason: ShutdownReason::Stop, grace_ms: grace.as_millis() as u64 };
        hub.do_send(Publish { session: None, payload: shutdown.into() });
        tokio::time::sleep(grace).await;
        Ok(())
    })
}
