//! Shared test plumbing: an emulator on a real loopback port ([`Emu`]), a tiny HTTP/1.1
//! client over a plain `TcpStream` ([`http`]), and a WebSocket client that speaks the CXone
//! frames of `cxone_chat_protocol` and waits for specific frames with a deadline
//! ([`Client`]; never sleep-and-hope).

use std::net::SocketAddr;
use std::time::Duration;

use cxone_chat_protocol::cxone::common::{
    AccessToken, CustomField, CustomFields, CustomerIdentity, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::sent::{
    AccessTokenData, MessageData, OptionalThreadRef, RecoverData,
};
use cxone_emulator::config::{AgentConfig, ChannelConfig, Mode};
use cxone_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

/// The built-in brand.
pub(crate) const BRAND: i64 = 1000;

/// How long any single wait may take before the test fails. Generous: a passing test never
/// waits this long, a failing one says what it was waiting for.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// Extracts the typed body of a frame: `body!(frame, ThreadRecovered)`; fails the test with the
/// frame's text when it is something else.
macro_rules! body {
    ($frame:expr, $variant:ident) => {{
        let frame = &$frame;
        match &frame.event().body {
            cxone_chat_protocol::cxone::received::EventBody::$variant(inner) => inner.clone(),
            other => panic!(
                "expected {} but got {other:?}\nframe: {}",
                stringify!($variant),
                frame.text
            ),
        }
    }};
}

mod client;
mod http;

pub(crate) use client::{Client, Ending, Frame};
pub(crate) use http::{HttpResponse, get_url, http, http_with};

// ---------------------------------------------------------------------------------------------
// The emulator

/// A configuration with an extra channel `id` in the built-in brand.
pub(crate) fn config_with(id: &str, channel: ChannelConfig) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config
        .brands
        .get_mut(&BRAND)
        .expect("built-in brand")
        .channels
        .insert(id.to_owned(), channel);
    config
}

/// A channel whose simulated agent does nothing by itself, so a test drives it through the
/// admin API and counts of messages are exact.
pub(crate) fn quiet_channel(mode: Mode) -> ChannelConfig {
    ChannelConfig {
        mode,
        agent: AgentConfig {
            reply: None,
            assign_after_ms: None,
            read_receipts: false,
            ..AgentConfig::default()
        },
        ..ChannelConfig::default()
    }
}

/// A running emulator.
pub(crate) struct Emu {
    emulator: Emulator,
}

impl Emu {
    /// The built-in configuration.
    pub(crate) async fn start() -> Self {
        Self::with_config(EmulatorConfig::default()).await
    }

    /// Any configuration.
    pub(crate) async fn with_config(config: EmulatorConfig) -> Self {
        let emulator = Emulator::start("127.0.0.1:0", config)
            .await
            .expect("the emulator starts");
        Self { emulator }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.emulator.addr()
    }

    pub(crate) fn base_url(&self) -> String {
        self.emulator.base_url()
    }

    /// `ws://…/?brandId&channelId&visitorId&sdkPlatform&sdkVersion[&transactionToken]`.
    pub(crate) fn ws_url(&self, channel: &str, visitor: &str, token: Option<&str>) -> String {
        let mut url = format!(
            "{}?brandId={BRAND}&channelId={channel}&visitorId={visitor}&sdkPlatform=ios&sdkVersion=3.3.1",
            self.emulator.ws_url()
        );
        if let Some(t) = token {
            url.push_str("&transactionToken=");
            url.push_str(t);
        }
        url
    }

    pub(crate) async fn get(&self, path: &str) -> HttpResponse {
        http(self.addr(), "GET", path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> HttpResponse {
        http(self.addr(), "POST", path, Some(body.to_string().as_bytes())).await
    }

    pub(crate) async fn put(&self, path: &str, body: &Value) -> HttpResponse {
        http(self.addr(), "PUT", path, Some(body.to_string().as_bytes())).await
    }

    /// `GET /admin/<path>`, which must succeed.
    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let r = self.get(&format!("/admin/{path}")).await;
        assert_eq!(r.status, 200, "GET /admin/{path}: {}", r.text());
        r.json()
    }

    /// `POST /admin/<path>`, which must succeed.
    pub(crate) async fn admin(&self, path: &str, body: Value) -> Value {
        let r = self.post(&format!("/admin/{path}"), &body).await;
        assert_eq!(r.status, 200, "POST /admin/{path}: {}", r.text());
        r.json()
    }

    /// What the emulator received over `transport` (`ws` or `rest`), optionally of one kind.
    pub(crate) async fn received(&self, transport: &str, kind: Option<&str>) -> Vec<Value> {
        let mut path = format!("received?transport={transport}");
        if let Some(k) = kind {
            path.push_str("&kind=");
            path.push_str(&k.replace(' ', "%20"));
        }
        match self.admin_get(&path).await {
            Value::Array(items) => items,
            other => panic!("received is not an array: {other}"),
        }
    }

    /// The `/admin/threads` entry of a thread.
    pub(crate) async fn admin_thread(&self, thread: &UuidString) -> Value {
        let threads = self.admin_get("threads").await;
        threads
            .as_array()
            .expect("threads is an array")
            .iter()
            .find(|t| t["threadId"].as_str() == Some(thread.as_str()))
            .cloned()
            .unwrap_or_else(|| panic!("thread {thread} not in /admin/threads: {threads}"))
    }

    /// A new anonymous customer on `channel` (no authorization sent yet).
    pub(crate) async fn connect(&self, channel: &str) -> Client {
        self.connect_as(channel, CustomerIdentity::new(uuid()), None)
            .await
            .expect("the WebSocket handshake succeeds")
    }

    /// A new anonymous customer on `channel`, authorized with `AuthorizeCustomer`.
    pub(crate) async fn connect_authorized(&self, channel: &str) -> Client {
        let mut c = self.connect(channel).await;
        let authorized = c.authorize(None).await;
        assert_eq!(
            authorized.consumer_identity.id_on_external_platform,
            c.customer.id_on_external_platform
        );
        c
    }

    /// Opens the socket for `customer`, with a transaction token when given.
    pub(crate) async fn connect_as(
        &self,
        channel: &str,
        customer: CustomerIdentity,
        token: Option<&str>,
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        let visitor = uuid();
        let url = self.ws_url(channel, &visitor, token);
        let (ws, response) = tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(url))
            .await
            .expect("the handshake finishes in time")?;
        assert_eq!(response.status(), 101);
        Ok(Client::new(ws, channel, visitor, customer))
    }

    /// `POST /oauth/token?brandId&channelId&visitorId` with `body`.
    pub(crate) async fn token(&self, channel: &str, body: &Value) -> HttpResponse {
        let path = format!(
            "/oauth/token?channelId={channel}&brandId={BRAND}&visitorId={}",
            uuid()
        );
        self.post(&path, body).await
    }
}

/// A fresh lowercase UUID string.
pub(crate) fn uuid() -> String {
    UuidString::new_v4().to_string()
}

/// `data` of `RecoverThread` / `RecoverLivechat`.
pub(crate) fn recover_data(thread: Option<&UuidString>) -> RecoverData {
    RecoverData {
        thread: thread.map(|t| OptionalThreadRef {
            id_on_external_platform: Some(t.clone()),
        }),
    }
}

/// `SendMessage` data as iOS writes it, with a fresh message id.
pub(crate) fn message_data(thread: &UuidString, content: MessageContent) -> MessageData {
    MessageData {
        thread: ThreadRef::new(thread.clone()),
        message_content: content,
        id_on_external_platform: UuidString::new_v4(),
        customer: Some(CustomFields::default()),
        consumer: None,
        contact: Some(CustomFields::default()),
        consumer_contact: None,
        attachments: Vec::new(),
        device_fingerprint: None,
        browser_fingerprint: None,
        access_token: None,
    }
}

/// A custom field as the SDKs send it.
pub(crate) fn field(ident: &str, value: &str) -> CustomField {
    CustomField {
        ident: ident.to_owned(),
        value: value.to_owned(),
        updated_at: None,
    }
}

/// `{accessToken: {token}}`.
pub(crate) fn token_data(token: &str) -> AccessTokenData {
    AccessTokenData {
        access_token: AccessToken {
            token: token.to_owned(),
            expires_in: None,
            current_date: None,
        },
    }
}

/// The `SendMessage` acknowledgement: exactly `{"eventId": <id>}`, not a typed event.
pub(crate) fn assert_is_ack(frame: &Frame, event_id: &str) {
    assert_eq!(
        frame.json(),
        json!({ "eventId": event_id }),
        "the ack carries only the eventId"
    );
    assert_eq!(frame.event().event_type, "", "the ack is not a typed event");
}

/// An operation error answering `event_id` with `code`; returns its message.
pub(crate) fn assert_error(frame: &Frame, event_id: &str, code: &str) -> String {
    let e = frame.error();
    assert_eq!(e.event_id, event_id, "the error echoes the eventId");
    assert_eq!(e.error_code, code, "error code; frame: {}", frame.text);
    assert!(!e.transaction_id.is_empty(), "transactionId is set");
    assert!(!e.error_message.is_empty(), "errorMessage is set");
    e.error_message.clone()
}

/// A push must carry `eventObject`, `createdAt` without a fraction and
/// `createdAtWithMilliseconds` with one (PROTOCOL.md §7 item 12).
pub(crate) fn assert_push(frame: &Frame, event_object: &str) {
    let v = frame.json();
    assert_eq!(
        v["eventObject"], event_object,
        "eventObject of {}",
        frame.text
    );
    let created = v["createdAt"].as_str().expect("createdAt");
    assert!(
        !created.contains('.'),
        "createdAt has no fraction: {created}"
    );
    let millis = v["createdAtWithMilliseconds"]
        .as_str()
        .expect("createdAtWithMilliseconds");
    assert!(millis.contains('.'), "with milliseconds: {millis}");
    assert!(
        UuidString::parse(v["eventId"].as_str().expect("eventId")).is_ok(),
        "push eventIds are UUIDs"
    );
}

/// `actual` holds everything `expected` says — every key of every object with the same value,
/// arrays element by element — and may hold more: the emulator adds the many keys the real
/// back end sends (`enrich`), which no client may rely on being absent.
pub(crate) fn assert_json_includes(actual: &Value, expected: &Value) {
    fn walk(actual: &Value, expected: &Value, path: &str) {
        match (actual, expected) {
            (Value::Object(a), Value::Object(e)) => {
                for (k, v) in e {
                    let here = format!("{path}.{k}");
                    match a.get(k) {
                        Some(x) => walk(x, v, &here),
                        None => panic!("{here} is missing; actual: {actual}"),
                    }
                }
            }
            (Value::Array(a), Value::Array(e)) => {
                assert_eq!(a.len(), e.len(), "{path}: length; actual: {actual}");
                for (i, (x, v)) in a.iter().zip(e).enumerate() {
                    walk(x, v, &format!("{path}[{i}]"));
                }
            }
            _ => assert_eq!(actual, expected, "at {path}"),
        }
    }
    walk(actual, expected, "");
}
