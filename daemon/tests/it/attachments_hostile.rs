//! Hostile attachment paths (issue #14, item 2): a FIFO, a device, a directory or a socket given
//! as an attachment is refused at once with an error that names what it is, and 600 such calls
//! at once leave the daemon healthy: every one answered, few threads, `session.prepare` still
//! served. (Before the fix, opening a FIFO waited for a writer forever, one blocking thread each.)

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(status.success(), "mkfifo {path:?} failed");
}

/// The daemon's thread count, from /proc.
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_fifo_a_device_a_directory_and_a_socket_are_refused_at_once_by_name() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c.open_thread(&b, "chat_single");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.png");
    mkfifo(&fifo);
    let sock = dir.path().join("sock.png");
    let _listener = UnixListener::bind(&sock).unwrap();
    let cases = [
        (fifo.to_str().unwrap(), "FIFO (named pipe)"),
        ("/dev/zero", "character device"),
        (dir.path().to_str().unwrap(), "directory"),
        (sock.to_str().unwrap(), "socket"),
    ];
    for (path, kind) in cases {
        // The harness's read timeout (15 s) fails the test if the call is never answered.
        let e = c.err(
            "thread.send",
            json!({"threadId": tid, "text": "x", "attachments": [{"path": path}]}),
        );
        assert_eq!(e["data"]["kind"], "attachmentRejected", "{path}: {e}");
        assert_eq!(e["data"]["field"], "attachments[0]", "{path}: {e}");
        let detail = e["data"]["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("is a {kind}, not a regular file")),
            "{path}: {detail}"
        );
    }
    // Nothing was uploaded or sent, and the thread still works.
    assert_eq!(b.count("SendMessage"), 0, "{:?}", b.received_kinds());
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "still here"}),
    );
}

#[test]
fn six_hundred_fifo_attachments_at_once_leave_the_daemon_answering_with_few_threads() {
    const CONNECTIONS: usize = 3;
    const PER_CONNECTION: usize = 200; // under the default max_pending (256)
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c.open_thread(&b, "chat_single");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    mkfifo(&fifo);

    // 600 sends written back to back over three connections before any answer is read.
    let mut conns: Vec<(UnixStream, BufReader<UnixStream>)> = (0..CONNECTIONS)
        .map(|_| {
            let s = UnixStream::connect(&d.socket).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let r = BufReader::new(s.try_clone().unwrap());
            (s, r)
        })
        .collect();
    for (w, _) in &mut conns {
        let mut text = String::new();
        for id in 1..=PER_CONNECTION {
            let call = json!({"jsonrpc": "2.0", "id": id, "method": "thread.send",
                "params": {"threadId": tid, "text": "x", "attachments": [{"path": fifo}]}});
            text.push_str(&format!("{call}\n"));
        }
        w.write_all(text.as_bytes()).unwrap();
    }
    let mut peak = threads(d.child.id());
    let mut refused = 0;
    for (_, r) in &mut conns {
        for _ in 0..PER_CONNECTION {
            let mut line = String::new();
            r.read_line(&mut line).expect("every call is answered");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["error"]["data"]["kind"], "attachmentRejected", "{v}");
            refused += 1;
            peak = peak.max(threads(d.child.id()));
        }
    }
    assert_eq!(refused, CONNECTIONS * PER_CONNECTION);
    // The runtime's workers plus a few: no thread per stuck read.
    assert!(peak < 64, "the daemon ran {peak} threads");
    // Still serving the work that needs blocking threads.
    c.ok(
        "session.prepare",
        json!({"session": "second", "environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    c.ok("thread.send", json!({"threadId": tid, "text": "after"}));
    assert_eq!(b.count("SendMessage"), 1);
}
