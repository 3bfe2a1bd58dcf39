//! The daemon's own view of a conversation: the messages, contacts and thread states the thread
//! registry keeps. These are neither wire types of the back end nor of the local API: they hold
//! what the daemon needs to decide (ordering, de-duplication, delivery progress, whether a
//! thread takes messages), and `to_api.rs` renders them for the host.
//!
//! What the daemon only shows and never interprets stays in the back end's form: a message's
//! content (`cxone::content`: the SDKs' rich-content taxonomy, rendered once in `to_api.rs`),
//! an agent, a custom field and an instant (`cxone::time::Timestamp`, which keeps the text as
//! received and orders by the instant).

use cxone_chat_protocol::cxone::common::{Agent, ContactStatus};
use cxone_chat_protocol::cxone::content::{InactivityPopup, MessageContent as Content};
use cxone_chat_protocol::cxone::message::{Direction as CxDirection, Message as CxMessage};
use cxone_chat_protocol::cxone::time::Timestamp;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Written by the customer (the back end's `inbound`).
    FromCustomer,
    /// Written by an agent, a bot or the brand (`outbound`).
    ToCustomer,
}

/// How far a message has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Delivery {
    /// Accepted, in the outbox or on its way to the socket.
    Queued,
    /// The back end acknowledged it.
    Sent,
    /// On the back end (its echo arrived, or it came from there).
    Delivered,
    /// An agent saw it.
    Seen,
    /// An agent read it.
    Read,
    /// It could not be sent.
    Failed,
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Author {
    /// An agent or bot.
    Agent(Agent),
    /// The customer, as the back end names them.
    Customer {
        /// The customer id.
        id: String,
        /// First name, when known.
        first_name: Option<String>,
        /// Last name, when known.
        last_name: Option<String>,
    },
}

/// A file attached to a message, where it can be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attachment {
    /// Download URL.
    pub(crate) url: String,
    /// File name.
    pub(crate) file_name: String,
    /// MIME type.
    pub(crate) mime_type: String,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChatMessage {
    /// Its id, lowercase (the back end compares ids case-insensitively).
    pub(crate) id: String,
    /// Its thread's id, lowercase.
    pub(crate) thread_id: String,
    /// Which way it went.
    pub(crate) direction: Direction,
    /// How far it has got.
    pub(crate) status: Delivery,
    /// When it was written (the back end's millisecond time when it gives one).
    pub(crate) created_at: Timestamp,
    /// Who wrote it, when the back end says.
    pub(crate) author: Option<Author>,
    /// What it says.
    pub(crate) content: Content,
    /// Its files.
    pub(crate) attachments: Vec<Attachment>,
}

impl ChatMessage {
    /// A message as the back end sent it, with the status its statistics give.
    pub(crate) fn from_backend(m: &CxMessage) -> Self {
        let direction = match m.direction() {
            CxDirection::Inbound => Direction::FromCustomer,
            CxDirection::Outbound => Direction::ToCustomer,
        };
        let author = match direction {
            Direction::ToCustomer => m.author_user.clone().map(Author::Agent),
            Direction::FromCustomer => {
                m.author_end_user_identity
                    .as_ref()
                    .map(|c| Author::Customer {
                        id: c.id_on_external_platform.clone(),
                        first_name: c.first_name.clone().filter(|s| !s.is_empty()),
                        last_name: c.last_name.clone().filter(|s| !s.is_empty()),
                    })
            }
        };
        Self {
            id: m.id_on_external_platform.to_lowercase(),
            thread_id: m.thread_id().map(|t| t.to_lowercase()).unwrap_or_default(),
            direction,
            status: server_status(m),
            created_at: m
                .created_at_with_milliseconds
                .clone()
                .unwrap_or_else(|| m.created_at.clone()),
            author,
            content: m.message_content.clone(),
            attachments: m
                .attachments
                .iter()
                .map(|a| Attachment {
                    url: a.url.clone(),
                    file_name: a
                        .file_name
                        .clone()
                        .unwrap_or_else(|| a.friendly_name.clone()),
                    mime_type: a.mime_type.clone(),
                })
                .collect(),
        }
    }

    /// A message written here (the customer's, or the welcome shown in a new thread), at
    /// `created_at`.
    pub(crate) fn local(
        id: &str,
        thread_id: &str,
        direction: Direction,
        status: Delivery,
        created_at: Timestamp,
        content: Content,
        attachments: Vec<Attachment>,
    ) -> Self {
        Self {
            id: id.to_lowercase(),
            thread_id: thread_id.to_lowercase(),
            direction,
            status,
            created_at,
            author: None,
            content,
            attachments,
        }
    }

    /// The plain text of a text message (the welcome's, the customer's); empty for others.
    pub(crate) fn text(&self) -> &str {
        match &self.content {
            Content::Text(t) => &t.text,
            Content::Postback(p) => &p.text,
            _ => "",
        }
    }

    /// An agent's message the customer has not read yet (PROTOCOL.md §6.1).
    pub(crate) fn is_unread(&self) -> bool {
        self.direction == Direction::ToCustomer && self.status == Delivery::Delivered
    }
}

/// The status of a message as the back end knows it (PROTOCOL.md §6.1).
///
/// Each side's statistics count for the other side's messages only: a customer's message is
/// `read` once an agent read it (`userStatistics.readAt`), `seen` once an agent saw it; an agent's
/// message is `read` once the customer saw it (`customerStatistics.seenAt`, set by
/// `MessageSeenByCustomer`) and `delivered` until then. The back end stamps an agent's own
/// message `userStatistics.readAt` when it is written (its author read it), so iOS, which reads
/// `userStatistics` for every message, shows agents' answers as seen at once; that is the agents'
/// side, not the customer's, and a kiosk's unread badge would never light.
pub(crate) fn server_status(m: &CxMessage) -> Delivery {
    match m.direction() {
        CxDirection::Outbound => match &m.customer_statistics {
            Some(s) if s.seen_at.is_some() => Delivery::Read,
            _ => Delivery::Delivered,
        },
        CxDirection::Inbound => match &m.user_statistics {
            Some(s) if s.read_at.is_some() => Delivery::Read,
            Some(s) if s.seen_at.is_some() => Delivery::Seen,
            _ => Delivery::Delivered,
        },
    }
}

/// Where a thread stands (PROTOCOL.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThreadState {
    /// Created here; the back end learns of it with its first message.
    Pending,
    /// Listed by the back end; nothing loaded yet.
    Received,
    /// Its metadata (last message, agent) loaded.
    Loaded,
    /// Recovered or active: takes messages.
    Ready,
    /// Closed for good.
    Closed,
}

/// A live chat's open inactivity popup (PROTOCOL.md §3.9.7).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpenPopup {
    /// The hidden message that carried it.
    pub(crate) message_id: String,
    /// What it says.
    pub(crate) popup: InactivityPopup,
}

impl OpenPopup {
    /// The popup a message carries, if it is one.
    pub(crate) fn of(m: &ChatMessage) -> Option<Self> {
        match &m.content {
            Content::InactivityPopup(p) => Some(Self {
                message_id: m.id.clone(),
                popup: p.popup().clone(),
            }),
            _ => None,
        }
    }

    /// Whether a postback is one of its buttons' (the customer answering it).
    pub(crate) fn is_answered_by(&self, postback: &str) -> bool {
        postback == self.popup.refresh.postback || postback == self.popup.expire.postback
    }
}

/// A thread's contact (the back end's case).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    /// Contact id.
    pub(crate) id: String,
    /// Its status.
    pub(crate) status: ContactStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(json: serde_json::Value) -> CxMessage {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_backend_message_keeps_its_millisecond_time_its_author_and_its_files() {
        let m = ChatMessage::from_backend(&backend(serde_json::json!({
            "idOnExternalPlatform": "2FC774F7-3FC0-4619-B097-8DF52E7D8295",
            "threadIdOnExternalPlatform": "3118D0DF-99AA-49E9-A115-C5B98736DEE7",
            "messageContent": {"type": "TEXT", "payload": {"text": "hi"}},
            "createdAt": "2024-01-01T10:00:00+00:00",
            "createdAtWithMilliseconds": "2024-01-01T10:00:00.250+00:00",
            "direction": "outbound",
            "attachments": [{"url": "https://x/a.png", "friendlyName": "a.png", "mimeType": "image/png"}],
            "userStatistics": {"readAt": "2024-01-01T10:00:00+00:00"},
            "customerStatistics": {"seenAt": null},
            "authorUser": {"id": 5, "firstName": "Ann", "surname": "Lee", "isBotUser": false,
                "isSurveyUser": false, "publicImageUrl": ""}
        })));
        assert_eq!(m.id, "2fc774f7-3fc0-4619-b097-8df52e7d8295");
        assert_eq!(m.thread_id, "3118d0df-99aa-49e9-a115-c5b98736dee7");
        assert_eq!(m.direction, Direction::ToCustomer);
        assert_eq!(
            m.status,
            Delivery::Delivered,
            "its author reading it is not the customer"
        );
        assert_eq!(m.created_at.unix_ms() % 1000, 250);
        assert!(matches!(&m.author, Some(Author::Agent(a)) if a.first_name == "Ann"));
        assert_eq!(
            m.attachments[0].file_name, "a.png",
            "friendlyName stands in"
        );
        assert_eq!(m.text(), "hi");
        assert!(m.is_unread(), "the customer has not seen it");
    }

    #[test]
    fn each_sides_statistics_count_for_the_other_sides_messages() {
        let message = |direction: &str, user: serde_json::Value, customer: serde_json::Value| {
            ChatMessage::from_backend(&backend(serde_json::json!({
                "idOnExternalPlatform": "2fc774f7-3fc0-4619-b097-8df52e7d8295",
                "threadIdOnExternalPlatform": "3118d0df-99aa-49e9-a115-c5b98736dee7",
                "messageContent": {"type": "TEXT", "payload": {"text": "hi"}},
                "createdAt": "2024-01-01T10:00:00+00:00", "direction": direction,
                "attachments": [], "userStatistics": user, "customerStatistics": customer
            })))
            .status
        };
        let at = serde_json::json!("2024-01-01T10:00:05+00:00");
        let none = serde_json::json!({});
        // An agent's message: only the customer's side counts.
        let seen = serde_json::json!({"seenAt": at});
        assert_eq!(
            message("outbound", none.clone(), seen.clone()),
            Delivery::Read
        );
        let read = serde_json::json!({"readAt": at, "seenAt": at});
        assert_eq!(
            message("outbound", read.clone(), none.clone()),
            Delivery::Delivered
        );
        // The customer's message: only the agents' side counts.
        assert_eq!(message("inbound", read, none.clone()), Delivery::Read);
        assert_eq!(
            message("inbound", seen.clone(), none.clone()),
            Delivery::Seen
        );
        assert_eq!(message("inbound", none, seen), Delivery::Delivered);
    }
}
