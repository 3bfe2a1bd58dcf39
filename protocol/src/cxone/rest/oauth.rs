//! Request bodies of `POST {tokenURL}oauth/token?…` — transaction tokens and third-party token
//! refresh, used only when the channel has secured sessions (PROTOCOL.md §1.8, §4.2). The
//! responses are in [`token`](super::token).
//!
//! Authorization codes, PKCE verifiers and refresh tokens never appear in `Debug` output.

use std::fmt;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::REDACTED;
use super::channel::AuthenticationType;
use crate::cxone::common::CustomerIdentity;

/// The request body, by authentication type.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// `{}` — the identity travels in an HTTP-only cookie.
    SecuredCookie,
    /// `{ "type": "anonymous", "customerIdentity": { … } }` (variants per SDK, see
    /// [`AnonymousTokenRequest`]).
    Anonymous(AnonymousTokenRequest),
    /// `{ "thirdParty": { "grant_type": …, … } }`.
    ThirdParty(ThirdPartyGrant),
}

/// The anonymous request. iOS sends `"type": "anonymous"`, Android `"Anonymous"` (its enum
/// name), web no `type` at all; the type is therefore matched case-insensitively and kept as
/// sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymousTokenRequest {
    /// `type` as sent, if any.
    pub kind: Option<String>,
    /// The customer to issue the token for.
    pub customer_identity: Option<CustomerIdentity>,
}

/// `thirdParty` of the request.
#[derive(Clone, PartialEq, Eq)]
pub enum ThirdPartyGrant {
    /// `grant_type: authorization_code` — the one-shot code from the identity provider, with
    /// the PKCE verifier (the web SDK sends none).
    AuthorizationCode {
        /// The code.
        authorization_code: String,
        /// The PKCE code verifier.
        code_verifier: Option<String>,
    },
    /// `grant_type: refresh_token`.
    RefreshToken {
        /// The identity provider's refresh token.
        refresh_token: String,
    },
}

impl TokenRequest {
    /// The secured-cookie request, `{}`.
    pub fn secured_cookie() -> Self {
        Self::SecuredCookie
    }

    /// The iOS anonymous request: `{ "type": "anonymous", "customerIdentity": … }`.
    pub fn anonymous(customer_identity: CustomerIdentity) -> Self {
        Self::Anonymous(AnonymousTokenRequest {
            kind: Some(Self::ANONYMOUS.to_owned()),
            customer_identity: Some(customer_identity),
        })
    }

    /// The third-party login with an authorization code and PKCE verifier.
    pub fn authorization_code(code: impl Into<String>, code_verifier: impl Into<String>) -> Self {
        Self::ThirdParty(ThirdPartyGrant::AuthorizationCode {
            authorization_code: code.into(),
            code_verifier: Some(code_verifier.into()),
        })
    }

    /// The third-party token refresh.
    pub fn refresh(refresh_token: impl Into<String>) -> Self {
        Self::ThirdParty(ThirdPartyGrant::RefreshToken {
            refresh_token: refresh_token.into(),
        })
    }

    /// The `type` iOS sends for anonymous requests.
    pub const ANONYMOUS: &'static str = "anonymous";

    /// The authentication type the request belongs to.
    pub fn authentication_type(&self) -> AuthenticationType {
        match self {
            Self::SecuredCookie => AuthenticationType::SecuredCookie,
            Self::Anonymous(_) => AuthenticationType::Anonymous,
            Self::ThirdParty(_) => AuthenticationType::ThirdPartyOAuth,
        }
    }

    /// Whether this is a refresh (answered with a
    /// [`RefreshTokenResponse`](super::RefreshTokenResponse)) rather than a request for a
    /// transaction token (answered with a [`TokenResponse`](super::TokenResponse)).
    pub fn is_refresh(&self) -> bool {
        matches!(self, Self::ThirdParty(ThirdPartyGrant::RefreshToken { .. }))
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecuredCookie => f.write_str("SecuredCookie"),
            Self::Anonymous(request) => f.debug_tuple("Anonymous").field(request).finish(),
            Self::ThirdParty(grant) => f.debug_tuple("ThirdParty").field(grant).finish(),
        }
    }
}

impl fmt::Debug for ThirdPartyGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AuthorizationCode { code_verifier, .. } => f
                .debug_struct("AuthorizationCode")
                .field("authorization_code", &REDACTED)
                .field("code_verifier", &code_verifier.as_ref().map(|_| REDACTED))
                .finish(),
            Self::RefreshToken { .. } => f
                .debug_struct("RefreshToken")
                .field("refresh_token", &REDACTED)
                .finish(),
        }
    }
}

const AUTHORIZATION_CODE: &str = "authorization_code";
const REFRESH_TOKEN: &str = "refresh_token";

/// `thirdParty` on the wire.
#[derive(Serialize, Deserialize)]
struct ThirdPartyWire {
    #[serde(default)]
    grant_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorization_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code_verifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

impl Serialize for TokenRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Self::SecuredCookie => {}
            Self::Anonymous(request) => {
                if let Some(kind) = &request.kind {
                    map.serialize_entry("type", kind)?;
                }
                if let Some(identity) = &request.customer_identity {
                    map.serialize_entry("customerIdentity", identity)?;
                }
            }
            Self::ThirdParty(grant) => {
                let wire = match grant.clone() {
                    ThirdPartyGrant::AuthorizationCode {
                        authorization_code,
                        code_verifier,
                    } => ThirdPartyWire {
                        grant_type: Some(AUTHORIZATION_CODE.to_owned()),
                        authorization_code: Some(authorization_code),
                        code_verifier,
                        refresh_token: None,
                    },
                    ThirdPartyGrant::RefreshToken { refresh_token } => ThirdPartyWire {
                        grant_type: Some(REFRESH_TOKEN.to_owned()),
                        authorization_code: None,
                        code_verifier: None,
                        refresh_token: Some(refresh_token),
                    },
                };
                map.serialize_entry("thirdParty", &wire)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TokenRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut body = Map::<String, Value>::deserialize(deserializer)?;
        if let Some(third_party) = body.remove("thirdParty") {
            let wire = ThirdPartyWire::deserialize(third_party)
                .map_err(|e| D::Error::custom(format!("thirdParty: {e}")))?;
            let missing =
                |field: &str| D::Error::custom(format!("thirdParty: missing field `{field}`"));
            let grant = match wire.grant_type.as_deref() {
                Some(AUTHORIZATION_CODE) => ThirdPartyGrant::AuthorizationCode {
                    authorization_code: wire
                        .authorization_code
                        .ok_or_else(|| missing(AUTHORIZATION_CODE))?,
                    code_verifier: wire.code_verifier,
                },
                Some(REFRESH_TOKEN) => ThirdPartyGrant::RefreshToken {
                    refresh_token: wire.refresh_token.ok_or_else(|| missing(REFRESH_TOKEN))?,
                },
                Some(other) => {
                    return Err(D::Error::custom(format!(
                        "thirdParty: unsupported grant_type {other:?}"
                    )));
                }
                None => return Err(missing("grant_type")),
            };
            return Ok(Self::ThirdParty(grant));
        }
        let kind = match body.remove("type") {
            None | Some(Value::Null) => None,
            Some(Value::String(kind)) if kind.eq_ignore_ascii_case(Self::ANONYMOUS) => Some(kind),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "unsupported token request type {other}"
                )));
            }
        };
        let customer_identity = match body.remove("customerIdentity") {
            None | Some(Value::Null) => None,
            Some(identity) => Some(
                CustomerIdentity::deserialize(identity)
                    .map_err(|e| D::Error::custom(format!("customerIdentity: {e}")))?,
            ),
        };
        Ok(match (kind, customer_identity) {
            (None, None) => Self::SecuredCookie,
            (kind, customer_identity) => Self::Anonymous(AnonymousTokenRequest {
                kind,
                customer_identity,
            }),
        })
    }
}
