//! Messages, their authors and attachments.

use schemars::JsonSchema;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::{MessageContent, Timestamp};

/// One message of a thread, in either direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message id (a UUID). For messages the host sent, the `clientMessageId` it chose.
    pub id: String,
    /// The thread the message belongs to.
    pub thread_id: String,
    /// Who sent it.
    pub direction: MessageDirection,
    /// Where it is on its way.
    pub status: MessageStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// Its author, when known (automated messages have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    /// The text to show. For rich content, its main text or the back end's fallback text; may be
    /// empty for a message made only of attachments.
    pub text: String,
    /// The postback a button press sent with this message, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback: Option<String>,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// The message's structured content; `{"type": "text"}` for plain text.
    pub content: MessageContent,
    /// For anything but plain text: the back end's `messageContent` as received, so that a host
    /// can render what this API does not model (plugins such as galleries, menus, satisfaction
    /// surveys, adaptive cards and forms arrive as `unsupported` content with their fallback
    /// text, and whole here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_content: Option<serde_json::Value>,
}

/// The direction of a message, in the contact centre's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MessageDirection {
    /// From the customer to the contact centre (sent by this host application).
    Inbound,
    /// From the contact centre (an agent or a bot) to the customer.
    Outbound,
}

/// Where a message is on its way. Statuses only move forward, except to `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MessageStatus {
    /// Accepted by the daemon; waiting for a connection to the back end.
    Queued,
    /// Written to the back end, not yet confirmed.
    Sent,
    /// Confirmed by the back end.
    Delivered,
    /// Seen by the other side (shown on screen).
    Seen,
    /// Read by the other side.
    Read,
    /// Not delivered; a `message.updated` event carries the error.
    Failed,
}

/// Who wrote a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Author {
    /// An agent or a bot of the contact centre.
    Agent(Agent),
    /// The customer.
    Customer(CustomerAuthor),
}

/// An agent (or bot) of the contact centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The agent's numeric id.
    pub id: u64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Nickname, when the agent has one; show it instead of the names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// URL of the agent's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Whether this "agent" is a bot.
    pub is_bot: bool,
}

/// The customer as the author of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAuthor {
    /// The customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// A file attached to a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Where to download it.
    pub url: String,
    /// The file name to show and save under.
    pub file_name: String,
    /// Its MIME type.
    pub mime_type: String,
}

/// A file to send with `thread.send`: a path the daemon can read, or the bytes inline.
///
/// Prefer `path` for large files (lines have a maximum length). The path must be readable by the
/// daemon's user, so under a systemd sandbox use a directory both can see, not a private `/tmp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum AttachmentInput {
    /// A file on disk.
    #[serde(rename_all = "camelCase")]
    Path {
        /// Absolute path of the file.
        path: String,
        /// The name to show; the path's file name when left out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_name: Option<String>,
        /// The MIME type; guessed from the extension when left out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
    },
    /// The file's bytes in the request.
    #[serde(rename_all = "camelCase")]
    Inline {
        /// The bytes, base64-encoded (standard alphabet, padding optional).
        data: String,
        /// The name to show.
        file_name: String,
        /// The MIME type.
        mime_type: String,
    },
}

/// Every member an attachment input may have, to pick the variant and name what is wrong.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AttachmentFields {
    path: Option<String>,
    data: Option<String>,
    file_name: Option<String>,
    mime_type: Option<String>,
}

/// Decides by the member present (`path` or `data`) instead of trying variants in turn, so a
/// mistake is reported as "missing field `mimeType`" rather than "did not match any variant".
impl<'de> Deserialize<'de> for AttachmentInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = AttachmentFields::deserialize(d)?;
        match (f.path, f.data) {
            (Some(path), None) => Ok(AttachmentInput::Path {
                path,
                file_name: f.file_name,
                mime_type: f.mime_type,
            }),
            (None, Some(data)) => Ok(AttachmentInput::Inline {
                data,
                file_name: f
                    .file_name
                    .ok_or_else(|| D::Error::missing_field("fileName"))?,
                mime_type: f
                    .mime_type
                    .ok_or_else(|| D::Error::missing_field("mimeType"))?,
            }),
            (Some(_), Some(_)) => Err(D::Error::custom(
                "an attachment has `path` or `data`, not both",
            )),
            (None, None) => Err(D::Error::custom("an attachment needs `path` or `data`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn attachment_inputs() {
        let p: AttachmentInput = serde_json::from_value(json!({"path": "/srv/a.png"})).unwrap();
        assert!(matches!(p, AttachmentInput::Path { .. }));
        let i: AttachmentInput = serde_json::from_value(
            json!({"data": "aGk=", "fileName": "hi.txt", "mimeType": "text/plain"}),
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&i).unwrap()["fileName"], "hi.txt");
        for (bad, says) in [
            (json!({"data": "aGk=", "fileName": "hi.txt"}), "mimeType"),
            (json!({"path": "/a", "data": "aGk="}), "not both"),
            (json!({}), "needs"),
            (json!({"path": "/a", "size": 1}), "size"),
        ] {
            let e = serde_json::from_value::<AttachmentInput>(bad)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{e}");
        }
    }

    #[test]
    fn author_is_tagged_by_type() {
        let a = Author::Customer(CustomerAuthor {
            id: Some("c".into()),
            first_name: None,
            last_name: None,
        });
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            json!({"type": "customer", "id": "c"})
        );
    }
}
