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
use std::path::{Path, PathBuf};

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

/// What was saved of a damaged outbox: the file was moved aside, every message that could
/// still be read from it was queued again, and the host must hear of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Salvage {
    /// Where the damaged file is now.
    pub damaged: PathBuf,
    /// What was wrong with it.
    pub reason: String,
    /// Messages read back and queued again.
    pub kept: usize,
    /// Messages it seems to have held that could not be read (an estimate from the text).
    pub unreadable: usize,
}

/// The queued messages of `session`, oldest first.
pub(crate) fn pending(
    path: &Path,
    session: &str,
) -> Result<(Vec<QueuedMessage>, Option<Salvage>), StoreError> {
    let (file, salvage) = load(path, session)?;
    Ok((file.messages, salvage))
}

/// Queues a message; it is on disk when this returns `Added`.
pub(crate) fn enqueue(
    path: &Path,
    session: &str,
    msg: Outgoing,
) -> Result<(Enqueued, Option<Salvage>), StoreError> {
    // A frame that is not JSON could never be sent: refuse it now, not after a restart.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&msg.frame) {
        return Err(StoreError::InvalidFrame {
            message_id: msg.message_id,
            reason: document::describe(&e),
        });
    }
    let (mut file, salvage) = load(path, session)?;
    if file.messages.iter().any(|m| m.message_id == msg.message_id) {
        return Ok((Enqueued::AlreadyQueued, salvage));
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
    Ok((Enqueued::Added, salvage))
}

/// Removes a message once the back end acknowledged it; durable on return. Returns whether it
/// was queued (`false` — nothing written — for an unknown id, e.g. a message that was sent
/// directly rather than through the outbox).
pub(crate) fn mark_sent(
    path: &Path,
    session: &str,
    message_id: Uuid,
) -> Result<(bool, Option<Salvage>), StoreError> {
    let (mut file, salvage) = load(path, session)?;
    let before = file.messages.len();
    file.messages.retain(|m| m.message_id != message_id);
    if file.messages.len() == before {
        return Ok((false, salvage));
    }
    save(path, &file)?;
    Ok((true, salvage))
}

/// The outbox; a damaged one is moved aside, what can be read of it queued again.
fn load(path: &Path, session: &str) -> Result<(OutboxFile, Option<Salvage>), StoreError> {
    let read = match document::read::<OutboxFile>(path, OUTBOX_SCHEMA_VERSION) {
        Ok(file) => file,
        Err(StoreError::Corrupt {
            moved_to, reason, ..
        }) => {
            let bytes = std::fs::read(&moved_to).unwrap_or_default();
            let messages = salvage(&bytes, session);
            // Each message starts with its `"session"` key: those seen but not read are lost.
            let unreadable = count(&bytes, b"\"session\"").saturating_sub(messages.len());
            let file = OutboxFile { messages };
            if !file.messages.is_empty() {
                save(path, &file)?;
            }
            let report = Salvage {
                damaged: moved_to,
                reason,
                kept: file.messages.len(),
                unreadable,
            };
            return Ok((file, Some(report)));
        }
        Err(e) => return Err(e),
    };
    let mut file = read.unwrap_or_default();
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
    Ok((file, None))
}

/// Every queued message of `session` that can still be read from a damaged outbox: each JSON
/// object that decodes as one, wherever it starts (a cut-off file keeps those before the cut;
/// garbage in the middle loses only what it overwrote), in file order, without duplicates.
fn salvage(bytes: &[u8], session: &str) -> Vec<QueuedMessage> {
    let mut found: Vec<QueuedMessage> = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|b| *b == b'{') {
        let start = at + offset;
        let mut stream =
            serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<QueuedMessage>();
        match stream.next() {
            Some(Ok(m)) => {
                at = start + stream.byte_offset();
                if m.session == session && !found.iter().any(|f| f.message_id == m.message_id) {
                    found.push(m);
                }
            }
            _ => at = start + 1,
        }
    }
    found
}

/// How many times `needle` occurs in `hay`.
fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
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
        assert!(!mark_sent(&path, "s", Uuid::new_v4()).unwrap().0);
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
        assert!(pending(&path, "b").unwrap().0.is_empty());
    }

    #[test]
    fn a_damaged_outbox_gives_back_every_message_it_still_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        let sent: Vec<Outgoing> = (0..4)
            .map(|i| outgoing(&format!("{{\"n\":{i},\"text\":\"{{ not a brace }}\"}}")))
            .collect();
        for o in &sent {
            enqueue(&path, "s", o.clone()).unwrap();
        }
        let whole = std::fs::read(&path).unwrap();
        let ids = |m: &[QueuedMessage]| m.iter().map(|m| m.message_id).collect::<Vec<_>>();
        let frames: Vec<Uuid> = sent.iter().map(|o| o.message_id).collect();

        // Where each message's `"messageId"` key is.
        let keys: Vec<usize> = whole
            .windows(11)
            .enumerate()
            .filter(|(_, w)| *w == b"\"messageId\"")
            .map(|(i, _)| i)
            .collect();
        assert_eq!(keys.len(), 4);
        // Cut in the middle of the third message: the first two come back, the rest is lost.
        std::fs::write(&path, &whole[..keys[2] + 5]).unwrap();
        let (kept, report) = pending(&path, "s").unwrap();
        assert_eq!(ids(&kept), frames[..2]);
        let report = report.expect("reported");
        assert_eq!(
            (report.kept, report.unreadable),
            (2, 1),
            "the third was begun, the fourth left no trace: {report:?}"
        );
        assert!(report.damaged.exists(), "the damaged file is kept aside");
        // Queued again, on disk: the next read finds them without another report.
        let (again, none) = pending(&path, "s").unwrap();
        assert_eq!((ids(&again), none), (frames[..2].to_vec(), None));

        // Garbage over the second message: the others survive.
        let mut garbled = whole.clone();
        garbled[keys[1] - 20..keys[1] + 60].fill(b'#');
        std::fs::write(&path, &garbled).unwrap();
        let (kept, report) = pending(&path, "s").unwrap();
        assert_eq!(ids(&kept), [frames[0], frames[2], frames[3]]);
        assert_eq!(report.unwrap().kept, 3);

        // Nothing readable at all (empty, not UTF-8): reported, nothing invented.
        for junk in [&b""[..], &b"\xff\xfe\x00garbage"[..]] {
            std::fs::write(&path, junk).unwrap();
            let (kept, report) = pending(&path, "s").unwrap();
            assert!(kept.is_empty());
            assert_eq!(report.map(|r| r.kept), Some(0));
        }
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
