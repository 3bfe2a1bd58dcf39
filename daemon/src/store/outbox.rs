//! The durable outbox, `outbox.json`: messages a host sent while the connection was down, kept
//! until the back end acknowledged them, so they are delivered after a reconnect — or after a
//! daemon restart — exactly once and in order.
//!
//! Each entry keeps the exact frame text that will be sent, so a re-send after a restart carries
//! the same bytes and the same message id as the first attempt would have. The file is one
//! versioned JSON document rewritten atomically on every change (queues are short: messages
//! typed during an outage), so after a crash each message is either still queued or was marked
//! sent — never half-written, never lost.
//!
//! What the store cannot know is whether a frame reached the back end when the daemon died
//! between writing it to the socket and `mark_sent`. Such a message is sent again after the
//! restart with the same message id, which the back end recognises; the store itself never holds
//! a message twice.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{StoreError, document, files};

/// The schema version `outbox.json` is written with, and the newest this build reads.
pub const OUTBOX_SCHEMA_VERSION: u32 = 1;

/// A message to queue, as the thread registry has it.
#[derive(Clone, PartialEq)]
pub struct Outgoing {
    /// The thread it goes to.
    pub thread_id: Uuid,
    /// Its id (`idOnExternalPlatform`), which makes a re-send recognisable.
    pub message_id: Uuid,
    /// The exact CXone frame text to send. It is all the store keeps of a message: the thread
    /// shows a queued message read back from it, so the store holds no API shapes.
    pub frame: String,
    /// Its place in the session's send order (increasing, across restarts too): a message
    /// queued late — one whose connection dropped under it — still goes out before the
    /// messages sent after it. 0 for "after everything queued".
    pub seq: u64,
}

/// A queued message as stored.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedMessage {
    /// The session it belongs to.
    pub session: String,
    /// The thread it goes to.
    pub thread_id: Uuid,
    /// Its id.
    pub message_id: Uuid,
    /// The exact CXone frame text to send, byte for byte what was queued. (Files written
    /// before this build also hold a `message` field, the API's view; it is ignored.)
    pub frame: String,
    /// When it was queued, in Unix milliseconds.
    pub enqueued_at: i64,
    /// Its place in the send order ([`Outgoing::seq`]); 0 in files written before it existed.
    #[serde(default)]
    pub seq: u64,
}

/// What [`SessionStore::enqueue`](super::SessionStore::enqueue) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    /// The message is now queued (durably).
    Added,
    /// A message with this id was already queued; the first one is kept unchanged, because its
    /// frame is what the host was told would be sent.
    AlreadyQueued,
}

/// The file's body.
#[derive(Default, Serialize, Deserialize)]
struct OutboxFile {
    messages: Vec<QueuedMessage>,
}

/// The queued messages of `session`, oldest first.
pub(crate) fn pending(path: &Path, session: &str) -> Result<Vec<QueuedMessage>, StoreError> {
    Ok(load(path, session)?.messages)
}

/// Queues a message; it is on disk when this returns `Added`.
pub(crate) fn enqueue(path: &Path, session: &str, msg: Outgoing) -> Result<Enqueued, StoreError> {
    // A frame that is not JSON could never be sent: refuse it now, not after a restart.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&msg.frame) {
        return Err(StoreError::InvalidFrame {
            message_id: msg.message_id,
            reason: document::describe(&e),
        });
    }
    let mut file = load(path, session)?;
    if file.messages.iter().any(|m| m.message_id == msg.message_id) {
        return Ok(Enqueued::AlreadyQueued);
    }
    // In send order: before the first message that was sent after it.
    let at = match msg.seq {
        0 => file.messages.len(),
        seq => file
            .messages
            .iter()
            .position(|m| m.seq > seq)
            .unwrap_or(file.messages.len()),
    };
    file.messages.insert(
        at,
        QueuedMessage {
            session: session.to_owned(),
            thread_id: msg.thread_id,
            message_id: msg.message_id,
            frame: msg.frame,
            enqueued_at: files::now_unix_ms(),
            seq: msg.seq,
        },
    );
    save(path, &file)?;
    Ok(Enqueued::Added)
}

/// Removes a message once the back end acknowledged it; durable on return. Returns whether it
/// was queued (`false` — nothing written — for an unknown id, e.g. a message that was sent
/// directly rather than through the outbox).
pub(crate) fn mark_sent(path: &Path, session: &str, message_id: Uuid) -> Result<bool, StoreError> {
    let mut file = load(path, session)?;
    let before = file.messages.len();
    file.messages.retain(|m| m.message_id != message_id);
    if file.messages.len() == before {
        return Ok(false);
    }
    save(path, &file)?;
    Ok(true)
}

fn load(path: &Path, session: &str) -> Result<OutboxFile, StoreError> {
    let mut file = document::read::<OutboxFile>(path, OUTBOX_SCHEMA_VERSION)?.unwrap_or_default();
    // A copied or renamed session directory: its frames carry another session's identity, so
    // sending them from this one would be wrong. Kept aside for a person to look at.
    if let Some(m) = file.messages.iter().find(|m| m.session != session) {
        let reason = format!("it holds a message of session {:?}", m.session);
        return Err(document::quarantine(path, reason));
    }
    // The store never writes a duplicate; should a hand-edited file have one, only the first is
    // sent, as `enqueue` would have done.
    let mut seen = std::collections::HashSet::new();
    file.messages.retain(|m| seen.insert(m.message_id));
    Ok(file)
}

fn save(path: &Path, file: &OutboxFile) -> Result<(), StoreError> {
    document::write(path, OUTBOX_SCHEMA_VERSION, "the outbox", file)
}

/// Message text and frames stay out of logs: a frame may carry a token, a message the
/// customer's words.
impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("thread_id", &self.thread_id)
            .field("message_id", &self.message_id)
            .field("frame", &Redacted(self.frame.len()))
            .finish()
    }
}

impl fmt::Debug for QueuedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuedMessage")
            .field("session", &self.session)
            .field("thread_id", &self.thread_id)
            .field("message_id", &self.message_id)
            .field("frame", &Redacted(self.frame.len()))
            .field("enqueued_at", &self.enqueued_at)
            .finish()
    }
}

/// Prints `<redacted, N bytes>`.
struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted, {} bytes>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(frame: &str) -> Outgoing {
        Outgoing {
            thread_id: Uuid::new_v4(),
            message_id: Uuid::new_v4(),
            frame: frame.into(),
            seq: 0,
        }
    }

    #[test]
    fn a_frame_that_is_not_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        let err = enqueue(&path, "s", outgoing("{\"action\":")).unwrap_err();
        assert!(matches!(err, StoreError::InvalidFrame { .. }), "{err:?}");
        assert!(!path.exists(), "nothing was written");
    }

    #[test]
    fn marking_an_unknown_message_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        assert!(!mark_sent(&path, "s", Uuid::new_v4()).unwrap());
        assert!(!path.exists());
    }

    #[test]
    fn messages_of_another_session_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        enqueue(&path, "a", outgoing("{}")).unwrap();
        let err = pending(&path, "b").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("session \"a\""), "{err}");
        assert!(pending(&path, "b").unwrap().is_empty());
    }

    #[test]
    fn debug_shows_neither_frame_nor_text() {
        let o = outgoing(r#"{"accessToken":{"token":"SECRET-T"}}"#);
        let text = format!("{o:?}");
        assert!(
            !text.contains("SECRET-T") && !text.contains("hello"),
            "{text}"
        );
        assert!(text.contains("redacted"), "{text}");
    }
}
