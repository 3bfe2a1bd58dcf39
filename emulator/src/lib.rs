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
mod tls;

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
    /// With `--tls`: the PEM of the certificate it serves (its own root: self-signed).
    ca_pem: Option<String>,
}

impl Emulator {
    /// Binds `listen` (port 0 picks a free port) and serves plain HTTP and WebSocket on the
    /// current tokio runtime.
    pub async fn start(listen: &str, config: EmulatorConfig) -> std::io::Result<Self> {
        Self::serve(listen, config, None).await
    }

    /// Like [`Emulator::start`], serving HTTPS and WSS with a certificate generated now for
    /// `127.0.0.1` and `localhost` ([`Emulator::ca_pem`] is the root to trust). Plain HTTP on
    /// the same port still answers, so the admin API and `curl` work without the root.
    pub async fn start_tls(listen: &str, config: EmulatorConfig) -> std::io::Result<Self> {
        let (acceptor, pem) = tls::acceptor()?;
        let mut emulator = Self::serve(listen, config, Some(acceptor)).await?;
        emulator.ca_pem = Some(pem);
        Ok(emulator)
    }

    /// Like [`Emulator::start_tls`], with the certificate and key kept in `dir` (`cert.pem`,
    /// `key.pem`): made and written there on the first start, served again by later ones, so
    /// that a client started before the emulator can already trust it.
    pub async fn start_tls_in(
        listen: &str,
        config: EmulatorConfig,
        dir: &std::path::Path,
    ) -> std::io::Result<Self> {
        let (acceptor, pem) = tls::acceptor_in(dir)?;
        let mut emulator = Self::serve(listen, config, Some(acceptor)).await?;
        emulator.ca_pem = Some(pem);
        Ok(emulator)
    }

    async fn serve(
        listen: &str,
        config: EmulatorConfig,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let shared = Arc::new(Shared {
            backend: Mutex::new(Backend::new(Arc::new(config), base_url)),
        });
        let task = tokio::spawn(server::accept_loop(listener, shared, tls));
        Ok(Self {
            addr,
            task,
            ca_pem: None,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http(s)://127.0.0.1:PORT`: the REST and admin base (the chat URL is this plus `/chat`).
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT`: the same port in plain HTTP (the admin API without TLS).
    pub fn plain_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws(s)://127.0.0.1:PORT/`: the WebSocket gateway.
    pub fn ws_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "wss" } else { "ws" };
        format!("{scheme}://{}/", self.addr)
    }

    /// With TLS, the PEM certificate a client must trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
