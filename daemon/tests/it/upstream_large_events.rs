//! Large events through the emulator's bucket: a recovery with a long history arrives whole,
//! with its request's `eventId`, before anything pushed after it — whether that push travels on
//! the socket (threshold 8 KiB) or is a large event itself that finishes downloading first
//! (threshold 2 KiB, where every `MessageCreated` goes through the bucket); a failing bucket is
//! reported.

use crate::upstream_support as support;

use std::collections::HashSet;
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

/// Above every single message's frame, below a 21-message recovery.
const BETWEEN: usize = 8192;
/// Below even a single `MessageCreated` of the emulator.
const TINY: usize = 2048;

async fn emulator_with_threshold(threshold: usize) -> cxone_emulator::Emulator {
    let config = EmulatorConfig {
        large_event_threshold: threshold,
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

/// The id of the message a `MessageCreated` frame carries.
fn created_message(item: &Inbound) -> Option<UuidString> {
    match item {
        Inbound::Frame(ReceivedFrame::Event(e)) => match &e.body {
            EventBody::MessageCreated(m) => Some(m.message.id_on_external_platform.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// An authorized customer of the quiet channel with a thread of `MESSAGES` messages, whose
/// echoes have all been delivered (so nothing of the history is still downloading).
async fn customer_with_history(
    emu: &cxone_emulator::Emulator,
    rest: RestClient,
) -> (
    Session,
    socket::SocketHandle,
    cxone_chatd::upstream::socket::InboundReceiver,
    UuidString,
) {
    let session = Session::new(emu, "chat_quiet");
    let (handle, mut rx) = socket::connect(&session.socket_url(None), &socket_config(), rest)
        .await
        .unwrap();
    handle.request(session.authorize()).await.unwrap();
    let thread = UuidString::new_v4();
    let mut sent = HashSet::new();
    for n in 0..MESSAGES {
        let (frame, id) = session.send_message(&thread, &format!("message number {n}"));
        handle.request(frame).await.unwrap();
        sent.insert(id);
    }
    while !sent.is_empty() {
        let id = inbound_until(&mut rx, created_message).await;
        sent.remove(&id);
    }
    (session, handle, rx, thread)
}

/// The recovery's reply must resolve before the agent's later push is delivered. The first
/// bucket download fails and its retry waits at least 400 ms, so the push is on the socket (or
/// downloaded, when it is large too) well before the reply can be.
async fn recovery_before_a_later_push(threshold: usize) {
    let emu = emulator_with_threshold(threshold).await;
    let slow_retry = RestClient::new(RestConfig {
        retry_min_delay: Duration::from_millis(400),
        retry_max_delay: Duration::from_millis(400),
        ..RestConfig::default()
    });
    let (session, handle, mut rx, thread) = customer_with_history(&emu, slow_retry).await;
    let downloads_before = bucket_downloads(&emu).await;
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
    let agent_message = UuidString::parse(said["messageId"].as_str().unwrap()).unwrap();

    // Polled first whenever both are ready: if the reply was resolved before the push was
    // delivered, the reply always wins.
    let mut order = Vec::new();
    let mut recovered = None;
    while order.len() < 2 {
        tokio::select! {
            biased;
            r = &mut reply, if recovered.is_none() => {
                recovered = Some(r.expect("the large reply resolves the request"));
                order.push("reply");
            }
            item = next_inbound(&mut rx) => match created_message(&item) {
                Some(id) if id == agent_message => order.push("push"),
                _ => panic!("unexpected {item:?}"),
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
    let push_downloads = usize::from(threshold == TINY);
    assert_eq!(
        bucket_downloads(&emu).await - downloads_before,
        2 + push_downloads,
        "the reply came through the bucket at the second try; the push through it only when \
         it is above the threshold"
    );
}

#[tokio::test]
async fn a_large_recovery_resolves_before_a_later_push_on_the_socket() {
    recovery_before_a_later_push(BETWEEN).await;
}

#[tokio::test]
async fn a_large_recovery_resolves_before_a_later_large_push_that_downloads_faster() {
    recovery_before_a_later_push(TINY).await;
}

#[tokio::test]
async fn a_failing_bucket_is_reported_and_the_request_times_out() {
    let emu = emulator_with_threshold(BETWEEN).await;
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
