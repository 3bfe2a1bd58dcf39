//! Opening a session's connection, as plain async logic (PROTOCOL.md §3.4–§3.7): live-chat
//! availability, the transaction token for secured sessions, the WebSocket, customer
//! authorization, then the mode's recovery. The session actor runs it and applies the result.

use cxone_chat_protocol::cxone::common::AccessToken;
use cxone_chat_protocol::cxone::common::ThreadRef;
use cxone_chat_protocol::cxone::common::{BrandRef, CustomerIdentity, IdRef};
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedEvent};
use cxone_chat_protocol::cxone::rest::{AuthenticationType, ChatMode as CxMode};
use cxone_chat_protocol::cxone::sent::{
    AccessTokenData, AuthorizeCustomerData, IdentityKey, OAuthAuthorization, OutgoingFrame,
    Payload, RecoverData, SentEvent, ThreadData,
};
use futures_util::future::join_all;
use tokio::sync::mpsc;

use crate::session::error::SessionError;
use crate::upstream::rest::ChannelTarget;
use crate::upstream::{
    Endpoints, Inbound, RequestError, RestClient, SdkIdentity, SocketConfig, SocketHandle,
    SocketQuery,
};

/// Everything a connection attempt needs, owned so it can run detached from the actor.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The REST client (also used by the socket for large events).
    pub rest: RestClient,
    /// Where the back end is.
    pub endpoints: Endpoints,
    /// Brand.
    pub brand_id: i64,
    /// Channel.
    pub channel_id: String,
    /// The visitor id.
    pub visitor_id: String,
    /// The customer.
    pub customer: CustomerIdentity,
    /// The channel's mode.
    pub mode: CxMode,
    /// How customers authenticate.
    pub auth: AuthenticationType,
    /// Secured sessions (transaction token in the handshake, no `AuthorizeCustomer`).
    pub secured: bool,
    /// What the daemon reports itself as.
    pub sdk: SdkIdentity,
    /// Socket limits and timers.
    pub socket: SocketConfig,
    /// A login from `customer.authorize` not used yet (codes are single-use).
    pub authorization: Option<OAuthAuthorization>,
    /// The customer's access token from an earlier login, to reconnect without a new code.
    pub access_token: Option<String>,
}

/// A successful connection.
#[derive(Debug)]
pub struct Connected {
    /// The socket.
    pub socket: SocketHandle,
    /// Its inbound frames.
    pub inbound: mpsc::Receiver<Inbound>,
    /// The customer as the back end knows them (it may replace the local identity).
    pub customer: CustomerIdentity,
    /// The recovery's replies, to apply in order.
    pub recovered: Vec<EventBody>,
    /// The access token to put in every message (OAuth channels), with its lifetime in seconds.
    pub access_token: Option<(String, Option<i64>)>,
    /// Whether the login in the plan was used up.
    pub used_authorization: bool,
}

/// How a connection attempt ended.
#[derive(Debug)]
pub enum Outcome {
    /// Live chat is unavailable: no socket was opened.
    Offline,
    /// Connected and recovered (boxed: it carries the socket and the whole recovery).
    Connected(Box<Connected>),
}

impl Plan {
    fn target(&self) -> ChannelTarget<'_> {
        ChannelTarget {
            endpoints: &self.endpoints,
            brand_id: self.brand_id,
            channel_id: &self.channel_id,
        }
    }

    /// A frame for `event` with the envelope every event carries.
    pub fn frame(&self, customer: &CustomerIdentity, event: SentEvent) -> OutgoingFrame {
        OutgoingFrame::Event {
            action: event.action(),
            event_id: uuid::Uuid::new_v4().to_string(),
            payload: Box::new(Payload {
                brand: BrandRef { id: self.brand_id },
                channel: IdRef::new(self.channel_id.clone()),
                identity: Some((IdentityKey::for_event(&event), customer.clone())),
                visitor: Some(IdRef::new(self.visitor_id.clone())),
                destination: None,
                event,
            }),
        }
    }
}

fn request_error(step: &'static str) -> impl FnOnce(RequestError) -> SessionError {
    move |error| SessionError::Request { step, error }
}

/// Whether an operation error means "nothing to recover", which is normal.
fn nothing_to_recover(e: &RequestError) -> bool {
    matches!(e, RequestError::Operation { code, .. } if code == "RecoveringThreadFailed" || code == "RecoveringLivechatFailed")
}

/// Runs the whole connect sequence.
pub async fn run(plan: Plan) -> Result<Outcome, SessionError> {
    if plan.mode == CxMode::LiveChat {
        // Android treats a failed availability check as offline; so do we.
        let online = plan
            .rest
            .availability(plan.target())
            .await
            .map(|a| a.is_online())
            .unwrap_or(false);
        if !online {
            return Ok(Outcome::Offline);
        }
    }
    let mut customer = plan.customer.clone();
    let mut access_token = plan.access_token.clone().map(|t| (t, None));
    let mut used_authorization = false;
    let transaction_token = if plan.secured {
        match plan.auth {
            AuthenticationType::ThirdPartyOAuth => {
                let a = plan
                    .authorization
                    .clone()
                    .ok_or(SessionError::AuthorizationRequired)?;
                let code = a.authorization_code.clone().unwrap_or_default();
                let verifier = a.code_verifier.clone().unwrap_or_default();
                let t = plan
                    .rest
                    .authorization_code_token(plan.target(), &plan.visitor_id, &code, &verifier)
                    .await
                    .map_err(SessionError::RequestToken)?;
                used_authorization = true;
                if let Some(c) = t.customer_identity.clone() {
                    customer = c;
                }
                access_token = t
                    .third_party
                    .as_ref()
                    .map(|p| (p.access_token.clone(), p.expires_in));
                Some(t.access_token)
            }
            AuthenticationType::Anonymous => {
                let t = plan
                    .rest
                    .anonymous_token(plan.target(), &plan.visitor_id, customer.clone())
                    .await
                    .map_err(SessionError::RequestToken)?;
                if let Some(c) = t.customer_identity.clone() {
                    customer = c;
                }
                Some(t.access_token)
            }
            _ => return Err(SessionError::AuthorizationRequired),
        }
    } else {
        None
    };
    let oauth = !plan.secured && plan.auth == AuthenticationType::ThirdPartyOAuth;
    if oauth && plan.access_token.is_none() && plan.authorization.is_none() {
        return Err(SessionError::AuthorizationRequired);
    }
    if !plan.secured && plan.auth == AuthenticationType::SecuredCookie {
        return Err(SessionError::AuthorizationRequired);
    }
    let url = plan.endpoints.websocket(&SocketQuery {
        brand_id: plan.brand_id,
        channel_id: &plan.channel_id,
        visitor_id: &plan.visitor_id,
        sdk: &plan.sdk,
        transaction_token: transaction_token.as_deref(),
    });
    let (socket, inbound) = crate::upstream::socket::connect(&url, &plan.socket, plan.rest.clone())
        .await
        .map_err(SessionError::OpenSocket)?;
    // An OAuth customer with a token reconnects with it; when the back end refuses the token,
    // a fresh login (if the host gave one) authorizes again.
    let mut reconnected = false;
    if oauth && let Some(token) = plan.access_token.clone() {
        let data = AccessTokenData {
            access_token: AccessToken {
                token,
                expires_in: None,
                current_date: None,
            },
        };
        match socket
            .request(plan.frame(
                &customer,
                SentEvent::ReconnectConsumer {
                    ios_spelling: false,
                    data,
                },
            ))
            .await
        {
            Ok(_) => reconnected = true,
            Err(e) if plan.authorization.is_none() => {
                return Err(request_error("ReconnectConsumer")(e));
            }
            Err(_) => access_token = None,
        }
    }
    if !plan.secured && !reconnected {
        let data = AuthorizeCustomerData {
            authorization: if oauth {
                plan.authorization.clone()
            } else {
                None
            },
            disable_channel_info: Some(true),
            sdk_platform: Some(plan.sdk.platform.clone()),
            sdk_version: Some(plan.sdk.version.clone()),
        };
        let reply = socket
            .request(plan.frame(&customer, SentEvent::AuthorizeCustomer(data)))
            .await
            .map_err(request_error("AuthorizeCustomer"))?;
        used_authorization |= oauth;
        if let EventBody::ConsumerAuthorized(a) = reply.body {
            if let Some(t) = &a.access_token {
                access_token = Some((t.token.clone(), t.expires_in));
            }
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
    }
    let recovered = recover(&plan, &socket, &customer).await?;
    Ok(Outcome::Connected(Box::new(Connected {
        socket,
        inbound,
        customer,
        recovered,
        access_token,
        used_authorization,
    })))
}

/// The mode's recovery: the single thread, the live chat, or the thread list with metadata.
pub async fn recover(
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
