//! The two ways a customer's token is renewed: the WebSocket `RefreshToken` event (legacy
//! OAuth, the current — possibly expired — token as the credential) and the refresh grant at
//! `/oauth/token` (third-party OAuth over secured sessions). A refusal is [`Failure::Rejected`]
//! (only a new login helps); anything that did not get through is [`Failure::Transient`].

use cxone_chat_protocol::cxone::common::AccessToken;
use cxone_chat_protocol::cxone::received::EventBody;
use cxone_chat_protocol::cxone::sent::{AccessTokenData, SentEvent};

use super::{Failure, Link, Renewed, TokenTarget};
use crate::session::credentials::Expiring;
use crate::session::error::SessionError;
use crate::to_api::now_ms;
use crate::upstream::{RequestError, RestClient};

pub(super) async fn refresh_over_socket(link: Link, old: String) -> Result<Renewed, Failure> {
    let frame = (link.frame)(SentEvent::RefreshToken(AccessTokenData {
        access_token: AccessToken {
            token: old,
            expires_in: None,
            current_date: None,
        },
    }));
    match link.socket.request(frame).await {
        Ok(reply) => match reply.body {
            EventBody::TokenRefreshed(t) => Ok(Renewed::Access(Expiring::issued(
                t.access_token.token,
                t.access_token.expires_in,
                now_ms(),
            ))),
            other => Err(Failure::Rejected(format!(
                "RefreshToken was answered with {other:?} instead of TokenRefreshed"
            ))),
        },
        Err(e @ RequestError::Operation { .. }) => {
            Err(Failure::Rejected(format!("RefreshToken: {e}")))
        }
        Err(e) => Err(Failure::Transient(format!("RefreshToken: {e}"))),
    }
}

pub(super) async fn refresh_with_grant(
    rest: RestClient,
    target: TokenTarget,
    refresh: String,
) -> Result<Renewed, Failure> {
    match rest
        .refresh_third_party_token(target.channel(), &target.visitor_id, &refresh)
        .await
    {
        Ok(r) => {
            let now = now_ms();
            let tokens = r
                .tokens()
                .ok_or_else(|| Failure::Rejected("the refresh response has no token".into()))?;
            Ok(Renewed::ThirdParty {
                access: Expiring::issued(tokens.access_token.clone(), tokens.expires_in, now),
                refresh: tokens.refresh_token.clone(),
                transaction: r
                    .transaction_token
                    .clone()
                    .map(|t| Expiring::issued(t, r.transaction_token_expires_in, now)),
            })
        }
        Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
            Err(Failure::Rejected(format!("the refresh grant: {e}")))
        }
        Err(e) => Err(Failure::Transient(format!("the refresh grant: {e}"))),
    }
}

pub(super) fn failure_error(f: &Failure) -> SessionError {
    match f {
        Failure::Rejected(why) => SessionError::RefreshToken(why.clone()),
        Failure::Transient(why) => SessionError::RefreshUnreachable(why.clone()),
    }
}
