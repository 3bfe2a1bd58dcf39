//! Message content (`cxone::content`) against the SDK fixtures and synthetic payloads modelled
//! on PROTOCOL.md §3.9: every variant decodes, nothing but a missing/odd `type` fails, helpers
//! answer the consumer's questions, and re-encoding is faithful.

use cxone_chat_protocol::cxone::content::{
    ContentError, InactivityPopup, MessageContent, MessageParameters, PluginElement, PluginPayload,
    PopupButton, PopupCountdown, PopupError, PopupText, PostbackContent, ReplyButton,
    SessionExpirationPostback, TextContent, UnsupportedReason,
};
use cxone_chat_protocol::cxone::message::Message;
use cxone_chat_protocol::cxone::{Timestamp, UuidString};
use proptest::prelude::*;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/cxone/fixtures");

fn fixture(name: &str) -> Value {
    let path = format!("{FIXTURES}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn content(value: Value) -> MessageContent {
    serde_json::from_value(value).expect("message content decodes")
}

/// `sub` is `sup` with some object keys left out, values otherwise equal.
fn assert_subset(sub: &Value, sup: &Value, path: &str) {
    match (sub, sup) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let other = b
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}.{key} was added by re-encoding"));
                assert_subset(value, other, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: array length changed");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(sub, sup, "{path}: value changed"),
    }
}

/// Decode, re-encode (⊆ original), decode again (== first decode). Returns the decoded value.
fn assert_round_trip(original: &Value) -> MessageContent {
    let decoded = content(original.clone());
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_subset(&encoded, original, "messageContent");
    assert_eq!(
        content(encoded),
        decoded,
        "decode(encode(x)) differs for {original}"
    );
    decoded
}

// ---------------------------------------------------------------------------------------------
// Fixtures

#[test]
fn every_message_type_fixture_decodes_as_a_message_with_the_expected_variant() {
    let expected: &[(&str, &str, Option<&str>)] = &[
        ("MessageTypeText.json", "TEXT", None),
        ("MessageTypeQuickReplies.json", "QUICK_REPLIES", None),
        ("MessageTypePluginCustom.json", "PLUGIN", Some("CUSTOM")),
        ("MessageTypePluginDeeplink.json", "PLUGIN", Some("BUTTON")),
        ("MessageTypePluginMenu.json", "PLUGIN", Some("MENU")),
        (
            "MessageTypePluginQuickReplies.json",
            "PLUGIN",
            Some("QUICK_REPLIES"),
        ),
        (
            "MessageTypePluginSatisfactionSurvey.json",
            "PLUGIN",
            Some("SATISFACTION_SURVEY"),
        ),
    ];
    // A new fixture must be added to the table above.
    let mut on_disk: Vec<String> = std::fs::read_dir(format!("{FIXTURES}/ios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("MessageType"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = expected.iter().map(|(f, ..)| f.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);

    for (file, kind, plugin) in expected {
        let raw = fixture(&format!("ios/{file}"));
        let message: Message =
            serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let c = &message.message_content;
        assert_eq!(c.content_type(), *kind, "{file}");
        match (c, plugin) {
            (MessageContent::Plugin(p), Some(plugin)) => {
                assert_eq!(p.plugin_type(), Some(*plugin), "{file}");
                assert!(!c.is_supported(), "{file}: legacy plugins are unsupported");
            }
            (MessageContent::Text(_) | MessageContent::QuickReplies(_), None) => {
                assert!(c.is_supported())
            }
            _ => panic!("{file}: unexpected variant {c:?}"),
        }
        assert_round_trip(&raw["messageContent"]);
    }
}

#[test]
fn text_and_quick_replies_fixtures_carry_their_values() {
    let text = content(fixture("ios/MessageTypeText.json")["messageContent"].take());
    let MessageContent::Text(t) = &text else {
        panic!("{text:?}")
    };
    assert_eq!(t.text, "Hello world");
    assert_eq!(t.postback(), Some("/hello_world"));
    assert_eq!(text.fallback_text(), Some("Unsupported message content"));
    assert!(!text.is_hidden());
    assert_eq!(text.plain_text().as_deref(), Some("Hello world"));

    let qr = content(fixture("ios/MessageTypeQuickReplies.json")["messageContent"].take());
    let MessageContent::QuickReplies(q) = &qr else {
        panic!("{qr:?}")
    };
    assert!(q.text.starts_with("Hello, we will deliver the package"));
    assert_eq!(
        q.actions,
        vec![
            ReplyButton::new("Today", "{\"id\":\"1\"}"),
            ReplyButton::new("Tomorrow", "{\"id\":\"2\"}")
        ]
    );
    assert_eq!(
        qr.fallback_text(),
        Some("Text sent if rich message is not available on external platform")
    );
    assert_eq!(qr.plain_text(), Some(q.text.clone()));
}

#[test]
fn legacy_plugins_keep_their_raw_json_exactly() {
    // The MENU fixture has a FILE element with a lowercase `filename`, which the typed tree
    // does not model: only the raw copy keeps it.
    let raw = fixture("ios/MessageTypePluginMenu.json")["messageContent"].take();
    let decoded = content(raw.clone());
    assert_eq!(serde_json::to_value(&decoded).unwrap(), raw);
    let MessageContent::Plugin(p) = &decoded else {
        panic!("{decoded:?}")
    };
    let menu = &p.payload().elements[0];
    assert_eq!(menu.elements.len(), 6);
    assert_eq!(
        menu.elements[3].postback.as_deref(),
        Some("click-on-button-1")
    );
    assert_eq!(decoded.fallback_text(), None);
    assert_eq!(decoded.plain_text(), None);
}

/// Messages inside the recovery and MessageCreated fixtures: (file, JSON pointer, count). The
/// 2022 captures (`ThreadRecovered.json`, `recoverThreadEvenResponse.json`, `MessageCreated.json`,
/// `ResponseCreateMessageEvent.json`) have the older message shape.
const MESSAGE_FIXTURES: &[(&str, &str, usize)] = &[
    (
        "ios/ThreadRecoveredEvent.json",
        "/postback/data/messages",
        3,
    ),
    (
        "ios/LivechatRecoveredEvent.json",
        "/postback/data/messages",
        2,
    ),
    ("ios/MessageCreatedEvent.json", "/data/message", 1),
    ("ios/CustomMessageCreatedEvent.json", "/data/message", 1),
    ("ios/ThreadRecovered.json", "/postback/data/messages", 7),
    (
        "ios/recoverThreadEvenResponse.json",
        "/postback/data/messages",
        5,
    ),
    ("ios/MessageCreated.json", "/data/message", 1),
    ("ios/ResponseCreateMessageEvent.json", "/data/message", 1),
];

fn fixture_messages(file: &str, pointer: &str) -> Vec<Value> {
    match fixture(file)
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{file}{pointer}"))
    {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    }
}

#[test]
fn every_message_in_the_recovery_and_message_created_fixtures_decodes() {
    for (file, pointer, count) in MESSAGE_FIXTURES {
        let messages = fixture_messages(file, pointer);
        assert_eq!(messages.len(), *count, "{file}");
        for raw in messages {
            let message: Message =
                serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(
                message.message_content,
                content(raw["messageContent"].clone())
            );
            let c = assert_round_trip(&raw["messageContent"]);
            if *file == "ios/CustomMessageCreatedEvent.json" {
                let MessageContent::Plugin(p) = &c else {
                    panic!("{file}: {c:?}")
                };
                assert_eq!(p.plugin_type(), Some("CUSTOM"));
                assert_eq!(c.fallback_text(), Some("Unsupported message content"));
            } else {
                assert!(matches!(c, MessageContent::Text(_)), "{file}: {c:?}");
                let text = raw["messageContent"]["payload"]["text"]
                    .as_str()
                    .map(str::to_owned);
                assert_eq!(c.plain_text(), text, "{file}");
            }
        }
    }
}

#[test]
fn real_captures_keep_null_postback_and_array_parameters_on_re_encoding() {
    let raw = &fixture_messages("ios/LivechatRecoveredEvent.json", "/postback/data/messages")[0]["messageContent"];
    assert_eq!(
        (&raw["parameters"], &raw["postback"]),
        (&json!([]), &Value::Null)
    );
    let decoded = assert_round_trip(raw);
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(encoded["parameters"], json!([]));
    assert_eq!(encoded.get("postback"), Some(&Value::Null));
    let MessageContent::Text(t) = decoded else {
        panic!()
    };
    assert_eq!((t.text.as_str(), t.postback()), ("Hello", None));
}

#[test]
fn the_inactivity_popup_button_postbacks_decode() {
    for (name, expired) in [("refresh", false), ("expire", true)] {
        let raw = fixture(&format!(
            "android/inactivity-popup.button-postback.{name}.json"
        ));
        let p: SessionExpirationPostback = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(p.kind, "sessionExpiration");
        assert_eq!(p.is_expired, expired);
        assert_eq!(
            p.workflow_job_id.as_deref(),
            Some("40180433-4438-4ef7-af4e-d6f69d3bda25")
        );
        assert_eq!(
            SessionExpirationPostback::parse(&raw.to_string()).unwrap(),
            p
        );
        assert_eq!(serde_json::to_value(&p).unwrap(), raw);
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic payloads for every variant (PROTOCOL.md §3.9.7, §3.9.8)

#[test]
fn list_picker_decodes() {
    let c = assert_round_trip(&json!({
        "type": "LIST_PICKER", "fallbackText": "Pick one",
        "payload": {
            "title": { "content": "Choose a color" }, "text": { "content": "What is your favourite?" },
            "actions": [
                { "type": "REPLY_BUTTON", "text": "Red", "postback": "red", "description": "warm",
                  "icon": { "fileName": "red.png", "url": "https://x/red.png", "mimeType": "image/png" } },
                { "type": "REPLY_BUTTON", "text": "Blue" } ] } }));
    let MessageContent::ListPicker(l) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(
        (l.title.as_str(), l.text.as_str()),
        ("Choose a color", "What is your favourite?")
    );
    assert_eq!(l.actions[0].description.as_deref(), Some("warm"));
    assert_eq!(
        l.actions[0].icon.as_ref().map(|i| i.mime_type.as_str()),
        Some("image/png")
    );
    assert_eq!(l.actions[1].postback, None);
    assert_eq!(
        c.plain_text().as_deref(),
        Some("Choose a color\nWhat is your favourite?")
    );
    assert!(c.is_supported() && !c.is_hidden());
    // The answer to a button is TEXT with its postback.
    assert_eq!(
        MessageContent::reply(&l.actions[0]).to_value(),
        json!({ "type": "TEXT", "payload": { "text": "Red" }, "parameters": {}, "postback": "red" })
    );
}

#[test]
fn rich_link_decodes() {
    let c = assert_round_trip(&json!({
        "type": "RICH_LINK", "fallbackText": "https://example.com",
        "payload": { "title": { "content": "Our shop" }, "url": "https://example.com",
                     "media": { "fileName": "shop.jpg", "url": "https://x/shop.jpg", "mimeType": "image/jpeg" } } }));
    let MessageContent::RichLink(r) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(
        (r.title.as_str(), r.url.as_str(), r.media.file_name.as_str()),
        ("Our shop", "https://example.com", "shop.jpg")
    );
    assert_eq!(
        c.plain_text().as_deref(),
        Some("Our shop\nhttps://example.com")
    );
}

#[test]
fn time_picker_decodes() {
    let c = assert_round_trip(&json!({
        "type": "TIME_PICKER",
        "payload": { "title": { "content": "Book a call" },
                     "event": { "title": { "content": "Available slots" },
                                "timeSlots": [ { "id": "s1", "duration": 1800, "startTime": "2024-05-06T10:00:00+00:00" },
                                               { "id": "s2", "duration": 3600, "startTime": "2024-05-06T11:00:00.000Z" } ] } } }));
    let MessageContent::TimePicker(t) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(
        (t.title.as_str(), t.event_title.as_str()),
        ("Book a call", "Available slots")
    );
    assert_eq!(t.time_slots[1].duration, 3600);
    assert_eq!(
        t.time_slots[1].start_time.unix_ms(),
        t.time_slots[0].start_time.unix_ms() + 3_600_000
    );
    assert_eq!(c.fallback_text(), None);
}

#[test]
fn postback_content_decodes_and_is_hidden() {
    let raw = json!({ "type": "POSTBACK", "payload": { "text": "Yes", "postback": "{\"isExpired\":false}" },
                      "postback": "{\"isExpired\":false}" });
    let c = assert_round_trip(&raw);
    let MessageContent::Postback(p) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(
        (p.text.as_str(), p.postback.as_str()),
        ("Yes", "{\"isExpired\":false}")
    );
    assert!(c.is_supported() && c.is_hidden());
    assert_eq!(c.plain_text().as_deref(), Some("Yes"));
    // Android's inactivity-popup answer has exactly this shape.
    assert_eq!(
        MessageContent::from(PostbackContent::new("Yes", "{\"isExpired\":false}")).to_value(),
        raw
    );
}

const WORKFLOW: &str = "40180433-4438-4ef7-af4e-d6f69d3bda25";
const YES_ID: &str = "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d";
const NO_ID: &str = "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41";

/// The popup of PROTOCOL.md §3.9.7 with UUID button ids.
fn popup_json() -> Value {
    json!({ "type": "PLUGIN", "fallbackText": "Unsupported message content",
      "payload": { "postback": "", "elements": [ { "id": "p1", "type": "INACTIVITY_POPUP", "elements": [
        { "id": "e1", "type": "TITLE", "text": "Hello!" },
        { "id": "e2", "type": "TEXT", "text": "Lorem Impsum..." },
        { "id": "e3", "type": "COUNTDOWN", "variables": { "startedAt": "2024-05-06T20:45:53+00:00", "numberOfSeconds": 60 } },
        { "id": "e4", "type": "TEXT", "text": "Do you wish to continue?" },
        { "id": YES_ID, "type": "BUTTON", "text": "Yes",
          "postback": format!("{{\"type\":\"sessionExpiration\", \"isExpired\":false, \"workflowJobId\":\"{WORKFLOW}\"}}") },
        { "id": NO_ID, "type": "BUTTON", "text": "No",
          "postback": format!("{{\"type\":\"sessionExpiration\", \"isExpired\":true, \"workflowJobId\":\"{WORKFLOW}\"}}") } ] } ] } })
}

#[test]
fn inactivity_popup_is_recognised() {
    let raw = popup_json();
    let c = assert_round_trip(&raw);
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        raw,
        "raw-backed: re-encodes exactly"
    );
    let popup = c.inactivity_popup().unwrap_or_else(|| panic!("{c:?}"));
    assert_eq!(
        (popup.title.text.as_str(), popup.body.text.as_str()),
        ("Hello!", "Lorem Impsum...")
    );
    assert_eq!(popup.call_to_action.text, "Do you wish to continue?");
    assert_eq!(popup.countdown.number_of_seconds, 60);
    assert_eq!(
        popup.countdown.expires_at_unix_ms(),
        popup.countdown.started_at.unix_ms() + 60_000
    );
    assert_eq!(
        (popup.refresh.text.as_str(), popup.expire.text.as_str()),
        ("Yes", "No")
    );
    assert_eq!(popup.refresh.id.as_str(), YES_ID);
    assert!(!popup.refresh.session_expiration().unwrap().is_expired);
    assert_eq!(popup.message(), "Lorem Impsum... Do you wish to continue?");
    assert!(c.is_supported() && c.is_hidden());
    assert_eq!(c.fallback_text(), Some("Unsupported message content"));
    assert_eq!(
        c.plain_text().as_deref(),
        Some("Hello!\nLorem Impsum...\nDo you wish to continue?")
    );

    // The iOS answer repeats the button's text and postback verbatim.
    let answer = MessageContent::inactivity_popup_answer(&popup.expire).to_value();
    assert_eq!(answer["payload"]["text"], "No");
    assert_eq!(
        answer["postback"],
        raw["payload"]["elements"][0]["elements"][5]["postback"]
    );
    assert_eq!(
        answer["parameters"],
        json!({ "isInactivityPopupAnswer": true })
    );
}

#[test]
fn popup_buttons_are_told_apart_by_their_postback_not_their_position() {
    let mut raw = popup_json();
    raw["payload"]["elements"][0]["elements"]
        .as_array_mut()
        .unwrap()
        .swap(4, 5);
    let c = content(raw);
    let popup = c.inactivity_popup().unwrap();
    assert_eq!(
        (popup.refresh.text.as_str(), popup.expire.text.as_str()),
        ("Yes", "No")
    );
}

#[test]
fn the_top_level_inactivity_popup_form_ios_accepts_is_recognised() {
    let element = popup_json()["payload"]["elements"][0].take();
    let raw = json!({ "type": "INACTIVITY_POPUP", "payload": element });
    let c = assert_round_trip(&raw);
    assert_eq!(c.content_type(), "INACTIVITY_POPUP");
    assert_eq!(c.inactivity_popup().unwrap().id, "p1");
}

#[test]
fn a_popup_that_does_not_fit_stays_an_unsupported_plugin() {
    type Breakage = fn(&mut Value);
    let breakages: &[(&str, Breakage)] = &[
        ("no countdown", |v| {
            v.as_array_mut().unwrap().remove(2);
        }),
        ("same isExpired twice", |v| {
            let no = v[5]["postback"].as_str().unwrap().replace("true", "false");
            v[5]["postback"] = Value::String(no);
        }),
        ("postback not JSON", |v| v[4]["postback"] = json!("yes")),
        ("button id not a UUID", |v| v[4]["id"] = json!("yes-button")),
    ];
    for (what, breakage) in breakages {
        let mut raw = popup_json();
        breakage(&mut raw["payload"]["elements"][0]["elements"]);
        let c = assert_round_trip(&raw);
        assert!(
            matches!(&c, MessageContent::Plugin(p) if p.plugin_type() == Some("INACTIVITY_POPUP")),
            "{what}: {c:?}"
        );
        assert!(!c.is_supported(), "{what}");
        assert_eq!(
            c.fallback_text(),
            Some("Unsupported message content"),
            "{what}"
        );
    }
}

#[test]
fn popup_errors_say_what_is_missing() {
    let mut raw = popup_json();
    raw["payload"]["elements"][0]["elements"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    let element: PluginElement =
        serde_json::from_value(raw["payload"]["elements"][0].take()).unwrap();
    assert_eq!(
        InactivityPopup::from_element(&element),
        Err(PopupError::Missing("COUNTDOWN element"))
    );
    let not_a_popup = PluginElement::new("MENU");
    assert_eq!(
        InactivityPopup::from_element(&not_a_popup),
        Err(PopupError::NotAPopup("MENU".into()))
    );
}

#[test]
fn a_built_popup_uses_androids_element_order_and_decodes_back() {
    let text = |id: &str, text: &str| PopupText {
        id: id.into(),
        text: text.into(),
    };
    let popup = InactivityPopup {
        id: "p1".into(),
        title: text("e1", "Hello!"),
        body: text("e2", "Still there?"),
        call_to_action: text("e4", "Continue?"),
        countdown: PopupCountdown {
            id: "e3".into(),
            started_at: Timestamp::parse("2024-05-06T20:45:53+00:00").unwrap(),
            number_of_seconds: 60,
        },
        refresh: PopupButton::new(
            UuidString::parse(YES_ID).unwrap(),
            "Yes",
            &SessionExpirationPostback::refresh(WORKFLOW),
        ),
        expire: PopupButton::new(
            UuidString::parse(NO_ID).unwrap(),
            "No",
            &SessionExpirationPostback::expire(WORKFLOW),
        ),
    };
    let built = MessageContent::from(
        cxone_chat_protocol::cxone::content::InactivityPopupContent::new(
            popup.clone(),
            Some("Unsupported message content".into()),
        ),
    );
    let json = built.to_value();
    let order: Vec<&str> = json["payload"]["elements"][0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["TITLE", "TEXT", "COUNTDOWN", "TEXT", "BUTTON", "BUTTON"]
    );
    assert_eq!(
        json["payload"]["elements"][0]["elements"][2]["variables"]["startedAt"],
        "2024-05-06T20:45:53+00:00"
    );
    assert_eq!(content(json).inactivity_popup(), Some(&popup));
}

#[test]
fn unknown_types_and_unknown_plugins_decode_as_unsupported_with_their_fallback() {
    let unknown = json!({ "type": "CAROUSEL", "fallbackText": "See our offers", "payload": { "cards": [1, 2, 3] } });
    let c = assert_round_trip(&unknown);
    assert_eq!(serde_json::to_value(&c).unwrap(), unknown);
    let MessageContent::Unsupported(u) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(
        (u.content_type(), u.reason()),
        ("CAROUSEL", &UnsupportedReason::UnknownType)
    );
    assert!(!c.is_supported() && !c.is_hidden());
    assert_eq!(
        (c.fallback_text(), c.plain_text().as_deref()),
        (Some("See our offers"), Some("See our offers"))
    );

    let gallery = json!({ "type": "PLUGIN", "fallbackText": "Gallery", "payload": { "postback": "", "elements": [
        { "id": "g1", "type": "GALLERY", "elements": [ { "id": "m1", "type": "MENU" }, { "id": "m2", "type": "MENU" } ] } ] } });
    let c = assert_round_trip(&gallery);
    assert!(
        matches!(&c, MessageContent::Plugin(p) if p.plugin_type() == Some("GALLERY")),
        "{c:?}"
    );
    assert_eq!(c.fallback_text(), Some("Gallery"));

    // TEXT_AND_BUTTONS, DEEPLINK: any element type is fine.
    for kind in ["TEXT_AND_BUTTONS", "DEEPLINK", "SOMETHING_NEW"] {
        let c = content(
            json!({ "type": "PLUGIN", "payload": { "elements": [ { "type": kind, "unexpected": [true] } ] } }),
        );
        assert!(
            matches!(&c, MessageContent::Plugin(p) if p.plugin_type() == Some(kind)),
            "{c:?}"
        );
    }
}

#[test]
fn known_types_with_a_malformed_payload_decode_as_unsupported() {
    let cases = [
        (
            json!({ "type": "QUICK_REPLIES", "fallbackText": "fb", "payload": { "text": { "content": "hi" } } }),
            "actions",
        ),
        (
            json!({ "type": "QUICK_REPLIES", "payload": { "text": { "content": "hi" },
                 "actions": [ { "type": "URL_BUTTON", "text": "Go" } ] } }),
            "URL_BUTTON",
        ),
        (json!({ "type": "TEXT", "payload": {} }), "text"),
        (json!({ "type": "TEXT" }), "payload"),
        (
            json!({ "type": "RICH_LINK", "payload": { "title": { "content": "t" }, "url": "u" } }),
            "media",
        ),
        (
            json!({ "type": "PLUGIN", "payload": { "elements": [ { "id": "x" } ] } }),
            "type",
        ),
        (json!({ "type": "INACTIVITY_POPUP" }), "payload"),
    ];
    for (raw, mentioned) in cases {
        let c = assert_round_trip(&raw);
        let MessageContent::Unsupported(u) = &c else {
            panic!("{raw}: {c:?}")
        };
        let UnsupportedReason::Malformed(reason) = u.reason() else {
            panic!("{raw}: {u:?}")
        };
        assert!(reason.contains(mentioned), "{raw}: {reason}");
        assert_eq!(serde_json::to_value(&c).unwrap(), raw);
        assert!(!c.is_supported());
    }
}

#[test]
fn a_non_string_fallback_text_is_dropped_instead_of_failing_the_content() {
    let raw = json!({ "type": "TEXT", "payload": { "text": "hi" }, "fallbackText": { "en": "x" } });
    let c = assert_round_trip(&raw);
    assert!(
        matches!(&c, MessageContent::Text(t) if t.text == "hi"),
        "{c:?}"
    );
    assert_eq!(c.fallback_text(), None);
    let plugin =
        content(json!({ "type": "PLUGIN", "fallbackText": 7, "payload": { "elements": [] } }));
    assert!(matches!(&plugin, MessageContent::Plugin(_)), "{plugin:?}");
    assert_eq!(plugin.fallback_text(), None);
}

#[test]
fn only_a_missing_or_non_string_type_or_a_non_object_fails() {
    assert_eq!(
        MessageContent::from_value(json!({ "payload": {} })),
        Err(ContentError::MissingType)
    );
    assert_eq!(
        MessageContent::from_value(json!({ "type": 7 })),
        Err(ContentError::TypeNotAString)
    );
    assert_eq!(
        MessageContent::from_value(json!("TEXT")),
        Err(ContentError::NotAnObject)
    );
    let mut message = fixture("ios/MessageTypeText.json");
    message["messageContent"] = json!({ "payload": { "text": "x" } });
    let err = serde_json::from_value::<Message>(message)
        .unwrap_err()
        .to_string();
    assert!(err.contains("messageContent has no `type`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Hidden messages, outgoing constructors

fn text_with(text: &str, parameters: Value) -> MessageContent {
    content(json!({ "type": "TEXT", "payload": { "text": text }, "parameters": parameters }))
}

#[test]
fn hidden_messages_follow_the_parameter_flags() {
    let begin = text_with("Begin Conversation", json!({ "isInitialMessage": true }));
    assert!(begin.is_hidden());
    let MessageContent::Text(t) = &begin else {
        panic!()
    };
    assert!(t.is_begin_conversation());
    for key in ["isUnsupportedMessageTypeAnswer", "isInactivityPopupAnswer"] {
        assert!(
            text_with("anything", json!({ key: true })).is_hidden(),
            "{key}"
        );
        assert!(
            !text_with("anything", json!({ key: false })).is_hidden(),
            "{key}"
        );
    }
    // Only boolean true counts; arrays of objects are merged like iOS does.
    assert!(!text_with("x", json!({ "isInitialMessage": "true" })).is_hidden());
    assert!(text_with("x", json!([{ "other": 1 }, { "isInitialMessage": true }])).is_hidden());
    assert!(!text_with("x", json!([])).is_hidden());
    assert!(!text_with("x", json!({ "somethingElse": true })).is_hidden());
    let MessageContent::Text(t) = text_with("Begin Conversation", json!({})) else {
        panic!()
    };
    assert!(!t.is_begin_conversation() && !t.is_hidden());
}

#[test]
fn outgoing_text_has_the_exact_sdk_shape() {
    assert_eq!(
        MessageContent::text("Hello").to_value(),
        json!({ "type": "TEXT", "payload": { "text": "Hello" }, "parameters": {}, "postback": null })
    );
    let with_postback = TextContent::outgoing("Today").with_postback("{\"id\":\"1\"}");
    assert_eq!(
        MessageContent::from(with_postback).to_value(),
        json!({ "type": "TEXT", "payload": { "text": "Today" }, "parameters": {}, "postback": "{\"id\":\"1\"}" })
    );
    assert_eq!(
        MessageContent::from(TextContent::new("Hi")).to_value(),
        json!({ "type": "TEXT", "payload": { "text": "Hi" } })
    );
    assert_eq!(
        MessageContent::begin_conversation().to_value(),
        json!({ "type": "TEXT", "payload": { "text": "Begin Conversation" },
                "parameters": { "isInitialMessage": true }, "postback": null })
    );
    let answer = MessageContent::unsupported_content_answer(
        "The last agent's message is not supported in the mobile SDK: fb",
    );
    assert_eq!(
        answer.to_value()["parameters"],
        json!({ "isUnsupportedMessageTypeAnswer": true })
    );
    assert!(answer.is_hidden());
    let params = MessageParameters::new().with("custom", "v");
    assert_eq!(
        MessageContent::from(TextContent::outgoing("x").with_parameters(params)).to_value()["parameters"],
        json!({ "custom": "v" })
    );
}

#[test]
fn a_built_plugin_round_trips() {
    let payload = PluginPayload {
        postback: Some(String::new()),
        elements: vec![PluginElement::new("MENU").with_id("m").with_elements(vec![
            PluginElement::new("TEXT").with_text("Hi"),
            PluginElement::new("BUTTON").with_text("Go").with_postback("go"),
        ])],
    };
    let built = MessageContent::from(cxone_chat_protocol::cxone::content::PluginContent::new(
        payload.clone(),
        Some("fb".into()),
    ));
    let value = built.to_value();
    assert_eq!(value["type"], "PLUGIN");
    assert_eq!(value["fallbackText"], "fb");
    let MessageContent::Plugin(p) = content(value) else {
        panic!()
    };
    assert_eq!(p.payload(), &payload);
}

// ---------------------------------------------------------------------------------------------
// Round-trip property over generated content

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), s.prop_map(Some)].boxed()
}

fn small_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z ]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Sets `key` to `value` unless `value` is `None`; `Some(Value::Null)` writes an explicit null.
fn put(object: &mut Value, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        object[key] = v;
    }
}

fn button_json() -> impl Strategy<Value = Value> {
    ("[A-Za-z ]{0,10}", opt("[a-z0-9{}:\"]{0,10}"), opt("[a-z ]{0,10}"), any::<bool>()).prop_map(
        |(text, postback, description, icon)| {
            let mut b = json!({ "type": "REPLY_BUTTON", "text": text });
            put(&mut b, "postback", postback.map(Value::from));
            put(&mut b, "description", description.map(Value::from));
            if icon {
                b["icon"] = json!({ "fileName": "i.png", "url": "https://x/i.png", "mimeType": "image/png" });
            }
            b
        },
    )
}

fn content_json() -> impl Strategy<Value = Value> {
    let text = (
        "[A-Za-z ]{0,12}",
        opt(prop_oneof![Just(Value::Null), "[a-z/]{0,8}".prop_map(Value::from)]),
        opt(prop_oneof![
            Just(json!([])),
            Just(json!({})),
            any::<bool>().prop_map(|b| json!({ "isInitialMessage": b })),
            small_json()
        ]),
    )
        .prop_map(|(text, postback, parameters)| {
            let mut c = json!({ "type": "TEXT", "payload": { "text": text, "elements": [] }, "isAutoTranslated": false });
            put(&mut c, "postback", postback);
            put(&mut c, "parameters", parameters);
            c
        });
    let quick = ("[A-Za-z ]{0,12}", prop::collection::vec(button_json(), 0..4))
        .prop_map(|(text, actions)| json!({ "type": "QUICK_REPLIES", "payload": { "text": { "content": text }, "actions": actions } }));
    let list = ("[A-Za-z ]{0,12}", prop::collection::vec(button_json(), 0..4)).prop_map(|(title, actions)| {
        json!({ "type": "LIST_PICKER", "payload": { "title": { "content": title }, "text": { "content": "t" }, "actions": actions } })
    });
    let slots = prop::collection::vec(
        ("[a-z0-9]{1,4}", 0u64..100_000, 0i64..4_000_000_000_000)
            .prop_map(|(id, duration, ms)| json!({ "id": id, "duration": duration, "startTime": Timestamp::from_unix_ms_utc(ms) })),
        0..3,
    );
    let time = ("[A-Za-z ]{0,12}", slots).prop_map(|(title, slots)| {
        json!({ "type": "TIME_PICKER", "payload": { "title": { "content": title }, "event": { "title": { "content": "s" }, "timeSlots": slots } } })
    });
    let plugin = ("[A-Z_]{1,12}", small_json()).prop_map(|(kind, variables)| {
        json!({ "type": "PLUGIN", "payload": { "postback": "", "elements": [ { "id": "x", "type": kind, "variables": variables } ] } })
    });
    let unknown = ("[A-Z_]{1,12}", small_json())
        .prop_map(|(kind, payload)| json!({ "type": kind, "payload": payload }));
    (
        prop_oneof![text, quick, list, time, plugin, unknown],
        opt("[A-Za-z ]{0,12}"),
    )
        .prop_map(|(mut c, fallback)| {
            put(&mut c, "fallbackText", fallback.map(Value::from));
            c
        })
}

proptest! {
    #[test]
    fn re_encoding_is_a_subset_of_the_original_and_decodes_back_to_the_same(original in content_json()) {
        assert_round_trip(&original);
    }

    #[test]
    fn arbitrary_objects_with_a_string_type_always_decode(kind in "[A-Z_]{0,10}", body in small_json()) {
        let mut original = json!({ "payload": body });
        original["type"] = Value::String(kind);
        let decoded = assert_round_trip(&original);
        if !decoded.is_supported() {
            prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), original);
        }
    }
}
