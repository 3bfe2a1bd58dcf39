//! `threads.*`: the session's threads — list, get, create, load one from the back end — and the
//! pre-chat survey a new thread answers. Thread calls go straight to the thread registry.

use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::methods::SessionParams;
use cxone_chat_protocol::rpc::methods::threads::{
    ThreadsCreateParams, ThreadsGetParams, ThreadsListResult, ThreadsLoadParams,
};
use cxone_chat_protocol::rpc::types::{PreChatSurvey, Thread, ThreadSnapshot};

use crate::actors::{session, threads as msg};
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::find;

pub(crate) async fn list(ctx: &Ctx, p: SessionParams) -> Result<ThreadsListResult, ErrorObject> {
    let threads = ask(
        &find(&ctx.state, &p.session).await?.threads,
        msg::ListThreads,
    )
    .await?;
    Ok(ThreadsListResult { threads })
}

pub(crate) async fn get(ctx: &Ctx, p: ThreadsGetParams) -> Result<ThreadSnapshot, ErrorObject> {
    let get = msg::GetThread {
        thread_id: p.thread_id,
    };
    ask(&find(&ctx.state, &p.session).await?.threads, get).await
}

pub(crate) async fn create(ctx: &Ctx, p: ThreadsCreateParams) -> Result<Thread, ErrorObject> {
    let create = msg::CreateThread {
        name: p.name,
        custom_fields: p.custom_fields,
    };
    let found = find(&ctx.state, &p.session).await?;
    let thread = ask(&found.threads, create).await?;
    // The session's state follows (a closed live chat is ready again); in order before any
    // call the host makes after this answer.
    ask(&found.session, session::ThreadCreated).await?;
    Ok(thread)
}

pub(crate) async fn load(
    ctx: &Ctx,
    p: ThreadsLoadParams,
) -> Result<Option<ThreadSnapshot>, ErrorObject> {
    let threads = find(&ctx.state, &p.session).await?.threads;
    ask(&threads, msg::LoadThread(p.thread_id)).await
}

pub(crate) async fn pre_chat_survey(
    ctx: &Ctx,
    p: SessionParams,
) -> Result<Option<PreChatSurvey>, ErrorObject> {
    ask(
        &find(&ctx.state, &p.session).await?.session,
        session::GetPreChatSurvey,
    )
    .await
}
