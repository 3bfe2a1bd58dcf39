//! Message content (PROTOCOL.md §3.9.8). Placeholder until the typed content lands: the raw
//! JSON object is kept as is.

use serde::{Deserialize, Serialize};

/// `messageContent` of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageContent(pub serde_json::Value);
