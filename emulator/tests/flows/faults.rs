//! Faults injected through the admin API, and bad input from the client: the emulator answers
//! the way the real gateway would and keeps serving.

use cxone_chat_protocol::cxone::common::{CustomerIdentity, UuidString};
use cxone_chat_protocol::cxone::received::ReceivedFrame;
use cxone_chat_protocol::cxone::rest::TokenRequest;
use cxone_chat_protocol::cxone::sent::SentEvent;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::common::{Emu, Ending, assert_error, assert_is_ack, uuid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_authorizations_fail_once_each() {
    let emu = Emu::start().await;
    emu.admin("faults", json!({"refuseAuthorizations": 2}))
        .await;
    let mut c = emu.connect("chat_single").await;
    let refused = c.authorize_frame(None).await;
    let id = refused.event_id().expect("id").to_owned();
    assert!(assert_error(&refused, &id, "CustomerAuthorizationFailed").contains("fault"));
    // The token endpoint counts against the same budget.
    let request =
        serde_json::to_value(TokenRequest::anonymous(CustomerIdentity::new(uuid()))).expect("json");
    let r = emu.token("chat_secure", &request).await;
    assert_eq!(r.status, 401, "{}", r.text());
    // Budget spent: both work again.
    c.authorize(None).await;
    assert_eq!(emu.token("chat_secure", &request).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delayed_reply_arrives_after_later_traffic_and_before_its_echo() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    emu.admin("faults", json!({"delayRepliesMs": {"SendMessage": 300}}))
        .await;
    let thread = UuidString::new_v4();
    let (id, message) = c
        .send_content(
            &thread,
            cxone_chat_protocol::cxone::content::MessageContent::text("slow"),
            |_| {},
        )
        .await;
    let pong = c.heartbeat().await;
    let ack = c.reply(&id).await;
    assert_is_ack(&ack, &id);
    assert!(pong.seq < ack.seq, "the pong overtook the delayed ack");
    // The echo of the message still follows its ack.
    let echo = c.echo_of(&message).await;
    assert!(
        ack.seq < echo.seq,
        "echo (#{}) before ack (#{})",
        echo.seq,
        ack.seq
    );
    // Other replies are not delayed; clearing the delay restores order.
    let recovered = c.recover(Some(&thread)).await;
    assert_eq!(recovered.event().event_type, "ThreadRecovered");
    emu.admin("faults", json!({"delayRepliesMs": {"SendMessage": 0}}))
        .await;
    let (id, _) = c
        .send_content(
            &thread,
            cxone_chat_protocol::cxone::content::MessageContent::text("fast"),
            |_| {},
        )
        .await;
    let pong = c.heartbeat().await;
    let ack = c.reply(&id).await;
    assert!(ack.seq < pong.seq, "no delay any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withheld_reply_never_comes_but_the_next_one_does() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    emu.admin("faults", json!({"withholdReplies": {"RecoverThread": 1}}))
        .await;
    let lost = c.send(SentEvent::RecoverThread(Default::default())).await;
    let answered = c.recover(None).await;
    let id = answered.event_id().expect("id").to_owned();
    assert_ne!(id, lost);
    assert_error(&answered, &id, "RecoveringThreadFailed");
    // Replies on one socket keep their order, so had the first been sent it would be here.
    assert!(
        !c.has_pending(|f| f.event_id() == Some(lost.as_str())),
        "{:?}",
        c.pending_texts()
    );
    // Other request types were never affected.
    let auth = c.authorize_frame(None).await;
    assert_eq!(auth.event().event_type, "ConsumerAuthorized");

    // `*` withholds the next reply of any type, once.
    emu.admin("faults", json!({"withholdReplies": {"*": 1}}))
        .await;
    let lost = c.send(SentEvent::FetchThreadList).await;
    let answered = c.recover(None).await;
    assert!(answered.is_error("RecoveringThreadFailed"));
    assert!(!c.has_pending(|f| f.event_id() == Some(lost.as_str())));
    let listed = c.request(SentEvent::FetchThreadList).await;
    assert_eq!(listed.event().event_type, "ThreadListFetched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_forgets_everything_but_keeps_sockets_open() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = UuidString::new_v4();
    c.say(&thread, "before the reset").await;
    emu.admin("faults", json!({"failChannelConfig": 5})).await;
    emu.admin("reset", json!({})).await;
    assert_eq!(emu.admin_get("threads").await, json!([]));
    assert!(emu.received("ws", None).await.is_empty());
    let config = emu.get("/chat/1.0/brand/1000/channel/chat_single").await;
    assert_eq!(config.status, 200, "faults are cleared");
    // The socket survives; anonymous channels trust the payload's identity, which now has
    // no threads.
    c.heartbeat().await;
    let listed = body!(
        c.request(SentEvent::FetchThreadList).await,
        ThreadListFetched
    );
    assert!(listed.threads.is_empty());
    let recovered = c.recover(Some(&thread)).await;
    assert!(
        recovered.is_error("RecoveringThreadFailed"),
        "{}",
        recovered.text
    );
    // Connections opened after the reset are served alongside the old one.
    let mut later = emu.connect_authorized("chat_single").await;
    later.say(&UuidString::new_v4(), "after the reset").await;
    c.heartbeat().await;
    later.heartbeat().await;
    let conns = emu.admin_get("connections").await;
    let ids: Vec<_> = conns
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["connection"].clone())
        .collect();
    assert_eq!(ids.len(), 2, "{conns}");
    assert_ne!(ids[0], ids[1]);

    // Unknown admin routes say where to look.
    let r = emu.get("/admin/nothing-here").await;
    assert_eq!(r.status, 404);
    assert!(r.text().contains("/admin/nothing-here"), "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_sockets_end_abruptly_or_with_the_close_code() {
    let emu = Emu::start().await;
    let mut abrupt = emu.connect_authorized("chat_single").await;
    let mut graceful = emu.connect_authorized("chat_single").await;
    let bystander_id = CustomerIdentity::new(uuid());
    let mut bystander = emu
        .connect_as("chat_single", bystander_id, None)
        .await
        .expect("open");
    bystander.authorize(None).await;

    let who = abrupt.customer.id_on_external_platform.clone();
    let r = emu
        .admin("faults/drop-sockets", json!({"customerId": who}))
        .await;
    assert_eq!(r["connections"].as_array().map(Vec::len), Some(1));
    match abrupt.ending().await {
        Ending::Dropped(how) => assert!(!how.is_empty()),
        Ending::Closed(frame) => panic!("expected no close frame, got {frame:?}"),
    }

    let who = graceful.customer.id_on_external_platform.clone();
    emu.admin(
        "faults/drop-sockets",
        json!({"customerId": who, "closeCode": 1011}),
    )
    .await;
    match graceful.ending().await {
        Ending::Closed(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Error);
            assert_eq!(u16::from(frame.code), 1011);
        }
        other => panic!("expected close 1011, got {other:?}"),
    }

    // Everyone else is still served, and new connections work.
    bystander.heartbeat().await;
    let mut fresh = emu.connect_authorized("chat_single").await;
    fresh.heartbeat().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_frames_reach_the_client_verbatim() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let who = c.customer.id_on_external_platform.clone();
    emu.admin(
        "raw",
        json!({"customerId": who, "text": "{not json at all"}),
    )
    .await;
    let frame = c
        .wait_for("the raw text", |f| f.text == "{not json at all")
        .await;
    assert!(frame.decoded.is_err(), "clients must survive it");
    let custom = json!({"eventId": "x-1", "eventType": "SomethingNew", "data": {"n": 1}});
    emu.admin("raw", json!({"customerId": who, "frame": custom}))
        .await;
    let frame = c
        .wait_for("the raw frame", |f| f.event_id() == Some("x-1"))
        .await;
    assert_eq!(frame.json(), custom);
    assert_eq!(frame.event().event_type, "SomethingNew");
    let r = emu.post("/admin/raw", &json!({"customerId": who})).await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_get_gateway_errors_and_the_connection_survives() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let mut other = emu.connect_authorized("chat_single").await;
    for (text, message) in [
        ("not json", "Internal server error"),
        (r#"{"foo":1}"#, "Forbidden"),
        (r#"{"action":"nope"}"#, "Forbidden"),
        (
            r#"{"action":"chatWindowEvent","eventId":"e-1"}"#,
            "Forbidden",
        ),
        ("[1,2,3]", "Forbidden"),
    ] {
        c.send_text(text).await;
        let frame = c
            .wait_for("a gateway error", |f| {
                matches!(f.decoded, Ok(ReceivedFrame::GatewayError(_)))
            })
            .await;
        let raw = frame.json();
        let keys: Vec<&String> = raw.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["connectionId", "message", "requestId"], "{text}");
        assert_eq!(raw["message"], message, "{text}");
        assert!(raw["connectionId"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(UuidString::parse(raw["requestId"].as_str().expect("requestId")).is_ok());
        // Still usable, and the other connection is served meanwhile.
        c.heartbeat().await;
        other.heartbeat().await;
    }
    assert_eq!(emu.received("ws", Some("malformed")).await.len(), 5);

    // An event type nobody knows: an operation error naming it.
    let id = c
        .send(SentEvent::Other {
            event_type: "DoSomethingNew".into(),
            data: Some(json!({"a": 1})),
        })
        .await;
    let message = assert_error(&c.reply(&id).await, &id, "InconsistentData");
    assert!(message.contains("DoSomethingNew"), "{message}");

    // A payload for another brand or channel than the socket's.
    for (brand, channel) in [(1001, "chat_single"), (1000, "chat_multi")] {
        let (id, frame) = c.frame_for(SentEvent::RecoverThread(Default::default()));
        let mut v = frame.to_value();
        v["payload"]["brand"]["id"] = json!(brand);
        v["payload"]["channel"]["id"] = json!(channel);
        c.send_text(&v.to_string()).await;
        let message = assert_error(&c.reply(&id).await, &id, "InconsistentData");
        assert!(
            message.contains(channel) && message.contains(&brand.to_string()),
            "{message}"
        );
    }
    // Both connections still do real work.
    let recovered = c.recover(None).await;
    assert!(recovered.is_error("RecoveringThreadFailed"));
    other.say(&UuidString::new_v4(), "still here").await;
}
