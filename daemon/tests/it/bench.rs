//! Benchmarks: figures, not assertions. Each test here is `#[ignore]`d and prints what it
//! measured; `BENCHMARKS.md` records the figures with the command that produced them:
//!
//! ```text
//! cargo test --release -p cxone-chatd --test bench -- --ignored --nocapture --test-threads=1
//! ```
//!
//! Everything is real: the daemon binary on its socket, the emulator on loopback. The machines
//! are shared and noisy, so each benchmark also prints a ratio measured within one run (a
//! baseline and the case of interest side by side), which travels better than raw times.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// Percentile of sorted durations, in microseconds.
pub(crate) fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

pub(crate) fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let total: Duration = samples.iter().sum();
    println!(
        "{label}: n={} p50={:.0}µs p90={:.0}µs p99={:.0}µs max={:.0}µs mean={:.0}µs",
        samples.len(),
        pct(&samples, 0.5),
        pct(&samples, 0.9),
        pct(&samples, 0.99),
        pct(&samples, 1.0),
        total.as_secs_f64() * 1e6 / samples.len() as f64
    );
}

/// Resident memory of a process, in KiB.
pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A fast agent: answers at once, no typing pause, no read receipts, no assignment chatter.
pub(crate) fn fast_backend() -> Backend {
    let mut config = EmulatorConfig::default();
    for ch in config.brands.get_mut(&1000).unwrap().channels.values_mut() {
        ch.agent.typing_ms = 0;
        ch.agent.read_receipts = false;
    }
    Backend::start(config)
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn rpc_round_trips_sequential_and_pipelined() {
    let d = Daemon::start();
    let mut c = d.client();
    for _ in 0..200 {
        c.ok("daemon.info", json!({}));
    }
    let n = 5_000;
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        c.ok("daemon.info", json!({}));
        samples.push(t.elapsed());
    }
    let sequential = n as f64 / started.elapsed().as_secs_f64();
    summary("daemon.info, one at a time", samples);
    println!("daemon.info, one at a time: {sequential:.0} calls/s");

    // Pipelined: write every call first, then read every answer.
    let s = UnixStream::connect(&d.socket).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let n = 20_000;
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::new();
        for i in 0..n {
            buf.extend_from_slice(
                format!("{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"daemon.info\"}}\n")
                    .as_bytes(),
            );
            if buf.len() > 64 * 1024 {
                w.write_all(&buf).unwrap();
                buf.clear();
            }
        }
        w.write_all(&buf).unwrap();
    });
    let mut line = String::new();
    let (mut answered, mut refused) = (0, 0);
    while answered < n {
        line.clear();
        r.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        // Calls beyond the per-connection limit are refused (serverBusy) rather than queued
        // without bound; count them apart.
        if v.get("id").is_some() {
            answered += 1;
            if v.get("error").is_some() {
                refused += 1;
            }
        }
    }
    writer.join().unwrap();
    let pipelined = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "daemon.info, pipelined on one connection: {pipelined:.0} answers/s ({refused} of {n} refused as busy)"
    );
    println!(
        "ratio pipelined / one at a time: {:.1}",
        pipelined / sequential
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn chat_round_trip_through_daemon_and_emulator() {
    let b = fast_backend();
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");
    let n = 300;
    let mut ack = Vec::with_capacity(n);
    let mut answer = Vec::with_capacity(n);
    for i in 0..n {
        let text = format!("m{i}");
        let t = Instant::now();
        c.ok("thread.send", json!({"threadId": tid, "text": text}));
        ack.push(t.elapsed());
        let want = format!("You said: {text}");
        c.wait_event("the echo", |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == want
        });
        answer.push(t.elapsed());
        c.events.clear();
    }
    summary("thread.send until acknowledged by the back end", ack);
    summary("thread.send until the agent's answer is an event", answer);
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn event_fan_out_with_and_without_a_stalled_subscriber() {
    let b = fast_backend();
    let d = Daemon::start();
    let mut c = d.client();
    let tid = c
        .open_thread(&b, "chat_single")
        .as_str()
        .unwrap()
        .to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "open"}));

    let run = |label: &str, stalled: bool| -> f64 {
        let readers = 8;
        let events = 2_000;
        // A subscriber that never reads: its queue fills, it is lagged, nobody else waits.
        let stall = stalled.then(|| {
            let mut s = UnixStream::connect(&d.socket).unwrap();
            s.write_all(
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\",\"params\":{}}\n",
            )
            .unwrap();
            s
        });
        let marker = format!("{label}-last");
        let handles: Vec<_> = (0..readers)
            .map(|_| {
                let mut r = d.client();
                r.subscribe();
                let marker = marker.clone();
                std::thread::spawn(move || {
                    // A reader that is lagged itself would make the figure meaningless.
                    let got = r.wait_event("the last event", |e| {
                        e["kind"] == "events.lagged"
                            || (e["kind"] == "message.created"
                                && e["data"]["message"]["text"] == marker)
                    });
                    assert_ne!(
                        got["kind"], "events.lagged",
                        "a reading subscriber was lagged"
                    );
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let started = Instant::now();
        for i in 0..events {
            let text = if i + 1 == events {
                marker.clone()
            } else {
                format!("{label}-{i}")
            };
            let r = b.admin_post("agent/say", json!({"threadId": tid, "text": text}));
            assert!(r.get("messageId").is_some(), "agent/say: {r}");
        }
        for h in handles {
            h.join().unwrap();
        }
        let took = started.elapsed();
        let rate = f64::from(events * readers) / took.as_secs_f64();
        println!(
            "{label}: {events} agent messages to {readers} subscribers{} in {took:?}: {rate:.0} deliveries/s",
            if stalled { " and 1 stalled one" } else { "" }
        );
        if let Some(mut s) = stall {
            // What the stalled client finds when it finally reads: its events, then one
            // `events.lagged` saying where to resume.
            use std::io::Read;
            s.set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            let mut text = Vec::new();
            let mut buf = [0u8; 65536];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                text.extend_from_slice(&buf[..n]);
            }
            let text = String::from_utf8_lossy(&text);
            println!(
                "the stalled subscriber: {} events buffered for it, lagged: {}",
                text.matches("\"events.event\"").count(),
                text.contains("events.lagged")
            );
        }
        took.as_secs_f64()
    };
    let baseline = run("fan-out", false);
    let with_stall = run("fan-out-stalled", true);
    println!(
        "ratio with a stalled subscriber / without: {:.2} (1.0 = the stalled client costs nobody anything)",
        with_stall / baseline
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn memory_per_connected_session() {
    let b = fast_backend();
    let d = Daemon::start();
    let pid = d.child.id();
    let mut c = d.client();
    c.ok("daemon.info", json!({}));
    let idle = rss_kib(pid);
    let sessions = 100;
    for i in 0..sessions {
        let name = format!("s{i}");
        c.ok(
            "session.prepare",
            json!({"session": name, "environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
        );
        c.ok("session.connect", json!({"session": name}));
        let tid = c.ok("threads.create", json!({"session": name}))["id"].clone();
        c.ok(
            "thread.send",
            json!({"session": name, "threadId": tid, "text": "hello"}),
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let loaded = rss_kib(pid);
    println!(
        "daemon RSS: {idle} KiB idle, {loaded} KiB with {sessions} connected sessions: {:.0} KiB per session",
        (loaded - idle) as f64 / f64::from(sessions)
    );
}

/// Sends `texts` to `thread` on a connection of its own, at most `window` calls outstanding
/// (under `limits.max_pending`); returns each answer's `status` in order and the time taken.
fn pipelined_sends(
    d: &Daemon,
    thread: &Value,
    texts: &[String],
    window: usize,
) -> (Vec<String>, Duration) {
    let s = UnixStream::connect(&d.socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    let mut statuses = vec![String::new(); texts.len()];
    let (mut sent, mut answered) = (0, 0);
    let mut line = String::new();
    let started = Instant::now();
    while answered < texts.len() {
        let mut buf = Vec::new();
        while sent < texts.len() && sent - answered < window {
            let call = json!({"jsonrpc": "2.0", "id": sent, "method": "thread.send",
                "params": {"threadId": thread, "text": texts[sent]}});
            buf.extend_from_slice(format!("{call}\n").as_bytes());
            sent += 1;
        }
        w.write_all(&buf).unwrap();
        line.clear();
        r.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        let Some(id) = v["id"].as_u64() else { continue };
        statuses[id as usize] = v["result"]["status"]
            .as_str()
            .map_or_else(|| format!("error {}", v["error"]["code"]), str::to_owned);
        answered += 1;
    }
    (statuses, started.elapsed())
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn the_outbox_while_offline_and_a_burst_on_a_healthy_connection() {
    let b = fast_backend();
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");

    // A healthy connection: 4,000 pipelined sends; how many fell into the outbox path.
    let texts: Vec<String> = (0..4_000).map(|i| format!("h{i}")).collect();
    let (statuses, took) = pipelined_sends(&d, &tid, &texts, 64);
    let queued = statuses.iter().filter(|s| *s == "queued").count();
    let failed = statuses.iter().filter(|s| s.starts_with("error")).count();
    println!(
        "healthy connection: 4,000 pipelined sends in {:.2} s ({:.0}/s): {queued} entered the outbox, {failed} failed",
        took.as_secs_f64(),
        4_000.0 / took.as_secs_f64()
    );

    // Offline: the back end refuses reconnects; 10 × 1,000 sends, each thousand timed. A new
    // subscriber (the first one lagged behind the burst's 16,000 events, as it should).
    std::thread::sleep(Duration::from_secs(2));
    let mut c = d.client();
    c.subscribe();
    b.admin_post("faults", json!({"refuseAuthorizations": 1_000_000}));
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    let before_seq = b
        .admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["seq"].as_u64())
        .max()
        .unwrap_or(0);
    let mut per_thousand = Vec::new();
    let mut all = Vec::new();
    for k in 0..10 {
        let texts: Vec<String> = (0..1_000).map(|i| format!("o{}", k * 1_000 + i)).collect();
        let (statuses, took) = pipelined_sends(&d, &tid, &texts, 64);
        assert!(
            statuses.iter().all(|s| s == "queued"),
            "{:?}",
            &statuses[..3]
        );
        per_thousand.push(took);
        all.extend(texts);
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    println!(
        "offline: the first 1,000 sends accepted (queued, committed) in {:.0} ms; per thousand: {}",
        ms(&per_thousand[0]),
        per_thousand
            .iter()
            .map(|d| format!("{:.0}", ms(d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "per-message store cost, 10th thousand / 1st: {:.2}",
        ms(&per_thousand[9]) / ms(&per_thousand[0])
    );

    // The back end comes back: time from the reconnect until all 10,000 reached it. The
    // backoff may be long by now, so the host asks for the connection at once (the subscriber
    // lagged behind the 10,000 `message.created` events: the clock starts with the call).
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    let restored = Instant::now();
    let asked = c.call("session.connect", json!({}));
    assert!(asked.get("result").is_some(), "{asked}");
    // Polled with `since`, every 100 ms: reading the whole log each time would slow the
    // emulator (it holds its lock while it serializes).
    let (mut seq, mut got, mut flushed) = (before_seq, 0, Vec::new());
    let mut first_thousand = None;
    loop {
        for r in b
            .admin_get(&format!("received?kind=SendMessage&since={seq}"))
            .as_array()
            .unwrap()
        {
            seq = seq.max(r["seq"].as_u64().unwrap());
            if let Some(t) =
                r["body"]["payload"]["data"]["messageContent"]["payload"]["text"].as_str()
            {
                flushed.push(t.to_owned());
            }
            got += 1;
        }
        if first_thousand.is_none() && got >= 1_000 {
            first_thousand = Some(restored.elapsed());
        }
        if got >= all.len() || restored.elapsed() > Duration::from_secs(120) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let delivered = restored.elapsed();
    println!(
        "after the reconnect: the first 1,000 delivered in {:.2} s, all {} in {:.2} s ({:.0}/s); in order and once: {}",
        first_thousand.unwrap_or_default().as_secs_f64(),
        flushed.len(),
        delivered.as_secs_f64(),
        flushed.len() as f64 / delivered.as_secs_f64(),
        flushed == all
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn exec_to_ready_beside_bin_true() {
    let rounds = 30;
    // The floor: exec of a program that does nothing, until it has exited.
    let mut floor = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        std::process::Command::new("/bin/true").status().unwrap();
        floor.push(t.elapsed());
    }
    // The daemon: exec until READY=1 reaches the notify socket (as systemd would hear it), with
    // a fresh state directory each time (a first start, database created).
    let mut ready = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let notify = dir.path().join("notify.sock");
        let listener = std::os::unix::net::UnixDatagram::bind(&notify).unwrap();
        listener
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let t = Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
            .arg("--socket")
            .arg(dir.path().join("rpc.sock"))
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .env("NOTIFY_SOCKET", &notify)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut buf = [0u8; 4096];
        loop {
            let n = listener.recv(&mut buf).expect("a notification in time");
            if String::from_utf8_lossy(&buf[..n])
                .lines()
                .any(|l| l == "READY=1")
            {
                break;
            }
        }
        ready.push(t.elapsed());
        let _ = child.kill();
        let _ = child.wait();
    }
    let p50 = |mut v: Vec<Duration>| {
        v.sort();
        pct(&v, 0.5)
    };
    let (floor, ready) = (p50(floor), p50(ready));
    println!(
        "exec → READY=1: p50 {ready:.0} µs; /bin/true exec → exit: p50 {floor:.0} µs; ratio {:.1}",
        ready / floor
    );
}

/// CPU time (user + system) a process has used, from `/proc/PID/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn daemon_cpu_per_message_from_the_first_to_the_tenth_thousand() {
    let b = fast_backend();
    let d = Daemon::start();
    let pid = d.child.id();
    let mut c = d.client();
    let tid = c.open_thread(&b, "chat_single");
    let mut per_thousand = Vec::new();
    for k in 0..10 {
        let texts: Vec<String> = (0..1_000).map(|i| format!("c{}", k * 1_000 + i)).collect();
        let before = cpu_time(pid);
        let (statuses, _) = pipelined_sends(&d, &tid, &texts, 16);
        assert!(
            statuses.iter().all(|s| s == "sent" || s == "delivered"),
            "sent directly, not queued: {:?}",
            &statuses[..3]
        );
        // The agent's answers (one per message) are part of each message's cost.
        std::thread::sleep(Duration::from_millis(300));
        per_thousand.push(cpu_time(pid) - before);
    }
    // Milliseconds per thousand messages are microseconds per message.
    let us = |d: &Duration| d.as_secs_f64() * 1e3;
    println!(
        "daemon CPU per message, each thousand (µs): {}",
        per_thousand
            .iter()
            .map(|d| format!("{:.0}", us(d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "daemon CPU per message, 10th thousand / 1st: {:.2}",
        us(&per_thousand[9]) / us(&per_thousand[0])
    );
}
