//! The JSON layout of earlier releases, read once to import it into the state database:
//!
//! ```text
//! <state_dir>/sessions/<name>/session.json   SessionRecord, versioned JSON
//! <state_dir>/sessions/<name>/outbox.json    {"version":1,"messages":[QueuedMessage…]}
//! <state_dir>/sessions/<name>/lock           an flock per session
//! ```
//!
//! Damaged files are read the way the old store read them: the file is moved aside
//! (`*.corrupt-<ms>`, left for a person to look at) and every queued message that still decodes
//! is imported and reported. The files are removed only after the import is committed, so a
//! crash during the import imports them again on the next start (rows are keyed by name and
//! message id: nothing is doubled).

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::outbox::{QueuedMessage, Salvage};
use super::record::{SESSION_SCHEMA_VERSION, SessionRecord};
use super::{StoreError, document, files};

/// The files of one session.
pub(crate) const SESSION_FILE: &str = "session.json";
pub(crate) const OUTBOX_FILE: &str = "outbox.json";
const LOCK_FILE: &str = "lock";

/// One session of the old layout, as far as it could be read.
pub(crate) struct LegacySession {
    pub name: String,
    pub record: Option<SessionRecord>,
    pub messages: Vec<QueuedMessage>,
    /// An outbox that was damaged, salvaged.
    pub salvage: Option<Salvage>,
}

/// The old outbox file's body.
#[derive(Default, Serialize, Deserialize)]
struct OutboxFile {
    messages: Vec<QueuedMessage>,
}

/// Reads every session directory under `sessions_dir`. A file from a newer release stops the
/// import (nothing is imported, nothing removed).
pub(crate) fn read_all(sessions_dir: &Path) -> Result<Vec<LegacySession>, StoreError> {
    let err = |source| StoreError::ListSessions {
        path: sessions_dir.to_owned(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(sessions_dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let dir = entry.path();
        if super::check_session_name(&name).is_err() || !dir.is_dir() {
            continue;
        }
        if !dir.join(SESSION_FILE).is_file() && !dir.join(OUTBOX_FILE).is_file() {
            continue;
        }
        found.push(read_session(&dir, &name)?);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn read_session(dir: &Path, name: &str) -> Result<LegacySession, StoreError> {
    let record = match document::read::<SessionRecord>(
        &dir.join(SESSION_FILE),
        SESSION_SCHEMA_VERSION,
    ) {
        Ok(r) => r,
        // Moved aside and logged: the session starts afresh, as the old store did.
        Err(e @ StoreError::Corrupt { .. }) => {
            tracing::error!(session = name, error = %e, "a damaged session record was not imported");
            None
        }
        Err(e) => return Err(e),
    };
    let path = dir.join(OUTBOX_FILE);
    let (messages, salvage) = match document::read::<OutboxFile>(&path, 1) {
        Ok(file) => (file.unwrap_or_default().messages, None),
        Err(StoreError::Corrupt {
            moved_to, reason, ..
        }) => {
            let bytes = std::fs::read(&moved_to).unwrap_or_default();
            let messages = salvage(&bytes, name);
            // Each message starts with its `"session"` key: those seen but not read are lost.
            let unreadable = count(&bytes, b"\"session\"").saturating_sub(messages.len());
            let report = Salvage {
                damaged: moved_to,
                reason,
                kept: messages.len(),
                unreadable,
                // A document that does not parse may have been cut short: what followed the
                // cut cannot be counted.
                complete: false,
            };
            (messages, Some(report))
        }
        Err(e) => return Err(e),
    };
    // A copied directory's messages carry another session's identity: not sent from this one.
    let mut seen = HashSet::new();
    let messages = messages
        .into_iter()
        .filter(|m| m.session == name && seen.insert(m.message_id))
        .collect();
    Ok(LegacySession {
        name: name.to_owned(),
        record,
        messages,
        salvage,
    })
}

/// Removes the imported files of `name` (the damaged copies stay for a person to look at) and
/// its directory once empty.
pub(crate) fn remove_imported(sessions_dir: &Path, name: &str) {
    let dir = sessions_dir.join(name);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let ours = [SESSION_FILE, OUTBOX_FILE, LOCK_FILE].contains(&file.as_ref())
            || [SESSION_FILE, OUTBOX_FILE]
                .iter()
                .any(|f| files::is_stray_temp_of(&file, f));
        if ours && let Err(e) = std::fs::remove_file(entry.path()) {
            tracing::warn!(file = %entry.path().display(), error = %e, "cannot remove an imported state file; remove it by hand");
        }
    }
    let _ = std::fs::remove_dir(&dir);
    let _ = files::sync_dir(sessions_dir);
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

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn message(session: &str, n: usize) -> QueuedMessage {
        QueuedMessage {
            session: session.into(),
            thread_id: Uuid::new_v4(),
            message_id: Uuid::new_v4(),
            frame: format!("{{\"n\":{n},\"text\":\"{{ not a brace }}\"}}"),
            enqueued_at: 1,
            seq: 0,
        }
    }

    #[test]
    fn a_damaged_old_outbox_gives_back_every_message_it_still_holds() {
        let dir = tempfile::tempdir().unwrap();
        let session = dir.path().join("s");
        std::fs::create_dir(&session).unwrap();
        let sent: Vec<_> = (0..4).map(|n| message("s", n)).collect();
        // As the old store wrote it: the version first, each message's fields in their order.
        let body = serde_json::to_string_pretty(&OutboxFile {
            messages: sent.clone(),
        })
        .unwrap();
        let whole = body.replacen('{', "{\n  \"version\": 1,", 1).into_bytes();
        let keys: Vec<usize> = whole
            .windows(11)
            .enumerate()
            .filter(|(_, w)| *w == b"\"messageId\"")
            .map(|(i, _)| i)
            .collect();
        // Cut in the middle of the third message: the first two come back, the rest is lost.
        std::fs::write(session.join(OUTBOX_FILE), &whole[..keys[2] + 5]).unwrap();
        let read = read_session(&session, "s").unwrap();
        let ids: Vec<_> = read.messages.iter().map(|m| m.message_id).collect();
        assert_eq!(ids, [sent[0].message_id, sent[1].message_id]);
        let report = read.salvage.expect("reported");
        assert_eq!((report.kept, report.unreadable), (2, 1), "{report:?}");
        assert!(report.damaged.exists(), "the damaged file is kept aside");

        // Nothing readable at all (empty, not UTF-8): reported, nothing invented.
        for junk in [&b""[..], &b"\xff\xfe\x00garbage"[..]] {
            std::fs::write(session.join(OUTBOX_FILE), junk).unwrap();
            let read = read_session(&session, "s").unwrap();
            assert!(read.messages.is_empty());
            assert_eq!(read.salvage.map(|r| r.kept), Some(0));
        }

        // Another session's message in the file is not imported for this one.
        let foreign = message("other", 9);
        std::fs::write(
            session.join(OUTBOX_FILE),
            serde_json::to_vec(&serde_json::json!({"version": 1, "messages": [foreign]})).unwrap(),
        )
        .unwrap();
        assert!(read_session(&session, "s").unwrap().messages.is_empty());
    }
}
