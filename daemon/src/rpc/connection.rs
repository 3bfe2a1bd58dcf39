//! One actor per client connection: reads NDJSON lines, answers JSON-RPC, and owns the writer
//! task that drains the connection's bounded outbound queue onto the socket.
//!
//! Reading and writing are decoupled so that a client that stops reading only fills its own
//! queue: its events are then lagged by the hub, and its own calls wait for queue space, but
//! nothing else in the daemon waits for it. Calls run as independent tasks, so a slow call does
//! not hold up the next line; at most `max_pending` run at once per connection, beyond which
//! calls are refused with `overloaded`. Calls run on the actor system's thread (`actix::spawn`)
//! because handling one may start an actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use actix::prelude::*;
use cxone_chat_protocol::rpc::Response;
use cxone_chat_protocol::rpc::codec::{FrameError, NdjsonCodec};
use cxone_chat_protocol::rpc::envelope::{Incoming, Item, Reply, parse};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use futures_util::future::join_all;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;

use crate::actors::event_hub::{ClientGone, Outbound, Sink};
use crate::rpc::conn_io::ConnIo;
use crate::rpc::dispatcher::Ctx;
use crate::rpc::handlers::router;
use crate::rpc::state::{ClientEntry, DaemonState, Peer};

/// A client connection.
#[derive(Debug)]
pub(crate) struct RpcClient {
    id: u64,
    peer: Peer,
    state: Arc<DaemonState>,
    sink: Sink,
    pending: Arc<AtomicU32>,
    reader: Option<ConnIo>,
}

impl RpcClient {
    /// Starts the actor and its writer task for an accepted, authorized connection.
    pub(crate) fn start_for(
        id: u64,
        peer: Peer,
        state: Arc<DaemonState>,
        recv: ConnIo,
        send: ConnIo,
    ) -> Addr<Self> {
        let (queue, rx) = mpsc::channel(state.options().client_queue.max(1));
        let (lag, lag_rx) = mpsc::unbounded_channel();
        let pending = Arc::new(AtomicU32::new(0));
        state
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                id,
                ClientEntry {
                    pid: peer.pid,
                    uid: peer.uid,
                    pending: pending.clone(),
                    queue: queue.clone(),
                },
            );
        tokio::spawn(write_loop(id, send, rx, lag_rx));
        RpcClient::create(|_| RpcClient {
            id,
            peer,
            state,
            sink: Sink {
                client: id,
                queue,
                lag,
            },
            pending,
            reader: Some(recv),
        })
    }

    fn handle_line(&mut self, line: &str) {
        let incoming = parse(line, &self.state.parse_options());
        let items = match incoming {
            Incoming::Rejected(response) => return self.reply(Reply::Single(response)),
            Incoming::Single(item) => {
                if let Some(fut) = self.item(item) {
                    let queue = self.sink.queue.clone();
                    actix::spawn(async move {
                        if let Some(r) = fut.await {
                            let _ = queue.send(Outbound::Line(to_line(&Reply::Single(r)))).await;
                        }
                    });
                }
                return;
            }
            Incoming::Batch(items) => items,
        };
        let calls: Vec<_> = items.into_iter().filter_map(|i| self.item(i)).collect();
        let queue = self.sink.queue.clone();
        actix::spawn(async move {
            let responses: Vec<Response> = join_all(calls).await.into_iter().flatten().collect();
            // A batch of notifications only is never answered.
            if let Some(reply) = Reply::batch(responses) {
                let _ = queue.send(Outbound::Line(to_line(&reply))).await;
            }
        });
    }

    /// The future answering one item (`None` inside for notifications).
    fn item(
        &mut self,
        item: Item,
    ) -> Option<futures_util::future::LocalBoxFuture<'static, Option<Response>>> {
        match item {
            Item::Invalid(response) => Some(Box::pin(async move { Some(response) })),
            Item::IgnoredNotification { method, error } => {
                tracing::debug!(client = self.id, %method, code = error.code, "ignored a notification it cannot act on");
                None
            }
            Item::Request(request) => {
                let max_pending = self.state.options().max_pending;
                if self.pending.load(Ordering::Relaxed) >= max_pending {
                    let error = ErrorObject::new(ErrorCode::Overloaded).with_detail(format!(
                        "this connection already has {max_pending} calls running; wait for answers before sending more"
                    ));
                    return Some(Box::pin(
                        async move { Some(Response::error(request.id, error)) },
                    ));
                }
                let ctx = self.call_context();
                let pending = self.pending.clone();
                pending.fetch_add(1, Ordering::Relaxed);
                Some(Box::pin(async move {
                    let response = router().call(ctx, &request.method, request.params).await;
                    pending.fetch_sub(1, Ordering::Relaxed);
                    Some(match response {
                        Ok(result) => Response::success(request.id, result),
                        Err(error) => Response::error(request.id, error),
                    })
                }))
            }
            Item::Notification(n) => {
                let ctx = self.call_context();
                Some(Box::pin(async move {
                    if let Err(error) = router().call(ctx, &n.method, n.params).await {
                        tracing::debug!(method = %n.method, code = error.code, "a notification failed; it cannot be answered");
                    }
                    None
                }))
            }
        }
    }

    fn call_context(&self) -> Ctx {
        Ctx {
            state: self.state.clone(),
            client: self.id,
            peer: self.peer,
            sink: self.sink.clone(),
            dispatcher: router(),
        }
    }

    fn reply(&self, reply: Reply) {
        let queue = self.sink.queue.clone();
        tokio::spawn(async move {
            let _ = queue.send(Outbound::Line(to_line(&reply))).await;
        });
    }
}

fn to_line(reply: &Reply) -> String {
    serde_json::to_string(reply).expect("replies serialize")
}

impl Actor for RpcClient {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let reader = self.reader.take().expect("reader set at creation");
        let codec = NdjsonCodec::with_max_line_length(self.state.options().max_line_length);
        ctx.add_stream(FramedRead::new(reader, codec));
        tracing::debug!(client = self.id, "client connected");
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.state.hub.do_send(ClientGone { client: self.id });
        self.state
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
        tracing::debug!(client = self.id, "client disconnected");
    }
}

impl StreamHandler<Result<Result<String, FrameError>, std::io::Error>> for RpcClient {
    fn handle(
        &mut self,
        item: Result<Result<String, FrameError>, std::io::Error>,
        ctx: &mut Self::Context,
    ) {
        match item {
            Ok(Ok(line)) => self.handle_line(&line),
            // Too long or not UTF-8: answered, and the connection goes on with the next line.
            Ok(Err(frame_error)) => self.reply(Reply::Single(frame_error.to_response())),
            Err(e) => {
                tracing::debug!(client = self.id, error = %e, "reading from the client failed");
                ctx.stop();
            }
        }
    }
}

/// Drains the connection's queue onto the socket. Lag notices go out only once the queue is
/// empty, so that they follow every event the subscriber did get.
async fn write_loop(
    client: u64,
    mut send: ConnIo,
    mut queue: mpsc::Receiver<Outbound>,
    mut lag: mpsc::UnboundedReceiver<String>,
) {
    loop {
        let line = tokio::select! {
            biased;
            Some(Outbound::Line(line)) = queue.recv() => line,
            Some(line) = lag.recv() => line,
            else => break,
        };
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        if let Err(e) = send.write_all(&bytes).await {
            tracing::debug!(client, error = %e, "client went away while being written to");
            break;
        }
    }
}
