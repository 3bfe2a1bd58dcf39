//! The typed dispatcher: every method of the local API is registered once, with the handler
//! that serves it (rust-analyzer's `on::<Request>(handler)`). A handler takes the call's
//! context and the method's own params type and returns the method's own result type, so the
//! compiler holds every answer to what `protocol::rpc::methods` declares. Params are decoded
//! here (unknown fields refused, the faulty field named), results serialized here, and the list
//! of served methods (`daemon.info`'s capabilities) is the list of registrations. The
//! registrations themselves are in `handlers.rs`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use actix::dev::ToEnvelope;
use actix::{Actor, Addr, Handler, Message};
use cxone_chat_protocol::rpc::envelope::Params;
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::methods::{Method, decode_params, find_method};
#[cfg(test)]
use cxone_chat_protocol::rpc::openrpc::published_result_schema;
use futures_util::future::LocalBoxFuture;
#[cfg(test)]
use schemars::{Schema, SchemaGenerator};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::actors::event_hub::Sink;
use crate::options::Options;
use crate::rpc::state::{DaemonState, Peer};
use crate::session::error::SessionError;

/// What a call knows about where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// Daemon-wide state.
    pub(crate) state: Arc<DaemonState>,
    /// The connection.
    pub(crate) client: u64,
    /// Who is on the other end.
    pub(crate) peer: Peer,
    /// The connection's outbound sink (for subscriptions).
    pub(crate) sink: Sink,
    /// The dispatcher running the call (what it serves, for `daemon.info`).
    pub(crate) dispatcher: &'static Dispatcher,
}

/// A result serialized straight from the handler's typed answer (no `Value` between).
pub(crate) type Answer = Result<Box<RawValue>, ErrorObject>;

type Run = Box<dyn Fn(Ctx, Option<Params>) -> LocalBoxFuture<'static, Answer> + Send + Sync>;

struct Route {
    run: Run,
    #[cfg(test)]
    result_schema: fn(&mut SchemaGenerator) -> Schema,
}

/// A test hook's handler: raw params in, raw result out.
type Hook = fn(&Ctx, Option<Params>) -> Result<Value, ErrorObject>;

/// Method name → handler.
#[derive(Default)]
pub(crate) struct Dispatcher {
    routes: BTreeMap<&'static str, Route>,
    hooks: BTreeMap<&'static str, Hook>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.routes.keys()).finish()
    }
}

impl Dispatcher {
    /// Serves method `M` with `handler`. Registering a method twice is a programming error.
    pub(crate) fn on<M>(
        &mut self,
        handler: impl AsyncFn(&Ctx, M::Params) -> Result<M::Result, ErrorObject> + Send + Sync + 'static,
    ) -> &mut Self
    where
        M: Method + 'static,
    {
        let handler = Arc::new(handler);
        let run: Run = Box::new(move |ctx, params| {
            let handler = handler.clone();
            Box::pin(async move {
                let params = decode_params::<M::Params>(params)?;
                let result = handler(&ctx, params).await?;
                serialized(&result)
            })
        });
        self.register::<M>(run)
    }

    /// Serves method `M`, whose answer is the same for every call under one configuration
    /// (`daemon.info`, `rpc.discover`), with `handler`. The handler runs and its answer is
    /// serialized once per configuration (a reload that replaces the options makes the next call
    /// run it again); calls are answered with a copy of that text. Params are still decoded, so
    /// unknown ones are refused as everywhere else.
    pub(crate) fn on_constant<M>(&mut self, handler: fn(&Ctx) -> M::Result) -> &mut Self
    where
        M: Method + 'static,
    {
        let answered: Mutex<Option<(Arc<Options>, Box<RawValue>)>> = Mutex::new(None);
        let run: Run = Box::new(move |ctx, params| {
            let answer = decode_params::<M::Params>(params).and_then(|_| {
                let options = ctx.state.options();
                let mut answered = answered.lock().unwrap_or_else(|e| e.into_inner());
                match &*answered {
                    Some((under, text)) if Arc::ptr_eq(under, &options) => Ok(text.clone()),
                    _ => {
                        let text = serialized(&handler(&ctx))?;
                        *answered = Some((options, text.clone()));
                        Ok(text)
                    }
                }
            });
            Box::pin(std::future::ready(answer))
        });
        self.register::<M>(run)
    }

    fn register<M: Method + 'static>(&mut self, run: Run) -> &mut Self {
        let route = Route {
            run,
            #[cfg(test)]
            result_schema: |g| g.subschema_for::<M::Result>(),
        };
        assert!(
            self.routes.insert(M::NAME, route).is_none(),
            "{} is registered twice",
            M::NAME
        );
        self
    }

    /// A test hook: not part of the API, not listed as served, and answered only when the
    /// daemon runs with its test hooks on (`CXONE_CHATD_TEST_HOOKS=1`, debug builds).
    #[cfg(debug_assertions)]
    pub(crate) fn hook(&mut self, name: &'static str, hook: Hook) -> &mut Self {
        self.hooks.insert(name, hook);
        self
    }

    /// The methods served, in name order.
    pub(crate) fn served(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.routes.keys().copied()
    }

    /// The schema of the result `method`'s handler answers with, as the OpenRPC document
    /// would publish it.
    #[cfg(test)]
    pub(crate) fn result_schema(&self, method: &str) -> Option<Value> {
        self.routes
            .get(method)
            .map(|r| published_result_schema(r.result_schema))
    }

    /// Runs one call.
    pub(crate) async fn call(&self, ctx: Ctx, method: &str, params: Option<Params>) -> Answer {
        if let Some(route) = self.routes.get(method) {
            return (route.run)(ctx, params).await;
        }
        if let Some(hook) = self.hooks.get(method).filter(|_| ctx.state.test_hooks) {
            return serialized(&hook(&ctx, params)?);
        }
        Err(match find_method(method) {
            // Part of the published API but not served: the registration test prevents this in
            // a build of this repository; kept for a client newer than the daemon.
            Some(m) => ErrorObject::new(ErrorCode::MethodNotFound).with_message(format!(
                "{} is part of the API but not available in this build of cxone-chatd; see daemon.info capabilities",
                m.name
            )),
            None => ErrorObject::new(ErrorCode::MethodNotFound).with_message(format!(
                "unknown method {method:?}; rpc.discover lists every method"
            )),
        })
    }
}

fn serialized(result: &impl serde::Serialize) -> Answer {
    serde_json::value::to_raw_value(result)
        .map_err(|e| ErrorObject::new(ErrorCode::InternalError).with_detail(e.to_string()))
}

/// Sends `msg` to one of a session's actors and maps its answer: the actor's own error through
/// the one mapping in `rpc/errors.rs`, a stopped actor as `SessionError::Stopped`.
pub(crate) async fn ask<A, M, T>(addr: &Addr<A>, msg: M) -> Result<T, ErrorObject>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message<Result = Result<T, SessionError>> + Send + 'static,
    T: Send + 'static,
{
    match addr.send(msg).await {
        Ok(answer) => answer.map_err(ErrorObject::from),
        Err(_) => Err(SessionError::Stopped.into()),
    }
}

/// A failure the caller cannot act on (an actor of the daemon itself went away).
pub(crate) fn internal(e: impl std::fmt::Display) -> ErrorObject {
    ErrorObject::new(ErrorCode::InternalError).with_detail(e.to_string())
}
