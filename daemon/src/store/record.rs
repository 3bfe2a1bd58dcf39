//! [`SessionRecord`], the contents of `session.json`: who the session is to CXone (visitor id,
//! customer identity), what it was prepared for, its tokens and secured cookies, and the
//! threads it knows — everything a restarted daemon needs to be the same customer again and
//! recover its chats.
//!
//! These are records of the store's own on-disk format (camelCase JSON, schema version
//! [`SESSION_SCHEMA_VERSION`]), not CXone or local-API wire types: the session actor converts
//! from and to its domain types. Every token is a [`Secret`], so `Debug` never shows one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Secret;

/// The schema version `session.json` is written with, and the newest this build reads.
pub const SESSION_SCHEMA_VERSION: u32 = 1;

/// Everything persisted about one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// The visitor id the session registered with (stable across restarts).
    pub visitor_id: Uuid,
    /// The customer identity, once known (host-given or issued by the token endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<StoredCustomer>,
    /// The brand, channel and environment the identity and tokens belong to. A session prepared
    /// for anything else must not reuse them.
    pub prepared_for: PreparedFor,
    /// The legacy OAuth access token (`AuthorizeCustomer` / `ReconnectCustomer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<ExpiringToken>,
    /// The transaction token of a secured session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_token: Option<TransactionToken>,
    /// The identity provider's tokens (third-party OAuth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_tokens: Option<ThirdPartyTokens>,
    /// The secured-cookie jar: cookie name → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secured_cookies: BTreeMap<String, Secret>,
    /// Known thread ids, oldest first, for single-thread and live-chat recovery. Written as
    /// lowercase UUIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thread_ids: Vec<Uuid>,
    /// The device's push-notification token (`customer.setDeviceToken`), sent with every
    /// visitor registration and message as the SDKs do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<Secret>,
    /// The visit in progress, so that a restart within its 30 minutes does not start another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<StoredVisit>,
    /// The channel's welcome message template (the last `FireProactiveAction` welcome), so that
    /// a thread created after a restart shows it before the back end sends it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome: Option<String>,
}

/// A visit and when it ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredVisit {
    /// The visit id.
    pub id: Uuid,
    /// When it ends unless extended, in Unix milliseconds.
    pub expires_at_ms: i64,
}

impl SessionRecord {
    /// A fresh record: a visitor with no identity, tokens or threads yet.
    pub fn new(visitor_id: Uuid, prepared_for: PreparedFor) -> Self {
        Self {
            visitor_id,
            customer: None,
            prepared_for,
            access_token: None,
            transaction_token: None,
            third_party_tokens: None,
            secured_cookies: BTreeMap::new(),
            thread_ids: Vec::new(),
            device_token: None,
            visit: None,
            welcome: None,
        }
    }

    /// Adds a thread id unless it is already known; returns whether it was added.
    pub fn remember_thread(&mut self, thread_id: Uuid) -> bool {
        if self.thread_ids.contains(&thread_id) {
            return false;
        }
        self.thread_ids.push(thread_id);
        true
    }
}

/// The customer identity, as far as the store needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCustomer {
    /// The customer id (`idOnExternalPlatform`).
    pub id: String,
    /// First name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// The target a session was prepared for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedFor {
    /// The CXone brand (tenant) id.
    pub brand_id: u64,
    /// The channel id.
    pub channel_id: String,
    /// The environment.
    pub environment: StoredEnvironment,
}

/// An environment: a named one (`"EU1"`) or explicit endpoints. Kept apart from the API's
/// `Environment` type so that a change to the local API cannot change what is on disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredEnvironment {
    /// One of CXone's named environments, by name.
    Named(String),
    /// Explicit endpoints.
    Custom(CustomEndpoints),
}

/// Explicit back-end endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomEndpoints {
    /// The chat REST base.
    pub chat_url: String,
    /// The WebSocket gateway.
    pub socket_url: String,
    /// The OAuth / transaction-token base, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

/// A token with its expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringToken {
    /// The token.
    pub token: Secret,
    /// When it expires, in Unix milliseconds.
    pub expires_at: i64,
}

/// A secured session's transaction token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionToken {
    /// The token (a JWT).
    pub token: Secret,
    /// When it expires, in Unix milliseconds.
    pub expires_at: i64,
    /// The identity the token endpoint issued with it (secured cookie), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_identity: Option<StoredCustomer>,
}

/// The identity provider's tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThirdPartyTokens {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, when the provider issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// When the access token expires, in Unix milliseconds; `None` when the provider gave no
    /// lifetime (the web SDK's response shape has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SessionRecord {
        let mut r = SessionRecord::new(
            Uuid::parse_str("6F1B2C3D-0000-4000-8000-000000000001").unwrap(),
            PreparedFor {
                brand_id: 1000,
                channel_id: "chat_x".into(),
                environment: StoredEnvironment::Named("EU1".into()),
            },
        );
        r.remember_thread(Uuid::parse_str("AD342920-C75E-4B06-B973-00494CC811B7").unwrap());
        r
    }

    #[test]
    fn ids_are_written_in_lowercase_and_read_in_any_case() {
        let json = serde_json::to_value(record()).unwrap();
        assert_eq!(json["visitorId"], "6f1b2c3d-0000-4000-8000-000000000001");
        assert_eq!(json["threadIds"][0], "ad342920-c75e-4b06-b973-00494cc811b7");
        assert_eq!(json["preparedFor"]["environment"], "EU1");
        let back: SessionRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, record());
    }

    #[test]
    fn environments_are_a_name_or_endpoints() {
        let custom: StoredEnvironment = serde_json::from_str(
            r#"{"chatUrl":"http://127.0.0.1:1/chat","socketUrl":"ws://127.0.0.1:1"}"#,
        )
        .unwrap();
        assert_eq!(
            custom,
            StoredEnvironment::Custom(CustomEndpoints {
                chat_url: "http://127.0.0.1:1/chat".into(),
                socket_url: "ws://127.0.0.1:1".into(),
                token_url: None,
            })
        );
    }

    #[test]
    fn threads_are_remembered_once_in_order() {
        let mut r = record();
        let second = Uuid::new_v4();
        assert!(r.remember_thread(second));
        assert!(!r.remember_thread(r.thread_ids[0]));
        assert_eq!(r.thread_ids.len(), 2);
        assert_eq!(r.thread_ids[1], second);
    }
}
