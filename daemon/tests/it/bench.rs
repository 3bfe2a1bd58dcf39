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
fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn summary(label: &str, mut samples: Vec<Duration>) {
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
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A fast agent: answers at once, no typing pause, no read receipts, no assignment chatter.
fn fast_backend() -> Backend {
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
