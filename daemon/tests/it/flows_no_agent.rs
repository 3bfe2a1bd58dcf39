//! When no agent is available (issue #11 item 13): the host asks for availability without
//! connecting (`session.availability`, Android's and the web SDK's `getChannelAvailability`) and
//! leaves a message through the offline form (`session.sendOfflineMessage`, the web SDK's
//! `sendOfflineMessage`), end to end through the real daemon and the emulator.

use std::time::{Duration, Instant};

use crate::common::{Backend, Client, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

const AVAILABILITY: &str = "GET /chat/1.0/brand/1000/channel/chat_live/availability";

fn prepare(c: &mut Client, b: &Backend, session: &str, channel: &str) {
    c.ok(
        "session.prepare",
        json!({"session": session, "environment": b.environment(), "brandId": 1000,
               "channelId": channel, "customer": {"id": format!("ada-{session}")}}),
    );
}

fn offline(b: &Backend) {
    b.admin_post(
        "availability",
        json!({"channelId": "chat_live", "online": false}),
    );
}

/// The `SendOfflineMessage` frames the emulator received.
fn offline_messages(b: &Backend) -> Vec<Value> {
    b.admin_get("received?kind=SendOfflineMessage")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].clone())
        .collect()
}

/// Waits until the emulator holds no WebSocket (a one-shot connection closes after its answer).
fn wait_no_connections(b: &Backend) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.admin_get("connections").as_array().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "a WebSocket stayed open");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn availability_is_asked_without_connecting_and_is_the_answer_connect_goes_by() {
    let b = Backend::start(EmulatorConfig::default());
    offline(&b);
    let d = Daemon::start();
    let mut c = d.client();
    assert_eq!(
        c.err("session.availability", json!({"session": "nobody"}))["code"],
        3000,
        "an unknown session"
    );
    prepare(&mut c, &b, "default", "chat_live");
    assert_eq!(
        c.ok("session.availability", json!({})),
        json!({"online": false})
    );
    assert_eq!(b.count(AVAILABILITY), 1);
    assert!(
        b.admin_get("connections").as_array().unwrap().is_empty(),
        "asking opened no WebSocket"
    );
    // `session.connect` goes by the same answer (reused for 60 s, as both SDKs do).
    assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    assert_eq!(c.ok("session.availability", json!({}))["online"], false);
    assert_eq!(b.count(AVAILABILITY), 1);

    // A session of its own asks afresh; a failed check is the host's to see, and not kept.
    b.admin_post(
        "availability",
        json!({"channelId": "chat_live", "online": true}),
    );
    prepare(&mut c, &b, "kiosk-2", "chat_live");
    b.admin_post("faults", json!({"failAvailability": 1}));
    let e = c.err("session.availability", json!({"session": "kiosk-2"}));
    assert_eq!(e["code"], 2000, "{e}");
    assert!(
        e["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("checking whether an agent is available failed"),
        "the detail names the step: {e}"
    );
    assert_eq!(
        c.ok("session.availability", json!({"session": "kiosk-2"})),
        json!({"online": true})
    );
    assert_eq!(
        c.ok("session.connect", json!({"session": "kiosk-2"}))["state"],
        "ready"
    );
    assert_eq!(b.count(AVAILABILITY), 3);

    // A messaging channel answers too (Android asks whatever the mode).
    prepare(&mut c, &b, "messaging", "chat_multi");
    assert!(c.ok("session.availability", json!({"session": "messaging"}))["online"].is_boolean());
}

#[test]
fn an_offline_form_reaches_the_contact_centre_on_a_connection_of_its_own() {
    let b = Backend::start(EmulatorConfig::default());
    offline(&b);
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "default", "chat_live");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "offline");
    assert!(b.admin_get("connections").as_array().unwrap().is_empty());

    c.ok(
        "session.sendOfflineMessage",
        json!({"name": "Ada King Lovelace", "email": "ada@example.com",
               "message": "Please call me back tomorrow."}),
    );
    let sent = offline_messages(&b);
    assert_eq!(sent.len(), 1);
    let payload = &sent[0]["payload"];
    assert_eq!(payload["eventType"], "SendOfflineMessage");
    assert_eq!(
        payload["data"]["authorCustomerIdentity"],
        json!({"idOnExternalPlatform": "ada@example.com", "firstName": "Ada King", "lastName": "Lovelace"})
    );
    assert_eq!(
        payload["data"]["messageContent"],
        json!({"type": "TEXT", "payload": {"text": "Please call me back tomorrow."}})
    );
    assert_eq!(
        payload["consumerIdentity"]["idOnExternalPlatform"], "ada-default",
        "the session's customer sends it, under the web SDK's key"
    );
    // The connection was for this message only: closed, and the chat is still offline.
    wait_no_connections(&b);
    assert_eq!(c.ok("session.state", json!({}))["state"], "offline");
    assert_eq!(b.count("RecoverLivechat"), 0, "nothing was recovered");

    // A mistake is named before anything is sent.
    let e = c.err(
        "session.sendOfflineMessage",
        json!({"name": "Ada", "email": "not-an-address", "message": "hi"}),
    );
    assert_eq!(e["code"], 3008);
    assert_eq!(e["data"]["field"], "email", "{e}");
    assert_eq!(offline_messages(&b).len(), 1);
}

#[test]
fn an_offline_form_on_a_connected_session_uses_its_connection_and_a_refusal_is_named() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "default", "chat_multi");
    c.ok("session.connect", json!({}));
    let authorizations = b.count("AuthorizeCustomer");
    c.ok(
        "session.sendOfflineMessage",
        json!({"name": "Ada", "email": "ada@example.com", "message": "hello"}),
    );
    assert_eq!(offline_messages(&b).len(), 1);
    assert_eq!(
        b.count("AuthorizeCustomer"),
        authorizations,
        "no second connection"
    );
    assert_eq!(
        b.admin_get("connections").as_array().unwrap().len(),
        1,
        "the chat's connection stays"
    );
    // Too long for a message: named before anything is sent.
    let e = c.err(
        "session.sendOfflineMessage",
        json!({"name": "Ada", "email": "ada@example.com", "message": "x".repeat(10_001)}),
    );
    assert_eq!(e["data"]["field"], "message", "{e}");
    assert_eq!(offline_messages(&b).len(), 1);
}

#[test]
fn a_channel_without_the_offline_form_says_so_and_the_back_ends_refusal_is_named() {
    let mut config = EmulatorConfig::default();
    let live = config
        .brands
        .get_mut(&1000)
        .unwrap()
        .channels
        .get_mut("chat_live")
        .unwrap();
    live.offline_form = false;
    live.online = false;
    let b = Backend::start(config);
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "default", "chat_live");
    let state = c.ok("session.state", json!({}));
    assert_eq!(state["channel"]["offlineForm"], false, "{state}");
    prepare(&mut c, &b, "other", "chat_multi");
    let other = c.ok("session.state", json!({"session": "other"}));
    assert_eq!(other["channel"]["offlineForm"], true, "{other}");

    let e = c.err(
        "session.sendOfflineMessage",
        json!({"name": "Ada", "email": "ada@example.com", "message": "hello"}),
    );
    assert_eq!(e["code"], 2001, "back end rejected: {e}");
    assert_eq!(
        e["data"]["backendCode"], "SendingOfflineMessageFailed",
        "{e}"
    );
    wait_no_connections(&b);
}
