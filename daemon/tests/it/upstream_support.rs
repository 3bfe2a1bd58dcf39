//! Helpers shared by the `upstream_*` test modules (`use crate::upstream_support as support;`):
//! the emulator and its admin API, sessions that build frames, waiting for inbound items with
//! deadlines, and two tiny local servers (HTTP and WebSocket) for behaviour the emulator cannot
//! produce.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cxone_chat_protocol::cxone::common::{
    BrandRef, CustomerIdentity, IdRef, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::sent::{
    AuthorizeCustomerData, IdentityKey, MessageData, OutgoingFrame, Payload, RecoverData, SentEvent,
};
use cxone_chat_protocol::rpc::types::CustomEnvironment;
use cxone_chatd::upstream::rest::{ChannelTarget, RestClient, RestConfig};
use cxone_chatd::upstream::socket::{
    self, ConnectError, Inbound, InboundReceiver, SocketConfig, SocketHandle,
};
use cxone_chatd::upstream::{Endpoints, SdkIdentity, SocketQuery, install_crypto_provider};
use cxone_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;

/// The emulator's built-in brand.
pub const BRAND: i64 = 1000;

/// How long any single wait in a test may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// An emulator with the default configuration.
pub async fn emulator() -> Emulator {
    emulator_with(EmulatorConfig::default()).await
}

/// An emulator with `config`.
pub async fn emulator_with(config: EmulatorConfig) -> Emulator {
    Emulator::start("127.0.0.1:0", config)
        .await
        .expect("the emulator starts")
}

/// The emulator's endpoints, as a custom environment.
pub fn endpoints(emu: &Emulator) -> Endpoints {
    Endpoints::custom(&CustomEnvironment {
        chat_url: format!("{}/chat", emu.base_url()),
        socket_url: emu.ws_url(),
        token_url: None,
    })
    .expect("the emulator's URLs are valid")
}

/// A REST client whose retries wait milliseconds, not seconds.
pub fn rest() -> RestClient {
    rest_with(RestConfig::default())
}

/// [`rest`] on top of `config`.
pub fn rest_with(config: RestConfig) -> RestClient {
    RestClient::new(RestConfig {
        retry_min_delay: Duration::from_millis(5),
        retry_max_delay: Duration::from_millis(20),
        ..config
    })
}

/// `brand 1000, channel`.
pub fn target<'a>(endpoints: &'a Endpoints, channel: &'a str) -> ChannelTarget<'a> {
    ChannelTarget {
        endpoints,
        brand_id: BRAND,
        channel_id: channel,
    }
}

/// `POST /admin/<path>` with a JSON body; panics unless the emulator answers 200.
pub async fn admin_post(emu: &Emulator, path: &str, body: Value) -> Value {
    install_crypto_provider();
    let response = reqwest::Client::new()
        .post(format!("{}/admin/{path}", emu.base_url()))
        .json(&body)
        .send()
        .await
        .expect("admin request");
    let status = response.status();
    let value: Value = response.json().await.expect("admin JSON");
    assert!(status.is_success(), "admin {path}: {status} {value}");
    value
}

/// Everything the emulator recorded of `kind` (e.g. `RecoverThread`, `GET /chat/1.0/…`).
pub async fn received(emu: &Emulator, kind: &str) -> Vec<Value> {
    install_crypto_provider();
    let url = reqwest::Url::parse_with_params(
        &format!("{}/admin/received", emu.base_url()),
        &[("kind", kind)],
    )
    .expect("URL");
    let value: Value = reqwest::get(url)
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin JSON");
    value.as_array().cloned().expect("an array")
}

/// Waits until the emulator has recorded at least `count` items of `kind`. Polls the admin
/// API because the emulator has no push for it; the deadline keeps a failure from hanging.
pub async fn wait_received(emu: &Emulator, kind: &str, count: usize) -> Vec<Value> {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let items = received(emu, kind).await;
            if items.len() >= count {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the emulator never received {count} × {kind}"))
}

/// The next inbound item, or a panic after [`PATIENCE`].
pub async fn next_inbound(rx: &mut InboundReceiver) -> Inbound {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("an inbound item in time")
        .expect("the inbound channel is open")
}

/// Skips inbound items until `pick` accepts one, returning what it extracted.
pub async fn inbound_until<T>(
    rx: &mut InboundReceiver,
    mut pick: impl FnMut(&Inbound) -> Option<T>,
) -> T {
    loop {
        let item = next_inbound(rx).await;
        if let Some(found) = pick(&item) {
            return found;
        }
        assert!(
            !matches!(item, Inbound::Closed { .. }),
            "closed while waiting: {item:?}"
        );
    }
}

/// One customer of one channel, with a visitor id: builds frames and opens sockets.
#[derive(Debug, Clone)]
pub struct Session {
    pub endpoints: Endpoints,
    pub channel: String,
    pub customer: String,
    pub visitor: String,
    pub sdk: SdkIdentity,
}

impl Session {
    /// A fresh customer and visitor in `channel` of the emulator.
    pub fn new(emu: &Emulator, channel: &str) -> Self {
        Self {
            endpoints: endpoints(emu),
            channel: channel.to_owned(),
            customer: UuidString::new_v4().to_string(),
            visitor: UuidString::new_v4().to_string(),
            sdk: SdkIdentity::default(),
        }
    }

    /// The WebSocket URL, with `transaction_token` when given.
    pub fn socket_url(&self, transaction_token: Option<&str>) -> url::Url {
        self.endpoints.websocket(&SocketQuery {
            brand_id: BRAND,
            channel_id: &self.channel,
            visitor_id: &self.visitor,
            sdk: &self.sdk,
            transaction_token,
        })
    }

    /// Opens a socket with `config`.
    pub async fn connect(
        &self,
        config: &SocketConfig,
    ) -> Result<(SocketHandle, InboundReceiver), ConnectError> {
        socket::connect(&self.socket_url(None), config, rest()).await
    }

    /// An event frame with a fresh `eventId`.
    pub fn frame(&self, event: SentEvent) -> OutgoingFrame {
        let payload = Payload {
            brand: BrandRef { id: BRAND },
            channel: IdRef::new(&self.channel),
            identity: Some((
                IdentityKey::for_event(&event),
                CustomerIdentity::new(&self.customer),
            )),
            visitor: Some(IdRef::new(&self.visitor)),
            destination: None,
            event,
        };
        OutgoingFrame::Event {
            action: payload.event.action(),
            event_id: UuidString::new_v4().to_string(),
            payload: Box::new(payload),
        }
    }

    /// `AuthorizeCustomer` for an anonymous customer.
    pub fn authorize(&self) -> OutgoingFrame {
        self.frame(SentEvent::AuthorizeCustomer(AuthorizeCustomerData {
            authorization: None,
            disable_channel_info: Some(true),
            sdk_platform: Some(self.sdk.platform.clone()),
            sdk_version: Some(self.sdk.version.clone()),
        }))
    }

    /// `RecoverThread`, for `thread` or the customer's latest.
    pub fn recover(&self, thread: Option<&UuidString>) -> OutgoingFrame {
        use cxone_chat_protocol::cxone::sent::OptionalThreadRef;
        self.frame(SentEvent::RecoverThread(RecoverData {
            thread: thread.map(|id| OptionalThreadRef {
                id_on_external_platform: Some(id.clone()),
            }),
        }))
    }

    /// `SendMessage` with `text` in `thread`; returns the frame and the message id.
    pub fn send_message(&self, thread: &UuidString, text: &str) -> (OutgoingFrame, UuidString) {
        let id = UuidString::new_v4();
        let frame = self.frame(SentEvent::SendMessage(MessageData {
            thread: ThreadRef {
                id_on_external_platform: thread.clone(),
                thread_name: None,
            },
            message_content: MessageContent::text(text),
            id_on_external_platform: id.clone(),
            customer: None,
            consumer: None,
            contact: None,
            consumer_contact: None,
            attachments: Vec::new(),
            device_fingerprint: None,
            browser_fingerprint: None,
            access_token: None,
        }));
        (frame, id)
    }
}

/// The `eventId` of an event frame.
pub fn event_id(frame: &OutgoingFrame) -> String {
    match frame {
        OutgoingFrame::Event { event_id, .. } => event_id.clone(),
        OutgoingFrame::Heartbeat => panic!("a heartbeat has no eventId"),
    }
}

/// A socket configuration for tests: default timings unless overridden.
pub fn socket_config() -> SocketConfig {
    SocketConfig::default()
}

/// A channel whose simulated agent stays silent and never assigns itself, so a test sees only
/// the frames it provokes.
pub fn quiet_channel() -> cxone_emulator::config::ChannelConfig {
    let mut channel = cxone_emulator::config::ChannelConfig::default();
    channel.agent.reply = None;
    channel.agent.assign_after_ms = None;
    channel.agent.read_receipts = false;
    channel.agent.welcome = None;
    channel
}

/// The default configuration plus `channels` in brand 1000.
pub fn config_with(
    channels: impl IntoIterator<Item = (&'static str, cxone_emulator::config::ChannelConfig)>,
) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    let brand = config.brands.entry(BRAND).or_default();
    for (id, channel) in channels {
        brand.channels.insert(id.to_owned(), channel);
    }
    config
}

/// Sets emulator faults.
pub async fn faults(emu: &Emulator, faults: Value) {
    admin_post(emu, "faults", faults).await;
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 server for downloads: scripted status, body, delay and framing.

/// What the fake HTTP server answers to one request.
#[derive(Debug, Clone)]
pub struct FakeResponse {
    pub status: u16,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send `Content-Length`; without it the body ends when the connection closes.
    pub content_length: bool,
}

impl FakeResponse {
    /// `status` with `body`, at once, with a length.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            body: body.into(),
            delay: Duration::ZERO,
            content_length: true,
        }
    }

    /// The same, after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The same, without `Content-Length`.
    pub fn unframed(mut self) -> Self {
        self.content_length = false;
        self
    }
}

/// A running fake HTTP server; `requests` holds the head of every request, in order.
#[derive(Debug, Clone)]
pub struct FakeHttp {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FakeHttp {
    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// Serves on loopback; `respond(n, path)` answers the `n`-th request (from 0) for `path`.
pub async fn fake_http(
    respond: impl Fn(usize, &str) -> FakeResponse + Send + Sync + 'static,
) -> FakeHttp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let respond = Arc::new(respond);
    let log = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (log, respond) = (log.clone(), respond.clone());
            tokio::spawn(async move {
                let _ = serve_http(stream, &log, &*respond).await;
            });
        }
    });
    FakeHttp { base, requests }
}

async fn serve_http(
    mut stream: TcpStream,
    log: &Mutex<Vec<String>>,
    respond: &(dyn Fn(usize, &str) -> FakeResponse + Send + Sync),
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("").to_owned();
    let n = {
        let mut log = log.lock().unwrap();
        log.push(head);
        log.len() - 1
    };
    let r = respond(n, &path);
    tokio::time::sleep(r.delay).await;
    let mut out = format!("HTTP/1.1 {} Fake\r\nConnection: close\r\n", r.status);
    if r.content_length {
        out.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    out.push_str("Content-Type: application/json\r\n\r\n");
    stream.write_all(out.as_bytes()).await?;
    stream.write_all(&r.body).await?;
    stream.shutdown().await
}

// ---------------------------------------------------------------------------------------------
// A tiny WebSocket server: the test scripts the server side of each accepted connection.

/// A running fake gateway: accepted connections arrive on `connections`.
#[derive(Debug)]
pub struct FakeGateway {
    pub url: url::Url,
    pub connections: mpsc::Receiver<WebSocketStream<TcpStream>>,
}

/// Accepts WebSocket connections on loopback.
pub async fn fake_gateway() -> FakeGateway {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("ws://{}/", listener.local_addr().unwrap())).unwrap();
    let (tx, connections) = mpsc::channel(4);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if let Ok(ws) = tokio_tungstenite::accept_async(stream).await
                && tx.send(ws).await.is_err()
            {
                return;
            }
        }
    });
    FakeGateway { url, connections }
}

/// Connects a client to a fake gateway and returns both ends.
pub async fn connect_fake(
    gateway: &mut FakeGateway,
    config: &SocketConfig,
    rest: RestClient,
) -> (SocketHandle, InboundReceiver, WebSocketStream<TcpStream>) {
    let (handle, rx) = socket::connect(&gateway.url, config, rest)
        .await
        .expect("connects to the fake gateway");
    let server = tokio::time::timeout(PATIENCE, gateway.connections.recv())
        .await
        .expect("accepted in time")
        .expect("accepted");
    (handle, rx, server)
}

/// A JSON value as a WebSocket text message.
pub fn text(value: Value) -> tokio_tungstenite::tungstenite::Message {
    tokio_tungstenite::tungstenite::Message::Text(value.to_string().into())
}

/// An `EventInS3` push pointing at `url`.
pub fn event_in_s3(url: &str, origin: &str) -> Value {
    json!({
        "eventId": UuidString::new_v4().to_string(),
        "eventObject": "S3Object",
        "eventType": "EventInS3",
        "createdAt": "2024-04-16T07:44:51.462Z",
        "createdAtWithMilliseconds": "2024-04-16T07:44:51.462Z",
        "data": { "s3Object": { "url": url }, "originEvent": { "eventType": origin } }
    })
}
