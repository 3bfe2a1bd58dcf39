//! The transaction token of a secured session's handshake (PROTOCOL.md §1.8, §4.2).

use actix::prelude::*;
use cxone_chat_protocol::cxone::common::CustomerIdentity;

use super::{OAuth, failure_error};
use crate::session::credentials::{Expiring, Renewal, Scheme};
use crate::session::error::SessionError;
use crate::to_api::now_ms;

/// What a secured handshake authenticates with.
#[derive(Debug)]
pub(crate) struct Handshake {
    /// The transaction token for the WebSocket URL.
    pub(crate) transaction_token: String,
    /// The identity the token endpoint issued with it, which replaces the local one.
    pub(crate) customer: Option<CustomerIdentity>,
}

/// A transaction token for a secured session's handshake: the cached one while it has 30 s
/// left, else a new one (anonymous and secured cookie silently; third-party OAuth with the
/// host's login or, better than the SDKs, with the refresh token).
#[derive(Message, Debug)]
#[rtype(result = "Result<Handshake, SessionError>")]
pub(crate) struct HandshakeToken {
    /// The customer to ask an anonymous token for.
    pub(crate) customer: CustomerIdentity,
}

impl Handler<HandshakeToken> for OAuth {
    type Result = ResponseActFuture<Self, Result<Handshake, SessionError>>;

    fn handle(&mut self, msg: HandshakeToken, _: &mut Self::Context) -> Self::Result {
        let now = now_ms();
        if let Some((t, who)) = self.creds.reusable_transaction(now) {
            return Box::pin(fut::ok(Handshake {
                transaction_token: t.token.clone(),
                customer: who.clone(),
            }));
        }
        let Some(target) = self.target.clone() else {
            return Box::pin(fut::err(SessionError::NotPrepared));
        };
        let rest = self.rest.clone();
        match self.scheme {
            Scheme::SecuredAnonymous | Scheme::SecuredCookie => {
                let cookie = self.scheme == Scheme::SecuredCookie;
                let mut jar = self.creds.cookies.clone();
                let work = async move {
                    let r = if cookie {
                        rest.secured_cookie_token(target.channel(), &target.visitor_id, &mut jar)
                            .await
                    } else {
                        rest.anonymous_token(target.channel(), &target.visitor_id, msg.customer)
                            .await
                    };
                    r.map(|r| (r, jar)).map_err(SessionError::RequestToken)
                };
                Box::pin(work.into_actor(self).map(|r, act, _| {
                    let (t, jar) = r?;
                    let token = Expiring::issued(t.access_token, Some(t.expires_in), now_ms());
                    act.creds.transaction = Some((token.clone(), t.customer_identity.clone()));
                    act.creds.cookies = jar;
                    act.save();
                    Ok(Handshake {
                        transaction_token: token.token,
                        customer: t.customer_identity,
                    })
                }))
            }
            Scheme::SecuredOAuth => {
                if let Some(login) = self.creds.login.take() {
                    // Codes are single-use: the login is spent whatever the answer.
                    self.save();
                    let work = async move {
                        let code = login.authorization_code.unwrap_or_default();
                        let verifier = login.code_verifier.unwrap_or_default();
                        rest.authorization_code_token(
                            target.channel(),
                            &target.visitor_id,
                            &code,
                            &verifier,
                        )
                        .await
                        .map_err(SessionError::RequestToken)
                    };
                    return Box::pin(work.into_actor(self).map(|r, act, ctx| {
                        let t = r?;
                        let now = now_ms();
                        let token = Expiring::issued(t.access_token, Some(t.expires_in), now);
                        act.creds.transaction = Some((token.clone(), t.customer_identity.clone()));
                        act.creds.third_party = t.third_party.map(|p| {
                            (
                                Expiring::issued(p.access_token, p.expires_in, now),
                                p.refresh_token,
                            )
                        });
                        act.save();
                        act.schedule(ctx);
                        Ok(Handshake {
                            transaction_token: token.token,
                            customer: t.customer_identity,
                        })
                    }));
                }
                let refresh = self.creds.third_party.as_ref().and_then(|(_, r)| r.clone());
                let Some(refresh) = refresh else {
                    return Box::pin(fut::err(SessionError::AuthorizationRequired));
                };
                let (generation, fut) = match self.renew(Renewal::WithRefreshToken(refresh)) {
                    Ok(r) => r,
                    Err(e) => return Box::pin(fut::err(e)),
                };
                Box::pin(fut.into_actor(self).map(move |r, act, ctx| {
                    act.settle(generation, &r, ctx);
                    r.as_ref().map_err(failure_error)?;
                    let (t, who) = act
                        .creds
                        .reusable_transaction(now_ms())
                        .ok_or(SessionError::TokenExpired)?;
                    Ok(Handshake {
                        transaction_token: t.token.clone(),
                        customer: who.clone(),
                    })
                }))
            }
            Scheme::Anonymous | Scheme::LegacyOAuth => Box::pin(fut::err(SessionError::Internal(
                "no handshake token for this channel",
            ))),
        }
    }
}
