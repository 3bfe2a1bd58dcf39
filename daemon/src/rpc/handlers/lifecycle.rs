//! `app.*`: the host application comes to the foreground or goes to the background.

use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::methods::SessionParams;
use cxone_chat_protocol::rpc::methods::lifecycle::AppBackgroundParams;
use cxone_chat_protocol::rpc::types::SessionState;

use crate::actors::session as msg;
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::{find, find_or_kept};

/// A host coming back after the daemon restarted finds its session again: the store's record
/// opens it, and the session prepares itself as it was (see `actors/session/lifecycle.rs`).
pub(crate) async fn foreground(ctx: &Ctx, p: SessionParams) -> Result<SessionState, ErrorObject> {
    ask(
        &find_or_kept(&ctx.state, &p.session).await?.session,
        msg::Foreground,
    )
    .await
}

pub(crate) async fn background(
    ctx: &Ctx,
    p: AppBackgroundParams,
) -> Result<SessionState, ErrorObject> {
    // Dropping the socket in the background is opt-in (`lifecycle.disconnect_in_background`):
    // a kiosk usually stays reachable.
    let background = msg::Background {
        disconnect: p
            .disconnect
            .unwrap_or(ctx.state.options().disconnect_in_background),
    };
    ask(&find(&ctx.state, &p.session).await?.session, background).await
}
