//! The channel's pre-chat survey: fields to fill before a thread is created.
//!
//! Answers go into `threads.create`'s `customFields`, keyed by each field's `ident`; list and tree
//! answers are the chosen option's `id`, not its label.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The pre-chat survey of a channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreChatSurvey {
    /// The survey's name.
    pub name: String,
    /// Its fields, in display order.
    pub fields: Vec<SurveyField>,
}

/// One survey field, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SurveyField {
    /// Free text.
    Text(SurveyTextField),
    /// An e-mail address.
    Email(SurveyTextField),
    /// One choice out of a flat list.
    List(SurveyChoiceField),
    /// One choice out of a hierarchy; only leaves are valid answers.
    Tree(SurveyTreeField),
}

/// A free-text or e-mail field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SurveyTextField {
    /// The custom field ident the answer is stored under.
    pub ident: String,
    /// The label to show.
    pub label: String,
    /// Whether an answer is required to create a thread.
    pub required: bool,
}

/// A choice from a flat list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SurveyChoiceField {
    /// The custom field ident the answer is stored under.
    pub ident: String,
    /// The label to show.
    pub label: String,
    /// Whether an answer is required to create a thread.
    pub required: bool,
    /// The options, in display order.
    pub options: Vec<SurveyOption>,
}

/// A choice from a hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SurveyTreeField {
    /// The custom field ident the answer is stored under.
    pub ident: String,
    /// The label to show.
    pub label: String,
    /// Whether an answer is required to create a thread.
    pub required: bool,
    /// The top-level nodes, in display order.
    pub nodes: Vec<SurveyNode>,
}

/// An option of a list field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SurveyOption {
    /// The value to send as the answer.
    pub id: String,
    /// The label to show.
    pub label: String,
}

/// A node of a tree field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SurveyNode {
    /// The value to send as the answer (leaves only).
    pub id: String,
    /// The label to show.
    pub label: String,
    /// Child nodes; empty for a leaf.
    pub children: Vec<SurveyNode>,
}
