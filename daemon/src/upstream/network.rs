//! What every hop to CXone shares, REST and the WebSocket alike: trust roots, proxies, timeouts
//! and keep-alive (`[network]` in the configuration). The whole set is swapped at once on SIGHUP
//! ([`RestClient::set_network`](super::RestClient::set_network)); a WebSocket already open keeps
//! the settings it was opened with, and the next connection uses the new ones.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;

use super::proxy::ProxyRules;
use super::trust::ExtraRoots;

/// The network settings of every connection to the back end.
#[derive(Clone, PartialEq, Eq)]
pub struct Network {
    /// Trust roots added to the system's (`network.ca_file`).
    pub extra_roots: ExtraRoots,
    /// The proxies (`network.proxy` or the environment's).
    pub proxy: Arc<ProxyRules>,
    /// TCP (and proxy, and TLS) connection setup, REST and WebSocket.
    pub connect_timeout: Duration,
    /// A whole REST request, from connecting to the end of the body.
    pub request_timeout: Duration,
    /// TCP keep-alive probes after this much idle time; `None`: off. Keeps NAT and proxy
    /// state alive under the heartbeat's interval and finds a dead peer the heartbeat cannot
    /// reach (a half-open tunnel).
    pub tcp_keepalive: Option<Duration>,
    /// How often the WebSocket sends its heartbeat: below an idle proxy's timeout, so the
    /// tunnel is never idle long enough to be cut.
    pub heartbeat_interval: Duration,
}

impl Default for Network {
    fn default() -> Self {
        Self {
            extra_roots: ExtraRoots::default(),
            proxy: Arc::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            tcp_keepalive: Some(Duration::from_secs(30)),
            heartbeat_interval: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for Network {
    // The roots' bytes say nothing to a reader; their number does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("extra_roots", &self.extra_roots.len())
            .field("proxy", &self.proxy)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .finish()
    }
}

/// Sets TCP keep-alive on a stream the daemon opened itself (the WebSocket's, direct or to
/// its proxy). A failure only loses the probes: the heartbeat still finds a dead connection.
pub(crate) fn keep_alive(stream: &TcpStream, idle: Option<Duration>) {
    let Some(idle) = idle else { return };
    let probes = socket2::TcpKeepalive::new()
        .with_time(idle)
        .with_interval(idle.min(Duration::from_secs(10)));
    if let Err(e) = socket2::SockRef::from(stream).set_tcp_keepalive(&probes) {
        tracing::debug!(error = %e, "cannot set TCP keep-alive");
    }
}
