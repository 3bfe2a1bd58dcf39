//! Careless and hostile clients against the real daemon binary over its real socket: a client
//! that pipelines calls and never reads its answers, and one that floods notifications. The
//! daemon must stay in bounded memory (read from `/proc/PID/status`), keep answering everyone
//! else, and free what the client held once it closes.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::common::Daemon;

/// The daemon's resident memory in KiB.
fn rss_kib(d: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// Writes `count` copies of `line` without reading anything back, until the kernel's buffers
/// are full and the daemon stops reading (a write blocks past the timeout). Returns how many
/// lines were written.
fn flood(stream: &mut UnixStream, line: &str, count: usize) -> usize {
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut chunk = String::new();
    for _ in 0..100 {
        chunk.push_str(line);
        chunk.push('\n');
    }
    let mut written = 0;
    while written < count {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        written += 100;
    }
    written
}

/// The daemon still answers another client at once.
fn answers_another_client(d: &Daemon) {
    let mut c = d.client();
    let info = c.call("daemon.info", serde_json::json!({}));
    assert!(info.get("result").is_some(), "{info}");
}

/// 200,000 pipelined calls from a client that never reads: the daemon stops reading it
/// (the client's writes block), its memory stays bounded, and other clients are served.
#[test]
fn a_client_that_never_reads_its_answers_is_held_back_in_bounded_memory() {
    let d = Daemon::start();
    answers_another_client(&d);
    let before = rss_kib(&d);
    let mut greedy = UnixStream::connect(&d.socket).unwrap();
    let line = r#"{"jsonrpc":"2.0","id":1,"method":"daemon.info"}"#;
    let written = flood(&mut greedy, line, 200_000);
    // Backpressure: the daemon stopped taking lines long before all were written.
    assert!(
        written < 200_000,
        "the daemon read all {written} lines of a client that reads nothing"
    );
    let during = rss_kib(&d);
    answers_another_client(&d);
    // What one such client may hold: max_pending calls, the queue's 8 MiB of answers, the
    // kernel buffers are not the daemon's. 48 MiB over the start leaves room for the allocator.
    assert!(
        during < before + 48 * 1024,
        "RSS grew from {before} KiB to {during} KiB for one client that never reads"
    );
    drop(greedy);
    // Freed on close: the daemon notices the closed socket and drops what it held.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut c = d.client();
        let status = c.call("daemon.status", serde_json::json!({}));
        let clients = status["result"]["clients"].as_array().unwrap().len();
        if clients == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed client is still connected: {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Notifications cannot be refused with an answer, so a flood of them is read only as fast as
/// they are handled: 100,000 `events.poll` notifications (each would wait 10 s) hold at most
/// `max_pending` waiting polls.
#[test]
fn a_flood_of_notifications_is_bounded_by_max_pending() {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), "[limits]\nmax_pending = 64\n").unwrap();
    let d = Daemon::start_with(&["--config", config.path().to_str().unwrap()]);
    let before = rss_kib(&d);
    let mut flooder = UnixStream::connect(&d.socket).unwrap();
    let line = r#"{"jsonrpc":"2.0","method":"events.poll","params":{"timeoutMs":10000}}"#;
    let written = flood(&mut flooder, line, 100_000);
    assert!(
        written < 100_000,
        "the daemon read all {written} notifications at once"
    );
    let mut c = d.client();
    let status = c.call("daemon.status", serde_json::json!({}));
    let pending: Vec<u64> = status["result"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pendingRequests"].as_u64().unwrap())
        .collect();
    assert!(
        pending.iter().all(|p| *p <= 64),
        "more notifications running than max_pending: {pending:?}"
    );
    let during = rss_kib(&d);
    assert!(
        during < before + 32 * 1024,
        "RSS grew from {before} KiB to {during} KiB for a notification flood"
    );
    // The flooder still gets answers once it reads: its connection was slowed, not broken.
    flooder
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"daemon.info\"}\n")
        .ok();
    drop(flooder);
    answers_another_client(&d);
}

/// A client that reads again after being held back gets every answer, in full.
#[test]
fn a_held_back_client_gets_every_answer_once_it_reads() {
    let d = Daemon::start();
    let mut s = UnixStream::connect(&d.socket).unwrap();
    let n = 5_000;
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(&format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"daemon.info\"}}\n"
        ));
    }
    let writer = {
        let mut s = s.try_clone().unwrap();
        std::thread::spawn(move || s.write_all(lines.as_bytes()).unwrap())
    };
    // Read only after a pause: by then the daemon has been held back.
    std::thread::sleep(Duration::from_millis(300));
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut reader = BufReader::new(&mut s);
    let mut ids = std::collections::BTreeSet::new();
    for _ in 0..n {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        // An answer, or `overloaded` for a call beyond max_pending: never nothing.
        assert!(
            v.get("result").is_some() || v["error"]["code"] == -32003,
            "{v}"
        );
        assert!(ids.insert(v["id"].as_u64().unwrap()), "answered twice: {v}");
    }
    writer.join().unwrap();
    assert_eq!(ids.len(), n, "every call answered once");
}

/// Starts a daemon with `config` (TOML) as its configuration file.
fn daemon_with(config: &str) -> (Daemon, tempfile::NamedTempFile) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), config).unwrap();
    let d = Daemon::start_with(&["--config", file.path().to_str().unwrap()]);
    (d, file)
}

/// Reads lines until the daemon closes the connection (or `within` passes); returns them.
fn lines_until_closed(s: &UnixStream, within: Duration) -> Vec<String> {
    s.set_read_timeout(Some(within)).unwrap();
    let mut reader = BufReader::new(s);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return lines,
            Ok(_) => lines.push(line),
            Err(e) => {
                panic!("the connection was not closed within {within:?}: {e}; read {lines:?}")
            }
        }
    }
}

/// An idle connection — silent, or trickling half a line — is closed after
/// `limits.idle_timeout_ms` with a notice saying why; one with a subscription is kept.
#[test]
fn idle_and_trickling_connections_are_closed_and_subscribers_kept() {
    let (d, _config) = daemon_with("[limits]\nidle_timeout_ms = 300\n");
    let silent = UnixStream::connect(&d.socket).unwrap();
    let mut trickling = UnixStream::connect(&d.socket).unwrap();
    trickling.write_all(b"{\"jsonrpc\":\"2.0\",").unwrap();
    let mut subscriber = d.client();
    subscriber.ok("events.subscribe", serde_json::json!({}));

    for s in [&silent, &trickling] {
        let lines = lines_until_closed(s, Duration::from_secs(10));
        assert_eq!(lines.len(), 1, "{lines:?}");
        let notice: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert!(
            notice["error"]["data"]["detail"]
                .as_str()
                .unwrap()
                .contains("idle_timeout_ms"),
            "{notice}"
        );
    }
    std::thread::sleep(Duration::from_millis(600));
    // The subscriber outlived several timeouts and still talks.
    subscriber.ok("daemon.info", serde_json::json!({}));
}

/// Runs `perl` as the user `nobody`, connecting `count` times to `socket` and printing the
/// first line the daemon sends on each connection (all connections kept open until the end).
fn connect_as_nobody(socket: &std::path::Path, count: usize) -> Vec<serde_json::Value> {
    as_nobody(
        socket,
        count,
        r#"{"jsonrpc":"2.0","id":1,"method":"daemon.info"}"#,
    )
}

/// Like [`connect_as_nobody`], sending `request` on each connection.
fn as_nobody(socket: &std::path::Path, count: usize, request: &str) -> Vec<serde_json::Value> {
    let script = r#"use IO::Socket::UNIX;
$SIG{PIPE} = 'IGNORE';
my @s;
for my $i (1..$ARGV[1]) {
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
    print $s $ARGV[2] . "\n";
    my $line = <$s>; defined $line or die "no answer\n"; print $line;
    push @s, $s;
}"#;
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["perl", "-e", script])
        .arg(socket)
        .arg(count.to_string())
        .arg(request)
        .output()
        .expect("setpriv (util-linux) runs");
    assert!(out.status.success(), "the client as nobody failed: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One user cannot take every connection: past `limits.max_clients_per_user` it is refused,
/// and the last connections are kept for the daemon's own user and root.
#[test]
fn one_user_cannot_lock_out_the_others() {
    use std::os::unix::fs::PermissionsExt;
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test runs a client as nobody: run it as root (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[socket]\nallowed_uids = [65534]\n[limits]\nmax_clients = 10\nmax_clients_per_user = 4\n",
    )
    .unwrap();
    let d = Daemon::start_in(dir.path(), &["--config", config.to_str().unwrap()]);
    std::fs::set_permissions(&d.socket, std::fs::Permissions::from_mode(0o666)).unwrap();

    let answers = connect_as_nobody(&d.socket, 5);
    let served = answers.iter().filter(|a| a.get("result").is_some()).count();
    assert_eq!(served, 4, "{answers:#?}");
    assert!(
        answers[4]["error"]["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("max_clients_per_user"),
        "{answers:#?}"
    );
    // Root, the administrator, always gets in while there is any room at all.
    let mut held: Vec<_> = (0..8).map(|_| d.client()).collect();
    held[0].ok("daemon.info", serde_json::json!({}));
    let answers = connect_as_nobody(&d.socket, 1);
    assert_eq!(
        answers[0]["error"]["data"]["kind"], "overloaded",
        "{answers:#?}"
    );
    drop(held);
}

/// Trace logs carry the most: only the daemon's own user or root may turn them on over the
/// socket (issue #14, item 8); any allowed user may go up to debug.
#[test]
fn only_the_administrator_may_raise_the_log_level_to_trace() {
    use std::os::unix::fs::PermissionsExt;
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test runs a client as nobody: run it as root (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[socket]\nallowed_uids = [65534]\n").unwrap();
    let d = Daemon::start_in(dir.path(), &["--config", config.to_str().unwrap()]);
    std::fs::set_permissions(&d.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let set = |level: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"daemon.setLogLevel","params":{{"level":"{level}"}}}}"#
        )
    };
    let trace = as_nobody(&d.socket, 1, &set("trace"));
    assert_eq!(
        trace[0]["error"]["data"]["kind"], "peerNotAuthorized",
        "{trace:?}"
    );
    let debug = as_nobody(&d.socket, 1, &set("debug"));
    assert!(debug[0].get("result").is_some(), "{debug:?}");
    let mut root = d.client();
    root.ok("daemon.setLogLevel", serde_json::json!({"level": "trace"}));
}

/// A file named by path is read with the daemon's rights, so only the daemon's own user and
/// root may name one (issue #14, item 3): an allowed user who names a root-only file is
/// refused before anything is read, and nothing reaches the back end; its bytes sent inline
/// are accepted.
#[test]
fn another_user_cannot_make_the_daemon_read_a_file_by_path() {
    use crate::common::Backend;
    use cxone_emulator::EmulatorConfig;
    use std::os::unix::fs::PermissionsExt;
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test runs a client as nobody: run it as root (CI does)"
    );
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[socket]\nallowed_uids = [65534]\n").unwrap();
    let secret = dir.path().join("secret.png");
    std::fs::write(&secret, b"\x89PNG root only").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let d = Daemon::start_in(dir.path(), &["--config", config.to_str().unwrap()]);
    std::fs::set_permissions(&d.socket, std::fs::Permissions::from_mode(0o666)).unwrap();

    let mut root = d.client();
    let thread = root.open_thread(&b, "chat_single");
    let send = |attachment: serde_json::Value| {
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "thread.send",
            "params": {"threadId": thread, "attachments": [attachment]}})
        .to_string()
    };
    let refused = as_nobody(&d.socket, 1, &send(serde_json::json!({"path": secret})));
    assert_eq!(
        refused[0]["error"]["data"]["kind"], "attachmentRejected",
        "{refused:?}"
    );
    assert_eq!(refused[0]["error"]["data"]["field"], "attachments[0]");
    assert!(
        b.received_kinds().iter().all(|k| !k.contains("attachment")),
        "something was uploaded: {:?}",
        b.received_kinds()
    );
    let inline = send(
        serde_json::json!({"data": "iVBORw0KGgo=", "fileName": "a.png", "mimeType": "image/png"}),
    );
    let sent = as_nobody(&d.socket, 1, &inline);
    assert!(sent[0].get("result").is_some(), "{sent:?}");
    let uploads = |b: &Backend| {
        b.received_kinds()
            .iter()
            .filter(|k| k.contains("attachment"))
            .count()
    };
    assert_eq!(uploads(&b), 1, "{:?}", b.received_kinds());
    // The daemon's own user (root here) may still name a path.
    let own = root.ok(
        "thread.send",
        serde_json::json!({"threadId": thread, "attachments": [{"path": secret}]}),
    );
    assert_eq!(own["attachments"].as_array().unwrap().len(), 1);
}
