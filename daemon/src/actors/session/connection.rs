//! The session's connection after `session.connect`: losing it, reconnecting with backoff,
//! taking over a new socket, and flushing the outbox.

use actix::prelude::*;
use cxone_chat_protocol::rpc::notifications::{ConnectionLost, ConnectionRestored};
use cxone_chat_protocol::rpc::types::ConnectionState;

use super::Session;
use super::connect::{self, Outcome};
use crate::actors::threads::{FlushOutbox, QueuedWhileDown, Recovered};
use crate::upstream::socket::CloseKind;

/// Keep reconnecting with backoff until the connection is back (a session restored with queued
/// messages whose first connect failed).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct KeepTrying;

impl Handler<KeepTrying> for Session {
    type Result = ();

    fn handle(&mut self, _: KeepTrying, ctx: &mut Self::Context) {
        self.keep_trying("restoring a session with queued messages", ctx);
    }
}

impl Handler<QueuedWhileDown> for Session {
    type Result = ();

    fn handle(&mut self, _: QueuedWhileDown, ctx: &mut Self::Context) {
        // The host may have disconnected since the message was queued: then it waits for the
        // host's next connect.
        if self.wants_connection {
            self.keep_trying("delivering messages queued while disconnected", ctx);
        }
    }
}

impl Session {
    /// Reconnects with backoff, unless a connection is up or being made already.
    fn keep_trying(&mut self, why: &str, ctx: &mut Context<Self>) {
        if self.connection != ConnectionState::Disconnected || self.config.is_none() {
            return;
        }
        self.connection = ConnectionState::Reconnecting;
        // Sends are queued from now on.
        self.sync_threads();
        self.down_since.get_or_insert_with(std::time::Instant::now);
        self.schedule_reconnect(why.to_owned(), ctx);
    }

    /// The connection dropped by itself: announce it and reconnect with backoff.
    pub(super) fn lose_connection(&mut self, reason: String, ctx: &mut Context<Self>) {
        self.oauth.do_send(crate::actors::oauth::SetLink(None));
        self.socket = None;
        self.inbound = None;
        // An explicit disconnect already set this; nothing to recover then.
        if self.connection == ConnectionState::Disconnected {
            self.sync_threads();
            return;
        }
        // Reconnecting before the registry hears of the loss, so that no send in between is
        // refused as if the host had chosen to be offline.
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
                    let installed = act.install(*c, ctx).map(move |(), act, _| {
                        let downtime = act.down_since.take().map_or(0, |t| t.elapsed().as_millis() as u64);
                        act.publish(ConnectionRestored { attempts, downtime_ms: downtime }.into());
                    });
                    ctx.spawn(installed);
                }
                Ok(Outcome::Offline) => {
                    act.connection = ConnectionState::Disconnected;
                    let change = act.machine.offline();
                    act.announce(change);
                }
                Err(e) => {
                    tracing::info!(session = %act.name, error = %e, "reconnecting failed; will retry");
                    act.last_error = Some(e.to_string());
                    act.schedule_reconnect(e.to_string(), ctx);
                }
            }
        });
        ctx.spawn(attempt);
    }

    /// Takes over a fresh connection: its socket, its inbound stream and its recovery. The
    /// returned future ends once the thread registry has applied the recovery and the chat is
    /// `ready` (or `closed`).
    pub(super) fn install(
        &mut self,
        c: connect::Connected,
        ctx: &mut Context<Self>,
    ) -> impl ActorFuture<Self, Output = ()> + use<> {
        // The back end may have issued another identity (secured sessions, OAuth logins).
        let new_customer =
            c.customer.id_on_external_platform != self.customer.id_on_external_platform;
        if c.customer != self.customer {
            self.customer = c.customer;
            if let Some(target) = self.target.clone() {
                self.persist(&target);
            }
        }
        self.socket = Some(c.socket);
        self.connection = ConnectionState::Connected;
        self.last_error = None;
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
        // Sent before any inbound event of the new socket can be forwarded: applied first. The
        // outbox goes next, before any send forwarded later can overtake what was queued.
        let recovered = self.threads.send(Recovered {
            bodies: c.recovered,
            new_customer,
            create_thread: self.create_thread_on_connect,
        });
        self.threads.do_send(FlushOutbox);
        recovered.into_actor(self).map(|closed, act, _| {
            // A disconnect meanwhile wins.
            if act.connection != ConnectionState::Connected {
                return;
            }
            let change = act.machine.ready(closed.unwrap_or(false));
            act.announce(change);
        })
    }
}
