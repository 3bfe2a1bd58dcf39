//! A damaged state database: moved aside, every row that can still be read copied into a new
//! one, and what was lost counted per session so that each host is told.
//!
//! SQLite finds damage itself (a page that is not what its parent says, a bad header) and
//! refuses to read past it, so salvage goes row by row: the outbox's index gives each queued
//! message's session and rowid (an index page is separate from the rows it points to), and each
//! row is then read on its own. A row that cannot be read is counted as lost for its session.
//! Where even the index is unreadable, the damaged file's bytes still show the message ids of
//! its frames: those not read back are counted as lost, for the first session opened.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};

use super::files::with_suffix;
use super::outbox::Salvage;
use super::{StoreError, files};

/// What a salvage saved: the new database and, per session, what to tell its host.
pub(crate) struct Salvaged {
    /// Reports per session name.
    pub reports: BTreeMap<String, Salvage>,
    /// Messages that could not be read nor attributed to a session.
    pub orphans: Option<Salvage>,
}

/// A queued message read back.
struct Row {
    session: String,
    message_id: String,
    thread_id: String,
    seq: i64,
    frame: String,
    enqueued_at: i64,
}

/// Moves the damaged database at `path` (and its WAL) aside, and copies what can be read into
/// `fresh`, a new database at `path` opened by `open_fresh`.
pub(crate) fn recover(
    path: &Path,
    reason: &str,
    open_fresh: impl FnOnce() -> Result<Connection, StoreError>,
) -> Result<(Connection, Salvaged), StoreError> {
    let moved = aside(path)?;
    let fresh = open_fresh()?;
    let damaged = Connection::open_with_flags(
        &moved,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok();
    let (records, rows, lost, walked) = match &damaged {
        Some(d) => read_what_can_be_read(d),
        None => (Vec::new(), Vec::new(), BTreeMap::new(), false),
    };
    // Where the index told nothing, the file's bytes still show frames' message ids.
    let kept_ids: BTreeSet<&str> = rows.iter().map(|r| r.message_id.as_str()).collect();
    let orphan_count = if lost.is_empty() && rows.is_empty() {
        ids_in_bytes(&moved)
            .iter()
            .filter(|id| !kept_ids.contains(id.as_str()))
            .count()
    } else {
        0
    };
    let tx = fresh.unchecked_transaction().map_err(|e| db(path, e))?;
    for (name, version, record) in &records {
        tx.execute(
            "INSERT OR IGNORE INTO sessions (name, version, record) VALUES (?1, ?2, ?3)",
            params![name, version, record],
        )
        .map_err(|e| db(path, e))?;
    }
    for r in &rows {
        tx.execute(
            "INSERT OR IGNORE INTO outbox (session, message_id, thread_id, seq, frame, enqueued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.session,
                r.message_id,
                r.thread_id,
                r.seq,
                r.frame,
                r.enqueued_at
            ],
        )
        .map_err(|e| db(path, e))?;
    }
    tx.commit().map_err(|e| db(path, e))?;
    let report = |kept, unreadable| Salvage {
        damaged: moved.clone(),
        reason: reason.to_owned(),
        kept,
        unreadable,
        complete: walked,
    };
    let mut reports = BTreeMap::new();
    let names: BTreeSet<&str> = records
        .iter()
        .map(|(n, ..)| n.as_str())
        .chain(rows.iter().map(|r| r.session.as_str()))
        .chain(lost.keys().map(String::as_str))
        .collect();
    for name in names {
        let kept = rows.iter().filter(|r| r.session == name).count();
        reports.insert(
            name.to_owned(),
            report(kept, lost.get(name).copied().unwrap_or(0)),
        );
    }
    // Nothing at all could be read: no session to tell by name, so the first one opened hears
    // that the state was lost, with as many lost messages as the bytes still show.
    let nothing_read = records.is_empty() && rows.is_empty() && lost.is_empty();
    let orphans = (orphan_count > 0 || nothing_read).then(|| report(0, orphan_count));
    tracing::error!(
        damaged = %moved.display(),
        %reason,
        sessions = records.len(),
        messages_kept = rows.len(),
        messages_lost = lost.values().sum::<usize>() + orphan_count,
        "the state database was damaged: it was moved aside and what could be read was copied into a new one"
    );
    Ok((fresh, Salvaged { reports, orphans }))
}

/// Session records that decode as rows, queued messages read back, per session the messages
/// whose rows could not be read, and whether the outbox's index was walked to its end (every
/// queued message counted).
#[allow(clippy::type_complexity)]
fn read_what_can_be_read(
    d: &Connection,
) -> (
    Vec<(String, i64, String)>,
    Vec<Row>,
    BTreeMap<String, usize>,
    bool,
) {
    let mut records = Vec::new();
    if let Ok(mut s) = d.prepare("SELECT name, version, record FROM sessions")
        && let Ok(mut q) = s.query([])
    {
        // Up to the first damaged page: the rest of the table cannot be walked.
        while let Ok(Some(r)) = q.next() {
            if let (Ok(n), Ok(v), Ok(t)) = (r.get(0), r.get(1), r.get(2)) {
                records.push((n, v, t));
            }
        }
    }
    // Every queued message's session and rowid, from the index.
    let mut index: Vec<(String, i64)> = Vec::new();
    let mut walked = false;
    if let Ok(mut s) = d.prepare("SELECT session, rowid FROM outbox INDEXED BY outbox_order")
        && let Ok(mut q) = s.query([])
    {
        loop {
            match q.next() {
                Ok(Some(r)) => {
                    if let (Ok(n), Ok(id)) = (r.get(0), r.get(1)) {
                        index.push((n, id));
                    }
                }
                Ok(None) => {
                    walked = true;
                    break;
                }
                Err(_) => break,
            }
        }
    }
    let mut rows = Vec::new();
    let mut lost: BTreeMap<String, usize> = BTreeMap::new();
    for (session, rowid) in index {
        let row = d.query_row(
            "SELECT session, message_id, thread_id, seq, frame, enqueued_at FROM outbox WHERE rowid = ?1",
            [rowid],
            |r| {
                Ok(Row {
                    session: r.get(0)?,
                    message_id: r.get(1)?,
                    thread_id: r.get(2)?,
                    seq: r.get(3)?,
                    frame: r.get(4)?,
                    enqueued_at: r.get(5)?,
                })
            },
        );
        match row {
            // A frame must still be the JSON it was: damage inside a row's bytes shows here.
            Ok(r)
                if r.session == session
                    && serde_json::from_str::<serde::de::IgnoredAny>(&r.frame).is_ok() =>
            {
                rows.push(r)
            }
            _ => *lost.entry(session).or_default() += 1,
        }
    }
    (records, rows, lost, walked)
}

/// The message ids of the frames in the file's bytes (its WAL's too). A frame names its thread
/// with the same key (`"thread":{"idOnExternalPlatform":…}`): those are not messages.
fn ids_in_bytes(moved: &Path) -> BTreeSet<String> {
    const KEY: &[u8] = b"\"idOnExternalPlatform\":\"";
    const THREAD: &[u8] = b"\"thread\":{";
    let mut ids = BTreeSet::new();
    for file in [moved.to_owned(), with_suffix(moved, "-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(KEY.len()).position(|w| w == KEY) {
            let found = at + i;
            let start = found + KEY.len();
            let of_thread = bytes[..found].ends_with(THREAD);
            if !of_thread
                && let Some(id) = bytes.get(start..start + 36)
                && let Ok(text) = std::str::from_utf8(id)
                && uuid::Uuid::parse_str(text).is_ok()
            {
                ids.insert(text.to_ascii_lowercase());
            }
            at = start;
        }
    }
    ids
}

/// Moves `state.db` to `state.db.corrupt-<ms>` and its WAL beside it (where SQLite looks for
/// it), drops its shared-memory index; returns where the database is now.
fn aside(path: &Path) -> Result<PathBuf, StoreError> {
    let moved = with_suffix(path, &format!(".corrupt-{}", files::now_unix_ms()));
    let fail = |source| StoreError::MoveAside {
        path: path.to_owned(),
        reason: "the state database is damaged".into(),
        source,
    };
    std::fs::rename(path, &moved).map_err(fail)?;
    let wal = with_suffix(path, "-wal");
    if wal.exists() {
        std::fs::rename(&wal, with_suffix(&moved, "-wal")).map_err(fail)?;
    }
    let _ = std::fs::remove_file(with_suffix(path, "-shm"));
    if let Some(dir) = path.parent() {
        let _ = files::sync_dir(dir);
    }
    Ok(moved)
}

fn db(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::database(path, "salvaging into", &e)
}
