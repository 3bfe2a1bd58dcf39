//! The two tasks behind a [`SocketHandle`](super::SocketHandle): the writer, and the driver
//! that reads, classifies, correlates, keeps the heartbeat and resolves large events in their
//! place (the design is in the parent module's documentation).
//!
//! The driver is one `select!` loop over: a close request, delivering the next inbound item,
//! the download at the head of the held queue, the next frame from the socket, the heartbeat
//! tick and the pong deadline. Nothing in the loop awaits anything else, so a slow consumer or
//! a slow download never stops the other arms.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cxone_chat_protocol::cxone::DecodeError;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chat_protocol::cxone::sent::OutgoingFrame;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tracing::{Instrument, Span, debug, info, warn};

use super::shared::Shared;
use super::{CloseKind, Inbound, LargeEventError, RequestError, SocketConfig};
use crate::upstream::rest::RestError;

type Ws = WebSocketStream<super::transport::Transport>;

/// What the handles and the driver ask the writer to do.
#[derive(Debug)]
pub(super) enum WriterCommand {
    /// Write one text frame.
    Text(String),
    /// Write a close frame and stop. Boxed: the queue's first block holds 32 commands for the
    /// connection's whole life, and a close is sent once.
    Close(Box<CloseFrame>),
}

/// What a handle asks the driver to do.
#[derive(Debug)]
pub(super) enum Control {
    /// Close the connection with this code.
    Close(CloseKind),
}

/// Everything the driver needs besides the socket.
pub(super) struct Parts {
    pub(super) config: SocketConfig,
    pub(super) large_events: super::LargeEvents,
    pub(super) shared: Arc<Shared>,
    pub(super) writer: mpsc::Sender<WriterCommand>,
    pub(super) writer_rx: mpsc::Receiver<WriterCommand>,
    pub(super) control: mpsc::Receiver<Control>,
    pub(super) inbound: mpsc::Sender<Box<Inbound>>,
}

/// A process-wide connection number for log spans.
pub(super) fn next_connection_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Starts the writer and the driver of a freshly opened socket.
pub(super) fn spawn(ws: Ws, parts: Parts, span: Span) {
    let (sink, stream) = ws.split();
    let writer_task = tokio::spawn(write_loop(sink, parts.writer_rx).instrument(span.clone()));
    let driver = Driver {
        config: parts.config,
        large_events: parts.large_events,
        shared: parts.shared,
        stream,
        writer: parts.writer,
        writer_task,
        control: parts.control,
        inbound: parts.inbound,
        held: VecDeque::new(),
        outbox: None,
        pong_deadline: None,
        deadline_suspended: false,
    };
    tokio::spawn(driver.run().instrument(span));
}

/// Writes queued frames in order until told to close, the queue closes or a write fails.
async fn write_loop(mut sink: SplitSink<Ws, Message>, mut queue: mpsc::Receiver<WriterCommand>) {
    while let Some(command) = queue.recv().await {
        match command {
            WriterCommand::Text(text) => {
                if let Err(error) = sink.send(Message::Text(text.into())).await {
                    // The driver notices through the read side or the closed queue.
                    debug!(%error, "writing to the gateway failed; the writer stops");
                    return;
                }
            }
            WriterCommand::Close(frame) => {
                let _ = sink.send(Message::Close(Some(*frame))).await;
                return;
            }
        }
    }
}

/// A frame received, in arrival order.
enum Held {
    /// Ready to route.
    Ready(Item),
    /// An `EventInS3` whose original frame is still downloading.
    Download {
        /// The URL without its query, for reports.
        url: String,
        task: JoinHandle<Result<Vec<u8>, RestError>>,
    },
}

/// A received thing, classified.
enum Item {
    Frame(ReceivedFrame),
    Undecodable {
        error: DecodeError,
        text_len: usize,
        /// The `eventId`, when the text was JSON with one: the request it answers fails.
        event_id: Option<String>,
    },
    LargeEventFailed {
        url: String,
        error: LargeEventError,
        event_id: Option<String>,
    },
}

/// How the connection ended.
enum End {
    /// The server sent a close frame.
    Remote { code: Option<u16>, reason: String },
    /// The connection broke, timed out or violated the protocol.
    Lost(String),
    /// A handle asked to close, or every handle was dropped.
    Local(CloseKind),
    /// The inbound receiver was dropped: nobody listens any more.
    ConsumerGone,
}

struct Driver {
    config: SocketConfig,
    large_events: super::LargeEvents,
    shared: Arc<Shared>,
    stream: SplitStream<Ws>,
    writer: mpsc::Sender<WriterCommand>,
    /// The writer holds the sending half, and with it the TCP connection: it is aborted when
    /// the driver ends so that a dead peer cannot keep the socket open.
    writer_task: JoinHandle<()>,
    control: mpsc::Receiver<Control>,
    inbound: mpsc::Sender<Box<Inbound>>,
    /// Received frames not yet routed, oldest first.
    held: VecDeque<Held>,
    /// The next inbound item, routed and waiting for room in the channel.
    outbox: Option<Inbound>,
    /// When the `"pong"` for the oldest unanswered heartbeat is due.
    pong_deadline: Option<Instant>,
    /// Reading paused while a deadline ran: it is extended on resume.
    deadline_suspended: bool,
}

impl Driver {
    async fn run(mut self) {
        let end = self.pump().await;
        let (code, reason, clean) = match end {
            End::Local(kind) => self.close_locally(kind).await,
            End::ConsumerGone => self.close_locally(CloseKind::Normal).await,
            End::Remote { code, reason } => {
                self.shared.stop_accepting();
                self.finish_remote_close().await;
                self.drain().await;
                (code, reason, true)
            }
            End::Lost(reason) => {
                self.shared.stop_accepting();
                self.drain().await;
                (None, reason, false)
            }
        };
        if clean {
            info!(?code, %reason, "WebSocket closed");
        } else {
            warn!(%reason, "WebSocket connection lost");
        }
        let Driver {
            shared,
            inbound,
            held,
            stream,
            writer,
            writer_task,
            ..
        } = self;
        for h in held {
            if let Held::Download { task, .. } = h {
                task.abort();
            }
        }
        // Free the socket before telling anyone, then fail the waiters.
        writer_task.abort();
        drop((stream, writer));
        shared.close();
        shared.finished.send_replace(true);
        // The consumer may be slow; the Closed item is worth waiting for. An error means it
        // is gone, and then nobody needs to know.
        let _ = inbound
            .send(Box::new(Inbound::Closed {
                code,
                reason,
                clean,
            }))
            .await;
    }

    /// The main loop; returns when reading has ended or a close was requested.
    async fn pump(&mut self) -> End {
        let period = self.config.heartbeat_interval;
        let mut heartbeat = interval_at(Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // A permit borrows its sender for as long as the select's output lives, which spans the
        // other arms' handlers; a local clone keeps that borrow off `self`.
        let inbound = self.inbound.clone();
        loop {
            self.stage_outbox();
            let can_read = self.held.len() < self.config.max_held_frames.max(1);
            self.pause_or_resume_deadline(can_read);
            let head_downloading = matches!(self.held.front(), Some(Held::Download { .. }));
            let deadline = self.pong_deadline.filter(|_| can_read);
            // Biased, in this order: a close request wins; the heartbeat goes out even while
            // frames keep arriving; the socket is read before the pong deadline is judged, so
            // a pong already received is never mistaken for a missing one.
            tokio::select! {
                biased;
                command = self.control.recv() => {
                    // `None`: every handle is gone, so nobody can use the connection any more.
                    let Control::Close(kind) = command.unwrap_or(Control::Close(CloseKind::Normal));
                    return End::Local(kind);
                }
                _ = heartbeat.tick() => {
                    if let Err(end) = self.send_heartbeat() {
                        return end;
                    }
                }
                permit = inbound.reserve(), if self.outbox.is_some() => match permit {
                    Ok(permit) => {
                        if let Some(item) = self.outbox.take() {
                            permit.send(Box::new(item));
                        }
                    }
                    Err(_) => return End::ConsumerGone,
                },
                () = inbound.closed() => return End::ConsumerGone,
                done = head_download(&mut self.held), if head_downloading => {
                    self.download_finished(done);
                }
                message = self.stream.next(), if can_read => match message {
                    Some(Ok(message)) => {
                        self.heard_from_peer();
                        if let Some(end) = self.on_message(message) {
                            return end;
                        }
                    }
                    Some(Err(error)) => {
                        return End::Lost(format!("the connection failed: {error}"));
                    }
                    None => {
                        return End::Lost("the connection ended without a close frame".to_owned());
                    }
                },
                () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    return End::Lost(format!(
                        "no heartbeat reply (\"pong\") within {} s; the connection is presumed dead",
                        self.config.pong_timeout.as_secs_f32()
                    ));
                }
            }
        }
    }

    /// After the server's close frame: reading once more sends tungstenite's queued close reply,
    /// and a client then waits for the server to drop the TCP connection — but not for ever.
    async fn finish_remote_close(&mut self) {
        let grace = self.config.close_timeout;
        let _ = timeout(grace, async {
            while let Some(Ok(_)) = self.stream.next().await {}
        })
        .await;
    }

    /// Handles one message; the server's close frame ends the main loop.
    fn on_message(&mut self, message: Message) -> Option<End> {
        match message {
            Message::Text(text) => self.on_text(text.as_str()),
            Message::Close(frame) => {
                let (code, reason) = frame.map_or((None, String::new()), |f| {
                    (Some(u16::from(f.code)), f.reason.to_string())
                });
                return Some(End::Remote { code, reason });
            }
            // No SDK uses binary frames; tungstenite answers pings itself.
            Message::Binary(bytes) => debug!(len = bytes.len(), "binary frame ignored"),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
        None
    }

    fn on_text(&mut self, text: &str) {
        match ReceivedFrame::from_text(text) {
            Ok(ReceivedFrame::Pong) => self.pong_received(),
            Ok(ReceivedFrame::Event(event)) => match &event.body {
                EventBody::EventInS3(s3) => self.start_download(&s3.s3_object.url),
                _ => {
                    let item = Item::Frame(ReceivedFrame::Event(event));
                    self.hold(item);
                }
            },
            Ok(frame @ ReceivedFrame::OperationError(_)) => self.hold(Item::Frame(frame)),
            Ok(frame) => self.held.push_back(Held::Ready(Item::Frame(frame))),
            Err(error) => {
                // Only where it failed: the reason can quote content (message text), and the
                // consumer gets the whole error in `Inbound::Undecodable` anyway.
                warn!(path = %error.path, text_len = text.len(), "undecodable frame from the gateway");
                self.held.push_back(Held::Ready(Item::Undecodable {
                    event_id: event_id_of(serde_json::from_str::<Value>(text).ok().as_ref()),
                    error,
                    text_len: text.len(),
                }));
            }
        }
    }

    /// Queues an item behind what was received before it. A reply to a request is the
    /// exception while a large event ahead of it is still downloading: it answers its request
    /// at once, so that a slow bucket cannot make a delivered message time out. (Without a
    /// download ahead the queue drains at once and the order is kept exactly.)
    fn hold(&mut self, item: Item) {
        let downloading = self.held.iter().any(|h| matches!(h, Held::Download { .. }));
        let item = if downloading {
            match self.answer_early(item) {
                Some(item) => item,
                None => return,
            }
        } else {
            item
        };
        self.held.push_back(Held::Ready(item));
    }

    /// Answers the request `item` replies to; gives the item back when it is no reply (or its
    /// requester gave up).
    fn answer_early(&self, item: Item) -> Option<Item> {
        let event_id = match &item {
            Item::Frame(ReceivedFrame::Event(e)) => &e.event_id,
            Item::Frame(ReceivedFrame::OperationError(e)) => &e.event_id,
            _ => return Some(item),
        };
        if !self.shared.is_waiting(event_id) {
            return Some(item);
        }
        match self.route(item) {
            // Routed to its waiter.
            None => None,
            // The waiter was gone after all: an ordinary frame, in order.
            Some(Inbound::Frame(frame)) => Some(Item::Frame(frame)),
            Some(_) => None,
        }
    }

    fn start_download(&mut self, url: &str) {
        let shown = url::Url::parse(url).map_or_else(
            |_| "<invalid URL>".to_owned(),
            |u| crate::upstream::loggable_url(&u),
        );
        debug!(url = %shown, "large event: downloading");
        let task = tokio::spawn(self.large_events.fetch(url.to_owned()));
        self.held.push_back(Held::Download { url: shown, task });
    }

    /// Replaces the finished download at the head of the queue with what it produced.
    fn download_finished(&mut self, result: Result<Result<Vec<u8>, RestError>, JoinError>) {
        let Some(Held::Download { url, .. }) = self.held.pop_front() else {
            return;
        };
        let failed = |error, event_id| Item::LargeEventFailed {
            url: url.clone(),
            error,
            event_id,
        };
        let item = match result {
            Ok(Ok(body)) => {
                // Straight from the text, like a frame from the socket; the event id of one that
                // does not decode is looked for in the JSON, if it is JSON.
                let decoded = match std::str::from_utf8(&body) {
                    Ok(text) => ReceivedFrame::from_text(text),
                    Err(e) => Err(DecodeError::new(".", format!("not JSON: {e}"))),
                };
                match decoded {
                    Ok(ReceivedFrame::Event(e)) if matches!(e.body, EventBody::EventInS3(_)) => {
                        failed(LargeEventError::Nested, None)
                    }
                    Ok(ReceivedFrame::Pong) => failed(
                        LargeEventError::Undecodable(DecodeError::new(
                            ".",
                            "a heartbeat reply, not an event",
                        )),
                        None,
                    ),
                    Ok(frame) => Item::Frame(frame),
                    Err(error) => failed(
                        LargeEventError::Undecodable(error),
                        event_id_of(serde_json::from_slice::<Value>(&body).ok().as_ref()),
                    ),
                }
            }
            Ok(Err(error)) => failed(LargeEventError::Download(error), None),
            Err(_) => failed(LargeEventError::Interrupted, None),
        };
        if let Item::LargeEventFailed { error, .. } = &item {
            warn!(%url, %error, "large event lost");
        }
        self.held.push_front(Held::Ready(item));
    }

    /// Routes ready items from the head of the queue until one needs delivering.
    fn stage_outbox(&mut self) {
        while self.outbox.is_none() && matches!(self.held.front(), Some(Held::Ready(_))) {
            if let Some(Held::Ready(item)) = self.held.pop_front() {
                self.outbox = self.route(item);
            }
        }
    }

    /// Answers the request an item is for, and returns what, if anything, to deliver.
    fn route(&self, item: Item) -> Option<Inbound> {
        match item {
            Item::Frame(ReceivedFrame::Event(event)) => {
                let Some(waiter) = self.shared.take_waiter(&event.event_id) else {
                    return Some(Inbound::Frame(ReceivedFrame::Event(event)));
                };
                match waiter.send(Ok(*event)) {
                    Ok(()) => None,
                    // The requester gave up a moment ago: a late reply is an ordinary frame.
                    Err(reply) => reply
                        .ok()
                        .map(|e| Inbound::Frame(ReceivedFrame::Event(Box::new(e)))),
                }
            }
            Item::Frame(ReceivedFrame::OperationError(error)) => {
                let Some(waiter) = self.shared.take_waiter(&error.event_id) else {
                    return Some(Inbound::Frame(ReceivedFrame::OperationError(error)));
                };
                let refusal = RequestError::Operation {
                    code: error.error_code.clone(),
                    message: error.error_message.clone(),
                    transaction_id: error.transaction_id.clone(),
                };
                match waiter.send(Err(refusal)) {
                    Ok(()) => None,
                    Err(_) => Some(Inbound::Frame(ReceivedFrame::OperationError(error))),
                }
            }
            Item::Frame(ReceivedFrame::GatewayError(error)) => Some(Inbound::GatewayError(error)),
            // Pongs never enter the queue.
            Item::Frame(ReceivedFrame::Pong) => None,
            Item::Undecodable {
                error,
                text_len,
                event_id,
            } => {
                self.fail_waiter(event_id.as_deref(), &error);
                Some(Inbound::Undecodable { error, text_len })
            }
            Item::LargeEventFailed {
                url,
                error,
                event_id,
            } => {
                if let LargeEventError::Undecodable(decode) = &error {
                    self.fail_waiter(event_id.as_deref(), decode);
                }
                Some(Inbound::LargeEventFailed { url, error })
            }
        }
    }

    fn fail_waiter(&self, event_id: Option<&str>, error: &DecodeError) {
        if let Some(waiter) = event_id.and_then(|id| self.shared.take_waiter(id)) {
            let _ = waiter.send(Err(RequestError::Undecodable(error.clone())));
        }
    }

    fn send_heartbeat(&mut self) -> Result<(), End> {
        match self
            .writer
            .try_send(WriterCommand::Text(OutgoingFrame::Heartbeat.to_text()))
        {
            Ok(()) => self.shared.liveness.send_modify(|l| l.heartbeats_sent += 1),
            // A full queue: the deadline still starts, so a writer stuck on a dead peer is
            // caught just like a silent one.
            Err(TrySendError::Full(_)) => debug!("outbound queue full; heartbeat skipped"),
            Err(TrySendError::Closed(_)) => {
                return Err(End::Lost("the writer stopped; sending failed".to_owned()));
            }
        }
        if self.pong_deadline.is_none() {
            self.pong_deadline = Some(Instant::now() + self.config.pong_timeout);
        }
        Ok(())
    }

    /// Any frame from the server shows the connection alive: a pending pong deadline starts
    /// again. Under load the pong queues behind the server's answers to thousands of frames
    /// written before the heartbeat; judging the connection dead then would drop a working one
    /// and send everything in flight to the outbox.
    fn heard_from_peer(&mut self) {
        if let Some(deadline) = &mut self.pong_deadline {
            *deadline = (*deadline).max(Instant::now() + self.config.pong_timeout);
        }
    }

    fn pong_received(&mut self) {
        self.pong_deadline = None;
        self.shared.liveness.send_modify(|l| {
            l.pongs_received += 1;
            l.last_pong = Some(std::time::Instant::now());
        });
    }

    /// While reading is paused, pongs cannot be seen: a running deadline is extended by a full
    /// pong timeout once reading resumes instead of firing on a pong still in the socket.
    fn pause_or_resume_deadline(&mut self, can_read: bool) {
        if !can_read {
            self.deadline_suspended |= self.pong_deadline.is_some();
        } else if std::mem::take(&mut self.deadline_suspended)
            && let Some(deadline) = &mut self.pong_deadline
        {
            *deadline = (*deadline).max(Instant::now() + self.config.pong_timeout);
        }
    }

    /// After the read side ended: routes and delivers what was already received (downloads
    /// included), unless a handle asks to close first.
    async fn drain(&mut self) {
        let inbound = self.inbound.clone();
        loop {
            self.stage_outbox();
            let head_downloading = matches!(self.held.front(), Some(Held::Download { .. }));
            if self.outbox.is_none() && !head_downloading {
                return;
            }
            tokio::select! {
                biased;
                _ = self.control.recv() => return,
                permit = inbound.reserve(), if self.outbox.is_some() => match permit {
                    Ok(permit) => {
                        if let Some(item) = self.outbox.take() {
                            permit.send(Box::new(item));
                        }
                    }
                    Err(_) => return,
                },
                done = head_download(&mut self.held), if head_downloading => {
                    self.download_finished(done);
                }
            }
        }
    }

    /// Sends our close frame and waits briefly for the server's; frames still arriving are
    /// dropped, as the connection is no longer wanted.
    async fn close_locally(&mut self, kind: CloseKind) -> (Option<u16>, String, bool) {
        self.shared.close();
        self.outbox = None;
        for held in self.held.drain(..) {
            if let Held::Download { task, .. } = held {
                task.abort();
            }
        }
        let frame = CloseFrame {
            code: kind.code().into(),
            reason: match kind {
                CloseKind::Normal => "client disconnect",
                CloseKind::GoingAway => "client shutting down",
            }
            .into(),
        };
        let grace = self.config.close_timeout;
        // Queued behind frames already sent; the writer ends right after writing it.
        let queued = matches!(
            timeout(
                grace,
                self.writer.send(WriterCommand::Close(Box::new(frame)))
            )
            .await,
            Ok(Ok(()))
        );
        let sent = queued && matches!(timeout(grace, &mut self.writer_task).await, Ok(Ok(())));
        // The server's close reply (or the end of the stream) ends the wait.
        let _ = timeout(grace, async {
            while let Some(Ok(message)) = self.stream.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
        if sent {
            let reason = format!("closed by this client with code {}", kind.code());
            (Some(kind.code()), reason, true)
        } else {
            let reason = "closed by this client; the close frame could not be sent".to_owned();
            (None, reason, false)
        }
    }
}

/// The download at the head of the queue; only polled while the head is one.
async fn head_download(held: &mut VecDeque<Held>) -> Result<Result<Vec<u8>, RestError>, JoinError> {
    match held.front_mut() {
        Some(Held::Download { task, .. }) => task.await,
        _ => std::future::pending().await,
    }
}

/// The string `eventId` of a JSON object, if any.
fn event_id_of(value: Option<&Value>) -> Option<String> {
    value?.get("eventId")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod sizes {
    /// What each slot of the connection's queues costs, for every connected session (a tokio
    /// channel allocates its first block of 32 slots when it is made).
    #[test]
    fn queue_items_stay_small() {
        assert!(std::mem::size_of::<super::WriterCommand>() <= 24);
        assert!(std::mem::size_of::<Box<super::Inbound>>() <= 8);
    }
}
