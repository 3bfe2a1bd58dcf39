//! Response bodies of `POST {tokenURL}oauth/token?…` (PROTOCOL.md §1.8): the transaction
//! token, the refresh response in whichever of the three SDK shapes, and the error bodies.
//!
//! Tokens never appear in `Debug` output.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::REDACTED;
use crate::cxone::common::{CustomFields, CustomerIdentity};
use crate::cxone::time::Timestamp;

/// The transaction-token response.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The transaction token (a JWT), the `transactionToken` of the WebSocket URL.
    pub access_token: String,
    /// Lifetime of the transaction token in seconds (about 600).
    pub expires_in: i64,
    /// When it was issued (Android writes `….000z` with a lowercase `z`). Absent: on receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The identity to use from now on (secured cookie: server-generated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_identity: Option<CustomerIdentity>,
    /// The identity provider's tokens (third-party OAuth only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party: Option<ThirdPartyToken>,
    /// Contact custom fields (web only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<CustomFields>,
    /// Identity token (web only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<String>,
}

impl TokenResponse {
    /// A response with only the transaction token and its lifetime.
    pub fn new(access_token: impl Into<String>, expires_in: i64) -> Self {
        Self {
            access_token: access_token.into(),
            expires_in,
            created_at: None,
            customer_identity: None,
            third_party: None,
            contact: None,
            identity_token: None,
        }
    }

    /// When the transaction token expires: `createdAt` (or, without it, `received_at_unix_ms`)
    /// plus `expiresIn`.
    pub fn expires_at_unix_ms(&self, received_at_unix_ms: i64) -> i64 {
        let issued = self
            .created_at
            .as_ref()
            .map_or(received_at_unix_ms, Timestamp::unix_ms);
        issued.saturating_add(self.expires_in.saturating_mul(1000))
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &REDACTED)
            .field("expires_in", &self.expires_in)
            .field("created_at", &self.created_at)
            .field("customer_identity", &self.customer_identity)
            .field("third_party", &self.third_party)
            .field("contact", &self.contact)
            .field(
                "identity_token",
                &self.identity_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

/// `thirdParty` of a token response: the identity provider's tokens, in OAuth's snake case.
/// The access token goes into `SendMessage.data.accessToken.token`. iOS requires all three
/// keys, Android only `expires_in`, the web SDK none; only `access_token` — without which the
/// object is useless — is required here.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThirdPartyToken {
    /// The identity provider's access token.
    pub access_token: String,
    /// Its refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime of the access token in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

impl fmt::Debug for ThirdPartyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThirdPartyToken")
            .field("access_token", &REDACTED)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The response to a refresh (`grant_type: refresh_token`). The SDKs disagree on its shape:
/// iOS reads a top-level `{ access_token, refresh_token, expires_in }`, Android a full
/// [`TokenResponse`] (top-level `accessToken` + `expiresIn`, tokens in `thirdParty`), web only
/// `thirdParty`. This type accepts any of them — at least one identity-provider access token
/// must be present — and [`RefreshTokenResponse::union`] writes all of them at once, which is
/// what an emulator should send.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RefreshWire", into = "RefreshWire")]
pub struct RefreshTokenResponse {
    /// `accessToken`: a new transaction token (Android shape).
    pub transaction_token: Option<String>,
    /// `expiresIn`: its lifetime in seconds (Android shape).
    pub transaction_token_expires_in: Option<i64>,
    /// `createdAt`.
    pub created_at: Option<Timestamp>,
    /// `customerIdentity`.
    pub customer_identity: Option<CustomerIdentity>,
    /// `thirdParty` (Android and web shapes).
    pub third_party: Option<ThirdPartyToken>,
    /// Top-level `access_token`, `refresh_token`, `expires_in` (iOS shape).
    pub top_level: Option<ThirdPartyToken>,
}

impl RefreshTokenResponse {
    /// The union of the three shapes: transaction token on top, the identity provider's
    /// tokens both at the top level (iOS) and in `thirdParty` (Android, web). iOS needs
    /// `refresh_token` and `expires_in` to be set.
    pub fn union(
        transaction_token: impl Into<String>,
        transaction_token_expires_in: i64,
        tokens: ThirdPartyToken,
    ) -> Self {
        Self {
            transaction_token: Some(transaction_token.into()),
            transaction_token_expires_in: Some(transaction_token_expires_in),
            created_at: None,
            customer_identity: None,
            third_party: Some(tokens.clone()),
            top_level: Some(tokens),
        }
    }

    /// The identity provider's tokens: `thirdParty` when present (the Android and web reading),
    /// else the top-level ones (the iOS reading). Always `Some` for a decoded response.
    pub fn tokens(&self) -> Option<&ThirdPartyToken> {
        self.third_party.as_ref().or(self.top_level.as_ref())
    }
}

impl fmt::Debug for RefreshTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenResponse")
            .field(
                "transaction_token",
                &self.transaction_token.as_ref().map(|_| REDACTED),
            )
            .field(
                "transaction_token_expires_in",
                &self.transaction_token_expires_in,
            )
            .field("created_at", &self.created_at)
            .field("customer_identity", &self.customer_identity)
            .field("third_party", &self.third_party)
            .field("top_level", &self.top_level)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_identity: Option<CustomerIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    third_party: Option<ThirdPartyToken>,
    #[serde(
        default,
        rename = "access_token",
        skip_serializing_if = "Option::is_none"
    )]
    oauth_access_token: Option<String>,
    #[serde(
        default,
        rename = "refresh_token",
        skip_serializing_if = "Option::is_none"
    )]
    oauth_refresh_token: Option<String>,
    #[serde(
        default,
        rename = "expires_in",
        skip_serializing_if = "Option::is_none"
    )]
    oauth_expires_in: Option<i64>,
}

impl TryFrom<RefreshWire> for RefreshTokenResponse {
    type Error = &'static str;

    fn try_from(w: RefreshWire) -> Result<Self, Self::Error> {
        let top_level = w.oauth_access_token.map(|access_token| ThirdPartyToken {
            access_token,
            refresh_token: w.oauth_refresh_token,
            expires_in: w.oauth_expires_in,
        });
        if top_level.is_none() && w.third_party.is_none() {
            return Err(
                "refresh response has no access token: expected `thirdParty.access_token` or `access_token`",
            );
        }
        Ok(Self {
            transaction_token: w.access_token,
            transaction_token_expires_in: w.expires_in,
            created_at: w.created_at,
            customer_identity: w.customer_identity,
            third_party: w.third_party,
            top_level,
        })
    }
}

impl From<RefreshTokenResponse> for RefreshWire {
    fn from(r: RefreshTokenResponse) -> Self {
        let (oauth_access_token, oauth_refresh_token, oauth_expires_in) = match r.top_level {
            Some(t) => (Some(t.access_token), t.refresh_token, t.expires_in),
            None => (None, None, None),
        };
        Self {
            access_token: r.transaction_token,
            expires_in: r.transaction_token_expires_in,
            created_at: r.created_at,
            customer_identity: r.customer_identity,
            third_party: r.third_party,
            oauth_access_token,
            oauth_refresh_token,
            oauth_expires_in,
        }
    }
}

/// An error body of `/oauth/token`. Seen shapes: OAuth's `{"error": "invalid_grant"}`, a bare
/// message `{"error": "Invalid credentials"}`, and the API model
/// `{"error": {"errorMessage": "Auth failed"}}` (Android's `AuthorizationError` text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenErrorBody {
    /// The error.
    pub error: TokenError,
    /// OAuth's optional `error_description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// `error` of a [`TokenErrorBody`]: a string or an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// `"error": "<code or message>"`.
    Code(String),
    /// `"error": { "errorCode"?, "errorMessage"? }`.
    Detailed {
        /// `errorCode` (the web SDK knows `ip_blocked`).
        error_code: Option<String>,
        /// `errorMessage`.
        error_message: Option<String>,
    },
}

impl TokenErrorBody {
    /// A sentence for logs and users: the message when there is one, with OAuth's standard
    /// codes (RFC 6749 §5.2) explained.
    pub fn reason(&self) -> String {
        let base = match &self.error {
            TokenError::Code(code) => match oauth_code_meaning(code) {
                Some(meaning) => format!("{meaning} ({code})"),
                None => code.clone(),
            },
            TokenError::Detailed {
                error_code,
                error_message,
            } => match (error_message, error_code) {
                (Some(message), Some(code)) => format!("{message} ({code})"),
                (Some(message), None) => message.clone(),
                (None, Some(code)) => oauth_code_meaning(code)
                    .map_or_else(|| code.clone(), |m| format!("{m} ({code})")),
                (None, None) => "the token endpoint reported an unspecified error".to_owned(),
            },
        };
        match &self.error_description {
            Some(description) if !description.is_empty() => format!("{base}: {description}"),
            _ => base,
        }
    }
}

fn oauth_code_meaning(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_request" => "the token request is malformed",
        "invalid_client" => "the client could not be authenticated",
        "invalid_grant" => "the authorization code or refresh token is invalid, expired or revoked",
        "unauthorized_client" => "the client may not use this grant type",
        "unsupported_grant_type" => "the grant type is not supported",
        "invalid_scope" => "the requested scope is invalid",
        "ip_blocked" => "the IP address is blocked",
        _ => return None,
    })
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailedWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

impl Serialize for TokenError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Code(code) => serializer.serialize_str(code),
            Self::Detailed {
                error_code,
                error_message,
            } => DetailedWire {
                error_code: error_code.clone(),
                error_message: error_message.clone(),
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for TokenError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(code) => Ok(Self::Code(code)),
            object @ Value::Object(_) => {
                let wire = DetailedWire::deserialize(object).map_err(D::Error::custom)?;
                Ok(Self::Detailed {
                    error_code: wire.error_code,
                    error_message: wire.error_message,
                })
            }
            other => Err(D::Error::custom(format!(
                "`error` must be a string or an object, not {other}"
            ))),
        }
    }
}
