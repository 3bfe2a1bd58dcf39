//! The WebSocket connection manager against the in-process emulator over real sockets:
//! correlation of replies, operation errors, acks and pushes, timeouts, dropped and closed
//! connections, heartbeats, handshake rejection and hostile frames.

use crate::upstream_support as support;

use std::time::Duration;

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chat_protocol::cxone::sent::OutgoingFrame;
use cxone_chatd::upstream::socket::{
    self, CloseKind, ConnectError, ConnectionClosed, Inbound, RequestError, SocketConfig,
};
use serde_json::json;
use support::*;

/// Connects to `channel` and authorizes a fresh anonymous customer.
async fn authorized(
    emu: &cxone_emulator::Emulator,
    channel: &str,
    config: &SocketConfig,
) -> (
    Session,
    socket::SocketHandle,
    cxone_chatd::upstream::socket::InboundReceiver,
) {
    let session = Session::new(emu, channel);
    let (handle, rx) = session.connect(config).await.expect("connects");
    let reply = handle
        .request(session.authorize())
        .await
        .expect("authorized");
    assert_eq!(reply.event_type, "ConsumerAuthorized");
    (session, handle, rx)
}

#[tokio::test]
async fn authorize_customer_is_answered_by_consumer_authorized_with_the_same_event_id() {
    let emu = emulator().await;
    let session = Session::new(&emu, "chat_single");
    let (handle, _rx) = session.connect(&socket_config()).await.unwrap();
    let request = session.authorize();
    let id = event_id(&request);
    let reply = handle.request(request).await.unwrap();
    assert_eq!(reply.event_id, id);
    let EventBody::ConsumerAuthorized(data) = &reply.body else {
        panic!("{reply:?}");
    };
    assert_eq!(
        data.consumer_identity.id_on_external_platform,
        session.customer
    );
    assert_eq!(reply.status.as_deref(), Some("success"));
}

#[tokio::test]
async fn an_operation_error_fails_the_request_with_its_code() {
    let emu = emulator().await;
    let (session, handle, _rx) = authorized(&emu, "chat_single", &socket_config()).await;
    let error = handle.request(session.recover(None)).await.unwrap_err();
    match &error {
        RequestError::Operation {
            code,
            message,
            transaction_id,
        } => {
            assert_eq!(code, "RecoveringThreadFailed");
            assert_eq!(message, "Thread not found.");
            assert!(
                UuidString::parse(transaction_id).is_ok(),
                "{transaction_id}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn send_message_is_acknowledged_and_then_echoed_as_a_push() {
    let emu = emulator().await;
    let (session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    let thread = UuidString::new_v4();
    let (request, message_id) = session.send_message(&thread, "hello there");
    let id = event_id(&request);
    let ack = handle.request(request).await.unwrap();
    assert_eq!(ack.event_id, id);
    assert_eq!(ack.event_type, "", "a plain {{eventId}} ack");
    assert_eq!(ack.body, EventBody::Other(None));

    let created = inbound_until(&mut rx, |item| match item {
        Inbound::Frame(ReceivedFrame::Event(e)) => match &e.body {
            EventBody::MessageCreated(m) if m.message.id_on_external_platform == message_id => {
                Some(m.clone())
            }
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(created.message.thread_id(), Some(thread));
    assert_eq!(
        created.message.message_content.plain_text().as_deref(),
        Some("hello there")
    );
}

#[tokio::test]
async fn a_withheld_reply_times_out_and_the_connection_keeps_working() {
    let emu = emulator().await;
    let (session, handle, _rx) = authorized(&emu, "chat_single", &socket_config()).await;
    faults(&emu, json!({"withholdReplies": {"RecoverThread": 1}})).await;
    let short = Duration::from_millis(300);
    let error = handle
        .request_with_timeout(session.recover(None), short)
        .await
        .unwrap_err();
    assert_eq!(error, RequestError::Timeout { after: short });
    let next = handle.request(session.recover(None)).await.unwrap_err();
    assert!(
        matches!(next, RequestError::Operation { ref code, .. } if code == "RecoveringThreadFailed"),
        "{next:?}"
    );
}

#[tokio::test]
async fn a_dropped_socket_closes_uncleanly_and_fails_pending_requests() {
    let emu = emulator().await;
    let (session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    faults(&emu, json!({"withholdReplies": {"RecoverThread": 1}})).await;
    let pending = {
        let (handle, frame) = (handle.clone(), session.recover(None));
        tokio::spawn(async move {
            handle
                .request_with_timeout(frame, Duration::from_secs(30))
                .await
        })
    };
    wait_received(&emu, "RecoverThread", 1).await;
    admin_post(&emu, "faults/drop-sockets", json!({})).await;

    let result = tokio::time::timeout(PATIENCE, pending)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.unwrap_err(), RequestError::ConnectionLost);
    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed {
            code,
            clean,
            reason,
        } => Some((*code, *clean, reason.clone())),
        _ => None,
    })
    .await;
    assert_eq!((closed.0, closed.1), (None, false), "{closed:?}");
    assert!(!handle.is_open());
    assert_eq!(
        handle.send(session.authorize()).await,
        Err(ConnectionClosed)
    );
    assert_eq!(
        handle.request(session.recover(None)).await.unwrap_err(),
        RequestError::ConnectionLost
    );
    assert!(rx.recv().await.is_none(), "Closed is the last item");
}

#[tokio::test]
async fn a_close_frame_from_the_server_is_a_clean_close_with_its_code() {
    let emu = emulator().await;
    let (_session, _handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    admin_post(&emu, "faults/drop-sockets", json!({"closeCode": 4001})).await;
    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed {
            code,
            clean,
            reason,
        } => Some((*code, *clean, reason.clone())),
        _ => None,
    })
    .await;
    assert_eq!(closed.0, Some(4001));
    assert!(closed.1, "clean");
    assert_eq!(closed.2, "closed by the emulator's admin API");
}

#[tokio::test]
async fn heartbeats_are_answered_with_pong() {
    let emu = emulator().await;
    let config = SocketConfig {
        heartbeat_interval: Duration::from_millis(50),
        pong_timeout: Duration::from_millis(2000),
        ..socket_config()
    };
    let (_session, handle, _rx) = authorized(&emu, "chat_single", &config).await;
    let mut liveness = handle.liveness();
    let seen = tokio::time::timeout(PATIENCE, liveness.wait_for(|l| l.pongs_received >= 3))
        .await
        .expect("three pongs in time")
        .expect("the driver is running")
        .clone();
    assert!(seen.heartbeats_sent >= 3);
    assert!(seen.last_pong.is_some());
    let heartbeats = received(&emu, "heartbeat").await;
    assert!(heartbeats.len() >= 3);
    assert_eq!(heartbeats[0]["body"], json!({"action": "heartbeat"}));
    assert!(handle.is_open());
}

#[tokio::test]
async fn a_rejected_handshake_is_told_apart_from_network_failure() {
    let emu = emulator().await;
    let session = Session::new(&emu, "chat_secure");
    let rest = rest();
    let forged = socket::connect(
        &session.socket_url(Some("forged-token")),
        &socket_config(),
        rest.clone(),
    )
    .await
    .unwrap_err();
    match &forged {
        ConnectError::HandshakeRejected {
            status: 401,
            message,
        } => {
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains("transactionToken")),
                "{message:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        forged.to_string().contains("new transaction token"),
        "{forged}"
    );
    let missing = socket::connect(&session.socket_url(None), &socket_config(), rest.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(missing, ConnectError::HandshakeRejected { status: 401, .. }),
        "{missing:?}"
    );
    let unknown = Session::new(&emu, "chat_nope");
    let error = socket::connect(&unknown.socket_url(None), &socket_config(), rest.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectError::HandshakeRejected { status: 404, .. }),
        "{error:?}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = url::Url::parse(&format!("ws://127.0.0.1:{port}/")).unwrap();
    let error = socket::connect(&nowhere, &socket_config(), rest)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectError::Network(_)), "{error:?}");
}

#[tokio::test]
async fn hostile_frames_are_reported_and_the_connection_keeps_working() {
    let emu = emulator().await;
    let (session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    let raw = |text: &str| json!({ "text": text });
    for text in [
        "not json",
        r#"{"foo": 1}"#,
        r#"{"eventId": "x", "postback": {"eventType": "ThreadRecovered", "data": {"thread": 7}}}"#,
        r#"{"eventId": 5}"#,
    ] {
        admin_post(&emu, "raw", raw(text)).await;
        match next_inbound(&mut rx).await {
            Inbound::Undecodable { text_len, error } => {
                assert_eq!(text_len, text.len(), "{error}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    admin_post(
        &emu,
        "raw",
        json!({"frame": {"message": "Internal server error", "connectionId": "c-1", "requestId": "r-1"}}),
    )
    .await;
    match next_inbound(&mut rx).await {
        Inbound::GatewayError(g) => assert_eq!(g.request_id.as_deref(), Some("r-1")),
        other => panic!("{other:?}"),
    }
    // Still connected and correlating.
    let error = handle.request(session.recover(None)).await.unwrap_err();
    assert!(matches!(error, RequestError::Operation { .. }), "{error:?}");
    assert!(handle.is_open());
}

#[tokio::test]
async fn an_undecodable_reply_fails_its_request_at_once() {
    let emu = emulator().await;
    let (session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    faults(&emu, json!({"withholdReplies": {"RecoverThread": 1}})).await;
    let request = session.recover(None);
    let id = event_id(&request);
    let pending = {
        let handle = handle.clone();
        tokio::spawn(async move {
            handle
                .request_with_timeout(request, Duration::from_secs(30))
                .await
        })
    };
    wait_received(&emu, "RecoverThread", 1).await;
    let broken = json!({"eventId": id, "postback": {"eventType": "ThreadRecovered", "data": {"messages": "x"}}});
    admin_post(&emu, "raw", json!({ "frame": broken })).await;
    let result = tokio::time::timeout(PATIENCE, pending)
        .await
        .unwrap()
        .unwrap();
    match result {
        Err(RequestError::Undecodable(e)) => assert!(e.path.starts_with("postback.data"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        next_inbound(&mut rx).await,
        Inbound::Undecodable { .. }
    ));
}

#[tokio::test]
async fn close_sends_the_code_ends_with_one_closed_and_refuses_more_requests() {
    let emu = emulator().await;
    let (session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    handle.close(CloseKind::GoingAway).await;
    assert!(!handle.is_open());
    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed { code, clean, .. } => Some((*code, *clean)),
        _ => None,
    })
    .await;
    assert_eq!(closed, (Some(1001), true));
    assert!(rx.recv().await.is_none());
    assert_eq!(
        handle.request(session.recover(None)).await.unwrap_err(),
        RequestError::ConnectionLost
    );
    assert_eq!(
        handle.request(OutgoingFrame::Heartbeat).await.unwrap_err(),
        RequestError::NotARequest
    );
}

#[tokio::test]
async fn dropping_every_handle_closes_the_connection() {
    let emu = emulator().await;
    let (_session, handle, mut rx) = authorized(&emu, "chat_single", &socket_config()).await;
    let clone = handle.clone();
    drop(handle);
    assert!(clone.is_open(), "one handle is left");
    drop(clone);
    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed { code, clean, .. } => Some((*code, *clean)),
        _ => None,
    })
    .await;
    assert_eq!(closed, (Some(1000), true));
}
