//! Messages as received (PROTOCOL.md §6.1).

use serde::{Deserialize, Serialize};

use super::common::{Agent, CustomerIdentity, UuidString};
use super::content::MessageContent;
use super::time::Timestamp;

/// A chat message in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Client- or server-minted message id (UUID); the key for de-duplication.
    pub id_on_external_platform: UuidString,
    /// The thread the message belongs to.
    pub thread_id_on_external_platform: UuidString,
    /// What the message says.
    pub message_content: MessageContent,
    /// Creation time (seconds precision on the wire).
    pub created_at: Timestamp,
    /// Creation time with milliseconds; preferred for ordering when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_with_milliseconds: Option<Timestamp>,
    /// `inbound` (customer → agent) or `outbound` (agent/bot → customer).
    pub direction: Direction,
    /// Attachments (may be empty, never absent).
    pub attachments: Vec<Attachment>,
    /// Agent-side statistics: `readAt` set means the agent read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_statistics: Option<UserStatistics>,
    /// Customer-side statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_statistics: Option<CustomerStatistics>,
    /// The agent who wrote an outbound message (null for automated ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_user: Option<Agent>,
    /// The customer who wrote an inbound message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_end_user_identity: Option<CustomerIdentity>,
}

impl Message {
    /// The instant used for ordering: `createdAtWithMilliseconds` when present.
    pub fn sort_key(&self) -> i64 {
        self.created_at_with_milliseconds.as_ref().unwrap_or(&self.created_at).unix_ms()
    }

    /// Whether an agent has read the message (`userStatistics.readAt` set).
    pub fn is_read_by_agent(&self) -> bool {
        self.user_statistics.as_ref().is_some_and(|s| s.read_at.is_some())
    }
}

/// Message direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Customer → agent.
    Inbound,
    /// Agent or bot → customer.
    Outbound,
}

/// A file attached to a message. iOS requires all four fields on received messages; Android
/// omits `fileName` when sending, so it is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Where the file can be downloaded.
    pub url: String,
    /// Display name.
    pub friendly_name: String,
    /// MIME type.
    pub mime_type: String,
    /// File name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// `userStatistics` (agent side).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserStatistics {
    /// When an agent saw the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
    /// When an agent read the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<Timestamp>,
}

/// `customerStatistics` (customer side).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerStatistics {
    /// When the customer saw the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
}
