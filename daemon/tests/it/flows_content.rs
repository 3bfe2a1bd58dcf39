//! What agents send that the customer's client cannot show (issue #11, item 9): the host gets
//! the message with its fallback text, and the agent is told with the hidden automatic answer
//! iOS 3.1 sends (`isUnsupportedMessageTypeAnswer`), which no transcript shows. And the legacy
//! plugins (item 12): typed node by node, with the raw content beside them.

use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon, fixture, kind_with};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

/// The `SendMessage` frames the emulator received, as message contents.
fn sent_contents(b: &Backend) -> Vec<Value> {
    b.admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"]["payload"]["data"]["messageContent"].clone())
        .collect()
}

#[test]
fn content_the_client_cannot_show_is_reported_to_the_agent_once_and_hidden_from_the_customer() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");
    c.ok("thread.send", json!({"threadId": tid, "text": "hi"}));
    let answer = c.wait_event(
        "the answer",
        kind_with("message.created", "/message/text", json!("You said: hi")),
    );
    assert!(
        answer["data"]["message"].get("rawContent").is_none(),
        "plain text says all it has in text: {answer}"
    );

    b.admin_post(
        "agent/say",
        json!({"threadId": tid, "content": {"type": "CAROUSEL", "fallbackText": "See our app",
            "payload": {"elements": [{"type": "CARD", "title": "Offer"}]}}}),
    );
    let shown = c.wait_event("the carousel", |e| {
        e["kind"] == "message.created"
            && e["data"]["message"]["direction"] == "outbound"
            && e["data"]["message"]["text"] != "You said: hi"
    });
    assert_eq!(shown["data"]["message"]["text"], "See our app", "{shown}");
    // The whole content travels too, for a host that can render a carousel (issue #11, item 12).
    let raw = &shown["data"]["message"]["rawContent"];
    assert_eq!(raw["type"], "CAROUSEL", "{shown}");
    assert_eq!(raw["payload"]["elements"][0]["title"], "Offer", "{shown}");

    let deadline = Instant::now() + Duration::from_secs(10);
    let answer = loop {
        let hidden: Vec<Value> = sent_contents(&b)
            .into_iter()
            .filter(|m| m["parameters"]["isUnsupportedMessageTypeAnswer"] == true)
            .collect();
        if let Some(a) = hidden.first() {
            assert_eq!(hidden.len(), 1, "told once: {hidden:?}");
            break a.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the agent was never told: {:?}",
            sent_contents(&b)
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = answer["payload"]["text"].as_str().unwrap();
    assert!(
        text.contains("not supported") && text.ends_with(": See our app"),
        "{answer}"
    );
    // The echo of the hidden answer is not news, and the transcript never shows it.
    c.ok("thread.send", json!({"threadId": tid, "text": "ok"}));
    c.wait_event(
        "the next answer",
        kind_with("message.created", "/message/text", json!("You said: ok")),
    );
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    let texts: Vec<&str> = snap["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().all(|t| !t.contains("not supported")),
        "{texts:?}"
    );
    assert!(
        c.events
            .iter()
            .all(|e| !e.to_string().contains("not supported")),
        "{:?}",
        c.events
    );
    assert_eq!(
        b.admin_get("received?kind=SendMessage")
            .as_array()
            .unwrap()
            .len(),
        3,
        "hi, the hidden answer, ok; the agent's reply to a hidden message is none"
    );
}

#[test]
fn legacy_plugins_reach_the_host_typed_with_their_raw_content() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");
    c.ok("thread.send", json!({"threadId": tid, "text": "hi"}));
    c.wait_event(
        "the answer",
        kind_with("message.created", "/message/text", json!("You said: hi")),
    );
    // The iOS SDK's own fixtures, said by the emulator's agent as the back end sends them.
    let cases = [
        ("MessageTypePluginMenu.json", "menu"),
        (
            "MessageTypePluginSatisfactionSurvey.json",
            "satisfactionSurvey",
        ),
        ("MessageTypePluginCustom.json", "custom"),
        ("MessageTypePluginQuickReplies.json", "quickReplies"),
        ("MessageTypePluginDeeplink.json", "button"),
    ];
    let mut shown = Vec::new();
    for (name, kind) in cases {
        let text = std::fs::read_to_string(fixture(&format!("ios/{name}"))).unwrap();
        let mut content = serde_json::from_str::<Value>(&text).unwrap()["messageContent"].clone();
        content["fallbackText"] = json!(format!("fallback of {name}"));
        let said = b.admin_post("agent/say", json!({"threadId": tid, "content": content}));
        assert!(said["messageId"].is_string(), "{name}: {said}");
        let event = c.wait_event(name, |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == format!("fallback of {name}").as_str()
        });
        let m = &event["data"]["message"];
        assert_eq!(m["content"]["type"], "plugin", "{name}: {m}");
        assert_eq!(m["content"]["kind"], kind, "{name}: {m}");
        // As received: the emulator adds `isAutoTranslated`, as the back end does.
        assert_eq!(
            m["rawContent"]["payload"], content["payload"],
            "{name}: the content as received"
        );
        assert_eq!(m["rawContent"]["type"], "PLUGIN");
        shown.push(m.clone());
    }
    let menu = &shown[0]["content"]["elements"][0];
    assert_eq!(menu["elements"][0]["kind"], "file");
    assert_eq!(menu["elements"][0]["fileName"], "photo.jpg");
    assert_eq!(
        menu["elements"][1],
        json!({"kind": "title", "elementType": "TITLE", "id": "Ck4tPy1h3", "text": "Hello!"})
    );
    assert_eq!(menu["elements"][3]["postback"], "click-on-button-1");
    let survey = &shown[1]["content"]["elements"][0]["elements"][1];
    assert_eq!(survey["kind"], "iframeButton");
    assert_eq!(survey["url"], "http://example.com/1/2/3");
    assert_eq!(
        shown[2]["content"]["elements"][0]["variables"]["size"]["ios"],
        "big"
    );
    assert_eq!(
        shown[4]["content"]["elements"][0]["deepLink"],
        "fb://profile/33138223345"
    );
    // The snapshot shows them the same way.
    let snapshot = c.ok("threads.get", json!({"threadId": tid}));
    let kept: Vec<&Value> = snapshot["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"]["type"] == "plugin")
        .collect();
    assert_eq!(kept.len(), cases.len(), "{snapshot}");
    // A host that renders plugins may show them: the agent is not told they could not be.
    assert!(
        sent_contents(&b)
            .iter()
            .all(|m| m["parameters"]["isUnsupportedMessageTypeAnswer"] != true),
        "{:?}",
        sent_contents(&b)
    );
}
