//! Calls addressed to a chat session: finding (or, for `session.prepare`, creating) the
//! session's actor and passing it the typed request.

use actix::{Actor, Addr, Message};
use cxone_chat_protocol::rpc::envelope::Params;
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::analytics::{
    AnalyticsChatWindowOpen, AnalyticsConversion, AnalyticsPageView, AnalyticsPageViewEnded,
    AnalyticsProactiveAction,
};
use cxone_chat_protocol::rpc::methods::customer::{
    CustomerAuthorize, CustomerGet, CustomerSet, CustomerSetCustomFields, CustomerSetDeviceToken,
};
use cxone_chat_protocol::rpc::methods::lifecycle::{AppBackground, AppForeground};
use cxone_chat_protocol::rpc::methods::session::{
    SessionClose, SessionConnect, SessionDisconnect, SessionExecuteTrigger, SessionGetState,
    SessionPrepare,
};
use cxone_chat_protocol::rpc::methods::thread::{
    ThreadArchive, ThreadEndContact, ThreadLoadMore, ThreadMarkRead, ThreadRename, ThreadSend,
    ThreadSendTranscript, ThreadSetCustomFields, ThreadTyping,
};
use cxone_chat_protocol::rpc::methods::threads::{
    ThreadsCreate, ThreadsGet, ThreadsList, ThreadsListResult, ThreadsLoad, ThreadsPreChatSurvey,
};
use cxone_chat_protocol::rpc::methods::{Empty, Method, decode_params};
use cxone_chat_protocol::rpc::types::{SessionName, SessionStatus};
use serde::Serialize;
use serde_json::Value;

use super::dispatch::CallContext;
use super::state::DaemonState;
use crate::actors::session::{self, Session};
use crate::session::attachments::upload_all;
use crate::session::error::SessionError;
use crate::store::StoreError;

/// The session methods this build serves.
pub const SERVED: &[&str] = &[
    SessionPrepare::NAME,
    SessionConnect::NAME,
    SessionDisconnect::NAME,
    SessionGetState::NAME,
    SessionClose::NAME,
    ThreadsList::NAME,
    ThreadsGet::NAME,
    ThreadsCreate::NAME,
    ThreadSend::NAME,
    ThreadLoadMore::NAME,
    ThreadRename::NAME,
    ThreadArchive::NAME,
    ThreadMarkRead::NAME,
    ThreadTyping::NAME,
    ThreadEndContact::NAME,
    ThreadSendTranscript::NAME,
    ThreadSetCustomFields::NAME,
    ThreadsLoad::NAME,
    ThreadsPreChatSurvey::NAME,
    SessionExecuteTrigger::NAME,
    CustomerGet::NAME,
    CustomerSet::NAME,
    CustomerSetCustomFields::NAME,
    CustomerSetDeviceToken::NAME,
    CustomerAuthorize::NAME,
    AppForeground::NAME,
    AppBackground::NAME,
    AnalyticsPageView::NAME,
    AnalyticsPageViewEnded::NAME,
    AnalyticsChatWindowOpen::NAME,
    AnalyticsConversion::NAME,
    AnalyticsProactiveAction::NAME,
];

/// Whether `method` is a session method served here.
pub fn serves(method: &str) -> bool {
    SERVED.contains(&method)
}

fn ok<T: Serialize>(value: T) -> Result<Value, ErrorObject> {
    serde_json::to_value(value)
        .map_err(|e| ErrorObject::new(ErrorCode::InternalError).with_detail(e.to_string()))
}

fn find(state: &DaemonState, name: &SessionName) -> Result<Addr<Session>, ErrorObject> {
    let sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
    sessions
        .get(name)
        .cloned()
        .ok_or_else(|| SessionError::UnknownSession(name.to_string()).into())
}

/// Sends `msg` to the session and maps every failure to the API's codes.
async fn ask<M, T>(addr: Addr<Session>, msg: M) -> Result<Value, ErrorObject>
where
    M: Message<Result = Result<T, SessionError>> + Send + 'static,
    T: Serialize + Send + 'static,
    Session: actix::Handler<M>,
{
    match addr.send(msg).await {
        Ok(Ok(v)) => ok(v),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(SessionError::Stopped.into()),
    }
}

async fn thread_op(
    addr: Addr<Session>,
    thread_id: String,
    op: session::Op,
) -> Result<Value, ErrorObject> {
    match addr.send(session::ThreadOp { thread_id, op }).await {
        Ok(Ok(session::OpResult::Messages(m))) => ok(m),
        Ok(Ok(session::OpResult::Thread(t))) => ok(t),
        Ok(Ok(session::OpResult::Done)) => ok(Empty {}),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(SessionError::Stopped.into()),
    }
}

async fn customer(addr: Addr<Session>, call: session::CustomerCall) -> Result<Value, ErrorObject> {
    match addr.send(session::CustomerOp(call)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(SessionError::Stopped.into()),
    }
}

/// Like [`ask`] for calls whose result is the empty object.
async fn ask_unit<M>(addr: Addr<Session>, msg: M) -> Result<Value, ErrorObject>
where
    M: Message<Result = Result<(), SessionError>> + Send + 'static,
    Session: actix::Handler<M>,
{
    match addr.send(msg).await {
        Ok(Ok(())) => ok(Empty {}),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(SessionError::Stopped.into()),
    }
}

/// Runs one session call.
pub async fn call(
    ctx: &CallContext,
    method: &str,
    params: Option<Params>,
) -> Result<Value, ErrorObject> {
    let state = &ctx.state;
    match method {
        SessionPrepare::NAME => {
            let p: <SessionPrepare as Method>::Params = decode_params(params)?;
            let brand_id = i64::try_from(p.brand_id).map_err(|_| {
                ErrorObject::new(ErrorCode::InvalidParameter)
                    .with_field("brandId")
                    .with_detail("the brand id is too large")
            })?;
            // Checked before a session is created, so a refused prepare leaves nothing behind.
            let environment = p.environment.or_else(|| state.sandbox.clone()).ok_or_else(|| {
                ErrorObject::new(ErrorCode::InvalidParameter).with_field("environment").with_detail(
                    "name the back end (NA1, EU1, …, or {chatUrl, socketUrl}); only a daemon started with --sandbox has a default",
                )
            })?;
            let addr = session_for(state, &p.session).await?;
            let msg = session::Prepare {
                environment,
                brand_id,
                channel_id: p.channel_id,
                customer: p.customer,
            };
            ask(addr, msg).await
        }
        SessionConnect::NAME => {
            let p: <SessionConnect as Method>::Params = decode_params(params)?;
            ask(find(state, &p.session)?, session::Connect).await
        }
        SessionDisconnect::NAME => {
            let p: <SessionDisconnect as Method>::Params = decode_params(params)?;
            ask(find(state, &p.session)?, session::Disconnect).await
        }
        SessionGetState::NAME => {
            let p: <SessionGetState as Method>::Params = decode_params(params)?;
            let addr = find(state, &p.session)?;
            addr.send(session::GetState)
                .await
                .map_err(|_| ErrorObject::from(SessionError::Stopped))
                .and_then(ok)
        }
        SessionClose::NAME => {
            let p: <SessionClose as Method>::Params = decode_params(params)?;
            let addr = state
                .sessions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&p.session);
            let addr = addr.ok_or_else(|| {
                ErrorObject::from(SessionError::UnknownSession(p.session.to_string()))
            })?;
            if p.forget {
                // A sign-out: the stored identity, tokens and outbox go too.
                return match addr.send(session::Forget).await {
                    Ok(Ok(())) => ok(Empty {}),
                    Ok(Err(e)) => Err(e.into()),
                    Err(_) => Err(SessionError::Stopped.into()),
                };
            }
            // Disconnect first so the back end sees a normal close; dropping the last address
            // then stops the actor.
            let _ = addr.send(session::Disconnect).await;
            ok(Empty {})
        }
        ThreadsList::NAME => {
            let p: <ThreadsList as Method>::Params = decode_params(params)?;
            match find(state, &p.session)?.send(session::ListThreads).await {
                Ok(Ok(threads)) => ok(ThreadsListResult { threads }),
                Ok(Err(e)) => Err(e.into()),
                Err(_) => Err(SessionError::Stopped.into()),
            }
        }
        ThreadsGet::NAME => {
            let p: <ThreadsGet as Method>::Params = decode_params(params)?;
            ask(
                find(state, &p.session)?,
                session::GetThread {
                    thread_id: p.thread_id,
                },
            )
            .await
        }
        ThreadsCreate::NAME => {
            let p: <ThreadsCreate as Method>::Params = decode_params(params)?;
            ask(
                find(state, &p.session)?,
                session::CreateThread {
                    name: p.name,
                    custom_fields: p.custom_fields,
                },
            )
            .await
        }
        ThreadSend::NAME => {
            let p: <ThreadSend as Method>::Params = decode_params(params)?;
            let addr = find(state, &p.session)?;
            let mut attachments = Vec::new();
            if !p.attachments.is_empty() {
                // Read, checked and uploaded here, in this call's task: the session actor only
                // sees the uploaded URLs, so large files never hold it up.
                let target = match addr.send(session::GetUploadTarget).await {
                    Ok(Ok(t)) => t,
                    Ok(Err(e)) => return Err(e.into()),
                    Err(_) => return Err(SessionError::Stopped.into()),
                };
                attachments = upload_all(&target, p.attachments)
                    .await
                    .map_err(|(index, error)| SessionError::Attachment { index, error })?;
            }
            let msg = session::Send {
                thread_id: p.thread_id,
                text: p.text,
                postback: p.postback,
                client_message_id: p.client_message_id,
                attachments,
            };
            ask(addr, msg).await
        }
        ThreadLoadMore::NAME
        | ThreadArchive::NAME
        | ThreadMarkRead::NAME
        | ThreadEndContact::NAME => {
            let p: <ThreadLoadMore as Method>::Params = decode_params(params)?;
            let op = match method {
                ThreadLoadMore::NAME => session::Op::LoadMore,
                ThreadArchive::NAME => session::Op::Archive,
                ThreadMarkRead::NAME => session::Op::MarkRead,
                _ => session::Op::EndContact,
            };
            thread_op(find(state, &p.session)?, p.thread_id, op).await
        }
        ThreadRename::NAME => {
            let p: <ThreadRename as Method>::Params = decode_params(params)?;
            thread_op(
                find(state, &p.session)?,
                p.thread_id,
                session::Op::Rename(p.name),
            )
            .await
        }
        ThreadTyping::NAME => {
            let p: <ThreadTyping as Method>::Params = decode_params(params)?;
            thread_op(
                find(state, &p.session)?,
                p.thread_id,
                session::Op::Typing(p.is_typing),
            )
            .await
        }
        ThreadSendTranscript::NAME => {
            let p: <ThreadSendTranscript as Method>::Params = decode_params(params)?;
            thread_op(
                find(state, &p.session)?,
                p.thread_id,
                session::Op::SendTranscript(p.email),
            )
            .await
        }
        CustomerGet::NAME => {
            let p: <CustomerGet as Method>::Params = decode_params(params)?;
            customer(find(state, &p.session)?, session::CustomerCall::Get).await
        }
        CustomerSet::NAME => {
            let p: <CustomerSet as Method>::Params = decode_params(params)?;
            let call = session::CustomerCall::Set {
                id: p.id,
                first_name: p.first_name,
                last_name: p.last_name,
            };
            customer(find(state, &p.session)?, call).await
        }
        CustomerSetCustomFields::NAME => {
            let p: <CustomerSetCustomFields as Method>::Params = decode_params(params)?;
            customer(
                find(state, &p.session)?,
                session::CustomerCall::SetCustomFields(p.custom_fields),
            )
            .await
        }
        CustomerAuthorize::NAME => {
            let p: <CustomerAuthorize as Method>::Params = decode_params(params)?;
            let call = session::CustomerCall::Authorize {
                code: p.authorization_code,
                verifier: p.code_verifier,
            };
            customer(find(state, &p.session)?, call).await
        }
        CustomerSetDeviceToken::NAME => {
            let p: <CustomerSetDeviceToken as Method>::Params = decode_params(params)?;
            customer(
                find(state, &p.session)?,
                session::CustomerCall::SetDeviceToken(p.device_token),
            )
            .await
        }
        ThreadSetCustomFields::NAME => {
            let p: <ThreadSetCustomFields as Method>::Params = decode_params(params)?;
            let call = session::CustomerCall::SetThreadCustomFields {
                thread_id: p.thread_id,
                values: p.custom_fields,
            };
            customer(find(state, &p.session)?, call).await
        }
        SessionExecuteTrigger::NAME => {
            let p: <SessionExecuteTrigger as Method>::Params = decode_params(params)?;
            customer(
                find(state, &p.session)?,
                session::CustomerCall::ExecuteTrigger(p.trigger_id),
            )
            .await
        }
        ThreadsPreChatSurvey::NAME => {
            let p: <ThreadsPreChatSurvey as Method>::Params = decode_params(params)?;
            customer(
                find(state, &p.session)?,
                session::CustomerCall::PreChatSurvey,
            )
            .await
        }
        ThreadsLoad::NAME => {
            let p: <ThreadsLoad as Method>::Params = decode_params(params)?;
            customer(
                find(state, &p.session)?,
                session::CustomerCall::LoadThread(p.thread_id),
            )
            .await
        }
        AppForeground::NAME => {
            let p: <AppForeground as Method>::Params = decode_params(params)?;
            ask(find(state, &p.session)?, session::Foreground).await
        }
        AppBackground::NAME => {
            let p: <AppBackground as Method>::Params = decode_params(params)?;
            // Dropping the socket in the background is opt-in: a kiosk usually stays reachable.
            ask(
                find(state, &p.session)?,
                session::Background {
                    disconnect: p.disconnect.unwrap_or(false),
                },
            )
            .await
        }
        AnalyticsPageView::NAME | AnalyticsPageViewEnded::NAME => {
            let p: <AnalyticsPageView as Method>::Params = decode_params(params)?;
            let call = if method == AnalyticsPageView::NAME {
                session::AnalyticsCall::PageView {
                    title: p.title,
                    url: p.url,
                }
            } else {
                session::AnalyticsCall::PageViewEnded {
                    title: p.title,
                    url: p.url,
                }
            };
            ask_unit(find(state, &p.session)?, session::Analytics(call)).await
        }
        AnalyticsChatWindowOpen::NAME => {
            let p: <AnalyticsChatWindowOpen as Method>::Params = decode_params(params)?;
            ask_unit(
                find(state, &p.session)?,
                session::Analytics(session::AnalyticsCall::ChatWindowOpen),
            )
            .await
        }
        AnalyticsConversion::NAME => {
            let p: <AnalyticsConversion as Method>::Params = decode_params(params)?;
            let call = session::AnalyticsCall::Conversion {
                kind: p.conversion_type,
                value: p.conversion_value,
                time: p.time.map(|t| t.0),
            };
            ask_unit(find(state, &p.session)?, session::Analytics(call)).await
        }
        AnalyticsProactiveAction::NAME => {
            let p: <AnalyticsProactiveAction as Method>::Params = decode_params(params)?;
            let call = session::AnalyticsCall::ProactiveAction {
                id: p.action_id,
                name: p.action_name,
                action_type: p.action_type,
                outcome: p.outcome,
            };
            ask_unit(find(state, &p.session)?, session::Analytics(call)).await
        }
        other => Err(ErrorObject::new(ErrorCode::MethodNotFound)
            .with_detail(format!("{other} is not a session method"))),
    }
}

/// How long [`session_for`] waits for a session's lock that this daemon still holds.
const SESSION_LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(50);
const SESSION_LOCK_ATTEMPTS: u32 = 60;

/// The session's actor, created (with what the store remembers of it) when there is none.
pub async fn session_for(
    state: &std::sync::Arc<DaemonState>,
    name: &SessionName,
) -> Result<Addr<Session>, ErrorObject> {
    let internal = |e: String| ErrorObject::new(ErrorCode::InternalError).with_detail(e);
    // The session's lock can be briefly held by this daemon itself: by an actor that
    // `session.close` is stopping, or by a concurrent call opening the same session (which will
    // have registered its actor by the next look). Wait for either, a bounded time; a lock still
    // held after that belongs to another process using the same state directory.
    let mut attempts = 0;
    let (store, loaded) = loop {
        if let Some(a) = state
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return Ok(a.clone());
        }
        // Opening creates directories and takes the session's lock: file work, kept off the
        // actor thread like every other store call.
        let (root, n) = (state.store.clone(), name.as_str().to_owned());
        let opened =
            tokio::task::spawn_blocking(move || root.session(&n).map(|s| (s.clone(), s.load())))
                .await;
        match opened {
            Ok(Ok(pair)) => break pair,
            Ok(Err(StoreError::SessionInUse { .. })) if attempts < SESSION_LOCK_ATTEMPTS => {
                attempts += 1;
                tokio::time::sleep(SESSION_LOCK_RETRY).await;
            }
            Ok(Err(e)) => return Err(internal(e.to_string())),
            Err(e) => return Err(internal(e.to_string())),
        }
    };
    let record = match loaded {
        Ok(r) => r,
        // A damaged record was moved aside by the store; start afresh rather than refuse.
        Err(e) => {
            tracing::warn!(session = %name, error = %e, "the stored session could not be read; starting afresh");
            None
        }
    };
    let mut sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
    Ok(sessions
        .entry(name.clone())
        .or_insert_with(|| {
            let session = Session::new(
                name.clone(),
                state.hub.clone(),
                state.rest.clone(),
                crate::actors::large_events::source(state.large_events.clone()),
                state.sdk.clone(),
                store,
                record.as_ref(),
            );
            // The session's own actors are as critical as the session: a wedged one would
            // stall its chat just the same.
            let (oauth, threads, live_chat) = session.actors();
            state.health.register(format!("oauth:{name}"), &oauth);
            state.health.register(format!("threads:{name}"), &threads);
            state
                .health
                .register(format!("live-chat:{name}"), &live_chat);
            let addr = session.start();
            state.health.register(format!("session:{name}"), &addr);
            addr
        })
        .clone())
}

/// Every session's line of `daemon.status`.
pub async fn statuses(state: &DaemonState) -> Vec<SessionStatus> {
    let addrs: Vec<Addr<Session>> = state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .cloned()
        .collect();
    let mut out = Vec::new();
    for a in addrs {
        if let Ok(s) = a.send(session::Status).await {
            out.push(s);
        }
    }
    out.sort_by(|a, b| a.session.as_str().cmp(b.session.as_str()));
    out
}
