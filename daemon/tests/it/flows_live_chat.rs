//! Live-chat availability end to end (flow 7, PROTOCOL.md §1.4): the real daemon asks before
//! every connect of a live-chat channel, reuses the answer for 60 s as the SDKs do, stays
//! `offline` without opening a socket while the contact centre is closed, and a session of the
//! same channel prepared later — or a restarted daemon — asks afresh. The queue: one countdown
//! per contact, and a position that comes before the echo naming its contact is kept for it.

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

/// The `queue.position` events the client has read so far for `thread`, in order.
fn positions(c: &crate::common::Client, thread: &serde_json::Value) -> Vec<i64> {
    c.events
        .iter()
        .filter(|e| e["kind"] == "queue.position" && e["data"]["threadId"] == *thread)
        .map(|e| e["data"]["position"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_queue_counts_down_once_per_contact() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_live");
    // Two messages while the contact waits: one contact, one countdown.
    c.ok("thread.send", json!({"threadId": tid, "text": "help"}));
    c.ok("thread.send", json!({"threadId": tid, "text": "anyone?"}));
    c.wait_event("the agent", |e| e["kind"] == "agent.assigned");
    // Anything of a second countdown would come within its own 300 ms.
    std::thread::sleep(std::time::Duration::from_millis(500));
    c.ok("session.state", json!({}));
    let seen = positions(&c, &tid);
    assert_eq!(seen, [3, 2, 1], "a monotonic countdown");
}

#[test]
fn a_queue_position_that_comes_before_its_contact_is_kept_for_it() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_live");
    let tid_s = tid.as_str().unwrap();
    // The back end routed the contact and announced its place before the echo naming it.
    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "5e0e1b8c-6a0e-4b4e-9d4c-0f8f3a0e7a11", "eventType": "SetPositionInQueue",
            "data": {"consumerContact": {"id": "early-contact"}, "routingQueue": {"id": "q"},
                     "positionInQueue": 4, "isAnyAgentOnlineForQueue": true}}}),
    );
    c.ok("session.state", json!({}));
    assert!(
        !positions(&c, &tid).contains(&4),
        "no thread has that contact yet"
    );
    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "6f1f2c9d-7b1f-4c5f-8e5d-1a9a4b1f8b22", "eventObject": "Message",
            "eventType": "MessageCreated", "createdAt": "2024-01-01T10:00:00+00:00",
            "data": {"brand": {"id": 1000}, "channel": {"id": "chat_live"},
                "case": {"id": "early-contact", "threadIdOnExternalPlatform": tid_s, "status": "new",
                         "createdAt": "2024-01-01T10:00:00+00:00", "customFields": []},
                "thread": {"idOnExternalPlatform": tid_s, "threadName": ""},
                "message": {"idOnExternalPlatform": "7a2a3dae-8c2a-4d6a-9f6e-2bab5c2a9c33",
                    "threadIdOnExternalPlatform": tid_s,
                    "messageContent": {"type": "TEXT", "payload": {"text": "hello"}},
                    "createdAt": "2024-01-01T10:00:00+00:00", "direction": "inbound", "attachments": []}}}}),
    );
    let e = c.wait_event("the early position", |e| {
        e["kind"] == "queue.position" && e["data"]["position"] == 4
    });
    assert_eq!(e["data"]["threadId"], tid, "{e}");
}
