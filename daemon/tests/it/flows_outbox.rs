//! The outbox under a slow back end: messages queued while the connection was down are sent
//! in order after the reconnect, a message sent while that flush is still running queues
//! behind them (never overtakes, never doubles), and the thread registry keeps answering other
//! calls meanwhile — a long flush must not stall the daemon (or its watchdog).

use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

#[test]
fn a_send_during_a_slow_flush_queues_behind_it_and_other_calls_keep_answering() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");
    c.ok("thread.send", json!({"threadId": tid, "text": "m0"}));

    // Down for a few backoff rounds; three messages wait in the outbox.
    b.admin_post("faults", json!({"refuseAuthorizations": 3}));
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    for text in ["q1", "q2", "q3"] {
        let m = c.ok("thread.send", json!({"threadId": tid, "text": text}));
        assert_eq!(m["status"], "queued");
    }
    // Each acknowledgement now takes 400 ms: the flush of three takes over a second.
    b.admin_post("faults", json!({"delayRepliesMs": {"SendMessage": 400}}));
    c.wait_event("connection.restored", |e| {
        e["kind"] == "connection.restored"
    });

    // While the flush runs: other calls are answered, and a new message is queued. The flush
    // settles its messages once all are acknowledged (each 400 ms late), so a queued one still
    // shows `queued` while it runs.
    c.ok("threads.list", json!({}));
    let during: Value = c.ok("threads.get", json!({"threadId": tid}));
    let still_queued = during["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["text"] == "q3" && m["status"] == "queued");
    let late = c.ok("thread.send", json!({"threadId": tid, "text": "q4"}));
    assert_eq!(late["status"], "queued", "queued behind the flush: {late}");

    let deadline = Instant::now() + Duration::from_secs(15);
    let texts = loop {
        let sent: Vec<String> = b
            .admin_get("received?kind=SendMessage")
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["body"]["payload"]["data"]["messageContent"]["payload"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        if sent.len() >= 5 || Instant::now() > deadline {
            break sent;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(texts, ["m0", "q1", "q2", "q3", "q4"], "in order, each once");
    assert!(
        still_queued,
        "threads.list and threads.get were answered only after the flush: {during}"
    );
    c.wait_event("q4 acknowledged", |e| {
        e["kind"] == "message.updated"
            && e["data"]["message"]["text"] == "q4"
            && e["data"]["message"]["status"] != "queued"
    });
    let snap: Value = c.ok("threads.get", json!({"threadId": tid}));
    let mine: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "inbound")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(mine, ["m0", "q1", "q2", "q3", "q4"]);
}
