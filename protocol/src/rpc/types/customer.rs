//! The customer (the person chatting) and custom fields.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// Custom field values to set, by ident: `{"age": "24", "gender": "gender-male"}`.
///
/// For list and tree survey fields the value is the option's `id`, not its label.
pub type CustomFieldValues = BTreeMap<String, String>;

/// The customer of a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer id, once known (minted at prepare, or set by the host, or given by the
    /// identity provider after login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Whether the customer logged in through the channel's identity provider.
    pub authorized: bool,
    /// The customer's custom fields.
    pub custom_fields: Vec<CustomField>,
}

/// Who the customer is, as the host application knows it. Every member is optional; members left
/// out keep their current value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerIdentity {
    /// The host's own customer id (e.g. a loyalty number). Only taken before the first prepare;
    /// the daemon mints a UUID otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First name, shown to agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, shown to agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// One custom field value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    /// The field's identifier, as configured in CXone.
    pub ident: String,
    /// The value (for list and tree fields, the chosen option's id).
    pub value: String,
    /// When the value last changed, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// Whose custom fields: the customer's (all threads) or one contact's (one thread).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CustomFieldScope {
    /// The customer's fields, shared by all threads.
    Customer,
    /// The fields of one thread's contact (case).
    Contact,
}
