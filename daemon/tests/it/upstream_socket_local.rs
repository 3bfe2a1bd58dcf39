//! The WebSocket connection manager against a scripted local gateway, for what the emulator
//! cannot do on purpose: stay silent to heartbeats, ping, delay a large-event download while
//! more frames arrive, or answer late.

use crate::upstream_support as support;

use std::time::Duration;

use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chatd::upstream::RestError;
use cxone_chatd::upstream::rest::RestConfig;
use cxone_chatd::upstream::socket::{Inbound, LargeEventError, RequestError, SocketConfig};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::*;
use tokio_tungstenite::tungstenite::Message;

/// The next text frame the fake gateway receives, as JSON (pings and pongs skipped).
async fn server_text(
    server: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, server.next())
            .await
            .expect("a frame in time")
            .expect("the client is connected")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).expect("the client sends JSON");
        }
    }
}

/// Reads the client's frames until one with an `eventId` arrives; returns that id.
async fn next_request_id(
    server: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
) -> String {
    loop {
        let frame = server_text(server).await;
        if let Some(id) = frame["eventId"].as_str() {
            return id.to_owned();
        }
    }
}

fn session() -> Session {
    // Only used to build frames; the fake gateway does not look at brand or channel.
    Session {
        endpoints: cxone_chatd::upstream::Endpoints::named(
            cxone_chat_protocol::rpc::types::EnvironmentName::EU1,
        ),
        channel: "chat_fake".into(),
        customer: "customer".into(),
        visitor: "visitor".into(),
        sdk: Default::default(),
    }
}

#[tokio::test]
async fn a_missing_pong_closes_the_connection_and_fails_pending_requests() {
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        heartbeat_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(300),
        ..socket_config()
    };
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &config, rest()).await;
    let pending = {
        let handle = handle.clone();
        tokio::spawn(async move {
            handle
                .request_with_timeout(session().recover(None), Duration::from_secs(30))
                .await
        })
    };
    // The server reads everything and answers nothing.
    let first = server_text(&mut server).await;
    assert!(
        first["eventId"].is_string(),
        "the request came first: {first}"
    );
    assert_eq!(
        server_text(&mut server).await,
        json!({"action": "heartbeat"})
    );

    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed {
            code,
            clean,
            reason,
        } => Some((*code, *clean, reason.clone())),
        _ => None,
    })
    .await;
    assert_eq!((closed.0, closed.1), (None, false));
    assert!(closed.2.contains("\"pong\""), "{}", closed.2);
    let result = tokio::time::timeout(PATIENCE, pending)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.unwrap_err(), RequestError::ConnectionLost);
    assert_eq!(handle.liveness().borrow().pongs_received, 0);
    // The client tore the TCP connection down: the server's stream ends.
    let rest = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(_)) = server.next().await {}
    })
    .await;
    assert!(rest.is_ok(), "the server saw the connection end");
}

#[tokio::test]
async fn a_pong_in_time_keeps_the_connection() {
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        heartbeat_interval: Duration::from_millis(50),
        pong_timeout: Duration::from_millis(500),
        ..socket_config()
    };
    let (handle, _rx, mut server) = connect_fake(&mut gateway, &config, rest()).await;
    for _ in 0..5 {
        assert_eq!(
            server_text(&mut server).await,
            json!({"action": "heartbeat"})
        );
        server.send(Message::Text("\"pong\"".into())).await.unwrap();
    }
    let mut liveness = handle.liveness();
    tokio::time::timeout(PATIENCE, liveness.wait_for(|l| l.pongs_received >= 5))
        .await
        .unwrap()
        .unwrap();
    assert!(handle.is_open());
}

#[tokio::test]
async fn a_pong_late_behind_a_stream_of_frames_keeps_the_connection() {
    // A busy back end answers the heartbeat only after the frames written before it: the
    // connection delivers all along, so it is not presumed dead.
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        heartbeat_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(300),
        ..socket_config()
    };
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &config, rest()).await;
    assert_eq!(
        server_text(&mut server).await,
        json!({"action": "heartbeat"})
    );
    // A second of other frames, every 50 ms, before the pong: three pong timeouts' worth.
    for _ in 0..20 {
        server
            .send(Message::Text(r#"{"type":"something"}"#.into()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.send(Message::Text("\"pong\"".into())).await.unwrap();
    let mut liveness = handle.liveness();
    tokio::time::timeout(PATIENCE, liveness.wait_for(|l| l.pongs_received >= 1))
        .await
        .unwrap()
        .unwrap();
    assert!(handle.is_open(), "not dropped while frames kept coming");
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(10), rx.recv()).await {
        assert!(!matches!(item, Inbound::Closed { .. }), "{item:?}");
    }
}

#[tokio::test]
async fn websocket_pings_are_answered() {
    let mut gateway = fake_gateway().await;
    let (_handle, _rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest()).await;
    server
        .send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(PATIENCE, async {
        loop {
            match server.next().await {
                Some(Ok(Message::Pong(data))) => return data,
                Some(Ok(_)) => continue,
                other => panic!("{other:?}"),
            }
        }
    })
    .await
    .expect("a pong in time");
    assert_eq!(pong.as_ref(), b"are you there");
}

/// Pushes behind a large event wait for its download; a reply to another request does not (a
/// slow bucket must not make a delivered request time out), and the large event still answers
/// the request it is the reply to.
#[tokio::test]
async fn frames_after_a_large_event_wait_for_its_download() {
    let s = session();
    let (first, second) = (s.recover(None), s.recover(None));
    let (first_id, second_id) = (event_id(&first), event_id(&second));
    // The bucket answers slowly; meanwhile a push and the second reply arrive on the socket.
    let parked = json!({"eventId": first_id, "postback": {"eventType": "ThreadArchived"}});
    let bucket = fake_http(move |_, _| {
        FakeResponse::new(200, parked.to_string()).after(Duration::from_millis(400))
    })
    .await;
    let mut gateway = fake_gateway().await;
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest()).await;

    let mut first_reply = Box::pin(handle.request(first));
    let mut second_reply = Box::pin(handle.request(second));
    let mut order = Vec::new();
    let script = async {
        let mut ids = vec![
            next_request_id(&mut server).await,
            next_request_id(&mut server).await,
        ];
        ids.sort();
        let mut expected = vec![first_id.clone(), second_id.clone()];
        expected.sort();
        assert_eq!(ids, expected);
        let s3 = event_in_s3(&format!("{}/s3/parked.json", bucket.base), "ThreadArchived");
        server.send(text(s3)).await.unwrap();
        server
            .send(text(
                json!({"eventId": "push-1", "eventType": "SomethingNew", "data": {}}),
            ))
            .await
            .unwrap();
        server
            .send(text(json!({"eventId": second_id})))
            .await
            .unwrap();
    };
    // Drive the requests (so they are sent) while the server script runs.
    tokio::select! {
        biased;
        r = &mut first_reply => panic!("resolved before the server answered: {r:?}"),
        r = &mut second_reply => panic!("resolved before the server answered: {r:?}"),
        () = script => {}
    }
    // Whenever more than one thing is ready, this loop takes them in the order below; if the
    // first reply is ready whenever anything later is, it is recorded first.
    let mut first_done = false;
    let mut second_done = false;
    let mut push_seen = false;
    while !(first_done && second_done && push_seen) {
        tokio::select! {
            biased;
            r = &mut first_reply, if !first_done => {
                assert_eq!(r.unwrap().event_type, "ThreadArchived");
                first_done = true;
                order.push("first reply");
            }
            r = &mut second_reply, if !second_done => {
                assert_eq!(r.unwrap().event_id, second_id);
                second_done = true;
                order.push("second reply");
            }
            item = rx.recv(), if !push_seen => match item {
                Some(Inbound::Frame(ReceivedFrame::Event(e))) if e.event_id == "push-1" => {
                    push_seen = true;
                    order.push("push");
                }
                other => panic!("unexpected {other:?}"),
            },
        }
    }
    let at = |what: &str| order.iter().position(|o| *o == what).unwrap();
    assert!(at("first reply") < at("push"), "{order:?}");
    // The second reply came while the download still ran: it was not held behind it.
    assert_eq!(order[0], "second reply", "{order:?}");
    assert_eq!(bucket.count(), 1);
}

#[tokio::test]
async fn a_failed_download_is_reported_in_its_place() {
    let bucket = fake_http(|_, _| FakeResponse::new(500, "no")).await;
    let mut gateway = fake_gateway().await;
    let rest = rest_with(RestConfig {
        large_event_attempts: 2,
        ..RestConfig::default()
    });
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest).await;
    server
        .send(text(event_in_s3(
            &format!("{}/s3/gone.json?X-Amz-Signature=secret", bucket.base),
            "MessageCreated",
        )))
        .await
        .unwrap();
    server
        .send(text(
            json!({"eventId": "push-after", "eventType": "X", "data": {}}),
        ))
        .await
        .unwrap();
    match next_inbound(&mut rx).await {
        Inbound::LargeEventFailed { url, error } => {
            assert_eq!(url, format!("{}/s3/gone.json", bucket.base), "no signature");
            assert!(
                matches!(
                    error,
                    LargeEventError::Download(RestError::DownloadLargeEvent {
                        status: Some(500),
                        attempts: 2,
                        ..
                    })
                ),
                "{error:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    match next_inbound(&mut rx).await {
        Inbound::Frame(ReceivedFrame::Event(e)) => assert_eq!(e.event_id, "push-after"),
        other => panic!("{other:?}"),
    }
    assert_eq!(bucket.count(), 2);
    assert!(handle.is_open());
}

#[tokio::test]
async fn a_nested_or_undecodable_download_is_refused() {
    let nested_url = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let inner = nested_url.clone();
    let bucket = fake_http(move |_, path| match path {
        "/s3/one.json" => {
            FakeResponse::new(200, event_in_s3(&inner.lock().unwrap(), "X").to_string())
        }
        _ => FakeResponse::new(
            200,
            "{\"eventId\": \"r-9\", \"postback\": {\"eventType\": \"ThreadRecovered\"}}",
        ),
    })
    .await;
    *nested_url.lock().unwrap() = format!("{}/s3/again.json", bucket.base);
    let mut gateway = fake_gateway().await;
    let (_handle, mut rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest()).await;
    server
        .send(text(event_in_s3(
            &format!("{}/s3/one.json", bucket.base),
            "X",
        )))
        .await
        .unwrap();
    server
        .send(text(event_in_s3(
            &format!("{}/s3/two.json", bucket.base),
            "X",
        )))
        .await
        .unwrap();
    match next_inbound(&mut rx).await {
        Inbound::LargeEventFailed {
            error: LargeEventError::Nested,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    match next_inbound(&mut rx).await {
        Inbound::LargeEventFailed {
            error: LargeEventError::Undecodable(e),
            ..
        } => {
            assert_eq!(e.path, "postback.data", "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(bucket.count(), 2, "the nested link was not followed");
}

#[tokio::test]
async fn late_replies_and_unknown_ids_arrive_as_frames() {
    let mut gateway = fake_gateway().await;
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest()).await;
    let request = session().recover(None);
    let id = event_id(&request);
    let short = Duration::from_millis(200);
    let (result, _) = tokio::join!(
        handle.request_with_timeout(request, short),
        next_request_id(&mut server)
    );
    assert_eq!(result.unwrap_err(), RequestError::Timeout { after: short });
    server
        .send(text(
            json!({"eventId": id, "postback": {"eventType": "ThreadArchived"}}),
        ))
        .await
        .unwrap();
    server
        .send(text(json!({"eventId": "nobody", "error": {"errorCode": "InconsistentData", "transactionId": "t", "errorMessage": "m"}})))
        .await
        .unwrap();
    match next_inbound(&mut rx).await {
        Inbound::Frame(ReceivedFrame::Event(e)) => {
            assert_eq!(e.event_id, id);
            assert_eq!(e.body, EventBody::ThreadArchived);
        }
        other => panic!("{other:?}"),
    }
    match next_inbound(&mut rx).await {
        Inbound::Frame(ReceivedFrame::OperationError(e)) => {
            assert_eq!(e.error_code, "InconsistentData")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn request_ids_must_be_unique_while_waiting() {
    let mut gateway = fake_gateway().await;
    let (handle, _rx, mut server) = connect_fake(&mut gateway, &socket_config(), rest()).await;
    let request = session().recover(None);
    let id = event_id(&request);
    let waiting = {
        let (handle, request) = (handle.clone(), request.clone());
        tokio::spawn(async move { handle.request(request).await })
    };
    assert_eq!(next_request_id(&mut server).await, id);
    assert_eq!(
        handle.request(request).await.unwrap_err(),
        RequestError::DuplicateEventId {
            event_id: id.clone()
        }
    );
    server.send(text(json!({"eventId": id}))).await.unwrap();
    let reply = tokio::time::timeout(PATIENCE, waiting)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(reply.event_id, id);
}

#[tokio::test]
async fn frames_over_the_size_limit_end_the_connection() {
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        max_message_size: 1024,
        ..socket_config()
    };
    let (_handle, mut rx, mut server) = connect_fake(&mut gateway, &config, rest()).await;
    let huge = json!({"eventId": "big", "eventType": "X", "data": {"pad": "x".repeat(4096)}});
    let _ = server.send(text(huge)).await;
    let closed = inbound_until(&mut rx, |item| match item {
        Inbound::Closed { clean, reason, .. } => Some((*clean, reason.clone())),
        _ => None,
    })
    .await;
    assert!(!closed.0);
    assert!(
        closed.1.contains("too long") || closed.1.contains("Space limit"),
        "{}",
        closed.1
    );
}

#[tokio::test]
async fn a_tls_failure_is_reported_as_tls() {
    // Something that answers a TLS ClientHello with plain HTTP: the handshake must fail as TLS
    // (and must not panic for want of a rustls CryptoProvider).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let url = url::Url::parse(&format!("wss://127.0.0.1:{port}/")).unwrap();
    let error = cxone_chatd::upstream::socket::connect(&url, &socket_config(), rest())
        .await
        .unwrap_err();
    assert!(
        matches!(error, cxone_chatd::upstream::ConnectError::Tls(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("trust store"), "{error}");
}

#[tokio::test]
async fn frames_received_before_a_close_are_still_delivered() {
    let s = session();
    let request = s.recover(None);
    let id = event_id(&request);
    let parked = json!({"eventId": id, "postback": {"eventType": "ThreadArchived"}});
    let bucket = fake_http(move |_, _| {
        FakeResponse::new(200, parked.to_string()).after(Duration::from_millis(300))
    })
    .await;
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        close_timeout: Duration::from_millis(200),
        ..socket_config()
    };
    let (handle, mut rx, mut server) = connect_fake(&mut gateway, &config, rest()).await;
    let mut reply = Box::pin(handle.request(request));
    let script = async {
        next_request_id(&mut server).await;
        let s3 = event_in_s3(&format!("{}/s3/last.json", bucket.base), "ThreadArchived");
        server.send(text(s3)).await.unwrap();
        server
            .send(text(
                json!({"eventId": "last-push", "eventType": "X", "data": {}}),
            ))
            .await
            .unwrap();
        server.close(None).await.unwrap();
    };
    tokio::select! {
        biased;
        r = &mut reply => panic!("answered before the server script ran: {r:?}"),
        () = script => {}
    }
    // The server closed (and keeps its TCP end open, which must not hang the client); the
    // parked reply still resolves the request and the push is still delivered, before Closed.
    let reply = tokio::time::timeout(PATIENCE, reply)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.body, EventBody::ThreadArchived);
    match next_inbound(&mut rx).await {
        Inbound::Frame(ReceivedFrame::Event(e)) => assert_eq!(e.event_id, "last-push"),
        other => panic!("{other:?}"),
    }
    match next_inbound(&mut rx).await {
        Inbound::Closed { clean, .. } => assert!(clean),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        handle.request(s.recover(None)).await.unwrap_err(),
        RequestError::ConnectionLost
    );
}

#[tokio::test]
async fn a_pause_behind_a_slow_download_does_not_count_as_a_missing_pong() {
    let parked = json!({"eventId": "parked", "eventType": "X", "data": {}});
    let bucket = fake_http(move |_, _| {
        FakeResponse::new(200, parked.to_string()).after(Duration::from_millis(600))
    })
    .await;
    let mut gateway = fake_gateway().await;
    let config = SocketConfig {
        heartbeat_interval: Duration::from_millis(50),
        pong_timeout: Duration::from_millis(150),
        max_held_frames: 3,
        ..socket_config()
    };
    let (handle, mut rx, server) = connect_fake(&mut gateway, &config, rest()).await;
    // The server answers every heartbeat at once, from its own task.
    let (mut sink, mut stream) = server.split();
    let (out, mut queue) = tokio::sync::mpsc::unbounded_channel::<Message>();
    tokio::spawn(async move {
        while let Some(message) = queue.recv().await {
            if sink.send(message).await.is_err() {
                return;
            }
        }
    });
    let replies = out.clone();
    tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            if message.to_text().is_ok_and(|t| t.contains("heartbeat")) {
                let _ = replies.send(Message::Text("\"pong\"".into()));
            }
        }
    });
    // Ten frames behind a download that takes 600 ms: reading pauses after the third.
    let s3 = event_in_s3(&format!("{}/s3/slow.json", bucket.base), "X");
    out.send(text(s3)).unwrap();
    for n in 0..10 {
        out.send(text(
            json!({"eventId": format!("push-{n}"), "eventType": "X", "data": {}}),
        ))
        .unwrap();
    }
    let mut ids = Vec::new();
    while ids.len() < 11 {
        match next_inbound(&mut rx).await {
            Inbound::Frame(ReceivedFrame::Event(e)) => ids.push(e.event_id.clone()),
            other => panic!("after {ids:?}: {other:?}"),
        }
    }
    let expected: Vec<String> = std::iter::once("parked".to_owned())
        .chain((0..10).map(|n| format!("push-{n}")))
        .collect();
    assert_eq!(ids, expected);
    assert!(handle.is_open(), "the paused deadline did not fire");
    let mut liveness = handle.liveness();
    let before = liveness.borrow().pongs_received;
    tokio::time::timeout(PATIENCE, liveness.wait_for(|l| l.pongs_received > before))
        .await
        .unwrap()
        .unwrap();
}
