//! cxone-emulator: a local CXone chat back end — REST, the WebSocket gateway, a bucket for
//! large events, a simulated agent and an admin API — on one loopback port. It speaks the
//! protocol of `PROTOCOL.md` with the shapes of the real back end, so the daemon, its tests,
//! its `--sandbox` mode and anyone integrating with CXone can work without a tenant.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = cxone_emulator::Emulator::start("127.0.0.1:0", cxone_emulator::EmulatorConfig::default()).await?;
//! println!("chat REST base: {}/chat, WebSocket: {}", emu.base_url(), emu.ws_url());
//! # Ok(()) }
//! ```

mod admin;
mod agent;
mod backend;
mod bucket;
mod chat;
pub mod config;
mod effect;
mod enrich;
mod faults;
mod frames;
mod gateway;
mod http;
mod outbound;
mod record;
mod rest;
mod server;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

pub use config::{ConfigError, EmulatorConfig};

use backend::Backend;

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    backend: Mutex<Backend>,
}

impl Shared {
    /// Locks the back end. A panic while holding the lock must not take every later request
    /// down with it, so a poisoned lock is recovered.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Backend> {
        self.backend.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running emulator. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds `listen` (port 0 picks a free port) and serves on the current tokio runtime.
    pub async fn start(listen: &str, config: EmulatorConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(Shared {
            backend: Mutex::new(Backend::new(Arc::new(config), base_url)),
        });
        let task = tokio::spawn(server::accept_loop(listener, shared));
        Ok(Self { addr, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the REST and admin base (the chat URL is this plus `/chat`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT/`: the WebSocket gateway.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/", self.addr)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
