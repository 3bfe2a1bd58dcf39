//! Damaged and full disks through the real daemon (issue #13): a damaged state database is moved
//! aside, every message still readable in it is delivered once, and the host is told what was
//! lost; on
//! a real full file system (a 1 MiB tmpfs) a send that cannot be kept safe fails with
//! `storageFull`, and a message the back end acknowledged is never sent again because its
//! removal from the outbox could not be written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Backend, Client, Daemon, kind_with};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

fn prepare(c: &mut Client, b: &Backend) {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single",
            "customer": {"id": "grace"}}),
    );
}

/// Connects, opens a thread the back end knows, then loses the connection for good (the back
/// end refuses reconnects) so that sends are queued.
fn connected_then_cut_off(c: &mut Client, b: &Backend) -> String {
    c.subscribe();
    prepare(c, b);
    c.ok("session.connect", json!({}));
    let tid = c.ok("threads.create", json!({}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "first"}));
    c.wait_event(
        "the answer",
        kind_with("message.created", "/message/text", json!("You said: first")),
    );
    b.admin_post("faults", json!({"refuseAuthorizations": 100_000}));
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    tid
}

/// A daemon in `dir` connects, loses the back end for good, queues `texts` (each made
/// `long`), and is killed (SIGKILL, no goodbye).
fn queued_then_killed(b: &Backend, dir: &Path, texts: &[&str]) {
    let d = Daemon::start_in(dir, &[]);
    let mut c = d.client();
    let tid = connected_then_cut_off(&mut c, b);
    for text in texts {
        let m = c.ok("thread.send", json!({"threadId": tid, "text": long(text)}));
        assert_eq!(m["status"], "queued", "{text}");
    }
}

/// Subscribes, then asks for the run's events from its first: what a restarted daemon said
/// before this client connected (a salvage's report) is read too.
fn subscribe_from_the_start(c: &mut Client) {
    let epoch = c.subscribe()["epoch"].clone();
    c.ok(
        "events.subscribe",
        json!({"since": {"epoch": epoch, "seq": 0}}),
    );
}

/// A text long enough that its row fills a database page of its own.
fn long(text: &str) -> String {
    format!("{text}-{}", "x".repeat(3000))
}

#[test]
fn a_damaged_database_delivers_what_it_still_holds_and_says_what_was_lost() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    queued_then_killed(&b, dir.path(), &["q1", "q2", "q3-MARK"]);
    // The log folded into the file (as a clean stop does), then a disk fault garbles the page
    // holding the third message.
    crate::common::checkpoint(&dir.path().join("state"));
    let path = dir.path().join("state/state.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(7)
        .position(|w| w == b"q3-MARK")
        .expect("the third message is in the file");
    let page = at / 4096 * 4096;
    bytes[page..page + 4096].fill(0xAB);
    std::fs::write(&path, &bytes).unwrap();

    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    // The restarted daemon resumes the session by itself (it has queued messages); the host
    // reads the run's events from its start.
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    subscribe_from_the_start(&mut c);
    let e = c.wait_event("the damage reported", |e| e["kind"] == "error");
    let error = &e["data"]["error"];
    assert_eq!(error["code"], -32012, "{e}");
    let detail = error["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("2 queued message(s) of this session were read back")
            && detail.contains("1 could not be read")
            && detail.contains("state.db.corrupt-"),
        "what was kept, what was lost, where the file is: {detail}"
    );
    for text in ["q1", "q2"] {
        let answer = format!("You said: {}", long(text));
        c.wait_event("a salvaged message answered", move |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == answer
        });
    }
    assert_eq!(
        b.sent_texts(),
        ["first".to_owned(), long("q1"), long("q2")],
        "each once, in order"
    );
    let aside: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("state.db.corrupt-") && !name.ends_with("-wal")
        })
        .collect();
    assert_eq!(
        aside.len(),
        1,
        "the damaged file is kept for a person to look at"
    );
}

/// The two numbers of a damage report's detail: messages read back, messages lost.
fn kept_and_lost(detail: &str) -> (usize, usize) {
    let number_before = |marker: &str| -> usize {
        let head = &detail[..detail
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} in {detail}"))];
        let digits: String = head
            .chars()
            .rev()
            .skip_while(|c| c.is_whitespace())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    (
        number_before(" queued message(s) of this session were read back"),
        number_before(" could not be read"),
    )
}

#[test]
fn a_truncated_garbled_or_emptied_database_is_set_aside_loudly_and_nothing_is_lost_silently() {
    // Damage of the whole file, not of one page: cut in half (a copy or a disk that stopped
    // short), its first page overwritten (the header gone), emptied (a zero-length write).
    for kind in ["truncated", "header", "emptied"] {
        let b = Backend::start(EmulatorConfig::default());
        let dir = tempfile::tempdir().unwrap();
        queued_then_killed(&b, dir.path(), &["q1", "q2"]);
        crate::common::checkpoint(&dir.path().join("state"));
        let path = dir.path().join("state/state.db");
        let mut bytes = std::fs::read(&path).unwrap();
        match kind {
            "truncated" => bytes.truncate(bytes.len() / 2 / 4096 * 4096 + 100),
            "header" => bytes[..4096].fill(0x5A),
            _ => bytes.clear(),
        }
        std::fs::write(&path, &bytes).unwrap();

        b.admin_post("faults", json!({"refuseAuthorizations": 0}));
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        subscribe_from_the_start(&mut c);
        // The session comes back by itself when its record survived; otherwise the host
        // prepares it again.
        if c.call("session.state", json!({})).get("error").is_some() {
            prepare(&mut c, &b);
            c.ok("session.connect", json!({}));
        }
        let e = c.wait_event_for("the damage reported", Duration::from_secs(30), |e| {
            e["kind"] == "error" && e["data"]["error"]["code"] == -32012
        });
        let detail = e["data"]["error"]["data"]["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains("state.db.corrupt-"), "{kind}: {detail}");
        let (kept, lost) = kept_and_lost(&detail);
        // What was read back is delivered once; what was not is counted, never silently gone
        // (an emptied file holds nothing left to count, and says so).
        let delivered = |b: &Backend| {
            b.sent_texts()
                .iter()
                .filter(|t| **t == long("q1") || **t == long("q2"))
                .count()
        };
        wait_until("the salvaged messages delivered", || delivered(&b) >= kept);
        assert_eq!(delivered(&b), kept, "{kind}: each once: {detail}");
        if detail.contains("more may have been lost than counted") {
            // The damage hid part of the outbox: the host is told the count is a floor.
            assert!(kept + lost <= 2, "{kind}: {detail}");
        } else {
            assert_eq!(
                kept + lost,
                2,
                "{kind}: every message accounted for: {detail}"
            );
        }
        if kind == "emptied" {
            assert!(
                detail.contains("empty") && detail.contains("more may have been lost"),
                "{kind}: nothing left to count, and said so: {detail}"
            );
        }
        assert!(
            !detail.contains("restart the daemon"),
            "{kind}: no advice already followed: {detail}"
        );
        // The daemon carries on with a fresh database (in the recovered conversation, or a new
        // one when the back end's was not recovered).
        let created = c.call("threads.create", json!({}));
        let tid = match created.get("result") {
            Some(t) => t["id"].clone(),
            None => c.ok("threads.list", json!({}))["threads"][0]["id"].clone(),
        };
        c.ok("thread.send", json!({"threadId": tid, "text": "after"}));
        c.wait_event(
            "the chat goes on",
            kind_with("message.created", "/message/text", json!("You said: after")),
        );
    }
}

/// A small tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Self {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .expect("mount(8)");
        assert!(
            out.status.success(),
            "mounting a tmpfs needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(at.to_owned())
    }

    /// Fills it up; returns the filler to remove to free the space again.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.0.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_full_disk_refuses_what_it_cannot_keep_and_never_resends_what_was_delivered() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(&dir.path().join("state"), "1m");
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    let tid = connected_then_cut_off(&mut c, &b);
    for text in ["kept-1", "kept-2"] {
        assert_eq!(
            c.ok("thread.send", json!({"threadId": tid, "text": text}))["status"],
            "queued"
        );
    }

    // The disk fills up: a message that cannot be kept safe is refused, with what to do.
    let filler = disk.fill();
    let err = c.err("thread.send", json!({"threadId": tid, "text": "no room"}));
    assert_eq!(err["code"], -32010, "{err}");
    assert_eq!(err["data"]["retryable"], true, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("Free space"),
        "{err}"
    );
    c.wait_event("the refused message marked failed", |e| {
        e["kind"] == "message.updated"
            && e["data"]["message"]["text"] == "no room"
            && e["data"]["message"]["status"] == "failed"
    });

    // The back end comes back while the disk is still full: the queued messages go out and are
    // acknowledged, but their removal cannot be written.
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    c.wait_event("connection.restored", |e| {
        e["kind"] == "connection.restored"
    });
    wait_until("both delivered", || {
        b.sent_texts()
            .iter()
            .filter(|t| t.starts_with("kept-"))
            .count()
            == 2
    });
    // Another drop and reconnect: nothing is sent twice.
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.restored again", |e| {
        e["kind"] == "connection.restored"
    });
    std::thread::sleep(Duration::from_millis(500));
    let sent = b.sent_texts();
    assert_eq!(
        sent.iter().filter(|t| t.starts_with("kept-")).count(),
        2,
        "delivered once: {sent:?}"
    );
    assert!(!sent.iter().any(|t| t == "no room"), "{sent:?}");

    // Space again: the next flush writes the removal, and the outbox is empty on disk.
    std::fs::remove_file(filler).unwrap();
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.restored a third time", |e| {
        e["kind"] == "connection.restored"
    });
    let state = dir.path().join("state");
    wait_until("the outbox emptied on disk", || {
        crate::common::stored_queue(&state, "default") == 0
    });
    drop(c);
    drop(d);
}

#[test]
fn a_read_only_state_directory_is_named_as_such_and_the_daemon_carries_on() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(&dir.path().join("state"), "4m");
    {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        connected_then_cut_off(&mut c, &b);
    }
    // Root ignores permission bits: only a read-only file system stops it.
    let out = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    let err = c.err(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    assert_eq!(err["code"], -32011, "{err}");
    assert_eq!(err["data"]["retryable"], true, "{err}");
    assert!(
        err["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("Read-only"),
        "{err}"
    );
    // The daemon carries on: its other calls and a session elsewhere still work.
    c.ok("daemon.status", json!({}));
}

/// Nanoseconds of the clock: enough spread for kill points that differ from run to run (the
/// round and the point are printed, so a failure can be told apart).
fn jitter(max_ms: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    u64::from(nanos) % max_ms.max(1)
}

#[test]
fn sigkill_in_the_middle_of_a_queued_batch_loses_and_doubles_nothing() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut accepted_all: Vec<String> = Vec::new();
    for round in 0..3 {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        if round == 0 {
            connected_then_cut_off(&mut c, &b);
        } else {
            // The restarted daemon resumed the session by itself (it had queued messages):
            // the back end refuses it again, so new sends queue too.
            b.admin_post("faults", json!({"refuseAuthorizations": 100_000}));
            b.admin_post("faults/drop-sockets", json!({}));
        }
        let tid = c.ok("threads.list", json!({}))["threads"][0]["id"].clone();
        let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sender = {
            let accepted = accepted.clone();
            let mut c = d.client();
            let tid = tid.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    let text = format!("r{round}-m{i:03}");
                    // The daemon dies under this loop: the read that fails ends the thread.
                    let r = c.call("thread.send", json!({"threadId": tid, "text": text}));
                    if r["result"]["status"] == "queued" {
                        accepted.lock().unwrap().push(text);
                    }
                }
            })
        };
        let kill_at = 20 + jitter(200);
        std::thread::sleep(Duration::from_millis(kill_at));
        drop(c);
        drop(d); // SIGKILL
        let _ = sender.join();
        let accepted = accepted.lock().unwrap().clone();
        eprintln!(
            "round {round}: killed after {kill_at} ms, {} accepted",
            accepted.len()
        );
        accepted_all.extend(accepted);
    }
    // The back end is back; a restarted daemon delivers what was accepted.
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    let d = Daemon::start_in(dir.path(), &[]);
    let _c = d.client();
    wait_until("every accepted message delivered", || {
        let sent = b.sent_texts();
        accepted_all.iter().all(|a| sent.contains(a))
    });
    std::thread::sleep(Duration::from_millis(500));
    let sent: Vec<String> = b
        .sent_texts()
        .into_iter()
        .filter(|t| t.starts_with('r'))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let doubled: Vec<&String> = sent.iter().filter(|t| !seen.insert(*t)).collect();
    assert!(doubled.is_empty(), "sent twice: {doubled:?}");
    let order: Vec<&String> = sent.iter().filter(|t| accepted_all.contains(t)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "in the order they were accepted");
}
