//! Operations on one thread besides sending: older history, rename, archive, mark read,
//! typing, ending the contact, the transcript, its custom fields and loading it (PROTOCOL.md §3.5, §3.6, §3.9, §3.10).

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::{IdRef, ThreadRef, UuidString};
use cxone_chat_protocol::cxone::received::EventBody;
use cxone_chat_protocol::cxone::sent::{
    ContactCustomFieldsData, EndContactData, LoadMoreMessagesData, MessagePreviewData,
    OptionalThreadRef, PreviewContent, RecoverData, SendTranscriptData, SentEvent, ThreadData,
    TranscriptRecipient,
};
use cxone_chat_protocol::rpc::methods::customer::CustomFieldsResult;
use cxone_chat_protocol::rpc::methods::thread::ThreadLoadMoreResult;
use cxone_chat_protocol::rpc::notifications::{CustomFieldsSet, ThreadUpdated};
use cxone_chat_protocol::rpc::types::{
    ChatMode, CustomFieldScope, CustomFieldValues, Thread, ThreadSnapshot,
};

use super::Threads;
use crate::session::error::SessionError;
use crate::session::model::{ChatMessage, ThreadState};
use crate::session::threads::Change;
use crate::to_api;

/// What to do with the thread.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// `thread.loadMore`.
    LoadMore,
    /// `thread.rename`.
    Rename(String),
    /// `thread.archive`.
    Archive,
    /// `thread.markRead`.
    MarkRead,
    /// `thread.typing`: typing or not, and the text typed so far when the host shares it.
    Typing(bool, Option<String>),
    /// `thread.endContact`.
    EndContact,
    /// `thread.sendTranscript`.
    SendTranscript(String),
}

/// What an operation returns.
#[derive(Debug)]
enum OpResult {
    /// Older messages.
    Messages(ThreadLoadMoreResult),
    /// The thread afterwards (boxed: a thread with its last message is large).
    Thread(Box<Thread>),
    /// Nothing to return.
    Done,
}

impl OpResult {
    fn into_messages(self) -> Result<ThreadLoadMoreResult, SessionError> {
        match self {
            OpResult::Messages(m) => Ok(m),
            _ => Err(SessionError::Internal(
                "thread.loadMore answered without messages",
            )),
        }
    }

    fn into_thread(self) -> Result<Thread, SessionError> {
        match self {
            OpResult::Thread(t) => Ok(*t),
            _ => Err(SessionError::Internal(
                "a thread change answered without the thread",
            )),
        }
    }
}

/// `thread.loadMore`: older messages of a thread.
#[derive(Message, Debug)]
#[rtype(result = "Result<ThreadLoadMoreResult, SessionError>")]
pub(crate) struct LoadMore {
    /// The thread.
    pub(crate) thread_id: String,
}

/// `thread.rename` and `thread.archive`: answered with the thread afterwards.
#[derive(Message, Debug)]
#[rtype(result = "Result<Thread, SessionError>")]
pub(crate) struct ChangeThread {
    /// The thread.
    pub(crate) thread_id: String,
    /// [`Op::Rename`] or [`Op::Archive`].
    pub(crate) op: Op,
}

/// An operation answered with nothing: mark read, typing, end contact, transcript.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct ThreadOp {
    /// The thread.
    pub(crate) thread_id: String,
    /// The operation.
    pub(crate) op: Op,
}

impl Handler<LoadMore> for Threads {
    type Result = ResponseActFuture<Self, Result<ThreadLoadMoreResult, SessionError>>;

    fn handle(&mut self, msg: LoadMore, _: &mut Self::Context) -> Self::Result {
        let op = self.start_op(msg.thread_id, Op::LoadMore);
        Box::pin(op.map(|r, _, _| r?.into_messages()))
    }
}

impl Handler<ChangeThread> for Threads {
    type Result = ResponseActFuture<Self, Result<Thread, SessionError>>;

    fn handle(&mut self, msg: ChangeThread, _: &mut Self::Context) -> Self::Result {
        let op = self.start_op(msg.thread_id, msg.op);
        Box::pin(op.map(|r, _, _| r?.into_thread()))
    }
}

impl Handler<ThreadOp> for Threads {
    type Result = ResponseActFuture<Self, Result<(), SessionError>>;

    fn handle(&mut self, msg: ThreadOp, _: &mut Self::Context) -> Self::Result {
        let op = self.start_op(msg.thread_id, msg.op);
        Box::pin(op.map(|r, _, _| r.map(drop)))
    }
}

type OpFuture = ResponseActFuture<Threads, Result<OpResult, SessionError>>;

impl Threads {
    fn start_op(&mut self, tid: String, op: Op) -> OpFuture {
        match self.try_start_op(tid, op) {
            Ok(f) => f,
            Err(e) => Box::pin(fut::err(e)),
        }
    }

    fn try_start_op(&mut self, tid: String, op: Op) -> Result<OpFuture, SessionError> {
        let entry = self
            .registry
            .get(&tid)
            .ok_or_else(|| SessionError::UnknownThread(tid.clone()))?;
        // What the operations need of the thread, not a copy of all its messages.
        let id = entry.id.clone();
        let contact_id = entry.contact.as_ref().map(|c| c.id.clone());
        let scroll_token = entry.scroll_token.clone();
        let oldest = entry.messages.first().map(|m| m.created_at.clone());
        let pending = entry.state == ThreadState::Pending;
        let multi = self.chat.mode == Some(ChatMode::Multithread);
        // Renaming and archiving a thread the back end does not know yet stays local
        // (PROTOCOL.md §3.6): the name travels with the first message.
        match (&op, pending) {
            (Op::Rename(_) | Op::Archive, _) if !multi => {
                return Err(SessionError::UnsupportedInMode(
                    "threads can be renamed and archived in multi-thread channels only",
                ));
            }
            (Op::Rename(name), true) => {
                let e = self.registry.get_mut(&tid).expect("checked");
                e.name = Some(name.clone());
                let t = to_api::thread(e);
                self.publish(ThreadUpdated { thread: t.clone() }.into());
                return Ok(Box::pin(fut::ok(OpResult::Thread(Box::new(t)))));
            }
            (Op::Archive, true) => {
                let e = self.registry.get_mut(&tid).expect("checked");
                e.state = ThreadState::Closed;
                let t = to_api::thread(e);
                self.publish(ThreadUpdated { thread: t.clone() }.into());
                self.announce(Change::Threads);
                return Ok(Box::pin(fut::ok(OpResult::Thread(Box::new(t)))));
            }
            // Typing and read receipts about a thread the back end does not know mean nothing.
            (Op::Typing(..) | Op::MarkRead, true) => return Ok(Box::pin(fut::ok(OpResult::Done))),
            (Op::LoadMore | Op::EndContact | Op::SendTranscript(_), true) => {
                return Err(SessionError::IllegalThreadState(format!(
                    "thread {tid:?} is not on the server yet; send its first message first"
                )));
            }
            _ => {}
        }
        let socket = self.chat.live_socket().ok_or(SessionError::NotConnected)?;
        let thread = ThreadRef::new(id.clone());
        let contact = || {
            contact_id.clone().ok_or_else(|| {
                SessionError::IllegalThreadState(format!(
                    "thread {tid:?} has no contact yet; wait for its first message to be delivered"
                ))
            })
        };
        let chat = self.chat.clone();
        let frame = |event| chat.frame(event);
        let request = |event, step: &'static str| {
            let (socket, frame) = (socket.clone(), frame(event));
            async move {
                socket
                    .request(frame?)
                    .await
                    .map_err(|error| SessionError::Request { step, error })
            }
        };
        let fire = |event| {
            let (socket, frame) = (socket.clone(), frame(event));
            async move {
                socket
                    .send(frame?)
                    .await
                    .map_err(|_| SessionError::NotConnected)
            }
        };
        Ok(match op {
            Op::Typing(on, preview) => {
                let data = ThreadData {
                    thread: thread.clone(),
                };
                let event = if on {
                    SentEvent::SenderTypingStarted(data)
                } else {
                    SentEvent::SenderTypingEnded(data)
                };
                let typing = fire(event);
                // The preview goes after the typing state, as the web SDK sends it.
                let preview = preview.map(|text| {
                    fire(SentEvent::SendMessagePreview(MessagePreviewData {
                        thread,
                        message_content: PreviewContent::text(text),
                    }))
                });
                Box::pin(
                    async move {
                        typing.await?;
                        if let Some(p) = preview {
                            p.await?;
                        }
                        Ok(OpResult::Done)
                    }
                    .into_actor(self),
                )
            }
            Op::MarkRead => {
                let send = fire(SentEvent::MessageSeenByCustomer(ThreadData { thread }));
                Box::pin(send.into_actor(self).map(move |r, act, _| {
                    r?;
                    if let Some(e) = act.registry.get_mut(&tid) {
                        e.mark_read();
                        act.announce(Change::Thread(tid.to_ascii_lowercase()));
                    }
                    Ok(OpResult::Done)
                }))
            }
            Op::Rename(name) => {
                let thread = ThreadRef {
                    id_on_external_platform: id.clone(),
                    thread_name: Some(name.clone()),
                };
                let r = request(
                    SentEvent::UpdateThread(ThreadData { thread }),
                    "UpdateThread",
                );
                Box::pin(r.into_actor(self).map(move |r, act, _| {
                    r?;
                    let e = act
                        .registry
                        .get_mut(&tid)
                        .ok_or_else(|| SessionError::UnknownThread(tid.clone()))?;
                    e.name = Some(name);
                    let t = to_api::thread(e);
                    act.publish(ThreadUpdated { thread: t.clone() }.into());
                    Ok(OpResult::Thread(Box::new(t)))
                }))
            }
            Op::Archive => {
                let r = request(
                    SentEvent::ArchiveThread(ThreadData { thread }),
                    "ArchiveThread",
                );
                Box::pin(r.into_actor(self).map(move |r, act, _| {
                    r?;
                    let e = act
                        .registry
                        .get_mut(&tid)
                        .ok_or_else(|| SessionError::UnknownThread(tid.clone()))?;
                    e.state = ThreadState::Closed;
                    let t = to_api::thread(e);
                    act.publish(ThreadUpdated { thread: t.clone() }.into());
                    act.announce(Change::Threads);
                    Ok(OpResult::Thread(Box::new(t)))
                }))
            }
            Op::EndContact => {
                let data = EndContactData {
                    thread,
                    contact: IdRef::new(contact()?),
                };
                Box::pin(
                    fire(SentEvent::EndContact(data))
                        .into_actor(self)
                        .map(|r, _, _| r.map(|()| OpResult::Done)),
                )
            }
            Op::SendTranscript(email) => {
                if !self.chat.transcript_allowed {
                    return Err(SessionError::FeatureDisabled(
                        "this channel does not allow transcripts",
                    ));
                }
                if !email.contains('@') || email.trim() != email || email.len() > 254 {
                    return Err(SessionError::InvalidParameter {
                        field: "email",
                        detail: "not an e-mail address".into(),
                    });
                }
                let data = SendTranscriptData {
                    consumer_contact: IdRef::new(contact()?),
                    consumer_recipients: vec![TranscriptRecipient {
                        id_on_external_platform: email,
                    }],
                };
                Box::pin(
                    request(SentEvent::SendTranscript(data), "SendTranscript")
                        .into_actor(self)
                        .map(|r, _, _| r.map(|_| OpResult::Done)),
                )
            }
            Op::LoadMore => {
                let token =
                    scroll_token.ok_or_else(|| SessionError::NoMoreMessages(tid.clone()))?;
                let data = LoadMoreMessagesData {
                    scroll_token: token,
                    thread,
                    oldest_message_datetime: oldest,
                };
                let r = request(SentEvent::LoadMoreMessages(data), "LoadMoreMessages");
                Box::pin(r.into_actor(self).map(move |r, act, _| {
                    let reply = r?;
                    let EventBody::MoreMessagesLoaded(m) = &reply.body else {
                        return Ok(OpResult::Messages(ThreadLoadMoreResult {
                            messages: Vec::new(),
                            has_more_messages: false,
                        }));
                    };
                    // Hidden messages (the live chat's opener, automatic answers) are kept out
                    // of the page as they are kept out of the thread.
                    let mut page: Vec<ChatMessage> = m
                        .messages
                        .iter()
                        .filter(|x| !x.message_content.is_hidden())
                        .map(ChatMessage::from_backend)
                        .collect();
                    page.sort_by_key(|x| x.created_at.unix_ms());
                    let messages = page.iter().map(to_api::message).collect();
                    act.apply(&reply.body);
                    // An empty page ends the history even when the server still sent a token.
                    if m.messages.is_empty()
                        && let Some(e) = act.registry.get_mut(&tid)
                    {
                        e.scroll_token = None;
                    }
                    let has_more = act
                        .registry
                        .get(&tid)
                        .is_some_and(|e| e.scroll_token.is_some());
                    Ok(OpResult::Messages(ThreadLoadMoreResult {
                        messages,
                        has_more_messages: has_more,
                    }))
                }))
            }
        })
    }
}

/// `thread.setCustomFields`: contact custom fields of one thread. A pending thread's fields
/// travel with its first message (PROTOCOL.md §3.9.5); others are sent at once.
#[derive(Message, Debug)]
#[rtype(result = "Result<CustomFieldsResult, SessionError>")]
pub(crate) struct SetThreadCustomFields {
    /// The thread.
    pub(crate) thread_id: String,
    /// The fields.
    pub(crate) values: CustomFieldValues,
}

impl Handler<SetThreadCustomFields> for Threads {
    type Result = ResponseActFuture<Self, Result<CustomFieldsResult, SessionError>>;

    fn handle(&mut self, msg: SetThreadCustomFields, _: &mut Self::Context) -> Self::Result {
        let thread_id = msg.thread_id;
        let fields = to_api::cx_custom_fields(msg.values);
        let Some(entry) = self.registry.get(&thread_id) else {
            return Box::pin(fut::err(SessionError::UnknownThread(thread_id)));
        };
        if !entry.is_open() {
            return Box::pin(fut::err(SessionError::ThreadClosed(thread_id)));
        }
        let id = entry.id.clone();
        // A pending thread's fields travel with its first message.
        let contact_id = entry
            .contact
            .as_ref()
            .filter(|_| entry.state != ThreadState::Pending)
            .map(|c| c.id.clone());
        let e = self.registry.get_mut(&thread_id).expect("checked");
        for f in &fields {
            match e.custom_fields.iter_mut().find(|x| x.ident == f.ident) {
                Some(x) => *x = f.clone(),
                None => e.custom_fields.push(f.clone()),
            }
        }
        let all = to_api::custom_fields(&e.custom_fields);
        self.publish(
            CustomFieldsSet {
                scope: CustomFieldScope::Contact,
                thread_id: Some(id.to_lowercase()),
                custom_fields: to_api::custom_fields(&fields),
            }
            .into(),
        );
        let result = CustomFieldsResult { custom_fields: all };
        let (Some(socket), Some(contact_id)) = (self.chat.live_socket(), contact_id) else {
            return Box::pin(fut::ok(result));
        };
        let data = ContactCustomFieldsData {
            thread: Some(ThreadRef::new(id)),
            custom_fields: fields,
            contact: Some(IdRef::new(contact_id)),
        };
        let frame = match self.chat.frame(SentEvent::SetContactCustomFields(data)) {
            Ok(f) => f,
            Err(e) => return Box::pin(fut::err(e)),
        };
        let send = async move {
            socket
                .send(frame)
                .await
                .map_err(|_| SessionError::NotConnected)
        };
        Box::pin(send.into_actor(self).map(|r, _, _| r.map(|()| result)))
    }
}

/// `threads.load`: recover one thread (or the current one) from the back end and show it.
/// `null` when there is none, which is an answer, not a failure.
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<ThreadSnapshot>, SessionError>")]
pub(crate) struct LoadThread(pub(crate) Option<String>);

impl Handler<LoadThread> for Threads {
    type Result = ResponseActFuture<Self, Result<Option<ThreadSnapshot>, SessionError>>;

    fn handle(&mut self, msg: LoadThread, _: &mut Self::Context) -> Self::Result {
        let Some(socket) = self.chat.live_socket() else {
            return Box::pin(fut::err(SessionError::NotConnected));
        };
        let id = match msg.0.map(|i| UuidString::parse(&i)) {
            Some(Ok(i)) => Some(i),
            Some(Err(e)) => {
                return Box::pin(fut::err(SessionError::InvalidParameter {
                    field: "threadId",
                    detail: e.to_string(),
                }));
            }
            None => None,
        };
        let asked = id.as_ref().map(|i| i.as_str().to_ascii_lowercase());
        let data = RecoverData {
            thread: Some(OptionalThreadRef {
                id_on_external_platform: id,
            }),
        };
        let event = if self.chat.mode == Some(ChatMode::Livechat) {
            SentEvent::RecoverLivechat(data)
        } else {
            SentEvent::RecoverThread(data)
        };
        let frame = match self.chat.frame(event) {
            Ok(f) => f,
            Err(e) => return Box::pin(fut::err(e)),
        };
        Box::pin(
            async move { socket.request(frame).await }
                .into_actor(self)
                .map(move |r, act, _| {
                    let reply = match r {
                        Ok(reply) => reply,
                        // "No such thread" is an answer, not a failure. A thread created here
                        // whose first message is still queued is not on the server yet: it is
                        // answered as the registry holds it, as `threads.get` would.
                        Err(crate::upstream::RequestError::Operation { code, .. })
                            if code.starts_with("Recovering") =>
                        {
                            return Ok(asked.and_then(|t| act.snapshot(&t).ok()));
                        }
                        Err(error) => {
                            return Err(SessionError::Request {
                                step: "RecoverThread",
                                error,
                            });
                        }
                    };
                    let tid = match &reply.body {
                        EventBody::ThreadRecovered(t) | EventBody::LivechatRecovered(Some(t)) => {
                            t.thread.id_on_external_platform.to_lowercase()
                        }
                        _ => return Ok(None),
                    };
                    act.apply(&reply.body);
                    act.snapshot(&tid).map(Some)
                }),
        )
    }
}
