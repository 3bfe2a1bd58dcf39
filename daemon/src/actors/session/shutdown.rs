//! The daemon is stopping (SIGTERM): let requests already sent get their replies (a message
//! being sent ends `sent`, not `failed`), then close the chat gateway connection with code 1001
//! ("going away") and wait for the closing handshake, without reconnecting or announcing a
//! state change. The outbox needs nothing more: a message accepted while reconnecting is on
//! disk before the host is told it is queued, and stays there for the next run. The daemon's
//! drain timeout bounds the whole wait.

use actix::prelude::*;
use cxone_chat_protocol::rpc::types::ConnectionState;

use super::Session;
use crate::upstream::socket::CloseKind;

/// Close the upstream connection for a daemon shutdown; answers once it is closed.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct GoAway;

impl Handler<GoAway> for Session {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: GoAway, _: &mut Self::Context) -> Self::Result {
        // Disconnected: the end of the connection is not lost (no reconnect), a pending
        // reconnect timer finds nothing to do, and new sends are refused.
        self.connection = ConnectionState::Disconnected;
        let socket = self.socket.take();
        // The inbound stream stays until the socket is closed: the replies still awaited come
        // through it, and dropping it would make the socket close at once as unwanted.
        Box::pin(
            async move {
                if let Some(s) = socket {
                    // Replies arrive within the socket's request timeout; poll rather than add a
                    // notification to the socket for this one use.
                    while s.pending_requests() > 0 && s.is_open() {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    s.close(CloseKind::GoingAway).await;
                }
            }
            .into_actor(self)
            .map(|(), act, ctx| {
                if let Some(h) = act.inbound.take() {
                    ctx.cancel_future(h);
                }
            }),
        )
    }
}
