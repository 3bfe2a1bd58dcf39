//! Creating threads and sending messages (queued while the connection is being restored), with
//! the welcome message and the pre-chat answers a new thread carries.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::content::MessageContent as CxContent;
use cxone_chat_protocol::cxone::content::{MessageParameters, TextContent};
use cxone_chat_protocol::cxone::sent::{MessageData, OutgoingFrame, SentAttachment, SentEvent};
use cxone_chat_protocol::rpc::types::{
    AttachmentInput, ChatMode, CustomFieldValues, Message, Thread,
};
use tokio::sync::oneshot;

use super::{QueuedWhileDown, Threads};
use crate::session::attachments::upload_all;
use crate::session::credentials::stamp;
use crate::session::error::SessionError;
use crate::session::model::{Attachment, ChatMessage, Delivery, Direction};
use crate::session::send as rules;
use crate::session::threads::Change;
use crate::to_api;
use crate::upstream::RequestError;

/// `threads.create`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Thread, SessionError>")]
pub(crate) struct CreateThread {
    /// Name.
    pub(crate) name: Option<String>,
    /// Pre-chat answers (contact custom fields).
    pub(crate) custom_fields: CustomFieldValues,
}

impl Threads {
    /// A `SendMessage` or `SendOutbound` frame for a thread (`session::send::message_data`).
    fn message_frame(
        &self,
        thread_id: &str,
        content: CxContent,
        id: UuidString,
        event: fn(MessageData) -> SentEvent,
        attachments: Vec<SentAttachment>,
    ) -> Result<OutgoingFrame, SessionError> {
        let entry = self
            .registry
            .get(thread_id)
            .ok_or_else(|| SessionError::UnknownThread(thread_id.to_owned()))?;
        let sender = rules::Sender {
            customer_fields: &self.chat.customer_fields,
            fingerprint: self.chat.fingerprint.as_ref(),
        };
        let data = rules::message_data(entry, &sender, content, id, attachments);
        self.chat.frame(event(data))
    }

    /// The welcome template with the customer's names and custom fields filled in.
    pub(super) fn render_welcome(&self, template: &str) -> String {
        let customer = self.chat.customer.as_ref();
        let mut values = crate::session::welcome::Values {
            first_name: customer.and_then(|c| c.first_name.as_deref()),
            last_name: customer.and_then(|c| c.last_name.as_deref()),
            ..Default::default()
        };
        for f in &self.chat.customer_fields {
            values.customer_fields.insert(&f.ident, &f.value);
        }
        crate::session::welcome::render(template, &values)
    }

    /// Shows the stored welcome message as the first (agent) message of a new thread. Without
    /// one yet (a thread created right after connecting, before the back end's welcome
    /// arrived), the thread waits for it: it is inserted when it comes, unless an agent spoke
    /// first.
    pub(super) fn insert_welcome(&mut self, thread_id: &str) {
        let Some(template) = self.welcome.clone() else {
            if let Some(e) = self.registry.get_mut(thread_id) {
                e.awaiting_welcome = true;
            }
            return;
        };
        let text = self.render_welcome(&template);
        let message = ChatMessage::local(
            UuidString::new_v4().as_str(),
            thread_id,
            Direction::ToCustomer,
            Delivery::Delivered,
            to_api::now(),
            CxContent::text(text),
            Vec::new(),
        );
        if let Some(e) = self.registry.get_mut(thread_id) {
            e.awaiting_welcome = false;
            e.upsert(message.clone());
        }
        self.announce(Change::MessageCreated(message));
    }
}

impl Handler<CreateThread> for Threads {
    type Result = ResponseActFuture<Self, Result<Thread, SessionError>>;

    fn handle(&mut self, msg: CreateThread, _: &mut Self::Context) -> Self::Result {
        match self.create_thread(msg) {
            Ok(f) => f,
            Err(e) => Box::pin(fut::err(e)),
        }
    }
}

impl Threads {
    /// iOS's automatic thread: in a single-thread channel without a pre-chat survey, a
    /// connection whose recovery found no open conversation gets a new one, pending until its
    /// first message (nothing reaches the back end before it), so the host always has a thread
    /// to show and send to. A live chat is never started this way: that would queue a contact
    /// nobody asked for.
    pub(super) fn create_when_none(&mut self) {
        let wanted = self.chat.mode == Some(ChatMode::Singlethread)
            && self.chat.required_fields.is_empty()
            && self.registry.current().is_none();
        if !wanted {
            return;
        }
        let id = self
            .registry
            .create_pending(UuidString::new_v4(), None, Vec::new(), to_api::now())
            .key();
        tracing::info!(session = %self.name, thread = %id, "no conversation to recover: created one");
        self.announce(Change::Threads);
        self.insert_welcome(&id);
    }

    fn create_thread(
        &mut self,
        msg: CreateThread,
    ) -> Result<ResponseActFuture<Self, Result<Thread, SessionError>>, SessionError> {
        rules::may_create(
            self.chat.connected,
            self.chat.mode,
            self.registry.current().is_some(),
            &self.chat.required_fields,
            &msg.custom_fields,
        )?;
        let fields = to_api::cx_custom_fields(msg.custom_fields);
        let id = self
            .registry
            .create_pending(UuidString::new_v4(), msg.name, fields, to_api::now())
            .key();
        self.announce(Change::Threads);
        self.remember_threads();
        self.insert_welcome(&id);
        let thread = to_api::thread(self.registry.get(&id).expect("just created"));
        if self.chat.mode != Some(ChatMode::Livechat) {
            return Ok(Box::pin(fut::ok(thread)));
        }
        // Live chat starts at once with the hidden "Begin Conversation" message, which creates
        // the contact and puts it in the routing queue (PROTOCOL.md §3.7).
        let socket = self.chat.live_socket().ok_or(SessionError::NotConnected)?;
        let frame = self.message_frame(
            &id,
            CxContent::begin_conversation(),
            UuidString::new_v4(),
            SentEvent::SendMessage,
            Vec::new(),
        )?;
        let token = self.message_token();
        Ok(Box::pin(
            async move {
                let mut frame = frame;
                stamp(&mut frame, token.await?.as_deref());
                socket
                    .request(frame)
                    .await
                    .map_err(|error| SessionError::Request {
                        step: "SendMessage (Begin Conversation)",
                        error,
                    })
            }
            .into_actor(self)
            .map(move |r, act, _| {
                r.map(|_| act.registry.get(&id).map(to_api::thread).unwrap_or(thread))
            }),
        ))
    }
}

impl Threads {
    /// Tells the agent, with a hidden message, that the customer's client cannot show what
    /// they sent (iOS 3.1: `isUnsupportedMessageTypeAnswer`, text and fallback). Only for an
    /// agent's new message in a ready thread, as iOS; fire-and-forget like the SDK's: a refusal
    /// reaches the host as an `error` event (`actors/session/inbound.rs`).
    pub(super) fn answer_unsupported(&self, message: &ChatMessage) {
        let CxContent::Unsupported(content) = &message.content else {
            return;
        };
        let ready = self
            .registry
            .get(&message.thread_id)
            .is_some_and(|e| e.state == crate::session::model::ThreadState::Ready);
        let Some(socket) = self.chat.live_socket() else {
            return;
        };
        if message.direction != Direction::ToCustomer || !ready {
            return;
        }
        let text = match content.fallback_text().filter(|t| !t.is_empty()) {
            Some(fallback) => format!("{UNSUPPORTED_ANSWER}: {fallback}"),
            None => UNSUPPORTED_ANSWER.to_owned(),
        };
        let Ok(mut frame) = self.message_frame(
            &message.thread_id,
            CxContent::unsupported_content_answer(text),
            UuidString::new_v4(),
            SentEvent::SendMessage,
            Vec::new(),
        ) else {
            return;
        };
        let (token, name) = (self.message_token(), self.name.clone());
        actix::spawn(async move {
            let sent = match token.await {
                Ok(token) => {
                    stamp(&mut frame, token.as_deref());
                    socket.send(frame).await.map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            if let Err(error) = sent {
                tracing::info!(session = %name, %error, "the agent was not told of content this client cannot show");
            }
        });
    }
}

/// What the agent reads when the customer's client cannot show their message (iOS says "in
/// the mobile SDK"; this client is not one).
const UNSUPPORTED_ANSWER: &str =
    "The last agent's message is not supported by the customer's chat client";

/// `thread.send`: text, a postback, attachments. Attachments are read, checked and uploaded
/// first (in this actor's context but off its mailbox: other calls go on meanwhile), then the
/// message is sent or queued.
#[derive(Message, Debug)]
#[rtype(result = "Result<Message, SessionError>")]
pub(crate) struct Send {
    /// The thread.
    pub(crate) thread_id: String,
    /// Text.
    pub(crate) text: Option<String>,
    /// Postback of a chosen button.
    pub(crate) postback: Option<String>,
    /// The client's own id for the message (a UUID), for idempotent retries.
    pub(crate) client_message_id: Option<String>,
    /// Files to attach, as the call named them.
    pub(crate) attachments: Vec<AttachmentInput>,
}

/// Attachments already uploaded: as sent, and as the thread keeps them.
type Uploaded = Vec<(SentAttachment, Attachment)>;

type Answer<T> = ResponseActFuture<Threads, Result<T, SessionError>>;

impl Handler<Send> for Threads {
    type Result = ResponseActFuture<Self, Result<Message, SessionError>>;

    fn handle(&mut self, mut msg: Send, _: &mut Self::Context) -> Self::Result {
        // Sends keep the order they arrived in: each waits for the one before it to be written
        // to the socket or the outbox (not for its answer), attachments uploaded included.
        let (previous, turn) = self.take_turn();
        let send = previous.into_actor(self).then(move |(), act, _| {
            if msg.attachments.is_empty() {
                return act.send_message(msg, Vec::new(), turn);
            }
            let target = match act.chat.upload_target() {
                Ok(t) => t,
                Err(e) => return Box::pin(fut::err(e)),
            };
            let inputs = std::mem::take(&mut msg.attachments);
            let upload = async move { upload_all(&target, inputs).await };
            Box::pin(
                upload
                    .into_actor(act)
                    .then(|uploaded, act, _| match uploaded {
                        Ok(uploaded) => act.send_message(msg, uploaded, turn),
                        Err((index, error)) => {
                            Box::pin(fut::err(SessionError::Attachment { index, error }))
                        }
                    }),
            )
        });
        Box::pin(send.map(|sent, _, _| sent.map(|m| to_api::message(&m))))
    }
}

/// A send's place in the session's order, held until its frame is queued on the socket or its
/// message is in the outbox; dropping it lets the next send go.
#[derive(Debug)]
pub(super) struct Turn {
    /// Its place in the order, also the order of the outbox.
    seq: u64,
    _done: oneshot::Sender<()>,
}

impl Threads {
    /// The next place in the send order, and the wait for the place before it.
    fn take_turn(&mut self) -> (impl std::future::Future<Output = ()> + 'static, Turn) {
        let (done, next) = oneshot::channel();
        let previous = self.last_turn.replace(next);
        // Microseconds since the epoch, strictly increasing: the order holds across restarts
        // for the messages a previous run left in the outbox.
        let now = u64::try_from(to_api::now_ms()).unwrap_or(0) * 1000;
        self.last_seq = now.max(self.last_seq + 1);
        let seq = self.last_seq;
        let wait = async move {
            if let Some(p) = previous {
                // Sent or dropped: either way the previous send is done writing.
                let _ = p.await;
            }
        };
        (wait, Turn { seq, _done: done })
    }
}

impl Threads {
    fn send_message(
        &mut self,
        msg: Send,
        attachments: Uploaded,
        turn: Turn,
    ) -> Answer<ChatMessage> {
        let prepared = (|| {
            // While reconnecting (or down against the host's wish) a message is accepted and
            // queued; otherwise it needs a socket.
            // While the outbox is being flushed it is queued behind what is being sent.
            let live = self.chat.live_socket();
            let socket = match rules::route(
                live.is_some(),
                self.chat.reconnecting || self.chat.queue_while_down,
                self.outbox.flushing,
            )? {
                rules::Route::Socket => live,
                rules::Route::Queue => None,
            };
            let entry = self.registry.get(&msg.thread_id);
            let rules::Accepted { id, text } = rules::accept(
                entry,
                &msg.thread_id,
                msg.text.as_deref(),
                msg.postback.as_deref(),
                !attachments.is_empty(),
                msg.client_message_id.as_deref(),
            )?;
            let entry = entry.expect("accepted sends have a thread");
            let mut content = TextContent::outgoing(text);
            if let Some(p) = &msg.postback {
                content = content.with_postback(p.clone());
            }
            // A button of the open inactivity popup: the answer goes as iOS sends it, flagged
            // and out of the transcript (PROTOCOL.md §3.9.7).
            let popup_answer = entry
                .inactivity_popup
                .as_ref()
                .zip(msg.postback.as_deref())
                .is_some_and(|(popup, postback)| popup.is_answered_by(postback));
            if popup_answer {
                content = content.with_parameters(
                    MessageParameters::new()
                        .with(MessageParameters::IS_INACTIVITY_POPUP_ANSWER, true),
                );
            }
            let frame = self.message_frame(
                &msg.thread_id,
                CxContent::Text(content.clone()),
                id.clone(),
                SentEvent::SendMessage,
                attachments.iter().map(|(s, _)| s.clone()).collect(),
            )?;
            // A thread's first message is preceded by its welcome message, recorded on the
            // server as sent to the customer (PROTOCOL.md §3.9.6).
            let welcome = rules::welcome_to_record(entry).and_then(|w| {
                let wid = UuidString::parse(&w.id).ok()?;
                self.message_frame(
                    &msg.thread_id,
                    CxContent::text(w.text()),
                    wid,
                    SentEvent::SendOutbound,
                    Vec::new(),
                )
                .ok()
            });
            let local = ChatMessage::local(
                id.as_str(),
                entry.id.as_str(),
                Direction::FromCustomer,
                Delivery::Queued,
                to_api::now(),
                CxContent::Text(content),
                attachments.iter().map(|(_, a)| a.clone()).collect(),
            );
            Ok((socket, frame, local, welcome, popup_answer))
        })();
        let (socket, frame, local, welcome, popup_answer) = match prepared {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        if popup_answer {
            // Answered: accepted answers are delivered (now or from the outbox), so the popup
            // closes at once.
            if let Some(e) = self.registry.get_mut(&msg.thread_id) {
                e.inactivity_popup = None;
            }
            self.announce(Change::Thread(msg.thread_id.to_ascii_lowercase()));
        } else {
            // Shown at once as queued; the ack makes it sent, the echo delivered.
            if let Some(e) = self.registry.get_mut(&msg.thread_id) {
                e.upsert(local.clone());
            }
            self.announce(Change::MessageCreated(local.clone()));
        }
        let seq = turn.seq;
        let Some(socket) = socket else {
            return self.queue(local, frame, seq, Some(turn));
        };
        let thread_id = msg.thread_id;
        let token = self.message_token();
        // Kept unstamped: should the connection drop under it, this goes to the outbox, and the
        // flush stamps the token of its day.
        let unsent = frame.clone();
        Box::pin(
            async move {
                // A token that cannot be renewed fails the send before anything goes out.
                let token = token.await?;
                let (mut frame, mut welcome) = (frame, welcome);
                stamp(&mut frame, token.as_deref());
                if let Some(w) = &mut welcome {
                    stamp(w, token.as_deref());
                    // Fire-and-forget, like the SDKs; it is written before the message itself.
                    let _ = socket.send(w.clone()).await;
                }
                let queued = socket.submit(frame).await;
                // Queued on the socket: the next send may write now.
                drop(turn);
                Ok(match queued {
                    Ok(pending) => pending.reply().await,
                    Err(e) => Err(e),
                })
            }
            .into_actor(self)
            .then(move |result, act, _| -> Answer<ChatMessage> {
                match result {
                    // The connection dropped under it: whether or not it arrived, it goes out
                    // again on the next connection (its id makes a second copy the same
                    // message), in its place in the send order.
                    Ok(Err(RequestError::ConnectionLost)) => act.queue(local, unsent, seq, None),
                    Ok(result) => {
                        Box::pin(fut::ready(act.settle(&thread_id, local, result.map(drop))))
                    }
                    Err(e) => Box::pin(fut::ready(act.fail(&thread_id, local, e))),
                }
            }),
        )
    }

    /// Puts a message in the outbox, in its place in the send order; it is committed before the
    /// host hears "queued", so it survives a crash or restart. The turn, if still held, is let
    /// go once the message is handed to the database, which keeps that order.
    fn queue(
        &mut self,
        local: ChatMessage,
        frame: OutgoingFrame,
        seq: u64,
        turn: Option<Turn>,
    ) -> Answer<ChatMessage> {
        let outgoing = crate::store::Outgoing {
            thread_id: uuid::Uuid::parse_str(&local.thread_id).unwrap_or_default(),
            message_id: uuid::Uuid::parse_str(&local.id).unwrap_or_default(),
            frame: frame.to_text(),
            seq,
        };
        let store = self.store.clone();
        if !self.chat.reconnecting
            && self.chat.queue_while_down
            && let Some(wake) = self
                .chat
                .wake
                .as_ref()
                .and_then(actix::WeakRecipient::upgrade)
        {
            wake.do_send(QueuedWhileDown);
        }
        // Handed to the database now: it commits in the order it is given, so the next send may
        // go at once (and share this one's commit); the host hears "queued" only once committed.
        let queued = store.enqueue_soon(outgoing);
        drop(turn);
        let save = async move {
            let queued = queued.await;
            (queued, store.take_salvaged())
        };
        self.outbox.enqueuing += 1;
        // Queued during a flush, or after it: another flush follows once it is on disk.
        self.outbox.again = true;
        Box::pin(save.into_actor(self).map(move |r, act, ctx| {
            act.outbox.enqueuing -= 1;
            act.flush_again(ctx);
            let thread_id = local.thread_id.clone();
            let (queued, salvaged) = r;
            for s in salvaged {
                act.report_salvage(s);
            }
            match queued {
                Ok(_) => Ok(local),
                // Not kept safe (a full or read-only disk): the host hears it failed, with the
                // error that says what to free, and may send it again.
                Err(e) => act.fail(&thread_id, local, SessionError::Store(e)),
            }
        }))
    }
}
