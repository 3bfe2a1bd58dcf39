//! The daemon's chat sessions by name: finding a session's actors for a call, creating them
//! (with what the store remembers) for `session.prepare`, and every session's status line.

use std::sync::Arc;

use actix::{Actor, Addr};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::types::{SessionName, SessionStatus};

use super::state::{DaemonState, SessionHandle};
use crate::actors::session::{self, Session};
use crate::session::error::SessionError;
use crate::store::StoreError;

/// The session called `name`, when there is one. Just after a start, while the sessions of the
/// earlier run are being restored, a name not found yet is looked up again once they are.
pub(crate) async fn find(
    state: &DaemonState,
    name: &SessionName,
) -> Result<SessionHandle, ErrorObject> {
    if let Some(found) = lookup(state, name) {
        return Ok(found);
    }
    restored(state).await;
    lookup(state, name).ok_or_else(|| SessionError::UnknownSession(name.to_string()).into())
}

fn lookup(state: &DaemonState, name: &SessionName) -> Option<SessionHandle> {
    let sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
    sessions.get(name).cloned()
}

/// The session called `name` for a call that brings back a session the store remembers from an
/// earlier run (`app.foreground` after a restart): found, or opened with what the store keeps
/// when there is a record of it. Other names are unknown sessions, as for [`find`].
pub(crate) async fn find_or_kept(
    state: &Arc<DaemonState>,
    name: &SessionName,
) -> Result<SessionHandle, ErrorObject> {
    let unknown = match find(state, name).await {
        Ok(found) => return Ok(found),
        Err(e) if e.code == ErrorCode::UnknownSession.code() => e,
        Err(e) => return Err(e),
    };
    let (store, n) = (state.store.clone(), name.as_str().to_owned());
    let kept =
        tokio::task::spawn_blocking(move || store.list_sessions().map(|l| l.contains(&n))).await;
    match kept {
        Ok(Ok(true)) => session_for(state, name).await,
        _ => Err(unknown),
    }
}

/// Waits until the stored sessions are restored (at once after that): a call that may create a
/// session waits, so that a session being restored is found, not made twice.
pub(crate) async fn restored(state: &DaemonState) {
    let mut done = state.restored.subscribe();
    let _ = done.wait_for(|restored| *restored).await;
}

/// Removes the session called `name` from the table (`session.close`); its actors stop once the
/// caller drops the handle.
pub(crate) fn remove(
    state: &DaemonState,
    name: &SessionName,
) -> Result<SessionHandle, ErrorObject> {
    state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(name)
        .ok_or_else(|| SessionError::UnknownSession(name.to_string()).into())
}

/// How long [`session_for`] waits for a session's lock that this daemon still holds.
const SESSION_LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(50);
const SESSION_LOCK_ATTEMPTS: u32 = 60;

/// The session's actor, created (with what the store remembers of it) when there is none.
pub(crate) async fn session_for(
    state: &Arc<DaemonState>,
    name: &SessionName,
) -> Result<SessionHandle, ErrorObject> {
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
        // Loading waits for the state database: kept off the actor thread like every other
        // blocking store call.
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
            // A full, read-only or failing state directory gets its own code and what to do.
            Ok(Err(e)) => return Err(ErrorObject::from(&SessionError::Store(e))),
            Err(e) => return Err(internal(e.to_string())),
        }
    };
    let record = match loaded {
        Ok(r) => r,
        // A state directory that cannot be used: the host hears it, with what to do, rather
        // than a session that would forget its identity on the next restart.
        Err(e)
            if matches!(
                e.trouble(),
                crate::store::Trouble::Full | crate::store::Trouble::Unavailable
            ) =>
        {
            return Err(ErrorObject::from(&SessionError::Store(e)));
        }
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
            let session = session.start();
            state.health.register(format!("session:{name}"), &session);
            SessionHandle { session, threads }
        })
        .clone())
}

/// Every session's line of `daemon.status`.
pub(crate) async fn statuses(state: &DaemonState) -> Vec<SessionStatus> {
    let addrs: Vec<Addr<Session>> = state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .map(|h| h.session.clone())
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
