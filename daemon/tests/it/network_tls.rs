//! TLS end to end (issue #16): the daemon against the emulator serving HTTPS and WSS with a
//! certificate of its own, trusted through `network.ca_file` — REST, the WebSocket, an
//! attachment upload and a large event's download all over TLS — and refused, naming the
//! certificate problem, without that root.

use crate::common::{Backend, Client, Daemon, daemon_trusting};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

fn prepare(c: &mut Client, b: &Backend) {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
}

#[test]
fn a_whole_chat_runs_over_tls_with_the_configured_root() {
    let b = Backend::start_tls(EmulatorConfig {
        large_event_threshold: 4 * 1024,
        ..EmulatorConfig::default()
    });
    assert!(
        b.environment()["chatUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        b.environment()["socketUrl"]
            .as_str()
            .unwrap()
            .starts_with("wss://")
    );
    let dir = tempfile::tempdir().unwrap();
    let d = daemon_trusting(&b, dir.path(), "");
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b);
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "over tls",
            "attachments": [{"data": "aGVsbG8=", "fileName": "hello.txt", "mimeType": "text/plain"}]}),
    );
    c.wait_event("the answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: over tls"
    });
    let uploads = b.admin_get("received?transport=rest");
    assert!(
        uploads
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"].as_str().unwrap().contains("attachment")),
        "the attachment went up over https: {uploads}"
    );
    // An answer larger than the threshold comes through the bucket, downloaded over https.
    let long = "x".repeat(6 * 1024);
    b.admin_post("agent/say", json!({"threadId": tid, "text": long}));
    let e = c.wait_event("the large message", |e| {
        e["kind"] == "message.created"
            && e["data"]["message"]["text"]
                .as_str()
                .is_some_and(|t| t.len() == 6 * 1024)
    });
    assert_eq!(e["data"]["message"]["direction"], "outbound");
    assert!(
        b.received_kinds().iter().any(|k| k.starts_with("GET /s3/")),
        "fetched from the bucket: {:?}",
        b.received_kinds()
    );
}

#[test]
fn without_the_root_the_connection_is_refused_naming_the_certificate() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let err = c.err(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    let detail = err["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("invalid peer certificate: UnknownIssuer")
            && detail.contains("network.ca_file"),
        "the error names the certificate problem and what to do: {err}"
    );
    assert!(detail.contains("after 1 attempt"), "not retried: {err}");
    assert_eq!(err["data"]["retryable"], false, "{err}");
}

#[test]
fn an_unusable_ca_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("not-a-cert.pem");
    std::fs::write(&ca, "hello\n").unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[network]\nca_file = {:?}\n", ca.to_str().unwrap()),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
        .args(["check-config", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("network.ca_file") && stderr.contains("no certificate"),
        "{stderr}"
    );
}

#[test]
fn an_untrusted_gateway_certificate_is_named_in_the_answer_and_in_daemon_status() {
    // REST on a plain loopback back end, the WebSocket on one whose root nobody configured.
    let rest = Backend::start(EmulatorConfig::default());
    let gateway = Backend::start_tls(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let environment = json!({
        "chatUrl": rest.environment()["chatUrl"],
        "socketUrl": gateway.environment()["socketUrl"],
    });
    c.ok(
        "session.prepare",
        json!({"environment": environment, "brandId": 1000, "channelId": "chat_single"}),
    );
    let err = c.err("session.connect", json!({}));
    let detail = err["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("invalid peer certificate: UnknownIssuer")
            && detail.contains("network.ca_file"),
        "{err}"
    );
    assert_eq!(err["data"]["retryable"], false, "{err}");
    let status = c.ok("daemon.status", json!({}));
    let last = status["sessions"][0]["lastError"]
        .as_str()
        .unwrap_or_default();
    assert!(
        last.contains("UnknownIssuer"),
        "daemon.status says why: {status}"
    );
}

fn hang_up(d: &Daemon) {
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &d.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -HUP failed");
}

/// `session.prepare` until it succeeds (a reload is applied asynchronously), at most 10 s.
fn prepare_until_ok(c: &mut Client, b: &Backend) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = c.call(
            "session.prepare",
            json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
        );
        if answer.get("result").is_some() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the reloaded root was never used: {answer}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn a_reload_reads_the_ca_file_again_and_the_next_connection_uses_it() {
    let b = Backend::start_tls(EmulatorConfig::default());
    // Another emulator's root: a valid PEM certificate that does not sign `b`'s (with the same
    // subject, so rustls names the problem BadSignature).
    let stranger = Backend::start_tls(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("roots.pem");
    std::fs::write(&ca, stranger.ca_pem().unwrap()).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[network]\nca_file = {:?}\n", ca.to_str().unwrap()),
    )
    .unwrap();
    let d = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let mut c = d.client();
    c.subscribe();
    let err = c.err(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    assert!(
        err["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("invalid peer certificate"),
        "{err}"
    );

    // The same file name, the right root in it: a SIGHUP is all it takes.
    std::fs::write(&ca, b.ca_pem().unwrap()).unwrap();
    hang_up(&d);
    prepare_until_ok(&mut c, &b);
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");

    // The root is withdrawn while connected: the open WebSocket keeps its session, and when it
    // drops, every reconnect is refused, naming the certificate problem in connection.lost.
    std::fs::write(&ca, stranger.ca_pem().unwrap()).unwrap();
    hang_up(&d);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let t = c.ok("threads.create", json!({}));
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "still here"}),
    );
    b.admin_post("faults/drop-sockets", json!({}));
    let lost = c.wait_event("a reconnect refused for its certificate", |e| {
        e["kind"] == "connection.lost"
            && e["data"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("invalid peer certificate"))
    });
    assert_eq!(lost["data"]["reconnecting"], true, "{lost}");
    let status = c.ok("daemon.status", json!({}));
    assert!(
        status["sessions"][0]["lastError"]
            .as_str()
            .is_some_and(
                |l| l.contains("invalid peer certificate") && l.contains("network.ca_file")
            ),
        "{status}"
    );

    // The root comes back: the daemon reconnects by itself.
    std::fs::write(&ca, b.ca_pem().unwrap()).unwrap();
    hang_up(&d);
    c.wait_event("reconnected with the restored root", |e| {
        e["kind"] == "connection.restored"
    });
}
