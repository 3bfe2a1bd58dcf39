//! End-to-end flows: the real daemon binary over its real socket, talking to the real emulator
//! over HTTP and WebSocket on 127.0.0.1. Each test checks what the client sees and what the
//! emulator received.

use crate::common::{Backend, Daemon, kind_with};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn prepare(c: &mut crate::common::Client, b: &Backend, channel: &str) -> Value {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": channel,
        "customer": {"id": format!("ada-{channel}"), "firstName": "Ada", "lastName": "Lovelace"}}),
    )
}

/// Subscribes, prepares and connects `chat_single`, sends "first" in a new thread and waits for
/// the agent's answer; returns the thread's id.
fn chat_until_the_first_answer(c: &mut crate::common::Client, b: &Backend) -> String {
    c.subscribe();
    prepare(c, b, "chat_single");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "first"}));
    c.wait_event("the agent's first answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: first"
    });
    tid
}

#[test]
fn app_becomes_active_prepares_the_session_with_rest_only() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let state = prepare(&mut c, &b, "chat_single");
    assert_eq!(
        (state["state"].as_str(), state["mode"].as_str()),
        (Some("prepared"), Some("singlethread"))
    );
    assert_eq!(state["connection"], "disconnected");
    assert_eq!(state["channel"]["authentication"], "anonymous");
    c.wait_event(
        "preparing",
        kind_with("chat.stateChanged", "/state", json!("preparing")),
    );
    c.wait_event(
        "prepared",
        kind_with("chat.stateChanged", "/state", json!("prepared")),
    );
    let kinds = b.received_kinds();
    assert!(
        kinds.contains(&"GET /chat/1.0/brand/1000/channel/chat_single".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("PUT /web-analytics/1.0/tenants/1000/visitors/")),
        "{kinds:?}"
    );
    assert!(
        !kinds.iter().any(|k| k == "AuthorizeCustomer"),
        "prepare opens no socket"
    );
}

#[test]
fn single_thread_chat_with_the_agent_then_reconnect_and_recover() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    let connected = c.ok("session.connect", json!({}));
    assert_eq!(
        (
            connected["state"].as_str(),
            connected["connection"].as_str()
        ),
        (Some("ready"), Some("connected"))
    );
    assert_eq!(b.count("AuthorizeCustomer"), 1);
    assert_eq!(b.count("RecoverThread"), 1, "no thread yet is normal");

    let thread = c.ok("threads.create", json!({"name": "Order 17"}));
    assert_eq!(thread["state"], "pending");
    let tid = thread["id"].as_str().unwrap().to_owned();
    let sent = c.ok("thread.send", json!({"threadId": tid, "text": "hello"}));
    assert_eq!(sent["direction"], "inbound");
    // Acknowledged at least; the echo may have made it delivered (or read) already.
    assert!(
        ["sent", "delivered", "read"].contains(&sent["status"].as_str().unwrap()),
        "{sent}"
    );
    let mid = sent["id"].clone();
    c.wait_event("queued", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["id"] == mid
    });
    let reply = c.wait_event("the agent's answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert_eq!(reply["data"]["message"]["text"], "You said: hello");
    assert_eq!(reply["data"]["message"]["author"]["type"], "agent");
    c.wait_event(
        "typing",
        kind_with("agent.typing", "/isTyping", json!(true)),
    );
    assert_eq!(b.count("SendMessage"), 1, "sent exactly once");

    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(snap["thread"]["state"], "ready");
    assert_eq!(snap["thread"]["name"], "Order 17");
    assert!(
        snap["thread"]["contact"]["id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    let texts: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["hello", "You said: hello"]);

    // Background and foreground: drop the socket, come back, and recover from the server.
    assert_eq!(c.ok("session.disconnect", json!({}))["state"], "prepared");
    let again = c.ok("session.connect", json!({}));
    assert_eq!(again["state"], "ready");
    assert_eq!(b.count("RecoverThread"), 2);
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(
        snap["messages"].as_array().unwrap().len(),
        2,
        "recovered, not duplicated"
    );
}

#[test]
fn multi_thread_lists_threads_and_loads_their_metadata() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_multi");
    c.ok("session.connect", json!({}));
    c.subscribe();
    let mut ids = Vec::new();
    for (name, text) in [("Billing", "invoice?"), ("Delivery", "where is it?")] {
        let t = c.ok("threads.create", json!({"name": name}));
        let id = t["id"].as_str().unwrap().to_owned();
        let sent = c.ok("thread.send", json!({"threadId": id, "text": text}));
        // A send made while the outbox is being flushed (as it is just after connecting) is
        // queued behind it and answered `queued`: the back end has it only once it went out,
        // and this daemon's state is not kept for the next one.
        if sent["status"] == "queued" {
            let message = sent["id"].clone();
            c.wait_event("the queued message sent", |e| {
                e["kind"] == "message.updated"
                    && e["data"]["message"]["id"] == message
                    && e["data"]["message"]["status"] != "queued"
            });
        }
        ids.push(id);
    }
    c.ok("session.disconnect", json!({}));
    // A fresh daemon knows nothing but the customer: everything else comes from the back end.
    drop(d);
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_multi");
    c.ok("session.connect", json!({}));
    assert_eq!(b.count("FetchThreadList"), 2);
    assert!(
        b.count("LoadThreadMetadata") >= 2,
        "{:?}",
        b.received_kinds()
    );
    let list = c.ok("threads.list", json!({}));
    let threads = list["threads"].as_array().unwrap();
    let mut names: Vec<&str> = threads
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Billing", "Delivery"]);
    assert!(
        threads.iter().all(|t| t["lastMessage"].is_object()),
        "metadata loaded: {threads:#?}"
    );
}

#[test]
fn live_chat_offline_then_queue_and_assignment() {
    let mut config = EmulatorConfig::default();
    let mut offline = config.channel(1000, "chat_live").unwrap().clone();
    offline.online = false;
    config
        .brands
        .get_mut(&1000)
        .unwrap()
        .channels
        .insert("chat_live_off".into(), offline);
    let b = Backend::start(config);
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_live_off");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    assert_eq!(b.count("AuthorizeCustomer"), 0, "no socket while offline");

    let mut live = d.client();
    live.subscribe();
    live.ok("session.prepare", json!({"session": "live", "environment": b.environment(), "brandId": 1000, "channelId": "chat_live"}));
    assert_eq!(
        live.ok("session.connect", json!({"session": "live"}))["state"],
        "ready"
    );
    let t = live.ok("threads.create", json!({"session": "live"}));
    live.ok(
        "thread.send",
        json!({"session": "live", "threadId": t["id"], "text": "I need help"}),
    );
    for position in [3, 2, 1] {
        live.wait_event(
            "queue position",
            kind_with("queue.position", "/position", json!(position)),
        );
    }
    let assigned = live.wait_event("assignment", |e| e["kind"] == "agent.assigned");
    assert_eq!(assigned["session"], "live");
    assert_eq!(assigned["data"]["agent"]["firstName"], "Alex");
}

#[test]
fn secured_sessions_connect_with_a_transaction_token_and_no_authorize() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_secure");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let kinds = b.received_kinds();
    assert!(kinds.iter().any(|k| k == "POST /oauth/token"), "{kinds:?}");
    assert_eq!(b.count("AuthorizeCustomer"), 0);
    assert_eq!(b.count("RecoverThread"), 1);
}

#[test]
fn a_closed_contact_keeps_a_messaging_thread_and_the_next_message_opens_a_new_contact() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "bye"}));
    let first = c.wait_event("the first contact", |e| {
        e["kind"] == "thread.updated" && e["data"]["thread"]["contact"]["id"].is_string()
    })["data"]["thread"]["contact"]["id"]
        .clone();
    b.admin_post(
        "agent/case-status",
        json!({"threadId": tid, "status": "closed"}),
    );
    c.wait_event(
        "closed",
        kind_with("contact.status", "/status", json!("closed")),
    );
    // One thread per customer: it stays, and the conversation goes on in a new contact.
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(snap["thread"]["state"], "ready", "{snap}");
    assert_eq!(snap["thread"]["contact"]["status"], "closed");
    assert_eq!(
        c.err("threads.create", json!({}))["code"],
        3005,
        "single-thread (unsupportedInMode): the open thread is the one to use"
    );
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "one more thing"}),
    );
    c.wait_event("the answer in the new contact", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: one more thing"
    });
    let contacts: Vec<Value> = b
        .admin_get("threads")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["threadId"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(&tid))
        })
        .map(|t| t["contact"]["id"].clone())
        .collect();
    assert_eq!(contacts.len(), 1);
    assert_ne!(contacts[0], first, "the back end opened a new contact");
}

#[test]
fn bad_calls_get_specific_errors_and_the_daemon_carries_on() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    assert_eq!(
        c.err("session.connect", json!({"session": "nope"}))["code"],
        3000
    );
    let bad_env = c.err(
        "session.prepare",
        json!({"environment": "MARS1", "brandId": 1000, "channelId": "chat_single"}),
    );
    assert_eq!(bad_env["code"], -32602);
    let unknown_channel = c.err("session.prepare", json!({"session": "x", "environment": b.environment(), "brandId": 1000, "channelId": "chat_nope"}));
    assert_eq!(unknown_channel["code"], 2003, "{unknown_channel}");
    prepare(&mut c, &b, "chat_single");
    assert_eq!(
        c.err("threads.create", json!({}))["code"],
        3002,
        "not connected yet"
    );
    c.ok("session.connect", json!({}));
    let unknown_thread = c.err(
        "thread.send",
        json!({"threadId": "3118d0df-99aa-49e9-a115-c5b98736dee7", "text": "x"}),
    );
    assert_eq!(unknown_thread["code"], 3100);
    let t = c.ok("threads.create", json!({}));
    let empty = c.err("thread.send", json!({"threadId": t["id"], "text": "  "}));
    assert_eq!(
        (empty["code"].as_i64(), empty["data"]["field"].as_str()),
        (Some(3008), Some("text"))
    );
    assert_eq!(
        c.err("threads.create", json!({}))["code"],
        3005,
        "one open thread in single-thread mode"
    );
    let typo = c.err("thread.send", json!({"threadId": t["id"], "txt": "x"}));
    assert_eq!(
        (typo["code"].as_i64(), typo["data"]["field"].as_str()),
        (Some(-32602), Some("txt"))
    );
    assert_eq!(
        c.ok("session.state", json!({}))["state"],
        "ready",
        "nothing broke"
    );
}

#[test]
fn a_dropped_connection_reconnects_recovers_and_delivers_what_was_queued_exactly_once() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    let tid = chat_until_the_first_answer(&mut c, &b);

    // The next three authorizations fail, so the daemon stays in its reconnect loop for a
    // few backoff rounds: long enough to accept a message while offline.
    b.admin_post("faults", json!({"refuseAuthorizations": 3}));
    b.admin_post("faults/drop-sockets", json!({}));
    let lost = c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    assert_eq!(lost["data"]["reconnecting"], true);
    assert!(lost["data"]["retryInMs"].as_u64().is_some());
    let queued = c.ok("thread.send", json!({"threadId": tid, "text": "while away", "clientMessageId": "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"}));
    assert_eq!(queued["status"], "queued");
    let status = c.ok("daemon.status", json!({}));
    assert_eq!(
        status["sessions"][0]["queuedEvents"], 1,
        "daemon.status counts the outbox: {status}"
    );
    assert_eq!(
        c.err("threads.create", json!({}))["code"],
        3002,
        "other calls say not connected meanwhile"
    );

    let restored = c.wait_event("connection.restored", |e| {
        e["kind"] == "connection.restored"
    });
    assert!(
        restored["data"]["attempts"].as_u64().unwrap() >= 3,
        "{restored}"
    );
    c.wait_event("the queued message acknowledged", |e| {
        e["kind"] == "message.updated"
            && e["data"]["message"]["id"] == "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"
            && e["data"]["message"]["status"] != "queued"
    });
    c.wait_event("the agent's second answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: while away"
    });
    assert_eq!(c.ok("session.state", json!({}))["state"], "ready");
    assert_eq!(
        c.ok("daemon.status", json!({}))["sessions"][0]["queuedEvents"],
        0,
        "the outbox is empty once the back end acknowledged the message"
    );
    let sends: Vec<Value> = b
        .admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .clone();
    let copies = sends
        .iter()
        .filter(|r| {
            r["body"]["payload"]["data"]["idOnExternalPlatform"]
                == "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"
        })
        .count();
    assert_eq!(
        copies, 1,
        "the queued message reached the back end exactly once"
    );
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    let texts: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "first",
            "You said: first",
            "while away",
            "You said: while away"
        ]
    );
}

#[test]
fn an_explicit_disconnect_does_not_reconnect() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    assert_eq!(
        c.ok("session.disconnect", json!({}))["connection"],
        "disconnected"
    );
    let t = c.err(
        "thread.send",
        json!({"threadId": "3118d0df-99aa-49e9-a115-c5b98736dee7", "text": "x"}),
    );
    assert_eq!(t["code"], 3002, "not queued: the host chose to be offline");
    assert_eq!(b.count("AuthorizeCustomer"), 1);
}

#[test]
fn a_thread_the_back_end_does_not_know_yet_loads_as_the_daemon_holds_it() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_multi");
    c.ok("session.connect", json!({}));
    // Created here; the server hears of it with its first message.
    let tid = c.ok("threads.create", json!({"name": "Not sent yet"}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let loaded = c.ok("threads.load", json!({"threadId": tid.to_uppercase()}));
    assert_eq!(loaded["thread"]["id"], tid.as_str(), "{loaded}");
    assert_eq!(loaded["thread"]["state"], "pending", "{loaded}");
    assert_eq!(b.count("RecoverThread"), 1, "the back end was asked");
    // Neither knows this one.
    assert_eq!(
        c.ok(
            "threads.load",
            json!({"threadId": "7a0c5bbe-af0c-47aa-986d-499eb6064811"})
        ),
        json!(null)
    );
}

fn analytics_types(b: &Backend) -> Vec<(String, String)> {
    b.admin_get("received?transport=rest")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"].as_str().unwrap().ends_with("/events"))
        .map(|r| {
            (
                r["body"]["type"].as_str().unwrap().to_owned(),
                r["body"]["visitId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn page_views_visits_and_other_analytics_reach_the_analytics_endpoint_in_order() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok(
        "analytics.pageView",
        json!({"title": "Home", "url": "app://home"}),
    );
    c.ok(
        "analytics.pageView",
        json!({"title": "Home", "url": "app://home"}),
    );
    c.ok(
        "analytics.pageView",
        json!({"title": "Cart", "url": "app://cart"}),
    );
    c.ok(
        "analytics.pageViewEnded",
        json!({"title": "Cart", "url": "app://cart"}),
    );
    c.ok("analytics.chatWindowOpen", json!({}));
    c.ok(
        "analytics.conversion",
        json!({"conversionType": "purchase", "conversionValue": 42.5}),
    );
    c.ok("analytics.proactiveAction", json!({"actionId": "a1", "actionName": "Offer", "actionType": "welcomeMessage", "outcome": "clicked"}));
    let sent = analytics_types(&b);
    let types: Vec<&str> = sent.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "VisitorVisit",
            "PageView",
            "TimeSpentOnPage",
            "PageView",
            "TimeSpentOnPage",
            "ChatWindowOpened",
            "Conversion",
            "ProactiveActionClicked"
        ],
        "a repeated page view is not sent twice"
    );
    assert!(
        sent.iter().all(|(_, v)| *v == sent[0].1),
        "one visit: {sent:?}"
    );
    let bad = c.err(
        "analytics.conversion",
        json!({"conversionType": "x", "conversionValue": 1, "time": "yesterday"}),
    );
    assert_eq!(
        (bad["code"].as_i64(), bad["data"]["field"].as_str()),
        (Some(3008), Some("time"))
    );
    assert_eq!(
        c.err(
            "analytics.pageView",
            json!({"session": "other", "title": "a", "url": "b"})
        )["code"],
        3000
    );
}

#[test]
fn background_ends_the_page_and_drops_the_socket_foreground_comes_back() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    c.ok(
        "analytics.pageView",
        json!({"title": "Chat", "url": "app://chat"}),
    );
    let bg = c.ok("app.background", json!({"disconnect": true}));
    assert_eq!(
        (bg["state"].as_str(), bg["connection"].as_str()),
        (Some("prepared"), Some("disconnected"))
    );
    assert_eq!(analytics_types(&b).last().unwrap().0, "TimeSpentOnPage");
    let fg = c.ok("app.foreground", json!({}));
    assert_eq!(
        (fg["state"].as_str(), fg["connection"].as_str()),
        (Some("ready"), Some("connected"))
    );
    // The page the background ended is viewed again, in the same visit.
    let events = analytics_types(&b);
    let (last, visit) = events.last().unwrap();
    assert_eq!(last, "PageView", "{events:?}");
    assert_eq!(visit, &events[0].1, "the visit goes on: {events:?}");
    assert_eq!(
        events.iter().filter(|(t, _)| t == "VisitorVisit").count(),
        1,
        "{events:?}"
    );
    assert_eq!(b.count("AuthorizeCustomer"), 2);
    assert_eq!(
        b.count("RecoverThread"),
        2,
        "state recovered after coming back"
    );
    // Without a background disconnect, foreground changes nothing.
    assert_eq!(c.ok("app.foreground", json!({}))["state"], "ready");
    assert_eq!(b.count("AuthorizeCustomer"), 2);
}

#[test]
fn the_configuration_decides_whether_the_background_drops_the_connection() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[lifecycle]\ndisconnect_in_background = true\n").unwrap();
    let d = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let bg = c.ok("app.background", json!({}));
    assert_eq!(bg["connection"], "disconnected", "configured: {bg}");
    assert_eq!(c.ok("app.foreground", json!({}))["connection"], "connected");
    // The call still decides when it says.
    let bg = c.ok("app.background", json!({"disconnect": false}));
    assert_eq!(bg["connection"], "connected", "{bg}");
}

#[test]
fn a_large_recovery_arrives_through_the_bucket_and_reads_as_if_it_had_not() {
    let b = Backend::start(EmulatorConfig {
        large_event_threshold: 16 * 1024,
        ..EmulatorConfig::default()
    });
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    for n in 0..6 {
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": format!("message {n}")}),
        );
        c.wait_event("the agent's answer", |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == format!("You said: message {n}")
        });
    }
    let before = c.ok("threads.get", json!({"threadId": tid}));
    drop(d);

    // A new daemon recovers the thread; the recovery is over the threshold.
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let kinds = b.received_kinds();
    assert!(
        kinds.iter().any(|k| k.starts_with("GET /s3/")),
        "the recovery went through the bucket: {kinds:?}"
    );
    let after = c.ok("threads.get", json!({"threadId": tid}));
    let texts = |s: &Value| {
        s["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&after), texts(&before));
    assert_eq!(after["messages"].as_array().unwrap().len(), 12);
}

#[test]
fn multi_thread_rename_archive_read_and_typing_reach_the_back_end() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_multi");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({"name": "Draft"}));
    let tid = t["id"].as_str().unwrap().to_owned();
    assert_eq!(
        c.ok("thread.rename", json!({"threadId": tid, "name": "Local"}))["name"],
        "Local",
        "pending: renamed locally"
    );
    assert_eq!(b.count("UpdateThread"), 0);
    c.ok("thread.send", json!({"threadId": tid, "text": "hi"}));
    c.wait_event("answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert_eq!(
        c.ok("thread.rename", json!({"threadId": tid, "name": "Returns"}))["name"],
        "Returns"
    );
    assert_eq!(b.count("UpdateThread"), 1);
    c.ok("thread.typing", json!({"threadId": tid, "isTyping": true}));
    // The web SDK's typing preview: what the customer has typed so far, for the agent.
    c.ok(
        "thread.typing",
        json!({"threadId": tid, "isTyping": true, "preview": "Where is my par"}),
    );
    assert_eq!(
        c.err(
            "thread.typing",
            json!({"threadId": tid, "isTyping": true, "preview": "x".repeat(10_001)})
        )["data"]["field"],
        "preview"
    );
    c.ok("thread.markRead", json!({"threadId": tid}));
    assert_eq!(
        c.ok("threads.get", json!({"threadId": tid}))["thread"]["unreadCount"],
        0
    );
    let archived = c.ok("thread.archive", json!({"threadId": tid}));
    assert_eq!(archived["state"], "closed");
    assert_eq!(
        c.err("thread.send", json!({"threadId": tid, "text": "x"}))["code"],
        3101
    );
    // Fire-and-forget events: wait until the emulator has them rather than racing them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while (b.count("SenderTypingStarted") < 2
        || b.count("SendMessagePreview") == 0
        || b.count("MessageSeenByCustomer") == 0)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        (
            b.count("SenderTypingStarted"),
            b.count("SendMessagePreview"),
            b.count("MessageSeenByCustomer"),
            b.count("ArchiveThread")
        ),
        (2, 1, 1, 1)
    );
    let preview = &b.admin_get("received?kind=SendMessagePreview")[0]["body"]["payload"]["data"];
    assert_eq!(
        preview["messageContent"],
        json!({"type": "TEXT", "payload": {"text": "Where is my par"}}),
        "as the web SDK sends it: {preview}"
    );
    assert_eq!(
        preview["thread"]["idOnExternalPlatform"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        tid.as_str()
    );
}

#[test]
fn live_chat_starts_with_a_hidden_begin_conversation_and_shows_the_welcome_message() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_live");
    c.ok("session.connect", json!({}));
    c.wait_event("the welcome message", |e| e["kind"] == "proactive.action");
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    let welcome = c.wait_event("welcome shown", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert_eq!(
        welcome["data"]["message"]["text"],
        "Hello Ada, how can we help you today?"
    );
    // The conversation started without a customer message: queue and agent follow.
    c.wait_event("queue", |e| e["kind"] == "queue.position");
    c.wait_event("assigned", |e| e["kind"] == "agent.assigned");
    let begin = b.admin_get("received?kind=SendMessage");
    assert_eq!(
        begin[0]["body"]["payload"]["data"]["messageContent"]["payload"]["text"],
        "Begin Conversation"
    );
    assert_eq!(
        begin[0]["body"]["payload"]["data"]["messageContent"]["parameters"]["isInitialMessage"],
        true
    );
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    let texts: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["Hello Ada, how can we help you today?"],
        "the hidden message is not shown"
    );
    c.ok("thread.send", json!({"threadId": tid, "text": "hi"}));
    let kinds = b.received_kinds();
    assert!(
        !kinds.contains(&"SendOutbound".to_owned()),
        "the thread already exists: no welcome resend"
    );
    // The agent reads everything, the hidden message too; its receipt must not show it.
    c.wait_event("hi read by the agent", |e| {
        e["kind"] == "message.updated"
            && e["data"]["message"]["text"] == "hi"
            && e["data"]["message"]["status"] == "read"
    });
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert!(
        snap["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["text"] != "Begin Conversation"),
        "{snap}"
    );
}

#[test]
fn live_chat_end_contact_then_transcript() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_live");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "help"}));
    c.wait_event("assigned", |e| e["kind"] == "agent.assigned");
    c.ok("thread.endContact", json!({"threadId": tid}));
    c.wait_event(
        "closed",
        kind_with("contact.status", "/status", json!("closed")),
    );
    // The chat follows its contact: closed, read-only until a new conversation begins.
    c.wait_event(
        "the chat closed",
        kind_with("chat.stateChanged", "/state", json!("closed")),
    );
    assert_eq!(c.ok("session.state", json!({}))["state"], "closed");
    assert_eq!(
        c.ok("threads.get", json!({"threadId": tid}))["thread"]["state"],
        "closed"
    );
    let over = c.err("thread.send", json!({"threadId": tid, "text": "more"}));
    assert_eq!(
        (over["code"].as_i64(), over["data"]["field"].as_str()),
        (Some(3101), Some("threadId")),
        "a live chat is over once its contact is closed"
    );
    let bad = c.err(
        "thread.sendTranscript",
        json!({"threadId": tid, "email": "nobody"}),
    );
    assert_eq!(
        (bad["code"].as_i64(), bad["data"]["field"].as_str()),
        (Some(3008), Some("email"))
    );
    c.ok(
        "thread.sendTranscript",
        json!({"threadId": tid, "email": "ada@example.com"}),
    );
    let threads = b.admin_get("threads");
    assert_eq!(
        threads[0]["contact"]["transcriptsSentTo"],
        json!(["ada@example.com"])
    );
    // A new conversation may start once the old one is closed.
    let next = c.ok("threads.create", json!({}));
    assert_ne!(next["id"], json!(tid));
    assert_ne!(next["state"], "closed", "a fresh live chat, already begun");
    assert_eq!(
        c.ok("session.state", json!({}))["state"],
        "ready",
        "a new conversation began"
    );
    c.wait_event(
        "the chat ready again",
        kind_with("chat.stateChanged", "/state", json!("ready")),
    );
}

#[test]
fn older_history_loads_page_by_page_until_there_is_none() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    for n in 0..15 {
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": format!("m{n}")}),
        );
        c.wait_event("answer", |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == format!("You said: m{n}")
        });
    }
    drop(d);
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(
        snap["messages"].as_array().unwrap().len(),
        25,
        "the newest page"
    );
    assert_eq!(snap["hasMoreMessages"], true);
    let more = c.ok("thread.loadMore", json!({"threadId": tid}));
    let texts: Vec<&str> = more["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["m0", "You said: m0", "m1", "You said: m1", "m2"]);
    assert_eq!(more["hasMoreMessages"], false);
    assert_eq!(
        c.ok("threads.get", json!({"threadId": tid}))["messages"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    assert_eq!(
        c.err("thread.loadMore", json!({"threadId": tid}))["code"],
        3103
    );
}

#[test]
fn older_history_of_a_live_chat_leaves_out_its_hidden_opener() {
    // Issue #11, item 8: the SDKs never show "Begin Conversation" (the hidden message that
    // starts a live chat); `thread.loadMore` returned it when it was on the older page.
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_live");
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    // 1 hidden opener + 13 × (message, answer) = 27: the newest page holds 25, the older one
    // the opener and "m0".
    for n in 0..13 {
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": format!("m{n}")}),
        );
        c.wait_event("answer", |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == format!("You said: m{n}")
        });
    }
    drop(d);
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_live");
    c.ok("session.connect", json!({}));
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(snap["hasMoreMessages"], true);
    let more = c.ok("thread.loadMore", json!({"threadId": tid}));
    let texts: Vec<&str> = more["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["m0"]);
    let all = c.ok("threads.get", json!({"threadId": tid}));
    assert!(
        all["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["text"] != "Begin Conversation"),
        "{all}"
    );
}

#[test]
fn the_pre_chat_survey_is_offered_required_and_sent_with_the_first_message() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_survey");
    let survey = c.ok("threads.preChatSurvey", json!({}));
    let fields = survey["fields"].as_array().unwrap();
    assert_eq!(
        (
            fields[0]["type"].as_str(),
            fields[0]["ident"].as_str(),
            fields[0]["required"].as_bool()
        ),
        (Some("email"), Some("email"), Some(true))
    );
    assert_eq!(fields[1]["options"][0]["id"], "sales");
    c.ok("session.connect", json!({}));
    let missing = c.err("threads.create", json!({}));
    assert_eq!(
        (missing["code"].as_i64(), missing["data"]["field"].as_str()),
        (Some(3104), Some("customFields.email"))
    );
    let t = c.ok(
        "threads.create",
        json!({"customFields": {"email": "ada@example.com", "department": "sales"}}),
    );
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "question"}),
    );
    c.wait_event("answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    let fields = &b.admin_get("threads")[0]["contact"]["customFields"];
    let idents: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["ident"].as_str().unwrap())
        .collect();
    assert_eq!(idents, ["department", "email"]);
}

#[test]
fn customer_fields_triggers_device_tokens_and_thread_loading() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    let me = c.ok("customer.get", json!({}));
    assert_eq!(
        (me["id"].as_str(), me["firstName"].as_str()),
        (Some("ada-chat_single"), Some("Ada"))
    );
    c.ok(
        "customer.setDeviceToken",
        json!({"deviceToken": "push-token-1"}),
    );
    let visitor_puts = b.admin_get("received?transport=rest");
    assert!(
        visitor_puts
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["body"]["browserFingerprint"]["deviceToken"] == "push-token-1"),
        "the device token reached the visitor registration"
    );
    c.ok("session.connect", json!({}));
    let set = c.ok(
        "customer.setCustomFields",
        json!({"customFields": {"tier": "gold"}}),
    );
    assert_eq!(set["customFields"][0]["value"], "gold");
    c.wait_event(
        "customFields.set",
        kind_with("customFields.set", "/scope", json!("customer")),
    );
    assert_eq!(
        c.err("customer.set", json!({"id": "someone-else"}))["code"],
        3003,
        "no new identity under an open connection"
    );

    c.ok("session.executeTrigger", json!({"triggerId": "t-42"}));
    let action = c.wait_event("proactive.action", |e| e["kind"] == "proactive.action");
    assert!(
        action["data"]["action"]["content"]["bodyText"]
            .as_str()
            .unwrap()
            .contains("t-42")
    );

    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "hello"}));
    // The agent's answer in this thread: the send may have queued behind the connection's
    // outbox flush, and the thread's welcome message is outbound too.
    c.wait_event("answer", |e| {
        e["kind"] == "message.created"
            && e["data"]["message"]["direction"] == "outbound"
            && e["data"]["message"]["threadId"] == tid.as_str()
            && e["data"]["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("hello"))
    });
    let loaded = c.ok("threads.load", json!({"threadId": tid.to_uppercase()}));
    assert_eq!(loaded["thread"]["id"], tid, "{loaded}");
    assert!(loaded["messages"].as_array().unwrap().len() >= 2);
    assert_eq!(
        c.ok(
            "threads.load",
            json!({"threadId": "7a0c5bbe-af0c-47aa-986d-499eb6064811"})
        ),
        Value::Null,
        "no such thread is an answer"
    );
    assert_eq!(b.count("SetCustomerCustomFields"), 1);
    assert_eq!(b.count("ExecuteTrigger"), 1);
}

#[test]
fn the_sandbox_gives_a_working_chat_with_no_account() {
    let d = Daemon::start_with(&["--sandbox"]);
    let mut c = d.client();
    c.subscribe();
    assert!(
        c.ok("daemon.info", json!({}))["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("sandbox"))
    );
    c.ok(
        "session.prepare",
        json!({"brandId": 1000, "channelId": "chat_single"}),
    );
    c.ok("session.connect", json!({}));
    let t = c.ok("threads.create", json!({}));
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "is anyone there?"}),
    );
    let reply = c.wait_event("the simulated agent", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert_eq!(
        reply["data"]["message"]["text"],
        "You said: is anyone there?"
    );

    let plain = Daemon::start();
    let err = plain.client().err(
        "session.prepare",
        json!({"brandId": 1000, "channelId": "chat_single"}),
    );
    assert_eq!(
        (err["code"].as_i64(), err["data"]["field"].as_str()),
        (Some(3008), Some("environment"))
    );
}

#[test]
fn a_killed_daemon_delivers_its_queued_messages_exactly_once_after_a_restart() {
    let b = Backend::start(EmulatorConfig::default());
    let state = tempfile::tempdir().unwrap();
    let mut first = Daemon::start_in(state.path(), &[]);
    let mut c = first.client();
    let tid = chat_until_the_first_answer(&mut c, &b);

    // The back end refuses the daemon for now: it keeps reconnecting, and accepts messages.
    b.admin_post("faults", json!({"refuseAuthorizations": 1000}));
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    let ids = [
        "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41",
        "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d",
    ];
    for (id, text) in ids.iter().zip(["queued one", "queued two"]) {
        let m = c.ok(
            "thread.send",
            json!({"threadId": tid, "text": text, "clientMessageId": id}),
        );
        assert_eq!(m["status"], "queued");
    }
    first.child.kill().unwrap(); // SIGKILL: no chance to flush anything
    first.child.wait().unwrap();
    drop(c);

    // A new daemon on the same state directory restores the session by itself, and keeps
    // trying while the back end still refuses it.
    let refused_before = b.count("AuthorizeCustomer");
    let second = Daemon::start_in(state.path(), &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while b.count("AuthorizeCustomer") < refused_before + 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the restored session did not keep trying"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let copies = |id: &str| {
        b.admin_get("received?kind=SendMessage")
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["body"]["payload"]["data"]["idOnExternalPlatform"] == id)
            .count()
    };
    while ids.iter().any(|id| copies(id) == 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the queued messages were not delivered after the restart"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(ids.map(copies), [1, 1], "each exactly once");

    // Same visitor and customer as before the crash.
    let puts: Vec<String> = b
        .received_kinds()
        .into_iter()
        .filter(|k| k.starts_with("PUT /web-analytics"))
        .collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert_eq!(puts[0], puts[1], "the visitor id was reused");
    let authorizations = b.admin_get("received?kind=AuthorizeCustomer");
    let who: Vec<&Value> = authorizations
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["body"]["payload"]["customerIdentity"]["idOnExternalPlatform"])
        .collect();
    assert!(
        who.iter().all(|w| **w == json!("ada-chat_single")),
        "{who:?}"
    );

    let mut c = second.client();
    assert_eq!(c.ok("session.state", json!({}))["state"], "ready");
    let server = b.admin_get("threads");
    let texts: Vec<&str> = server[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["messageContent"]["payload"]["text"].as_str())
        .collect();
    assert_eq!(texts.iter().filter(|t| **t == "queued one").count(), 1);
    assert_eq!(texts.iter().filter(|t| **t == "queued two").count(), 1);
    let order: Vec<usize> = ["queued one", "queued two"]
        .iter()
        .map(|q| texts.iter().position(|t| t == q).unwrap())
        .collect();
    assert!(
        order[0] < order[1],
        "in the order they were queued: {texts:?}"
    );
}

#[test]
fn a_new_messaging_thread_shows_the_welcome_and_sends_it_before_the_first_message() {
    let mut config = EmulatorConfig::default();
    config.brands.get_mut(&1000).unwrap().channels.get_mut("chat_single").unwrap().agent.welcome =
        Some("{{fallbackMessage|Welcome!}}Hi {{customer.firstName}}, we answer within {{customer.customFields.sla|a day}}.".into());
    let b = Backend::start(config);
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    c.wait_event("the welcome message", |e| e["kind"] == "proactive.action");
    let t = c.ok("threads.create", json!({}));
    let shown = c.wait_event("welcome shown", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
    });
    assert_eq!(
        shown["data"]["message"]["text"],
        "Hi Ada, we answer within a day."
    );
    c.ok("thread.send", json!({"threadId": t["id"], "text": "hello"}));
    let kinds: Vec<String> = b
        .received_kinds()
        .into_iter()
        .filter(|k| k == "SendOutbound" || k == "SendMessage")
        .collect();
    assert_eq!(
        kinds,
        ["SendOutbound", "SendMessage"],
        "the welcome reaches the server first"
    );
    let outbound = &b.admin_get("received?kind=SendOutbound")[0]["body"]["payload"]["data"];
    assert_eq!(
        outbound["messageContent"]["payload"]["text"],
        "Hi Ada, we answer within a day."
    );
}

#[test]
fn an_oauth_login_authorizes_then_reconnects_with_the_token_even_after_a_restart() {
    let b = Backend::start(EmulatorConfig::default());
    let state = tempfile::tempdir().unwrap();
    let d = Daemon::start_in(state.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_oauth");
    assert_eq!(
        c.err("session.connect", json!({}))["code"],
        1000,
        "a login is needed first"
    );
    c.ok(
        "customer.authorize",
        json!({"authorizationCode": "grace:1", "codeVerifier": "pkce-verifier"}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let me = c.ok("customer.get", json!({}));
    assert_eq!(me["id"], "oauth-grace", "the identity comes from the login");
    let authorize = &b.admin_get("received?kind=AuthorizeCustomer")[0]["body"]["payload"]["data"]["authorization"];
    assert_eq!(authorize["codeVerifier"], "pkce-verifier");
    let t = c.ok("threads.create", json!({}));
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "signed in"}),
    );
    c.wait_event("answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: signed in"
    });
    // The next connection reuses the token instead of the (single-use) code.
    c.ok("session.disconnect", json!({}));
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    assert_eq!(
        (b.count("AuthorizeCustomer"), b.count("ReconnectConsumer")),
        (1, 1)
    );
    assert_eq!(
        c.err(
            "customer.authorize",
            json!({"session": "nope", "authorizationCode": "x"})
        )["code"],
        3000
    );
}

#[test]
fn an_oauth_login_over_secured_sessions_uses_the_token_endpoint() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_oauth_secure");
    c.ok(
        "customer.authorize",
        json!({"authorizationCode": "henry:1", "codeVerifier": "v"}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    assert_eq!(
        b.count("AuthorizeCustomer"),
        0,
        "the transaction token authenticated the socket"
    );
    let t = c.ok("threads.create", json!({}));
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "secure hello"}),
    );
    c.wait_event("answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: secure hello"
    });
    assert_eq!(c.ok("customer.get", json!({}))["id"], "oauth-henry");
    let err = {
        let mut other = d.client();
        other.ok("session.prepare", json!({"session": "plain", "environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}));
        other.err(
            "customer.authorize",
            json!({"session": "plain", "authorizationCode": "x"}),
        )
    };
    assert_eq!(err["code"], 3006, "no OAuth on an anonymous channel");
}

#[test]
fn a_session_can_be_prepared_again_right_after_close_and_by_two_callers_at_once() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    // The closing actor still holds the session's lock for a moment; prepare waits for it.
    for round in 0..5 {
        let state = prepare(&mut c, &b, "chat_single");
        assert_eq!(state["state"], "prepared", "round {round}");
        c.ok("session.connect", json!({}));
        c.ok("session.close", json!({}));
    }
    // Two clients preparing one new session at the same moment share one actor: each gets the
    // prepared state, or (arriving while the other's prepare runs) the chat-state error, never
    // a store error.
    let params = json!({"session": "twin", "environment": b.environment(), "brandId": 1000,
        "channelId": "chat_multi", "customer": {"id": "twin", "firstName": "T", "lastName": "W"}});
    let answers: Vec<Value> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..2)
            .map(|_| {
                let mut c = d.client();
                let p = params.clone();
                s.spawn(move || c.call("session.prepare", p))
            })
            .collect();
        calls.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let prepared = answers
        .iter()
        .filter(|a| a["result"]["mode"] == "multithread")
        .count();
    assert!(prepared >= 1, "{answers:?}");
    for a in answers.iter().filter(|a| a.get("error").is_some()) {
        assert_eq!(a["error"]["code"], 3003, "{a}");
        assert_eq!(a["error"]["data"]["kind"], "illegalChatState", "{a}");
    }
    assert_eq!(
        c.ok("session.state", json!({"session": "twin"}))["state"],
        "prepared"
    );
}

#[test]
fn a_restart_within_the_visit_goes_on_with_it() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        prepare(&mut c, &b, "chat_single");
        c.ok(
            "analytics.pageView",
            json!({"title": "Home", "url": "app://home"}),
        );
        // The visit reaches the disk off the call's path: wait until the record has it.
        let state = dir.path().join("state");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !crate::common::stored_record(&state, "default")
            .is_some_and(|r| r.contains("\"visit\""))
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the visit never reached the disk"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok(
        "analytics.pageView",
        json!({"title": "Menu", "url": "app://menu"}),
    );
    let events = analytics_types(&b);
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        ["VisitorVisit", "PageView", "PageView"],
        "{events:?}"
    );
    assert!(
        events.iter().all(|(_, v)| *v == events[0].1),
        "one visit: {events:?}"
    );
}

#[test]
fn a_single_thread_connection_without_a_conversation_gets_one_when_configured() {
    let b = Backend::start(EmulatorConfig::default());
    let threads = |c: &mut crate::common::Client| -> Vec<Value> {
        c.ok("threads.list", json!({}))["threads"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Off by default: the host creates its thread.
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    c.ok("session.connect", json!({}));
    assert!(threads(&mut c).is_empty());
    drop(c);
    drop(d);

    // On, as iOS does it.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[lifecycle]\ncreate_thread_on_connect = true\n").unwrap();
    let d = Daemon::start_with(&["--config", config.to_str().unwrap()]);
    let mut c = d.client();
    c.subscribe();
    prepare(&mut c, &b, "chat_single");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let created = threads(&mut c);
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["state"], "pending", "nothing sent for it yet");
    assert_eq!(b.count("SendMessage"), 0);
    let tid = created[0]["id"].as_str().unwrap().to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "hello"}));
    c.wait_event("the answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: hello"
    });
    // The next connection recovers it: no second thread.
    c.ok("session.disconnect", json!({}));
    c.ok("session.connect", json!({}));
    let after = threads(&mut c);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["id"], tid.as_str());

    // Never where the host must ask first: a required pre-chat survey, or several threads.
    for (session, channel) in [("survey", "chat_survey"), ("multi", "chat_multi")] {
        c.ok(
            "session.prepare",
            json!({"session": session, "environment": b.environment(), "brandId": 1000, "channelId": channel}),
        );
        c.ok("session.connect", json!({"session": session}));
        let none = c.ok("threads.list", json!({"session": session}));
        assert_eq!(none["threads"], json!([]), "{channel}: {none}");
    }
}
