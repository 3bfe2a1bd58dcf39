//! The durable outbox, the `outbox` table: messages a host sent while the connection was down,
//! kept until the back end acknowledged them, so they are delivered after a reconnect — or after
//! a daemon restart — exactly once and in order.
//!
//! Each row keeps the exact frame text that will be sent, so a re-send after a restart carries
//! the same bytes and the same message id as the first attempt would have. A queued message is
//! one row insert and an acknowledgement one row delete, whatever the queue's length; both are
//! committed (with others of their batch, see `db.rs`) before the caller hears of them.
//!
//! What the store cannot know is whether a frame reached the back end when the daemon died
//! between writing it to the socket and `mark_sent`. Such a message is sent again after the
//! restart with the same message id, which the back end recognises; the store itself never holds
//! a message twice.

use std::fmt;
use std::path::PathBuf;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{StoreError, files};

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
    /// The exact CXone frame text to send, byte for byte what was queued. (Files of the old
    /// JSON layout also hold a `message` field, the API's view; it is ignored.)
    pub frame: String,
    /// When it was queued, in Unix milliseconds.
    pub enqueued_at: i64,
    /// Its place in the send order ([`Outgoing::seq`]); 0 for messages imported from files
    /// written before it existed (they go first, in their file order).
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

/// What was saved of a damaged state file (the database, or an old `outbox.json` imported):
/// the file was moved aside, every message of the session that could still be read from it was
/// queued again, and the host must hear of it.
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
    /// Whether every queued message it held was counted: `false` when the damage hid part of
    /// the outbox itself (a truncated or emptied file), so that more may have been lost.
    pub complete: bool,
}

fn db_err(step: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::database(std::path::Path::new(super::db::DB_FILE), step, &e)
}

/// Queues a message in `session`'s outbox (in the caller's transaction).
pub(crate) fn enqueue(
    conn: &Connection,
    session: &str,
    msg: Outgoing,
) -> Result<Enqueued, StoreError> {
    // A frame that is not JSON could never be sent: refuse it now, not after a restart.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&msg.frame) {
        return Err(StoreError::InvalidFrame {
            message_id: msg.message_id,
            reason: super::document::describe(&e),
        });
    }
    let seq = match msg.seq {
        // "After everything queued".
        0 => conn
            .query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE session = ?1",
                [session],
                |r| r.get::<_, i64>(0),
            )
            .map_err(db_err("queuing a message in"))?,
        seq => i64::try_from(seq).unwrap_or(i64::MAX),
    };
    insert(
        conn,
        session,
        &msg.thread_id,
        &msg.message_id,
        seq,
        &msg.frame,
        files::now_unix_ms(),
    )
}

/// One row, kept once per message id (the first frame is what the host was told would go).
pub(crate) fn insert(
    conn: &Connection,
    session: &str,
    thread_id: &Uuid,
    message_id: &Uuid,
    seq: i64,
    frame: &str,
    enqueued_at: i64,
) -> Result<Enqueued, StoreError> {
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO outbox (session, message_id, thread_id, seq, frame, enqueued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                session,
                message_id.to_string(),
                thread_id.to_string(),
                seq,
                frame,
                enqueued_at
            ])
        })
        .map_err(db_err("queuing a message in"))?;
    Ok(if added == 1 {
        Enqueued::Added
    } else {
        Enqueued::AlreadyQueued
    })
}

/// The queued messages of `session`, in send order.
pub(crate) fn pending(conn: &Connection, session: &str) -> Result<Vec<QueuedMessage>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT thread_id, message_id, frame, enqueued_at, seq FROM outbox
             WHERE session = ?1 ORDER BY seq, rowid",
        )
        .map_err(db_err("reading the outbox of"))?;
    let rows = statement
        .query_map([session], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .map_err(db_err("reading the outbox of"))?;
    let mut out = Vec::new();
    for row in rows {
        let (thread_id, message_id, frame, enqueued_at, seq) =
            row.map_err(db_err("reading the outbox of"))?;
        out.push(QueuedMessage {
            session: session.to_owned(),
            thread_id: Uuid::parse_str(&thread_id).unwrap_or_default(),
            message_id: Uuid::parse_str(&message_id).unwrap_or_default(),
            frame,
            enqueued_at,
            seq: u64::try_from(seq).unwrap_or(0),
        });
    }
    Ok(out)
}

/// How many messages `session` has queued.
pub(crate) fn count(conn: &Connection, session: &str) -> Result<usize, StoreError> {
    conn.prepare_cached("SELECT count(*) FROM outbox WHERE session = ?1")
        .and_then(|mut s| s.query_row([session], |r| r.get::<_, i64>(0)))
        .map(|n| usize::try_from(n).unwrap_or(0))
        .map_err(db_err("counting the outbox of"))
}

/// Removes a message the back end acknowledged; whether it was queued.
pub(crate) fn mark_sent(
    conn: &Connection,
    session: &str,
    message_id: Uuid,
) -> Result<bool, StoreError> {
    conn.prepare_cached("DELETE FROM outbox WHERE session = ?1 AND message_id = ?2")
        .and_then(|mut s| s.execute(params![session, message_id.to_string()]))
        .map(|n| n > 0)
        .map_err(db_err("removing a delivered message from"))
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

    fn outgoing(frame: &str, seq: u64) -> Outgoing {
        Outgoing {
            thread_id: Uuid::new_v4(),
            message_id: Uuid::new_v4(),
            frame: frame.into(),
            seq,
        }
    }

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(super::super::db::SCHEMA).unwrap();
        c
    }

    #[test]
    fn a_frame_that_is_not_json_is_refused() {
        let c = db();
        let err = enqueue(&c, "s", outgoing("{\"action\":", 1)).unwrap_err();
        assert!(matches!(err, StoreError::InvalidFrame { .. }), "{err:?}");
        assert_eq!(count(&c, "s").unwrap(), 0);
    }

    #[test]
    fn send_order_is_seq_then_arrival_and_seq_zero_goes_last() {
        let c = db();
        let (a, b, late, last) = (
            outgoing("{}", 5),
            outgoing("{}", 9),
            outgoing("{}", 7),
            outgoing("{}", 0),
        );
        for m in [&a, &b, &late, &last] {
            assert_eq!(enqueue(&c, "s", m.clone()).unwrap(), Enqueued::Added);
        }
        assert_eq!(
            enqueue(&c, "s", a.clone()).unwrap(),
            Enqueued::AlreadyQueued
        );
        let ids: Vec<_> = pending(&c, "s")
            .unwrap()
            .iter()
            .map(|m| m.message_id)
            .collect();
        assert_eq!(
            ids,
            [a.message_id, late.message_id, b.message_id, last.message_id]
        );
        assert!(pending(&c, "other").unwrap().is_empty());
        assert!(mark_sent(&c, "s", late.message_id).unwrap());
        assert!(!mark_sent(&c, "s", late.message_id).unwrap());
        assert_eq!(count(&c, "s").unwrap(), 3);
    }

    #[test]
    fn debug_shows_neither_frame_nor_text() {
        let o = outgoing(r#"{"accessToken":{"token":"SECRET-T"}}"#, 0);
        let text = format!("{o:?}");
        assert!(!text.contains("SECRET-T"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}
