//! A session's credentials as plain data (PROTOCOL.md §1.8, §4): the host's pending login
//! (authorization code and PKCE verifier), the legacy access token, a secured session's
//! transaction token, the identity provider's tokens and the secured-cookie jar — with the rules
//! for when each may be reused and when it must be refreshed. The OAuth actor wraps this; the
//! store keeps it across restarts.
//!
//! Every instant is Unix milliseconds, passed in, so the rules are tested without a clock.

use cxone_chat_protocol::cxone::common::CustomerIdentity;
use cxone_chat_protocol::cxone::sent::{OAuthAuthorization, OutgoingFrame, SentEvent};

use crate::store::{ExpiringToken, Secret, SessionRecord, ThirdPartyTokens, TransactionToken};
use crate::upstream::SecuredCookies;

/// A transaction token is reused until this long before it expires (iOS's margin): a token
/// about to expire would die during the handshake.
pub(crate) const TRANSACTION_MARGIN_MS: i64 = 30_000;
/// An access token is refreshed before a send when it expires within this long (iOS: 30 s).
pub(crate) const ACCESS_MARGIN_MS: i64 = 30_000;
/// A lifetime the server did not state is taken as the SDKs' usual hour.
pub(crate) const DEFAULT_LIFETIME_S: i64 = 3_600;
/// Refreshes scheduled ahead of expiry happen no sooner than this after the token arrived.
const MIN_REFRESH_DELAY_MS: i64 = 20_000;

/// A token and when it expires.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Expiring {
    /// The token.
    pub(crate) token: String,
    /// Unix ms.
    pub(crate) expires_at: i64,
}

impl std::fmt::Debug for Expiring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expiring")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Expiring {
    /// A token issued at `now` that lives `lifetime_s` seconds (an hour when unstated).
    pub(crate) fn issued(token: String, lifetime_s: Option<i64>, now: i64) -> Self {
        let lifetime = lifetime_s.unwrap_or(DEFAULT_LIFETIME_S).max(0);
        Self {
            token,
            expires_at: now.saturating_add(lifetime.saturating_mul(1000)),
        }
    }

    /// Whether it is still good at `now` with `margin_ms` to spare.
    pub(crate) fn is_fresh(&self, now: i64, margin_ms: i64) -> bool {
        now.saturating_add(margin_ms) < self.expires_at
    }
}

/// How the channel's customers authenticate, as far as tokens go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// No customer login and no secured sessions: no tokens at all.
    Anonymous,
    /// Secured sessions with an anonymous customer: a transaction token, fetched again silently.
    SecuredAnonymous,
    /// Secured sessions whose identity lives in an HTTP-only cookie.
    SecuredCookie,
    /// Legacy OAuth: `AuthorizeCustomer` with the code, then an access token refreshed with the
    /// WebSocket `RefreshToken` event.
    LegacyOAuth,
    /// Third-party OAuth over secured sessions: the code is exchanged at `/oauth/token`, and the
    /// identity provider's access token is refreshed there with the refresh grant.
    SecuredOAuth,
}

/// Which token a message carries and how it is renewed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Renewal {
    /// Nothing to carry.
    NotNeeded,
    /// The token is good.
    Fresh(String),
    /// Renew the legacy access token over the WebSocket with `RefreshToken` (the current,
    /// possibly expired, token is the credential).
    OverSocket(String),
    /// Renew the identity provider's token at `/oauth/token` with this refresh token.
    WithRefreshToken(String),
    /// Nothing can renew it: the host must log in again.
    LoginRequired,
}

/// A session's credentials. `Debug` shows which tokens are held, never a token.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    /// A login the host gave with `customer.authorize`, not used yet (codes are single-use).
    pub(crate) login: Option<OAuthAuthorization>,
    /// The legacy access token (`ConsumerAuthorized`, `TokenRefreshed`).
    pub(crate) access: Option<Expiring>,
    /// The transaction token of a secured session, and the identity issued with it.
    pub(crate) transaction: Option<(Expiring, Option<CustomerIdentity>)>,
    /// The identity provider's access token and its refresh token.
    pub(crate) third_party: Option<(Expiring, Option<String>)>,
    /// The token endpoint's cookies (secured cookie).
    pub(crate) cookies: SecuredCookies,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("access", &self.access)
            .field("transaction", &self.transaction.as_ref().map(|(t, _)| t))
            .field(
                "third_party",
                &self
                    .third_party
                    .as_ref()
                    .map(|(t, r)| (t, r.as_ref().map(|_| "<redacted>"))),
            )
            .field("cookies", &self.cookies)
            .finish()
    }
}

impl Credentials {
    /// The credentials kept in `record` (a restarted daemon reuses them).
    pub(crate) fn from_record(record: &SessionRecord) -> Self {
        let expiring = |t: &Secret, at: i64| Expiring {
            token: t.expose().to_owned(),
            expires_at: at,
        };
        Self {
            login: None,
            access: record
                .access_token
                .as_ref()
                .map(|t| expiring(&t.token, t.expires_at)),
            transaction: record.transaction_token.as_ref().map(|t| {
                (
                    expiring(&t.token, t.expires_at),
                    t.customer_identity
                        .as_ref()
                        .map(crate::session::persist::customer),
                )
            }),
            third_party: record.third_party_tokens.as_ref().map(|t| {
                (
                    // Without a stated lifetime, treat it as expired: a refresh (when there is
                    // a refresh token) is cheaper than a refused message.
                    expiring(&t.access_token, t.expires_at.unwrap_or(0)),
                    t.refresh_token.as_ref().map(|r| r.expose().to_owned()),
                )
            }),
            cookies: record
                .secured_cookies
                .get(COOKIE_JAR)
                .map(|s| SecuredCookies::from_persisted(s.expose()))
                .unwrap_or_default(),
        }
    }

    /// Writes the credentials into `record`, replacing what it held.
    pub(crate) fn write_to(&self, record: &mut SessionRecord) {
        record.access_token = self.access.as_ref().map(|t| ExpiringToken {
            token: Secret::new(t.token.clone()),
            expires_at: t.expires_at,
        });
        record.transaction_token = self.transaction.as_ref().map(|(t, who)| TransactionToken {
            token: Secret::new(t.token.clone()),
            expires_at: t.expires_at,
            customer_identity: who.as_ref().map(crate::session::persist::stored_customer),
        });
        record.third_party_tokens =
            self.third_party
                .as_ref()
                .map(|(t, refresh)| ThirdPartyTokens {
                    access_token: Secret::new(t.token.clone()),
                    refresh_token: refresh.clone().map(Secret::new),
                    expires_at: Some(t.expires_at),
                });
        record.secured_cookies.clear();
        if !self.cookies.is_empty() {
            record.secured_cookies.insert(
                COOKIE_JAR.to_owned(),
                Secret::new(self.cookies.to_persisted()),
            );
        }
    }

    /// A new login from the host: it replaces every token (as iOS does), so the next connect
    /// authorizes afresh instead of reconnecting as whoever logged in before.
    pub(crate) fn set_login(&mut self, login: OAuthAuthorization) {
        self.login = Some(login);
        self.access = None;
        self.transaction = None;
        self.third_party = None;
    }

    /// The cached transaction token, if it can still open a socket at `now`.
    pub(crate) fn reusable_transaction(
        &self,
        now: i64,
    ) -> Option<&(Expiring, Option<CustomerIdentity>)> {
        self.transaction
            .as_ref()
            .filter(|(t, _)| t.is_fresh(now, TRANSACTION_MARGIN_MS))
    }

    /// What a message sent at `now` carries, or how to renew it first.
    pub(crate) fn renewal(&self, scheme: Scheme, now: i64) -> Renewal {
        match scheme {
            Scheme::Anonymous | Scheme::SecuredAnonymous | Scheme::SecuredCookie => {
                Renewal::NotNeeded
            }
            Scheme::LegacyOAuth => match &self.access {
                Some(t) if t.is_fresh(now, ACCESS_MARGIN_MS) => Renewal::Fresh(t.token.clone()),
                Some(t) => Renewal::OverSocket(t.token.clone()),
                None => Renewal::LoginRequired,
            },
            Scheme::SecuredOAuth => match &self.third_party {
                Some((t, _)) if t.is_fresh(now, ACCESS_MARGIN_MS) => {
                    Renewal::Fresh(t.token.clone())
                }
                Some((_, Some(refresh))) => Renewal::WithRefreshToken(refresh.clone()),
                _ => Renewal::LoginRequired,
            },
        }
    }

    /// When to renew the message token ahead of time (90 % of its life, as the web SDK does,
    /// but not sooner than 20 s after it arrived), as a delay from `now`; `None` when there is
    /// nothing that can be renewed.
    pub(crate) fn refresh_delay_ms(&self, scheme: Scheme, issued_at: i64, now: i64) -> Option<i64> {
        let expires_at = match (scheme, self.renewal(scheme, now)) {
            (_, Renewal::NotNeeded | Renewal::LoginRequired) => return None,
            (Scheme::LegacyOAuth, _) => self.access.as_ref()?.expires_at,
            (Scheme::SecuredOAuth, _) => {
                let (t, refresh) = self.third_party.as_ref()?;
                refresh.as_ref()?;
                t.expires_at
            }
            _ => return None,
        };
        let life = (expires_at - issued_at).max(0);
        let at = issued_at + (life * 9 / 10).max(MIN_REFRESH_DELAY_MS);
        Some((at - now).max(0))
    }
}

/// The key the cookie jar is stored under in the record.
const COOKIE_JAR: &str = "jar";

/// Puts `token` into a message frame's `accessToken` (a queued frame may carry one that expired
/// while it waited). Frames of other events are left alone.
pub(crate) fn stamp(frame: &mut OutgoingFrame, token: Option<&str>) {
    let OutgoingFrame::Event { payload, .. } = frame else {
        return;
    };
    if let SentEvent::SendMessage(d) | SentEvent::SendOutbound(d) = &mut payload.event {
        d.access_token = token.map(|t| cxone_chat_protocol::cxone::common::AccessToken {
            token: t.to_owned(),
            expires_in: None,
            current_date: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn login() -> OAuthAuthorization {
        OAuthAuthorization {
            authorization_code: Some("code".into()),
            code_verifier: Some("verifier".into()),
        }
    }

    #[test]
    fn a_token_is_fresh_until_the_margin_before_expiry() {
        let t = Expiring::issued("t".into(), Some(60), NOW);
        assert!(t.is_fresh(NOW, 30_000));
        assert!(t.is_fresh(NOW + 29_999, 30_000));
        assert!(!t.is_fresh(NOW + 30_000, 30_000));
        assert_eq!(
            Expiring::issued("t".into(), None, NOW).expires_at,
            NOW + 3_600_000
        );
    }

    #[test]
    fn legacy_tokens_are_renewed_over_the_socket_and_need_a_login_when_absent() {
        let mut c = Credentials::default();
        assert_eq!(c.renewal(Scheme::LegacyOAuth, NOW), Renewal::LoginRequired);
        c.access = Some(Expiring::issued("a".into(), Some(3600), NOW));
        assert_eq!(
            c.renewal(Scheme::LegacyOAuth, NOW),
            Renewal::Fresh("a".into())
        );
        assert_eq!(
            c.renewal(Scheme::LegacyOAuth, NOW + 3_600_000 - 30_000),
            Renewal::OverSocket("a".into()),
            "renewed 30 s ahead, with the old token as the credential"
        );
        assert_eq!(c.renewal(Scheme::Anonymous, NOW), Renewal::NotNeeded);
    }

    #[test]
    fn identity_provider_tokens_are_renewed_with_the_refresh_token() {
        let mut c = Credentials {
            third_party: Some((Expiring::issued("idp".into(), Some(60), NOW), None)),
            ..Default::default()
        };
        assert_eq!(
            c.renewal(Scheme::SecuredOAuth, NOW),
            Renewal::Fresh("idp".into())
        );
        assert_eq!(
            c.renewal(Scheme::SecuredOAuth, NOW + 40_000),
            Renewal::LoginRequired,
            "expired with no refresh token"
        );
        c.third_party.as_mut().unwrap().1 = Some("r".into());
        assert_eq!(
            c.renewal(Scheme::SecuredOAuth, NOW + 40_000),
            Renewal::WithRefreshToken("r".into())
        );
    }

    #[test]
    fn a_new_login_replaces_every_token() {
        let mut c = Credentials {
            access: Some(Expiring::issued("a".into(), None, NOW)),
            transaction: Some((Expiring::issued("t".into(), None, NOW), None)),
            third_party: Some((Expiring::issued("i".into(), None, NOW), Some("r".into()))),
            ..Default::default()
        };
        c.set_login(login());
        assert!(c.access.is_none() && c.transaction.is_none() && c.third_party.is_none());
        assert_eq!(c.login, Some(login()));
    }

    #[test]
    fn transaction_tokens_are_reused_until_30_s_before_expiry() {
        let c = Credentials {
            transaction: Some((Expiring::issued("t".into(), Some(600), NOW), None)),
            ..Default::default()
        };
        assert!(c.reusable_transaction(NOW + 569_000).is_some());
        assert!(c.reusable_transaction(NOW + 570_000).is_none());
    }

    #[test]
    fn refreshes_are_scheduled_at_nine_tenths_of_the_lifetime() {
        let c = Credentials {
            access: Some(Expiring::issued("a".into(), Some(1000), NOW)),
            ..Default::default()
        };
        assert_eq!(
            c.refresh_delay_ms(Scheme::LegacyOAuth, NOW, NOW),
            Some(900_000)
        );
        assert_eq!(
            c.refresh_delay_ms(Scheme::LegacyOAuth, NOW, NOW + 100_000),
            Some(800_000)
        );
        let short = Credentials {
            access: Some(Expiring::issued("a".into(), Some(10), NOW)),
            ..Default::default()
        };
        assert_eq!(
            short.refresh_delay_ms(Scheme::LegacyOAuth, NOW, NOW),
            Some(20_000),
            "never sooner than 20 s"
        );
        assert_eq!(c.refresh_delay_ms(Scheme::Anonymous, NOW, NOW), None);
        let no_refresh_token = Credentials {
            third_party: Some((Expiring::issued("i".into(), Some(100), NOW), None)),
            ..Default::default()
        };
        assert_eq!(
            no_refresh_token.refresh_delay_ms(Scheme::SecuredOAuth, NOW, NOW),
            None
        );
    }

    #[test]
    fn credentials_survive_the_record_round_trip_and_debug_hides_tokens() {
        let cookies = SecuredCookies::from_persisted("cxone_identity=abc");
        let c = Credentials {
            login: Some(login()),
            access: Some(Expiring::issued("a".into(), None, NOW)),
            transaction: Some((
                Expiring::issued("t".into(), Some(600), NOW),
                Some(CustomerIdentity::new("who")),
            )),
            third_party: Some((
                Expiring::issued("i".into(), Some(60), NOW),
                Some("r".into()),
            )),
            cookies,
        };
        let mut record = SessionRecord::new(
            uuid::Uuid::new_v4(),
            crate::store::PreparedFor {
                brand_id: 1,
                channel_id: "c".into(),
                environment: crate::store::StoredEnvironment::Named("EU1".into()),
            },
        );
        c.write_to(&mut record);
        let back = Credentials::from_record(&record);
        assert_eq!(back.login, None, "a login is single-use and never stored");
        assert_eq!(back.access, c.access);
        assert_eq!(back.transaction, c.transaction);
        assert_eq!(back.third_party, c.third_party);
        assert_eq!(back.cookies, c.cookies);
        let debug = format!("{c:?}");
        for secret in ["\"a\"", "\"t\"", "\"i\"", "\"r\"", "abc"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
    }
}
