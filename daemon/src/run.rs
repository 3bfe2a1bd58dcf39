//! Running the daemon: the actix system, the socket (bound, or passed by systemd), the actors,
//! and the service manager's protocol — `READY=1` once the socket accepts (never waiting for
//! the back end), `STATUS=` lines for the back-end connections, `WATCHDOG=1` from the health
//! monitor, `RELOADING=1` on SIGHUP, `STOPPING=1` and a drain on SIGTERM (a second SIGTERM
//! quits at once).

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use actix::{Actor, Addr};
use cxone_chat_protocol::rpc::notifications::{DaemonShutdown, EventKind, ShutdownReason};
#[cfg(feature = "sandbox")]
use cxone_chat_protocol::rpc::types::CustomEnvironment;
use cxone_chat_protocol::rpc::types::Environment;
use futures_util::future::join_all;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;

use crate::actors::event_hub::{EventHub, Outbound, Publish, Sink, Subscribe};
use crate::actors::health::{HealthMonitor, Registry};
use crate::actors::large_events::LargeEventFetcher;
use crate::config::{self, Flags, LIVE_KEYS, Loaded};
use crate::event_log::Filter;
use crate::listener::{self, ActivationError, BindError};
use crate::logging::LogControl;
use crate::notify::status::{StatusLine, Summary};
use crate::notify::{self, Notifier};
use crate::options::Options;
use crate::rpc::server::{RpcServer, StopAccepting};
use crate::rpc::state::DaemonState;
use crate::upstream::{RestClient, RestConfig, SdkIdentity};

/// Why the daemon stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The socket could not be opened.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// The socket passed by systemd is unusable.
    #[error(transparent)]
    Activation(#[from] ActivationError),
    /// `$NOTIFY_SOCKET` names something unusable.
    #[error("cannot use $NOTIFY_SOCKET: {0}")]
    Notify(#[source] std::io::Error),
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

/// Raises the soft limit of open files to the hard one: every connected session holds a socket
/// (and each client one), and the soft limit is often 1,024 while the hard one allows far more
/// (systemd sets 1,024 / 524,288). The daemon uses epoll, never `select`, so a high limit is
/// safe.
fn raise_open_file_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => tracing::debug!(from = soft, to = hard, "raised the open-file limit"),
            Err(e) => {
                tracing::warn!(error = %e, soft, hard, "cannot raise the open-file limit; fewer sessions fit")
            }
        },
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the open-file limit"),
    }
}

/// The exit code after a second SIGTERM cut a drain short.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Runs until SIGTERM or SIGINT, then drains. `flags` are kept for reloads (SIGHUP), which
/// read every other layer again.
pub fn run(loaded: Loaded, flags: Flags, log: LogControl) -> Result<(), RunError> {
    // A panicking actor dies alone and silently, leaving callers waiting forever (actix does
    // not restart it). Better to log and exit, so the service manager restarts a whole daemon.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "a bug stopped cxone-chatd; it exits so that it can be restarted");
        default_hook(info);
        std::process::exit(70);
    }));
    raise_open_file_limit();
    let env = config::process_env();
    let notifier = Arc::new(Notifier::from_env(&env).map_err(RunError::Notify)?);
    let watchdog = notify::watchdog_interval(&env);
    // Debug builds only; see `debug.wedge` in rpc/dispatch.rs.
    let test_hooks =
        cfg!(debug_assertions) && env.get("CXONE_CHATD_TEST_HOOKS").is_some_and(|v| v == "1");
    let system = actix::System::new();
    system.block_on(async move {
        let options = loaded.options.clone();
        let (listener, own_uid, activated) = match listener::activation(&env, std::process::id())? {
            Some(a) => {
                let (l, uid, path) = listener::take_activated(&a)?;
                (l, uid, Some(path.unwrap_or_else(|| options.socket.clone())))
            }
            None => {
                let (l, uid) = listener::bind(&options.socket, options.socket_mode)?;
                (l, uid, None)
            }
        };
        let mut term = signal(SignalKind::terminate()).map_err(RunError::Signals)?;
        let mut int = signal(SignalKind::interrupt()).map_err(RunError::Signals)?;
        let mut hup = signal(SignalKind::hangup()).map_err(RunError::Signals)?;
        let hub = EventHub::new(options.event_buffer).start();
        let rest = RestClient::new(RestConfig {
            network: options.network.clone(),
            ..RestConfig::default()
        });
        let (sandbox, _emulator) = start_sandbox(options.sandbox).await?;
        // Creates the directory and takes its lock; the database opens on its own thread.
        let store = crate::store::Store::open(&options.state_dir).map_err(RunError::Store)?;
        let listening = match &activated {
            Some(path) => format!("listening on {} (socket activation)", path.display()),
            None => format!("listening on {}", options.socket.display()),
        };
        let state = Arc::new(DaemonState {
            ping_timeout_ms: Arc::new(AtomicU64::new(options.ping_timeout.as_millis() as u64)),
            options: RwLock::new(Arc::new(options)),
            health: Arc::new(Registry::default()),
            test_hooks,
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
            restored: tokio::sync::watch::Sender::new(false),
        });
        state.health.register("event-hub", &state.hub);
        state.health.register("large-events", &state.large_events);
        let server = RpcServer::new(listener, state.clone(), own_uid).start();
        state.health.register("rpc-server", &server);
        let status = StatusLine::default();
        status.set(Summary::new(listening.clone()).line());
        // Ready as soon as the socket accepts: the back end may be down for hours, and that is
        // what STATUS= and daemon.status are for, not a failed start.
        notifier.ready(&status.get());
        tracing::info!(files = ?loaded.files, "{listening}; version {}", env!("CARGO_PKG_VERSION"));
        actix::spawn(report_status(
            state.clone(),
            notifier.clone(),
            status.clone(),
            listening,
        ));
        let _monitor = watchdog.map(|interval| {
            tracing::info!(?interval, "the service manager's watchdog is on");
            HealthMonitor::new(
                state.health.clone(),
                notifier.clone(),
                interval,
                state.ping_timeout_ms.clone(),
            )
            .start()
        });
        restore_sessions(&state).await;
        state.restored.send_replace(true);
        let mut current = loaded;
        let signal_name = loop {
            tokio::select! {
                _ = term.recv() => break "SIGTERM",
                _ = int.recv() => break "SIGINT",
                _ = hup.recv() => current = reload(&state, &flags, current, &notifier, &status).await,
            }
        };
        drain(&state, &server, &notifier, &mut term, &mut int, signal_name).await;
        Ok(())
    })
}

/// SIGHUP: reads every layer again (off the actor thread: files and group look-ups may block)
/// and applies what can change while running; keys that need a restart are named in the log and
/// keep their running values.
async fn reload(
    state: &DaemonState,
    flags: &Flags,
    current: Loaded,
    notifier: &Notifier,
    status: &StatusLine,
) -> Loaded {
    notifier.reloading();
    tracing::info!("SIGHUP received: reloading the configuration");
    let f = flags.clone();
    let loaded =
        tokio::task::spawn_blocking(move || config::load(&f, &config::process_env())).await;
    let new = match loaded {
        Ok(Ok(n)) => n,
        Err(e) => {
            tracing::error!(error = %e, "reloading the configuration failed, the running configuration stays in force: {e}");
            notifier.ready(&status.get());
            return current;
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "reloading the configuration failed, the running configuration stays in force: {e}");
            notifier.ready(&status.get());
            return current;
        }
    };
    let changed = config::changed_keys(&current.file, &new.file);
    let (live, restart): (Vec<String>, Vec<String>) = changed
        .into_iter()
        .partition(|k| LIVE_KEYS.contains(&k.as_str()));
    let applied = with_live_values(&state.options(), &new.options);
    let running_network = state.options().network.clone();
    // Compared as values, not as keys: the CA file or the credentials file may have changed
    // under the same names.
    if applied.network != running_network {
        state.rest.set_network(applied.network.clone());
        tracing::info!(network = ?applied.network, "network settings applied: connections opened from now on use them");
    }
    state.set_options(applied);
    if live.iter().any(|k| k == "log.level")
        && let Err(e) = state.log.set_filter(&new.options.log_level)
    {
        tracing::warn!(error = %e, "cannot apply log.level: {e}");
    }
    for key in &restart {
        tracing::warn!(key = %key, "{key} changed in the configuration, but takes effect only after a restart (systemctl restart cxone-chatd); the running value stays");
    }
    tracing::info!(applied = ?live, needs_restart = ?restart, "configuration reloaded");
    notifier.ready(&status.get());
    // The baseline of the next reload is what runs: the keys that need a restart keep their
    // running values, so that restoring one is not reported again.
    Loaded {
        file: config::with_keys(&current.file, &new.file, &live),
        ..new
    }
}

/// `running` with the live settings of `new` (see `config::LIVE_KEYS`).
fn with_live_values(running: &Options, new: &Options) -> Options {
    Options {
        allowed_uids: new.allowed_uids.clone(),
        allowed_gids: new.allowed_gids.clone(),
        max_line_length: new.max_line_length,
        max_batch_len: new.max_batch_len,
        client_queue: new.client_queue,
        max_pending: new.max_pending,
        max_poll_timeout_ms: new.max_poll_timeout_ms,
        max_clients: new.max_clients,
        log_level: new.log_level.clone(),
        drain_timeout: new.drain_timeout,
        shutdown_grace: new.shutdown_grace,
        ping_timeout: new.ping_timeout,
        network: new.network.clone(),
        ..running.clone()
    }
}

/// SIGTERM: stop accepting, tell clients, close every upstream WebSocket with 1001, let
/// clients read, within `shutdown.drain_timeout_ms`. State needs no flushing of its own: the
/// outbox is written before a send is acknowledged, and the runtime waits for file writes in
/// flight before the process exits. A second SIGTERM (or SIGINT) quits at once.
async fn drain(
    state: &Arc<DaemonState>,
    server: &Addr<RpcServer>,
    notifier: &Notifier,
    term: &mut Signal,
    int: &mut Signal,
    signal_name: &str,
) {
    let options = state.options();
    tracing::info!(signal = signal_name, timeout = ?options.drain_timeout, "stopping: draining");
    notifier.stopping("stopping: closing chat connections");
    let work = async {
        let _ = server.send(StopAccepting).await;
        let shutdown = DaemonShutdown {
            reason: ShutdownReason::Stop,
            grace_ms: options.shutdown_grace.as_millis() as u64,
        };
        let _ = state
            .hub
            .send(Publish {
                session: None,
                payload: shutdown.into(),
            })
            .await;
        let sessions: Vec<_> = state
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        let closing = join_all(
            sessions
                .iter()
                .map(|s| s.session.send(crate::actors::session::GoAway)),
        );
        // Clients get the grace period to read daemon.shutdown while the sockets close.
        tokio::join!(closing, tokio::time::sleep(options.shutdown_grace));
    };
    tokio::select! {
        done = tokio::time::timeout(options.drain_timeout, work) => match done {
            Ok(()) => tracing::info!("drained; exiting"),
            Err(_) => tracing::warn!(timeout = ?options.drain_timeout, "the drain took too long; exiting anyway"),
        },
        _ = term.recv() => quit_now("SIGTERM"),
        _ = int.recv() => quit_now("SIGINT"),
    }
}

fn quit_now(signal_name: &str) -> ! {
    tracing::warn!(
        signal = signal_name,
        "second signal while draining: quitting at once"
    );
    std::process::exit(EXIT_INTERRUPTED);
}

/// Keeps `STATUS=` up to date from the event stream (each session's connection).
async fn report_status(
    state: Arc<DaemonState>,
    notifier: Arc<Notifier>,
    status: StatusLine,
    listening: String,
) {
    if !notifier.enabled() {
        return;
    }
    let mut summary = Summary::new(listening);
    let kinds = vec![
        EventKind::ChatStateChanged,
        EventKind::ConnectionLost,
        EventKind::ConnectionRestored,
    ];
    loop {
        let (queue, mut rx) = mpsc::channel(256);
        let (lag, mut lag_rx) = mpsc::unbounded_channel();
        // Client id 0 is never a connection (they count from 1).
        let sink = Sink::new(0, queue, lag, 1 << 20);
        let subscribe = Subscribe {
            sink,
            filter: Filter {
                session: None,
                kinds: kinds.clone(),
            },
            since: None,
        };
        if !matches!(state.hub.send(subscribe).await, Ok(Ok(_))) {
            return;
        }
        loop {
            tokio::select! {
                Some(Outbound { line, .. }) = rx.recv() => {
                    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) else { continue };
                    if summary.apply(&v["params"]) && status.set(summary.line()) {
                        notifier.status(&status.get());
                    }
                }
                // Lagged (a burst of events): subscribe again and carry on from now.
                Some(_) = lag_rx.recv() => break,
                else => return,
            }
        }
    }
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
        let read = tokio::task::spawn_blocking(move || {
            root.session(&n)
                .map(|s| (s.load(), s.pending(), s.take_salvaged()))
        })
        .await;
        let (record, pending, salvaged) = match read {
            Ok(Ok((Ok(Some(r)), Ok(p), salvaged))) => (r, p, salvaged),
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
            Ok(handle) => {
                // Read (and salvaged) here, before the session's actors existed: they tell.
                for s in salvaged {
                    handle
                        .threads
                        .do_send(crate::actors::threads::ReportSalvage(s));
                }
                handle.session
            }
            Err(e) => {
                tracing::warn!(session = %name, error = %e.message, "cannot restore the session");
                continue;
            }
        };
        tracing::info!(session = %name, queued = pending.len(), "restoring a session with queued messages");
        let create_thread = state.options().create_thread_on_connect;
        let prepare = crate::actors::session::Prepare {
            environment,
            brand_id: record.prepared_for.brand_id as i64,
            channel_id: record.prepared_for.channel_id.clone(),
            customer: None,
        };
        actix::spawn(async move {
            let connected = match addr.send(prepare).await {
                Ok(Ok(_)) => addr
                    .send(crate::actors::session::Connect {
                        create_thread: Some(create_thread),
                    })
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
