//! A hostile bucket (issue #14, item 5): an `EventInS3` URL that trickles one byte a second.
//! The download is given up after the fetcher's deadline (15 s), the host is told with an
//! `error` event, later events come through, and a message sent meanwhile is answered as sent:
//! its acknowledgement does not wait behind the stalled download.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

/// An HTTP server on 127.0.0.1 that answers every request with a 200 whose body trickles one
/// byte a second; it stops by itself after `lifetime`.
fn trickling_server(lifetime: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + lifetime;
        let mut clients = Vec::new();
        while Instant::now() < end {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                s.set_read_timeout(Some(Duration::from_millis(500))).ok();
                let _ = s.read(&mut buf);
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
                clients.push(s);
            }
            // One byte a second to everyone still connected.
            clients.retain_mut(|s| s.write_all(b" ").is_ok());
            std::thread::sleep(Duration::from_millis(1000));
        }
    });
    format!("http://{addr}/bucket/slow.json")
}

#[test]
fn a_trickling_bucket_is_given_up_and_holds_back_neither_sends_nor_later_events() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let thread = c.open_thread(&b, "chat_single");
    let thread = thread.as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": thread, "text": "hello"}));
    let mut events = d.client();
    events.ok("events.subscribe", json!({}));

    let url = trickling_server(Duration::from_secs(40));
    b.admin_post(
        "raw",
        json!({"frame": {
            "eventId": "0B0E7A1E-52C8-4B1A-9F0E-3C7D2F7E9A10",
            "eventObject": "S3Object",
            "eventType": "EventInS3",
            "createdAt": "2026-12-03T09:00:00.000Z",
            "data": {"s3Object": {"url": url}, "originEvent": {"eventType": "MessageCreated"}}
        }}),
    );
    // Behind the stalled download: an agent's message.
    b.admin_post(
        "agent/say",
        json!({"threadId": thread, "text": "after the bucket"}),
    );
    // A send meanwhile is acknowledged as sent, not timed out.
    let sent = c.ok(
        "thread.send",
        json!({"threadId": thread, "text": "during the stall"}),
    );
    assert_eq!(sent["status"], "sent", "{sent}");
    // Given up at the fetcher's deadline (15 s), well before the retries' timeouts (3 × 30 s).
    let lost = events.wait_event_for("error about the bucket", Duration::from_secs(40), |e| {
        e["kind"] == "error"
    });
    assert!(
        lost["data"]["error"]["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("/bucket/slow.json"),
        "{lost}"
    );
    events.wait_event("the agent's message behind it", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "after the bucket"
    });
}
