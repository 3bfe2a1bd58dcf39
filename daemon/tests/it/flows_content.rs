//! What agents send that the customer's client cannot show (issue #11, item 9): the host gets
//! the message with its fallback text, and the agent is told with the hidden automatic answer
//! iOS 3.1 sends (`isUnsupportedMessageTypeAnswer`), which no transcript shows.

use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon, kind_with};
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
