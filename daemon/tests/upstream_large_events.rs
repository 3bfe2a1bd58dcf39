//! Large events through the emulator's bucket (`large_event_threshold: 2048` forces
//! `EventInS3` for every frame above 2 KiB): a recovery with a long history arrives whole, with
//! its request's `eventId`, before anything pushed after it; a failing bucket is reported.

#[path = "upstream_support.rs"]
mod support;

use std::time::Duration;

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chatd::upstream::RestClient;
use cxone_chatd::upstream::rest::RestConfig;
use cxone_chatd::upstream::socket::{self, Inbound, RequestError};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};
use support::*;

const MESSAGES: usize = 21;

async fn small_threshold_emulator() -> cxone_emulator::Emulator {
    let config = EmulatorConfig {
        large_event_threshold: 2048,
        ..config_with([("chat_quiet", quiet_channel())])
    };
    emulator_with(config).await
}

/// Every bucket download the emulator served so far.
async fn bucket_downloads(emu: &cxone_emulator::Emulator) -> usize {
    let all: Value = reqwest::get(format!("{}/admin/received?transport=rest", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("GET /s3/"))
        })
        .count()
}

/// An authorized customer of the quiet channel with a thread of `MESSAGES` messages.
async fn customer_with_history(
    emu: &cxone_emulator::Emulator,
    rest: RestClient,
) -> (
    Session,
    socket::SocketHandle,
    tokio::sync::mpsc::Receiver<Inbound>,
    UuidString,
) {
    let session = Session::new(emu, "chat_quiet");
    let (handle, rx) = socket::connect(&session.socket_url(None), &socket_config(), rest)
        .await
        .unwrap();
    handle.request(session.authorize()).await.unwrap();
    let thread = UuidString::new_v4();
    for n in 0..MESSAGES {
        let (frame, _) = session.send_message(&thread, &format!("message number {n}"));
        handle.request(frame).await.unwrap();
    }
    assert_eq!(
        bucket_downloads(emu).await,
        0,
        "small frames travel on the socket"
    );
    (session, handle, rx, thread)
}

#[tokio::test]
async fn a_large_recovery_resolves_its_request_before_later_pushes() {
    let emu = small_threshold_emulator().await;
    // The first download fails and the retry waits at least 400 ms: long enough for the push
    // to arrive on the socket while the large reply is still being fetched.
    let slow_retry = RestClient::new(RestConfig {
        retry_min_delay: Duration::from_millis(400),
        retry_max_delay: Duration::from_millis(400),
        ..RestConfig::default()
    })
    .unwrap();
    let (session, handle, mut rx, thread) = customer_with_history(&emu, slow_retry).await;
    faults(&emu, json!({"failBucketDownloads": 1})).await;

    let request = session.recover(Some(&thread));
    let id = event_id(&request);
    let mut reply = Box::pin(handle.request(request));
    // Send the request and wait until the emulator has answered it (with an EventInS3) before
    // the agent speaks, so the push is queued behind the large reply on the socket.
    tokio::select! {
        biased;
        r = &mut reply => panic!("answered before the emulator recorded the request: {r:?}"),
        _ = wait_received(&emu, "RecoverThread", 1) => {}
    }
    let said = admin_post(
        &emu,
        "agent/say",
        json!({"threadId": thread.as_str(), "text": "pushed after the recovery"}),
    )
    .await;
    let agent_message = said["messageId"].as_str().unwrap().to_owned();

    // Polled first whenever both are ready: if the reply was resolved before the push was
    // delivered, the reply always wins.
    let mut order = Vec::new();
    let mut recovered = None;
    while recovered.is_none() || order.len() < 2 {
        tokio::select! {
            biased;
            r = &mut reply, if recovered.is_none() => {
                recovered = Some(r.expect("the large reply resolves the request"));
                order.push("reply");
            }
            item = rx.recv() => match item {
                Some(Inbound::Frame(ReceivedFrame::Event(e))) => match &e.body {
                    EventBody::MessageCreated(m)
                        if m.message.id_on_external_platform.as_str() == agent_message =>
                    {
                        order.push("push");
                    }
                    // Echoes of the customer's own messages may still be arriving.
                    _ => {}
                },
                other => panic!("unexpected {other:?}"),
            },
        }
    }
    assert_eq!(order, ["reply", "push"]);
    let recovered = recovered.unwrap();
    assert_eq!(recovered.event_id, id);
    assert_eq!(recovered.event_type, "ThreadRecovered");
    let EventBody::ThreadRecovered(data) = &recovered.body else {
        panic!("{recovered:?}");
    };
    assert_eq!(data.messages.len(), MESSAGES);
    assert_eq!(data.thread.id_on_external_platform, thread);
    assert_eq!(
        bucket_downloads(&emu).await,
        2,
        "the reply came through the bucket, at the second try"
    );
}

#[tokio::test]
async fn a_failing_bucket_is_reported_and_the_request_times_out() {
    let emu = small_threshold_emulator().await;
    let rest = rest_with(RestConfig {
        large_event_attempts: 2,
        ..RestConfig::default()
    });
    let (session, handle, mut rx, thread) = customer_with_history(&emu, rest).await;
    faults(&emu, json!({"failBucketDownloads": 2})).await;
    let short = Duration::from_millis(1500);
    let outcome = handle
        .request_with_timeout(session.recover(Some(&thread)), short)
        .await;
    assert_eq!(outcome.unwrap_err(), RequestError::Timeout { after: short });
    let (url, error) = inbound_until(&mut rx, |item| match item {
        Inbound::LargeEventFailed { url, error } => Some((url.clone(), format!("{error:?}"))),
        _ => None,
    })
    .await;
    assert!(url.contains("/s3/chat/large-websocket-events/"), "{url}");
    assert!(!url.contains("Signature"), "{url}");
    assert!(
        error.contains("DownloadLargeEvent") && error.contains("500"),
        "{error}"
    );

    // The fault is used up: the next recovery arrives through the bucket again.
    let reply = handle
        .request(session.recover(Some(&thread)))
        .await
        .unwrap();
    assert!(matches!(reply.body, EventBody::ThreadRecovered(_)));
}
