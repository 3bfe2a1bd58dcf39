//! The pre-chat survey, `preContactForm` of the channel configuration (PROTOCOL.md §1.3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cxone::common::IdRef;

/// `preContactForm`: the fields a customer fills in before the first message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreContactForm {
    /// Form id (read by neither SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Form name (iOS requires it).
    pub name: String,
    /// Channels the form is attached to. Android requires the key and ignores the form unless
    /// the current channel is listed; iOS does not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<IdRef>>,
    /// The fields, in display order.
    pub custom_fields: Vec<PreContactCustomField>,
}

impl PreContactForm {
    /// Whether the form applies to `channel_id`: listed in `channels` (Android's check), or no
    /// `channels` key at all (iOS never checks).
    pub fn applies_to(&self, channel_id: &str) -> bool {
        self.channels
            .as_ref()
            .is_none_or(|channels| channels.iter().any(|c| c.id == channel_id))
    }

    /// Whether at least one field has a type the SDKs can render (Android drops a form
    /// without any).
    pub fn has_known_fields(&self) -> bool {
        self.custom_fields
            .iter()
            .any(|f| f.definition.field_type.is_known())
    }

    /// The fields the customer must fill in.
    pub fn required_fields(&self) -> impl Iterator<Item = &FieldDefinition> {
        self.custom_fields
            .iter()
            .filter(|f| f.is_required)
            .map(|f| &f.definition)
    }
}

/// One entry of `customFields`: `{ "isRequired", "definition" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreContactCustomField {
    /// Whether an answer is mandatory.
    pub is_required: bool,
    /// The field.
    pub definition: FieldDefinition,
}

/// A custom-field definition: `{ "ident", "label", "type", "values" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDefinition {
    /// Identifier; the key of the value sent in `SendMessage` / `SetContactCustomFields`.
    pub ident: String,
    /// Display label.
    pub label: String,
    /// Field type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Options of `list` and `tree` fields (the back end sends `[]` for the others); see
    /// [`FieldDefinition::options`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<FieldOption>>,
}

impl FieldDefinition {
    /// The options (`values`), empty when there are none.
    pub fn options(&self) -> &[FieldOption] {
        self.values.as_deref().unwrap_or_default()
    }

    /// The option identifier for `answer`, which may be an identifier already or a label. The
    /// identifier, not the label, is what gets sent (iOS converts labels before sending).
    pub fn identifier_for(&self, answer: &str) -> Option<&str> {
        let by_name = self.options().iter().find(|o| o.name == answer);
        by_name
            .or_else(|| self.options().iter().find(|o| o.value == answer))
            .map(|o| o.name.as_str())
    }

    /// The label of option `name`.
    pub fn label_for(&self, name: &str) -> Option<&str> {
        self.options()
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.value.as_str())
    }

    /// The children of `parent` in a `tree` field (`None`: the roots).
    pub fn children<'a>(
        &'a self,
        parent: Option<&'a str>,
    ) -> impl Iterator<Item = &'a FieldOption> {
        self.options()
            .iter()
            .filter(move |o| o.parent_id.as_deref() == parent)
    }
}

/// An option of a `list` or a node of a `tree`: `{ "name", "value", "parentId"? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOption {
    /// Identifier of the option (what is sent).
    pub name: String,
    /// Display label.
    pub value: String,
    /// Parent node of a tree option (`null`/absent for roots and list options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// Definition `type`. Unknown types are kept (Android skips such fields; iOS would reject the
/// whole configuration, which is worse than showing the other fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// An e-mail address.
    Email,
    /// One option of `values`.
    List,
    /// A leaf of the hierarchy in `values`.
    Tree,
    /// Any other value, as received.
    Other(String),
}

impl FieldType {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::List => "list",
            Self::Tree => "tree",
            Self::Other(s) => s,
        }
    }

    /// Whether the SDKs can render a field of this type.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let kind = String::deserialize(deserializer)?;
        Ok(match kind.as_str() {
            "text" => Self::Text,
            "email" => Self::Email,
            "list" => Self::List,
            "tree" => Self::Tree,
            _ => Self::Other(kind),
        })
    }
}
