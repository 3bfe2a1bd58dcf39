//! Failures no call's answer carries reach the host as `error` events (issue #11, item 3): an
//! operation error no request waits for (a refused fire-and-forget event, a late reply), a
//! gateway error frame, a frame that does not decode. Events this build does not know reach it
//! as `custom.event`, raw. The connection carries on through all of them.

use crate::common::{Backend, Daemon, kind_with};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

#[test]
fn failures_nobody_asked_about_and_unknown_events_reach_the_host() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    let tid = c.open_thread(&b, "chat_single");

    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "0b9f6a2e-5c1d-4e8f-9a7b-3c2d1e0f9a8b",
            "error": {"errorCode": "SendingOutboundFailed", "transactionId": "tx-42",
                      "errorMessage": "Outbound is not allowed"},
            "inputData": {"thread": {"idOnExternalPlatform": tid}}}}),
    );
    let e = c.wait_event("the refused request", |e| e["kind"] == "error");
    let error = &e["data"]["error"];
    assert_eq!(error["code"], 2001, "{e}");
    let message =
        error["message"].as_str().unwrap().to_owned() + error["data"].to_string().as_str();
    assert!(
        message.contains("SendingOutboundFailed") && message.contains("tx-42"),
        "what failed and where to look: {e}"
    );

    b.admin_post(
        "raw",
        json!({"frame": {"message": "Internal server error", "connectionId": "c-1", "requestId": "r-1"}}),
    );
    let e = c.wait_event("the gateway error", |e| e["kind"] == "error");
    assert_eq!(e["data"]["error"]["code"], 2000, "{e}");
    assert_eq!(e["data"]["error"]["data"]["retryable"], true, "{e}");

    b.admin_post("raw", json!({"text": "{\"eventId\": 7, \"postback\": "}));
    let e = c.wait_event("the unreadable frame", |e| e["kind"] == "error");
    assert_eq!(e["data"]["error"]["code"], 2001, "{e}");
    assert!(
        e["data"]["error"].to_string().contains("threads.load"),
        "what to do: {e}"
    );

    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "1c0a7b3f-6d2e-4f9a-8b8c-4d3e2f1a0b9c", "eventType": "KioskPromotion",
            "data": {"banner": "Free coffee at the counter"}}}),
    );
    let e = c.wait_event("the unknown event", |e| e["kind"] == "custom.event");
    assert_eq!(e["data"]["name"], "KioskPromotion", "{e}");
    assert_eq!(
        e["data"]["payload"]["banner"], "Free coffee at the counter",
        "{e}"
    );

    // Known events the SDKs ignore are not news.
    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "2d1b8c4a-7e3f-4a0b-9c9d-5e4f3a2b1c0d", "eventType": "MessageAddedIntoCase",
            "data": {}}}),
    );
    // A bare acknowledgement (`{eventId}`) of what the daemon sent without waiting — the back
    // end acknowledges custom fields and typing previews, which the web SDK awaits — is not news.
    c.ok(
        "customer.setCustomFields",
        json!({"customFields": {"tier": "gold"}}),
    );
    c.ok(
        "thread.typing",
        json!({"threadId": tid, "isTyping": true, "preview": "still h"}),
    );
    b.admin_post(
        "raw",
        json!({"frame": {"eventId": "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b"}}),
    );
    // The connection carries on.
    c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "still here"}),
    );
    c.wait_event(
        "the answer",
        kind_with(
            "message.created",
            "/message/text",
            json!("You said: still here"),
        ),
    );
    assert!(
        c.events
            .iter()
            .all(|e| e["kind"] != "custom.event" && e["kind"] != "error"),
        "nothing else reported: {:?}",
        c.events
    );
}
