//! The WebSocket connection manager (PROTOCOL.md §2): [`connect`] opens one connection to the
//! chat gateway and returns a cheap, cloneable [`SocketHandle`] for sending, plus a channel of
//! [`Inbound`] items — pushes, gateway errors, undecodable frames, failed large events and,
//! always last, exactly one [`Inbound::Closed`].
//!
//! Two tokio tasks run per connection:
//!
//! * the **writer** owns the sending half and writes frames in the order they were queued;
//! * the **driver** owns the receiving half: it classifies frames, answers requests by `eventId`,
//!   sends heartbeats and watches for their `"pong"`, resolves `EventInS3` frames by downloading
//!   them, and delivers everything else in arrival order.
//!
//! **Large events and order.** An `EventInS3` frame takes the place, in the arrival order, of the
//! frame it stands for. Its download runs as a separate task; frames that arrive meanwhile are
//! read (so `"pong"`s are still seen and pings still answered) and held back — not delivered —
//! until the download ends, and then released in order. A reply to a waiting request is the
//! exception: it answers its request at once, so that a slow bucket cannot make a request the
//! back end already answered (a delivered message) time out. The number of held frames is
//! bounded ([`SocketConfig::max_held_frames`]); beyond it the driver stops reading (TCP
//! back-pressure) and suspends the pong deadline, since it cannot see pongs it does not read.
//! The download itself is bounded by the source: the daemon's fetcher gives one up after 15 s
//! in all, retries included.
//!
//! **Back-pressure.** The inbound channel is bounded; a consumer that does not drain it stops
//! delivery, then reading, as above. Requests are answered through their own one-shot channels
//! and never wait behind the inbound channel.
//!
//! **Hostile input.** A frame that is not JSON, has an unknown shape or fails to decode becomes
//! [`Inbound::Undecodable`] (and fails the request it answers, when its `eventId` can be read);
//! its content is never logged. Frames above [`SocketConfig::max_message_size`] end the
//! connection (tungstenite refuses them before buffering).

mod driver;
mod shared;
mod transport;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cxone_chat_protocol::cxone::DecodeError;
use cxone_chat_protocol::cxone::received::{GatewayError, ReceivedEvent, ReceivedFrame};
use cxone_chat_protocol::cxone::rest::RestErrorBody;
use cxone_chat_protocol::cxone::sent::OutgoingFrame;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::{info, info_span};
use url::Url;

use self::driver::{Control, WriterCommand};
use self::shared::{Shared, WaiterGuard};
use super::rest::{RestClient, RestError};
use super::{install_crypto_provider, loggable_url};

/// Settings of one connection. The defaults are PROTOCOL.md §2.3–§2.4 (iOS timings).
#[derive(Debug, Clone)]
pub struct SocketConfig {
    /// TCP, TLS and the WebSocket handshake together.
    pub connect_timeout: Duration,
    /// How long [`SocketHandle::request`] waits for a reply.
    pub request_timeout: Duration,
    /// How often `{"action":"heartbeat"}` is sent.
    pub heartbeat_interval: Duration,
    /// How long after a heartbeat the `"pong"` must arrive before the connection counts as dead.
    pub pong_timeout: Duration,
    /// The largest frame (and message) accepted from the server.
    pub max_message_size: usize,
    /// Capacity of the inbound channel.
    pub inbound_capacity: usize,
    /// Capacity of the outbound queue; [`SocketHandle::send`] waits when it is full.
    pub outbound_capacity: usize,
    /// Frames held behind unfinished large-event downloads before reading pauses.
    pub max_held_frames: usize,
    /// How long a close waits for the server's close reply.
    pub close_timeout: Duration,
    /// Trust roots added to the system's (`network.ca_file`).
    pub extra_roots: super::trust::ExtraRoots,
    /// The proxies; the WebSocket goes through a `CONNECT` tunnel when one applies.
    pub proxy: std::sync::Arc<super::proxy::ProxyRules>,
    /// TCP keep-alive on the connection (to the back end, or to the proxy); `None`: off.
    pub tcp_keepalive: Option<Duration>,
}

impl SocketConfig {
    /// The defaults, with the network settings in force (`[network]`).
    pub fn over(network: &super::Network) -> Self {
        Self {
            connect_timeout: network.connect_timeout,
            heartbeat_interval: network.heartbeat_interval,
            extra_roots: network.extra_roots.clone(),
            proxy: network.proxy.clone(),
            tcp_keepalive: network.tcp_keepalive,
            ..Self::default()
        }
    }
}

impl Default for SocketConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            heartbeat_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(5),
            max_message_size: 4 << 20,
            inbound_capacity: 256,
            outbound_capacity: 64,
            max_held_frames: 1024,
            close_timeout: Duration::from_secs(2),
            extra_roots: Default::default(),
            proxy: Default::default(),
            tcp_keepalive: None,
        }
    }
}

/// The WebSocket's read buffer, per connection: acks, pongs and typing events fit; a larger
/// frame (a message event is 5–8 KiB) is read in a few chunks into a buffer that grows for it.
/// 4 KiB rather than 8 saves 4 KiB of each connected session at no measured cost to a send
/// (`bench_peers`, BENCHMARKS.md). Less would not help: the buffer starts as the handshake's
/// own 4 KiB (tungstenite hands it over with the bytes read past the handshake).
const READ_BUFFER: usize = 4 * 1024;

/// The connection's [`Inbound`] items, in order; `None` after [`Inbound::Closed`].
///
/// Boxed in the channel: a tokio channel allocates its first block of 32 slots when it is made,
/// and 32 unboxed items were 4 KiB of every connected session (heaptrack at 1,000 sessions).
#[derive(Debug)]
pub struct InboundReceiver {
    rx: mpsc::Receiver<Box<Inbound>>,
}

impl InboundReceiver {
    /// The next item, once there is one.
    pub async fn recv(&mut self) -> Option<Inbound> {
        self.rx.recv().await.map(|item| *item)
    }
}

/// Something the connection delivers that is not a reply to a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Inbound {
    /// A push, or any event or operation error whose `eventId` no request is waiting for
    /// (including late replies to requests that timed out).
    Frame(ReceivedFrame),
    /// An API-Gateway error frame; it cannot be matched to a request.
    GatewayError(GatewayError),
    /// A frame that could not be decoded; the connection carries on.
    Undecodable {
        /// Which field was wrong, and how.
        error: DecodeError,
        /// The frame's length in bytes (its content is withheld: it may be message text).
        text_len: usize,
    },
    /// An `EventInS3` whose original event could not be fetched or decoded; that event is lost.
    LargeEventFailed {
        /// The download URL without its query (the signature).
        url: String,
        /// What went wrong.
        error: LargeEventError,
    },
    /// The connection ended; always the last item, exactly once.
    Closed {
        /// The close code, when a close frame was exchanged.
        code: Option<u16>,
        /// Why, in words.
        reason: String,
        /// True when a close frame ended the connection (sent by the server, or by this side on
        /// request); false for network failures, a missing pong or a protocol violation —
        /// the cases in which a reconnect is due.
        clean: bool,
    },
}

/// Why a large event did not arrive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LargeEventError {
    /// The download failed.
    #[error(transparent)]
    Download(#[from] RestError),
    /// The downloaded body is not a frame the client understands.
    #[error("the downloaded event does not decode: {0}")]
    Undecodable(#[source] DecodeError),
    /// The downloaded body is itself an `EventInS3`; following it could loop forever.
    #[error("the downloaded event is another EventInS3; nested large events are refused")]
    Nested,
    /// The download task ended without a result (the runtime is shutting down).
    #[error("the download was interrupted")]
    Interrupted,
}

/// Heartbeat counters, for status reports and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Liveness {
    /// Heartbeats queued for sending.
    pub heartbeats_sent: u64,
    /// `"pong"` frames received.
    pub pongs_received: u64,
    /// When the last one arrived.
    pub last_pong: Option<Instant>,
}

/// Which close code [`SocketHandle::close`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// 1000: the session is over (user disconnect, reconnect with other parameters).
    Normal,
    /// 1001: the daemon is shutting down.
    GoingAway,
}

impl CloseKind {
    /// The WebSocket close code.
    pub fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
        }
    }
}

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The gateway answered the upgrade with an HTTP error: e.g. 401 for a missing, invalid or
    /// expired transaction token, 404 for an unknown channel. Not a network problem: retrying
    /// with the same parameters will fail again.
    #[error(
        "the chat gateway refused the connection with HTTP {status}{}; for 401/403 obtain a new \
         transaction token, otherwise check the brand and channel",
        message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
    )]
    HandshakeRejected {
        /// The HTTP status.
        status: u16,
        /// The gateway's `errorMessage`, when its body had one.
        message: Option<String>,
    },
    /// The URL cannot be used for a WebSocket.
    #[error("invalid WebSocket URL: {0}")]
    InvalidUrl(String),
    /// TCP could not connect, or the connection broke during the handshake.
    #[error("could not reach the chat gateway: {0}; check the network and the socket URL")]
    Network(#[source] std::io::Error),
    /// The TLS handshake failed (certificate not trusted, TLS-inspecting proxy, clock skew).
    #[error(
        "TLS with the chat gateway failed: {0}; if a proxy inspects TLS, add its root certificate to network.ca_file, otherwise check the system trust store and clock"
    )]
    Tls(#[source] tungstenite::error::TlsError),
    /// The HTTP proxy could not open a tunnel.
    #[error("{0}")]
    Proxy(#[source] super::proxy::ProxyError),
    /// The gateway did not complete the handshake in time.
    #[error("the chat gateway did not answer within {} s", .after.as_secs_f32())]
    Timeout {
        /// The configured connect timeout.
        after: Duration,
    },
    /// The handshake broke the WebSocket protocol.
    #[error("the WebSocket handshake failed: {0}")]
    Handshake(#[source] tungstenite::Error),
}

/// Why a request got no reply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The back end answered with an operation error (PROTOCOL.md §2.6), e.g.
    /// `RecoveringThreadFailed`.
    #[error("the back end refused the request: {code}: {message}")]
    Operation {
        /// `errorCode`.
        code: String,
        /// `errorMessage`.
        message: String,
        /// `transactionId`, for CXone support.
        transaction_id: String,
    },
    /// No reply within the timeout; the request may or may not have been carried out.
    #[error("no reply from the back end within {} s", .after.as_secs_f32())]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The connection ended before the reply arrived; reconnect and recover.
    #[error("the connection to the chat gateway ended before the reply arrived")]
    ConnectionLost,
    /// The reply arrived but does not decode.
    #[error("the reply does not decode: {0}")]
    Undecodable(DecodeError),
    /// Only event frames (with an `eventId`) can be requests.
    #[error("a heartbeat is not a request; use send")]
    NotARequest,
    /// A request with this `eventId` is already waiting; ids must be fresh per request.
    #[error("a request with eventId {event_id} is already waiting; use a fresh id per request")]
    DuplicateEventId {
        /// The id.
        event_id: String,
    },
}

/// Why [`SocketHandle::send`] could not queue a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the connection to the chat gateway has ended; reconnect before sending")]
pub struct ConnectionClosed;

/// A handle to one connection. Clones share it; when the last handle is dropped the
/// connection is closed with code 1000.
#[derive(Debug, Clone)]
pub struct SocketHandle {
    shared: Arc<Shared>,
    writer: mpsc::Sender<WriterCommand>,
    control: mpsc::Sender<Control>,
    request_timeout: Duration,
}

/// A request queued by [`SocketHandle::submit`], waiting for its reply.
#[derive(Debug)]
pub struct PendingReply {
    shared: Arc<Shared>,
    event_id: String,
    reply: tokio::sync::oneshot::Receiver<shared::Reply>,
    deadline: tokio::time::Instant,
    timeout: Duration,
}

impl PendingReply {
    /// The first frame with the request's `eventId`, within the request timeout.
    pub async fn reply(mut self) -> Result<ReceivedEvent, RequestError> {
        match tokio::time::timeout_at(self.deadline, &mut self.reply).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(RequestError::ConnectionLost),
            Err(_) => Err(RequestError::Timeout {
                after: self.timeout,
            }),
        }
    }
}

impl Drop for PendingReply {
    fn drop(&mut self) {
        self.shared.forget(&self.event_id);
    }
}

/// Where a socket gets the original frame behind an `EventInS3` URL: the REST client itself
/// ([`From<RestClient>`]), or anything else that downloads — the daemon routes the downloads
/// of every session through its large-event fetcher actor.
#[derive(Clone)]
pub struct LargeEvents(Arc<dyn Fn(String) -> FetchFuture + Send + Sync>);

/// A large-event download in progress.
pub type FetchFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, RestError>> + Send>>;

impl LargeEvents {
    /// Downloads with `fetch`.
    pub fn via(fetch: impl Fn(String) -> FetchFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(fetch))
    }

    pub(crate) fn fetch(&self, url: String) -> FetchFuture {
        (self.0)(url)
    }
}

impl From<RestClient> for LargeEvents {
    fn from(rest: RestClient) -> Self {
        Self::via(move |url| {
            let rest = rest.clone();
            Box::pin(async move { rest.download_large_event(&url).await })
        })
    }
}

impl std::fmt::Debug for LargeEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LargeEvents").finish_non_exhaustive()
    }
}

/// Opens a connection to `url` (built by [`Endpoints::websocket`](super::Endpoints::websocket)).
/// `large_events` downloads large events. The URL carries the transaction token and is never
/// logged whole.
pub async fn connect(
    url: &Url,
    config: &SocketConfig,
    large_events: impl Into<LargeEvents>,
) -> Result<(SocketHandle, InboundReceiver), ConnectError> {
    let large_events = large_events.into();
    install_crypto_provider();
    let request = url
        .as_str()
        .into_client_request()
        .map_err(classify_connect_error)?;
    // CXone's frames are a few KiB: a read buffer of that size (it grows for a larger frame)
    // instead of tungstenite's 128 KiB, which was most of a connected session's memory; each
    // frame is written at once (the driver flushes after every frame anyway).
    let ws_config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_message_size));
    let connecting = async {
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(443);
        // The daemon opens the TCP stream itself, direct or to the proxy, to set keep-alive on
        // it (tokio-tungstenite's own connect cannot).
        let stream = match config.proxy.for_url(url) {
            Some(proxy) => super::proxy::tunnel(proxy, host, port, config.connect_timeout)
                .await
                .map_err(ConnectError::Proxy)?,
            None => {
                let stream = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
                    .await
                    .map_err(|e| classify_connect_error(tungstenite::Error::Io(e)))?;
                let _ = stream.set_nodelay(true);
                stream
            }
        };
        super::network::keep_alive(&stream, config.tcp_keepalive);
        let stream = transport::wrap(stream, url, &config.extra_roots).await?;
        tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config))
            .await
            .map_err(classify_connect_error)
    };
    let (ws, _response) = match tokio::time::timeout(config.connect_timeout, connecting).await {
        Err(_) => {
            return Err(ConnectError::Timeout {
                after: config.connect_timeout,
            });
        }
        Ok(result) => result?,
    };
    let id = driver::next_connection_id();
    let span = info_span!("upstream_socket", conn = id);
    span.in_scope(|| info!(gateway = %loggable_url(url), "WebSocket connected"));

    let shared = Arc::new(Shared::new());
    let (writer, writer_rx) = mpsc::channel(config.outbound_capacity.max(1));
    let (control, control_rx) = mpsc::channel(4);
    let (inbound, inbound_rx) = mpsc::channel(config.inbound_capacity.max(1));
    driver::spawn(
        ws,
        driver::Parts {
            config: config.clone(),
            large_events,
            shared: shared.clone(),
            writer: writer.clone(),
            writer_rx,
            control: control_rx,
            inbound,
        },
        span,
    );
    let handle = SocketHandle {
        shared,
        writer,
        control,
        request_timeout: config.request_timeout,
    };
    Ok((handle, InboundReceiver { rx: inbound_rx }))
}

impl SocketHandle {
    /// Queues a frame without waiting for any reply (fire-and-forget events, heartbeats).
    /// Waits only while the outbound queue is full.
    pub async fn send(&self, frame: OutgoingFrame) -> Result<(), ConnectionClosed> {
        if !self.shared.is_open() {
            return Err(ConnectionClosed);
        }
        self.writer
            .send(WriterCommand::Text(frame.to_text()))
            .await
            .map_err(|_| ConnectionClosed)
    }

    /// Sends an event and waits up to the configured request timeout for the first frame with
    /// the same `eventId`: a postback or plain ack (`Ok`) or an operation error
    /// ([`RequestError::Operation`]).
    pub async fn request(&self, frame: OutgoingFrame) -> Result<ReceivedEvent, RequestError> {
        self.request_with_timeout(frame, self.request_timeout).await
    }

    /// [`request`](Self::request) with its own timeout (which includes waiting for room in the
    /// outbound queue).
    pub async fn request_with_timeout(
        &self,
        frame: OutgoingFrame,
        timeout: Duration,
    ) -> Result<ReceivedEvent, RequestError> {
        let OutgoingFrame::Event { event_id, .. } = &frame else {
            return Err(RequestError::NotARequest);
        };
        let reply = self.shared.register(event_id)?;
        // Registered before sending, so even an instant reply finds its waiter.
        let _guard = WaiterGuard {
            shared: &self.shared,
            event_id,
        };
        let exchange = async {
            self.writer
                .send(WriterCommand::Text(frame.to_text()))
                .await
                .map_err(|_| RequestError::ConnectionLost)?;
            reply.await.map_err(|_| RequestError::ConnectionLost)?
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(RequestError::Timeout { after: timeout }))
    }

    /// Queues a request and returns its reply still to come: [`request`](Self::request) in
    /// two steps, so that a caller who must keep frames in order can let the next one go as
    /// soon as this one is queued. The request timeout counts from now.
    pub async fn submit(&self, frame: OutgoingFrame) -> Result<PendingReply, RequestError> {
        let OutgoingFrame::Event { event_id, .. } = &frame else {
            return Err(RequestError::NotARequest);
        };
        let timeout = self.request_timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        // Registered before sending, so even an instant reply finds its waiter.
        let pending = PendingReply {
            reply: self.shared.register(event_id)?,
            shared: self.shared.clone(),
            event_id: event_id.clone(),
            deadline,
            timeout,
        };
        let queued = self.writer.send(WriterCommand::Text(frame.to_text()));
        match tokio::time::timeout_at(deadline, queued).await {
            Ok(Ok(())) => Ok(pending),
            Ok(Err(_)) => Err(RequestError::ConnectionLost),
            Err(_) => Err(RequestError::Timeout { after: timeout }),
        }
    }

    /// Closes the connection with `kind`'s code and waits until both tasks have ended (at most
    /// about [`SocketConfig::close_timeout`]). Pending requests fail with `ConnectionLost`.
    pub async fn close(&self, kind: CloseKind) {
        // A full control queue means a close is already on its way.
        let _ = self.control.try_send(Control::Close(kind));
        self.closed().await;
    }

    /// Resolves once the connection has ended, for whatever reason.
    pub async fn closed(&self) {
        let mut finished = self.shared.finished.subscribe();
        // An error means the driver is gone, which is the same as finished.
        let _ = finished.wait_for(|done| *done).await;
    }

    /// Whether the connection still takes requests.
    pub fn is_open(&self) -> bool {
        self.shared.is_open()
    }

    /// Requests sent and still waiting for their reply (a drain lets them finish first).
    pub fn pending_requests(&self) -> usize {
        self.shared.waiting()
    }

    /// Heartbeat counters, updated as heartbeats go out and pongs come in.
    pub fn liveness(&self) -> watch::Receiver<Liveness> {
        self.shared.liveness.subscribe()
    }
}

/// Maps tungstenite's connect errors onto [`ConnectError`]; an HTTP response to the upgrade is
/// a rejection, anything else a network or protocol failure.
fn classify_connect_error(error: tungstenite::Error) -> ConnectError {
    use tungstenite::Error as E;
    match error {
        E::Http(response) => {
            let message = response
                .body()
                .as_deref()
                .and_then(RestErrorBody::detect)
                .map(|b| b.error.error_message);
            ConnectError::HandshakeRejected {
                status: response.status().as_u16(),
                message,
            }
        }
        E::Url(e) => ConnectError::InvalidUrl(e.to_string()),
        E::HttpFormat(e) => ConnectError::InvalidUrl(e.to_string()),
        // tokio-rustls reports handshake failures as I/O errors wrapping the rustls error.
        E::Io(e) => match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => ConnectError::Tls(tls.clone().into()),
            None => ConnectError::Network(e),
        },
        E::Tls(e) => ConnectError::Tls(e),
        other => ConnectError::Handshake(other),
    }
}
