//! The daemon is stopping (SIGTERM): close the chat gateway connection with code 1001 ("going
//! away") and wait for the closing handshake, without reconnecting or announcing a state
//! change. The outbox needs nothing: a message is on disk before the host is told it is
//! queued, and one whose send was cut short stays there for the next run.

use actix::prelude::*;
use cxone_chat_protocol::rpc::types::ConnectionState;

use super::Session;
use crate::upstream::socket::CloseKind;

/// Close the upstream connection for a daemon shutdown; answers once it is closed.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct GoAway;

impl Handler<GoAway> for Session {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: GoAway, ctx: &mut Self::Context) -> Self::Result {
        if let Some(h) = self.inbound.take() {
            ctx.cancel_future(h);
        }
        // Disconnected: a pending reconnect timer finds nothing to do.
        self.connection = ConnectionState::Disconnected;
        let socket = self.socket.take();
        Box::pin(
            async move {
                if let Some(s) = socket {
                    s.close(CloseKind::GoingAway).await;
                }
            }
            .into_actor(self),
        )
    }
}
