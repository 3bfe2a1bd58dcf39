//! Live-chat availability end to end (flow 7, PROTOCOL.md §1.4): the real daemon asks before
//! every connect of a live-chat channel, reuses the answer for 60 s as the SDKs do, stays
//! `offline` without opening a socket while the contact centre is closed, and a session of the
//! same channel prepared later — or a restarted daemon — asks afresh.

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

const AVAILABILITY: &str = "GET /chat/1.0/brand/1000/channel/chat_live/availability";

#[test]
fn availability_is_asked_once_a_minute_and_offline_opens_no_socket() {
    let b = Backend::start(EmulatorConfig::default());
    b.admin_post(
        "availability",
        json!({"channelId": "chat_live", "online": false}),
    );
    let d = Daemon::start();
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_live"}),
    );
    for _ in 0..3 {
        assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    }
    assert_eq!(b.count(AVAILABILITY), 1, "the answer is reused for 60 s");
    assert_eq!(b.count("AuthorizeCustomer"), 0, "no socket while offline");
    assert!(
        b.admin_get("connections").as_array().unwrap().is_empty(),
        "no WebSocket was opened"
    );

    // The contact centre opens. Another session asks for itself (each session has its own
    // live-chat actor) and connects; the first keeps its cached answer until it expires.
    b.admin_post(
        "availability",
        json!({"channelId": "chat_live", "online": true}),
    );
    c.ok(
        "session.prepare",
        json!({"session": "kiosk-2", "environment": b.environment(), "brandId": 1000, "channelId": "chat_live"}),
    );
    assert_eq!(
        c.ok("session.connect", json!({"session": "kiosk-2"}))["state"],
        "ready"
    );
    assert_eq!(b.count(AVAILABILITY), 2);
    assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    assert_eq!(b.count(AVAILABILITY), 2);
    c.ok("session.disconnect", json!({"session": "kiosk-2"}));
    assert_eq!(
        c.ok("session.connect", json!({"session": "kiosk-2"}))["state"],
        "ready",
        "a reconnect within the minute trusts the cached online answer"
    );
    assert_eq!(b.count(AVAILABILITY), 2);
}

#[test]
fn a_failed_availability_check_means_offline_and_is_not_cached() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_live"}),
    );
    b.admin_post("faults", json!({"failAvailability": 1}));
    assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    assert_eq!(
        c.ok("session.connect", json!({}))["state"],
        "ready",
        "the failure was not cached: the next connect asked again"
    );
    assert_eq!(b.count(AVAILABILITY), 2);
}

#[test]
fn a_welcome_that_arrives_after_the_thread_was_created_is_shown_in_it_filled_in() {
    let mut config = EmulatorConfig::default();
    config
        .brands
        .get_mut(&1000)
        .unwrap()
        .channels
        .get_mut("chat_live")
        .unwrap()
        .agent
        .welcome_after_ms = 1_500;
    let b = Backend::start(config);
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_live",
               "customer": {"id": "ada-live", "firstName": "Ada"}}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].clone();
    let early = c.ok("threads.get", json!({"threadId": tid}));
    assert!(
        early["messages"].as_array().unwrap().is_empty(),
        "no welcome yet: {early}"
    );
    let hello = "Hello Ada, how can we help you today?";
    let shown = c.wait_event("the late welcome in the thread", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == hello
    });
    assert_eq!(shown["data"]["message"]["threadId"], tid);
    assert_eq!(shown["data"]["message"]["direction"], "outbound");
    let action = c.wait_event("proactive.action", |e| e["kind"] == "proactive.action");
    assert_eq!(
        action["data"]["action"]["content"]["bodyText"], hello,
        "the event carries the text as the thread shows it, not the template"
    );
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    let texts: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, [hello]);
}
