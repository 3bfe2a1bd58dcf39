//! Opening a session's connection (PROTOCOL.md §3.4–§3.7): live-chat availability, the
//! transaction token for secured sessions, the WebSocket, customer authorization, then the
//! mode's recovery. It asks the session's OAuth and live-chat actors along the way, so it lives
//! beside the session actor, which runs it detached and applies the result.

use cxone_chat_protocol::cxone::common::AccessToken;
use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::common::ThreadRef;
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedEvent};
use cxone_chat_protocol::cxone::rest::{AuthenticationType, ChatMode as CxMode};
use cxone_chat_protocol::cxone::sent::{
    AccessTokenData, AuthorizeCustomerData, OAuthAuthorization, OutgoingFrame, RecoverData,
    SentEvent, ThreadData,
};
use futures_util::future::join_all;

use crate::actors::live_chat::{IsOnline, LiveChat};
use crate::actors::oauth::{
    Authorized, GetLegacyLogin, HandshakeToken, Link, MessageToken, OAuth, SetLink,
};
use crate::session::credentials::Scheme;
use crate::session::envelope::{Envelope, scheme};
use crate::session::error::SessionError;
use crate::upstream::socket::CloseKind;
use crate::upstream::{
    Endpoints, InboundReceiver, LargeEvents, RequestError, SdkIdentity, SocketConfig, SocketHandle,
    SocketQuery,
};
use actix::Addr;

/// Everything a connection attempt needs, owned so it can run detached from the actor.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// Where the back end is.
    pub(crate) endpoints: Endpoints,
    /// Brand.
    pub(crate) brand_id: i64,
    /// Channel.
    pub(crate) channel_id: String,
    /// The visitor id.
    pub(crate) visitor_id: String,
    /// The customer.
    pub(crate) customer: CustomerIdentity,
    /// The channel's mode.
    pub(crate) mode: CxMode,
    /// How customers authenticate.
    pub(crate) auth: AuthenticationType,
    /// Secured sessions (transaction token in the handshake, no `AuthorizeCustomer`).
    pub(crate) secured: bool,
    /// What the daemon reports itself as.
    pub(crate) sdk: SdkIdentity,
    /// Socket limits and timers.
    pub(crate) socket: SocketConfig,
    /// Where the socket's large events are downloaded.
    pub(crate) large_events: LargeEvents,
    /// The session's credentials.
    pub(crate) oauth: Addr<OAuth>,
    /// Live-chat availability.
    pub(crate) live_chat: Addr<LiveChat>,
}

/// A successful connection.
#[derive(Debug)]
pub(super) struct Connected {
    /// The socket.
    pub(crate) socket: SocketHandle,
    /// Its inbound frames.
    pub(crate) inbound: InboundReceiver,
    /// The customer as the back end knows them (it may replace the local identity).
    pub(crate) customer: CustomerIdentity,
    /// The recovery's replies, to apply in order.
    pub(crate) recovered: Vec<EventBody>,
}

/// How a connection attempt ended.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Live chat is unavailable: no socket was opened.
    Offline,
    /// Connected and recovered (boxed: it carries the socket and the whole recovery).
    Connected(Box<Connected>),
}

impl Plan {
    /// How the channel's customers authenticate, as far as tokens go.
    pub(super) fn scheme(&self) -> Scheme {
        scheme(self.auth, self.secured)
    }

    /// The connection as the OAuth actor needs it for renewals over the socket.
    ///
    /// The frame maker captures the envelope's values only: the OAuth actor keeps the link, and
    /// a captured plan (which holds the actor's address) would keep the actor alive forever.
    pub(super) fn link(&self, socket: &SocketHandle, customer: &CustomerIdentity) -> Link {
        let envelope = self.envelope();
        let customer = customer.clone();
        Link {
            socket: socket.clone(),
            frame: std::sync::Arc::new(move |event| envelope.frame(&customer, event)),
        }
    }

    fn envelope(&self) -> Envelope {
        Envelope::new(
            self.brand_id,
            self.channel_id.clone(),
            self.visitor_id.clone(),
        )
    }

    /// A frame for `event` with the envelope every event carries.
    pub(super) fn frame(&self, customer: &CustomerIdentity, event: SentEvent) -> OutgoingFrame {
        self.envelope().frame(customer, event)
    }
}

fn request_error(step: &'static str) -> impl FnOnce(RequestError) -> SessionError {
    move |error| SessionError::Request { step, error }
}

/// Whether an operation error means "nothing to recover", which is normal.
fn nothing_to_recover(e: &RequestError) -> bool {
    matches!(e, RequestError::Operation { code, .. } if code == "RecoveringThreadFailed" || code == "RecoveringLivechatFailed")
}

/// Runs the whole connect sequence. Credentials come from, and go back to, the session's
/// OAuth actor.
pub(super) async fn run(plan: Plan) -> Result<Outcome, SessionError> {
    // Live chat is asked first (cached 60 s by the live-chat actor; a failure means offline).
    if plan.mode == CxMode::LiveChat && !ask(&plan.live_chat, IsOnline).await? {
        return Ok(Outcome::Offline);
    }
    let Opened {
        socket,
        inbound,
        customer,
    } = open(&plan, Use::Chat).await?;
    let recovered = recover(&plan, &socket, &customer).await?;
    Ok(Outcome::Connected(Box::new(Connected {
        socket,
        inbound,
        customer,
        recovered,
    })))
}

/// One request on a connection of its own, closed after the answer: what a session that is
/// not connected (a live chat `offline` opens no socket) does for the offline form. Nothing is
/// recovered and the session's state does not change.
pub(super) async fn one_shot(
    plan: Plan,
    event: SentEvent,
    step: &'static str,
) -> Result<ReceivedEvent, SessionError> {
    let Opened {
        socket,
        inbound,
        customer,
    } = open(&plan, Use::OneRequest).await?;
    let answer = socket
        .request(plan.frame(&customer, event))
        .await
        .map_err(request_error(step));
    socket.close(CloseKind::Normal).await;
    drop(inbound);
    answer
}

/// What a connection is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// The session's chat: token renewals go over it.
    Chat,
    /// One request (`one_shot`): the OAuth actor keeps whatever link it had.
    OneRequest,
}

/// An open, authorized socket.
struct Opened {
    socket: SocketHandle,
    inbound: InboundReceiver,
    customer: CustomerIdentity,
}

/// The transaction token, the WebSocket and the customer's authorization.
async fn open(plan: &Plan, purpose: Use) -> Result<Opened, SessionError> {
    let mut customer = plan.customer.clone();
    let scheme = plan.scheme();
    let transaction_token = if plan.secured {
        let h = ask(
            &plan.oauth,
            HandshakeToken {
                customer: customer.clone(),
            },
        )
        .await??;
        if let Some(c) = h.customer {
            customer = c;
        }
        Some(h.transaction_token)
    } else {
        None
    };
    let legacy = if scheme == Scheme::LegacyOAuth {
        let l = ask(&plan.oauth, GetLegacyLogin).await?;
        if l.access_token.is_none() && l.login.is_none() {
            return Err(SessionError::AuthorizationRequired);
        }
        Some(l)
    } else {
        None
    };
    if !plan.secured && plan.auth == AuthenticationType::SecuredCookie {
        // Secured-cookie identities need secured sessions (the cookie is sent to /oauth/token).
        return Err(SessionError::AuthorizationRequired);
    }
    let url = plan.endpoints.websocket(&SocketQuery {
        brand_id: plan.brand_id,
        channel_id: &plan.channel_id,
        visitor_id: &plan.visitor_id,
        sdk: &plan.sdk,
        transaction_token: transaction_token.as_deref(),
    });
    let (socket, inbound) =
        crate::upstream::socket::connect(&url, &plan.socket, plan.large_events.clone())
            .await
            .map_err(SessionError::OpenSocket)?;
    // Renewals over the WebSocket need the socket from here on.
    if purpose == Use::Chat {
        plan.oauth
            .do_send(SetLink(Some(plan.link(&socket, &customer))));
    }
    match (scheme, legacy) {
        // The transaction token authenticated the socket in the handshake.
        (Scheme::SecuredAnonymous | Scheme::SecuredCookie | Scheme::SecuredOAuth, _) => {}
        (Scheme::LegacyOAuth, Some(l)) => {
            let mut reconnected = false;
            if l.access_token.is_some() {
                // An OAuth customer with a token reconnects with it, renewed first when it is
                // about to expire; a refused token is renewed once and tried again (iOS does the
                // same); when that fails too, a fresh login (if the host gave one) authorizes.
                for force in [false, true] {
                    let token = match ask(&plan.oauth, MessageToken { force }).await? {
                        Ok(Some(t)) => t,
                        Ok(None) => break,
                        Err(e) if l.login.is_none() => return Err(e),
                        Err(_) => break,
                    };
                    match reconnect_consumer(plan, &socket, &customer, token).await {
                        Ok(()) => {
                            reconnected = true;
                            break;
                        }
                        Err(e) if force && l.login.is_none() => {
                            return Err(request_error("ReconnectConsumer")(e));
                        }
                        Err(_) => {}
                    }
                }
            }
            if !reconnected {
                let login = l.login.ok_or(SessionError::TokenExpired)?;
                customer = authorize_customer(plan, &socket, customer, Some(login)).await?;
            }
        }
        _ => customer = authorize_customer(plan, &socket, customer, None).await?,
    }
    Ok(Opened {
        socket,
        inbound,
        customer,
    })
}

async fn ask<A, M>(actor: &Addr<A>, msg: M) -> Result<M::Result, SessionError>
where
    A: actix::Actor<Context = actix::Context<A>> + actix::Handler<M>,
    M: actix::Message + Send + 'static,
    M::Result: Send,
{
    actor.send(msg).await.map_err(|_| SessionError::Stopped)
}

async fn reconnect_consumer(
    plan: &Plan,
    socket: &SocketHandle,
    customer: &CustomerIdentity,
    token: String,
) -> Result<(), RequestError> {
    let data = AccessTokenData {
        access_token: AccessToken {
            token,
            expires_in: None,
            current_date: None,
        },
    };
    let frame = plan.frame(
        customer,
        SentEvent::ReconnectConsumer {
            ios_spelling: false,
            data,
        },
    );
    socket.request(frame).await.map(drop)
}

/// `AuthorizeCustomer`, with the host's login on OAuth channels; the reply's identity and
/// access token are the customer's from now on.
async fn authorize_customer(
    plan: &Plan,
    socket: &SocketHandle,
    mut customer: CustomerIdentity,
    login: Option<OAuthAuthorization>,
) -> Result<CustomerIdentity, SessionError> {
    let data = AuthorizeCustomerData {
        authorization: login,
        disable_channel_info: Some(true),
        sdk_platform: Some(plan.sdk.platform.clone()),
        sdk_version: Some(plan.sdk.version.clone()),
    };
    let reply = socket
        .request(plan.frame(&customer, SentEvent::AuthorizeCustomer(data)))
        .await
        .map_err(request_error("AuthorizeCustomer"))?;
    let mut access_token = None;
    if let EventBody::ConsumerAuthorized(a) = reply.body {
        access_token = a.access_token.map(|t| (t.token, t.expires_in));
        // Keep the names the host gave when the server sends empty ones.
        let first = a
            .consumer_identity
            .first_name
            .filter(|n| !n.is_empty())
            .or(customer.first_name.take());
        let last = a
            .consumer_identity
            .last_name
            .filter(|n| !n.is_empty())
            .or(customer.last_name.take());
        customer = CustomerIdentity {
            first_name: first,
            last_name: last,
            ..a.consumer_identity
        };
    }
    if plan.scheme() == Scheme::LegacyOAuth {
        plan.oauth.do_send(Authorized { access_token });
    }
    Ok(customer)
}

/// The mode's recovery: the single thread, the live chat, or the thread list with metadata.
pub(super) async fn recover(
    plan: &Plan,
    socket: &SocketHandle,
    customer: &CustomerIdentity,
) -> Result<Vec<EventBody>, SessionError> {
    let one = |event: SentEvent, step: &'static str| async move {
        match socket.request(plan.frame(customer, event)).await {
            Ok(ReceivedEvent { body, .. }) => Ok(vec![body]),
            Err(e) if nothing_to_recover(&e) => Ok(Vec::new()),
            Err(e) => Err(request_error(step)(e)),
        }
    };
    match plan.mode {
        CxMode::SingleThread => {
            one(
                SentEvent::RecoverThread(RecoverData::default()),
                "RecoverThread",
            )
            .await
        }
        CxMode::LiveChat => {
            one(
                SentEvent::RecoverLivechat(RecoverData::default()),
                "RecoverLivechat",
            )
            .await
        }
        CxMode::MultiThread => {
            let list = socket
                .request(plan.frame(customer, SentEvent::FetchThreadList))
                .await
                .map_err(request_error("FetchThreadList"))?
                .body;
            let ids: Vec<_> = match &list {
                EventBody::ThreadListFetched(l) => l
                    .threads
                    .iter()
                    .map(|t| t.id_on_external_platform.clone())
                    .collect(),
                _ => Vec::new(),
            };
            let metadata = join_all(ids.into_iter().map(|id| {
                let frame = plan.frame(
                    customer,
                    SentEvent::LoadThreadMetadata(ThreadData {
                        thread: ThreadRef::new(id),
                    }),
                );
                socket.request(frame)
            }))
            .await;
            let mut out = vec![list];
            for m in metadata {
                // A thread whose metadata fails to load is still listed; only its last message is missing.
                match m {
                    Ok(r) => out.push(r.body),
                    Err(e) => tracing::warn!(error = %e, "loading a thread's metadata failed"),
                }
            }
            Ok(out)
        }
    }
}
