//! The session actor: one chat session (brand, channel, customer). It owns the chat state
//! machine, the channel configuration, the connection and the thread registry, and publishes
//! every change to the event hub. The steps themselves are plain logic in `session::`.
//!
//! Handlers that wait on the back end return `ResponseActFuture`s: other messages (and inbound
//! frames) are handled meanwhile, so every continuation re-checks the state it relies on.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::{
    CustomField as CxField, CustomFields, CustomerIdentity, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::content::MessageContent as CxContent;
use cxone_chat_protocol::cxone::content::TextContent;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chat_protocol::cxone::rest::{
    AuthenticationType, BrowserFingerprint, ChannelConfiguration, ChatMode as CxMode,
    VisitorRegistration,
};
use cxone_chat_protocol::cxone::sent::{MessageData, SentEvent};
use cxone_chat_protocol::cxone::time::Timestamp as CxTimestamp;
use cxone_chat_protocol::rpc::notifications::{
    ChatStateChanged, ConnectionLost, ConnectionRestored, EventPayload, MessageCreated,
    MessageUpdated, ThreadsUpdated,
};
use cxone_chat_protocol::rpc::types::{
    AttachmentPolicy, AuthenticationKind, ChannelInfo, ChatMode, ConnectionState,
    CustomFieldValues, Environment, Message, MessageDirection, MessageStatus, SessionName,
    SessionState, SessionStatus, Thread, ThreadSnapshot, ThreadState,
};

use crate::actors::event_hub::{EventHub, Publish};
use crate::rpc::to_wire;
use crate::session::connect::{self, Outcome, Plan};
use crate::session::error::SessionError;
use crate::session::state::{Change, StateMachine};
use crate::session::threads::ThreadRegistry;
use crate::upstream::rest::ChannelTarget;
use crate::upstream::socket::CloseKind;
use crate::upstream::{
    BackoffConfig, Endpoints, Inbound, ReconnectBackoff, RestClient, SdkIdentity, SocketConfig,
    SocketHandle,
};

/// A prepared session's back-end coordinates.
#[derive(Debug, Clone)]
struct Target {
    environment: Environment,
    endpoints: Endpoints,
    brand_id: i64,
    channel_id: String,
}

/// The session actor.
#[derive(Debug)]
pub struct Session {
    name: SessionName,
    hub: Addr<EventHub>,
    rest: RestClient,
    sdk: SdkIdentity,
    target: Option<Target>,
    config: Option<ChannelConfiguration>,
    visitor_id: String,
    customer: CustomerIdentity,
    machine: StateMachine,
    socket: Option<SocketHandle>,
    /// The current socket's inbound stream; cancelled on disconnect so a late `Closed` from an
    /// old socket cannot tear down a new connection.
    inbound: Option<SpawnHandle>,
    connection: ConnectionState,
    threads: ThreadRegistry,
    /// When to try again after the connection dropped; never gives up, starts over once a
    /// connection stayed up long enough.
    backoff: ReconnectBackoff,
    /// When the connection dropped, for `connection.restored`.
    down_since: Option<std::time::Instant>,
    /// Messages accepted while reconnecting, sent in order once the connection is back.
    outbox: Vec<Queued>,
}

/// A message accepted while the connection was down.
#[derive(Debug)]
struct Queued {
    thread_id: String,
    frame: cxone_chat_protocol::cxone::sent::OutgoingFrame,
    message: Message,
}

impl Session {
    /// A new, unprepared session.
    pub fn new(name: SessionName, hub: Addr<EventHub>, rest: RestClient, sdk: SdkIdentity) -> Self {
        Self {
            name,
            hub,
            rest,
            sdk,
            target: None,
            config: None,
            visitor_id: uuid::Uuid::new_v4().to_string(),
            customer: CustomerIdentity::new(uuid::Uuid::new_v4().to_string()),
            machine: StateMachine::default(),
            socket: None,
            inbound: None,
            connection: ConnectionState::Disconnected,
            threads: ThreadRegistry::default(),
            backoff: ReconnectBackoff::new(BackoffConfig::default()),
            down_since: None,
            outbox: Vec::new(),
        }
    }

    fn publish(&self, payload: EventPayload) {
        self.hub.do_send(Publish {
            session: Some(self.name.clone()),
            payload,
        });
    }

    fn announce(&self, change: Option<Change>) {
        if let Some(c) = change {
            self.publish(
                ChatStateChanged {
                    state: c.state,
                    previous: c.previous,
                    mode: self.machine.mode(),
                }
                .into(),
            );
        }
    }

    fn state(&self) -> SessionState {
        SessionState {
            session: self.name.clone(),
            state: self.machine.state(),
            mode: self.machine.mode(),
            connection: self.connection,
            channel: self.channel_info(),
        }
    }

    fn channel_info(&self) -> Option<ChannelInfo> {
        let (t, c) = (self.target.as_ref()?, self.config.as_ref()?);
        let fr = c.settings.file_restrictions.as_ref();
        Some(ChannelInfo {
            brand_id: t.brand_id as u64,
            channel_id: t.channel_id.clone(),
            authentication: match c.authentication_type() {
                AuthenticationType::Anonymous => AuthenticationKind::Anonymous,
                AuthenticationType::ThirdPartyOAuth => AuthenticationKind::Oauth,
                AuthenticationType::SecuredCookie => AuthenticationKind::SecuredCookie,
            },
            attachments: AttachmentPolicy {
                enabled: c.attachments_enabled(),
                max_size_bytes: c.allowed_file_size_bytes().unwrap_or(0),
                allowed_mime_types: fr
                    .map(|f| f.valid_file_types().map(|t| t.mime_type.clone()).collect())
                    .unwrap_or_default(),
            },
            transcript_allowed: c.settings.transcript_allowed(),
            has_pre_chat_survey: c.pre_chat_form(&t.channel_id).is_some(),
            live_chat_available: c.is_online(),
        })
    }

    fn mode(c: &ChannelConfiguration) -> ChatMode {
        match c.chat_mode() {
            CxMode::SingleThread => ChatMode::Singlethread,
            CxMode::MultiThread => ChatMode::Multithread,
            CxMode::LiveChat => ChatMode::Livechat,
        }
    }

    fn plan(&self) -> Result<Plan, SessionError> {
        let (t, c) = (
            self.target.as_ref().ok_or(SessionError::NotPrepared)?,
            self.config.as_ref().ok_or(SessionError::NotPrepared)?,
        );
        Ok(Plan {
            rest: self.rest.clone(),
            endpoints: t.endpoints.clone(),
            brand_id: t.brand_id,
            channel_id: t.channel_id.clone(),
            visitor_id: self.visitor_id.clone(),
            customer: self.customer.clone(),
            mode: c.chat_mode(),
            auth: c.authentication_type(),
            secured: c.secured_sessions_enabled(),
            sdk: self.sdk.clone(),
            socket: SocketConfig::default(),
        })
    }

    fn apply(&mut self, body: &EventBody) {
        for p in self.threads.apply(body) {
            self.publish(p);
        }
    }

    /// The connection dropped by itself: announce it and reconnect with backoff.
    fn lose_connection(&mut self, reason: String, ctx: &mut Context<Self>) {
        self.socket = None;
        self.inbound = None;
        // An explicit disconnect already set this; nothing to recover then.
        if self.connection == ConnectionState::Disconnected {
            return;
        }
        self.connection = ConnectionState::Reconnecting;
        self.down_since.get_or_insert_with(std::time::Instant::now);
        self.backoff.disconnected(std::time::Instant::now());
        let change = self.machine.reconnecting();
        self.announce(change);
        self.schedule_reconnect(reason, ctx);
    }

    fn schedule_reconnect(&mut self, reason: String, ctx: &mut Context<Self>) {
        let delay = self.backoff.next_delay();
        self.publish(
            ConnectionLost {
                reason,
                reconnecting: true,
                attempt: self.backoff.attempt(),
                retry_in_ms: Some(delay.as_millis() as u64),
            }
            .into(),
        );
        ctx.run_later(delay, |act, ctx| act.reconnect(ctx));
    }

    fn reconnect(&mut self, ctx: &mut Context<Self>) {
        if self.connection != ConnectionState::Reconnecting {
            return;
        }
        let plan = match self.plan() {
            Ok(p) => p,
            Err(_) => return,
        };
        let attempt = connect::run(plan).into_actor(self).map(|result, act, ctx| {
            if act.connection != ConnectionState::Reconnecting {
                if let Ok(Outcome::Connected(c)) = result {
                    actix::spawn(async move { c.socket.close(CloseKind::Normal).await });
                }
                return;
            }
            match result {
                Ok(Outcome::Connected(c)) => {
                    let attempts = act.backoff.attempt();
                    act.install(c, ctx);
                    let downtime = act.down_since.take().map_or(0, |t| t.elapsed().as_millis() as u64);
                    act.publish(ConnectionRestored { attempts, downtime_ms: downtime }.into());
                    act.flush_outbox(ctx);
                }
                Ok(Outcome::Offline) => {
                    act.connection = ConnectionState::Disconnected;
                    let change = act.machine.offline();
                    act.announce(change);
                }
                Err(e) => {
                    tracing::info!(session = %act.name, error = %e, "reconnecting failed; will retry");
                    act.schedule_reconnect(e.to_string(), ctx);
                }
            }
        });
        ctx.spawn(attempt);
    }

    /// Takes over a fresh connection: its socket, its inbound stream and its recovery.
    fn install(&mut self, c: connect::Connected, ctx: &mut Context<Self>) {
        self.customer = c.customer;
        self.socket = Some(c.socket);
        self.connection = ConnectionState::Connected;
        self.backoff.connected(std::time::Instant::now());
        if let Some(old) = self.inbound.take() {
            ctx.cancel_future(old);
        }
        let stream = futures_util::stream::unfold(c.inbound, |mut rx| async move {
            rx.recv().await.map(|x| (x, rx))
        });
        self.inbound = Some(ctx.add_stream(stream));
        let change = self.machine.connected();
        self.announce(change);
        for body in &c.recovered {
            self.apply(body);
        }
        let closed = self.machine.mode() == Some(ChatMode::Livechat)
            && self.threads.current().is_none()
            && self
                .threads
                .list()
                .iter()
                .any(|t| t.state == ThreadState::Closed);
        let change = self.machine.ready(closed);
        self.announce(change);
    }

    /// Sends what was queued while the connection was down, in order, each exactly once (the
    /// message id travels with it, so a repeat would be recognised by the back end too).
    fn flush_outbox(&mut self, ctx: &mut Context<Self>) {
        let Some(socket) = self.socket.clone() else {
            return;
        };
        for q in std::mem::take(&mut self.outbox) {
            let socket = socket.clone();
            let fut = async move { socket.request(q.frame).await }
                .into_actor(self)
                .map(move |result, act, _| {
                    let _ = act.settle(&q.thread_id, q.message, result.map(drop));
                });
            // `wait` keeps the queued messages in order: the next is sent after this ack.
            ctx.wait(fut);
        }
    }

    /// Records the outcome of a send and announces the message's new status.
    fn settle(
        &mut self,
        thread_id: &str,
        mut m: Message,
        result: Result<(), crate::upstream::RequestError>,
    ) -> Result<Message, SessionError> {
        let outcome = match result {
            Ok(()) => {
                m.status = MessageStatus::Sent;
                Ok(())
            }
            Err(error) => {
                m.status = MessageStatus::Failed;
                Err(SessionError::Request {
                    step: "SendMessage",
                    error,
                })
            }
        };
        // The echo may already have arrived and made it delivered; never go backwards.
        if let Some(e) = self.threads.get_mut(thread_id) {
            match e.messages.iter().find(|x| x.id == m.id) {
                Some(x) if x.status != MessageStatus::Queued => m = x.clone(),
                _ => {
                    e.upsert(m.clone());
                }
            }
        }
        let error = outcome
            .as_ref()
            .err()
            .map(cxone_chat_protocol::rpc::errors::ErrorObject::from);
        self.publish(
            MessageUpdated {
                message: m.clone(),
                error,
            }
            .into(),
        );
        outcome.map(|()| m)
    }
}

impl Actor for Session {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(s) = self.socket.take() {
            actix::spawn(async move { s.close(CloseKind::GoingAway).await });
        }
    }
}

/// `session.prepare`.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub struct Prepare {
    /// Where the back end is.
    pub environment: Environment,
    /// Brand.
    pub brand_id: i64,
    /// Channel.
    pub channel_id: String,
    /// The customer, when the host knows them.
    pub customer: Option<cxone_chat_protocol::rpc::types::CustomerIdentity>,
}

impl Handler<Prepare> for Session {
    type Result = ResponseActFuture<Self, Result<SessionState, SessionError>>;

    fn handle(&mut self, msg: Prepare, _: &mut Self::Context) -> Self::Result {
        if let Some(t) = &self.target
            && (t.brand_id != msg.brand_id
                || t.channel_id != msg.channel_id
                || t.environment != msg.environment)
            && self.machine.state() != cxone_chat_protocol::rpc::types::ChatState::Initial
        {
            return Box::pin(fut::err(SessionError::Conflict(self.name.to_string())));
        }
        let change = match self.machine.begin_prepare() {
            Ok(c) => c,
            Err(e) => return Box::pin(fut::err(e.into())),
        };
        self.announce(change);
        let endpoints = match Endpoints::resolve(&msg.environment) {
            Ok(e) => e,
            Err(e) => {
                let change = self.machine.end_prepare(Err(()));
                self.announce(change);
                return Box::pin(fut::err(e.into()));
            }
        };
        if let Some(c) = msg.customer {
            if let Some(id) = c.id {
                self.customer.id_on_external_platform = id;
            }
            self.customer.first_name = c.first_name.or(self.customer.first_name.take());
            self.customer.last_name = c.last_name.or(self.customer.last_name.take());
        }
        let target = Target {
            environment: msg.environment,
            endpoints,
            brand_id: msg.brand_id,
            channel_id: msg.channel_id,
        };
        let rest = self.rest.clone();
        let visitor = self.visitor_id.clone();
        let registration = VisitorRegistration::new(
            self.customer.id_on_external_platform.clone(),
            fingerprint(&self.sdk),
        );
        let t = target.clone();
        let work = async move {
            let ct = ChannelTarget {
                endpoints: &t.endpoints,
                brand_id: t.brand_id,
                channel_id: &t.channel_id,
            };
            let config = rest
                .channel_configuration(ct)
                .await
                .map_err(SessionError::FetchChannelConfig)?;
            rest.register_visitor(&t.endpoints, t.brand_id, &visitor, &registration)
                .await
                .map_err(SessionError::RegisterVisitor)?;
            Ok::<_, SessionError>(config)
        };
        Box::pin(
            work.into_actor(self)
                .map(move |result, act, _| match result {
                    Ok(config) => {
                        let mode = Session::mode(&config);
                        act.config = Some(config);
                        act.target = Some(target);
                        let change = act.machine.end_prepare(Ok(mode));
                        act.announce(change);
                        Ok(act.state())
                    }
                    Err(e) => {
                        let change = act.machine.end_prepare(Err(()));
                        act.announce(change);
                        Err(e)
                    }
                }),
        )
    }
}

fn fingerprint(sdk: &SdkIdentity) -> BrowserFingerprint {
    BrowserFingerprint {
        application_type: Some("native".into()),
        os: Some(std::env::consts::OS.into()),
        device_type: Some("desktop".into()),
        browser: Some("cxone-chatd".into()),
        browser_version: Some(sdk.version.clone()),
        ..BrowserFingerprint::default()
    }
}

/// `session.connect`.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub struct Connect;

impl Handler<Connect> for Session {
    type Result = ResponseActFuture<Self, Result<SessionState, SessionError>>;

    fn handle(&mut self, _: Connect, _: &mut Self::Context) -> Self::Result {
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        match self.machine.begin_connect() {
            Err(e) => return Box::pin(fut::err(e.into())),
            Ok(None) => return Box::pin(fut::ok(self.state())),
            Ok(change) => self.announce(change),
        }
        self.connection = ConnectionState::Connecting;
        Box::pin(connect::run(plan).into_actor(self).map(|result, act, ctx| {
            // A disconnect while connecting wins: drop what was opened.
            if act.connection != ConnectionState::Connecting {
                if let Ok(Outcome::Connected(c)) = result {
                    actix::spawn(async move { c.socket.close(CloseKind::Normal).await });
                }
                return Err(SessionError::NotConnected);
            }
            match result {
                Ok(Outcome::Offline) => {
                    act.connection = ConnectionState::Disconnected;
                    let change = act.machine.offline();
                    act.announce(change);
                    Ok(act.state())
                }
                Ok(Outcome::Connected(c)) => {
                    act.install(c, ctx);
                    Ok(act.state())
                }
                Err(e) => {
                    act.connection = ConnectionState::Disconnected;
                    let change = act.machine.disconnected();
                    act.announce(change);
                    Err(e)
                }
            }
        }))
    }
}

impl StreamHandler<Inbound> for Session {
    fn handle(&mut self, item: Inbound, ctx: &mut Self::Context) {
        match item {
            Inbound::Frame(ReceivedFrame::Event(e)) => self.apply(&e.body),
            Inbound::Closed {
                reason,
                clean,
                code,
            } => {
                tracing::info!(session = %self.name, ?code, clean, "the chat gateway connection ended");
                let reason = if reason.is_empty() {
                    "the connection to the chat gateway ended".into()
                } else {
                    reason
                };
                self.lose_connection(reason, ctx);
            }
            other => {
                tracing::debug!(session = %self.name, ?other, "inbound frame not applied to state")
            }
        }
    }

    // The stream ends when the socket's tasks end; `Closed` has already said why.
    fn finished(&mut self, _: &mut Self::Context) {}
}

/// `session.disconnect`.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub struct Disconnect;

impl Handler<Disconnect> for Session {
    type Result = Result<SessionState, SessionError>;

    fn handle(&mut self, _: Disconnect, ctx: &mut Self::Context) -> Self::Result {
        if let Some(h) = self.inbound.take() {
            ctx.cancel_future(h);
        }
        if let Some(s) = self.socket.take() {
            actix::spawn(async move { s.close(CloseKind::Normal).await });
        }
        self.connection = ConnectionState::Disconnected;
        let change = self.machine.disconnected();
        self.announce(change);
        Ok(self.state())
    }
}

/// `session.state`.
#[derive(Message, Debug)]
#[rtype(result = "SessionState")]
pub struct GetState;

impl Handler<GetState> for Session {
    type Result = MessageResult<GetState>;

    fn handle(&mut self, _: GetState, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.state())
    }
}

/// A line of `daemon.status`.
#[derive(Message, Debug)]
#[rtype(result = "SessionStatus")]
pub struct Status;

impl Handler<Status> for Session {
    type Result = MessageResult<Status>;

    fn handle(&mut self, _: Status, _: &mut Self::Context) -> Self::Result {
        MessageResult(SessionStatus {
            session: self.name.clone(),
            state: self.machine.state(),
            mode: self.machine.mode(),
            connection: self.connection,
            brand_id: self.target.as_ref().map(|t| t.brand_id as u64),
            channel_id: self.target.as_ref().map(|t| t.channel_id.clone()),
            threads: self.threads.len() as u32,
            pending_requests: 0,
            queued_events: 0,
        })
    }
}

/// `threads.list`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Vec<Thread>, SessionError>")]
pub struct ListThreads;

impl Handler<ListThreads> for Session {
    type Result = Result<Vec<Thread>, SessionError>;

    fn handle(&mut self, _: ListThreads, _: &mut Self::Context) -> Self::Result {
        Ok(self.threads.list())
    }
}

/// `threads.get`.
#[derive(Message, Debug)]
#[rtype(result = "Result<ThreadSnapshot, SessionError>")]
pub struct GetThread {
    /// The thread.
    pub thread_id: String,
}

impl Handler<GetThread> for Session {
    type Result = Result<ThreadSnapshot, SessionError>;

    fn handle(&mut self, msg: GetThread, _: &mut Self::Context) -> Self::Result {
        let e = self
            .threads
            .get(&msg.thread_id)
            .ok_or_else(|| SessionError::UnknownThread(msg.thread_id.clone()))?;
        Ok(ThreadSnapshot {
            thread: e.to_api(),
            messages: e.messages.clone(),
            has_more_messages: e.scroll_token.is_some(),
        })
    }
}

/// `threads.create`.
#[derive(Message, Debug)]
#[rtype(result = "Result<Thread, SessionError>")]
pub struct CreateThread {
    /// Name.
    pub name: Option<String>,
    /// Pre-chat answers (contact custom fields).
    pub custom_fields: CustomFieldValues,
}

impl Handler<CreateThread> for Session {
    type Result = Result<Thread, SessionError>;

    fn handle(&mut self, msg: CreateThread, _: &mut Self::Context) -> Self::Result {
        if !self.machine.is_connected() {
            return Err(SessionError::NotConnected);
        }
        let (Some(config), Some(target)) = (&self.config, &self.target) else {
            return Err(SessionError::NotPrepared);
        };
        if self.machine.mode() != Some(ChatMode::Multithread) && self.threads.current().is_some() {
            return Err(SessionError::UnsupportedInMode(
                "this channel has one conversation at a time and it is still open; use it, or end it first",
            ));
        }
        if let Some(form) = config.pre_chat_form(&target.channel_id) {
            for f in form.required_fields() {
                if msg
                    .custom_fields
                    .get(&f.ident)
                    .is_none_or(|v| v.trim().is_empty())
                {
                    return Err(SessionError::PreChatSurveyIncomplete(f.ident.clone()));
                }
            }
        }
        let now = to_wire::timestamp(&CxTimestamp::from_unix_ms_millis(now_ms()));
        let fields = msg
            .custom_fields
            .into_iter()
            .map(
                |(ident, value)| cxone_chat_protocol::rpc::types::CustomField {
                    ident,
                    value,
                    updated_at: Some(now.clone()),
                },
            )
            .collect();
        let thread = self
            .threads
            .create_pending(UuidString::new_v4(), msg.name, fields, now);
        self.publish(
            ThreadsUpdated {
                threads: self.threads.list(),
            }
            .into(),
        );
        Ok(thread)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `thread.send` (text and postbacks).
#[derive(Message, Debug)]
#[rtype(result = "Result<Message, SessionError>")]
pub struct Send {
    /// The thread.
    pub thread_id: String,
    /// Text.
    pub text: Option<String>,
    /// Postback of a chosen button.
    pub postback: Option<String>,
    /// The client's own id for the message (a UUID), for idempotent retries.
    pub client_message_id: Option<String>,
}

impl Handler<Send> for Session {
    type Result = ResponseActFuture<Self, Result<Message, SessionError>>;

    fn handle(&mut self, msg: Send, _: &mut Self::Context) -> Self::Result {
        let prepared = (|| {
            // While reconnecting a message is accepted and queued; otherwise it needs a socket.
            let socket = self.socket.clone().filter(|_| self.machine.is_connected());
            if socket.is_none() && self.connection != ConnectionState::Reconnecting {
                return Err(SessionError::NotConnected);
            }
            let entry = self
                .threads
                .get(&msg.thread_id)
                .ok_or_else(|| SessionError::UnknownThread(msg.thread_id.clone()))?;
            if !entry.is_open() {
                return Err(SessionError::ThreadClosed(msg.thread_id.clone()));
            }
            let text = msg.text.clone().unwrap_or_default();
            if text.trim().is_empty() && msg.postback.is_none() {
                return Err(SessionError::InvalidParameter {
                    field: "text",
                    detail: "a message needs text or a postback".into(),
                });
            }
            let id = match &msg.client_message_id {
                Some(c) => UuidString::parse(c).map_err(|e| SessionError::InvalidParameter {
                    field: "clientMessageId",
                    detail: e.to_string(),
                })?,
                None => UuidString::new_v4(),
            };
            let pending = entry.state == ThreadState::Pending;
            let thread = ThreadRef {
                id_on_external_platform: entry.id.clone(),
                thread_name: entry.name.clone().filter(|_| pending),
            };
            let contact = pending.then(|| CustomFields {
                custom_fields: entry
                    .custom_fields
                    .iter()
                    .map(|f| CxField {
                        ident: f.ident.clone(),
                        value: f.value.clone(),
                        updated_at: None,
                    })
                    .collect(),
            });
            let mut content = TextContent::outgoing(text.clone());
            if let Some(p) = &msg.postback {
                content = content.with_postback(p.clone());
            }
            let data = MessageData {
                thread,
                message_content: CxContent::Text(content),
                id_on_external_platform: id.clone(),
                customer: Some(CustomFields::default()),
                consumer: None,
                contact,
                consumer_contact: None,
                attachments: Vec::new(),
                device_fingerprint: Some(fingerprint(&self.sdk)),
                browser_fingerprint: None,
                access_token: None,
            };
            let plan = self.plan()?;
            let frame = plan.frame(&self.customer, SentEvent::SendMessage(data));
            let local = Message {
                id: id.to_lowercase(),
                thread_id: entry.id.to_lowercase(),
                direction: MessageDirection::Inbound,
                status: MessageStatus::Queued,
                created_at: to_wire::timestamp(&CxTimestamp::from_unix_ms_millis(now_ms())),
                author: None,
                text,
                postback: msg.postback.clone(),
                attachments: Vec::new(),
                content: cxone_chat_protocol::rpc::types::MessageContent::Text,
            };
            Ok((socket, frame, local))
        })();
        let (socket, frame, local) = match prepared {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        // Shown at once as queued; the ack makes it sent, the echo delivered.
        if let Some(e) = self.threads.get_mut(&msg.thread_id) {
            e.upsert(local.clone());
        }
        self.publish(
            MessageCreated {
                message: local.clone(),
            }
            .into(),
        );
        let Some(socket) = socket else {
            self.outbox.push(Queued {
                thread_id: msg.thread_id,
                frame,
                message: local.clone(),
            });
            return Box::pin(fut::ok(local));
        };
        let thread_id = msg.thread_id;
        Box::pin(
            async move { socket.request(frame).await }
                .into_actor(self)
                .map(move |result, act, _| act.settle(&thread_id, local, result.map(drop))),
        )
    }
}
