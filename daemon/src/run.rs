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
use crate::actors::large_events::LargeEventFetcher;
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
    /// The state directory is unusable.
    #[error("cannot use the state directory: {0}")]
    Store(#[source] crate::store::StoreError),
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
        let store = crate::store::Store::open(&options.state_dir).map_err(RunError::Store)?;
        let socket = options.socket.clone();
        let state = Arc::new(DaemonState {
            parse_options: ParseOptions { max_batch_len: options.max_batch_len },
            options,
            started: Instant::now(),
            hub,
            clients: Mutex::new(HashMap::new()),
            log,
            sessions: Mutex::new(HashMap::new()),
            large_events: LargeEventFetcher::new(rest.clone()).start(),
            rest,
            sdk: SdkIdentity::default(),
            sandbox,
            store,
        });
        restore_sessions(&state).await;
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

/// Brings back the sessions that have messages waiting in their outbox: prepared and connected
/// again as they were, so that what the host was told is queued does get delivered, even when
/// no client connects after a restart.
async fn restore_sessions(state: &Arc<DaemonState>) {
    let store = state.store.clone();
    let names = match tokio::task::spawn_blocking(move || store.list_sessions()).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return tracing::warn!(error = %e, "cannot list the stored sessions"),
        Err(_) => return,
    };
    for name in names {
        let Ok(name) = cxone_chat_protocol::rpc::types::SessionName::new(name) else {
            continue;
        };
        let (root, n) = (state.store.clone(), name.as_str().to_owned());
        // The handle is dropped (and its lock released) before the session's actor opens its own.
        let read =
            tokio::task::spawn_blocking(move || root.session(&n).map(|s| (s.load(), s.pending())))
                .await;
        let (record, pending) = match read {
            Ok(Ok((Ok(Some(r)), Ok(p)))) => (r, p),
            _ => continue,
        };
        if pending.is_empty() {
            continue;
        }
        let Some(environment) =
            crate::session::persist::environment(&record.prepared_for.environment)
        else {
            continue;
        };
        let addr = match crate::rpc::sessions::session_for(state, &name).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(session = %name, error = %e.message, "cannot restore the session");
                continue;
            }
        };
        tracing::info!(session = %name, queued = pending.len(), "restoring a session with queued messages");
        let prepare = crate::actors::session::Prepare {
            environment,
            brand_id: record.prepared_for.brand_id as i64,
            channel_id: record.prepared_for.channel_id.clone(),
            customer: None,
        };
        actix::spawn(async move {
            let connected = match addr.send(prepare).await {
                Ok(Ok(_)) => addr
                    .send(crate::actors::session::Connect)
                    .await
                    .map(|r| r.map(drop)),
                Ok(Err(e)) => Ok(Err(e)),
                Err(e) => Err(e),
            };
            if let Ok(Err(e)) = connected {
                tracing::warn!(session = %name, error = %e, "restoring the session failed; retrying with backoff");
                addr.do_send(crate::actors::session::KeepTrying);
            }
        });
    }
}
