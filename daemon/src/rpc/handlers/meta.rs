//! `rpc.discover` and `daemon.*`: what the daemon is, how it is doing, its log level; and the
//! debug builds' `debug.wedge` test hook.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::NoParams;
use cxone_chat_protocol::rpc::methods::meta::{
    ClientStatus, DaemonInfoResult, DaemonSetLogLevelParams, DaemonSetLogLevelResult,
    DaemonState as ApiState, DaemonStatusResult, Limits, LogLevel, OpenRpcDocument,
};

use crate::actors::event_hub::{Status, SubscriptionCounts};
use crate::rpc::dispatcher::{Ctx, internal};
use crate::rpc::sessions::statuses;

/// The OpenRPC document: built and serialized once (`Dispatcher::on_constant`).
pub(crate) fn discover(_: &Ctx) -> OpenRpcDocument {
    OpenRpcDocument(cxone_chat_protocol::rpc::openrpc::document())
}

/// What this daemon is and serves: the same for every call under one configuration, so it is
/// serialized once per configuration (`Dispatcher::on_constant`).
pub(crate) fn info(ctx: &Ctx) -> DaemonInfoResult {
    let mut capabilities: Vec<Cow<'static, str>> = ["batch", "events.replay", "events.poll"]
        .map(Cow::Borrowed)
        .into();
    if ctx.state.sandbox.is_some() {
        capabilities.push(Cow::Borrowed("sandbox"));
    }
    let methods = ctx.dispatcher.served();
    capabilities.extend(methods.map(|m| Cow::Owned(format!("method:{m}"))));
    let o = ctx.state.options();
    DaemonInfoResult {
        name: "cxone-chatd".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol_version: cxone_chat_protocol::rpc::API_VERSION.into(),
        capabilities,
        limits: Limits {
            max_line_length: o.max_line_length as u64,
            max_batch_length: o.max_batch_len as u64,
            event_buffer_size: o.event_buffer as u64,
            max_poll_timeout_ms: o.max_poll_timeout_ms,
        },
    }
}

pub(crate) async fn status(ctx: &Ctx, _: NoParams) -> Result<DaemonStatusResult, ErrorObject> {
    let state = &ctx.state;
    let events = state.hub.send(Status).await.map_err(internal)?;
    let subs = state.hub.send(SubscriptionCounts).await.map_err(internal)?;
    let mut clients: Vec<ClientStatus> = {
        let clients = state.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .iter()
            .map(|(id, c)| ClientStatus {
                id: *id,
                pid: c.pid,
                uid: c.uid,
                subscriptions: subs.get(id).copied().unwrap_or(0),
                pending_requests: c.pending.load(Ordering::Relaxed),
                queued_messages: (c.queue.max_capacity() - c.queue.capacity()) as u32,
            })
            .collect()
    };
    clients.sort_by_key(|c| c.id);
    Ok(DaemonStatusResult {
        ready: true,
        state: ApiState::Ready,
        uptime_ms: state.started.elapsed().as_millis() as u64,
        sessions: statuses(state).await,
        clients,
        events,
    })
}

pub(crate) async fn set_log_level(
    ctx: &Ctx,
    p: DaemonSetLogLevelParams,
) -> Result<DaemonSetLogLevelResult, ErrorObject> {
    // Trace logs carry more than any other level; only the daemon's own user (or root) may
    // turn them on from the socket. Everyone else allowed to connect may go up to debug.
    if p.level == LogLevel::Trace && !ctx.peer.is_admin() {
        return Err(ErrorObject::new(ErrorCode::PeerNotAuthorized).with_detail(
            "only the daemon's own user or root may raise the log level above debug; use debug, or ask the administrator",
        ));
    }
    let level = match p.level {
        LogLevel::Off => "off",
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    };
    match ctx.state.log.set(level, p.target.as_deref()) {
        Ok(filter) => Ok(DaemonSetLogLevelResult { filter }),
        Err(e) => Err(ErrorObject::new(ErrorCode::InvalidParameter)
            .with_field("target")
            .with_detail(e.to_string())),
    }
}

/// The test hook's method name (debug builds only; not part of the API).
#[cfg(debug_assertions)]
pub(crate) const WEDGE: &str = "debug.wedge";

/// `debug.wedge {actor}`: wedges a critical actor so that tests can see the watchdog stop.
#[cfg(debug_assertions)]
pub(crate) fn wedge(
    ctx: &Ctx,
    params: Option<cxone_chat_protocol::rpc::envelope::Params>,
) -> Result<serde_json::Value, ErrorObject> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct P {
        actor: String,
    }
    let p: P = cxone_chat_protocol::rpc::methods::decode_params(params)?;
    if ctx.state.health.wedge(&p.actor) {
        Ok(serde_json::json!({"wedged": p.actor}))
    } else {
        Err(ErrorObject::new(ErrorCode::InvalidParameter)
            .with_field("actor")
            .with_detail(format!(
                "no critical actor is called {:?}; registered: {:?}",
                p.actor,
                ctx.state.health.names()
            )))
    }
}
