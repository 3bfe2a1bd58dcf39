//! Threads survive a restart (issue #13): the store keeps the threads a session knows, with
//! their names, unread state and newest messages, so a restarted daemon shows them as they were
//! while the back end refuses the session, and a send to one is queued, never refused as
//! `unknownThread`, and delivered once the back end takes the session again. Threads the recovery does not
//! confirm are dropped again, and another customer never sees the last one's threads.

use crate::common::{Backend, Client, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn prepare(c: &mut Client, b: &Backend, customer: &str) {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_multi",
            "customer": {"id": customer}}),
    );
}

fn ids(list: &Value) -> Vec<String> {
    list["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_restarted_daemon_knows_its_threads_before_the_back_end_answers() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (tid, local_only) = {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c, &b, "ada");
        c.ok("session.connect", json!({}));
        let tid = c.ok("threads.create", json!({"name": "Parcel"}))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": "where is it?"}),
        );
        c.wait_event("the answer", |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == "You said: where is it?"
        });
        // Created here and never sent: the back end never hears of it.
        let local_only = c.ok("threads.create", json!({}))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (tid, local_only)
    };

    // The back end refuses the session after the restart.
    b.admin_post("faults", json!({"refuseAuthorizations": 1000}));
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "ada");
    let known = ids(&c.ok("threads.list", json!({})));
    assert!(known.contains(&tid), "{known:?}");
    assert!(c.call("session.connect", json!({})).get("error").is_some());
    // The host asked to be connected: a send to a known thread is queued, never refused.
    let queued = c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "still there?"}),
    );
    assert_eq!(queued["status"], "queued", "{queued}");
    assert_eq!(
        crate::common::stored_queue(&dir.path().join("state"), "default"),
        1,
        "in the outbox before the answer"
    );

    // The back end is back: the daemon, which kept trying once a message waited, delivers it
    // without the host's help, once; the thread the back end never had is dropped.
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    c.wait_event_for(
        "the answer after the restart",
        std::time::Duration::from_secs(30),
        |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == "You said: still there?"
        },
    );
    assert_eq!(c.ok("session.state", json!({}))["state"], "ready");
    assert_eq!(
        b.sent_texts()
            .iter()
            .filter(|t| *t == "still there?")
            .count(),
        1,
        "delivered once"
    );
    let known = ids(&c.ok("threads.list", json!({})));
    assert!(
        known.contains(&tid) && !known.contains(&local_only),
        "{known:?}"
    );
    drop(c);
    drop(d);

    // Another customer on the same kiosk: none of Ada's threads, not even before connecting.
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    prepare(&mut c, &b, "bob");
    assert_eq!(ids(&c.ok("threads.list", json!({}))), Vec::<String>::new());
    // Connected, Bob's identity is on disk (a connect waits for it)...
    c.ok("session.connect", json!({}));
    drop(c);
    drop(d);
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    prepare(&mut c, &b, "ada");
    assert_eq!(
        ids(&c.ok("threads.list", json!({}))),
        Vec::<String>::new(),
        "...and with it Ada's threads were forgotten on disk"
    );
}

#[test]
fn a_thread_created_after_a_restart_shows_the_kept_welcome_before_the_back_end_sends_it() {
    // The back end pushes its welcome 3 s after each authorization: time enough to see whether
    // a restarted daemon shows the template it kept before the push.
    let mut config = EmulatorConfig::default();
    let channel = config
        .brands
        .get_mut(&1000)
        .unwrap()
        .channels
        .get_mut("chat_multi")
        .unwrap();
    channel.agent.welcome = Some("Hello {{customer.firstName|there}}, how can we help?".into());
    channel.agent.welcome_after_ms = 3_000;
    let b = Backend::start(config);
    let dir = tempfile::tempdir().unwrap();
    {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c, &b, "ada");
        c.ok("session.connect", json!({}));
        c.wait_event("the welcome template", |e| e["kind"] == "proactive.action");
        // Kept off the call's path: wait until the record has it.
        let state = dir.path().join("state");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !crate::common::stored_record(&state, "default")
            .is_some_and(|r| r.contains("how can we help"))
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the welcome never reached the store"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "ada");
    c.ok("session.connect", json!({}));
    c.ok("threads.create", json!({}));
    let shown = c.wait_event("the welcome in the new thread", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert!(
        !c.events.iter().any(|e| e["kind"] == "proactive.action"),
        "shown from the kept template, before the back end pushed its own: {:?}",
        c.events
    );
    assert_eq!(
        shown["data"]["message"]["text"],
        "Hello there, how can we help?"
    );
}

/// Every stored message of `session`: (thread, message id, stored status).
fn stored_messages(state: &std::path::Path, session: &str) -> Vec<(String, String, String)> {
    let Ok(db) = rusqlite::Connection::open_with_flags(
        state.join("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return Vec::new();
    };
    let Ok(mut s) = db.prepare(
        "SELECT thread_id, message_id, record FROM messages WHERE session = ?1 ORDER BY 1, 2",
    ) else {
        return Vec::new();
    };
    s.query_map([session], |r| {
        let record: String = r.get(2)?;
        let record: Value = serde_json::from_str(&record).unwrap();
        Ok((
            r.get(0)?,
            r.get(1)?,
            record["status"].as_str().unwrap_or_default().to_owned(),
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn thread<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {list}"))
}

#[test]
fn a_restarted_daemon_shows_each_threads_messages_and_unread_count_while_the_back_end_refuses_it() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let (parcel, refund, list, shown) = {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c, &b, "ada");
        c.ok("session.connect", json!({}));
        let ask = |c: &mut Client, name: &str, text: &str| {
            let tid = c.ok("threads.create", json!({"name": name}))["id"]
                .as_str()
                .unwrap()
                .to_owned();
            c.ok("thread.send", json!({"threadId": tid, "text": text}));
            let answer = format!("You said: {text}");
            c.wait_event("the answer", |e| {
                e["kind"] == "message.created" && e["data"]["message"]["text"] == answer.as_str()
            });
            tid
        };
        let parcel = ask(&mut c, "Parcel", "where is it?");
        let refund = ask(&mut c, "Refund", "money back?");
        c.ok("thread.markRead", json!({"threadId": refund}));
        let list = c.ok("threads.list", json!({}));
        assert_eq!(thread(&list, &parcel)["unreadCount"], 1, "{list}");
        assert_eq!(thread(&list, &refund)["unreadCount"], 0, "{list}");
        let shown: Vec<Value> = [&parcel, &refund]
            .iter()
            .map(|t| c.ok("threads.get", json!({"threadId": t})))
            .collect();
        // Written off the calls' path: wait until the store has every message as shown, then
        // kill the daemon (SIGKILL, no goodbye).
        let expected: Vec<(String, String, String)> = {
            let mut v: Vec<_> = shown
                .iter()
                .flat_map(|s| {
                    let tid = s["thread"]["id"].as_str().unwrap().to_owned();
                    s["messages"].as_array().unwrap().iter().map(move |m| {
                        (
                            tid.clone(),
                            m["id"].as_str().unwrap().to_owned(),
                            m["status"].as_str().unwrap().to_owned(),
                        )
                    })
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(expected.len(), 4, "{shown:?}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while stored_messages(&state, "default") != expected {
            assert!(
                std::time::Instant::now() < deadline,
                "the store never had {expected:?}: {:?}",
                stored_messages(&state, "default")
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        (parcel, refund, list, shown)
    };

    b.admin_post("faults", json!({"refuseAuthorizations": 1000}));
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    prepare(&mut c, &b, "ada");
    let again = c.ok("threads.list", json!({}));
    for tid in [&parcel, &refund] {
        assert_eq!(
            thread(&again, tid),
            thread(&list, tid),
            "the thread as it was: name, state, unread count, last message"
        );
    }
    for before in &shown {
        let now = c.ok("threads.get", json!({"threadId": before["thread"]["id"]}));
        assert_eq!(
            now["messages"], before["messages"],
            "every message as it was: text, author, direction, status, time"
        );
    }
    assert!(c.call("session.connect", json!({})).get("error").is_some());

    // Once the back end answers, its view and the kept one agree.
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let live = c.ok("threads.list", json!({}));
    assert_eq!(thread(&live, &parcel)["unreadCount"], 1, "{live}");
    assert_eq!(thread(&live, &refund)["unreadCount"], 0, "{live}");
    assert_eq!(thread(&live, &parcel)["name"], "Parcel", "{live}");
}
