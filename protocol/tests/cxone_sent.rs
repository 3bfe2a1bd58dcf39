//! Client → server frames: the examples of PROTOCOL.md §3 (no fixtures exist for most sent
//! events) decode into the right `SentEvent`, and every event the daemon builds round-trips.

use cxone_chat_protocol::cxone::common::{
    AccessToken, BrandRef, CustomerIdentity, IdRef, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::sent::{
    AccessTokenData, Action, AuthorizeCustomerData, EndContactData, IdentityKey,
    OAuthAuthorization, OutgoingFrame, Payload, RecoverData, SentEvent, ThreadData,
};
use serde_json::json;

const THREAD: &str = "3118d0df-99aa-49e9-a115-c5b98736dee7";

fn envelope(
    action: &str,
    event_type: &str,
    identity_key: &str,
    data: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut payload = json!({
        "eventType": event_type,
        "brand": {"id": 1386},
        "channel": {"id": "chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4"},
        identity_key: {"idOnExternalPlatform": "c0ffee00-1b2c-4d5e-8f90-123456789abc", "firstName": "John", "lastName": "Doe"},
        "visitor": {"id": "9f2e1c7a-4b3d-4e5f-8a6b-7c8d9e0f1a2b"},
    });
    if let Some(d) = data {
        payload["data"] = d;
    }
    json!({"action": action, "eventId": "5f0c2d3e-8a1b-4c6d-9e7f-0a1b2c3d4e5f", "payload": payload})
}

/// Decodes an example frame, and checks on the way that the frame's text, written straight from
/// its types, is the JSON its `to_value` builds.
fn decode(v: &serde_json::Value) -> (Action, Payload) {
    let frame = OutgoingFrame::from_value(v).unwrap_or_else(|e| panic!("{v}: {e}"));
    let text: serde_json::Value = serde_json::from_str(&frame.to_text()).unwrap();
    assert_eq!(text, frame.to_value(), "{}", frame.to_text());
    match frame {
        OutgoingFrame::Event {
            action, payload, ..
        } => (action, *payload),
        OutgoingFrame::Heartbeat => panic!("not an event"),
    }
}

#[test]
fn send_message_example_decodes_with_everything_the_server_reads() {
    let frame = envelope(
        "chatWindowEvent",
        "SendMessage",
        "customerIdentity",
        Some(json!({
            "thread": {"idOnExternalPlatform": THREAD, "threadName": "My order"},
            "messageContent": {"type": "TEXT", "payload": {"text": "Hello"}, "parameters": {}, "postback": null},
            "idOnExternalPlatform": "2fc774f7-3fc0-4619-b097-8df52e7d8295",
            "customer": {"customFields": [{"ident": "age", "value": "24", "updatedAt": "2024-05-06T20:45:53Z"}]},
            "contact": {"customFields": [{"ident": "gender", "value": "gender-male", "updatedAt": "2024-05-06T20:45:53Z"}]},
            "attachments": [{"url": "https://x/a.jpeg", "friendlyName": "photo.jpg", "mimeType": "image/jpeg", "fileName": "photo.jpg"}],
            "deviceFingerprint": {"country": "US", "language": "en", "applicationType": "native", "os": "iOS", "osVersion": "17.5", "deviceType": "mobile"},
            "accessToken": {"token": "Atza|IwEB"}
        })),
    );
    let (action, payload) = decode(&frame);
    assert_eq!(action, Action::ChatWindowEvent);
    assert_eq!(payload.identity.as_ref().unwrap().0, IdentityKey::Customer);
    let SentEvent::SendMessage(m) = &payload.event else {
        panic!("{:?}", payload.event)
    };
    assert_eq!(m.thread.thread_name.as_deref(), Some("My order"));
    assert_eq!(
        m.id_on_external_platform.as_str(),
        "2fc774f7-3fc0-4619-b097-8df52e7d8295"
    );
    assert_eq!(m.customer_fields()[0].value, "24");
    assert_eq!(m.contact_fields()[0].value, "gender-male");
    assert_eq!(m.attachments[0].mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(m.access_token.as_ref().unwrap().token, "Atza|IwEB");
    // Re-encoding gives back exactly the frame (nothing dropped, nothing added).
    assert_eq!(OutgoingFrame::from_value(&frame).unwrap().to_value(), frame);
}

#[test]
fn send_outbound_uses_the_legacy_key_names() {
    let frame = envelope(
        "chatWindowEvent",
        "SendOutbound",
        "consumerIdentity",
        Some(json!({
            "thread": {"idOnExternalPlatform": THREAD},
            "messageContent": {"type": "TEXT", "payload": {"text": "Dear John"}, "parameters": {}, "postback": null},
            "idOnExternalPlatform": "7a0c5bbe-af0c-47aa-986d-499eb6064811",
            "consumerContact": {"customFields": [{"ident": "a", "value": "b"}]},
            "attachments": [],
            "browserFingerprint": {"os": "iOS"}
        })),
    );
    let (_, payload) = decode(&frame);
    let SentEvent::SendOutbound(m) = &payload.event else {
        panic!()
    };
    assert_eq!(m.contact_fields()[0].ident, "a");
    assert!(m.browser_fingerprint.is_some() && m.device_fingerprint.is_none());
    assert_eq!(payload.identity.unwrap().0, IdentityKey::Consumer);
}

#[test]
fn authorize_customer_travels_under_register() {
    let frame = envelope(
        "register",
        "AuthorizeCustomer",
        "customerIdentity",
        Some(
            json!({"authorization": {"authorizationCode": "code", "codeVerifier": "pkce-S3CRET"},
                    "disableChannelInfo": true, "sdkPlatform": "ios", "sdkVersion": "3.3.1"}),
        ),
    );
    let (action, payload) = decode(&frame);
    assert_eq!(action, Action::Register);
    let SentEvent::AuthorizeCustomer(d) = &payload.event else {
        panic!()
    };
    assert_eq!(
        d.authorization.as_ref().unwrap().code_verifier.as_deref(),
        Some("pkce-S3CRET")
    );
    assert!(
        !format!("{d:?}").contains("S3CRET"),
        "PKCE verifier leaked into Debug"
    );
}

#[test]
fn both_reconnect_spellings_decode_and_keep_their_spelling() {
    for (name, ios) in [("ReconnectCustomer", true), ("ReconnectConsumer", false)] {
        let frame = envelope(
            "chatWindowEvent",
            name,
            "consumerIdentity",
            Some(json!({"accessToken": {"token": "t"}})),
        );
        let (_, payload) = decode(&frame);
        let SentEvent::ReconnectConsumer { ios_spelling, data } = &payload.event else {
            panic!()
        };
        assert_eq!(
            (*ios_spelling, data.access_token.token.as_str()),
            (ios, "t")
        );
        assert_eq!(payload.event.event_type(), name);
    }
}

#[test]
fn recovery_accepts_no_data_empty_data_and_androids_discriminator() {
    for data in [
        None,
        Some(json!({})),
        Some(json!({"thread": {"client_type": "no_thread_id"}})),
    ] {
        let (_, p) = decode(&envelope(
            "chatWindowEvent",
            "RecoverThread",
            "customerIdentity",
            data.clone(),
        ));
        let SentEvent::RecoverThread(r) = &p.event else {
            panic!()
        };
        assert!(r.thread_id().is_none(), "{data:?}");
    }
    let with_id = json!({"thread": {"client_type": "thread_id", "idOnExternalPlatform": THREAD.to_uppercase()}});
    let (_, p) = decode(&envelope(
        "chatWindowEvent",
        "RecoverLivechat",
        "customerIdentity",
        Some(with_id),
    ));
    let SentEvent::RecoverLivechat(r) = &p.event else {
        panic!()
    };
    assert_eq!(r.thread_id().unwrap(), &UuidString::parse(THREAD).unwrap());
}

#[test]
fn web_names_map_to_the_same_events() {
    let thread = json!({"thread": {"idOnExternalPlatform": THREAD}});
    let (_, p) = decode(&envelope(
        "chatWindowEvent",
        "MessageSeenByConsumer",
        "consumerIdentity",
        Some(thread),
    ));
    assert!(matches!(p.event, SentEvent::MessageSeenByCustomer(_)));
    let fields = json!({"customFields": [{"ident": "x", "value": "y"}]});
    let (_, p) = decode(&envelope(
        "chatWindowEvent",
        "SetConsumerCustomFields",
        "consumerIdentity",
        Some(fields),
    ));
    assert!(matches!(p.event, SentEvent::SetCustomerCustomFields(_)));
}

#[test]
fn the_web_sdks_typing_preview_decodes_and_is_written_back_as_it_came() {
    // `Thread.sendMessagePreview` of the web SDK 2.2.0, byte for byte in shape.
    let data = json!({"thread": {"idOnExternalPlatform": THREAD},
        "messageContent": {"payload": {"text": "Where is my par"}, "type": "TEXT"}});
    let frame = envelope(
        "chatWindowEvent",
        "SendMessagePreview",
        "consumerIdentity",
        Some(data.clone()),
    );
    let (_, p) = decode(&frame);
    let SentEvent::SendMessagePreview(preview) = &p.event else {
        panic!("{:?}", p.event);
    };
    assert_eq!(preview.message_content.payload.text, "Where is my par");
    assert_eq!(p.to_value()["data"], data, "no key added, none lost");
}

#[test]
fn heartbeat_and_unknown_events() {
    assert_eq!(
        OutgoingFrame::from_text(r#"{"action":"heartbeat"}"#).unwrap(),
        OutgoingFrame::Heartbeat
    );
    assert_eq!(
        OutgoingFrame::Heartbeat.to_text(),
        r#"{"action":"heartbeat"}"#
    );
    let (_, p) = decode(&envelope(
        "chatWindowEvent",
        "JoinGroupChat",
        "consumerIdentity",
        Some(json!({"code": 1})),
    ));
    let SentEvent::Other { event_type, data } = &p.event else {
        panic!()
    };
    assert_eq!(
        (event_type.as_str(), data.as_ref().unwrap()["code"].as_i64()),
        ("JoinGroupChat", Some(1))
    );
}

#[test]
fn malformed_client_frames_name_the_field() {
    let cases = [
        (json!({"eventId": "e"}), "action"),
        (
            json!({"action": "fly", "eventId": "e", "payload": {}}),
            "action",
        ),
        (
            json!({"action": "chatWindowEvent", "payload": {}}),
            "eventId",
        ),
        (
            json!({"action": "chatWindowEvent", "eventId": "e"}),
            "payload",
        ),
        (
            json!({"action": "chatWindowEvent", "eventId": "e", "payload": {"brand": {"id": 1}, "channel": {"id": "c"}}}),
            "payload.eventType",
        ),
        (
            envelope(
                "chatWindowEvent",
                "SendMessage",
                "customerIdentity",
                Some(json!({"thread": {"idOnExternalPlatform": "nope"}})),
            ),
            "payload.data.thread.idOnExternalPlatform",
        ),
        (
            envelope(
                "chatWindowEvent",
                "EndContact",
                "customerIdentity",
                Some(json!({"thread": {"idOnExternalPlatform": THREAD}})),
            ),
            "payload.data",
        ),
    ];
    for (frame, path) in cases {
        let err = OutgoingFrame::from_value(&frame).unwrap_err();
        assert!(
            err.path.starts_with(path),
            "{frame}: got {err}, expected a path starting with {path}"
        );
    }
}

/// What the daemon builds: every event kind survives encode → decode unchanged.
#[test]
fn frames_built_by_the_daemon_round_trip() {
    let thread = || ThreadRef::new(UuidString::parse(THREAD).unwrap());
    let events = vec![
        SentEvent::AuthorizeCustomer(AuthorizeCustomerData {
            authorization: Some(OAuthAuthorization {
                authorization_code: Some("c".into()),
                code_verifier: None,
            }),
            disable_channel_info: Some(true),
            sdk_platform: Some("ios".into()),
            sdk_version: Some("3.3.1".into()),
        }),
        SentEvent::ReconnectConsumer {
            ios_spelling: false,
            data: AccessTokenData {
                access_token: AccessToken {
                    token: "t".into(),
                    expires_in: None,
                    current_date: None,
                },
            },
        },
        SentEvent::RecoverThread(RecoverData::default()),
        SentEvent::FetchThreadList,
        SentEvent::ArchiveThread(ThreadData { thread: thread() }),
        SentEvent::EndContact(EndContactData {
            thread: thread(),
            contact: IdRef::new("6098076"),
        }),
    ];
    for event in events {
        let key = IdentityKey::for_event(&event);
        let frame = OutgoingFrame::Event {
            action: event.action(),
            event_id: UuidString::new_v4().to_string(),
            payload: Box::new(Payload {
                brand: BrandRef { id: 1386 },
                channel: IdRef::new("chat_x"),
                identity: Some((key, CustomerIdentity::new("c0ffee00"))),
                visitor: Some(IdRef::new("v")),
                destination: None,
                event,
            }),
        };
        assert_eq!(OutgoingFrame::from_text(&frame.to_text()).unwrap(), frame);
        // The text is written straight from the types; it is the JSON `to_value` builds.
        let text: serde_json::Value = serde_json::from_str(&frame.to_text()).unwrap();
        assert_eq!(text, frame.to_value(), "{}", frame.to_text());
    }
}
