//! Flow 4, "open chat" without secured sessions: legacy authorization, OAuth codes and tokens
//! over the socket, the keep-alives and the closing handshake (secured sessions: `secured.rs`).

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::sent::SentEvent;
use serde_json::json;

use crate::common::{Emu, assert_error, token_data};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_authorization_answers_with_consumer_authorized() {
    let emu = Emu::start().await;
    let mut c = emu.connect("chat_single").await;
    c.customer.first_name = Some("John".into());
    c.customer.last_name = Some("Doe".into());
    let reply = c.authorize_frame(None).await;

    let raw = reply.json();
    assert_eq!(raw["status"], "success", "the web SDK checks it");
    assert_eq!(
        raw["authorizationStatus"], "authorized",
        "the web SDK starts its heartbeat on it"
    );
    assert_eq!(raw["postback"]["eventType"], "ConsumerAuthorized");
    let event = reply.event();
    assert_eq!(event.status.as_deref(), Some("success"));
    let body = body!(reply, ConsumerAuthorized);
    assert_eq!(
        body.consumer_identity.id_on_external_platform,
        c.customer.id_on_external_platform
    );
    assert_eq!(body.consumer_identity.first_name.as_deref(), Some("John"));
    assert_eq!(body.consumer_identity.last_name.as_deref(), Some("Doe"));
    assert!(
        body.access_token.is_none(),
        "anonymous channels get no token"
    );
    assert!(body.customer.expect("customer").custom_fields.is_empty());

    // It went in under action `register` and was recorded as such.
    let records = emu.received("ws", Some("AuthorizeCustomer")).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["body"]["action"], "register");
    assert_eq!(records[0]["body"]["eventId"], event.event_id.as_str());
    let conns = emu.admin_get("connections").await;
    assert_eq!(
        conns[0]["customerId"],
        c.customer.id_on_external_platform.as_str()
    );
    assert_eq!(conns[0]["visitorId"], c.visitor.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_codes_tokens_reconnect_and_refresh() {
    let emu = Emu::start().await;
    let mut c = emu.connect("chat_oauth").await;

    // Nothing but authorization is served before it.
    let id = c.send(SentEvent::RecoverThread(Default::default())).await;
    assert_error(&c.reply(&id).await, &id, "CustomerAuthorizationFailed");
    let no_code = c.authorize_frame(None).await;
    let id = no_code.event_id().expect("id").to_owned();
    assert!(assert_error(&no_code, &id, "CustomerAuthorizationFailed").contains("code"));

    let authorized = c.authorize(Some("alice:1")).await;
    let identity = &authorized.consumer_identity;
    assert_eq!(identity.id_on_external_platform, "oauth-alice");
    assert_eq!(identity.first_name.as_deref(), Some("Alice"));
    let token = authorized.access_token.expect("OAuth channels get a token");
    assert_eq!(token.expires_in, Some(3600));
    // Recovery now works for the OAuth identity ("no thread yet" is normal).
    let id = c.send(SentEvent::RecoverThread(Default::default())).await;
    assert_error(&c.reply(&id).await, &id, "RecoveringThreadFailed");

    // Codes are single-use.
    let mut again = emu.connect("chat_oauth").await;
    let reused = again.authorize_frame(Some("alice:1")).await;
    let id = reused.event_id().expect("id").to_owned();
    assert!(assert_error(&reused, &id, "CustomerAuthorizationFailed").contains("already used"));

    // A later connection reconnects with the token instead (both spellings).
    for ios_spelling in [false, true] {
        let mut later = emu.connect("chat_oauth").await;
        let reply = later
            .request(SentEvent::ReconnectConsumer {
                ios_spelling,
                data: token_data(&token.token),
            })
            .await;
        assert_eq!(reply.event().event_type, "ConsumerReconnected");
        assert_eq!(reply.json()["postback"]["eventType"], "ConsumerReconnected");
    }
    let mut bad = emu.connect("chat_oauth").await;
    let id = bad
        .send(SentEvent::ReconnectConsumer {
            ios_spelling: false,
            data: token_data("emu-access.forged"),
        })
        .await;
    assert_error(&bad.reply(&id).await, &id, "ConsumerReconnectionFailed");

    // Refresh: a new token; the old one is spent.
    let refreshed = c
        .request(SentEvent::RefreshToken(token_data(&token.token)))
        .await;
    assert_eq!(refreshed.json()["postback"]["eventType"], "TokenRefreshed");
    let new_token = body!(refreshed, TokenRefreshed).access_token;
    assert_ne!(new_token.token, token.token);
    assert_eq!(new_token.expires_in, Some(3600));
    let id = c
        .send(SentEvent::ReconnectConsumer {
            ios_spelling: false,
            data: token_data(&token.token),
        })
        .await;
    assert_error(&c.reply(&id).await, &id, "ConsumerReconnectionFailed");

    // Messages need the current token.
    let thread = UuidString::new_v4();
    let (id, _) = c
        .send_content(
            &thread,
            cxone_chat_protocol::cxone::content::MessageContent::text("hi"),
            |_| {},
        )
        .await;
    assert!(assert_error(&c.reply(&id).await, &id, "SendingMessageFailed").contains("token"));
    let echo = c
        .say_with(&thread, "hi", |d| {
            d.access_token = Some(token_data(&new_token.token).access_token)
        })
        .await;
    assert_eq!(
        body!(echo, MessageCreated).case.thread_id(),
        Some(thread.clone())
    );

    // Expired tokens: reconnect fails, refresh still works and yields a usable token.
    let expired = emu.admin("faults/expire-tokens", json!({})).await;
    assert!(expired["expired"].as_u64().expect("count") >= 1);
    let mut after = emu.connect("chat_oauth").await;
    let id = after
        .send(SentEvent::ReconnectConsumer {
            ios_spelling: false,
            data: token_data(&new_token.token),
        })
        .await;
    assert_error(&after.reply(&id).await, &id, "ConsumerReconnectionFailed");
    let third = body!(
        after
            .request(SentEvent::RefreshToken(token_data(&new_token.token)))
            .await,
        TokenRefreshed
    )
    .access_token;
    let reply = after
        .request(SentEvent::ReconnectConsumer {
            ios_spelling: true,
            data: token_data(&third.token),
        })
        .await;
    assert_eq!(reply.event().event_type, "ConsumerReconnected");
    // The reconnected customer is Alice again: her thread is there.
    let recovered = body!(after.recover(None).await, ThreadRecovered);
    assert_eq!(recovered.thread.id_on_external_platform, thread);
    // Unknown tokens cannot be refreshed.
    let id = after
        .send(SentEvent::RefreshToken(token_data("nope")))
        .await;
    assert_error(&after.reply(&id).await, &id, "TokenRefreshingFailed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_get_pong_and_pings_get_pongs() {
    let emu = Emu::start().await;
    let mut c = emu.connect("chat_single").await;
    for _ in 0..3 {
        let pong = c.heartbeat().await;
        assert_eq!(pong.text, "\"pong\"", "exactly the JSON string");
    }
    c.ping(b"are you there").await;
    // Heartbeats need no authorization and are recorded.
    let records = emu.received("ws", Some("heartbeat")).await;
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["body"], json!({"action": "heartbeat"}));
    // The socket is still fine for real work.
    c.authorize(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_close_is_answered_with_a_close_frame() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    c.close(1000).await;
    match c.ending().await {
        crate::common::Ending::Closed(Some(frame)) => assert_eq!(u16::from(frame.code), 1000),
        other => panic!("the closing handshake was not completed: {other:?}"),
    }
}
