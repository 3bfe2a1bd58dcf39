//! The customer: identity, push token, login, custom fields (`customer.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Empty, SessionParams, define_methods};
use crate::rpc::types::{CustomField, CustomFieldValues, Customer, SessionName};

define_methods! {
    group = "customer";

    CustomerGet = "customer.get" {
        summary: "Returns the session's customer: id, names, login state and custom fields.",
        params: SessionParams,
        result: Customer,
        errors: [UnknownSession],
    }

    /// Names can change at any time and reach agents with the next message. The id can only be
    /// set before the session's first `session.prepare`; afterwards it is fixed (or given by the
    /// identity provider after login).
    CustomerSet = "customer.set" {
        summary: "Sets the customer's id or names.",
        params: CustomerSetParams,
        result: Customer,
        errors: [UnknownSession, IllegalChatState, InvalidParameter],
    }

    CustomerSetDeviceToken = "customer.setDeviceToken" {
        summary: "Registers the push-notification token of the device, so the contact centre can reach the customer while disconnected.",
        params: CustomerSetDeviceTokenParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, BackendUnavailable, Timeout],
    }

    /// The code is single-use. When the session is not connected, it is kept for the next
    /// `session.connect`; when it is, the session connects again with it at once and answers
    /// once the chat is ready. When the login is another customer's, the last customer's
    /// threads are dropped (`threads.updated`).
    CustomerAuthorize = "customer.authorize" {
        summary: "Logs the customer in with an authorization code (and PKCE verifier) from the channel's identity provider.",
        params: CustomerAuthorizeParams,
        result: Empty,
        errors: [UnknownSession, NotPrepared, FeatureDisabled, AuthorizationFailed, BackendUnavailable, Timeout],
    }

    /// Values are merged into the existing fields; fields not named keep their value. They are
    /// sent to the back end at once when connected, otherwise with the next message.
    CustomerSetCustomFields = "customer.setCustomFields" {
        summary: "Sets custom fields of the customer (shared by all threads).",
        params: CustomerSetCustomFieldsParams,
        result: CustomFieldsResult,
        errors: [UnknownSession, NotPrepared, InvalidParameter],
    }
}

/// The params of `customer.set`. Members left out keep their value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerSetParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The host's own customer id (only before the first prepare).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// The params of `customer.setDeviceToken`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerSetDeviceTokenParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The push token (APNs as hex, or FCM).
    pub device_token: String,
}

/// The params of `customer.authorize`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerAuthorizeParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The authorization code the identity provider issued.
    pub authorization_code: String,
    /// The PKCE code verifier that goes with it, when the login used PKCE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
}

/// The params of `customer.setCustomFields`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerSetCustomFieldsParams {
    /// The session; `"default"` when left out.
    #[serde(default, skip_serializing_if = "SessionName::is_default")]
    #[schemars(extend("default" = "default"))]
    pub session: SessionName,
    /// The values to set, by ident.
    pub custom_fields: CustomFieldValues,
}

/// The custom fields after a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldsResult {
    /// Every field now set.
    pub custom_fields: Vec<CustomField>,
}
