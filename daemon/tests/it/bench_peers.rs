//! Benchmarks beside the floor and the peers (issue #15): the daemon measured in the same run as
//! what it is compared with, so that the ratio, not the raw time, is the figure. Like
//! `bench.rs`: `#[ignore]`d, figures printed, nothing asserted about time.
//!
//! ```text
//! cargo test --release -p cxone-chatd --test it bench_peers:: -- --ignored --nocapture --test-threads=1
//! ```

use std::time::{Duration, Instant};

use serde_json::json;

use crate::bench::fast_backend;
use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;

/// Context switches (voluntary and not) of each thread of a process so far, by thread id: each
/// is a wake-up or a preemption.
fn context_switches(pid: u32) -> std::collections::HashMap<String, u64> {
    let mut by_thread = std::collections::HashMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let task = task.unwrap();
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue; // a thread that just ended
        };
        let switches = status
            .lines()
            .filter_map(|l| {
                l.strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
            })
            .filter_map(|v| v.trim().parse::<u64>().ok())
            .sum::<u64>();
        by_thread.insert(task.file_name().to_string_lossy().into_owned(), switches);
    }
    by_thread
}

/// Context switches per minute of `pid` over `window`: each thread's since the first look (a
/// thread started meanwhile counts from zero; one that ended meanwhile is not seen at all,
/// which only undercounts the idle blocking pool's threads retiring).
fn switches_per_minute(pid: u32, window: Duration) -> f64 {
    let before = context_switches(pid);
    std::thread::sleep(window);
    let after = context_switches(pid);
    let switches: u64 = after
        .iter()
        .map(|(tid, n)| n.saturating_sub(before.get(tid).copied().unwrap_or(0)))
        .sum();
    switches as f64 * 60.0 / window.as_secs_f64()
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn idle_wake_ups_with_one_connected_session_beside_an_idle_daemon() {
    let window = Duration::from_secs(30);
    let b = fast_backend();
    // The floor: a daemon with no session at all.
    let idle = Daemon::start();
    idle.client().ok("daemon.info", json!({}));
    std::thread::sleep(Duration::from_secs(2));
    let floor = switches_per_minute(idle.child.id(), window);
    let idle_rss = crate::bench::rss_kib(idle.child.id());
    drop(idle);

    // One connected session, its chat open, nothing said for the whole window: the heartbeat
    // (every `network.heartbeat_interval_ms`, 10 s by default) is all that should run.
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c.open_thread(&b, "chat_single");
    c.ok("thread.send", json!({"threadId": tid, "text": "hello"}));
    drop(c);
    std::thread::sleep(Duration::from_secs(2));
    let pid = d.child.id();
    let heartbeats = b.count("heartbeat");
    let connected = switches_per_minute(pid, window);
    let heartbeats = (b.count("heartbeat") - heartbeats) as f64 * 60.0 / window.as_secs_f64();
    println!(
        "idle, no session: {floor:.0} context switches per minute (RSS {idle_rss} KiB); \
         one connected session: {connected:.0} per minute (RSS {} KiB) with {heartbeats:.0} \
         heartbeats per minute: {:.1} switches per heartbeat beyond the idle daemon's",
        crate::bench::rss_kib(pid),
        (connected - floor) / heartbeats.max(1.0)
    );
}

/// The floor of a local round trip: a C program that echoes what it reads on a UNIX socket, one
/// connection after another, compiled here with the system's C compiler.
const ECHO_C: &str = r#"
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1)) { perror("bind"); return 1; }
    char buf[65536];
    for (;;) {
        int c = accept(s, 0, 0);
        ssize_t n;
        while ((n = read(c, buf, sizeof buf)) > 0) {
            ssize_t off = 0;
            while (off < n) { ssize_t w = write(c, buf + off, n - off); if (w <= 0) break; off += w; }
        }
        close(c);
    }
}
"#;

/// Pins the calling thread to CPU 0 (`taskset`), as the process under test is.
fn pin_this_thread_to_cpu0() {
    let me = std::fs::read_link("/proc/thread-self").unwrap();
    let tid = me.file_name().unwrap().to_string_lossy().into_owned();
    let ok = std::process::Command::new("taskset")
        .args(["-pc", "0", &tid])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "taskset could not pin the benchmark's thread");
}

/// `n` round trips of `line` on a fresh connection to `socket`, after a warm-up: p50 in µs.
fn round_trips(socket: &std::path::Path, line: &[u8], n: usize) -> (f64, f64) {
    use std::io::{BufRead, BufReader, Write};
    let s = std::os::unix::net::UnixStream::connect(socket).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let mut answer = String::new();
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 500 {
        answer.clear();
        let t = Instant::now();
        w.write_all(line).unwrap();
        r.read_line(&mut answer).unwrap();
        if i >= 500 {
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    (
        crate::bench::pct(&samples, 0.5),
        crate::bench::pct(&samples, 0.99),
    )
}

fn wait_for_socket(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(path).is_err() {
        assert!(
            Instant::now() < deadline,
            "{} never listened",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn daemon_info_beside_a_c_echo_both_on_one_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("echo.c");
    std::fs::write(&source, ECHO_C).unwrap();
    let echo_bin = dir.path().join("echo");
    let built = std::process::Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&echo_bin)
        .arg(&source)
        .status()
        .expect("a C compiler (cc) for the echo floor");
    assert!(built.success());
    pin_this_thread_to_cpu0();
    let line = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.info\"}\n";
    let n = 5_000;

    let echo_sock = dir.path().join("echo.sock");
    let mut echo = std::process::Command::new("taskset")
        .args(["-c", "0"])
        .arg(&echo_bin)
        .arg(&echo_sock)
        .spawn()
        .unwrap();
    wait_for_socket(&echo_sock);
    let (floor, floor99) = round_trips(&echo_sock, line, n);
    let _ = echo.kill();
    let _ = echo.wait();

    let daemon_sock = dir.path().join("rpc.sock");
    let mut daemon = std::process::Command::new("taskset")
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_cxone-chatd"))
        .arg("--socket")
        .arg(&daemon_sock)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_socket(&daemon_sock);
    let (ours, ours99) = round_trips(&daemon_sock, line, n);
    let _ = daemon.kill();
    let _ = daemon.wait();
    println!(
        "round trip on one CPU, p50 (p99): C echo {floor:.1} µs ({floor99:.1}), \
         daemon.info {ours:.1} µs ({ours99:.1}); ratio {:.2} (target ≤ 2)",
        ours / floor
    );
}

/// A client of the emulator's WebSocket with no daemon between: the fastest a customer's
/// message can be acknowledged on this machine. Authorizes once, then sends `n` messages on one
/// thread, one at a time, each timed until the back end's acknowledgement (the frame carrying
/// its `eventId`); p50 and p99 in µs.
fn direct_websocket_sends(base: &str, n: usize) -> (f64, f64) {
    use tokio_tungstenite::tungstenite::{self, Message};
    let host = base.trim_start_matches("http://");
    let visitor = uuid::Uuid::new_v4().to_string();
    let url = format!(
        "ws://{host}/?brandId=1000&channelId=chat_single&visitorId={visitor}&sdkPlatform=web&sdkVersion=bench"
    );
    let stream = std::net::TcpStream::connect(host).unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut ws, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
    let customer = uuid::Uuid::new_v4().to_string();
    let envelope = |event_type: &str, event_id: &str, data: serde_json::Value| {
        json!({"action": if event_type == "AuthorizeCustomer" { "register" } else { "chatWindowEvent" },
            "eventId": event_id,
            "payload": {"eventType": event_type, "brand": {"id": 1000}, "channel": {"id": "chat_single"},
                "consumerIdentity": {"idOnExternalPlatform": customer}, "visitor": {"id": visitor},
                "destination": {"id": uuid::Uuid::new_v4().to_string()}, "data": data}})
        .to_string()
    };
    // Waits for the frame that names `event_id` (the agent's own messages come in between).
    let until = |ws: &mut tungstenite::WebSocket<std::net::TcpStream>, event_id: &str| loop {
        match ws.read().unwrap() {
            Message::Text(t) if t.as_str().contains(event_id) => return,
            _ => {}
        }
    };
    let auth_id = uuid::Uuid::new_v4().to_string();
    ws.send(Message::text(envelope(
        "AuthorizeCustomer",
        &auth_id,
        json!({}),
    )))
    .unwrap();
    until(&mut ws, "ConsumerAuthorized");
    let thread = uuid::Uuid::new_v4().to_string();
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 30 {
        let event_id = uuid::Uuid::new_v4().to_string();
        let frame = envelope(
            "SendMessage",
            &event_id,
            json!({"thread": {"idOnExternalPlatform": thread},
                "messageContent": {"type": "TEXT", "payload": {"text": format!("m{i}")}},
                "idOnExternalPlatform": uuid::Uuid::new_v4().to_string()}),
        );
        let t = Instant::now();
        ws.send(Message::text(frame)).unwrap();
        until(&mut ws, &event_id);
        if i >= 30 {
            samples.push(t.elapsed());
        }
    }
    let _ = ws.close(None);
    samples.sort();
    (
        crate::bench::pct(&samples, 0.5),
        crate::bench::pct(&samples, 0.99),
    )
}

/// The official web SDK in Node (`emulator/websdk-test/scripts/bench-send.mjs`), installed from
/// npm here when it is not yet: p50 and p99 in µs, and the Node process's RSS in KiB.
fn web_sdk_sends(base: &str, n: usize) -> Option<(f64, f64, u64)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../emulator/websdk-test");
    if !dir
        .join("node_modules/@nice-devone/nice-cxone-chat-web-sdk")
        .exists()
    {
        let installed = std::process::Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status();
        if !installed.is_ok_and(|s| s.success()) {
            println!("the web SDK could not be installed from npm: its figures are left out");
            return None;
        }
    }
    let out = std::process::Command::new("node")
        .arg("scripts/bench-send.mjs")
        .current_dir(&dir)
        .env("CXONE_BENCH_EMULATOR", base)
        .env("CXONE_BENCH_SENDS", n.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text.lines().last() else {
        println!(
            "the web SDK run printed nothing: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    };
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some((
        v["p50Us"].as_f64()?,
        v["p99Us"].as_f64()?,
        v["rssKib"].as_u64()?,
    ))
}

/// `n` sends through the daemon on a thread of its own, one at a time, each timed until its
/// answer: p50 and p99 in µs.
fn daemon_sends(b: &crate::common::Backend, n: usize) -> (f64, f64) {
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c.open_thread(b, "chat_single");
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 30 {
        let t = Instant::now();
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": format!("m{i}")}),
        );
        if i >= 30 {
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    (
        crate::bench::pct(&samples, 0.5),
        crate::bench::pct(&samples, 0.99),
    )
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn thread_send_beside_a_direct_websocket_client_and_the_web_sdk() {
    let n = 1_000;
    let b = fast_backend();
    let (ours, ours99) = daemon_sends(&b, n);
    let (direct, direct99) = direct_websocket_sends(&b.base, n);
    println!(
        "a message until the back end acknowledged it, p50 (p99): direct WebSocket client \
         {direct:.0} µs ({direct99:.0}), through the daemon (thread.send) {ours:.0} µs ({ours99:.0}): \
         {:.0} µs added (target ≤ 150)",
        ours - direct
    );
    // The same with an agent who never answers: what the daemon adds to the send itself,
    // without the echo and the answer it also decodes, keeps and announces meanwhile.
    let mut config = cxone_emulator::EmulatorConfig::default();
    for ch in config.brands.get_mut(&1000).unwrap().channels.values_mut() {
        ch.agent.reply = Some(cxone_emulator::config::Reply::None);
        ch.agent.read_receipts = false;
    }
    let silent = crate::common::Backend::start(config);
    let (quiet, quiet99) = daemon_sends(&silent, n);
    let (quiet_direct, quiet_direct99) = direct_websocket_sends(&silent.base, n);
    println!(
        "with a silent agent: direct {quiet_direct:.0} µs ({quiet_direct99:.0}), daemon \
         {quiet:.0} µs ({quiet99:.0}): {:.0} µs added",
        quiet - quiet_direct
    );
    if let Some((web, web99, rss)) = web_sdk_sends(&b.base, n) {
        println!(
            "the official web SDK 2.2.0 in Node (sendTextMessage): {web:.0} µs ({web99:.0}); \
             daemon / web SDK: {:.2}; the Node process: {rss} KiB RSS",
            ours / web
        );
    }
}

/// Prepares and connects sessions `from..to` of `d` against `b`, four clients at once.
fn connect_sessions(d: &Daemon, b: &Backend, from: usize, to: usize) -> Duration {
    let workers = 4;
    let started = Instant::now();
    std::thread::scope(|s| {
        for w in 0..workers {
            s.spawn(move || {
                let mut c = d.client();
                for i in (from + w..to).step_by(workers) {
                    let name = format!("s{i}");
                    c.ok(
                        "session.prepare",
                        json!({"session": name, "environment": b.environment(),
                            "brandId": 1000, "channelId": "chat_single"}),
                    );
                    c.ok("session.connect", json!({"session": name}));
                }
            });
        }
    });
    started.elapsed()
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn connected_sessions_over_tls() {
    let mut config = EmulatorConfig::default();
    for ch in config.brands.get_mut(&1000).unwrap().channels.values_mut() {
        ch.agent.typing_ms = 0;
        ch.agent.read_receipts = false;
    }
    let b = Backend::start_tls(config);
    let dir = tempfile::tempdir().unwrap();
    let d = crate::common::daemon_trusting(&b, dir.path(), "");
    let pid = d.child.id();
    // The first few build the TLS set-up (the system's roots, parsed once for all).
    connect_sessions(&d, &b, 0, 10);
    std::thread::sleep(Duration::from_millis(500));
    let warm = crate::bench::rss_kib(pid);
    let n = 3_000;
    let took = connect_sessions(&d, &b, 10, 10 + n);
    std::thread::sleep(Duration::from_secs(1));
    let after = crate::bench::rss_kib(pid);
    println!(
        "{n} wss sessions connected in {took:.1?}; daemon RSS {warm} KiB after 10, {after} KiB \
         after {}: {:.1} KiB per TLS session",
        n + 10,
        (after - warm) as f64 / n as f64
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn ten_thousand_connected_sessions_in_one_daemon() {
    let total = 10_000;
    let b = fast_backend();
    let d = Daemon::start();
    let pid = d.child.id();
    d.client().ok("daemon.info", json!({}));
    std::thread::sleep(Duration::from_millis(500));
    let idle = crate::bench::rss_kib(pid);
    // Sessions are prepared and connected by a few clients at once, in two waves: 9,000 (the
    // issue's measuring point), then the last thousand.
    let first = connect_sessions(&d, &b, 0, 9_000);
    std::thread::sleep(Duration::from_secs(1));
    let at_9000 = crate::bench::rss_kib(pid);
    let rest = connect_sessions(&d, &b, 9_000, total);
    std::thread::sleep(Duration::from_secs(1));
    let at_total = crate::bench::rss_kib(pid);
    let status = d.client().ok("daemon.status", json!({}));
    let sessions = status["sessions"].as_array().unwrap();
    let connected = sessions
        .iter()
        .filter(|s| s["connection"] == "connected")
        .count();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    println!(
        "{total} sessions: 9,000 connected in {first:.1?}, the last 1,000 in {rest:.1?}; \
         {connected} of {} connected; daemon RSS {idle} KiB idle, {at_9000} KiB at 9,000 \
         ({:.1} KiB per session; target ≤ 24, the web SDK 28), {at_total} KiB at {total}; \
         {fds} file descriptors",
        sessions.len(),
        (at_9000 - idle) as f64 / 9_000.0
    );
}
