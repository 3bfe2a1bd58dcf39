//! The OAuth actor: one per session, the only holder of its credentials (PROTOCOL.md §1.8,
//! §4). It hands out the transaction token for a secured handshake (reused until 30 s before
//! expiry, fetched again silently when it can be), the access token every message carries
//! (renewed 30 s before expiry and, on a timer, at 90 % of its life), and renews it with the
//! WebSocket `RefreshToken` event (legacy OAuth) or the `/oauth/token` refresh grant
//! (third-party OAuth over secured sessions).
//!
//! However many callers need a renewal at once, one request goes out and all of them get its
//! result. A renewal the back end refuses publishes `token.refreshFailed` once: the host must
//! log in again (`customer.authorize`). Credentials are written to the session's store after
//! every change, by one writer task, in order. The rules are plain logic in
//! `session::credentials`.

use std::sync::Arc;

use actix::prelude::*;
use cxone_chat_protocol::cxone::sent::{OAuthAuthorization, OutgoingFrame, SentEvent};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use cxone_chat_protocol::rpc::notifications::TokenRefreshFailed;
use cxone_chat_protocol::rpc::types::SessionName;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::watch;

use crate::actors::event_hub::{EventHub, Publish};
use crate::session::credentials::{Credentials, Expiring, Renewal, Scheme};
use crate::session::error::SessionError;
use crate::store::SessionStore;
use crate::upstream::rest::ChannelTarget;
use crate::upstream::{Endpoints, RestClient, SocketHandle};

/// Builds a frame with the session's envelope (brand, channel, visitor, customer).
pub(crate) type FrameMaker = Arc<dyn Fn(SentEvent) -> OutgoingFrame + Send + Sync>;

/// The live connection, for renewals that go over the WebSocket.
#[derive(Clone)]
pub(crate) struct Link {
    /// The socket.
    pub(crate) socket: SocketHandle,
    /// The envelope.
    pub(crate) frame: FrameMaker,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").finish_non_exhaustive()
    }
}

/// Where the session's token endpoint is.
#[derive(Clone, Debug)]
pub(crate) struct TokenTarget {
    /// The endpoints.
    pub(crate) endpoints: Endpoints,
    /// Brand.
    pub(crate) brand_id: i64,
    /// Channel.
    pub(crate) channel_id: String,
    /// The visitor the tokens are asked for.
    pub(crate) visitor_id: String,
}

impl TokenTarget {
    pub(super) fn channel(&self) -> ChannelTarget<'_> {
        ChannelTarget {
            endpoints: &self.endpoints,
            brand_id: self.brand_id,
            channel_id: &self.channel_id,
        }
    }
}

/// Why a renewal failed. Cloneable: every waiter of one renewal gets the same answer.
#[derive(Clone, Debug)]
pub(super) enum Failure {
    /// The back end refused it: only a new login helps.
    Rejected(String),
    /// It did not get through (connection lost, timeout, back end unreachable): try later.
    Transient(String),
}

/// A renewed token.
#[derive(Clone, Debug)]
pub(super) enum Renewed {
    /// A legacy access token from `TokenRefreshed`.
    Access(Expiring),
    /// The identity provider's tokens, and a new transaction token when the back end sent one.
    ThirdParty {
        access: Expiring,
        refresh: Option<String>,
        transaction: Option<Expiring>,
    },
}

mod handshake;
mod renewal;

pub(crate) use handshake::HandshakeToken;
use renewal::{failure_error, refresh_over_socket, refresh_with_grant};

type InFlight = Shared<BoxFuture<'static, Result<Renewed, Failure>>>;

/// The OAuth actor.
pub(crate) struct OAuth {
    session: SessionName,
    hub: Addr<EventHub>,
    rest: RestClient,
    creds: Credentials,
    scheme: Scheme,
    target: Option<TokenTarget>,
    link: Option<Link>,
    /// The renewal in flight, with its generation (only its own waiters may clear it).
    renewing: Option<(u64, InFlight)>,
    generation: u64,
    timer: Option<SpawnHandle>,
    /// Where the credentials are kept.
    store: SessionStore,
    /// The writer of the credentials, started by the first change: most sessions (anonymous
    /// ones) never have credentials to write, and each idle writer was a task and two channels.
    saver: Option<Saver>,
}

/// The writer task's ends: the latest credentials for it (it writes the newest, in order), with
/// a version number, and the last version it wrote.
struct Saver {
    saved: watch::Sender<(u64, Credentials)>,
    written: watch::Receiver<u64>,
}

impl Saver {
    /// Starts the writer of `session`'s credentials to `store`.
    fn start(session: &SessionName, store: &SessionStore, creds: &Credentials) -> Self {
        let (saved, mut rx) = watch::channel((0, creds.clone()));
        let (written_tx, written) = watch::channel(0);
        let (name, store) = (session.clone(), store.clone());
        actix::spawn(async move {
            while rx.changed().await.is_ok() {
                let (version, creds) = rx.borrow_and_update().clone();
                let store = store.clone();
                let write = move || store.update(move |r| creds.write_to(r));
                match tokio::task::spawn_blocking(write).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(session = %name, error = %e, "cannot save the credentials")
                    }
                    Err(_) => break,
                }
                // Reported even after a failure: waiters must not hang on a broken disk.
                let _ = written_tx.send(version);
            }
        });
        Self { saved, written }
    }
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("session", &self.session)
            .field("scheme", &self.scheme)
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    /// The actor for `session`, starting from the stored credentials.
    pub(crate) fn new(
        session: SessionName,
        hub: Addr<EventHub>,
        rest: RestClient,
        store: SessionStore,
        creds: Credentials,
    ) -> Self {
        Self {
            session,
            hub,
            rest,
            creds,
            scheme: Scheme::Anonymous,
            target: None,
            link: None,
            renewing: None,
            generation: 0,
            timer: None,
            store,
            saver: None,
        }
    }

    pub(super) fn save(&mut self) {
        let saver = self
            .saver
            .get_or_insert_with(|| Saver::start(&self.session, &self.store, &self.creds));
        let version = saver.saved.borrow().0 + 1;
        let _ = saver.saved.send((version, self.creds.clone()));
    }

    fn publish_refresh_failed(&self, detail: &str) {
        self.hub.do_send(Publish {
            session: Some(self.session.clone()),
            payload: TokenRefreshFailed {
                error: ErrorObject::new(ErrorCode::TokenRefreshFailed).with_detail(detail),
            }
            .into(),
        });
    }

    /// Starts a renewal, or joins the one in flight.
    pub(super) fn renew(&mut self, how: Renewal) -> Result<(u64, InFlight), SessionError> {
        if let Some(r) = &self.renewing {
            return Ok(r.clone());
        }
        let fut: BoxFuture<'static, Result<Renewed, Failure>> = match how {
            Renewal::OverSocket(old) => {
                let link = self.link.clone().ok_or(SessionError::NotConnected)?;
                refresh_over_socket(link, old).boxed()
            }
            Renewal::WithRefreshToken(refresh) => {
                let target = self.target.clone().ok_or(SessionError::NotPrepared)?;
                refresh_with_grant(self.rest.clone(), target, refresh).boxed()
            }
            Renewal::NotNeeded | Renewal::Fresh(_) | Renewal::LoginRequired => {
                unreachable!("only renewals start a request")
            }
        };
        self.generation += 1;
        let r = (self.generation, fut.shared());
        self.renewing = Some(r.clone());
        Ok(r)
    }

    /// Takes in a renewal's result (once per renewal, whichever waiter comes first).
    pub(super) fn settle(
        &mut self,
        generation: u64,
        result: &Result<Renewed, Failure>,
        ctx: &mut Context<Self>,
    ) {
        if self.renewing.as_ref().map(|r| r.0) != Some(generation) {
            return;
        }
        self.renewing = None;
        match result {
            Ok(Renewed::Access(t)) => self.creds.access = Some(t.clone()),
            Ok(Renewed::ThirdParty {
                access,
                refresh,
                transaction,
            }) => {
                let old_refresh = self.creds.third_party.take().and_then(|(_, r)| r);
                self.creds.third_party = Some((access.clone(), refresh.clone().or(old_refresh)));
                if let Some(t) = transaction {
                    let who = self.creds.transaction.take().and_then(|(_, w)| w);
                    self.creds.transaction = Some((t.clone(), who));
                }
            }
            Err(Failure::Rejected(why)) => {
                tracing::info!(session = %self.session, "the back end refused to renew the customer's token");
                // The refused token is worthless; the next connect needs a new login.
                match self.scheme {
                    Scheme::LegacyOAuth => self.creds.access = None,
                    _ => self.creds.third_party = None,
                }
                self.publish_refresh_failed(why);
            }
            Err(Failure::Transient(why)) => {
                tracing::info!(session = %self.session, error = %why, "renewing the customer's token did not get through; will retry");
            }
        }
        self.save();
        self.schedule(ctx);
    }

    /// Arms the timer that renews the message token at 90 % of its life.
    pub(super) fn schedule(&mut self, ctx: &mut Context<Self>) {
        if let Some(h) = self.timer.take() {
            ctx.cancel_future(h);
        }
        let now = now_ms();
        let Some(delay) = self.creds.refresh_delay_ms(self.scheme, now, now) else {
            return;
        };
        // The timer re-reads the credentials when it fires; a failed attempt re-arms it.
        let delay = std::time::Duration::from_millis(delay.max(1_000) as u64);
        self.timer = Some(ctx.run_later(delay, |act, ctx| {
            act.timer = None;
            if act.link.is_none() && act.scheme == Scheme::LegacyOAuth {
                return; // renewed on the next connect instead
            }
            let how = match act.creds.renewal(act.scheme, now_ms() + 60_000) {
                r @ (Renewal::OverSocket(_) | Renewal::WithRefreshToken(_)) => r,
                _ => return,
            };
            if let Ok((generation, fut)) = act.renew(how) {
                ctx.spawn(
                    fut.into_actor(act)
                        .map(move |r, act, ctx| act.settle(generation, &r, ctx)),
                );
            }
        }));
    }
}

// Critical: the watchdog is fed only while it answers (see `actors/health.rs`).
crate::actors::health::critical_actor!(OAuth);

impl Actor for OAuth {
    type Context = Context<Self>;
}

/// After `session.prepare`: where tokens come from and which kind the channel uses.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Configure {
    /// The channel's scheme.
    pub(crate) scheme: Scheme,
    /// The token endpoint.
    pub(crate) target: TokenTarget,
}

impl Handler<Configure> for OAuth {
    type Result = ();

    fn handle(&mut self, msg: Configure, ctx: &mut Self::Context) {
        self.scheme = msg.scheme;
        self.target = Some(msg.target);
        self.schedule(ctx);
    }
}

/// `customer.authorize`: a new login replaces every token.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Login(pub(crate) OAuthAuthorization);

impl Handler<Login> for OAuth {
    type Result = ();

    fn handle(&mut self, msg: Login, ctx: &mut Self::Context) {
        self.creds.set_login(msg.0);
        self.renewing = None;
        self.save();
        self.schedule(ctx);
    }
}

/// The connection came up (with its socket) or went down (`None`).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct SetLink(pub(crate) Option<Link>);

impl Handler<SetLink> for OAuth {
    type Result = ();

    fn handle(&mut self, msg: SetLink, _: &mut Self::Context) {
        self.link = msg.0;
    }
}

/// The legacy OAuth login state for the connect sequence.
#[derive(Debug, Default)]
pub(crate) struct LegacyLogin {
    /// The host's login, to send with `AuthorizeCustomer`.
    pub(crate) login: Option<OAuthAuthorization>,
    /// The access token from an earlier login, for `ReconnectConsumer` (possibly expired).
    pub(crate) access_token: Option<String>,
}

/// What the connect sequence of a legacy OAuth channel has to authorize with.
#[derive(Message, Debug)]
#[rtype(result = "LegacyLogin")]
pub(crate) struct GetLegacyLogin;

impl Handler<GetLegacyLogin> for OAuth {
    type Result = MessageResult<GetLegacyLogin>;

    fn handle(&mut self, _: GetLegacyLogin, _: &mut Self::Context) -> Self::Result {
        MessageResult(LegacyLogin {
            login: self.creds.login.clone(),
            access_token: self.creds.access.as_ref().map(|t| t.token.clone()),
        })
    }
}

/// `AuthorizeCustomer` succeeded: the login is spent and the token (if any) is the customer's.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Authorized {
    /// The access token and its lifetime in seconds.
    pub(crate) access_token: Option<(String, Option<i64>)>,
}

impl Handler<Authorized> for OAuth {
    type Result = ();

    fn handle(&mut self, msg: Authorized, ctx: &mut Self::Context) {
        self.creds.login = None;
        if let Some((token, lifetime)) = msg.access_token {
            self.creds.access = Some(Expiring::issued(token, lifetime, now_ms()));
        }
        self.save();
        self.schedule(ctx);
    }
}

/// The token a message carries, renewed first when it expires within 30 s (or when `force`d:
/// the back end refused the current one). `None` for channels without customer tokens.
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<String>, SessionError>")]
pub(crate) struct MessageToken {
    /// Renew even a token that looks fresh.
    pub(crate) force: bool,
}

impl Handler<MessageToken> for OAuth {
    type Result = ResponseActFuture<Self, Result<Option<String>, SessionError>>;

    fn handle(&mut self, msg: MessageToken, _: &mut Self::Context) -> Self::Result {
        let how = match self.creds.renewal(self.scheme, now_ms()) {
            Renewal::Fresh(t) if msg.force => match self.scheme {
                Scheme::LegacyOAuth => Renewal::OverSocket(t),
                _ => match self.creds.third_party.as_ref().and_then(|(_, r)| r.clone()) {
                    Some(r) => Renewal::WithRefreshToken(r),
                    None => return Box::pin(fut::err(SessionError::TokenExpired)),
                },
            },
            Renewal::NotNeeded => return Box::pin(fut::ok(None)),
            Renewal::Fresh(t) => return Box::pin(fut::ok(Some(t))),
            Renewal::LoginRequired => return Box::pin(fut::err(SessionError::TokenExpired)),
            r => r,
        };
        let (generation, fut) = match self.renew(how) {
            Ok(r) => r,
            Err(e) => return Box::pin(fut::err(e)),
        };
        Box::pin(fut.into_actor(self).map(move |r, act, ctx| {
            act.settle(generation, &r, ctx);
            match r {
                Ok(Renewed::Access(t)) => Ok(Some(t.token)),
                Ok(Renewed::ThirdParty { access, .. }) => Ok(Some(access.token)),
                Err(f) => Err(failure_error(&f)),
            }
        }))
    }
}

/// The session is gone: stop (a pending renewal timer would otherwise keep the actor, and with
/// its writer the session's store lock, alive).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub(crate) struct Stop;

impl Handler<Stop> for OAuth {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

/// A future that resolves once the credentials as they are now have been written.
#[derive(Message, Debug)]
#[rtype(result = "BoxFuture<'static, ()>")]
pub(crate) struct Flush;

impl Handler<Flush> for OAuth {
    type Result = MessageResult<Flush>;

    fn handle(&mut self, _: Flush, _: &mut Self::Context) -> Self::Result {
        // Nothing was ever saved: nothing to wait for.
        let Some(saver) = &self.saver else {
            return MessageResult(std::future::ready(()).boxed());
        };
        let version = saver.saved.borrow().0;
        let mut written = saver.written.clone();
        MessageResult(
            async move {
                // An error means the writer is gone (shutting down): nothing left to wait for.
                let _ = written.wait_for(|w| *w >= version).await;
            }
            .boxed(),
        )
    }
}

use crate::to_api::now_ms;
