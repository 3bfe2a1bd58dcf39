//! Downloading a large event (PROTOCOL.md §1.10, §3.11): `GET` of the pre-signed URL an
//! `EventInS3` frame carries. The body is the original frame, byte for byte.
//!
//! Bounded in every dimension: one attempt has `large_event_timeout`, the body is refused
//! beyond `large_event_max_bytes` while streaming, and transient failures (network, timeouts,
//! 5xx) are retried `large_event_attempts` times in all. A 403 is the bucket saying the link
//! expired or its signature is wrong: the same URL cannot succeed later, so it is not retried.

use std::sync::atomic::{AtomicU32, Ordering};

use backon::Retryable;
use tracing::debug;
use url::Url;

use super::{HttpFailure, RestClient, RestError, read_limited};
use crate::upstream::endpoints::is_loopback;
use crate::upstream::loggable_url;

/// Why one download attempt failed.
enum Attempt {
    Expired(u16),
    Failed(HttpFailure),
}

impl RestClient {
    /// Downloads the original frame behind an `EventInS3` URL.
    pub async fn download_large_event(&self, url: &str) -> Result<Vec<u8>, RestError> {
        let url = parse_download_url(url)?;
        let attempts = AtomicU32::new(0);
        let limit = self.config.large_event_max_bytes;
        let timeout = self.config.large_event_timeout;
        let result = (|| async {
            attempts.fetch_add(1, Ordering::Relaxed);
            let client = self.http(&url).map_err(Attempt::Failed)?;
            let exchange = read_limited(client.get(url.clone()).timeout(timeout), timeout, limit)
                .await
                .map_err(Attempt::Failed)?;
            match exchange.status {
                200..=299 => Ok(exchange.body),
                403 => Err(Attempt::Expired(403)),
                status => Err(Attempt::Failed(HttpFailure::Status {
                    status,
                    message: None,
                })),
            }
        })
        .retry(self.retry_policy(self.config.large_event_attempts))
        .when(|a| matches!(a, Attempt::Failed(f) if f.is_transient()))
        .notify(|a, delay| {
            if let Attempt::Failed(failure) = a {
                debug!(url = %loggable_url(&url), error = %failure, ?delay, "large-event download failed; retrying");
            }
        })
        .await;
        result.map_err(|a| match a {
            Attempt::Expired(status) => RestError::LargeEventExpired { status },
            Attempt::Failed(HttpFailure::TooLarge { limit }) => {
                RestError::LargeEventTooLarge { limit }
            }
            Attempt::Failed(failure) => RestError::DownloadLargeEvent {
                status: failure.status(),
                attempts: attempts.load(Ordering::Relaxed),
                failure,
            },
        })
    }
}

/// The URL, if it is http(s) with a host. Plain http is allowed only on loopback, as for the
/// configured endpoints: a pre-signed link is a credential.
fn parse_download_url(text: &str) -> Result<Url, RestError> {
    let invalid = |reason: &str| RestError::LargeEventUrl {
        reason: reason.to_owned(),
    };
    let url = Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
    let Some(host) = url.host() else {
        return Err(invalid("no host"));
    };
    let loopback = is_loopback(&host);
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(invalid("plain http is accepted only for loopback hosts")),
        _ => Err(invalid("not an http(s) URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_must_be_https_or_loopback_http() {
        assert!(
            parse_download_url("https://bucket.s3.amazonaws.com/k.json?X-Amz-Signature=a").is_ok()
        );
        assert!(parse_download_url("http://127.0.0.1:9/s3/k").is_ok());
        assert!(parse_download_url("http://localhost:9/s3/k").is_ok());
        for bad in [
            "http://bucket.example/k",
            "ftp://127.0.0.1/k",
            "not a url",
            "file:///etc/passwd",
        ] {
            let e = parse_download_url(bad).unwrap_err();
            assert!(matches!(e, RestError::LargeEventUrl { .. }), "{bad}: {e}");
        }
    }
}
