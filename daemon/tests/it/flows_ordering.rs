//! The ordering contract (issue #14, item 6): sends written back to back on one connection to
//! one thread reach the back end in the order they were written — on a live connection and
//! when they are queued while the connection is being restored.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// The texts of the `SendMessage` frames the emulator received, in arrival order.
fn sent_texts(b: &Backend) -> Vec<String> {
    b.admin_get("received")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "SendMessage")
        .filter_map(|r| {
            r["body"]["payload"]["data"]["messageContent"]["payload"]["text"]
                .as_str()
                .map(str::to_owned)
        })
        .filter(|t| t.starts_with("n"))
        .collect()
}

/// Writes `count` numbered `thread.send` lines at once on a fresh connection, then reads every
/// answer; returns the answers.
fn pipeline(d: &Daemon, thread: &str, count: usize) -> Vec<Value> {
    let s = UnixStream::connect(&d.socket).unwrap();
    let mut lines = String::new();
    for i in 0..count {
        lines.push_str(
            &json!({"jsonrpc": "2.0", "id": i, "method": "thread.send",
                    "params": {"threadId": thread, "text": format!("n{i:04}")}})
            .to_string(),
        );
        lines.push('\n');
    }
    let writer = {
        let mut s = s.try_clone().unwrap();
        std::thread::spawn(move || s.write_all(lines.as_bytes()).unwrap())
    };
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut reader = BufReader::new(s);
    let mut answers = Vec::new();
    while answers.len() < count {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        if v.get("id").is_some() {
            answers.push(v);
        }
    }
    writer.join().unwrap();
    answers
}

fn numbered(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("n{i:04}")).collect()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn ready_thread(b: &Backend, d: &Daemon) -> String {
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_multi"}),
    );
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let id = t["id"].as_str().unwrap().to_owned();
    // On the server first, so that every numbered message is an ordinary one.
    c.ok("thread.send", json!({"threadId": id, "text": "first"}));
    id
}

#[test]
fn pipelined_sends_reach_the_back_end_in_the_order_written() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let thread = ready_thread(&b, &d);
    let n = 200;
    let answers = pipeline(&d, &thread, n);
    for a in &answers {
        assert!(a.get("result").is_some(), "a send failed: {a}");
    }
    wait_for("every message at the back end", || {
        sent_texts(&b).len() >= n
    });
    assert_eq!(sent_texts(&b), numbered(n));
}

#[test]
fn pipelined_sends_queued_while_reconnecting_keep_their_order() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let thread = ready_thread(&b, &d);
    let mut watcher = d.client();
    watcher.ok(
        "events.subscribe",
        json!({"kinds": ["connection.lost", "connection.restored"]}),
    );
    // Every reconnect is refused for a while, so the sends below are queued.
    b.admin_post("faults", json!({"refuseAuthorizations": 3}));
    b.admin_post("faults/drop-sockets", json!({}));
    watcher.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    let n = 100;
    let answers = pipeline(&d, &thread, n);
    let queued = answers
        .iter()
        .filter(|a| a["result"]["status"] == "queued")
        .count();
    assert!(queued > 0, "nothing was queued: {answers:?}");
    for a in &answers {
        assert!(a.get("result").is_some(), "a send failed: {a}");
    }
    wait_for("every queued message at the back end", || {
        sent_texts(&b).len() >= n
    });
    assert_eq!(sent_texts(&b), numbered(n));
}
