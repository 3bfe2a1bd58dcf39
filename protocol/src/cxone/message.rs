//! Messages as received (PROTOCOL.md §6.1).
//!
//! Two shapes exist. Current servers send `threadIdOnExternalPlatform` and `direction`. 2022
//! servers (fixtures `ThreadRecovered.json`, `threadMetadaLoaded.json`, `MessageCreated.json`)
//! left the thread id inside the composite `threadId`/`postId` (`chat_<channel>_<thread uuid>`)
//! and wrote `isOwn` (true for the brand's side) instead of `direction`. Both decode; decoding
//! fails unless a UUID thread id and a direction can be found, so [`Message::thread_id`] and
//! [`Message::direction`] always answer for a decoded message.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::common::{Agent, CustomerIdentity, UuidString, derive_thread_id};
use super::content::MessageContent;
use super::time::Timestamp;

/// A chat message in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", remote = "Self")]
pub struct Message {
    /// Client- or server-minted message id (UUID); the key for de-duplication.
    pub id_on_external_platform: UuidString,
    /// The thread the message belongs to; see [`Message::thread_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id_on_external_platform: Option<UuidString>,
    /// Composite server thread id (2022 servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Composite post id (2022 servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// What the message says.
    pub message_content: MessageContent,
    /// Creation time (seconds precision on the wire).
    pub created_at: Timestamp,
    /// Creation time with milliseconds; preferred for ordering when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_with_milliseconds: Option<Timestamp>,
    /// `inbound` (customer → agent) or `outbound` (agent/bot → customer); see
    /// [`Message::direction`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// 2022 servers: true when the brand's side wrote the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_own: Option<bool>,
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

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Message::serialize(self, s)
    }
}
impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let m = Message::deserialize(d)?;
        if m.thread_id().is_none() {
            return Err(D::Error::custom(
                "missing field `threadIdOnExternalPlatform` (and no UUID in `threadId` or `postId`)",
            ));
        }
        if m.direction.is_none() && m.is_own.is_none() {
            return Err(D::Error::custom("missing field `direction`"));
        }
        Ok(m)
    }
}

impl Message {
    /// The thread id, explicit or derived from the composite ids.
    pub fn thread_id(&self) -> Option<UuidString> {
        derive_thread_id(
            self.thread_id_on_external_platform.as_ref(),
            &[self.thread_id.as_deref(), self.post_id.as_deref()],
        )
    }

    /// The direction, explicit or derived from the 2022 `isOwn` flag.
    pub fn direction(&self) -> Direction {
        match (self.direction, self.is_own) {
            (Some(d), _) => d,
            (None, Some(true)) => Direction::Outbound,
            _ => Direction::Inbound,
        }
    }

    /// The instant used for ordering: `createdAtWithMilliseconds` when present.
    pub fn sort_key(&self) -> i64 {
        self.created_at_with_milliseconds
            .as_ref()
            .unwrap_or(&self.created_at)
            .unix_ms()
    }

    /// Whether an agent has read the message (`userStatistics.readAt` set).
    pub fn is_read_by_agent(&self) -> bool {
        self.user_statistics
            .as_ref()
            .is_some_and(|s| s.read_at.is_some())
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
