//! The session actor: one chat session (brand, channel, customer). It owns the chat state
//! machine, the channel configuration, the connection and the thread registry, and publishes
//! every change to the event hub. The steps themselves are plain logic in `session::`.
//!
//! Handlers that wait on the back end return `ResponseActFuture`s: other messages (and inbound
//! frames) are handled meanwhile, so every continuation re-checks the state it relies on.

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
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
use crate::session::connect::{self, Outcome, Plan};
use crate::session::error::SessionError;
use crate::session::state::{Change, StateMachine};
use crate::session::threads::ThreadRegistry;
use crate::upstream::rest::ChannelTarget;
mod connection;
mod customer;
mod lifecycle;
mod shutdown;
mod thread_ops;
mod threads;

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
    /// A login from `customer.authorize` that the next connect uses (codes are single-use).
    authorization: Option<cxone_chat_protocol::cxone::sent::OAuthAuthorization>,
    /// The customer's access token (OAuth channels) and when it expires (Unix ms), carried by
    /// every message and kept in the store so a restart does not need a new login.
    access_token: Option<(String, i64)>,
    /// The welcome message's template from the last `FireProactiveAction`, shown in new threads.
    welcome: Option<String>,
    /// Customer custom fields, sent with every message.
    customer_fields: Vec<cxone_chat_protocol::cxone::common::CustomField>,
    /// Visits and page views for analytics.
    visits: crate::session::analytics::Visits,
    /// This run's destination id (the SDKs mint one per session run).
    destination_id: String,
    /// Whether `app.background` disconnected a connected session, to reconnect on foreground.
    resume_on_foreground: bool,
    /// Where the session's identity and outbox live on disk (the outbox holds messages
    /// accepted while reconnecting until the back end acknowledges them).
    store: crate::store::SessionStore,
}

impl Session {
    /// A new, unprepared session.
    /// A session, restoring its visitor and customer from `record` when there is one.
    pub fn new(
        name: SessionName,
        hub: Addr<EventHub>,
        rest: RestClient,
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
        Self {
            name,
            hub,
            rest,
            sdk,
            target: None,
            config: None,
            visitor_id,
            customer,
            machine: StateMachine::default(),
            socket: None,
            inbound: None,
            connection: ConnectionState::Disconnected,
            threads: ThreadRegistry::default(),
            backoff: ReconnectBackoff::new(BackoffConfig::default()),
            down_since: None,
            authorization: None,
            access_token: record
                .and_then(|r| r.access_token.as_ref())
                .filter(|t| t.is_valid_at(now_unix_ms(), 30_000))
                .map(|t| (t.token.expose().to_owned(), t.expires_at)),
            welcome: None,
            customer_fields: Vec::new(),
            visits: Default::default(),
            destination_id: uuid::Uuid::new_v4().to_string(),
            resume_on_foreground: false,
            store,
        }
    }

    /// Remembers the visitor, the customer and the back end on disk, so that a restarted
    /// daemon is the same visitor and customer to CXone. Written off the actor's thread.
    fn persist(&self, target: &Target) {
        let Some(record) = crate::session::persist::record(
            &self.visitor_id,
            &self.customer,
            &target.environment,
            target.brand_id,
            &target.channel_id,
            self.access_token.as_ref(),
        ) else {
            return;
        };
        let (store, name) = (self.store.clone(), self.name.clone());
        actix::spawn(async move {
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.save(&record)).await {
                tracing::warn!(session = %name, error = %e, "cannot save the session's state");
            }
        });
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
            authorization: self.authorization.clone(),
            access_token: self.access_token.as_ref().map(|t| t.0.clone()),
        })
    }

    fn apply(&mut self, body: &EventBody) {
        if let EventBody::FireProactiveAction(p) = body
            && p.proactive_action.action.is_welcome_message()
        {
            self.welcome = p
                .proactive_action
                .action
                .data
                .as_ref()
                .and_then(|d| d.content.body_text.clone());
        }
        for p in self.threads.apply(body) {
            self.publish(p);
        }
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
                    act.install(*c, ctx);
                    act.flush_outbox(ctx);
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
        // An explicit disconnect also cancels a pending resume.
        self.resume_on_foreground = false;
        self.close_connection(ctx);
        Ok(self.state())
    }
}

impl Session {
    /// Closes the connection on purpose (code 1000): no reconnect follows.
    fn close_connection(&mut self, ctx: &mut Context<Self>) {
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

pub use connection::KeepTrying;
pub use customer::{CustomerCall, CustomerOp};
pub use lifecycle::{Analytics, AnalyticsCall, Background, Foreground};
pub use shutdown::GoAway;
pub use thread_ops::{Op, OpResult, ThreadOp};
pub use threads::{CreateThread, GetThread, ListThreads, Send};

/// Milliseconds since the Unix epoch.
fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
