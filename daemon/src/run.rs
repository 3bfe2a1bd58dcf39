//! Running the daemon: the actix system, the socket, the actors, and a clean stop on SIGTERM or
//! SIGINT (the socket file is removed; staged draining arrives with issue #6).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::Actor;
use cxone_chat_protocol::rpc::envelope::ParseOptions;

use cxone_chat_protocol::rpc::notifications::{DaemonShutdown, ShutdownReason};
#[cfg(feature = "sandbox")]
use cxone_chat_protocol::rpc::types::CustomEnvironment;
use cxone_chat_protocol::rpc::types::Environment;

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
    /// The embedded emulator could not start.
    #[error("cannot start the sandbox emulator: {0}")]
    Sandbox(#[source] std::io::Error),
    /// `--sandbox` in a build without the `sandbox` feature.
    #[error("this build of cxone-chatd has no sandbox; rebuild with the default features")]
    NoSandbox,
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
        let (sandbox, _emulator) = start_sandbox(options.sandbox).await?;
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
            sandbox,
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

/// What `--sandbox` keeps running: the emulator, dropped when the daemon stops.
#[cfg(feature = "sandbox")]
type SandboxHandle = Option<cxone_emulator::Emulator>;
#[cfg(not(feature = "sandbox"))]
type SandboxHandle = Option<()>;

/// Starts the embedded emulator on a loopback port when asked.
async fn start_sandbox(enabled: bool) -> Result<(Option<Environment>, SandboxHandle), RunError> {
    if !enabled {
        return Ok((None, None));
    }
    #[cfg(feature = "sandbox")]
    {
        let emulator = cxone_emulator::Emulator::start(
            "127.0.0.1:0",
            cxone_emulator::EmulatorConfig::default(),
        )
        .await
        .map_err(RunError::Sandbox)?;
        let environment = Environment::Custom(CustomEnvironment {
            chat_url: format!("{}/chat", emulator.base_url()),
            socket_url: emulator.ws_url(),
            token_url: Some(format!("{}/", emulator.base_url())),
        });
        tracing::info!(
            url = %emulator.base_url(),
            "sandbox: an emulated CXone (brand 1000, channels chat_single, chat_multi, chat_live, …) is the default back end; \
             call session.prepare without an environment"
        );
        Ok((Some(environment), Some(emulator)))
    }
    #[cfg(not(feature = "sandbox"))]
    Err(RunError::NoSandbox)
}
