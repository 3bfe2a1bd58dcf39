//! The spellings of the three SDKs (PROTOCOL.md §2.1, checklist §7 item 8), sent as raw JSON:
//! `consumerIdentity` or `customerIdentity`, Android's recovery data, the web's event names and
//! empty objects, absent or empty `data`, uppercase thread ids, legacy `SendOutbound` keys.

use cxone_chat_protocol::cxone::message::Direction;
use serde_json::{Value, json};

use crate::common::{BRAND, Client, Emu, assert_error, assert_is_ack, assert_json_includes, uuid};

/// Sends a raw `chatWindowEvent` frame; returns its eventId.
async fn raw(c: &mut Client, event_type: &str, identity_key: &str, extra: Value) -> String {
    let id = uuid();
    let mut payload = json!({
        "eventType": event_type,
        "brand": {"id": BRAND},
        "channel": {"id": c.channel},
        identity_key: {"idOnExternalPlatform": c.customer.id_on_external_platform,
                       "firstName": "", "lastName": ""},
    });
    for (k, v) in extra.as_object().expect("object") {
        payload[k] = v.clone();
    }
    let frame = json!({"action": "chatWindowEvent", "eventId": id, "payload": payload});
    c.send_text(&frame.to_string()).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sdk_spelling_is_understood() {
    let emu = Emu::start().await;
    let mut c = emu.connect("chat_multi").await;

    // Android: authorization `{}`, empty names; answered like iOS.
    let id = uuid();
    let authorize = json!({"action": "register", "eventId": id, "payload": {
        "eventType": "AuthorizeCustomer", "brand": {"id": BRAND}, "channel": {"id": "chat_multi"},
        "customerIdentity": {"idOnExternalPlatform": c.customer.id_on_external_platform,
                             "firstName": "", "lastName": ""},
        "visitor": {"id": c.visitor},
        "data": {"authorization": {}, "disableChannelInfo": true, "sdkPlatform": "android",
                 "sdkVersion": "3.2.2"}}});
    c.send_text(&authorize.to_string()).await;
    assert_eq!(c.reply(&id).await.event().event_type, "ConsumerAuthorized");

    // Android recovery without an id; web FetchThreadList with `data: {}` and `{}` refs.
    let id = raw(
        &mut c,
        "RecoverThread",
        "customerIdentity",
        json!({"data": {"thread": {"client_type": "no_thread_id"}}}),
    )
    .await;
    assert_error(&c.reply(&id).await, &id, "RecoveringThreadFailed");
    let id = raw(
        &mut c,
        "FetchThreadList",
        "consumerIdentity",
        json!({"data": {}, "visitor": {}, "destination": {}, "visit": {}}),
    )
    .await;
    assert_eq!(c.reply(&id).await.event().event_type, "ThreadListFetched");

    // An older iOS thread id in uppercase, sent under `consumerIdentity` (web).
    let thread = uuid().to_uppercase();
    let message_id = uuid();
    let id = raw(
        &mut c,
        "SendMessage",
        "consumerIdentity",
        json!({"data": {
            "thread": {"idOnExternalPlatform": thread, "threadName": "Upper"},
            "messageContent": {"type": "TEXT", "payload": {"text": "from the web"}},
            "idOnExternalPlatform": message_id,
            "consumer": {"customFields": [{"ident": "plan", "value": "gold"}]},
            "consumerContact": {"customFields": [{"ident": "topic", "value": "billing"}]},
            "browserFingerprint": {"browser": "Firefox", "browserVersion": "128"}
        }}),
    )
    .await;
    assert_is_ack(&c.reply(&id).await, &id);
    let echo = c
        .wait_for("the echo", |f| f.text.contains(&message_id))
        .await;
    let echo = echo.json();
    assert_eq!(
        echo["data"]["message"]["threadIdOnExternalPlatform"],
        thread.as_str(),
        "case kept"
    );
    assert_json_includes(
        &echo["data"]["case"]["customFields"],
        &json!([{"ident": "topic", "value": "billing"}]),
    );

    // Web names of the seen and custom-field events, with a lowercase thread id.
    let lower = thread.to_lowercase();
    raw(
        &mut c,
        "MessageSeenByConsumer",
        "consumerIdentity",
        json!({"data": {"thread": {"idOnExternalPlatform": lower}}}),
    )
    .await;
    raw(
        &mut c,
        "SetConsumerCustomFields",
        "consumerIdentity",
        json!({"data": {"customFields": [{"ident": "plan", "value": "platinum"}]}}),
    )
    .await;
    raw(
        &mut c,
        "SetConsumerContactCustomFields",
        "consumerIdentity",
        json!({"data": {
        "thread": {"idOnExternalPlatform": lower},
        "customFields": [{"ident": "topic", "value": "refund"}]}}),
    )
    .await;
    // Welcome message recorded as sent to the customer, with the legacy keys of iOS.
    let welcome_id = uuid();
    let id = raw(&mut c, "SendOutbound", "consumerIdentity", json!({"data": {
        "thread": {"idOnExternalPlatform": lower},
        "messageContent": {"type": "TEXT", "payload": {"text": "Welcome!"}, "parameters": {}, "postback": null},
        "idOnExternalPlatform": welcome_id,
        "consumerContact": {"customFields": []},
        "attachments": [],
        "browserFingerprint": {"os": "iOS"}
    }})).await;
    let welcome = c
        .wait_for("the welcome echo", |f| f.text.contains(&welcome_id))
        .await;
    assert_eq!(welcome.json()["data"]["message"]["direction"], "outbound");
    // Acknowledged like `SendMessage`: the web SDK's `sendOutboundMessage()` waits for it (the
    // mobile SDKs do not wait, and drop it).
    assert!(
        c.has_pending(|f| f.event_id() == Some(id.as_str())),
        "SendOutbound is acknowledged"
    );

    // iOS: RecoverThread by the lowercase id finds the uppercase thread with all of it.
    let frame = c
        .recover(Some(
            &cxone_chat_protocol::cxone::common::UuidString::parse(&lower).expect("uuid"),
        ))
        .await;
    let r = body!(frame, ThreadRecovered);
    assert_eq!(
        r.thread.id_on_external_platform.as_str(),
        thread,
        "stored as first written"
    );
    let contact_fields: Vec<_> = r
        .contact()
        .expect("contact")
        .custom_fields
        .iter()
        .map(|f| (f.ident.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(contact_fields, [("topic", "refund")]);
    let customer = r.customer.as_ref().expect("customer");
    assert_eq!(customer.custom_fields[0].value, "platinum");
    let welcome = r
        .messages
        .iter()
        .find(|m| m.id_on_external_platform.as_str() == welcome_id)
        .expect("the welcome is in the history");
    assert_eq!(welcome.direction(), Direction::Outbound);
    assert!(welcome.author_user.is_none(), "no agent wrote it");
    let mine = r
        .messages
        .iter()
        .find(|m| m.id_on_external_platform.as_str() == message_id)
        .expect("mine");
    assert!(mine.customer_statistics.is_some());
    let kinds: Vec<String> = emu
        .received("ws", None)
        .await
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    for k in [
        "MessageSeenByCustomer",
        "SetCustomerCustomFields",
        "SetContactCustomFields",
        "SendOutbound",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} not recorded: {kinds:?}");
    }
}
