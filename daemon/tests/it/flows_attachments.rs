//! Attachments end to end (flow 9, PROTOCOL.md §1.7): the real daemon reads a file by path or
//! takes it inline, checks it against the channel's restrictions, uploads it to the emulator's
//! attachment endpoint and sends its URL in `SendMessage`; refusals name the attachment and
//! the reason, upload nothing, and leave the session working.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

/// A 1 MB limit on `chat_single`, so "too large" is cheap to show.
fn small_limit() -> EmulatorConfig {
    let mut cfg = EmulatorConfig::default();
    cfg.brands
        .get_mut(&1000)
        .unwrap()
        .channels
        .get_mut("chat_single")
        .unwrap()
        .max_file_size_mb = 1;
    cfg
}

/// The bytes behind an uploaded file's URL.
fn download(url: &str) -> Vec<u8> {
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&raw[..split])
    );
    raw[split + 4..].to_vec()
}

#[test]
fn files_by_path_and_inline_are_uploaded_and_sent_with_the_message() {
    let b = Backend::start(small_limit());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    let policy = c.ok("session.state", json!({}))["channel"]["attachments"].clone();
    assert_eq!(policy["enabled"], true);
    assert_eq!(policy["maxSizeBytes"], 1024 * 1024);
    c.ok("session.connect", json!({}));
    let tid = c.ok("threads.create", json!({}))["id"].clone();

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("receipt.png");
    let png_bytes: Vec<u8> = (0..=255u8).cycle().take(50_000).collect();
    std::fs::write(&png, &png_bytes).unwrap();
    let sent = c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "see attached", "attachments": [
            {"path": png.to_str().unwrap()},
            {"data": "JVBERi0xLjcK", "fileName": "terms.pdf", "mimeType": "application/pdf"}
        ]}),
    );
    let atts = sent["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2, "{sent}");
    assert_eq!(
        (atts[0]["fileName"].as_str(), atts[0]["mimeType"].as_str()),
        (Some("receipt.png"), Some("image/png")),
        "named and typed from the path"
    );
    assert_eq!(download(atts[0]["url"].as_str().unwrap()), png_bytes);
    assert_eq!(download(atts[1]["url"].as_str().unwrap()), b"%PDF-1.7\n");
    assert_eq!(
        b.count("POST /chat/1.0/brand/1000/channel/chat_single/attachment"),
        2
    );
    let send = &b.admin_get("received?kind=SendMessage")[0]["body"]["payload"]["data"];
    assert_eq!(send["attachments"][0]["url"], atts[0]["url"]);
    assert_eq!(send["attachments"][0]["friendlyName"], "receipt.png");
    assert_eq!(send["attachments"][1]["mimeType"], "application/pdf");
    c.wait_event("the agent's answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });

    // An attachment alone is a message too.
    let only = c.ok(
        "thread.send",
        json!({"threadId": tid, "attachments": [{"data": "aGk=", "fileName": "a.gif", "mimeType": "image/gif"}]}),
    );
    assert_eq!(only["attachments"][0]["fileName"], "a.gif");
}

#[test]
fn refused_attachments_name_the_file_and_reason_upload_nothing_and_the_chat_goes_on() {
    let b = Backend::start(small_limit());
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c.open_thread(&b, "chat_single");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.png");
    std::fs::write(&big, vec![0u8; 1024 * 1024 + 1]).unwrap();
    let exe = dir.path().join("tool.exe");
    std::fs::write(&exe, b"MZ").unwrap();
    let fine = dir.path().join("fine.png");
    std::fs::write(&fine, b"png").unwrap();

    let cases = [
        (json!({"path": big.to_str().unwrap()}), "exceeds the limit"),
        (
            json!({"path": exe.to_str().unwrap()}),
            "application/octet-stream",
        ),
        (json!({"path": "relative/fine.png"}), "not absolute"),
        (
            json!({"path": dir.path().join("gone.png").to_str().unwrap()}),
            "cannot read",
        ),
        (
            json!({"data": "@@@", "fileName": "x.png", "mimeType": "image/png"}),
            "not base64",
        ),
    ];
    for (attachment, why) in cases {
        // The bad file comes second: the good first one is not uploaded either.
        let err = c.err(
            "thread.send",
            json!({"threadId": tid, "text": "x", "attachments": [{"path": fine.to_str().unwrap()}, attachment]}),
        );
        assert_eq!(err["code"], 3105, "{err}");
        assert_eq!(err["data"]["field"], "attachments[1]", "{err}");
        assert!(
            err["data"]["detail"].as_str().unwrap().contains(why),
            "{why}: {err}"
        );
    }
    let malformed = c.call(
        "thread.send",
        json!({"threadId": tid, "attachments": [{"fileName": "x.png"}]}),
    );
    assert_eq!(malformed["error"]["code"], -32602, "{malformed}");
    assert_eq!(b.count("SendMessage"), 0, "no message went out");
    assert_eq!(
        b.count("POST /chat/1.0/brand/1000/channel/chat_single/attachment"),
        0,
        "every file is checked before the first upload"
    );
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "still here"}),
    );
    assert_eq!(b.count("SendMessage"), 1);
}
