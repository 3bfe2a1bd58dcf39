//! Every real CXone document in `../shared/cxone/fixtures/` decodes into the type it is, and
//! re-encodes without inventing or changing anything; every frame the official web SDK sent in
//! the recorded traces decodes too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cxone_chat_protocol::cxone::decode::{Decoded, Document, decode_document, decode_value};
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame, Shape};
use cxone_chat_protocol::cxone::sent::{IdentityKey, OutgoingFrame, SentEvent};
use serde_json::Value;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cxone")
}

/// What each fixture is. The test fails if a fixture is added to the folder without an entry
/// here, so a new document is never silently skipped.
const EXPECTED: &[(&str, &str)] = &[
    (
        "android/attachment-upload.success.json",
        "AttachmentUploadResponse",
    ),
    (
        "android/channel-availability.online.json",
        "ChannelAvailability",
    ),
    (
        "android/channel-config.error.sdk-version-not-supported.json",
        "RestError",
    ),
    ("android/channelconfiguration.json", "ChannelConfiguration"),
    (
        "android/inactivity-popup.button-postback.expire.json",
        "InactivityPopupPostback",
    ),
    (
        "android/inactivity-popup.button-postback.refresh.json",
        "InactivityPopupPostback",
    ),
    (
        "android/oauth-token.error.api-error-model.json",
        "TokenError",
    ),
    (
        "android/oauth-token.error.invalid-credentials.json",
        "TokenError",
    ),
    ("android/oauth-token.error.invalid_grant.json", "TokenError"),
    (
        "android/oauth-token.transaction-token-response.json",
        "TransactionTokenResponse",
    ),
    (
        "android/oauth-token.transaction-token-response.minimal.json",
        "TransactionTokenResponse",
    ),
    ("ios/AccessToken.json", "AccessToken"),
    ("ios/AgentTypingEnded.json", "SenderTypingEnded"),
    ("ios/AgentTypingStarted.json", "SenderTypingStarted"),
    ("ios/AttachmentUpload.json", "AttachmentUploadResponse"),
    (
        "ios/AttachmentUploadSuccessResponse.json",
        "AttachmentUploadResponse",
    ),
    ("ios/AuthorizeCustomer.json", "AuthorizeCustomerData"),
    (
        "ios/CaseInboxAssigneeChanged.json",
        "CaseInboxAssigneeChanged",
    ),
    // Hand-written skeletons whose eventType is the literal "String": iOS keeps them as
    // generic events, and so do we.
    (
        "ios/CaseInboxAssigneeChanged__2022-05-10.json",
        "GenericEvent",
    ),
    ("ios/CaseStatusChanged.json", "CaseStatusChanged"),
    (
        "ios/ChannelConfiguration+SSKVersionNotSupported.json",
        "RestError",
    ),
    ("ios/ChannelConfiguration.json", "ChannelConfiguration"),
    (
        "ios/ChannelConfiguration__2024-07-15.json",
        "ChannelConfiguration",
    ),
    (
        "ios/ConsumerAuthorizedWithAccessToken.json",
        "ConsumerAuthorized",
    ),
    ("ios/CustomMessageCreatedEvent.json", "MessageCreated"),
    ("ios/CustomPopup.json", "FireProactiveAction"),
    ("ios/CustomerAuthorizedEvent.json", "ConsumerAuthorized"),
    ("ios/CustomerReconnectedEvent.json", "CustomerReconnected"),
    ("ios/EndContact.json", "EndContact"),
    ("ios/EventInS3+ThreadRecovered.json", "EventInS3"),
    (
        "ios/FireProactiveAction+WelcomeMessage.json",
        "FireProactiveAction",
    ),
    ("ios/LivechatRecoveredEvent.json", "LivechatRecovered"),
    ("ios/MessageAddedIntoCaseEvent.json", "MessageAddedIntoCase"),
    ("ios/MessageCreated.json", "MessageCreated"),
    ("ios/MessageCreatedEvent.json", "MessageCreated"),
    ("ios/MessagePostSuccess.json", "GenericEvent"),
    ("ios/MessageReadEventByAgent.json", "MessageReadChanged"),
    (
        "ios/MessageReadEventByAgent__2022-05-10.json",
        "GenericEvent",
    ),
    ("ios/MessageTypePluginCustom.json", "Message"),
    ("ios/MessageTypePluginDeeplink.json", "Message"),
    ("ios/MessageTypePluginMenu.json", "Message"),
    ("ios/MessageTypePluginQuickReplies.json", "Message"),
    ("ios/MessageTypePluginSatisfactionSurvey.json", "Message"),
    ("ios/MessageTypeQuickReplies.json", "Message"),
    ("ios/MessageTypeText.json", "Message"),
    ("ios/MoreMessagesLoaded.json", "MoreMessagesLoaded"),
    ("ios/OperationError.json", "OperationError"),
    (
        "ios/ProActiveActionCustomPopupWithEmtyVariables.json",
        "FireProactiveAction",
    ),
    (
        "ios/ReconnectCustomer+RefreshToken.data.json",
        "AccessTokenData",
    ),
    ("ios/ResponseCreateMessageEvent.json", "MessageCreated"),
    ("ios/ServerError.json", "GatewayError"),
    ("ios/SetPositionInQueue.json", "SetPositionInQueue"),
    (
        "ios/StoreVisitorEventsPayloadDTO.json",
        "StoreVisitorEvents",
    ),
    ("ios/ThreadArchived.json", "ThreadArchived"),
    ("ios/ThreadListFetchedEvent.json", "ThreadListFetched"),
    ("ios/ThreadMetadataLoadedEvent.json", "ThreadMetadataLoaded"),
    ("ios/ThreadRecovered.json", "ThreadRecovered"),
    ("ios/ThreadRecoveredEvent.json", "ThreadRecovered"),
    ("ios/TokenRefreshed.json", "TokenRefreshed"),
    ("ios/WelcomeMessage.json", "FireProactiveAction"),
    ("ios/authorize.json", "ConsumerAuthorized"),
    ("ios/consumerAuthorized.json", "ConsumerAuthorized"),
    ("ios/loadConfigResponse.json", "ChannelConfiguration"),
    ("ios/recoverThreadEvenResponse.json", "ThreadRecovered"),
    ("ios/threadMetadaLoaded.json", "ThreadMetadataLoaded"),
];

fn fixture_files() -> Vec<String> {
    let root = shared().join("fixtures");
    let mut out = Vec::new();
    for dir in ["android", "ios"] {
        for entry in
            std::fs::read_dir(root.join(dir)).expect("fixtures folder beside the repository")
        {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".json") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

fn load(rel: &str) -> (String, Value) {
    let text = std::fs::read_to_string(shared().join("fixtures").join(rel)).unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

/// `small ⊆ big`: every key of every object in `small` exists in `big` with a value that is
/// again a subset; arrays match element by element; scalars are equal.
fn assert_subset(small: &Value, big: &Value, path: &str) {
    match (small, big) {
        (Value::Object(s), Value::Object(b)) => {
            for (k, v) in s {
                let Some(bv) = b.get(k) else {
                    panic!("{path}.{k}: re-encoding invented a key")
                };
                assert_subset(v, bv, &format!("{path}.{k}"));
            }
        }
        (Value::Array(s), Value::Array(b)) => {
            assert_eq!(s.len(), b.len(), "{path}: array length changed");
            for (i, (sv, bv)) in s.iter().zip(b).enumerate() {
                assert_subset(sv, bv, &format!("{path}[{i}]"));
            }
        }
        (s, b) => assert_eq!(s, b, "{path}: value changed"),
    }
}

/// Decoded ⇒ re-encoded ⊆ original, and decoding the re-encoding gives the same thing.
fn assert_lossless(decoded: &Decoded, original: &Value, what: &str) {
    let again = decoded.value();
    assert_subset(&again, original, what);
    let redecoded =
        decode_value(&again).unwrap_or_else(|e| panic!("{what}: re-encoding does not decode: {e}"));
    assert_eq!(&redecoded, decoded, "{what}: decode(encode(x)) != x");
}

#[test]
fn every_fixture_is_listed_and_every_listed_fixture_exists() {
    let listed: Vec<String> = EXPECTED.iter().map(|(f, _)| (*f).to_owned()).collect();
    assert_eq!(
        fixture_files(),
        listed,
        "the fixture table and the folder disagree"
    );
    assert_eq!(listed.len(), 65, "PROTOCOL's fixture set has 65 documents");
}

#[test]
fn every_fixture_decodes_into_its_kind_and_reencodes_losslessly() {
    let mut failures = BTreeMap::new();
    for (file, kind) in EXPECTED {
        let (text, original) = load(file);
        match decode_document(&text) {
            Ok(d) if d.kind == *kind => assert_lossless(&d, &original, file),
            Ok(d) => {
                failures.insert(*file, format!("decoded as {} instead of {kind}", d.kind));
            }
            Err(e) => {
                failures.insert(*file, format!("failed: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures did not decode as expected:\n{failures:#?}",
        failures.len()
    );
}

fn received_event(file: &str) -> cxone_chat_protocol::cxone::received::ReceivedEvent {
    match decode_document(&load(file).0).unwrap().document {
        Document::Received(ReceivedFrame::Event(e)) => *e,
        other => panic!("{file}: not an event: {other:?}"),
    }
}

#[test]
fn thread_recovery_keeps_what_the_sdks_read() {
    let e = received_event("ios/ThreadRecoveredEvent.json");
    assert_eq!(e.shape, Shape::Postback);
    let EventBody::ThreadRecovered(r) = e.body else {
        panic!("{:?}", e.body)
    };
    let contact = r.contact().expect("contact");
    assert!(!contact.id().is_empty());
    assert!(!r.messages.is_empty());
    assert_eq!(
        Some(r.thread.id_on_external_platform.clone()),
        contact.thread_id()
    );
    // Newest first on the wire.
    let keys: Vec<i64> = r.messages.iter().map(|m| m.sort_key()).collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "{keys:?}");

    // The 2022 capture uses `consumerContact`; the accessor hides the difference.
    let old = received_event("ios/recoverThreadEvenResponse.json");
    let EventBody::ThreadRecovered(r) = old.body else {
        panic!()
    };
    assert!(r.contact.is_none() && r.contact().is_some());
}

#[test]
fn pushes_carry_their_metadata() {
    let e = received_event("ios/MessageCreatedEvent.json");
    assert_eq!(e.shape, Shape::Push);
    assert_eq!(e.event_object.as_deref(), Some("Message"));
    assert_eq!(
        e.created_at.as_ref().unwrap().as_str(),
        "2022-08-04T19:27:35+01:00"
    );
    let EventBody::MessageCreated(m) = e.body else {
        panic!()
    };
    assert_eq!(m.case.id(), "131988342510");
    assert_eq!(
        m.message.thread_id().unwrap().as_str(),
        "3118D0DF-99AA-49E9-A115-C5B98736DEE7"
    );

    let s3 = received_event("ios/EventInS3+ThreadRecovered.json");
    let EventBody::EventInS3(s) = s3.body else {
        panic!()
    };
    assert_eq!(s.origin_event.event_type, "ThreadRecovered");
    assert!(s.s3_object.url.starts_with("https://"));

    let q = received_event("ios/SetPositionInQueue.json");
    let EventBody::SetPositionInQueue(q) = q.body else {
        panic!()
    };
    assert_eq!(
        (q.consumer_contact.id.as_str(), q.position_in_queue),
        ("12345", 10)
    );
}

#[test]
fn token_refresh_reads_the_top_level_event_type_and_the_token() {
    let e = received_event("ios/TokenRefreshed.json");
    let EventBody::TokenRefreshed(t) = &e.body else {
        panic!()
    };
    assert_eq!(t.access_token.expires_in, Some(3600));
    assert!(t.access_token.token.starts_with("Atza|"));
    assert!(
        !format!("{e:?}").contains("Atza|"),
        "tokens must not reach debug output"
    );
}

#[test]
fn operation_and_gateway_errors_are_recognised() {
    let d = decode_document(&load("ios/OperationError.json").0).unwrap();
    let Document::Received(ReceivedFrame::OperationError(e)) = d.document else {
        panic!()
    };
    assert_eq!(e.error_code, "InconsistentData");
    assert_eq!(e.event_id, "52E519A4-60FD-4A40-9EF8-19E051A02AAB");
    let d = decode_document(&load("ios/ServerError.json").0).unwrap();
    let Document::Received(ReceivedFrame::GatewayError(g)) = d.document else {
        panic!()
    };
    assert_eq!(g.message, "Message error");
}

#[test]
fn sent_payloads_accept_either_identity_key() {
    let d = decode_document(&load("ios/EndContact.json").0).unwrap();
    let Document::SentPayload(p) = d.document else {
        panic!()
    };
    assert_eq!(p.identity.as_ref().unwrap().0, IdentityKey::Customer);
    let SentEvent::EndContact(end) = &p.event else {
        panic!()
    };
    assert_eq!(end.contact.id, "12345");
    let consumer = load("ios/EndContact.json")
        .0
        .replace("customerIdentity", "consumerIdentity");
    let Document::SentPayload(p2) = decode_document(&consumer).unwrap().document else {
        panic!()
    };
    assert_eq!(p2.identity.as_ref().unwrap().0, IdentityKey::Consumer);
    assert_eq!(p2.identity.unwrap().1, p.identity.unwrap().1);
}

/// The recorded traces hold frames the official web SDK (2.2.0 and 3.3.0) really sent.
#[test]
fn every_frame_of_the_web_sdk_traces_decodes() {
    let mut seen = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(shared().join("websdk-traces")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let step: Value = serde_json::from_str(line).unwrap();
            for frame in step["frames"].as_array().into_iter().flatten() {
                let dir = frame["dir"].as_str().unwrap_or_default();
                let Some(json) = frame.get("json") else {
                    continue;
                };
                let what = format!("{}:{} {dir} {json}", path.display(), n + 1);
                match dir {
                    "out" => {
                        let f = OutgoingFrame::from_value(json)
                            .unwrap_or_else(|e| panic!("{what}: {e}"));
                        if let OutgoingFrame::Event { payload, .. } = &f {
                            kinds.insert(payload.event.event_type().to_owned());
                            // Web-only events (PROTOCOL.md §3.0) are carried verbatim; everything a
                            // mobile SDK also sends must be modelled.
                            let web_only = [
                                "GenerateAuthorizationToken",
                                "SendPageViews",
                                "StoreVisitor",
                                "SendOfflineMessage",
                                "AddVisitorTags",
                                "RemoveVisitorTags",
                                "SendMessagePreview",
                            ];
                            if matches!(payload.event, SentEvent::Other { .. }) {
                                assert!(
                                    web_only.contains(&payload.event.event_type()),
                                    "{what}: unmodelled event"
                                );
                            }
                        }
                        assert_lossless(&decode_value(json).unwrap(), json, &what);
                    }
                    // Replies came from a hand-made stand-in, not from CXone (WEB-SDK-TRACES.md),
                    // so they are no evidence of the real shape and are not checked here.
                    _ => continue,
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 20, "only {seen} client frames found in the traces");
    for k in ["AuthorizeCustomer", "RecoverThread", "SendMessage"] {
        assert!(
            kinds.contains(k),
            "no {k} among the web SDK's frames: {kinds:?}"
        );
    }
}

/// REST request bodies have no fixtures; the shapes of PROTOCOL.md §1 are recognised by kind.
#[test]
fn rest_request_bodies_are_recognised() {
    let cases = [
        (
            r#"{"customerIdentity":{"idOnExternalPlatform":"c0ffee00"},"browserFingerprint":{"os":"iOS","deviceToken":"5a1c"}}"#,
            "VisitorRegistration",
        ),
        (
            r#"{"id":"6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d","type":"PageView","visitId":"0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41","destination":{"id":"a3d1c0b2-3e4f-4a5b-8c6d-7e8f9a0b1c2d"},"createdAtWithMilliseconds":"2024-05-06T20:45:53.654Z","data":{"title":"Home","url":"app://home"}}"#,
            "AnalyticsEvent",
        ),
        (
            r#"{"content":"aGVsbG8=","mimeType":"text/plain","fileName":"a.txt"}"#,
            "AttachmentUploadRequest",
        ),
        (
            r#"{"thirdParty":{"grant_type":"refresh_token","refresh_token":"r"}}"#,
            "TokenRequest",
        ),
        (
            r#"{"type":"Anonymous","customerIdentity":{"idOnExternalPlatform":"c"}}"#,
            "TokenRequest",
        ),
        ("{}", "TokenRequest"),
    ];
    for (text, kind) in cases {
        let d = decode_document(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(d.kind, kind, "{text}");
        assert_lossless(&d, &serde_json::from_str(text).unwrap(), text);
    }
}
