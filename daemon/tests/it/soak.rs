//! The fault soak (issue #14): numbered messages from several senders — one waiting for each
//! answer, others pipelining a window of calls — while faults are injected at random (seeded):
//! dropped WebSockets, refused reconnects, expired tokens, slow acknowledgements, the daemon
//! stopped (SIGSTOP) and killed (SIGKILL) and restarted on the same state directory. Then the
//! back end's threads are read and every sender's numbers counted: lost, duplicated, reordered.
//!
//! A sender behaves as a host application should: it gives each message a client id (so a
//! resend is the same message), resends what was not answered, and after the daemon restarts it
//! prepares and connects the session again. `soak::short` runs in CI; the long run is
//!
//! ```sh
//! SOAK_FAULTS=1000 cargo test --release -p cxone-chatd --test it soak::long -- --ignored --nocapture
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// A connection to the daemon that survives its restarts.
struct Host {
    socket: PathBuf,
    environment: Value,
    stream: Option<(BufReader<UnixStream>, UnixStream)>,
    next_id: u64,
}

impl Host {
    fn new(socket: &Path, environment: Value) -> Self {
        Self {
            socket: socket.to_owned(),
            environment,
            stream: None,
            next_id: 0,
        }
    }

    /// Connects (and prepares and connects the session) if not connected.
    fn ensure(&mut self) -> Result<(), String> {
        if self.stream.is_some() {
            return Ok(());
        }
        let s = UnixStream::connect(&self.socket).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        self.stream = Some((BufReader::new(s.try_clone().unwrap()), s));
        let env = self.environment.clone();
        self.call(
            "session.prepare",
            json!({"environment": env, "brandId": 1000, "channelId": "chat_multi"}),
        )?;
        self.call("session.connect", json!({}))?;
        Ok(())
    }

    fn drop_connection(&mut self) {
        self.stream = None;
    }

    /// Writes calls and returns their answers (results or errors), in the order written.
    fn calls(&mut self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value, Value>>, String> {
        let (_, writer) = self.stream.as_mut().ok_or("not connected")?;
        let first = self.next_id;
        let mut text = String::new();
        for (i, (method, params)) in calls.iter().enumerate() {
            text.push_str(
                &json!({"jsonrpc": "2.0", "id": first + i as u64, "method": method, "params": params})
                    .to_string(),
            );
            text.push('\n');
        }
        self.next_id += calls.len() as u64;
        let failed = |e: std::io::Error, this: &mut Self| {
            this.drop_connection();
            e.to_string()
        };
        if let Err(e) = writer.write_all(text.as_bytes()) {
            return Err(failed(e, self));
        }
        let mut answers: BTreeMap<u64, Result<Value, Value>> = BTreeMap::new();
        while answers.len() < calls.len() {
            let mut line = String::new();
            let (reader, _) = self.stream.as_mut().ok_or("not connected")?;
            match reader.read_line(&mut line) {
                Ok(0) => {
                    self.drop_connection();
                    return Err("the daemon closed the connection".into());
                }
                Ok(_) => {}
                Err(e) => return Err(failed(e, self)),
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
            let Some(id) = v["id"].as_u64() else { continue };
            if id < first {
                continue;
            }
            let answer = match v.get("result") {
                Some(r) => Ok(r.clone()),
                None => Err(v["error"].clone()),
            };
            answers.insert(id, answer);
        }
        Ok(answers.into_values().collect())
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        match self.calls(&[(method, params)])?.pop().unwrap() {
            Ok(v) => Ok(v),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A deterministic generator (xorshift), so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What a sender did: the highest number the daemon accepted.
struct Sender {
    thread: String,
    window: usize,
    accepted: AtomicUsize,
}

fn message_id(sender: usize, n: usize) -> String {
    format!("00000000-0000-4000-8000-{:04x}{:08x}", sender, n)
}

/// Sends numbered messages until `stop`, resending what was not answered.
fn send_loop(k: usize, sender: &Sender, mut host: Host, stop: &AtomicBool) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        if host.ensure().is_err() {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let calls: Vec<(&str, Value)> = (n..n + sender.window)
            .map(|i| {
                (
                    "thread.send",
                    json!({"threadId": sender.thread, "text": format!("s{k}-{i:06}"),
                           "clientMessageId": message_id(k, i)}),
                )
            })
            .collect();
        match host.calls(&calls) {
            Ok(answers) => {
                // In order: everything up to the first refusal is accepted; the rest is resent.
                let ok = answers.iter().take_while(|a| a.is_ok()).count();
                n += ok;
                sender.accepted.store(n, Ordering::Relaxed);
                if ok < answers.len() {
                    std::thread::sleep(Duration::from_millis(50));
                }
                // At most ~250 messages a second per sender (a kiosk sends one every few
                // seconds): everything queued during the faults must drain, in a debug build, well
                // within the check's deadline.
                std::thread::sleep(Duration::from_millis(4 * sender.window as u64));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The numbers of sender `k`'s messages as the back end stored them, in its order.
fn stored_numbers(b: &Backend, thread: &str, k: usize) -> Vec<usize> {
    let threads = b.admin_get("threads");
    let prefix = format!("s{k}-");
    threads
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["threadId"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(thread))
        })
        .flat_map(|t| t["messages"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| {
            let text = m["messageContent"]["payload"]["text"].as_str()?.to_owned();
            text.strip_prefix(&prefix)?.parse().ok()
        })
        .collect()
}

#[derive(Debug, Default)]
struct Report {
    faults: BTreeMap<&'static str, usize>,
    messages: usize,
    lost: usize,
    duplicated: usize,
    reordered: usize,
}

fn soak(faults_wanted: usize, seed: u64) -> Report {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let daemon = Arc::new(Mutex::new(Daemon::start_in(dir.path(), &[])));
    let socket = daemon.lock().unwrap().socket.clone();

    // One thread per sender, created before the faults start.
    let mut setup = Host::new(&socket, b.environment());
    setup.ensure().unwrap();
    let windows = [1, 1, 8, 32];
    let senders: Vec<Arc<Sender>> = windows
        .iter()
        .map(|&window| {
            let t = setup.call("threads.create", json!({})).unwrap();
            let thread = t["id"].as_str().unwrap().to_owned();
            setup
                .call("thread.send", json!({"threadId": thread, "text": "start"}))
                .unwrap();
            Arc::new(Sender {
                thread,
                window,
                accepted: AtomicUsize::new(0),
            })
        })
        .collect();
    drop(setup);

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = senders
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let (s, stop, host) = (s.clone(), stop.clone(), Host::new(&socket, b.environment()));
            std::thread::spawn(move || send_loop(k, &s, host, &stop))
        })
        .collect();

    let mut rng = Rng(seed);
    let mut report = Report::default();
    let started = Instant::now();
    let give_up = Duration::from_secs(60 + faults_wanted as u64);
    while report.faults.values().sum::<usize>() < faults_wanted && started.elapsed() < give_up {
        std::thread::sleep(Duration::from_millis(20 + rng.below(80)));
        let roll = rng.below(100);
        let kind = match roll {
            0..=39 => {
                b.admin_post("faults/drop-sockets", json!({}));
                "dropped WebSocket"
            }
            40..=54 => {
                b.admin_post("faults", json!({"refuseAuthorizations": 1}));
                b.admin_post("faults/drop-sockets", json!({}));
                "refused reconnect"
            }
            55..=69 => {
                b.admin_post("faults/expire-tokens", json!({}));
                "expired tokens"
            }
            70..=84 => {
                let ms = if rng.below(2) == 0 { 300 } else { 0 };
                b.admin_post("faults", json!({"delayRepliesMs": {"SendMessage": ms}}));
                "slow acknowledgements"
            }
            85..=95 => {
                let pid = daemon.lock().unwrap().child.id().to_string();
                let signal = |s: &str| {
                    let _ = std::process::Command::new("kill").args([s, &pid]).status();
                };
                signal("-STOP");
                std::thread::sleep(Duration::from_millis(100 + rng.below(400)));
                signal("-CONT");
                "daemon stopped (SIGSTOP)"
            }
            _ => {
                let mut d = daemon.lock().unwrap();
                let _ = d.child.kill();
                let _ = d.child.wait();
                *d = Daemon::start_in(dir.path(), &[]);
                "daemon killed (SIGKILL) and restarted"
            }
        };
        *report.faults.entry(kind).or_default() += 1;
    }
    b.admin_post("faults", json!({"delayRepliesMs": {"SendMessage": 0}}));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    // Everything accepted must reach the back end, once and in order. The daemon's outbox is
    // watched until it is empty (reading the back end's threads while it drains would slow the
    // drain: the emulator serializes every message of every thread for it).
    let deadline = Instant::now() + Duration::from_secs(120);
    let state = dir.path().join("state");
    while crate::common::stored_queue(&state, "default") > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    for (k, s) in senders.iter().enumerate() {
        let accepted = s.accepted.load(Ordering::Relaxed);
        report.messages += accepted;
        loop {
            let stored = stored_numbers(&b, &s.thread, k);
            let complete = (0..accepted).all(|n| stored.contains(&n));
            if complete || Instant::now() > deadline {
                let mut seen = BTreeMap::new();
                for n in &stored {
                    *seen.entry(*n).or_insert(0usize) += 1;
                }
                report.lost += (0..accepted).filter(|n| !seen.contains_key(n)).count();
                report.duplicated += seen
                    .values()
                    .filter(|c| **c > 1)
                    .map(|c| c - 1)
                    .sum::<usize>();
                report.reordered += stored.windows(2).filter(|w| w[1] < w[0]).count();
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    println!(
        "soak (seed {seed}): {} faults {:?}; {} messages from {} senders (windows {windows:?}): \
         {} lost, {} duplicated, {} reordered, in {:.1} s",
        report.faults.values().sum::<usize>(),
        report.faults,
        report.messages,
        senders.len(),
        report.lost,
        report.duplicated,
        report.reordered,
        started.elapsed().as_secs_f64()
    );
    report
}

fn check(report: &Report, faults_wanted: usize) {
    assert!(
        report.faults.values().sum::<usize>() >= faults_wanted,
        "only {:?} faults were injected",
        report.faults
    );
    assert!(report.messages > 0, "nothing was sent: {report:?}");
    assert_eq!(
        (report.lost, report.duplicated, report.reordered),
        (0, 0, 0),
        "{report:?}"
    );
}

#[test]
fn short() {
    let report = soak(60, 0x5eed_0001);
    check(&report, 60);
}

#[test]
#[ignore = "the long soak: SOAK_FAULTS=1000 cargo test --release -p cxone-chatd --test it soak::long -- --ignored --nocapture"]
fn long() {
    let faults = std::env::var("SOAK_FAULTS")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or(1000);
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1000);
    let report = soak(faults, seed);
    check(&report, faults);
}
