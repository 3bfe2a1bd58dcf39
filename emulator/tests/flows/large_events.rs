//! Flow 11, large events: a reply over the threshold is parked in the bucket and announced by
//! `EventInS3`; the download returns the original frame byte for byte, only with the right
//! signature, before expiry, and subject to the download fault.

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::received::ReceivedFrame;
use cxone_emulator::config::Mode;
use serde_json::json;

use crate::common::{Emu, assert_push, config_with, get_url, quiet_channel};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_recovery_travels_through_the_bucket() {
    let mut config = config_with("chat_quiet", quiet_channel(Mode::Single));
    // The emulator sends every key of the real server (`enrich`), so a one-line echo is about
    // 7.5 KB; 8 KB keeps echoes direct while any recovery of a few messages is larger.
    const THRESHOLD: usize = 8192;
    config.large_event_threshold = THRESHOLD;
    let emu = Emu::with_config(config).await;
    let mut c = emu.connect_authorized("chat_quiet").await;
    let thread = UuidString::new_v4();
    let long = "x".repeat(50);
    for i in 0..6 {
        // Each echo is well below the threshold and arrives directly.
        let echo = c.say(&thread, &format!("{i} {long}")).await;
        assert!(
            echo.text.len() < THRESHOLD,
            "echo of {} bytes",
            echo.text.len()
        );
    }

    let request_id = c
        .send(cxone_chat_protocol::cxone::sent::SentEvent::RecoverThread(
            crate::common::recover_data(Some(&thread)),
        ))
        .await;
    let frame = c.next_of("EventInS3").await;
    assert_push(&frame, "S3Object");
    assert!(frame.text.len() < THRESHOLD);
    assert_ne!(frame.event_id(), Some(request_id.as_str()));
    let s3 = body!(frame, EventInS3);
    assert_eq!(s3.origin_event.event_type, "ThreadRecovered");
    let url = s3.s3_object.url.clone();
    assert!(url.starts_with(&format!("{}/s3/", emu.base_url())), "{url}");
    assert!(
        url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900"),
        "{url}"
    );

    // The download is the original reply: same eventId as the request, a ThreadRecovered.
    let r = get_url(&url).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(
        r.body.len() > THRESHOLD,
        "it was large: {} bytes",
        r.body.len()
    );
    let text = r.text();
    let original = ReceivedFrame::from_text(&text).expect("decodes");
    assert_eq!(original.event_id(), Some(request_id.as_str()));
    // Exactly the compact JSON text the socket would have carried: no wrapper, no
    // re-formatting, every key the real server sends.
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(value.to_string(), text, "compact JSON, byte for byte");
    assert_eq!(value["postback"]["eventType"], "ThreadRecovered");
    assert!(
        value["postback"]["data"]["messages"][0].get("id").is_some(),
        "enriched like a direct frame"
    );
    let ReceivedFrame::Event(event) = &original else {
        panic!("not an event: {text}");
    };
    let cxone_chat_protocol::cxone::received::EventBody::ThreadRecovered(recovered) = &event.body
    else {
        panic!("not ThreadRecovered: {text}");
    };
    assert_eq!(recovered.thread.id_on_external_platform, thread);
    assert_eq!(recovered.messages.len(), 6);
    assert!(
        recovered.messages[0]
            .message_content
            .plain_text()
            .is_some_and(|t| t.starts_with("5 ")),
        "newest first"
    );
    // No direct reply was sent in its place.
    c.heartbeat().await;
    assert!(!c.has_pending(|f| f.event_id() == Some(request_id.as_str())));
    // Downloads are repeatable and identical.
    assert_eq!(get_url(&url).await.body, r.body);

    // A forged signature and an unknown key are refused, S3-style.
    let forged = url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    let r = get_url(&forged).await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("SignatureDoesNotMatch"), "{}", r.text());
    let missing = format!(
        "{}/s3/chat/large-websocket-events/nope.json?X-Amz-Signature=x",
        emu.base_url()
    );
    assert_eq!(get_url(&missing).await.status, 404);

    // The download fault fails exactly the next download.
    emu.admin("faults", json!({"failBucketDownloads": 1})).await;
    let failed = get_url(&url).await;
    assert_eq!(failed.status, 500);
    assert!(failed.text().contains("InternalError"), "{}", failed.text());
    assert_eq!(get_url(&url).await.status, 200);

    // Expired URLs are refused.
    emu.admin("faults/expire-bucket-urls", json!({})).await;
    let expired = get_url(&url).await;
    assert_eq!(expired.status, 403);
    assert!(
        expired.text().contains("AccessDenied"),
        "{}",
        expired.text()
    );

    // A new recovery gets a new, working URL.
    let again = body!(c.request_large(&thread).await, EventInS3);
    assert_ne!(again.s3_object.url, url);
    assert_eq!(get_url(&again.s3_object.url).await.status, 200);
}

impl crate::common::Client {
    /// `RecoverThread` whose answer is expected to be parked: the `EventInS3` frame.
    async fn request_large(&mut self, thread: &UuidString) -> crate::common::Frame {
        self.send(cxone_chat_protocol::cxone::sent::SentEvent::RecoverThread(
            crate::common::recover_data(Some(thread)),
        ))
        .await;
        self.next_of("EventInS3").await
    }
}
