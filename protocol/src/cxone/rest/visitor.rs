//! Visitor registration, `PUT /web-analytics/1.0/tenants/{brandId}/visitors/{visitorId}`
//! (PROTOCOL.md §1.5). The response body is ignored by every SDK.

use serde::{Deserialize, Serialize};

use crate::cxone::common::CustomerIdentity;

/// The visitor PUT body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorRegistration {
    /// The customer: iOS sends only the id; Android the id with names removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_identity: Option<CustomerIdentity>,
    /// The device (including the push token).
    pub browser_fingerprint: BrowserFingerprint,
    /// Web journey; never filled by the mobile SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<Journey>,
    /// Custom variables; never filled by the mobile SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_variables: Option<Vec<CustomVariable>>,
}

impl VisitorRegistration {
    /// The iOS body: the customer id only, and the fingerprint.
    pub fn new(customer_id: impl Into<String>, browser_fingerprint: BrowserFingerprint) -> Self {
        Self {
            customer_identity: Some(CustomerIdentity::new(customer_id)),
            browser_fingerprint,
            journey: None,
            custom_variables: None,
        }
    }
}

/// The device fingerprint (`browserFingerprint` here and in `SendOutbound`, `deviceFingerprint`
/// in `SendMessage`). Every key is optional; absent values are omitted, never `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserFingerprint {
    /// Region code, e.g. `US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Language code, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `native` for the mobile SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<String>,
    /// Operating system, e.g. `iOS`, `Android`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Operating-system version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `mobile` for the mobile SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// Push token (APNs hex string / FCM token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// Browser name (web SDK; legacy iOS payloads send it empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// Browser version (web SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_version: Option<String>,
}

/// `journey`: `{ "referrer": { "url" }, "utm": { … } }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journey {
    /// Where the visitor came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Referrer>,
    /// Campaign parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<Utm>,
}

/// `{ "url": … }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    /// Referrer URL.
    pub url: String,
}

/// UTM campaign parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    /// `utm_source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `utm_medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// `utm_campaign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// `utm_term`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// `utm_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// `{ "identifier", "value" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomVariable {
    /// Variable name.
    pub identifier: String,
    /// Value.
    pub value: String,
}
