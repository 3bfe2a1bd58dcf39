//! The one place that maps a method name to its handler. Params are decoded into the method's
//! typed params (unknown fields refused, the faulty field named), handlers return typed results,
//! and every failure leaves here as an `ErrorObject` with a code from the protocol's table.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cxone_chat_protocol::rpc::envelope::Params;
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::events::{
    EventsPoll, EventsPollParams, EventsPollResult, EventsSubscribe, EventsUnsubscribe,
    EventsUnsubscribeResult,
};
use cxone_chat_protocol::rpc::methods::meta::{
    ClientStatus, DaemonInfo, DaemonInfoResult, DaemonSetLogLevel, DaemonSetLogLevelResult,
    DaemonState as ApiState, DaemonStatus, DaemonStatusResult, Limits, LogLevel, OpenRpcDocument,
    RpcDiscover,
};
use cxone_chat_protocol::rpc::methods::{Method, decode_params, find_method};
use cxone_chat_protocol::rpc::notifications::EventCursor;
use serde::Serialize;
use serde_json::Value;

use crate::actors::event_hub::{
    Poll, PollAnswer, Sink, Status, Subscribe, SubscriptionCounts, Unsubscribe,
};
use crate::event_log::Filter;
use crate::rpc::state::DaemonState;

/// What a call knows about where it came from.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// Daemon-wide state.
    pub state: Arc<DaemonState>,
    /// The connection.
    pub client: u64,
    /// The connection's outbound sink (for subscriptions).
    pub sink: Sink,
}

type CallResult = Result<Value, ErrorObject>;

fn ok<T: Serialize>(value: T) -> CallResult {
    serde_json::to_value(value)
        .map_err(|e| ErrorObject::new(ErrorCode::InternalError).with_detail(e.to_string()))
}

/// Runs one call.
pub async fn call(ctx: &CallContext, method: String, params: Option<Params>) -> CallResult {
    match method.as_str() {
        RpcDiscover::NAME => {
            decode_params::<<RpcDiscover as Method>::Params>(params)?;
            static DOC: OnceLock<Value> = OnceLock::new();
            ok(OpenRpcDocument(DOC.get_or_init(cxone_chat_protocol::rpc::openrpc::document).clone()))
        }
        DaemonInfo::NAME => {
            decode_params::<<DaemonInfo as Method>::Params>(params)?;
            ok(info(&ctx.state))
        }
        DaemonStatus::NAME => {
            decode_params::<<DaemonStatus as Method>::Params>(params)?;
            status(&ctx.state).await
        }
        DaemonSetLogLevel::NAME => {
            let p: <DaemonSetLogLevel as Method>::Params = decode_params(params)?;
            let level = match p.level {
                LogLevel::Off => "off",
                LogLevel::Error => "error",
                LogLevel::Warn => "warn",
                LogLevel::Info => "info",
                LogLevel::Debug => "debug",
                LogLevel::Trace => "trace",
            };
            match ctx.state.log.set(level, p.target.as_deref()) {
                Ok(filter) => ok(DaemonSetLogLevelResult { filter }),
                Err(e) => Err(ErrorObject::new(ErrorCode::InvalidParameter).with_field("target").with_detail(e.to_string())),
            }
        }
        EventsSubscribe::NAME => {
            let p: <EventsSubscribe as Method>::Params = decode_params(params)?;
            let filter = Filter { session: p.session, kinds: p.kinds };
            let msg = Subscribe { sink: ctx.sink.clone(), filter, since: p.since };
            match ctx.state.hub.send(msg).await {
                Ok(Ok(result)) => ok(result),
                Ok(Err(e)) => Err(ErrorObject::new(ErrorCode::Overloaded).with_detail(e.to_string())),
                Err(e) => Err(internal(e)),
            }
        }
        EventsUnsubscribe::NAME => {
            let p: <EventsUnsubscribe as Method>::Params = decode_params(params)?;
            let msg = Unsubscribe { client: ctx.client, subscription: p.subscription };
            let unsubscribed = ctx.state.hub.send(msg).await.map_err(internal)?;
            ok(EventsUnsubscribeResult { unsubscribed })
        }
        EventsPoll::NAME => poll(ctx, decode_params(params)?).await,
        // Test hook, compiled into debug builds only and answered only when the daemon was
        // started with CXONE_CHATD_TEST_HOOKS=1: wedges a critical actor so that tests can see
        // the watchdog stop. Release builds do not contain it.
        #[cfg(debug_assertions)]
        "debug.wedge" if ctx.state.test_hooks => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct P {
                actor: String,
            }
            let p: P = decode_params(params)?;
            if ctx.state.health.wedge(&p.actor) {
                ok(serde_json::json!({"wedged": p.actor}))
            } else {
                Err(ErrorObject::new(ErrorCode::InvalidParameter).with_field("actor").with_detail(format!(
                    "no critical actor is called {:?}; registered: {:?}",
                    p.actor,
                    ctx.state.health.names()
                )))
            }
        }
        name if super::sessions::serves(name) => super::sessions::call(ctx, name, params).await,
        other => match find_method(other) {
            // Part of the published API, not yet served by this build (issue #4 is in progress).
            Some(m) => Err(ErrorObject::new(ErrorCode::MethodNotFound).with_message(format!(
                "{} is part of the API but not available in this build of cxone-chatd yet; see daemon.info capabilities",
                m.name
            ))),
            None => Err(ErrorObject::new(ErrorCode::MethodNotFound).with_message(format!(
                "unknown method {other:?}; rpc.discover lists every method"
            ))),
        },
    }
}

fn internal(e: impl std::fmt::Display) -> ErrorObject {
    ErrorObject::new(ErrorCode::InternalError).with_detail(e.to_string())
}

/// The daemon-wide methods this build serves; `sessions::SERVED` lists the session ones. Both
/// are advertised in `daemon.info` so clients can check.
pub const SERVED: &[&str] = &[
    RpcDiscover::NAME,
    DaemonInfo::NAME,
    DaemonStatus::NAME,
    DaemonSetLogLevel::NAME,
    EventsSubscribe::NAME,
    EventsUnsubscribe::NAME,
    EventsPoll::NAME,
];

fn info(state: &DaemonState) -> DaemonInfoResult {
    let mut capabilities = vec![
        "batch".to_owned(),
        "events.replay".to_owned(),
        "events.poll".to_owned(),
    ];
    if state.sandbox.is_some() {
        capabilities.push("sandbox".to_owned());
    }
    capabilities.extend(
        SERVED
            .iter()
            .chain(super::sessions::SERVED)
            .map(|m| format!("method:{m}")),
    );
    DaemonInfoResult {
        name: "cxone-chatd".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol_version: cxone_chat_protocol::rpc::API_VERSION.into(),
        capabilities,
        limits: {
            let o = state.options();
            Limits {
                max_line_length: o.max_line_length as u64,
                max_batch_length: o.max_batch_len as u64,
                event_buffer_size: o.event_buffer as u64,
                max_poll_timeout_ms: o.max_poll_timeout_ms,
            }
        },
    }
}

async fn status(state: &DaemonState) -> CallResult {
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
    let sessions = super::sessions::statuses(state).await;
    ok(DaemonStatusResult {
        ready: true,
        state: ApiState::Ready,
        uptime_ms: state.started.elapsed().as_millis() as u64,
        sessions,
        clients,
        events,
    })
}

async fn poll(ctx: &CallContext, p: EventsPollParams) -> CallResult {
    let max = ctx.state.options().max_poll_timeout_ms;
    if p.timeout_ms > max {
        return Err(ErrorObject::new(ErrorCode::InvalidParameter)
            .with_field("timeoutMs")
            .with_detail(format!("timeoutMs may be at most {max}")));
    }
    let limit = p.limit.map_or(1000, |l| l as usize);
    let filter = Filter {
        session: p.session,
        kinds: p.kinds,
    };
    let since = p.since.clone();
    match ctx
        .state
        .hub
        .send(Poll {
            filter,
            since,
            limit,
        })
        .await
        .map_err(internal)?
    {
        PollAnswer::Ready(result) => ok(result),
        PollAnswer::Wait(rx, head) => {
            let next = p.since.unwrap_or(head);
            match tokio::time::timeout(Duration::from_millis(p.timeout_ms), rx).await {
                Ok(Ok(event)) => {
                    let next = EventCursor {
                        epoch: event.epoch.clone(),
                        seq: event.seq,
                    };
                    ok(EventsPollResult {
                        events: vec![event],
                        next,
                    })
                }
                // Nothing within the timeout: an empty answer with the same cursor.
                _ => ok(EventsPollResult {
                    events: Vec::new(),
                    next,
                }),
            }
        }
    }
}
