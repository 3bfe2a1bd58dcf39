//! Load: the emulator holds 1,000 concurrent WebSocket connections over 127.0.0.1 without an
//! error. Every connection is a different customer of `chat_single`; all are open at once
//! (checked through `GET /admin/connections`), and each does `AuthorizeCustomer`, a heartbeat
//! round trip and a `SendMessage` with its acknowledgement and `MessageCreated` echo, then
//! closes. The test is bounded in count and time and stops by itself; it prints what it
//! measured (the figure in `emulator/README.md` comes from
//! `cargo test -p cxone-emulator --test load -- --nocapture`) and never asserts on timing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cxone_chat_protocol::cxone::received::ReceivedFrame;
use cxone_emulator::{Emulator, EmulatorConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Barrier, Semaphore};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Connections held open at once.
const CONNECTIONS: usize = 1_000;
/// Handshakes in flight at a time while opening (the listen backlog is finite).
const OPENING_AT_ONCE: usize = 100;
/// The whole test must finish within this.
const DEADLINE: Duration = Duration::from_secs(50);
/// One reply must come within this.
const REPLY: Duration = Duration::from_secs(20);

/// Round-trip times of one connection.
#[derive(Debug, Default)]
struct Timings {
    open: Duration,
    authorize: Duration,
    pong: Duration,
    ack: Duration,
    echo: Duration,
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// The test process holds both ends of every connection: two descriptors each, plus margin.
#[cfg(unix)]
fn raise_open_file_limit(needed: u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= needed {
        return;
    }
    let wanted = limit
        .maximum
        .map_or(needed, |max| max.min(needed.max(4096)));
    let raised = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(wanted),
            maximum: limit.maximum,
        },
    );
    eprintln!("open-file limit {current} raised to {wanted}: {raised:?}");
    assert!(
        wanted >= needed,
        "the hard open-file limit ({:?}) is below the {needed} descriptors this test needs",
        limit.maximum
    );
}

#[cfg(not(unix))]
fn raise_open_file_limit(_needed: u64) {}

async fn send(ws: &mut Ws, v: Value) -> Result<(), String> {
    ws.send(WsMessage::Text(v.to_string().into()))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// Reads frames until `pred` accepts one; every frame must decode.
async fn until(ws: &mut Ws, what: &str, pred: impl Fn(&str, &Value) -> bool) -> Result<(), String> {
    let read = async {
        loop {
            let msg = ws
                .next()
                .await
                .ok_or_else(|| format!("closed while waiting for {what}"))?
                .map_err(|e| format!("waiting for {what}: {e}"))?;
            let WsMessage::Text(text) = msg else {
                continue;
            };
            ReceivedFrame::from_text(text.as_str())
                .map_err(|e| format!("undecodable frame {e}: {text}"))?;
            let v: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
            if pred(text.as_str(), &v) {
                return Ok(());
            }
        }
    };
    tokio::time::timeout(REPLY, read)
        .await
        .map_err(|_| format!("no {what} within {REPLY:?}"))?
}

fn event(event_id: &str, event_type: &str, customer: &str, data: Value) -> Value {
    json!({
        "action": if event_type == "AuthorizeCustomer" { "register" } else { "chatWindowEvent" },
        "eventId": event_id,
        "payload": {
            "eventType": event_type,
            "brand": {"id": 1000},
            "channel": {"id": "chat_single"},
            "customerIdentity": {"idOnExternalPlatform": customer, "firstName": "Load", "lastName": "Test"},
            "data": data,
        }
    })
}

/// Opens, authorizes and pings: the part before every connection is open.
async fn open(
    ws_url: &str,
    customer: &str,
    gate: &Semaphore,
    t: &mut Timings,
) -> Result<Ws, String> {
    let url = format!("{ws_url}?brandId=1000&channelId=chat_single&visitorId={customer}");
    let start = Instant::now();
    let (mut ws, _) = {
        let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
        tokio::time::timeout(REPLY, connect_async(url))
            .await
            .map_err(|_| "handshake timed out".to_owned())?
            .map_err(|e| format!("handshake: {e}"))?
    };
    t.open = start.elapsed();

    let id = uuid::Uuid::new_v4().to_string();
    let start = Instant::now();
    send(
        &mut ws,
        event(&id, "AuthorizeCustomer", customer, json!({})),
    )
    .await?;
    until(&mut ws, "ConsumerAuthorized", |_, v| {
        v["eventId"] == id.as_str() && v["postback"]["eventType"] == "ConsumerAuthorized"
    })
    .await?;
    t.authorize = start.elapsed();

    let start = Instant::now();
    send(&mut ws, json!({"action": "heartbeat"})).await?;
    until(&mut ws, "pong", |text, _| text == "\"pong\"").await?;
    t.pong = start.elapsed();
    Ok(ws)
}

/// Sends a message, waits for its ack and echo, and closes.
async fn converse(mut ws: Ws, customer: &str, t: &mut Timings) -> Result<(), String> {
    let id = uuid::Uuid::new_v4().to_string();
    let message = uuid::Uuid::new_v4().to_string();
    let data = json!({
        "thread": {"idOnExternalPlatform": uuid::Uuid::new_v4().to_string()},
        "messageContent": {"type": "TEXT", "payload": {"text": "Hello under load"}, "parameters": {}, "postback": null},
        "idOnExternalPlatform": message,
        "attachments": [],
    });
    let start = Instant::now();
    send(&mut ws, event(&id, "SendMessage", customer, data)).await?;
    until(&mut ws, "SendMessage ack", |_, v| {
        v["eventId"] == id.as_str() && v.get("error").is_none()
    })
    .await?;
    t.ack = start.elapsed();
    until(&mut ws, "MessageCreated echo", |_, v| {
        v["eventType"] == "MessageCreated"
            && v["data"]["message"]["idOnExternalPlatform"] == message.as_str()
    })
    .await?;
    t.echo = start.elapsed();
    ws.close(None).await.map_err(|e| format!("close: {e}"))?;
    // Drain until the server's close frame (or the end of the stream).
    let drain = async { while let Some(Ok(_)) = ws.next().await {} };
    let _ = tokio::time::timeout(REPLY, drain).await;
    Ok(())
}

/// One HTTP GET: the JSON body.
async fn get_json(emu: &Emulator, path: &str) -> Value {
    let mut stream = TcpStream::connect(emu.addr()).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emu.addr()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    serde_json::from_slice(&raw[split + 4..]).expect("JSON body")
}

/// Authorized connections of `chat_single` right now.
async fn authorized_connections(emu: &Emulator) -> usize {
    let list = get_json(emu, "/admin/connections").await;
    list.as_array()
        .expect("an array")
        .iter()
        .filter(|c| c["channelId"] == "chat_single" && c["customerId"].is_string())
        .count()
}

/// "p50 … p95 … max …" of a set of durations, in milliseconds.
fn summary(mut d: Vec<Duration>) -> String {
    d.sort_unstable();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*d.last().expect("not empty"))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_connections_work_without_errors() {
    raise_open_file_limit(2 * CONNECTIONS as u64 + 256);
    let emu = Emulator::start("127.0.0.1:0", EmulatorConfig::default())
        .await
        .expect("emulator starts");
    tokio::time::timeout(DEADLINE, run(&emu))
        .await
        .expect("the load test finishes within its deadline");
}

async fn run(emu: &Emulator) {
    let gate = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    // Every connection plus this task: all open and authorized before anyone sends.
    let all_open = Arc::new(Barrier::new(CONNECTIONS + 1));
    let go = Arc::new(Barrier::new(CONNECTIONS + 1));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let (gate, all_open, go) = (gate.clone(), all_open.clone(), go.clone());
        let ws_url = emu.ws_url();
        tasks.push(tokio::spawn(async move {
            let customer = uuid::Uuid::new_v4().to_string();
            let mut t = Timings::default();
            let opened = open(&ws_url, &customer, &gate, &mut t).await;
            // Failed connections still meet the barriers, so that nobody waits forever.
            all_open.wait().await;
            go.wait().await;
            converse(opened?, &customer, &mut t).await?;
            Ok::<Timings, String>(t)
        }));
    }
    all_open.wait().await;
    let open_all = started.elapsed();
    let peak = authorized_connections(emu).await;
    go.wait().await;

    let mut errors = Vec::new();
    let mut timings = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(t)) => timings.push(t),
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("task: {e}")),
        }
    }
    let total = started.elapsed();

    // Closed connections leave the back end.
    let mut left = authorized_connections(emu).await;
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = authorized_connections(emu).await;
    }

    eprintln!(
        "load: {CONNECTIONS} concurrent WebSocket connections to the emulator over 127.0.0.1"
    );
    eprintln!(
        "  all open and authorized after {open_all:.2?}; /admin/connections at the peak: {peak}"
    );
    if !timings.is_empty() {
        let pick = |f: fn(&Timings) -> Duration| timings.iter().map(f).collect::<Vec<_>>();
        eprintln!("  handshake:              {}", summary(pick(|t| t.open)));
        eprintln!(
            "  AuthorizeCustomer:      {}",
            summary(pick(|t| t.authorize))
        );
        eprintln!("  heartbeat → pong:       {}", summary(pick(|t| t.pong)));
        eprintln!("  SendMessage → ack:      {}", summary(pick(|t| t.ack)));
        eprintln!("  SendMessage → echo:     {}", summary(pick(|t| t.echo)));
    }
    eprintln!(
        "  whole run {total:.2?}; {} errors; {left} connections left after closing",
        errors.len()
    );

    assert!(
        errors.is_empty(),
        "{} of {CONNECTIONS} connections failed; first: {:?}",
        errors.len(),
        errors.iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(timings.len(), CONNECTIONS);
    assert!(
        peak >= CONNECTIONS,
        "/admin/connections showed {peak} authorized connections at the peak, not {CONNECTIONS}"
    );
    assert_eq!(
        left, 0,
        "connections still registered after every client closed"
    );
}
