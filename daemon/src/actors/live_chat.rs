//! The live-chat actor, one per session: whether live chat is available (PROTOCOL.md §1.4),
//! asked before every connect of a live-chat channel and cached for 60 s as both SDKs do, so a
//! host retrying `session.connect` while the contact centre is closed costs one request a
//! minute. A failed check counts as offline (Android) but is not cached: the next connect asks
//! again. The conversation itself — `RecoverLivechat`, the hidden "Begin Conversation", queue
//! position, assignment, case status, ending the contact and the transcript — is a thread's
//! life and lives in the thread registry (`actors::threads`), with the other threads.

use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::upstream::rest::{ChannelTarget, RestError};
use crate::upstream::{Endpoints, RestClient};

/// How long an availability answer is reused (iOS `expirationInterval = 60`, Android
/// `AVAILABILTY_TTL = 60_000 ms`).
pub(crate) const AVAILABILITY_TTL: Duration = Duration::from_secs(60);

/// The last availability answer, reused while it is younger than the TTL. Plain logic.
#[derive(Debug, Clone, Default)]
pub(crate) struct AvailabilityCache {
    last: Option<(bool, Instant)>,
}

impl AvailabilityCache {
    /// The cached answer at `now`, while fresh.
    pub(crate) fn get(&self, now: Instant) -> Option<bool> {
        self.last
            .filter(|(_, at)| now.saturating_duration_since(*at) < AVAILABILITY_TTL)
            .map(|(online, _)| online)
    }

    /// Remembers an answer the back end gave at `at`.
    pub(crate) fn store(&mut self, online: bool, at: Instant) {
        self.last = Some((online, at));
    }

    /// Forgets the answer (another channel).
    pub(crate) fn clear(&mut self) {
        self.last = None;
    }
}

/// Where the availability is asked.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    /// The endpoints.
    pub(crate) endpoints: Endpoints,
    /// Brand.
    pub(crate) brand_id: i64,
    /// Channel.
    pub(crate) channel_id: String,
}

/// The live-chat actor.
#[derive(Debug)]
pub(crate) struct LiveChat {
    rest: RestClient,
    channel: Option<Channel>,
    cache: AvailabilityCache,
}

impl LiveChat {
    /// An actor asking with `rest`.
    pub(crate) fn new(rest: RestClient) -> Self {
        Self {
            rest,
            channel: None,
            cache: AvailabilityCache::default(),
        }
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(LiveChat);

impl Actor for LiveChat {
    type Context = Context<Self>;
}

/// After `session.prepare`: the channel to ask about.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Configure(pub(crate) Channel);

impl Handler<Configure> for LiveChat {
    type Result = ();

    fn handle(&mut self, msg: Configure, _: &mut Self::Context) {
        let same = self
            .channel
            .as_ref()
            .is_some_and(|c| c.brand_id == msg.0.brand_id && c.channel_id == msg.0.channel_id);
        if !same {
            self.cache.clear();
        }
        self.channel = Some(msg.0);
    }
}

/// Whether live chat is available now (cached for 60 s); a failed check counts as offline.
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub(crate) struct IsOnline;

/// `session.availability`: the same answer as [`IsOnline`], but a failed check is the host's to
/// see (and is not cached either).
#[derive(Message, Debug)]
#[rtype(result = "Result<bool, RestError>")]
pub(crate) struct CheckAvailability;

impl LiveChat {
    /// The cached answer, or the back end's (cached when it came).
    fn check(&mut self) -> ResponseActFuture<Self, Result<bool, RestError>> {
        if let Some(online) = self.cache.get(Instant::now()) {
            return Box::pin(fut::ready(Ok(online)));
        }
        let Some(c) = self.channel.clone() else {
            return Box::pin(fut::ready(Ok(false)));
        };
        let rest = self.rest.clone();
        let ask = async move {
            let target = ChannelTarget {
                endpoints: &c.endpoints,
                brand_id: c.brand_id,
                channel_id: &c.channel_id,
            };
            rest.availability(target).await.map(|a| a.is_online())
        };
        Box::pin(ask.into_actor(self).map(|answer, act, _| {
            if let Ok(online) = answer {
                act.cache.store(online, Instant::now());
            }
            answer
        }))
    }
}

impl Handler<CheckAvailability> for LiveChat {
    type Result = ResponseActFuture<Self, Result<bool, RestError>>;

    fn handle(&mut self, _: CheckAvailability, _: &mut Self::Context) -> Self::Result {
        self.check()
    }
}

impl Handler<IsOnline> for LiveChat {
    type Result = ResponseActFuture<Self, bool>;

    fn handle(&mut self, _: IsOnline, _: &mut Self::Context) -> Self::Result {
        Box::pin(self.check().map(|answer, _, _| {
            answer.unwrap_or_else(|e| {
                tracing::info!(error = %e, "checking live-chat availability failed; treating the chat as offline");
                false
            })
        }))
    }
}

/// The session is gone.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Stop;

impl Handler<Stop> for LiveChat {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_reused_for_60_s_then_asked_again() {
        let t0 = Instant::now();
        let mut c = AvailabilityCache::default();
        assert_eq!(c.get(t0), None);
        c.store(false, t0);
        assert_eq!(c.get(t0 + Duration::from_secs(59)), Some(false));
        assert_eq!(c.get(t0 + AVAILABILITY_TTL), None);
        c.store(true, t0 + AVAILABILITY_TTL);
        assert_eq!(c.get(t0 + AVAILABILITY_TTL), Some(true));
        c.clear();
        assert_eq!(c.get(t0 + AVAILABILITY_TTL), None);
    }
}
