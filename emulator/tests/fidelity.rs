//! Frame fidelity: every frame the emulator sends is compared with a real capture of the same
//! event type (`shared/cxone/fixtures/ios/`, read at test time): every key the capture has
//! must be present with the same JSON type (`null` in the capture matches anything; arrays
//! compare their first elements when both are non-empty). Every frame received, compared or
//! not, must also decode with `ReceivedFrame::from_text`.
//!
//! The captures used are the current ones. Not used: the hand-written skeletons
//! (`MessagePostSuccess.json`, `*__2022-05-10.json`), the 2022 shapes whose keys differ from
//! today's server (`MessageCreated.json`, `ResponseCreateMessageEvent.json`,
//! `ThreadRecovered.json`, `recoverThreadEvenResponse.json`, `threadMetadaLoaded.json`,
//! `authorize.json`, `consumerAuthorized.json`), `CustomMessageCreatedEvent.json` (an edited
//! copy of `MessageCreatedEvent.json` with a customer-sent legacy `PLUGIN`, which no customer
//! can send), the `CustomPopupBox` actions (`CustomPopup.json`,
//! `ProActiveActionCustomPopupWithEmtyVariables.json`: the emulator only sends welcome
//! messages) and `MessageAddedIntoCaseEvent.json` (an event the emulator does not send).
//!
//! The simulated agent is silenced (no automatic assignment, queue or reply) and driven
//! through the admin API instead, so that each frame is produced in a known state.

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use cxone_chat_protocol::cxone::received::ReceivedFrame;
use cxone_emulator::{Emulator, EmulatorConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/cxone/fixtures/ios/"
);
const BRAND: i64 = 1000;
const WAIT: Duration = Duration::from_secs(10);

/// Reads a capture.
fn fixture(name: &str) -> Value {
    let path = format!("{FIXTURES}{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `expected` is in `actual` with the same JSON type, recursively.
fn same_shape(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    if expected.is_null() {
        return;
    }
    if kind(expected) != kind(actual) {
        out.push(format!(
            "{path}: the capture has {}, the emulator sent {}",
            kind(expected),
            kind(actual)
        ));
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => same_shape(ev, av, &p, out),
                    None => out.push(format!("{p}: missing ({} in the capture)", kind(ev))),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(ev), Some(av)) = (e.first(), a.first()) {
                same_shape(ev, av, &format!("{path}[0]"), out);
            }
        }
        _ => {}
    }
}

/// The comparisons made and what they found.
#[derive(Default)]
struct Report {
    mismatches: Vec<String>,
    /// Event types (or `operation error` / `gateway error`) compared with a capture.
    checked: BTreeSet<String>,
}

impl Report {
    /// Compares `frame` with the capture `name`.
    fn check(&mut self, name: &str, frame: &Value) {
        let mut out = Vec::new();
        same_shape(&fixture(name), frame, "", &mut out);
        self.mismatches
            .extend(out.into_iter().map(|m| format!("{name}: {m}")));
        self.checked.insert(label(frame));
    }

    fn assert_clean(&self, decode_errors: &[String]) {
        assert!(
            decode_errors.is_empty(),
            "frames that do not decode:\n{}",
            decode_errors.join("\n")
        );
        assert!(
            self.mismatches.is_empty(),
            "{} differences from the real captures:\n{}",
            self.mismatches.len(),
            self.mismatches.join("\n")
        );
    }
}

/// The event type of a frame (top-level or postback), or its kind for errors.
fn label(v: &Value) -> String {
    if v.get("error").is_some() {
        return "operation error".into();
    }
    if v.get("eventId").is_none() && v.get("message").is_some() {
        return "gateway error".into();
    }
    event_type(v).to_owned()
}

fn event_type(v: &Value) -> &str {
    v.get("eventType")
        .or_else(|| v.pointer("/postback/eventType"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket client in the manner of the iOS SDK.
struct Client {
    ws: Ws,
    channel: String,
    customer: Value,
    visitor: String,
    /// Frames read but not yet asked for.
    inbox: VecDeque<Value>,
    /// Every frame that failed to decode as a `ReceivedFrame`.
    decode_errors: Vec<String>,
}

impl Client {
    async fn connect(emu: &Emulator, channel: &str, first: &str, last: &str) -> Self {
        let visitor = uuid::Uuid::new_v4().to_string();
        let url = format!(
            "{}?brandId={BRAND}&channelId={channel}&visitorId={visitor}&sdkPlatform=ios&sdkVersion=3.3.1",
            emu.ws_url()
        );
        let (ws, _) = connect_async(url).await.expect("WebSocket handshake");
        Self {
            ws,
            channel: channel.into(),
            customer: json!({
                "idOnExternalPlatform": uuid::Uuid::new_v4().to_string(),
                "firstName": first,
                "lastName": last,
            }),
            visitor,
            inbox: VecDeque::new(),
            decode_errors: Vec::new(),
        }
    }

    async fn send_text(&mut self, text: String) {
        self.ws
            .send(WsMessage::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends an event; returns its eventId.
    async fn send(&mut self, event_type: &str, data: Value) -> String {
        let event_id = uuid::Uuid::new_v4().to_string();
        let action = if event_type == "AuthorizeCustomer" {
            "register"
        } else {
            "chatWindowEvent"
        };
        let identity_key = match event_type {
            "ReconnectConsumer" | "RefreshToken" | "EndContact" => "consumerIdentity",
            _ => "customerIdentity",
        };
        let frame = json!({
            "action": action,
            "eventId": event_id,
            "payload": {
                "eventType": event_type,
                "brand": {"id": BRAND},
                "channel": {"id": self.channel},
                identity_key: self.customer,
                "visitor": {"id": self.visitor},
                "data": data,
            }
        });
        self.send_text(frame.to_string()).await;
        event_id
    }

    /// Reads one frame from the socket, checking that it decodes.
    async fn read(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame within the timeout")
                .expect("socket open")
                .expect("socket healthy");
            let WsMessage::Text(text) = msg else {
                continue;
            };
            if let Err(e) = ReceivedFrame::from_text(text.as_str()) {
                self.decode_errors.push(format!("{e}: {text}"));
            }
            return serde_json::from_str(text.as_str()).expect("server frames are JSON");
        }
    }

    /// The first frame, buffered or new, that `pred` accepts.
    async fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.inbox.iter().position(&pred) {
            return self.inbox.remove(i).expect("index found");
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {what}; received instead: {:?}",
                self.inbox
            );
            let v = self.read().await;
            if pred(&v) {
                return v;
            }
            self.inbox.push_back(v);
        }
    }

    /// The reply to a request.
    async fn reply(&mut self, event_id: &str) -> Value {
        let id = event_id.to_owned();
        self.wait(&format!("reply to {event_id}"), move |v| {
            v.get("eventId").and_then(Value::as_str) == Some(id.as_str())
        })
        .await
    }

    /// The next push of a type.
    async fn push(&mut self, event_type: &str) -> Value {
        let et = event_type.to_owned();
        self.wait(event_type, move |v| {
            v.get("postback").is_none() && self::event_type(v) == et
        })
        .await
    }

    /// `SendMessage`; returns (ack, echo).
    async fn say(
        &mut self,
        thread: &str,
        content: Value,
        contact: Option<Value>,
    ) -> (Value, Value) {
        let message_id = uuid::Uuid::new_v4().to_string();
        let mut data = json!({
            "thread": {"idOnExternalPlatform": thread, "threadName": ""},
            "messageContent": content,
            "idOnExternalPlatform": message_id,
            "customer": {"customFields": []},
            "attachments": [],
            "deviceFingerprint": {"os": "iOS", "osVersion": "18.1", "deviceType": "mobile", "applicationType": "native", "language": "en", "country": "CZ"},
        });
        if let Some(c) = contact {
            data["contact"] = json!({"customFields": c});
        }
        let id = self.send("SendMessage", data).await;
        let ack = self.reply(&id).await;
        let echo = self
            .wait("MessageCreated echo", move |v| {
                event_type(v) == "MessageCreated"
                    && v.pointer("/data/message/idOnExternalPlatform")
                        .and_then(Value::as_str)
                        == Some(message_id.as_str())
            })
            .await;
        (ack, echo)
    }
}

/// iOS-style text content.
fn text(t: &str) -> Value {
    json!({"type": "TEXT", "payload": {"text": t}, "parameters": {}, "postback": null})
}

/// One HTTP/1.1 request over a fresh connection: (status, body).
async fn http(
    emu: &Emulator,
    method: &str,
    path_and_query: &str,
    body: Option<&Value>,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(emu.addr()).await.expect("connect");
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path_and_query} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emu.addr(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, raw[split + 4..].to_vec())
}

/// An admin call that must succeed.
async fn admin(emu: &Emulator, path: &str, body: Value) -> Value {
    let (status, bytes) = http(emu, "POST", &format!("/admin/{path}"), Some(&body)).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(status, 200, "POST /admin/{path}: {text}");
    serde_json::from_str(&text).expect("admin answers JSON")
}

/// The built-in configuration with the agent silenced, so that tests drive it.
fn quiet_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    for brand in config.brands.values_mut() {
        for ch in brand.channels.values_mut() {
            ch.agent.reply = None;
            ch.agent.assign_after_ms = None;
            ch.agent.queue_positions.clear();
        }
    }
    config
}

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start("127.0.0.1:0", config)
        .await
        .expect("emulator starts")
}

#[test]
fn the_shape_comparison_finds_missing_keys_and_wrong_types() {
    let capture = json!({"a": 1, "b": {"c": "x", "d": null}, "e": [{"f": true}], "g": []});
    let mut out = Vec::new();
    same_shape(
        &capture,
        &json!({"a": 2, "b": {"c": "y", "d": 5}, "e": [{"f": false, "extra": 1}], "g": [1]}),
        "",
        &mut out,
    );
    assert!(out.is_empty(), "{out:?}");
    same_shape(
        &capture,
        &json!({"a": "2", "b": {}, "e": [{"f": null}], "g": []}),
        "",
        &mut out,
    );
    assert_eq!(
        out,
        [
            ".a: the capture has number, the emulator sent string",
            ".b.c: missing (string in the capture)",
            ".b.d: missing (null in the capture)",
            ".e[0].f: the capture has boolean, the emulator sent null",
        ]
    );
}

/// Single- and multi-thread messaging: authorization, errors, messages, agent actions,
/// recovery, paging, the thread list, archiving, status changes, gateway errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messaging_frames_have_every_key_of_the_real_captures() {
    let emu = start(quiet_config()).await;
    let mut r = Report::default();
    let mut c = Client::connect(&emu, "chat_multi", "John", "Doe").await;

    let id = c
        .send(
            "AuthorizeCustomer",
            json!({"sdkPlatform": "ios", "sdkVersion": "3.3.1"}),
        )
        .await;
    let authorized = c.reply(&id).await;
    // Capture: ConsumerAuthorized in a channel without OAuth.
    r.check("CustomerAuthorizedEvent.json", &authorized);

    c.send(
        "SetCustomerCustomFields",
        json!({"customFields": [{"ident": "age", "value": "24"}]}),
    )
    .await;

    let unknown = uuid::Uuid::new_v4().to_string();
    let id = c
        .send(
            "LoadThreadMetadata",
            json!({"thread": {"idOnExternalPlatform": unknown}}),
        )
        .await;
    let error = c.reply(&id).await;
    assert_eq!(error["error"]["errorCode"], "InconsistentData");
    // Capture: an operation error answering a request about a thread.
    r.check("OperationError.json", &error);

    let thread = uuid::Uuid::new_v4().to_string();
    let (ack, first_echo) = c
        .say(
            &thread,
            text("Hello"),
            Some(json!([{"ident": "department", "value": "sales"}])),
        )
        .await;
    assert_eq!(
        ack.as_object().map(|o| o.len()),
        Some(1),
        "the ack stays a bare {{eventId}}: {ack}"
    );
    let contact_id = first_echo["data"]["case"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    admin(&emu, "agent/assign", json!({"threadId": thread})).await;
    let assigned = c.push("CaseInboxAssigneeChanged").await;
    // Capture: an agent assigned to the contact.
    r.check("CaseInboxAssigneeChanged.json", &assigned);

    let (_, echo) = c.say(&thread, text("Second"), None).await;
    // Capture: the echo of a customer message in an assigned contact.
    r.check("MessageCreatedEvent.json", &echo);

    admin(&emu, "agent/read", json!({"threadId": thread})).await;
    let read = c.push("MessageReadChanged").await;
    // Capture: an agent read a customer message.
    r.check("MessageReadEventByAgent.json", &read);

    let id = c
        .send(
            "LoadThreadMetadata",
            json!({"thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let metadata = c.reply(&id).await;
    // Capture: metadata whose last message is a customer message the agent has read.
    r.check("ThreadMetadataLoadedEvent.json", &metadata);

    // Enough history for a second page.
    for i in 0..24 {
        c.say(&thread, text(&format!("More {i}")), None).await;
    }

    admin(
        &emu,
        "agent/typing",
        json!({"threadId": thread, "typing": true}),
    )
    .await;
    let started = c.push("SenderTypingStarted").await;
    // Capture: the agent started typing.
    r.check("AgentTypingStarted.json", &started);
    admin(
        &emu,
        "agent/typing",
        json!({"threadId": thread, "typing": false}),
    )
    .await;
    let ended = c.push("SenderTypingEnded").await;
    // Capture: the agent stopped typing.
    r.check("AgentTypingEnded.json", &ended);

    admin(
        &emu,
        "agent/say",
        json!({"threadId": thread, "text": "How can I help?"}),
    )
    .await;
    let agent_message = c.push("MessageCreated").await;
    assert_eq!(agent_message["data"]["message"]["direction"], "outbound");

    let id = c
        .send(
            "RecoverThread",
            json!({"thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let recovered = c.reply(&id).await;
    // Capture: a recovered thread whose newest message is the agent's.
    r.check("ThreadRecoveredEvent.json", &recovered);

    let token = recovered["postback"]["data"]["messagesScrollToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!token.is_empty(), "27 messages need a second page");
    let id = c
        .send(
            "LoadMoreMessages",
            json!({"scrollToken": token, "thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let more = c.reply(&id).await;
    // Capture: a page of older messages.
    r.check("MoreMessagesLoaded.json", &more);

    let id = c.send("FetchThreadList", json!({})).await;
    let list = c.reply(&id).await;
    // Capture: the customer's threads.
    r.check("ThreadListFetchedEvent.json", &list);

    let id = c
        .send(
            "ArchiveThread",
            json!({"thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let archived = c.reply(&id).await;
    // Capture: an archived thread.
    r.check("ThreadArchived.json", &archived);

    admin(
        &emu,
        "agent/case-status",
        json!({"contactId": contact_id, "status": "closed"}),
    )
    .await;
    let closed = c.push("CaseStatusChanged").await;
    // Capture: a contact closed.
    r.check("CaseStatusChanged.json", &closed);

    c.send_text("this is not JSON".into()).await;
    let gateway = c
        .wait("gateway error", |v| v.get("connectionId").is_some())
        .await;
    // Capture: the API gateway's error frame.
    r.check("ServerError.json", &gateway);

    c.send_text(json!({"action": "heartbeat"}).to_string())
        .await;
    c.wait("pong", |v| v == "pong").await;

    // Everything else that arrived must decode too.
    while let Ok(Some(Ok(WsMessage::Text(text)))) =
        tokio::time::timeout(Duration::from_millis(200), c.ws.next()).await
    {
        if let Err(e) = ReceivedFrame::from_text(text.as_str()) {
            c.decode_errors.push(format!("{e}: {text}"));
        }
    }
    r.assert_clean(&c.decode_errors);
    for t in [
        "ConsumerAuthorized",
        "operation error",
        "CaseInboxAssigneeChanged",
        "MessageCreated",
        "MessageReadChanged",
        "ThreadMetadataLoaded",
        "SenderTypingStarted",
        "SenderTypingEnded",
        "ThreadRecovered",
        "MoreMessagesLoaded",
        "ThreadListFetched",
        "ThreadArchived",
        "CaseStatusChanged",
        "gateway error",
    ] {
        assert!(r.checked.contains(t), "{t} was not compared");
    }
}

/// Live chat: the welcome message, the queue, assignment, recovery and the end of the contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_chat_frames_have_every_key_of_the_real_captures() {
    let emu = start(quiet_config()).await;
    let mut r = Report::default();
    let mut c = Client::connect(&emu, "chat_live", "John", "Doe").await;

    let id = c.send("AuthorizeCustomer", json!({})).await;
    c.reply(&id).await;
    let welcome = c.push("FireProactiveAction").await;
    // Captures: a welcome message from a workflow, and the older one of the iOS tests.
    r.check("FireProactiveAction+WelcomeMessage.json", &welcome);
    r.check("WelcomeMessage.json", &welcome);

    let thread = uuid::Uuid::new_v4().to_string();
    let begin = json!({
        "type": "TEXT",
        "payload": {"text": "Begin Conversation"},
        "parameters": {"isInitialMessage": true},
        "postback": null,
    });
    let (_, echo) = c.say(&thread, begin, None).await;
    assert_eq!(
        echo["data"]["message"]["messageContent"]["parameters"],
        json!({"isInitialMessage": true}),
        "flags survive"
    );
    let contact_id = echo["data"]["case"]["id"].as_str().unwrap().to_owned();

    admin(
        &emu,
        "agent/queue",
        json!({"threadId": thread, "position": 2}),
    )
    .await;
    let queue = c.push("SetPositionInQueue").await;
    // Capture: a queue position.
    r.check("SetPositionInQueue.json", &queue);

    admin(&emu, "agent/assign", json!({"threadId": thread})).await;
    let assigned = c.push("CaseInboxAssigneeChanged").await;
    r.check("CaseInboxAssigneeChanged.json", &assigned);

    c.say(&thread, text("Hello"), None).await;
    let id = c
        .send(
            "RecoverLivechat",
            json!({"thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let recovered = c.reply(&id).await;
    // Capture: a recovered live chat, assigned, newest message the customer's.
    r.check("LivechatRecoveredEvent.json", &recovered);

    c.send(
        "EndContact",
        json!({"thread": {"idOnExternalPlatform": thread}, "contact": {"id": contact_id}}),
    )
    .await;
    let closed = c.push("CaseStatusChanged").await;
    assert_eq!(closed["data"]["case"]["status"], "closed");
    // Capture: a live-chat contact closed.
    r.check("CaseStatusChanged.json", &closed);

    r.assert_clean(&c.decode_errors);
    for t in [
        "FireProactiveAction",
        "SetPositionInQueue",
        "LivechatRecovered",
        "CaseStatusChanged",
    ] {
        assert!(r.checked.contains(t), "{t} was not compared");
    }
}

/// Legacy OAuth over the WebSocket: authorization with an access token, refresh, reconnect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_frames_have_every_key_of_the_real_captures() {
    let emu = start(quiet_config()).await;
    let mut r = Report::default();
    let mut c = Client::connect(&emu, "chat_oauth", "", "").await;

    let id = c
        .send(
            "AuthorizeCustomer",
            json!({"authorization": {"authorizationCode": "alice:1", "codeVerifier": "verifier"}}),
        )
        .await;
    let authorized = c.reply(&id).await;
    // Capture: ConsumerAuthorized with an access token.
    r.check("ConsumerAuthorizedWithAccessToken.json", &authorized);
    let token = authorized["postback"]["data"]["accessToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let id = c
        .send("RefreshToken", json!({"accessToken": {"token": token}}))
        .await;
    let refreshed = c.reply(&id).await;
    // Capture: TokenRefreshed.
    r.check("TokenRefreshed.json", &refreshed);
    let token = refreshed["postback"]["data"]["accessToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut again = Client::connect(&emu, "chat_oauth", "", "").await;
    let id = again
        .send(
            "ReconnectConsumer",
            json!({"accessToken": {"token": token}}),
        )
        .await;
    let reconnected = again.reply(&id).await;
    assert_eq!(event_type(&reconnected), "ConsumerReconnected");
    // Capture: the reply to a reconnect.
    r.check("CustomerReconnectedEvent.json", &reconnected);

    let mut errors = c.decode_errors;
    errors.extend(again.decode_errors);
    r.assert_clean(&errors);
    for t in [
        "ConsumerAuthorized",
        "TokenRefreshed",
        "ConsumerReconnected",
    ] {
        assert!(r.checked.contains(t), "{t} was not compared");
    }
}

/// Large events: the `EventInS3` stand-in, and the parked event itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_events_have_every_key_of_the_real_captures() {
    let mut config = quiet_config();
    config.large_event_threshold = 1024;
    let emu = start(config).await;
    let mut r = Report::default();
    let mut c = Client::connect(&emu, "chat_single", "John", "Doe").await;

    let id = c.send("AuthorizeCustomer", json!({})).await;
    c.reply(&id).await;
    let thread = uuid::Uuid::new_v4().to_string();
    let id = c
        .send(
            "SendMessage",
            json!({
                "thread": {"idOnExternalPlatform": thread},
                "messageContent": text("Hello"),
                "idOnExternalPlatform": uuid::Uuid::new_v4().to_string(),
                "attachments": [],
            }),
        )
        .await;
    c.reply(&id).await;
    admin(&emu, "agent/assign", json!({"threadId": thread})).await;
    admin(&emu, "agent/say", json!({"threadId": thread, "text": "Hi"})).await;

    let id = c
        .send(
            "RecoverThread",
            json!({"thread": {"idOnExternalPlatform": thread}}),
        )
        .await;
    let wrapper = c
        .wait("EventInS3 for ThreadRecovered", |v| {
            event_type(v) == "EventInS3"
                && v.pointer("/data/originEvent/eventType") == Some(&json!("ThreadRecovered"))
        })
        .await;
    // Capture: the stand-in for a recovery too large for the gateway.
    r.check("EventInS3+ThreadRecovered.json", &wrapper);

    let url = wrapper["data"]["s3Object"]["url"].as_str().unwrap();
    let path = url.strip_prefix(&emu.base_url()).expect("a bucket URL");
    let (status, body) = http(&emu, "GET", path, None).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("UTF-8");
    if let Err(e) = ReceivedFrame::from_text(&text) {
        c.decode_errors.push(format!("parked event: {e}: {text}"));
    }
    let parked: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        parked["eventId"],
        json!(id),
        "the parked reply answers the request"
    );
    // Capture: the parked recovery is a complete ThreadRecovered.
    r.check("ThreadRecoveredEvent.json", &parked);

    r.assert_clean(&c.decode_errors);
    assert!(r.checked.contains("EventInS3"));
}
