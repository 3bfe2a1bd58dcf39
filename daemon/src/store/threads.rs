//! The threads a session knows and their latest messages, the `threads` and `messages` tables:
//! what a restarted daemon shows before the back end answers (`threads.list` with names and
//! unread counts, `threads.get` with the conversation), and what it shows while the back end
//! cannot be reached at all.
//!
//! This is a copy of the back end's state, not the only one: the next recovery brings the
//! truth, and a write that is lost costs a thread shown a little out of date after a restart. So
//! these writes are never awaited by a call's answer (ARCHITECTURE.md, "What is durable
//! when"); they go through the same group commits as everything else. Which threads belong to
//! the session is the record's `threadIds` (`record.rs`): rows of a thread not listed there
//! (another customer's, one a recovery dropped) are never read back, and are removed when
//! the session is next restored.
//!
//! Each row holds its record as JSON in the store's own format; a message's content, agent and
//! instants keep the back end's spelling (`cxone` types), so nothing is lost in the round trip.

use std::collections::HashSet;
use std::fmt;

use cxone_chat_protocol::cxone::common::{Agent, ContactStatus, CustomField};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::time::Timestamp;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Messages kept per thread: the newest ones. Older ones are the back end's to give
/// (`thread.loadMore` once connected).
pub const MESSAGES_KEPT: usize = 500;

/// One thread as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredThread {
    /// The id as first written (the back end compares case-insensitively).
    pub id: String,
    /// Its name, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it stands.
    pub state: StoredThreadState,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Its last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The cursor for older history, when there is more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scroll_token: Option<String>,
    /// Its contact (case), once the back end created one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<StoredContact>,
    /// The assigned agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// Contact custom fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomField>,
    /// It waits for the welcome message.
    #[serde(default)]
    pub awaiting_welcome: bool,
    /// Agent messages the customer has not seen that are not among the stored messages.
    #[serde(default)]
    pub unseen_not_loaded: u32,
}

/// A thread's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StoredThreadState {
    /// Created here, not on the back end yet.
    Pending,
    /// Listed by the back end.
    Received,
    /// Its metadata loaded.
    Loaded,
    /// Takes messages.
    Ready,
    /// Closed for good.
    Closed,
}

/// A thread's contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredContact {
    /// Contact id.
    pub id: String,
    /// Its status, as the back end spells it.
    pub status: ContactStatus,
}

/// One message as stored.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredMessage {
    /// Its id, lowercase.
    pub id: String,
    /// Written by the customer (`true`) or to them.
    pub from_customer: bool,
    /// How far it has got.
    pub status: StoredDelivery,
    /// When it was written.
    pub created_at: Timestamp,
    /// Who wrote it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<StoredAuthor>,
    /// What it says, in the back end's form.
    pub content: MessageContent,
    /// Its files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<StoredAttachment>,
}

impl fmt::Debug for StoredMessage {
    // What a customer wrote is never logged (see `store.rs`, "Boundary").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredMessage")
            .field("id", &self.id)
            .field("from_customer", &self.from_customer)
            .field("status", &self.status)
            .field("content", &super::REDACTED)
            .finish_non_exhaustive()
    }
}

/// How far a message has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StoredDelivery {
    /// In the outbox or on its way.
    Queued,
    /// Acknowledged.
    Sent,
    /// On the back end.
    Delivered,
    /// Seen by an agent.
    Seen,
    /// Read (by an agent, or by the customer for an agent's message).
    Read,
    /// Could not be sent.
    Failed,
}

/// Who wrote a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum StoredAuthor {
    /// An agent or bot.
    Agent {
        /// As the back end describes them.
        agent: Agent,
    },
    /// The customer.
    Customer {
        /// Customer id.
        id: String,
        /// First name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
        /// Last name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_name: Option<String>,
    },
}

/// A file of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAttachment {
    /// Download URL.
    pub url: String,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
}

/// A batch of changes to a session's threads, written in one job.
#[derive(Debug, Default)]
pub struct ThreadsWrite {
    /// Threads added or changed (whole records).
    pub threads: Vec<StoredThread>,
    /// Threads forgotten (lowercase ids): their rows and messages go.
    pub removed: Vec<String>,
    /// Messages added or changed: thread (lowercase id), place (the order key), message.
    pub messages: Vec<(String, i64, StoredMessage)>,
    /// Threads (lowercase ids) whose messages beyond [`MESSAGES_KEPT`] are to be dropped.
    pub trim: Vec<String>,
}

impl ThreadsWrite {
    /// Whether it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
            && self.removed.is_empty()
            && self.messages.is_empty()
            && self.trim.is_empty()
    }
}

/// A thread read back, with its newest messages (oldest first, each with its place).
#[derive(Debug, Clone, PartialEq)]
pub struct KeptThread {
    /// The thread.
    pub thread: StoredThread,
    /// Its messages.
    pub messages: Vec<(i64, StoredMessage)>,
}

fn db_err(step: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::database(std::path::Path::new(super::db::DB_FILE), step, &e)
}

fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode { what, source })
}

/// Applies `w` to the rows of `session`.
pub(crate) fn save(c: &Connection, session: &str, w: &ThreadsWrite) -> Result<(), StoreError> {
    for id in &w.removed {
        c.prepare_cached("DELETE FROM threads WHERE session = ?1 AND thread_id = ?2")
            .and_then(|mut s| s.execute(params![session, id]))
            .and_then(|_| {
                c.prepare_cached("DELETE FROM messages WHERE session = ?1 AND thread_id = ?2")?
                    .execute(params![session, id])
            })
            .map_err(db_err("forgetting a thread in"))?;
    }
    for t in &w.threads {
        let record = encode("a thread", t)?;
        c.prepare_cached(
            "INSERT INTO threads (session, thread_id, record) VALUES (?1, ?2, ?3)
             ON CONFLICT (session, thread_id) DO UPDATE SET record = excluded.record",
        )
        .and_then(|mut s| s.execute(params![session, t.id.to_lowercase(), record]))
        .map_err(db_err("saving a thread in"))?;
    }
    for (thread, place, m) in &w.messages {
        let record = encode("a message", m)?;
        c.prepare_cached(
            "INSERT INTO messages (session, thread_id, message_id, place, record)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (session, thread_id, message_id) DO UPDATE SET record = excluded.record",
        )
        .and_then(|mut s| s.execute(params![session, thread, m.id, place, record]))
        .map_err(db_err("saving a message in"))?;
    }
    for thread in &w.trim {
        c.prepare_cached(
            "DELETE FROM messages WHERE session = ?1 AND thread_id = ?2 AND rowid NOT IN (
                 SELECT rowid FROM messages WHERE session = ?1 AND thread_id = ?2
                 ORDER BY place DESC, rowid DESC LIMIT ?3)",
        )
        .and_then(|mut s| s.execute(params![session, thread, MESSAGES_KEPT as i64]))
        .map_err(db_err("dropping a thread's oldest messages in"))?;
    }
    Ok(())
}

/// The stored threads of `session` among `ids` (lowercase), with their newest messages; rows of
/// any other thread are removed. A row that does not decode is removed and skipped, with a
/// warning: the back end has the thread, and a recovery brings it back.
pub(crate) fn load(
    c: &Connection,
    session: &str,
    ids: &[String],
) -> Result<Vec<KeptThread>, StoreError> {
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let rows: Vec<(String, String)> = c
        .prepare_cached("SELECT thread_id, record FROM threads WHERE session = ?1")
        .and_then(|mut s| {
            s.query_map([session], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db_err("reading threads from"))?;
    let mut kept = Vec::new();
    let mut drop = Vec::new();
    for (id, text) in rows {
        if !wanted.contains(id.as_str()) {
            drop.push(id);
            continue;
        }
        match serde_json::from_str::<StoredThread>(&text) {
            Ok(thread) => kept.push(KeptThread {
                messages: load_messages(c, session, &id)?,
                thread,
            }),
            Err(e) => {
                tracing::warn!(session, thread = %id, error = %e, "a stored thread cannot be read; it is dropped until the back end lists it again");
                drop.push(id);
            }
        }
    }
    // Messages of a thread with no row (its row was never written, or removed) go too.
    let orphans: Vec<String> = c
        .prepare_cached(
            "SELECT DISTINCT thread_id FROM messages WHERE session = ?1
             AND thread_id NOT IN (SELECT thread_id FROM threads WHERE session = ?1)",
        )
        .and_then(|mut s| s.query_map([session], |r| r.get(0))?.collect())
        .map_err(db_err("reading threads from"))?;
    drop.extend(
        orphans
            .into_iter()
            .filter(|id| !wanted.contains(id.as_str())),
    );
    save(
        c,
        session,
        &ThreadsWrite {
            removed: drop,
            ..ThreadsWrite::default()
        },
    )?;
    Ok(kept)
}

fn load_messages(
    c: &Connection,
    session: &str,
    thread: &str,
) -> Result<Vec<(i64, StoredMessage)>, StoreError> {
    let rows: Vec<(i64, String, String)> = c
        .prepare_cached(
            "SELECT place, message_id, record FROM messages WHERE session = ?1 AND thread_id = ?2
             ORDER BY place DESC, rowid DESC LIMIT ?3",
        )
        .and_then(|mut s| {
            s.query_map(params![session, thread, MESSAGES_KEPT as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect()
        })
        .map_err(db_err("reading messages from"))?;
    let mut out = Vec::with_capacity(rows.len());
    for (place, id, text) in rows.into_iter().rev() {
        match serde_json::from_str::<StoredMessage>(&text) {
            Ok(m) => out.push((place, m)),
            Err(e) => {
                tracing::warn!(session, thread, message = %id, error = %e, "a stored message cannot be read; it is skipped");
            }
        }
    }
    Ok(out)
}

/// Removes every thread and message of `session`.
pub(crate) fn remove_all(c: &Connection, session: &str) -> Result<(), StoreError> {
    c.execute("DELETE FROM threads WHERE session = ?1", [session])
        .and_then(|_| c.execute("DELETE FROM messages WHERE session = ?1", [session]))
        .map(drop)
        .map_err(db_err("removing a session's threads from"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(super::super::db::SCHEMA).unwrap();
        c
    }

    fn thread(id: &str) -> StoredThread {
        StoredThread {
            id: id.to_owned(),
            name: Some("Parcel".into()),
            state: StoredThreadState::Ready,
            created_at: None,
            updated_at: None,
            scroll_token: None,
            contact: Some(StoredContact {
                id: "77".into(),
                status: ContactStatus::Other("waiting".into()),
            }),
            agent: None,
            custom_fields: Vec::new(),
            awaiting_welcome: false,
            unseen_not_loaded: 2,
        }
    }

    fn message(id: &str, text: &str) -> StoredMessage {
        StoredMessage {
            id: id.to_owned(),
            from_customer: false,
            status: StoredDelivery::Delivered,
            created_at: Timestamp::from_unix_ms_millis(1_700_000_000_000),
            author: Some(StoredAuthor::Customer {
                id: "c".into(),
                first_name: None,
                last_name: None,
            }),
            content: MessageContent::text(text),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn threads_and_messages_come_back_as_written_and_only_those_still_known() {
        let c = conn();
        let w = ThreadsWrite {
            threads: vec![thread("AAAA"), thread("bbbb")],
            messages: vec![
                ("aaaa".into(), 20, message("m2", "second")),
                ("aaaa".into(), 10, message("m1", "first")),
                ("bbbb".into(), 10, message("m3", "other")),
            ],
            ..ThreadsWrite::default()
        };
        save(&c, "s", &w).unwrap();
        // A change is an update in place.
        let mut changed = message("m1", "first");
        changed.status = StoredDelivery::Read;
        save(
            &c,
            "s",
            &ThreadsWrite {
                messages: vec![("aaaa".into(), 10, changed.clone())],
                ..ThreadsWrite::default()
            },
        )
        .unwrap();
        let kept = load(&c, "s", &["aaaa".into()]).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].thread, thread("AAAA"));
        assert_eq!(
            kept[0].messages,
            vec![(10, changed), (20, message("m2", "second"))]
        );
        // The thread no longer known went, with its messages.
        let n: i64 = c
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        assert!(load(&c, "other", &["aaaa".into()]).unwrap().is_empty());
    }

    #[test]
    fn a_thread_keeps_its_newest_messages_once_trimmed() {
        let c = conn();
        let messages = (0..MESSAGES_KEPT as i64 + 20)
            .map(|i| ("t".to_owned(), i, message(&format!("m{i}"), "x")))
            .collect();
        save(
            &c,
            "s",
            &ThreadsWrite {
                threads: vec![thread("t")],
                messages,
                trim: vec!["t".into()],
                ..ThreadsWrite::default()
            },
        )
        .unwrap();
        let kept = load(&c, "s", &["t".into()]).unwrap();
        assert_eq!(kept[0].messages.len(), MESSAGES_KEPT);
        assert_eq!(kept[0].messages[0].0, 20, "the oldest went");
    }

    #[test]
    fn a_row_that_does_not_decode_is_dropped_not_fatal() {
        let c = conn();
        c.execute(
            "INSERT INTO threads (session, thread_id, record) VALUES ('s', 't', '{\"id\":')",
            [],
        )
        .unwrap();
        save(
            &c,
            "s",
            &ThreadsWrite {
                threads: vec![thread("u")],
                ..ThreadsWrite::default()
            },
        )
        .unwrap();
        c.execute(
            "INSERT INTO messages (session, thread_id, message_id, place, record)
             VALUES ('s', 'u', 'bad', 1, 'garbage')",
            [],
        )
        .unwrap();
        let kept = load(&c, "s", &["t".into(), "u".into()]).unwrap();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].messages.is_empty());
    }

    #[test]
    fn a_message_is_never_shown_in_debug() {
        let shown = format!("{:?}", message("m", "my secret address"));
        assert!(!shown.contains("secret"), "{shown}");
    }
}
