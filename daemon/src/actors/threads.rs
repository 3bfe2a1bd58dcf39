//! The thread registry actor: one per session, the owner of its threads and their messages
//! (flows 5, 6, 8 and 9). It takes the session's inbound events in arrival order, keeps threads
//! and messages de-duplicated and ordered (plain logic in `session::threads`), and runs every
//! thread call: list, get, create (client UUID, pending until its first message, pre-chat
//! answers, the welcome message), send (queued in the outbox while reconnecting), load more,
//! rename, archive, mark read, typing, custom fields, end contact, transcript, and the
//! recovery of a given thread.
//!
//! Thread calls come straight from the RPC layer. The session actor sends it inbound events in
//! arrival order and pushes a [`Chat`] — what thread calls need to know of the connection, the
//! customer and the channel — with `do_send` whenever that changes, before it answers the call
//! that changed it. So a call a client makes after an answer always finds the registry's view
//! at least as new as that answer (the mailbox is FIFO).

mod known;
mod ops;
mod outbox;
mod send;

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::{CustomField as CxField, CustomerIdentity};
use cxone_chat_protocol::cxone::received::EventBody;
use cxone_chat_protocol::cxone::rest::BrowserFingerprint;
use cxone_chat_protocol::cxone::sent::{OutgoingFrame, SentEvent};
use cxone_chat_protocol::rpc::notifications::EventPayload;
use cxone_chat_protocol::rpc::types::{
    ChatMode, ProactiveActionType, SessionName, Thread, ThreadSnapshot,
};

use crate::actors::event_hub::{EventHub, Publish};
use crate::actors::oauth::OAuth;
use crate::session::attachments::UploadTarget;
use crate::session::envelope::Envelope;
use crate::session::error::SessionError;
use crate::session::model::ThreadState;
use crate::session::threads::{Change, ThreadRegistry};
use crate::to_api;
use crate::upstream::SocketHandle;

pub(crate) use known::RestoreThreads;
pub(crate) use ops::{ChangeThread, LoadMore, LoadThread, Op, SetThreadCustomFields, ThreadOp};
pub(crate) use outbox::{FlushOutbox, ReportSalvage};
pub(crate) use send::{CreateThread, Send};

/// What thread calls need to know of the session, pushed by it on every change.
#[derive(Clone, Debug, Default)]
pub(crate) struct Chat {
    /// The chat mode, once prepared.
    pub(crate) mode: Option<ChatMode>,
    /// Connected and authorized (chat state `connected` or `ready`).
    pub(crate) connected: bool,
    /// The connection dropped and is being restored: sends are queued.
    pub(crate) reconnecting: bool,
    /// The host asked to be connected and the last attempt failed (a restart while the back
    /// end refuses the session, say): sends to known threads are queued too, and the first
    /// one asks the session to keep trying ([`QueuedWhileDown`]). After an explicit disconnect
    /// the host chose to be offline: sends are refused.
    pub(crate) queue_while_down: bool,
    /// Where to say that a message was queued while nothing is trying to connect.
    pub(crate) wake: Option<actix::WeakRecipient<QueuedWhileDown>>,
    /// The socket, while there is one.
    pub(crate) socket: Option<SocketHandle>,
    /// Brand, channel and visitor for every frame, once prepared.
    pub(crate) envelope: Option<Envelope>,
    /// The customer (frames, the welcome message's placeholders).
    pub(crate) customer: Option<CustomerIdentity>,
    /// Customer custom fields, sent with every message.
    pub(crate) customer_fields: Vec<CxField>,
    /// The device fingerprint every message carries.
    pub(crate) fingerprint: Option<BrowserFingerprint>,
    /// The pre-chat survey's required fields, when the channel has a survey.
    pub(crate) required_fields: Vec<String>,
    /// Whether the channel sends transcripts.
    pub(crate) transcript_allowed: bool,
    /// Where and under which rules attachments are uploaded; `None` when the channel takes
    /// none.
    pub(crate) upload: Option<UploadTarget>,
}

impl Chat {
    /// The socket when the chat may use it.
    pub(crate) fn live_socket(&self) -> Option<SocketHandle> {
        self.socket.clone().filter(|_| self.connected)
    }

    /// Where `thread.send` uploads attachments, or why it cannot.
    pub(crate) fn upload_target(&self) -> Result<UploadTarget, SessionError> {
        if self.envelope.is_none() {
            return Err(SessionError::NotPrepared);
        }
        self.upload.clone().ok_or(SessionError::FeatureDisabled(
            "this channel does not accept attachments",
        ))
    }

    /// A frame for `event` with the session's envelope.
    pub(crate) fn frame(&self, event: SentEvent) -> Result<OutgoingFrame, SessionError> {
        let (Some(e), Some(c)) = (&self.envelope, &self.customer) else {
            return Err(SessionError::NotPrepared);
        };
        Ok(e.frame(c, event))
    }
}

/// A message was queued while the session is down and not reconnecting: the session starts
/// reconnecting with backoff, so that what was accepted is delivered without the host's help.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct QueuedWhileDown;

/// The thread registry actor.
#[derive(Debug)]
pub(crate) struct Threads {
    name: SessionName,
    hub: Addr<EventHub>,
    oauth: Addr<OAuth>,
    store: crate::store::SessionStore,
    registry: ThreadRegistry,
    chat: Chat,
    /// The welcome message's template from the last `FireProactiveAction`, shown in new threads.
    welcome: Option<String>,
    /// Where the outbox flush stands.
    outbox: outbox::OutboxState,
    /// Released when the latest send is written: the next one waits for it.
    last_turn: Option<tokio::sync::oneshot::Receiver<()>>,
    /// The latest send's place in the order.
    last_seq: u64,
    /// The thread ids written to the store (`known.rs`).
    remembered: std::collections::HashSet<String>,
    /// What the store has of the threads and messages (`known.rs`).
    persisted: known::Persisted,
    /// This actor's own address, to post itself a [`known::Persist`].
    me: Option<Addr<Threads>>,
}

impl Threads {
    /// The registry of session `name`.
    pub(crate) fn new(
        name: SessionName,
        hub: Addr<EventHub>,
        oauth: Addr<OAuth>,
        store: crate::store::SessionStore,
    ) -> Self {
        Self {
            name,
            hub,
            oauth,
            store,
            registry: ThreadRegistry::default(),
            chat: Chat::default(),
            welcome: None,
            outbox: outbox::OutboxState::default(),
            last_turn: None,
            last_seq: 0,
            remembered: Default::default(),
            persisted: Default::default(),
            me: None,
        }
    }

    /// Tells the host; whatever changed what the host sees is written to the store soon.
    fn publish(&self, payload: EventPayload) {
        self.persist_soon();
        self.hub.do_send(Publish {
            session: Some(self.name.clone()),
            payload,
        });
    }

    fn apply(&mut self, body: &EventBody) {
        let mut welcome_arrived = false;
        if let EventBody::FireProactiveAction(p) = body
            && p.proactive_action.action.is_welcome_message()
        {
            let before = self.welcome.take();
            self.welcome = p
                .proactive_action
                .action
                .data
                .as_ref()
                .and_then(|d| d.content.body_text.clone());
            welcome_arrived = self.welcome.is_some();
            self.remember_welcome(before);
        }
        for change in self.registry.apply(body) {
            if let Change::MessageCreated(m) = &change {
                self.answer_unsupported(m);
            }
            self.announce(change);
        }
        if welcome_arrived {
            for id in self.registry.awaiting_welcome() {
                self.insert_welcome(&id);
            }
        }
    }

    /// Tells the host what changed, as the registry now stands.
    fn announce(&self, change: Change) {
        let Some(mut p) = to_api::change(&self.registry, change) else {
            return;
        };
        // The host gets the welcome as it will read in the thread, placeholders filled.
        if let EventPayload::ProactiveAction(f) = &mut p
            && f.action.action_type == ProactiveActionType::WelcomeMessage
            && let Some(text) = f.action.content.body_text.take()
        {
            f.action.content.body_text = Some(self.render_welcome(&text));
        }
        self.publish(p);
    }

    fn snapshot(&self, thread_id: &str) -> Result<ThreadSnapshot, SessionError> {
        let e = self
            .registry
            .get(thread_id)
            .ok_or_else(|| SessionError::UnknownThread(thread_id.to_owned()))?;
        Ok(ThreadSnapshot {
            thread: to_api::thread(e),
            messages: e.messages.iter().map(to_api::message).collect(),
            has_more_messages: e.scroll_token.is_some(),
        })
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(Threads);

impl Actor for Threads {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
        self.me = Some(ctx.address());
    }
}

/// The session's view changed.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct SetChat(pub(crate) Chat);

impl Handler<SetChat> for Threads {
    type Result = ();

    fn handle(&mut self, msg: SetChat, _: &mut Self::Context) {
        self.chat = msg.0;
        self.registry
            .set_live_chat(self.chat.mode == Some(ChatMode::Livechat));
    }
}

/// An inbound event, in arrival order.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Apply(pub(crate) Box<EventBody>);

impl Handler<Apply> for Threads {
    type Result = ();

    fn handle(&mut self, msg: Apply, _: &mut Self::Context) {
        self.apply(&msg.0);
        self.remember_threads();
    }
}

/// A connection's recovery replies, in order. Answers whether the chat is a live chat whose
/// only conversation is closed (the state machine's `closed`).
#[derive(Message, Debug)]
#[rtype(result = "bool")]
pub(crate) struct Recovered {
    /// The replies.
    pub(crate) bodies: Vec<EventBody>,
    /// The connection speaks for another customer than the last one (a new login): what was
    /// known is someone else's conversation and must not be shown.
    pub(crate) new_customer: bool,
    /// Single-thread: create a conversation when the recovery found none open
    /// (`lifecycle.create_thread_on_connect`).
    pub(crate) create_thread: bool,
}

impl Handler<Recovered> for Threads {
    type Result = bool;

    fn handle(&mut self, msg: Recovered, _: &mut Self::Context) -> bool {
        if msg.new_customer {
            self.forget_all();
        }
        for body in &msg.bodies {
            self.apply(body);
        }
        self.forget_unconfirmed();
        if msg.create_thread {
            self.create_when_none();
        }
        self.remember_threads();
        self.chat.mode == Some(ChatMode::Livechat)
            && self.registry.current().is_none()
            && self
                .registry
                .list()
                .iter()
                .any(|t| t.state == ThreadState::Closed)
    }
}

/// How many threads there are (`daemon.status`).
#[derive(Message, Debug)]
#[rtype(result = "usize")]
pub(crate) struct Count;

impl Handler<Count> for Threads {
    type Result = usize;

    fn handle(&mut self, _: Count, _: &mut Self::Context) -> usize {
        self.registry.len()
    }
}

/// `threads.list`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Vec<Thread>, SessionError>")]
pub(crate) struct ListThreads;

impl Handler<ListThreads> for Threads {
    type Result = Result<Vec<Thread>, SessionError>;

    fn handle(&mut self, _: ListThreads, _: &mut Self::Context) -> Self::Result {
        Ok(to_api::threads(&self.registry))
    }
}

/// `threads.get`.
#[derive(Message, Debug)]
#[rtype(result = "Result<ThreadSnapshot, SessionError>")]
pub(crate) struct GetThread {
    /// The thread.
    pub(crate) thread_id: String,
}

impl Handler<GetThread> for Threads {
    type Result = Result<ThreadSnapshot, SessionError>;

    fn handle(&mut self, msg: GetThread, _: &mut Self::Context) -> Self::Result {
        self.snapshot(&msg.thread_id)
    }
}

/// The session is gone.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Stop;

impl Handler<Stop> for Threads {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
