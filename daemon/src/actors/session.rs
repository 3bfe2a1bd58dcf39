//! The session actor: one chat session (brand, channel, customer). It owns the chat state
//! machine, the channel configuration, the connection and the customer, and publishes every
//! change to the event hub. It starts and feeds the session's own actors: credentials
//! (`oauth`), threads and messages (`threads`, which it forwards thread calls and inbound
//! events to) and live-chat availability (`live_chat`). The steps themselves are plain logic in
//! `session::`.
//!
//! Handlers that wait on the back end return `ResponseActFuture`s: other messages (and inbound
//! frames) are handled meanwhile, so every continuation re-checks the state it relies on.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::rest::{
    AuthenticationType, BrowserFingerprint, ChannelConfiguration, ChatMode as CxMode,
    VisitorRegistration,
};
use cxone_chat_protocol::rpc::notifications::{ChatStateChanged, EventPayload};
use cxone_chat_protocol::rpc::types::{
    AttachmentPolicy, AuthenticationKind, ChannelInfo, ChatMode, ConnectionState, Environment,
    SessionName, SessionState, SessionStatus,
};

use crate::actors::event_hub::{EventHub, Publish};
use crate::actors::live_chat::{self, Configure as LiveChatChannel, LiveChat};
use crate::actors::oauth::{Configure, OAuth, SetLink, TokenTarget};
use crate::actors::threads::{Chat, RestoreThreads, SetChat, Threads};
use crate::session::attachments::UploadTarget;
use crate::session::credentials::Credentials;
use crate::session::envelope::{self, Envelope};
use crate::session::error::SessionError;
use crate::session::state::{Change, StateMachine};
use crate::upstream::rest::ChannelTarget;
use connect::{Outcome, Plan};
mod availability;
mod connect;
mod connection;
mod customer;
mod inbound;
mod lifecycle;
mod shutdown;

use crate::upstream::socket::CloseKind;
use crate::upstream::{
    BackoffConfig, Endpoints, LargeEvents, ReconnectBackoff, RestClient, SdkIdentity, SocketConfig,
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

/// What an earlier run kept of a session's chat, for the first prepare that matches it.
#[derive(Debug)]
struct Known {
    prepared_for: crate::store::PreparedFor,
    /// The customer's id then.
    customer: Option<String>,
    threads: Vec<uuid::Uuid>,
    welcome: Option<String>,
}

/// The session actor.
#[derive(Debug)]
pub(crate) struct Session {
    name: SessionName,
    hub: Addr<EventHub>,
    rest: RestClient,
    /// Where the socket's large events are downloaded (the daemon's fetcher).
    large_events: LargeEvents,
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
    /// The session's threads and messages (their own actor).
    threads: Addr<Threads>,
    /// When to try again after the connection dropped; never gives up, starts over once a
    /// connection stayed up long enough.
    backoff: ReconnectBackoff,
    /// When the connection dropped, for `connection.restored`.
    down_since: Option<std::time::Instant>,
    /// The session's credentials: logins, tokens and their renewal (its own actor).
    oauth: Addr<OAuth>,
    /// Live-chat availability (its own actor).
    live_chat: Addr<LiveChat>,
    /// Customer custom fields, sent with every message.
    customer_fields: Vec<cxone_chat_protocol::cxone::common::CustomField>,
    /// Visits and page views for analytics.
    visits: crate::session::analytics::Visits,
    /// This run's destination id (the SDKs mint one per session run).
    destination_id: String,
    /// Whether `app.background` disconnected a connected session, to reconnect on foreground.
    resume_on_foreground: bool,
    /// Single-thread: a connection whose recovery finds no open conversation creates one
    /// (`lifecycle.create_thread_on_connect`, as the last `session.connect` found it).
    create_thread_on_connect: bool,
    /// The host's last word was `session.connect` (not a disconnect, a background disconnect
    /// or a sign-out): while the connection is down anyway, sends are queued and delivered
    /// once it is back (`actors/threads.rs`, `QueuedWhileDown`).
    wants_connection: bool,
    /// This actor, for the thread registry to say a message was queued while down.
    wake: Option<actix::WeakRecipient<crate::actors::threads::QueuedWhileDown>>,
    /// The latest write of the identity (each waits for the one before).
    saving: Option<tokio::task::JoinHandle<()>>,
    /// What an earlier run was prepared for, as which customer, the threads it knew and the
    /// welcome template: given back to the thread registry by the first matching prepare.
    /// Boxed: read once, by the first prepare, and empty for most of the session's life.
    known_threads: Option<Box<Known>>,
    /// The device's push token (`customer.setDeviceToken`), kept in the record.
    device_token: Option<String>,
    /// Why the last attempt to connect failed (`daemon.status`), until a connection succeeds.
    last_error: Option<String>,
    /// Where the session's identity and outbox live on disk (the outbox holds messages
    /// accepted while reconnecting until the back end acknowledges them).
    store: crate::store::SessionStore,
}

impl Session {
    /// A new, unprepared session.
    /// A session, restoring its visitor and customer from `record` when there is one.
    pub(crate) fn new(
        name: SessionName,
        hub: Addr<EventHub>,
        rest: RestClient,
        large_events: LargeEvents,
        sdk: SdkIdentity,
        store: crate::store::SessionStore,
        record: Option<&crate::store::SessionRecord>,
    ) -> Self {
        let visitor_id = record.map_or_else(
            || uuid::Uuid::new_v4().to_string(),
            |r| r.visitor_id.to_string(),
        );
        let customer = record.and_then(|r| r.customer.as_ref()).map_or_else(
            || CustomerIdentity::new(uuid::Uuid::new_v4().to_string()),
            crate::session::persist::customer,
        );
        let oauth = OAuth::new(
            name.clone(),
            hub.clone(),
            rest.clone(),
            store.clone(),
            record.map(Credentials::from_record).unwrap_or_default(),
        )
        .start();
        Self {
            name: name.clone(),
            hub: hub.clone(),
            rest: rest.clone(),
            large_events,
            sdk,
            target: None,
            config: None,
            visitor_id,
            customer,
            machine: StateMachine::default(),
            socket: None,
            inbound: None,
            connection: ConnectionState::Disconnected,
            backoff: ReconnectBackoff::new(BackoffConfig::default()),
            down_since: None,
            oauth: oauth.clone(),
            live_chat: LiveChat::new(rest.clone()).start(),
            threads: Threads::new(name.clone(), hub.clone(), oauth, store.clone()).start(),
            customer_fields: Vec::new(),
            visits: {
                let mut visits = crate::session::analytics::Visits::default();
                if let Some(v) = record.and_then(|r| r.visit.as_ref()) {
                    let left = v.expires_at_ms - crate::to_api::now_ms();
                    if let (Ok(id), Ok(left)) = (
                        cxone_chat_protocol::cxone::common::UuidString::parse(&v.id.to_string()),
                        u64::try_from(left),
                    ) {
                        visits.resume(
                            id,
                            std::time::Duration::from_millis(left),
                            std::time::Instant::now(),
                        );
                    }
                }
                visits
            },
            destination_id: uuid::Uuid::new_v4().to_string(),
            resume_on_foreground: false,
            wants_connection: false,
            create_thread_on_connect: false,
            wake: None,
            saving: None,
            last_error: None,
            device_token: record
                .and_then(|r| r.device_token.as_ref())
                .map(|t| t.expose().to_owned()),
            known_threads: record.map(|r| {
                Box::new(Known {
                    prepared_for: r.prepared_for.clone(),
                    customer: r.customer.as_ref().map(|c| c.id.clone()),
                    threads: r.thread_ids.clone(),
                    welcome: r.welcome.clone(),
                })
            }),
            store,
        }
    }

    /// The session's own actors (credentials, threads, live chat), for the health registry.
    pub(crate) fn actors(&self) -> (Addr<OAuth>, Addr<Threads>, Addr<LiveChat>) {
        (
            self.oauth.clone(),
            self.threads.clone(),
            self.live_chat.clone(),
        )
    }

    /// Remembers the visitor, the customer and the back end on disk, so that a restarted
    /// daemon is the same visitor and customer to CXone. Written off the actor's thread; the
    /// tokens in the same file are the OAuth actor's and are left alone (unless the session is
    /// now for another back end, brand or channel: then they belong to someone else).
    fn persist(&mut self, target: &Target) {
        let Some(fresh) = crate::session::persist::record(
            &self.visitor_id,
            &self.customer,
            &target.environment,
            target.brand_id,
            &target.channel_id,
        ) else {
            return;
        };
        let (store, name) = (self.store.clone(), self.name.clone());
        let previous = self.saving.take();
        self.saving = Some(tokio::spawn(async move {
            // In order: a newer identity is never overwritten by an older one.
            if let Some(p) = previous {
                let _ = p.await;
            }
            let save = move || {
                let template = fresh.clone();
                store.upsert(
                    || template,
                    |r| {
                        if r.prepared_for != fresh.prepared_for {
                            *r = fresh;
                        } else {
                            // Another customer: the threads known were the last one's.
                            let id = |c: &Option<crate::store::StoredCustomer>| {
                                c.as_ref().map(|c| c.id.clone())
                            };
                            if id(&r.customer) != id(&fresh.customer) {
                                r.thread_ids.clear();
                            }
                            r.visitor_id = fresh.visitor_id;
                            r.customer = fresh.customer;
                        }
                    },
                )
            };
            if let Ok(Err(e)) = tokio::task::spawn_blocking(save).await {
                tracing::warn!(session = %name, error = %e, "cannot save the session's state");
            }
        }));
    }

    /// The first prepare for the back end, channel and customer an earlier run was prepared
    /// for gets that run's threads back (see `actors/threads/known.rs`).
    fn restore_threads(&mut self, target: &Target) {
        let Some(Known {
            prepared_for,
            customer,
            threads: ids,
            welcome,
        }) = self.known_threads.take().map(|k| *k)
        else {
            return;
        };
        let now = crate::session::persist::record(
            &self.visitor_id,
            &self.customer,
            &target.environment,
            target.brand_id,
            &target.channel_id,
        );
        let same = now.is_some_and(|r| {
            r.prepared_for == prepared_for
                && customer.as_deref() == Some(self.customer.id_on_external_platform.as_str())
        });
        // Otherwise they are someone else's; `persist` forgets them on disk with the new
        // identity, in the same write.
        if same && (!ids.is_empty() || welcome.is_some()) {
            self.threads.do_send(RestoreThreads { ids, welcome });
        }
    }

    /// Resolves once the identity and the credentials known now are on disk, so that a host
    /// told "connected" can rely on a restart being the same customer.
    fn durable(&mut self) -> impl std::future::Future<Output = ()> + use<> {
        let saving = self.saving.take();
        let oauth = self.oauth.send(crate::actors::oauth::Flush);
        async move {
            if let Some(s) = saving {
                let _ = s.await;
            }
            if let Ok(f) = oauth.await {
                f.await;
            }
        }
    }

    fn publish(&self, payload: EventPayload) {
        self.hub.do_send(Publish {
            session: Some(self.name.clone()),
            payload,
        });
    }

    fn announce(&self, change: Option<Change>) {
        self.sync_threads();
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
            visitor_id: self.visitor_id.clone(),
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
            offline_form: c.settings.offline_form_shown(),
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
            endpoints: t.endpoints.clone(),
            brand_id: t.brand_id,
            channel_id: t.channel_id.clone(),
            visitor_id: self.visitor_id.clone(),
            customer: self.customer.clone(),
            mode: c.chat_mode(),
            auth: c.authentication_type(),
            secured: c.secured_sessions_enabled(),
            sdk: self.sdk.clone(),
            socket: SocketConfig::over(&self.rest.network()),
            large_events: self.large_events.clone(),
            oauth: self.oauth.clone(),
            live_chat: self.live_chat.clone(),
        })
    }

    /// What thread calls need to know, for the thread registry; sent on every change (state
    /// changes, connection, customer), in order with the calls the session forwards.
    pub(super) fn sync_threads(&self) {
        let (target, config) = (self.target.as_ref(), self.config.as_ref());
        self.threads.do_send(SetChat(Chat {
            mode: self.machine.mode(),
            connected: self.machine.is_connected(),
            reconnecting: self.connection == ConnectionState::Reconnecting,
            queue_while_down: self.wants_connection
                && self.connection == ConnectionState::Disconnected,
            wake: self.wake.clone(),
            socket: self.socket.clone(),
            envelope: target
                .map(|t| Envelope::new(t.brand_id, t.channel_id.clone(), self.visitor_id.clone())),
            customer: Some(self.customer.clone()),
            customer_fields: self.customer_fields.clone(),
            fingerprint: Some(fingerprint(&self.sdk, self.device_token.as_deref())),
            required_fields: match (target, config) {
                (Some(t), Some(c)) => c
                    .pre_chat_form(&t.channel_id)
                    .map(|f| f.required_fields().map(|f| f.ident.clone()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
            transcript_allowed: config.is_some_and(|c| c.settings.transcript_allowed()),
            upload: match (target, config) {
                (Some(t), Some(c)) => c
                    .settings
                    .file_restrictions
                    .clone()
                    .filter(|r| r.is_attachments_enabled)
                    .map(|limits| UploadTarget {
                        rest: self.rest.clone(),
                        endpoints: t.endpoints.clone(),
                        brand_id: t.brand_id,
                        channel_id: t.channel_id.clone(),
                        limits,
                    }),
                _ => None,
            },
        }));
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(Session);

impl Actor for Session {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
        // Weak: the registry must not keep its session alive.
        self.wake = Some(ctx.address().recipient().downgrade());
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.oauth.do_send(crate::actors::oauth::Stop);
        self.threads.do_send(crate::actors::threads::Stop);
        self.live_chat.do_send(crate::actors::live_chat::Stop);
        if let Some(s) = self.socket.take() {
            actix::spawn(async move { s.close(CloseKind::GoingAway).await });
        }
    }
}

/// `session.prepare`.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub(crate) struct Prepare {
    /// Where the back end is.
    pub(crate) environment: Environment,
    /// Brand.
    pub(crate) brand_id: i64,
    /// Channel.
    pub(crate) channel_id: String,
    /// The customer, when the host knows them.
    pub(crate) customer: Option<cxone_chat_protocol::rpc::types::CustomerIdentity>,
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
            fingerprint(&self.sdk, self.device_token.as_deref()),
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
                        act.oauth.do_send(Configure {
                            scheme: envelope::scheme(
                                config.authentication_type(),
                                config.secured_sessions_enabled(),
                            ),
                            target: TokenTarget {
                                endpoints: target.endpoints.clone(),
                                brand_id: target.brand_id,
                                channel_id: target.channel_id.clone(),
                                visitor_id: act.visitor_id.clone(),
                            },
                        });
                        act.live_chat.do_send(LiveChatChannel(live_chat::Channel {
                            endpoints: target.endpoints.clone(),
                            brand_id: target.brand_id,
                            channel_id: target.channel_id.clone(),
                        }));
                        act.config = Some(config);
                        act.restore_threads(&target);
                        act.persist(&target);
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

/// The device as the back end sees it, with its push token when the host gave one (iOS sends
/// it in every visitor registration and every message's `deviceFingerprint`).
fn fingerprint(sdk: &SdkIdentity, device_token: Option<&str>) -> BrowserFingerprint {
    BrowserFingerprint {
        application_type: Some("native".into()),
        os: Some(std::env::consts::OS.into()),
        device_type: Some("desktop".into()),
        browser: Some("cxone-chatd".into()),
        browser_version: Some(sdk.version.clone()),
        device_token: device_token.map(str::to_owned),
        ..BrowserFingerprint::default()
    }
}

/// `session.connect`.
#[derive(Message, Debug, Default)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub(crate) struct Connect {
    /// `lifecycle.create_thread_on_connect` as configured now; `None` keeps what the last
    /// connect said (a reconnect of the daemon's own).
    pub(crate) create_thread: Option<bool>,
}

impl Handler<Connect> for Session {
    type Result = ResponseActFuture<Self, Result<SessionState, SessionError>>;

    fn handle(&mut self, msg: Connect, _: &mut Self::Context) -> Self::Result {
        if let Some(create) = msg.create_thread {
            self.create_thread_on_connect = create;
        }
        let plan = match self.plan() {
            Ok(p) => p,
            Err(e) => return Box::pin(fut::err(e)),
        };
        self.wants_connection = true;
        match self.machine.begin_connect() {
            Err(e) => return Box::pin(fut::err(e.into())),
            Ok(None) => return Box::pin(fut::ok(self.state())),
            Ok(change) => self.announce(change),
        }
        self.connection = ConnectionState::Connecting;
        Box::pin(
            connect::run(plan)
                .into_actor(self)
                .then(|result, act, ctx| -> ConnectFuture {
                    // A disconnect while connecting wins: drop what was opened.
                    if act.connection != ConnectionState::Connecting {
                        if let Ok(Outcome::Connected(c)) = result {
                            actix::spawn(async move { c.socket.close(CloseKind::Normal).await });
                        }
                        return Box::pin(fut::err(SessionError::NotConnected));
                    }
                    match result {
                        Ok(Outcome::Offline) => {
                            // Nobody to chat with: a send is refused, not queued.
                            act.wants_connection = false;
                            act.connection = ConnectionState::Disconnected;
                            let change = act.machine.offline();
                            act.announce(change);
                            Box::pin(fut::ok(act.state()))
                        }
                        Ok(Outcome::Connected(c)) => {
                            Box::pin(act.install(*c, ctx).map(|(), act, _| Ok(act.state())))
                        }
                        Err(e) => {
                            act.connection = ConnectionState::Disconnected;
                            act.last_error = Some(e.to_string());
                            let change = act.machine.disconnected();
                            act.announce(change);
                            Box::pin(fut::err(e))
                        }
                    }
                })
                .then(|result, act, _| {
                    let durable = act.durable();
                    async move {
                        durable.await;
                        result
                    }
                    .into_actor(act)
                }),
        )
    }
}

type ConnectFuture =
    std::pin::Pin<Box<dyn ActorFuture<Session, Output = Result<SessionState, SessionError>>>>;

/// A thread was created: in a live chat whose last conversation closed, a new one begins.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct ThreadCreated;

impl Handler<ThreadCreated> for Session {
    type Result = Result<(), SessionError>;

    fn handle(&mut self, _: ThreadCreated, _: &mut Self::Context) -> Self::Result {
        if self.machine.mode() == Some(ChatMode::Livechat) {
            let change = self.machine.reopened();
            if change.is_some() {
                self.announce(change);
            }
        }
        Ok(())
    }
}

/// `session.disconnect`.
#[derive(Message, Debug)]
#[rtype(result = "Result<SessionState, SessionError>")]
pub(crate) struct Disconnect;

impl Handler<Disconnect> for Session {
    type Result = Result<SessionState, SessionError>;

    fn handle(&mut self, _: Disconnect, ctx: &mut Self::Context) -> Self::Result {
        // An explicit disconnect also cancels a pending resume.
        self.resume_on_foreground = false;
        self.wants_connection = false;
        self.close_connection(ctx);
        Ok(self.state())
    }
}

/// `session.close {forget: true}`: disconnect, then delete everything stored about the session
/// (visitor, customer, tokens, cookies, queued messages) — a sign-out. The actor stops after.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), SessionError>")]
pub(crate) struct Forget;

impl Handler<Forget> for Session {
    type Result = ResponseActFuture<Self, Result<(), SessionError>>;

    fn handle(&mut self, _: Forget, ctx: &mut Self::Context) -> Self::Result {
        self.resume_on_foreground = false;
        self.wants_connection = false;
        self.close_connection(ctx);
        let store = self.store.clone();
        // Pending writes first, so none of them lands after the removal (they would fail, but
        // the identity must not outlive the sign-out even for a moment).
        let durable = self.durable();
        Box::pin(
            async move {
                durable.await;
                tokio::task::spawn_blocking(move || store.destroy())
                    .await
                    .map_err(|_| SessionError::Stopped)?
                    .map_err(SessionError::Store)
            }
            .into_actor(self)
            .map(|r, act, ctx| {
                if r.is_ok() {
                    tracing::info!(session = %act.name, "the session's stored state was deleted");
                }
                ctx.stop();
                r
            }),
        )
    }
}

impl Session {
    /// Closes the connection on purpose (code 1000): no reconnect follows.
    fn close_connection(&mut self, ctx: &mut Context<Self>) {
        self.oauth.do_send(SetLink(None));
        if let Some(h) = self.inbound.take() {
            ctx.cancel_future(h);
        }
        if let Some(s) = self.socket.take() {
            actix::spawn(async move { s.close(CloseKind::Normal).await });
        }
        self.connection = ConnectionState::Disconnected;
        let change = self.machine.disconnected();
        self.announce(change);
    }
}

/// `session.state`.
#[derive(Message, Debug)]
#[rtype(result = "SessionState")]
pub(crate) struct GetState;

impl Handler<GetState> for Session {
    type Result = MessageResult<GetState>;

    fn handle(&mut self, _: GetState, _: &mut Self::Context) -> Self::Result {
        MessageResult(self.state())
    }
}

/// A line of `daemon.status`.
#[derive(Message, Debug)]
#[rtype(result = "SessionStatus")]
pub(crate) struct Status;

impl Handler<Status> for Session {
    type Result = ResponseActFuture<Self, SessionStatus>;

    fn handle(&mut self, _: Status, _: &mut Self::Context) -> Self::Result {
        let count = self.threads.send(crate::actors::threads::Count);
        let store = self.store.clone();
        // Counted by the database's thread, off the actor's.
        let queued = tokio::task::spawn_blocking(move || store.pending_count());
        let work = async move { (count.await, queued.await) };
        Box::pin(work.into_actor(self).map(|(threads, queued), act, _| {
            SessionStatus {
                session: act.name.clone(),
                state: act.machine.state(),
                mode: act.machine.mode(),
                connection: act.connection,
                brand_id: act.target.as_ref().map(|t| t.brand_id as u64),
                channel_id: act.target.as_ref().map(|t| t.channel_id.clone()),
                threads: threads.unwrap_or(0) as u32,
                pending_requests: act
                    .socket
                    .as_ref()
                    .map_or(0, |s| s.pending_requests() as u32),
                queued_events: match queued {
                    Ok(Ok(n)) => n as u32,
                    _ => 0,
                },
                last_error: (act.connection != ConnectionState::Connected)
                    .then(|| act.last_error.clone())
                    .flatten(),
            }
        }))
    }
}

pub(crate) use availability::{Availability, SendOfflineMessage};
pub(crate) use connection::KeepTrying;
pub(crate) use customer::{
    Authorize, CustomVisitorEvent, ExecuteTrigger, GetCustomer, GetPreChatSurvey, SetCustomer,
    SetCustomerFields, SetDeviceToken,
};
pub(crate) use lifecycle::{Analytics, AnalyticsCall, Background, Foreground};
pub(crate) use shutdown::GoAway;
