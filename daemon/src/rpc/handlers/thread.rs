//! `thread.*`: one thread — send, older history, rename, archive, receipts, typing, end of
//! contact, transcript, custom fields. Every call goes straight to the session's thread
//! registry, which writes to the socket: two mailboxes at most.

use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::methods::Empty;
use cxone_chat_protocol::rpc::methods::customer::CustomFieldsResult;
use cxone_chat_protocol::rpc::methods::thread::{
    ThreadLoadMoreResult, ThreadParams, ThreadRenameParams, ThreadSendParams,
    ThreadSendTranscriptParams, ThreadSetCustomFieldsParams, ThreadTypingParams,
};
use cxone_chat_protocol::rpc::types::{AttachmentInput, Message, SessionName, Thread};

use crate::actors::threads::{self as msg, Op};
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::find;
use crate::session::attachments::AttachmentError;
use crate::session::error::SessionError;
use crate::session::send::MAX_DRAFT_CHARS;

pub(crate) async fn send(ctx: &Ctx, p: ThreadSendParams) -> Result<Message, ErrorObject> {
    // A path is read with the daemon's rights, never a client's: only the daemon's own user
    // and root may name one; everyone else sends the bytes.
    if !ctx.peer.is_admin()
        && let Some(index) = p
            .attachments
            .iter()
            .position(|a| matches!(a, AttachmentInput::Path { .. }))
    {
        return Err(SessionError::Attachment {
            index,
            error: AttachmentError::PathFromAnotherUser,
        }
        .into());
    }
    let send = msg::Send {
        thread_id: p.thread_id,
        text: p.text,
        postback: p.postback,
        client_message_id: p.client_message_id,
        attachments: p.attachments,
    };
    ask(&find(&ctx.state, &p.session).await?.threads, send).await
}

pub(crate) async fn load_more(
    ctx: &Ctx,
    p: ThreadParams,
) -> Result<ThreadLoadMoreResult, ErrorObject> {
    let load = msg::LoadMore {
        thread_id: p.thread_id,
    };
    ask(&find(&ctx.state, &p.session).await?.threads, load).await
}

pub(crate) async fn rename(ctx: &Ctx, p: ThreadRenameParams) -> Result<Thread, ErrorObject> {
    change(ctx, &p.session, p.thread_id, Op::Rename(p.name)).await
}

pub(crate) async fn archive(ctx: &Ctx, p: ThreadParams) -> Result<Thread, ErrorObject> {
    change(ctx, &p.session, p.thread_id, Op::Archive).await
}

pub(crate) async fn mark_read(ctx: &Ctx, p: ThreadParams) -> Result<Empty, ErrorObject> {
    op(ctx, &p.session, p.thread_id, Op::MarkRead).await
}

pub(crate) async fn typing(ctx: &Ctx, p: ThreadTypingParams) -> Result<Empty, ErrorObject> {
    if let Some(text) = &p.preview
        && text.chars().count() > MAX_DRAFT_CHARS
    {
        return Err(ErrorObject::from(&SessionError::InvalidParameter {
            field: "preview",
            detail: format!("at most {MAX_DRAFT_CHARS} characters"),
        }));
    }
    op(
        ctx,
        &p.session,
        p.thread_id,
        Op::Typing(p.is_typing, p.preview),
    )
    .await
}

pub(crate) async fn end_contact(ctx: &Ctx, p: ThreadParams) -> Result<Empty, ErrorObject> {
    op(ctx, &p.session, p.thread_id, Op::EndContact).await
}

pub(crate) async fn send_transcript(
    ctx: &Ctx,
    p: ThreadSendTranscriptParams,
) -> Result<Empty, ErrorObject> {
    op(ctx, &p.session, p.thread_id, Op::SendTranscript(p.email)).await
}

pub(crate) async fn set_custom_fields(
    ctx: &Ctx,
    p: ThreadSetCustomFieldsParams,
) -> Result<CustomFieldsResult, ErrorObject> {
    let set = msg::SetThreadCustomFields {
        thread_id: p.thread_id,
        values: p.custom_fields,
    };
    ask(&find(&ctx.state, &p.session).await?.threads, set).await
}

async fn change(
    ctx: &Ctx,
    session: &SessionName,
    thread_id: String,
    op: Op,
) -> Result<Thread, ErrorObject> {
    let change = msg::ChangeThread { thread_id, op };
    ask(&find(&ctx.state, session).await?.threads, change).await
}

async fn op(
    ctx: &Ctx,
    session: &SessionName,
    thread_id: String,
    op: Op,
) -> Result<Empty, ErrorObject> {
    let op = msg::ThreadOp { thread_id, op };
    ask(&find(&ctx.state, session).await?.threads, op).await?;
    Ok(Empty {})
}
