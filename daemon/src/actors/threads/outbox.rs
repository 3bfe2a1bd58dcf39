//! The outbox side of sending: what was queued while the connection was down is sent after
//! every (re)connect, in order and exactly once; and every send's outcome is recorded and
//! announced (`message.updated`). The messages themselves are on disk (`store`) from the moment
//! the host hears "queued".

use actix::prelude::*;
use cxone_chat_protocol::rpc::notifications::MessageUpdated;
use futures_util::StreamExt;

use super::Threads;
use crate::session::error::SessionError;
use crate::session::model::{ChatMessage, Delivery};
use crate::session::send::queued_message;
use crate::to_api;
use crate::upstream::RequestError;

/// Queued messages on the socket at once during a flush: enough to keep the connection busy
/// (a flush of thousands is not one round trip each), few enough that a drop leaves little in
/// flight to send again.
const FLUSH_WINDOW: usize = 32;

/// Where the outbox flush stands.
#[derive(Debug, Default)]
pub(super) struct OutboxState {
    /// A flush is running: new sends are queued behind it.
    pub(super) flushing: bool,
    /// Sends were queued during the flush: flush again afterwards.
    pub(super) again: bool,
    /// Queued sends still being written to disk.
    pub(super) enqueuing: usize,
    /// Messages the back end acknowledged whose removal from the outbox could not be written
    /// (a full or read-only disk): never sent again, and removed by a later flush.
    pub(super) acked: std::collections::HashSet<uuid::Uuid>,
}

/// A damaged outbox was salvaged by someone else (the daemon's start): tell the host.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct ReportSalvage(pub(crate) crate::store::Salvage);

impl Handler<ReportSalvage> for Threads {
    type Result = ();

    fn handle(&mut self, msg: ReportSalvage, _: &mut Self::Context) {
        self.report_salvage(msg.0);
    }
}

/// The connection is (back) up: send what was queued.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct FlushOutbox;

impl Handler<FlushOutbox> for Threads {
    type Result = ();

    fn handle(&mut self, _: FlushOutbox, ctx: &mut Self::Context) {
        self.flush_outbox(ctx);
    }
}

/// How long a flush whose outbox could not be read waits before it tries again.
const FLUSH_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl Threads {
    /// Sends what was queued while the connection was down (durably, in the store), in order,
    /// each exactly once: a message leaves the store only after the back end answered it, and
    /// its id travels with it, so even a resend after a crash is recognised as the same message.
    ///
    /// The actor keeps taking messages meanwhile (a long flush must not stall the watchdog's
    /// ping or the other calls): a send that arrives during the flush is queued behind the
    /// flushed messages, and another flush follows once it is on disk.
    pub(super) fn flush_outbox(&mut self, ctx: &mut Context<Self>) {
        if self.outbox.flushing {
            self.outbox.again = true;
            return;
        }
        let Some(socket) = self.chat.live_socket() else {
            return;
        };
        self.outbox.flushing = true;
        let (store, name) = (self.store.clone(), self.name.clone());
        let oauth = self.oauth.clone();
        let mut acked = self.outbox.acked.clone();
        // One future sends them all, in order, a window at a time.
        let flush = async move {
            let s = store.clone();
            let read = tokio::task::spawn_blocking(move || {
                // Acknowledged earlier but still on disk: try the removal again first.
                acked.retain(|id| s.mark_sent(*id).is_err());
                (s.pending(), s.take_salvaged(), acked)
            })
            .await;
            let (pending, salvaged, mut acked) = match read {
                Ok((Ok(p), salvaged, acked)) => (p, salvaged, acked),
                // A store that cannot be used at all holds no outbox: nothing to try again.
                Ok((Err(e), salvaged, acked)) => {
                    let again = e.trouble() != crate::store::Trouble::Unavailable;
                    tracing::warn!(session = %name, error = %e, again, "cannot read the outbox");
                    return (Vec::new(), salvaged, acked, again);
                }
                Err(_) => return (Vec::new(), Vec::new(), Default::default(), true),
            };
            let pending = pending
                .into_iter()
                .filter(|q| !acked.contains(&q.message_id));
            let mut outcomes = Vec::new();
            let mut removals = Vec::new();
            let mut in_flight = futures_util::stream::FuturesOrdered::new();
            let mut queue = pending.into_iter();
            let mut stopped = false;
            loop {
                // Up to a window of frames on the socket at once: it writes them in order, and
                // the back end answers them in order.
                while !stopped && in_flight.len() < FLUSH_WINDOW {
                    let Some(q) = queue.next() else { break };
                    let mut frame = match cxone_chat_protocol::cxone::sent::OutgoingFrame::from_text(
                        &q.frame,
                    ) {
                        Ok(f) => f,
                        Err(e) => {
                            tracing::warn!(session = %name, error = %e, "skipping an undecodable queued message");
                            continue;
                        }
                    };
                    // The token it was queued with may have expired while it waited.
                    match oauth
                        .send(crate::actors::oauth::MessageToken { force: false })
                        .await
                    {
                        Ok(Ok(token)) => {
                            crate::session::credentials::stamp(&mut frame, token.as_deref())
                        }
                        // Kept queued: the host hears `token.refreshFailed` and logs in again.
                        _ => {
                            stopped = true;
                            break;
                        }
                    }
                    // The message as the thread shows it, read back from the frame that goes out.
                    let shown = queued_message(&frame, q.enqueued_at);
                    match socket.submit(frame).await {
                        Ok(reply) => in_flight.push_back(async move {
                            (q.thread_id, q.message_id, shown, reply.reply().await)
                        }),
                        // The connection is gone: this one and the rest stay queued.
                        Err(_) => stopped = true,
                    }
                }
                let Some((thread_id, id, shown, result)) = in_flight.next().await else {
                    break;
                };
                // Lost connection or no answer: it stays queued for the next connection, and
                // nothing more is sent now (those already on their way are still answered).
                if matches!(
                    result,
                    Err(RequestError::ConnectionLost | RequestError::Timeout { .. })
                ) {
                    stopped = true;
                    continue;
                }
                // Answered, so it leaves the outbox; the removals of a flush share commits.
                removals.push((id, store.mark_sent_soon(id)));
                if let Some(m) = shown {
                    outcomes.push((thread_id.to_string(), m, result.map(drop)));
                }
            }
            for (id, removal) in removals {
                if removal.await.is_err() {
                    // Answered, so never sent again: held here until the disk takes the removal.
                    tracing::warn!(session = %name, message = %id, "cannot remove an acknowledged message from the outbox; it will not be sent again");
                    acked.insert(id);
                }
            }
            (outcomes, salvaged, acked, false)
        };
        ctx.spawn(
            flush
                .into_actor(self)
                .map(|(outcomes, salvaged, acked, unread), act, ctx| {
                    act.outbox.acked = acked;
                    // The outbox could not be read (a store error of the moment): what it holds
                    // must not wait for the next reconnect.
                    if unread {
                        ctx.run_later(FLUSH_RETRY, |act, ctx| act.flush_outbox(ctx));
                    }
                    for s in salvaged {
                        act.report_salvage(s);
                    }
                    for (thread_id, message, result) in outcomes {
                        let _ = act.settle(&thread_id, message, result);
                    }
                    act.outbox.flushing = false;
                    act.flush_again(ctx);
                }),
        );
    }

    /// Tells the host, and the journal at error level, that a damaged outbox was salvaged.
    pub(super) fn report_salvage(&self, s: crate::store::Salvage) {
        tracing::error!(
            session = %self.name,
            damaged = %s.damaged.display(),
            reason = %s.reason,
            kept = s.kept,
            unreadable = s.unreadable,
            complete = s.complete,
            "the outbox was damaged: what could be read is queued again"
        );
        let error = SessionError::OutboxDamaged {
            damaged: s.damaged,
            reason: s.reason,
            kept: s.kept,
            unreadable: s.unreadable,
            complete: s.complete,
        };
        self.publish(
            cxone_chat_protocol::rpc::notifications::ErrorEvent {
                error: cxone_chat_protocol::rpc::errors::ErrorObject::from(&error),
                thread_id: None,
            }
            .into(),
        );
    }

    /// Flushes again if sends were queued during the last flush, once they are all on disk.
    pub(super) fn flush_again(&mut self, ctx: &mut Context<Self>) {
        if self.outbox.again && !self.outbox.flushing && self.outbox.enqueuing == 0 {
            self.outbox.again = false;
            self.flush_outbox(ctx);
        }
    }

    /// The token the next message carries, renewed first if it is about to expire.
    pub(super) fn message_token(
        &self,
    ) -> impl std::future::Future<Output = Result<Option<String>, SessionError>> + 'static {
        let oauth = self.oauth.clone();
        async move {
            oauth
                .send(crate::actors::oauth::MessageToken { force: false })
                .await
                .map_err(|_| SessionError::Stopped)?
        }
    }

    /// A send that failed before it went out: the message is marked failed.
    pub(super) fn fail(
        &mut self,
        thread_id: &str,
        mut m: ChatMessage,
        e: SessionError,
    ) -> Result<ChatMessage, SessionError> {
        m.status = Delivery::Failed;
        // A hidden message (an inactivity popup's answer) is never in the transcript: only
        // the call that sent it hears how it went.
        if m.content.is_hidden() {
            return Err(e);
        }
        if let Some(entry) = self.registry.get_mut(thread_id) {
            entry.upsert(m.clone());
        }
        self.publish(
            MessageUpdated {
                message: to_api::message(&m),
                error: Some(cxone_chat_protocol::rpc::errors::ErrorObject::from(&e)),
            }
            .into(),
        );
        Err(e)
    }

    /// Records the outcome of a send and announces the message's new status.
    pub(super) fn settle(
        &mut self,
        thread_id: &str,
        mut m: ChatMessage,
        result: Result<(), crate::upstream::RequestError>,
    ) -> Result<ChatMessage, SessionError> {
        let outcome = match result {
            Ok(()) => {
                m.status = Delivery::Sent;
                Ok(())
            }
            Err(error) => {
                m.status = Delivery::Failed;
                Err(SessionError::Request {
                    step: "SendMessage",
                    error,
                })
            }
        };
        if m.content.is_hidden() {
            return outcome.map(|()| m);
        }
        // The echo may already have arrived and made it delivered; never go backwards.
        if let Some(e) = self.registry.get_mut(thread_id) {
            match e.message(&m.id) {
                Some(x) if x.status != Delivery::Queued => m = x.clone(),
                _ => {
                    e.upsert(m.clone());
                }
            }
        }
        let error = outcome
            .as_ref()
            .err()
            .map(cxone_chat_protocol::rpc::errors::ErrorObject::from);
        self.publish(
            MessageUpdated {
                message: to_api::message(&m),
                error,
            }
            .into(),
        );
        outcome.map(|()| m)
    }
}
