//! `session.*`: a session's life — prepare, connect, disconnect, state, close — proactive
//! triggers, and what to do when no agent is available (availability, the offline form).

use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::Empty;
use cxone_chat_protocol::rpc::methods::SessionParams;
use cxone_chat_protocol::rpc::methods::session::{
    SessionCloseParams, SessionExecuteTriggerParams, SessionPrepareParams,
    SessionSendOfflineMessageParams,
};
use cxone_chat_protocol::rpc::types::{Availability, SessionState};

use crate::actors::session as msg;
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::{find, remove, session_for};
use crate::session::error::SessionError;

pub(crate) async fn prepare(
    ctx: &Ctx,
    p: SessionPrepareParams,
) -> Result<SessionState, ErrorObject> {
    let brand_id = i64::try_from(p.brand_id).map_err(|_| {
        ErrorObject::new(ErrorCode::InvalidParameter)
            .with_field("brandId")
            .with_detail("the brand id is too large")
    })?;
    // Checked before a session is created, so a refused prepare leaves nothing behind.
    let environment = p.environment.or_else(|| ctx.state.sandbox.clone()).ok_or_else(|| {
        ErrorObject::new(ErrorCode::InvalidParameter).with_field("environment").with_detail(
            "name the back end (NA1, EU1, …, or {chatUrl, socketUrl}); only a daemon started with --sandbox has a default",
        )
    })?;
    crate::rpc::sessions::restored(&ctx.state).await;
    let handle = session_for(&ctx.state, &p.session).await?;
    let prepare = msg::Prepare {
        environment,
        brand_id,
        channel_id: p.channel_id,
        customer: p.customer,
    };
    ask(&handle.session, prepare).await
}

pub(crate) async fn connect(ctx: &Ctx, p: SessionParams) -> Result<SessionState, ErrorObject> {
    let connect = msg::Connect {
        create_thread: Some(ctx.state.options().create_thread_on_connect),
    };
    ask(&find(&ctx.state, &p.session).await?.session, connect).await
}

pub(crate) async fn disconnect(ctx: &Ctx, p: SessionParams) -> Result<SessionState, ErrorObject> {
    ask(
        &find(&ctx.state, &p.session).await?.session,
        msg::Disconnect,
    )
    .await
}

pub(crate) async fn state(ctx: &Ctx, p: SessionParams) -> Result<SessionState, ErrorObject> {
    find(&ctx.state, &p.session)
        .await?
        .session
        .send(msg::GetState)
        .await
        .map_err(|_| SessionError::Stopped.into())
}

pub(crate) async fn close(ctx: &Ctx, p: SessionCloseParams) -> Result<Empty, ErrorObject> {
    let handle = remove(&ctx.state, &p.session)?;
    if p.forget {
        // A sign-out: the stored identity, tokens and outbox go too.
        ask(&handle.session, msg::Forget).await?;
        return Ok(Empty {});
    }
    // Disconnect first so the back end sees a normal close; dropping the last address then stops
    // the actors.
    let _ = handle.session.send(msg::Disconnect).await;
    Ok(Empty {})
}

pub(crate) async fn execute_trigger(
    ctx: &Ctx,
    p: SessionExecuteTriggerParams,
) -> Result<Empty, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    ask(&session, msg::ExecuteTrigger(p.trigger_id)).await?;
    Ok(Empty {})
}

pub(crate) async fn availability(ctx: &Ctx, p: SessionParams) -> Result<Availability, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    let online = ask(&session, msg::Availability).await?;
    Ok(Availability { online })
}

pub(crate) async fn send_offline_message(
    ctx: &Ctx,
    p: SessionSendOfflineMessageParams,
) -> Result<Empty, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    let form = msg::SendOfflineMessage {
        name: p.name,
        email: p.email,
        message: p.message,
    };
    ask(&session, form).await?;
    Ok(Empty {})
}
