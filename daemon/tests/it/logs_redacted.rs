//! Secrets stay out of the logs at every level (issue #14, item 8): the real daemon at
//! `--log-level trace` runs OAuth chats against the real emulator (the legacy WebSocket login
//! and the identity provider's `/oauth/token` with PKCE, both with a renewal, and a secured
//! cookie session), and no secret that crossed the wire — authorization codes, PKCE
//! verifiers, access and refresh tokens, cookies, message text — appears on its stderr.

use std::collections::BTreeSet;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, Backend};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// The daemon at trace level with its stderr in a file (the harness's `Daemon` discards it).
fn start_traced(dir: &std::path::Path, format: &str) -> (common::Daemon, std::path::PathBuf) {
    let socket = dir.join("rpc.sock");
    let log = dir.join("stderr.log");
    let child = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
        .arg("--socket")
        .arg(&socket)
        .arg("--state-dir")
        .arg(dir.join("state"))
        .args(["--log-level", "trace", "--log-format", format])
        .env_remove("JOURNAL_STREAM")
        .env_remove("RUST_LOG")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let d = common::Daemon {
        child,
        socket,
        dir: None,
    };
    (d, log)
}

/// Keys whose string values are secrets, in any record the emulator received.
const SECRET_KEYS: &[&str] = &[
    "token",
    "accessToken",
    "access_token",
    "refreshToken",
    "refresh_token",
    "authorizationCode",
    "authorization_code",
    "transactionToken",
    "code",
    "codeVerifier",
    "code_verifier",
    "cookie",
    "Cookie",
    "authorization",
    "Authorization",
    "text",
];

fn collect(v: &Value, key: Option<&str>, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if key.is_some_and(|k| SECRET_KEYS.contains(&k)) && s.len() >= 4 => {
            out.insert(s.clone());
        }
        Value::Object(m) => m.iter().for_each(|(k, v)| collect(v, Some(k), out)),
        Value::Array(a) => a.iter().for_each(|v| collect(v, key, out)),
        _ => {}
    }
}

fn answer(c: &mut common::Client, text: &str) {
    let want = format!("You said: {text}");
    c.wait_event("the answer", move |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == want
    });
}

#[test]
fn no_secret_seen_on_the_wire_reaches_the_trace_log_as_text() {
    chats_leave_no_secret_in_the_log("text");
}

#[test]
fn no_secret_seen_on_the_wire_reaches_the_trace_log_as_json() {
    chats_leave_no_secret_in_the_log("json");
}

fn chats_leave_no_secret_in_the_log(format: &str) {
    let b = Backend::start(EmulatorConfig {
        access_token_ttl_secs: 31,
        ..EmulatorConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (d, log_path) = start_traced(dir.path(), format);
    let mut c = d.client();
    c.subscribe();
    let mut secrets: BTreeSet<String> = BTreeSet::new();

    // Legacy OAuth: the code and verifier go over the WebSocket, tokens come back there.
    let (code, verifier) = ("ada:s3cr3t-code-legacy", "pkce-verifier-legacy-5a1f0c");
    secrets.extend([code.to_owned(), verifier.to_owned()]);
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_oauth"}),
    );
    c.ok(
        "customer.authorize",
        json!({"authorizationCode": code, "codeVerifier": verifier}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let tid = c.ok("threads.create", json!({}))["id"].clone();
    let text = "my card is 4111 1111 1111 1111";
    c.ok("thread.send", json!({"threadId": tid, "text": text}));
    answer(&mut c, text);
    // Stale after a second: the next send renews it over the WebSocket first.
    std::thread::sleep(Duration::from_millis(1_300));
    let text = "second legacy message 77e1";
    c.ok("thread.send", json!({"threadId": tid, "text": text}));
    answer(&mut c, text);
    c.ok("session.close", json!({}));

    // The identity provider: authorization_code then refresh_token grants at /oauth/token.
    let (code, verifier) = ("cleo:s3cr3t-code-idp", "pkce-verifier-idp-9b2e44");
    secrets.extend([code.to_owned(), verifier.to_owned()]);
    c.ok(
        "session.prepare",
        json!({"session": "idp", "environment": b.environment(), "brandId": 1000, "channelId": "chat_oauth_secure"}),
    );
    c.ok(
        "customer.authorize",
        json!({"session": "idp", "authorizationCode": code, "codeVerifier": verifier}),
    );
    assert_eq!(
        c.ok("session.connect", json!({"session": "idp"}))["state"],
        "ready"
    );
    let tid = c.ok("threads.create", json!({"session": "idp"}))["id"].clone();
    std::thread::sleep(Duration::from_millis(1_300));
    let text = "idp message after renewal c0ffee";
    c.ok(
        "thread.send",
        json!({"session": "idp", "threadId": tid, "text": text}),
    );
    answer(&mut c, text);

    // A secured cookie session.
    c.ok(
        "session.prepare",
        json!({"session": "cookie", "environment": b.environment(), "brandId": 1000, "channelId": "chat_cookie"}),
    );
    assert_eq!(
        c.ok("session.connect", json!({"session": "cookie"}))["state"],
        "ready"
    );
    let tid = c.ok("threads.create", json!({"session": "cookie"}))["id"].clone();
    let text = "cookie session message 31337";
    c.ok(
        "thread.send",
        json!({"session": "cookie", "threadId": tid, "text": text}),
    );
    answer(&mut c, text);

    let received = b.admin_get("received");
    collect(&received, None, &mut secrets);
    drop(d);
    let log = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap()).into_owned();
    assert!(
        b.count("RefreshToken") >= 1 && b.count("POST /oauth/token") >= 2,
        "both renewals happened: {:?}",
        b.received_kinds()
    );
    // Trace was on: the daemon logged the traffic itself.
    assert!(log.contains("TRACE"), "no trace lines in the log");
    if format == "json" {
        for line in log.lines() {
            serde_json::from_str::<Value>(line).expect("each line is still one JSON object");
        }
    }
    assert!(
        secrets.len() >= 10,
        "secrets found on the wire: {secrets:?}"
    );
    let leaked: Vec<&String> = secrets
        .iter()
        .filter(|s| log.contains(s.as_str()))
        .collect();
    assert!(leaked.is_empty(), "secrets in the trace log: {leaked:?}");
    // Every token the emulator issues has one of these prefixes (some, such as the transaction
    // token in the WebSocket's URL, are not in its record of requests).
    for prefix in [
        "emu-access.",
        "emu-transaction.",
        "emu-idp-access.",
        "emu-idp-refresh.",
    ] {
        assert!(
            !log.contains(prefix),
            "a token {prefix}… is in the trace log"
        );
    }
    // The frames themselves were traced, with the secrets masked.
    assert!(
        log.contains("Received message") && log.contains(cxone_chatd::store::REDACTED),
        "the trace log shows no redacted frame"
    );
}
