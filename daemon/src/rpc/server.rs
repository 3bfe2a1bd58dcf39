//! The RPC server: one actor that owns the listening socket, accepts connections and admits
//! each one (`admission.rs`: peer credentials, connection limit, a task per connection).
//!
//! It is a critical actor: it answers the watchdog's `Ping`, so an acceptor that stopped
//! taking messages stops the watchdog. [`StopAccepting`] closes the listener (the first step of
//! a drain); a socket passed by systemd is closed in this process only, never unlinked.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use interprocess::local_socket::tokio::{Listener, Stream};
use interprocess::local_socket::traits::tokio::Listener as _;

use crate::rpc::admission::admit;
use crate::rpc::state::DaemonState;

/// The acceptor.
#[derive(Debug)]
pub(crate) struct RpcServer {
    state: Arc<DaemonState>,
    own_uid: u32,
    listener: Option<Arc<Listener>>,
    accepting: Option<SpawnHandle>,
}

impl RpcServer {
    /// A server for `listener`; `own_uid` is the daemon's user for the peer check.
    pub(crate) fn new(listener: Listener, state: Arc<DaemonState>, own_uid: u32) -> Self {
        Self {
            state,
            own_uid,
            listener: Some(Arc::new(listener)),
            accepting: None,
        }
    }

    fn accept(&mut self, ctx: &mut Context<Self>) {
        let Some(listener) = self.listener.clone() else {
            return;
        };
        let stream = futures_util::stream::unfold(listener, |l| async move {
            let conn = l.accept().await;
            Some((conn, l))
        });
        self.accepting = Some(ctx.add_stream(stream));
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(RpcServer);

impl Actor for RpcServer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.accept(ctx);
    }
}

impl StreamHandler<std::io::Result<Stream>> for RpcServer {
    fn handle(&mut self, item: std::io::Result<Stream>, ctx: &mut Self::Context) {
        match item {
            Ok(conn) => admit(conn, &self.state, self.own_uid),
            Err(e) => {
                // Out of file descriptors and the like: pause instead of spinning.
                tracing::warn!(error = %e, "accepting a client connection failed");
                if let Some(h) = self.accepting.take() {
                    ctx.cancel_future(h);
                }
                ctx.run_later(Duration::from_millis(50), |act, ctx| act.accept(ctx));
            }
        }
    }

    // The accept stream never ends by itself; when it is cancelled the actor stays, so that it
    // still answers pings while the daemon drains.
    fn finished(&mut self, _: &mut Self::Context) {}
}

/// Stop accepting: close the listener. Connections already accepted carry on.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct StopAccepting;

impl Handler<StopAccepting> for RpcServer {
    type Result = ();

    fn handle(&mut self, _: StopAccepting, ctx: &mut Self::Context) {
        if let Some(h) = self.accepting.take() {
            ctx.cancel_future(h);
        }
        // The stream's future held the other reference; both are gone now, so the socket
        // closes (and a socket file this daemon created is removed).
        self.listener = None;
        tracing::info!("no longer accepting connections");
    }
}
