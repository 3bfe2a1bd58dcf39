//! The large-event fetcher actor, one per daemon (PROTOCOL.md §1.10, §3.11): every session's
//! socket hands it the URL of each `EventInS3` frame and gets the original frame's bytes back.
//! The socket keeps the order (the event takes the place of its `EventInS3` frame, and frames
//! behind it wait, so a request it answers is answered in turn); this actor bounds the work
//! across sessions — at most [`MAX_CONCURRENT`] downloads at once, each with the REST
//! client's timeout, size cap and retries — and counts what it did.
//!
//! Downloads run as futures on the actor's context, never blocking its thread.

use std::sync::Arc;

use actix::prelude::*;
use tokio::sync::Semaphore;

use crate::upstream::rest::RestError;
use crate::upstream::{LargeEvents, RestClient};

/// Downloads running at once, daemon-wide; more wait their turn.
pub(crate) const MAX_CONCURRENT: usize = 4;

/// The most one download may take, waiting for a turn and retries included. Every later frame
/// of its session waits for it (the order is kept), so a bucket that trickles must not hold the
/// session for the sum of the retries' timeouts; past this the event is given up and the
/// session told.
pub(crate) const DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);

/// What the fetcher has done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FetchStats {
    /// Downloads asked for and not finished (running or waiting for a turn).
    pub(crate) in_flight: u64,
    /// Downloads that delivered their event.
    pub(crate) fetched: u64,
    /// Downloads that failed (the event is lost; the session is told).
    pub(crate) failed: u64,
    /// Bytes delivered.
    pub(crate) bytes: u64,
}

/// The fetcher.
#[derive(Debug)]
pub(crate) struct LargeEventFetcher {
    rest: RestClient,
    permits: Arc<Semaphore>,
    stats: FetchStats,
}

impl LargeEventFetcher {
    /// A fetcher downloading with `rest`.
    pub(crate) fn new(rest: RestClient) -> Self {
        Self {
            rest,
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT)),
            stats: FetchStats::default(),
        }
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(LargeEventFetcher);

impl Actor for LargeEventFetcher {
    type Context = Context<Self>;
}

/// Download the frame behind an `EventInS3` URL.
#[derive(Message, Debug)]
#[rtype(result = "Result<Vec<u8>, RestError>")]
pub(crate) struct Fetch {
    /// The pre-signed URL (never logged whole).
    pub(crate) url: String,
}

impl Handler<Fetch> for LargeEventFetcher {
    type Result = ResponseActFuture<Self, Result<Vec<u8>, RestError>>;

    fn handle(&mut self, msg: Fetch, _: &mut Self::Context) -> Self::Result {
        self.stats.in_flight += 1;
        let (rest, permits) = (self.rest.clone(), self.permits.clone());
        let download = async move {
            let bounded = async {
                // The semaphore is never closed, so the permit always comes.
                let _permit = permits.acquire_owned().await.ok();
                rest.download_large_event(&msg.url).await
            };
            // Dropping the download on the deadline cancels it and frees its turn.
            tokio::time::timeout(DEADLINE, bounded)
                .await
                .unwrap_or(Err(RestError::LargeEventTooSlow { after: DEADLINE }))
        };
        Box::pin(download.into_actor(self).map(|r, act, _| {
            act.stats.in_flight -= 1;
            match &r {
                Ok(body) => {
                    act.stats.fetched += 1;
                    act.stats.bytes += body.len() as u64;
                }
                Err(_) => act.stats.failed += 1,
            }
            r
        }))
    }
}

/// What the fetcher has done so far.
#[derive(Message, Debug)]
#[rtype(result = "FetchStats")]
pub(crate) struct Stats;

impl Handler<Stats> for LargeEventFetcher {
    type Result = MessageResult<Stats>;

    fn handle(&mut self, _: Stats, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.stats)
    }
}

/// How sockets reach the fetcher.
pub(crate) fn source(fetcher: Addr<LargeEventFetcher>) -> LargeEvents {
    LargeEvents::via(move |url| {
        let fetcher = fetcher.clone();
        Box::pin(async move {
            fetcher
                .send(Fetch { url })
                .await
                .unwrap_or(Err(RestError::LargeEventUrl {
                    reason: "the daemon is stopping; the large-event fetcher is gone".into(),
                }))
        })
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::upstream::RestConfig;

    /// A bucket on loopback that answers each GET after 100 ms, recording how many requests it
    /// served at once at most; `/gone` is a 403 (an expired link).
    async fn slow_bucket() -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let seen = peak.clone();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let (now, peak) = (now.clone(), peak.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    let gone = String::from_utf8_lossy(&buf[..n]).starts_with("GET /gone");
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(running, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    let reply: &[u8] = if gone {
                        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    } else {
                        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"big\":\"x\"}"
                    };
                    let _ = s.write_all(reply).await;
                });
            }
        });
        (base, seen)
    }

    #[actix::test]
    async fn downloads_are_bounded_daemon_wide_and_counted() {
        let (base, peak) = slow_bucket().await;
        let fetcher = LargeEventFetcher::new(RestClient::new(RestConfig::default())).start();
        let source = source(fetcher.clone());
        let all: Vec<_> = (0..10)
            .map(|i| source.fetch(format!("{base}/event-{i}")))
            .chain([source.fetch(format!("{base}/gone"))])
            .collect();
        let results = futures_util::future::join_all(all).await;
        assert!(
            results[..10]
                .iter()
                .all(|r| r.as_deref().ok() == Some(&b"{\"big\":\"x\"}"[..]))
        );
        assert!(matches!(
            results[10],
            Err(RestError::LargeEventExpired { status: 403 })
        ));
        assert_eq!(
            peak.load(Ordering::SeqCst),
            MAX_CONCURRENT,
            "never more than the bound at once, and the bound is used"
        );
        assert_eq!(
            fetcher.send(Stats).await.unwrap(),
            FetchStats {
                in_flight: 0,
                fetched: 10,
                failed: 1,
                bytes: 110
            }
        );
    }
}
