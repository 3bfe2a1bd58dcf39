//! `cxone-chat` against the real daemon binary on a real socket and the real emulator binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Daemon, Emulator, call, cli, cli_ok};
use serde_json::{Value, json};

#[test]
fn the_common_scenario_prepare_connect_send_reply_end_contact() {
    let e = Emulator::start();
    let d = Daemon::start();
    let s = &d.socket;
    let state = call(
        s,
        "session.prepare",
        json!({"environment": e.environment(), "brandId": 1000, "channelId": "chat_live",
               "customer": {"id": "cli-ada", "firstName": "Ada"}}),
    );
    assert_eq!(state["state"], "prepared");
    assert_eq!(call(s, "session.connect", json!({}))["state"], "ready");
    let thread = call(s, "threads.create", json!({}));
    let tid = thread["id"].as_str().unwrap();

    let out = cli_ok(
        s,
        &[
            "send",
            "--thread",
            tid,
            "--wait-reply",
            "15",
            "hello from the CLI",
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("you: hello from the CLI (thread "),
        "{out}"
    );
    // The channel's welcome may arrive on the way (an automated message); the wait ends with
    // the agent's answer.
    assert_eq!(
        lines.last().copied(),
        Some("Alex Agent: You said: hello from the CLI"),
        "{out}"
    );
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("(automated): ")),
        "{out}"
    );

    assert!(cli_ok(s, &["threads"]).contains(tid));
    cli_ok(
        s,
        &[
            "call",
            "thread.endContact",
            &json!({"threadId": tid}).to_string(),
        ],
    );
    let closed = poll_until(s, |t| t["thread"]["state"] == "closed", tid);
    assert_eq!(closed["thread"]["state"], "closed");
    let status = cli_ok(s, &["status"]);
    assert!(
        status
            .contains("session default: closed, connected, livechat, brand 1000 channel chat_live"),
        "{status}"
    );
}

/// `threads.get` until `pred` holds (at most 10 s).
fn poll_until(s: &std::path::Path, pred: impl Fn(&Value) -> bool, tid: &str) -> Value {
    for _ in 0..100 {
        let snap = call(s, "threads.get", json!({"threadId": tid}));
        if pred(&snap) {
            return snap;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the thread never reached the expected state");
}

#[test]
fn a_missing_daemon_is_exit_3_and_says_how_to_start_it() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("none.sock");
    let out = cli(&socket, &["status"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("daemon not running at {}", socket.display()))
            && err.contains("start it with `cxone-chatd --socket"),
        "{err}"
    );
    // The environment variable is honoured like --socket.
    let out = Command::new(common::CLI)
        .arg("status")
        .env("CXONE_CHATD_SOCKET", &socket)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&socket.display().to_string()));
}

#[test]
fn daemon_errors_are_exit_4_with_the_daemons_message_code_and_field() {
    let d = Daemon::start();
    let out = cli(
        &d.socket,
        &[
            "call",
            "thread.send",
            r#"{"threadId": "nope", "text": "x"}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("cxone-chat: thread.send failed: No session with this name.")
            && err.contains("[unknownSession 3000]"),
        "{err}"
    );

    let out = cli(&d.socket, &["--json", "call", "no.such.method"]);
    assert_eq!(out.status.code(), Some(4));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], -32601);
    assert_eq!(err["error"]["data"]["kind"], "methodNotFound");
    assert_eq!(err["method"], "no.such.method");
}

#[test]
fn usage_errors_are_exit_2_and_slow_answers_exit_5() {
    let d = Daemon::start();
    let out = cli(&d.socket, &["call", "daemon.info", "[1, 2]"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("params must be a JSON object"));
    let out = cli(&d.socket, &["call", "daemon.info", "{oops"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(cli(&d.socket, &["no-such-command"]).status.code(), Some(2));

    let out = cli(
        &d.socket,
        &[
            "--timeout",
            "0.3",
            "call",
            "events.poll",
            r#"{"timeoutMs": 5000}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("timed out after 0.3 s waiting for the answer to events.poll")
    );
}

#[test]
fn wait_gives_a_daemon_time_to_come_up() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("rpc.sock");
    let waiting = Command::new(common::CLI)
        .arg("--socket")
        .arg(&socket)
        .args(["--wait", "20", "--json", "call", "daemon.info"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut daemon = Daemon::spawn(dir.path());
    let out = waiting.wait_with_output().unwrap();
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(info["version"].is_string(), "{info}");
}

#[test]
fn watch_streams_ndjson_and_resumes_after_a_daemon_restart() {
    let e = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let mut first = Daemon::start_in(dir.path());
    let mut watch = Command::new(common::CLI)
        .arg("--socket")
        .arg(&first.socket)
        .args(["watch", "--kind", "chat.stateChanged"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<Value>();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let _ = tx.send(serde_json::from_str(&line).expect("NDJSON"));
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(15))
            .expect("an event from watch")
    };
    // Give watch time to subscribe: events before that are not replayed (no since yet).
    std::thread::sleep(Duration::from_millis(500));
    let prepare = |socket: &std::path::Path, session: &str| {
        call(
            socket,
            "session.prepare",
            json!({"session": session, "environment": e.environment(), "brandId": 1000, "channelId": "chat_single"}),
        )
    };
    prepare(&first.socket, "one");
    let ev = next();
    assert_eq!(
        (ev["kind"].as_str(), ev["session"].as_str()),
        (Some("chat.stateChanged"), Some("one"))
    );
    let first_epoch = ev["epoch"].clone();
    assert!(ev.get("subscription").is_none(), "{ev}");
    assert_eq!(next()["data"]["state"], "prepared");

    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let second = Daemon::start_in(dir.path());
    // The resumed subscription names the old epoch: the new daemon says so, then streams on.
    let resync = next();
    assert_eq!(resync["kind"], "events.resyncRequired", "{resync}");
    assert_eq!(resync["data"]["reason"], "epochChanged");
    assert_ne!(resync["epoch"], first_epoch);
    prepare(&second.socket, "two");
    let ev = loop {
        let ev = next();
        if ev["session"] == "two" {
            break ev;
        }
    };
    assert_eq!(ev["kind"], "chat.stateChanged");
    assert_eq!(ev["epoch"], resync["epoch"]);
    watch.kill().unwrap();
    watch.wait().unwrap();
}

#[test]
fn the_kiosk_example_script_chats_with_the_agent_and_ends_the_contact() {
    let e = Emulator::start();
    let d = Daemon::start();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kiosk.sh");
    let out = Command::new("sh")
        .arg(script)
        .arg("Where is my order?")
        .env("CXONE_CHAT", common::CLI)
        .env("CXONE_CHATD_SOCKET", &d.socket)
        .env("CXONE_ENVIRONMENT", e.environment().to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("you: Where is my order? (thread "),
        "{stdout}"
    );
    assert!(
        lines.contains(&"Alex Agent: You said: Where is my order?"),
        "{stdout}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("the conversation in thread ")
            && lines.last().unwrap().ends_with(" is closed"),
        "{stdout}"
    );
}

#[test]
fn chat_and_end_say_what_to_do_when_there_is_nothing_to_chat_in() {
    let d = Daemon::start();
    let out = cli(&d.socket, &["chat"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("session \"default\" is not prepared; pass --brand and --channel"),
        "{err}"
    );
    let out = cli(&d.socket, &["end"]);
    assert_eq!(out.status.code(), Some(4), "no session is a daemon error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[unknownSession 3000]"));
}
