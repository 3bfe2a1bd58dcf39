//! One task per client connection: reads NDJSON lines, answers JSON-RPC, and starts the writer
//! task that drains the connection's outbound queue onto the socket.
//!
//! **Backpressure, not buffering.** A call counts as running from the moment its line is read
//! until its answer is in the outbound queue, and the queue is bounded in items and in bytes
//! (`Sink`). At most `max_pending` calls and notifications run at once; a request beyond that
//! is answered `overloaded` at once, and that answer, like every other, waits for room in the
//! queue — during which the connection reads nothing more. A client that stops reading
//! therefore fills its queue, then its running calls, then the socket's kernel buffer, and is
//! then simply not read: the daemon holds a bounded amount for it (at most `max_pending`
//! calls, `client_queue` lines and [`MAX_QUEUED_BYTES`]), and everything is freed when it
//! closes. Its events are lagged by the hub, and nothing else in the daemon waits for it.
//!
//! A call is polled once by the reader; one that is not done at once (it waits for an actor,
//! the network, the disk) goes on as an independent task, so a slow call does not hold up the
//! next line. Everything runs on the actor system's thread (`actix::spawn`), because handling a
//! call may start an actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use cxone_chat_protocol::rpc::Response;
use cxone_chat_protocol::rpc::codec::NdjsonCodec;
use cxone_chat_protocol::rpc::envelope::ResponsePayload;
use cxone_chat_protocol::rpc::envelope::{Id, Incoming, Item, Reply, parse};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use futures_util::future::{LocalBoxFuture, join_all};
use futures_util::{FutureExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::codec::FramedRead;

use crate::actors::event_hub::{ClientGone, Line, Outbound, Sink, SubscriptionCounts, json_line};
use crate::rpc::dispatcher::Ctx;
use crate::rpc::handlers::router;
use crate::rpc::state::{ClientEntry, DaemonState, Peer};

/// The most bytes of answers and events a connection's queue holds for its client.
pub(crate) const MAX_QUEUED_BYTES: u32 = 8 << 20;

/// How long the writer may go on delivering what is queued once the connection stopped being
/// read (a client that half-closed still gets its answers); after that it is stopped, so that a
/// client that neither reads nor closes cannot keep its queue alive.
const DRAIN_AFTER_CLOSE: std::time::Duration = std::time::Duration::from_secs(10);

/// What the reading loop and every call of a connection share.
#[derive(Debug, Clone)]
struct Conn {
    id: u64,
    peer: Peer,
    state: Arc<DaemonState>,
    sink: Sink,
    /// Calls and notifications running (answered or not yet in the queue), for
    /// `daemon.status`.
    pending: Arc<AtomicU32>,
    /// One permit per call or notification running; at most `max_pending`.
    slots: Arc<Semaphore>,
}

/// Serves an accepted, authorized connection: its reading loop as a task on the actor system's
/// thread (`actix::spawn`: a call may start an actor), and its writer task.
pub(crate) fn serve(
    id: u64,
    peer: Peer,
    state: Arc<DaemonState>,
    recv: OwnedReadHalf,
    send: OwnedWriteHalf,
) {
    let options = state.options();
    let (queue, rx) = mpsc::channel(options.client_queue.max(1));
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
    let (reading, read_done) = tokio::sync::oneshot::channel();
    tokio::spawn(write_loop(id, send, rx, lag_rx, read_done));
    let conn = Conn {
        id,
        peer,
        sink: Sink::new(id, queue, lag, MAX_QUEUED_BYTES),
        pending,
        slots: Arc::new(Semaphore::new(options.max_pending.max(1) as usize)),
        state,
    };
    tracing::debug!(client = id, "client connected");
    let gone = Departure {
        client: id,
        state: conn.state.clone(),
        _reading: reading,
    };
    actix::spawn(async move {
        conn.read_loop(recv).await;
        drop(gone);
    });
}

/// The end of a connection's reading, however it ends (the client closed, reading failed, or
/// the runtime dropped the task at exit): the hub forgets its subscriptions, `daemon.status`
/// its entry, and the writer has [`DRAIN_AFTER_CLOSE`] to finish.
#[derive(Debug)]
struct Departure {
    client: u64,
    state: Arc<DaemonState>,
    /// Dropped last: the writer's signal that nothing more will be read.
    _reading: tokio::sync::oneshot::Sender<()>,
}

impl Drop for Departure {
    fn drop(&mut self) {
        self.state.hub.do_send(ClientGone {
            client: self.client,
        });
        self.state
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.client);
        tracing::debug!(client = self.client, "client disconnected");
    }
}

impl Conn {
    /// Reads lines until the client closes; each line is dispatched before the next is read,
    /// and reading waits whenever an answer cannot be queued yet.
    async fn read_loop(self, reader: OwnedReadHalf) {
        let options = self.state.options();
        let codec = NdjsonCodec::with_max_line_length(options.max_line_length);
        let mut lines = FramedRead::new(reader, codec);
        // One timer per connection, moved on only when it fires: a line costs a clock read, not
        // a timer set and cancelled. `last_line` is when the reader last finished a line.
        let idle = tokio::time::sleep(options.idle_timeout);
        tokio::pin!(idle);
        let mut last_line = tokio::time::Instant::now();
        loop {
            // Only complete lines count as activity: a client trickling a line byte by byte is
            // as idle as a silent one.
            let item = tokio::select! {
                biased;
                item = lines.next() => Some(item),
                () = &mut idle => None,
            };
            let item = match item {
                Some(Some(item)) => item,
                // The client closed.
                Some(None) => return,
                None if last_line.elapsed() < options.idle_timeout => {
                    idle.as_mut().reset(last_line + options.idle_timeout);
                    continue;
                }
                None if self.is_idle().await => {
                    tracing::info!(
                        client = self.id,
                        uid = self.peer.uid,
                        "closing an idle connection"
                    );
                    let error = ErrorObject::new(ErrorCode::Overloaded).with_detail(format!(
                        "closed after {} ms without a request, a running call or a subscription (limits.idle_timeout_ms); reconnect when needed",
                        options.idle_timeout.as_millis()
                    ));
                    let notice = self.answer(Reply::Single(Response::error(Id::Null, error)));
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), notice).await;
                    return;
                }
                None => {
                    idle.as_mut()
                        .reset(tokio::time::Instant::now() + options.idle_timeout);
                    continue;
                }
            };
            let handled = match item {
                Ok(Ok(line)) => self.handle_line(&line).await,
                // Too long or not UTF-8: answered, and the connection goes on with the next line.
                Ok(Err(frame_error)) => self.answer(Reply::Single(frame_error.to_response())).await,
                Err(e) => {
                    tracing::debug!(client = self.id, error = %e, "reading from the client failed");
                    return;
                }
            };
            // The quiet time counts from when the reader is free again, as it waits.
            last_line = tokio::time::Instant::now();
            if handled.is_err() {
                // The writer is gone: the client will never read another answer.
                return;
            }
        }
    }

    /// Whether the connection holds nothing: no call running, no subscription.
    async fn is_idle(&self) -> bool {
        if self.pending.load(Ordering::Relaxed) > 0 {
            return false;
        }
        match self.state.hub.send(SubscriptionCounts).await {
            Ok(counts) => counts.get(&self.id).copied().unwrap_or(0) == 0,
            Err(_) => false,
        }
    }

    async fn handle_line(&self, line: &str) -> Result<(), Gone> {
        let items = match parse(line, &self.state.parse_options()) {
            Incoming::Rejected(response) => return self.answer(Reply::Single(response)).await,
            Incoming::Single(item) => {
                return match self.call(item).await {
                    // Answered by the reader itself, so that it reads nothing more until the
                    // answer is queued.
                    Call::Now(response) => self.answer(Reply::Single(response)).await,
                    Call::Run(mut call) => {
                        // A call that waits for nothing (`daemon.info`, a refusal by a handler)
                        // is answered here, without a task and its scheduling.
                        if let Some((response, slot)) = (&mut call).now_or_never() {
                            let answered = match response {
                                Some(r) => self.answer(Reply::Single(r)).await,
                                None => Ok(()),
                            };
                            drop(slot);
                            return answered;
                        }
                        let conn = self.clone();
                        actix::spawn(async move {
                            let (response, slot) = call.await;
                            if let Some(r) = response {
                                let _ = conn.answer(Reply::Single(r)).await;
                            }
                            // The slot is freed only once the answer is queued.
                            drop(slot);
                        });
                        Ok(())
                    }
                    Call::Nothing => Ok(()),
                };
            }
            Incoming::Batch(items) => items,
        };
        // A batch is answered as one line once all its calls are done.
        let mut now = Vec::new();
        let mut calls: Vec<LocalBoxFuture<'static, (Option<Response>, Slot)>> = Vec::new();
        for item in items {
            match self.call(item).await {
                Call::Now(response) => now.push(response),
                Call::Run(call) => calls.push(call),
                Call::Nothing => {}
            }
        }
        if calls.is_empty() {
            // Nothing runs: answered by the reader, like a single call refused at once.
            return match Reply::batch(now) {
                Some(reply) => self.answer(reply).await,
                None => Ok(()),
            };
        }
        for r in now {
            calls.push(Box::pin(async move { (Some(r), Slot::none()) }));
        }
        let conn = self.clone();
        actix::spawn(async move {
            let (responses, slots): (Vec<Option<Response>>, Vec<Slot>) =
                join_all(calls).await.into_iter().unzip();
            let responses: Vec<Response> = responses.into_iter().flatten().collect();
            // A batch of notifications only is never answered.
            if let Some(reply) = Reply::batch(responses) {
                let _ = conn.answer(reply).await;
            }
            drop(slots);
        });
        Ok(())
    }

    /// What to do with one item. A request gets a running-call slot, or `overloaded` at once
    /// beyond `max_pending`; a notification waits for a slot (it cannot be told no).
    async fn call(&self, item: Item) -> Call {
        match item {
            Item::Invalid(response) => Call::Now(response),
            Item::IgnoredNotification { method, error } => {
                tracing::debug!(client = self.id, %method, code = error.code, "ignored a notification it cannot act on");
                Call::Nothing
            }
            Item::Request(request) => {
                // Calls that finish at once free their slot as soon as they run: let them run
                // before refusing one of a burst of pipelined calls.
                let slot = match self.try_slot() {
                    Some(slot) => Some(slot),
                    None => {
                        tokio::task::yield_now().await;
                        self.try_slot()
                    }
                };
                let Some(slot) = slot else {
                    let max = self.state.options().max_pending;
                    let error = ErrorObject::new(ErrorCode::Overloaded).with_detail(format!(
                        "this connection already has {max} calls running; wait for answers before sending more"
                    ));
                    return Call::Now(Response::error(request.id, error));
                };
                let ctx = self.ctx();
                Call::Run(Box::pin(async move {
                    let response = router().call(ctx, &request.method, request.params).await;
                    let response = match response {
                        Ok(result) => Response::serialized(request.id, result),
                        Err(error) => Response::error(request.id, error),
                    };
                    (Some(response), slot)
                }))
            }
            Item::Notification(n) => {
                let Some(slot) = self.slot().await else {
                    return Call::Nothing;
                };
                let ctx = self.ctx();
                Call::Run(Box::pin(async move {
                    if let Err(error) = router().call(ctx, &n.method, n.params).await {
                        tracing::debug!(method = %n.method, code = error.code, "a notification failed; it cannot be answered");
                    }
                    (None, slot)
                }))
            }
        }
    }

    fn try_slot(&self) -> Option<Slot> {
        let permit = self.slots.clone().try_acquire_owned().ok()?;
        Some(Slot::taken(permit, &self.pending))
    }

    async fn slot(&self) -> Option<Slot> {
        let permit = self.slots.clone().acquire_owned().await.ok()?;
        Some(Slot::taken(permit, &self.pending))
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            state: self.state.clone(),
            client: self.id,
            peer: self.peer,
            sink: self.sink.clone(),
            dispatcher: router(),
        }
    }

    /// Queues an answer, waiting for room.
    async fn answer(&self, reply: Reply) -> Result<(), Gone> {
        let line = json_line(&reply, size_hint(&reply));
        self.sink.push(line).await.map_err(|_| Gone)
    }
}

/// About how long `reply` is serialized: a result's own text and room for the envelope.
fn size_hint(reply: &Reply) -> usize {
    let one = |r: &Response| match &r.payload {
        ResponsePayload::Serialized(raw) => raw.get().len() + 48,
        _ => 128,
    };
    match reply {
        Reply::Single(r) => one(r),
        Reply::Batch(rs) => rs.iter().map(one).sum::<usize>() + rs.len(),
    }
}

/// What the reader does with one item.
enum Call {
    /// Answer now, from the reader.
    Now(Response),
    /// Run it as a task holding a slot; it answers (or not, a notification) when done.
    Run(LocalBoxFuture<'static, (Option<Response>, Slot)>),
    /// Nothing: an ignored notification.
    Nothing,
}

/// The client is gone: nothing more can be answered.
#[derive(Debug)]
struct Gone;

/// A running call's share of `max_pending`, counted in `pending` while held.
#[derive(Debug)]
struct Slot(Option<(tokio::sync::OwnedSemaphorePermit, Arc<AtomicU32>)>);

impl Slot {
    fn none() -> Self {
        Slot(None)
    }

    fn taken(permit: tokio::sync::OwnedSemaphorePermit, pending: &Arc<AtomicU32>) -> Self {
        pending.fetch_add(1, Ordering::Relaxed);
        Slot(Some((permit, pending.clone())))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((_, pending)) = &self.0 {
            pending.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Drains the connection's queue onto the socket. Lag notices go out only once the queue is
/// empty, so that they follow every event the subscriber did get.
async fn write_loop(
    client: u64,
    mut send: OwnedWriteHalf,
    mut queue: mpsc::Receiver<Outbound>,
    mut lag: mpsc::UnboundedReceiver<Line>,
    mut read_done: tokio::sync::oneshot::Receiver<()>,
) {
    // Once the connection is no longer read, what is queued still goes out (a client that
    // half-closed gets its answers), but only until this deadline.
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let give_up = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        // A queued line keeps its share of the byte budget until it is written.
        let written = tokio::select! {
            biased;
            Some(out) = queue.recv() => Written::Queued(out),
            Some(line) = lag.recv() => Written::Lag(line),
            _ = &mut read_done, if deadline.is_none() => {
                deadline = Some(tokio::time::Instant::now() + DRAIN_AFTER_CLOSE);
                continue;
            }
            () = give_up => break,
            else => break,
        };
        // Lines carry their newline (`json_line`): written as they are, no copy.
        let line = match &written {
            Written::Queued(out) => &out.line,
            Written::Lag(line) => line,
        };
        let write = send.write_all(line);
        let result = match deadline {
            Some(d) => tokio::time::timeout_at(d, write)
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
            None => write.await,
        };
        if let Err(e) = result {
            tracing::debug!(client, error = %e, "client went away while being written to");
            break;
        }
        drop(written);
    }
}

/// What the writer is writing.
#[derive(Debug)]
enum Written {
    Queued(Outbound),
    Lag(Line),
}
