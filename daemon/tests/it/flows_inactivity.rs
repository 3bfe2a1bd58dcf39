//! The live chat's inactivity popup (issue #11, item 1; PROTOCOL.md §3.9.7): the host hears it
//! as a `proactive.action` of type `inactivityPopup` (as iOS delivers it) and finds it in the
//! thread with its deadline; it answers with `thread.send` and the chosen button, which goes out
//! as iOS sends it and stays out of the transcript; a restart shows an unanswered popup again;
//! `expire` ends the conversation.

use std::time::Duration;

use crate::common::{Backend, Client, Daemon, kind_with};
use cxone_chat_protocol::cxone::time::Timestamp;
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// An inactivity popup as the back end sends it, counting down 60 s from now.
fn popup(started_at_ms: i64) -> Value {
    let started = Timestamp::from_unix_ms_seconds(started_at_ms).to_string();
    let job = "40180433-4438-4ef7-af4e-d6f69d3bda25";
    let button = |id: &str, text: &str, expired: bool| {
        json!({"id": id, "type": "BUTTON", "text": text,
            "postback": format!("{{\"type\":\"sessionExpiration\",\"isExpired\":{expired},\"workflowJobId\":\"{job}\"}}")})
    };
    json!({"type": "PLUGIN", "fallbackText": "Unsupported message content",
        "payload": {"postback": "", "elements": [{"id": "popup-1", "type": "INACTIVITY_POPUP", "elements": [
            {"id": "t", "type": "TITLE", "text": "Still there?"},
            {"id": "b", "type": "TEXT", "text": "We have not heard from you."},
            {"id": "c", "type": "COUNTDOWN", "variables": {"startedAt": started, "numberOfSeconds": 60}},
            {"id": "q", "type": "TEXT", "text": "Do you wish to continue?"},
            button("0b9f6a2e-5c1d-4e8f-9a7b-3c2d1e0f9a8b", "Yes", false),
            button("1c0a7b3f-6d2e-4f9a-8b8c-4d3e2f1a0b9c", "No", true)]}]}})
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Prepares and connects a live chat, opens its conversation and waits for the agent.
fn live_chat(c: &mut Client, b: &Backend) -> String {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_live",
            "customer": {"id": "kiosk-customer"}}),
    );
    c.ok("session.connect", json!({}));
    let tid = c.ok("threads.create", json!({}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "help"}));
    c.wait_event("the agent", |e| e["kind"] == "agent.assigned");
    tid
}

/// Waits for the popup's proactive action and returns its `content.inactivityPopup`.
fn popup_announced(c: &mut Client) -> Value {
    let e = c.wait_event("the inactivity popup", |e| {
        e["kind"] == "proactive.action" && e["data"]["action"]["actionType"] == "inactivityPopup"
    });
    e["data"]["action"]["content"]["inactivityPopup"].clone()
}

fn answers_sent(b: &Backend) -> Vec<Value> {
    b.admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"]["payload"]["data"]["messageContent"].clone())
        .filter(|m| m["parameters"]["isInactivityPopupAnswer"] == true)
        .collect()
}

#[test]
fn the_inactivity_popup_is_shown_answered_recovered_and_can_end_the_chat() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    let tid = live_chat(&mut c, &b);

    let started = now_ms();
    b.admin_post(
        "agent/say",
        json!({"threadId": tid, "content": popup(started)}),
    );
    let open = popup_announced(&mut c);
    assert_eq!(open["threadId"], tid);
    assert_eq!(open["prompt"]["title"], "Still there?");
    assert_eq!(open["prompt"]["continueButton"]["text"], "Yes");
    let expires = Timestamp::parse(open["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(expires.unix_ms(), started / 1000 * 1000 + 60_000, "{open}");
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(snap["thread"]["inactivityPopup"], open, "in the thread too");
    assert!(
        snap["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["text"] != "We have not heard from you. Do you wish to continue?"),
        "the popup is not a message: {snap}"
    );

    // The customer keeps chatting: the button's text and postback, as thread.send takes any.
    let yes = &open["prompt"]["continueButton"];
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": yes["text"], "postback": yes["postback"]}),
    );
    let answers = answers_sent(&b);
    assert_eq!(answers.len(), 1, "sent as iOS does: {answers:?}");
    assert_eq!(answers[0]["postback"], yes["postback"]);
    assert_eq!(answers[0]["payload"]["text"], "Yes");
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert!(
        snap["thread"].get("inactivityPopup").is_none(),
        "closed: {snap}"
    );
    assert!(
        snap["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["text"] != "Yes"),
        "the answer is not in the transcript: {snap}"
    );

    // Another popup, and the daemon restarts before anyone answers: it is shown again.
    b.admin_post(
        "agent/say",
        json!({"threadId": tid, "content": popup(now_ms())}),
    );
    popup_announced(&mut c);
    drop(c);
    drop(d);
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_live"}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let again = popup_announced(&mut c);
    assert_eq!(again["threadId"], tid);
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert_eq!(snap["thread"]["inactivityPopup"], again);

    // The customer lets it end.
    let no = &again["prompt"]["endButton"];
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": no["text"], "postback": no["postback"]}),
    );
    c.wait_event_for(
        "the conversation ended",
        Duration::from_secs(10),
        kind_with("contact.status", "/status", json!("closed")),
    );
    assert_eq!(c.ok("session.state", json!({}))["state"], "closed");
    assert_eq!(answers_sent(&b).len(), 2);
}
