//! The session's connection after `session.connect`: losing it, reconnecting with backoff,
//! taking over a new socket, and flushing the outbox.

use actix::prelude::*;
use cxone_chat_protocol::rpc::notifications::{ConnectionLost, ConnectionRestored, MessageUpdated};
use cxone_chat_protocol::rpc::types::{
    ChatMode, ConnectionState, Message, MessageStatus, ThreadState,
};

use super::Session;
use crate::session::connect::{self, Outcome};
use crate::session::error::SessionError;
use crate::upstream::RequestError;
use crate::upstream::socket::CloseKind;

/// Keep reconnecting with backoff until the connection is back (a session restored with queued
/// messages whose first connect failed).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct KeepTrying;

impl Handler<KeepTrying> for Session {
    type Result = ();

    fn handle(&mut self, _: KeepTrying, ctx: &mut Self::Context) {
        if self.connection != ConnectionState::Disconnected || self.config.is_none() {
            return;
        }
        self.connection = ConnectionState::Reconnecting;
        self.down_since.get_or_insert_with(std::time::Instant::now);
        self.schedule_reconnect("restoring a session with queued messages".into(), ctx);
    }
}

impl Session {
    /// The connection dropped by itself: announce it and reconnect with backoff.
    pub(super) fn lose_connection(&mut self, reason: String, ctx: &mut Context<Self>) {
        self.oauth.do_send(crate::actors::oauth::SetLink(None));
        self.socket = None;
        self.inbound = None;
        // An explicit disconnect already set this; nothing to recover then.
        if self.connection == ConnectionState::Disconnected {
            return;
        }
        self.connection = ConnectionState::Reconnecting;
        self.down_since.get_or_insert_with(std::time::Instant::now);
        self.backoff.disconnected(std::time::Instant::now());
        let change = self.machine.reconnecting();
        self.announce(change);
        self.schedule_reconnect(reason, ctx);
    }

    fn schedule_reconnect(&mut self, reason: String, ctx: &mut Context<Self>) {
        let delay = self.backoff.next_delay();
        self.publish(
            ConnectionLost {
                reason,
                reconnecting: true,
                attempt: self.backoff.attempt(),
                retry_in_ms: Some(delay.as_millis() as u64),
            }
            .into(),
        );
        ctx.run_later(delay, |act, ctx| act.reconnect(ctx));
    }

    fn reconnect(&mut self, ctx: &mut Context<Self>) {
        if self.connection != ConnectionState::Reconnecting {
            return;
        }
        let plan = match self.plan() {
            Ok(p) => p,
            Err(_) => return,
        };
        let attempt = connect::run(plan).into_actor(self).map(|result, act, ctx| {
            if act.connection != ConnectionState::Reconnecting {
                if let Ok(Outcome::Connected(c)) = result {
                    actix::spawn(async move { c.socket.close(CloseKind::Normal).await });
                }
                return;
            }
            match result {
                Ok(Outcome::Connected(c)) => {
                    let attempts = act.backoff.attempt();
                    act.install(*c, ctx);
                    let downtime = act.down_since.take().map_or(0, |t| t.elapsed().as_millis() as u64);
                    act.publish(ConnectionRestored { attempts, downtime_ms: downtime }.into());
                    act.flush_outbox(ctx);
                }
                Ok(Outcome::Offline) => {
                    act.connection = ConnectionState::Disconnected;
                    let change = act.machine.offline();
                    act.announce(change);
                }
                Err(e) => {
                    tracing::info!(session = %act.name, error = %e, "reconnecting failed; will retry");
                    act.schedule_reconnect(e.to_string(), ctx);
                }
            }
        });
        ctx.spawn(attempt);
    }

    /// Takes over a fresh connection: its socket, its inbound stream and its recovery.
    pub(super) fn install(&mut self, c: connect::Connected, ctx: &mut Context<Self>) {
        // The back end may have issued another identity (secured sessions, OAuth logins).
        if c.customer != self.customer {
            self.customer = c.customer;
            if let Some(target) = self.target.clone() {
                self.persist(&target);
            }
        }
        self.socket = Some(c.socket);
        self.connection = ConnectionState::Connected;
        self.backoff.connected(std::time::Instant::now());
        if let Some(old) = self.inbound.take() {
            ctx.cancel_future(old);
        }
        let stream = futures_util::stream::unfold(c.inbound, |mut rx| async move {
            rx.recv().await.map(|x| (x, rx))
        });
        self.inbound = Some(ctx.add_stream(stream));
        let change = self.machine.connected();
        self.announce(change);
        for body in &c.recovered {
            self.apply(body);
        }
        let closed = self.machine.mode() == Some(ChatMode::Livechat)
            && self.threads.current().is_none()
            && self
                .threads
                .list()
                .iter()
                .any(|t| t.state == ThreadState::Closed);
        let change = self.machine.ready(closed);
        self.announce(change);
    }

    /// Sends what was queued while the connection was down (durably, in the store), in order,
    /// each exactly once: a message leaves the store only after the back end answered it, and
    /// its id travels with it, so even a resend after a crash is recognised as the same message.
    pub(super) fn flush_outbox(&mut self, ctx: &mut Context<Self>) {
        let Some(socket) = self.socket.clone() else {
            return;
        };
        let (store, name) = (self.store.clone(), self.name.clone());
        let oauth = self.oauth.clone();
        // One future sends them all, one after the other, each after the previous one's answer;
        // `wait` holds the actor's other messages meanwhile, so a new send cannot overtake them.
        let flush = async move {
            let s = store.clone();
            let pending = match tokio::task::spawn_blocking(move || s.pending()).await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    tracing::warn!(session = %name, error = %e, "cannot read the outbox");
                    return Vec::new();
                }
                Err(_) => return Vec::new(),
            };
            let mut outcomes = Vec::new();
            for q in pending {
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
                    _ => break,
                }
                let result = socket.request(frame).await;
                // Lost connection or no answer: it stays queued for the next connection.
                if matches!(
                    result,
                    Err(RequestError::ConnectionLost | RequestError::Timeout { .. })
                ) {
                    break;
                }
                let (s, id) = (store.clone(), q.message_id);
                let _ = tokio::task::spawn_blocking(move || s.mark_sent(id)).await;
                outcomes.push((q.thread_id.to_string(), q.message, result.map(drop)));
            }
            outcomes
        };
        ctx.wait(flush.into_actor(self).map(|outcomes, act, _| {
            for (thread_id, message, result) in outcomes {
                if let Ok(m) = serde_json::from_value::<Message>(message) {
                    let _ = act.settle(&thread_id, m, result);
                }
            }
        }));
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
        mut m: Message,
        e: SessionError,
    ) -> Result<Message, SessionError> {
        m.status = MessageStatus::Failed;
        if let Some(entry) = self.threads.get_mut(thread_id) {
            entry.upsert(m.clone());
        }
        self.publish(
            MessageUpdated {
                message: m,
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
        mut m: Message,
        result: Result<(), crate::upstream::RequestError>,
    ) -> Result<Message, SessionError> {
        let outcome = match result {
            Ok(()) => {
                m.status = MessageStatus::Sent;
                Ok(())
            }
            Err(error) => {
                m.status = MessageStatus::Failed;
                Err(SessionError::Request {
                    step: "SendMessage",
                    error,
                })
            }
        };
        // The echo may already have arrived and made it delivered; never go backwards.
        if let Some(e) = self.threads.get_mut(thread_id) {
            match e.messages.iter().find(|x| x.id == m.id) {
                Some(x) if x.status != MessageStatus::Queued => m = x.clone(),
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
                message: m.clone(),
                error,
            }
            .into(),
        );
        outcome.map(|()| m)
    }
}
