//! `RestClient::download_large_event` against a scripted local HTTP server: retries on 5xx,
//! no retry on an expired link, the size cap with and without `Content-Length`, the timeout,
//! and the SDK headers.

use crate::upstream_support as support;

use std::time::Duration;

use cxone_chatd::upstream::RestError;
use cxone_chatd::upstream::rest::{HttpFailure, RestConfig};
use support::*;

const EVENT: &str = r#"{"eventId":"e1","postback":{"eventType":"ThreadArchived"}}"#;

#[tokio::test]
async fn server_errors_are_retried_until_the_event_arrives() {
    let server = fake_http(|n, _| match n {
        0 | 1 => FakeResponse::new(500, "<Error><Code>InternalError</Code></Error>"),
        _ => FakeResponse::new(200, EVENT),
    })
    .await;
    let body = rest()
        .download_large_event(&format!("{}/s3/big.json?X-Amz-Signature=s", server.base))
        .await
        .unwrap();
    assert_eq!(body, EVENT.as_bytes());
    assert_eq!(server.count(), 3);
    let head = server.requests.lock().unwrap()[0].to_ascii_lowercase();
    assert!(
        head.starts_with("get /s3/big.json?x-amz-signature=s "),
        "{head}"
    );
    assert!(head.contains("x-sdk-platform: linux\r\n"), "{head}");
    assert!(
        head.contains(&format!("x-sdk-version: {}\r\n", env!("CARGO_PKG_VERSION"))),
        "{head}"
    );
}

#[tokio::test]
async fn retries_are_bounded_and_the_error_names_the_status() {
    let server = fake_http(|_, _| FakeResponse::new(503, "busy")).await;
    let error = rest()
        .download_large_event(&format!("{}/s3/k", server.base))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            RestError::DownloadLargeEvent {
                status: Some(503),
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("HTTP 503"), "{error}");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn an_expired_link_is_not_retried() {
    let server = fake_http(|_, _| {
        FakeResponse::new(
            403,
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        )
    })
    .await;
    let error = rest()
        .download_large_event(&format!("{}/s3/k?X-Amz-Expires=900", server.base))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::LargeEventExpired { status: 403 }),
        "{error:?}"
    );
    assert!(error.to_string().contains("expired"), "{error}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_missing_object_is_not_retried() {
    let server =
        fake_http(|_, _| FakeResponse::new(404, "<Error><Code>NoSuchKey</Code></Error>")).await;
    let error = rest()
        .download_large_event(&format!("{}/s3/k", server.base))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            RestError::DownloadLargeEvent {
                status: Some(404),
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn the_size_cap_holds_with_and_without_a_declared_length() {
    let limited = || {
        rest_with(RestConfig {
            large_event_max_bytes: 1000,
            ..RestConfig::default()
        })
    };
    let big = vec![b'x'; 1001];
    let declared = fake_http({
        let big = big.clone();
        move |_, _| FakeResponse::new(200, big.clone())
    })
    .await;
    let error = limited()
        .download_large_event(&format!("{}/a", declared.base))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::LargeEventTooLarge { limit: 1000 }),
        "{error:?}"
    );
    assert_eq!(declared.count(), 1, "too large is not retried");

    let streamed = fake_http(move |_, _| FakeResponse::new(200, big.clone()).unframed()).await;
    let error = limited()
        .download_large_event(&format!("{}/b", streamed.base))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::LargeEventTooLarge { limit: 1000 }),
        "{error:?}"
    );

    let exact = fake_http(|_, _| FakeResponse::new(200, vec![b'y'; 1000]).unframed()).await;
    let body = limited()
        .download_large_event(&format!("{}/c", exact.base))
        .await
        .unwrap();
    assert_eq!(body.len(), 1000, "the limit itself is allowed");
}

#[tokio::test]
async fn a_slow_bucket_times_out_each_attempt() {
    let server =
        fake_http(|_, _| FakeResponse::new(200, EVENT).after(Duration::from_secs(5))).await;
    let rest = rest_with(RestConfig {
        large_event_timeout: Duration::from_millis(200),
        large_event_attempts: 2,
        ..RestConfig::default()
    });
    let started = std::time::Instant::now();
    let error = rest
        .download_large_event(&format!("{}/slow", server.base))
        .await
        .unwrap_err();
    match &error {
        RestError::DownloadLargeEvent {
            status: None,
            attempts: 2,
            failure: HttpFailure::Timeout(after),
        } => assert_eq!(*after, Duration::from_millis(200)),
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "did not wait for the slow server"
    );
}

#[tokio::test]
async fn links_that_are_not_http_are_refused_without_a_request() {
    let error = rest()
        .download_large_event("ftp://127.0.0.1/x")
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::LargeEventUrl { .. }),
        "{error:?}"
    );
    let error = rest()
        .download_large_event("http://bucket.example/x")
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::LargeEventUrl { .. }),
        "{error:?}"
    );
}
