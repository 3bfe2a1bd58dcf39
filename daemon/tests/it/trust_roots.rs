//! Trust roots are loaded only when an https URL first needs them (issue #12, item 3): with no
//! CA bundle at all, a daemon with a plain-http back end starts and chats, and the first https
//! request fails with an error that names the missing bundle and the package that provides it.

use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn without_a_ca_bundle_the_daemon_starts_chats_over_http_and_names_the_bundle_for_https() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("rpc.sock");
    let missing = dir.path().join("no-such-bundle");
    let _daemon = Running(
        Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
            .arg("--socket")
            .arg(&socket)
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .arg("--sandbox")
            // Where rustls looks for the system's roots: nowhere that exists.
            .env("SSL_CERT_FILE", &missing)
            .env("SSL_CERT_DIR", &missing)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(&socket).is_err() {
        assert!(
            Instant::now() < deadline,
            "the daemon did not start without a CA bundle"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let d = crate::common::Daemon {
        child: Command::new("true").spawn().unwrap(),
        socket: socket.clone(),
        dir: None,
    };
    let mut c = d.client();
    // The sandbox's back end is plain http on loopback: no roots needed.
    c.ok(
        "session.prepare",
        json!({"brandId": 1000, "channelId": "chat_single"}),
    );
    c.ok("session.connect", json!({}));
    let thread = c.ok("threads.create", json!({}));
    c.ok(
        "thread.send",
        json!({"threadId": thread["id"], "text": "hello over http"}),
    );
    // An https back end needs them, and says so.
    let e = c.err(
        "session.prepare",
        json!({"session": "tls", "brandId": 1000, "channelId": "chat_single",
               "environment": {"chatUrl": "https://127.0.0.1:9/chat", "socketUrl": "wss://127.0.0.1:9/"}}),
    );
    let detail = e["data"]["detail"].as_str().unwrap();
    assert!(detail.contains("ca-certificates"), "{e}");
}
