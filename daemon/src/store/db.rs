//! The state database, `<state_dir>/state.db`: one SQLite file in WAL mode for every session,
//! written by one thread of its own that commits in groups.
//!
//! # Why one writer thread
//!
//! SQLite allows one writer at a time, and a commit costs one fsync of the WAL whatever it
//! holds. So every operation, read or write, is a job sent to the writer over a channel: the
//! thread takes every job waiting, runs each in a savepoint of one transaction, commits once,
//! and only then answers each job. A burst of 1,000 queued messages costs a handful of fsyncs,
//! not 1,000, and no caller hears "done" before its change is durable. Jobs run in the order
//! they were sent, so a caller that sends in order (the thread registry does) is committed in
//! order without waiting for each commit before sending the next. When a commit fails (a full
//! disk), every job that changed rows hears it; a read keeps its answer only if nothing before
//! it in the transaction changed rows, so that no caller acts on a change that was lost.
//!
//! Callers never block an actor's thread: [`Db::submit`] sends the job at once and returns its
//! [`Pending`] answer to await; [`Db::call_blocking`] is for tests and `spawn_blocking`. The
//! thread also opens the database (see [`Db::spawn`]): the daemon does not wait for it before
//! it is ready.
//!
//! # Files
//!
//! `state.db`, `state.db-wal` and `state.db-shm`: the first is created 0600 before SQLite opens
//! it, and SQLite gives the other two the same mode. `PRAGMA secure_delete` overwrites deleted
//! rows, so a token or a message leaves no copy behind in free pages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::error::{StoreError, Trouble};

/// The database's file name in the state directory.
pub(crate) const DB_FILE: &str = "state.db";

/// The schema version (`PRAGMA user_version`) this build writes and the newest it reads.
/// Tables added since (`threads`, `messages`) are created on open without a new version: a
/// build that does not know them leaves them alone.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// Jobs taken into one transaction at most: bounds a commit's size and the wait of the first.
const MAX_BATCH: usize = 1024;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    session TEXT NOT NULL,
    message_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    frame TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    UNIQUE (session, message_id)
);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox (session, seq);
CREATE TABLE IF NOT EXISTS threads (
    session TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (session, thread_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    session TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    place INTEGER NOT NULL,
    record TEXT NOT NULL,
    UNIQUE (session, thread_id, message_id)
);
CREATE INDEX IF NOT EXISTS messages_order ON messages (session, thread_id, place);
CREATE TABLE IF NOT EXISTS damaged (
    at INTEGER NOT NULL,
    what TEXT NOT NULL,
    name TEXT,
    content TEXT,
    reason TEXT NOT NULL
);
";

/// A handle on the database: cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    inner: Arc<State>,
}

#[derive(Debug)]
enum State {
    Open {
        path: PathBuf,
        jobs: mpsc::Sender<Box<dyn Job>>,
        /// The state directory's lock, held as long as anything uses the database.
        _lock: Option<std::fs::File>,
    },
}

/// One operation, run by the writer in a savepoint of the current transaction.
trait Job: Send {
    /// Runs it; what it returns is told the commit's outcome. `batch_start` is the
    /// connection's change count when the transaction began.
    fn run(self: Box<Self>, conn: &Connection, batch_start: u64) -> Box<dyn Answer>;
    /// It could not run: the transaction could not begin.
    fn refuse(self: Box<Self>, error: StoreError);
}

/// A job's answer, held until the commit.
trait Answer: Send {
    fn send(self: Box<Self>, commit: Result<(), &rusqlite::Error>, path: &Path);
}

struct Call<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

struct Reply<T> {
    result: Result<T, StoreError>,
    /// The job changed rows, or read after a job of its batch did (and so may have seen what
    /// was never committed): its answer stands only if the commit does.
    depends_on_commit: bool,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> Job for Call<F, T>
where
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection, batch_start: u64) -> Box<dyn Answer> {
        let before = conn.total_changes();
        let result = in_savepoint(conn, self.work);
        Box::new(Reply {
            result,
            depends_on_commit: before != batch_start || conn.total_changes() != before,
            reply: self.reply,
        })
    }

    fn refuse(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }
}

impl<T: Send> Answer for Reply<T> {
    fn send(self: Box<Self>, commit: Result<(), &rusqlite::Error>, path: &Path) {
        let result = match (self.result, commit) {
            (Ok(value), Ok(())) => Ok(value),
            // A read of committed state only is as true as it was when it ran: another job's
            // write that a full disk cannot commit must not take the outbox's read (and so
            // the flush) down with it. A read after a write of its batch may have seen that
            // write, which is now gone: it fails with the commit.
            (Ok(value), Err(_)) if !self.depends_on_commit => Ok(value),
            // Nothing of the transaction was kept: the job's change is not durable.
            (Ok(_), Err(e)) => Err(StoreError::database(path, "committing", e)),
            (Err(e), _) => Err(e),
        };
        let _ = self.reply.send(result);
    }
}

/// Runs `work` in a savepoint: a job that fails leaves nothing behind, and the others of the
/// transaction are kept.
fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if let Err(e) = conn.execute_batch("SAVEPOINT job") {
        return Err(StoreError::database(
            conn_path(conn),
            "starting a change",
            &e,
        ));
    }
    let result = work(conn);
    let end = if result.is_ok() {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    match conn.execute_batch(end) {
        Ok(()) => result,
        Err(e) => Err(StoreError::database(
            conn_path(conn),
            "finishing a change",
            &e,
        )),
    }
}

fn conn_path(conn: &Connection) -> &Path {
    Path::new(conn.path().unwrap_or(DB_FILE))
}

impl Db {
    /// Starts the database's thread, which first runs `open` — creating, checking, salvaging,
    /// importing: whatever it takes — and then the jobs sent meanwhile and after, in order.
    /// Nothing waits for it here, so the daemon is ready (its socket accepting) while the
    /// database opens; the first job waits for it instead. When `open` fails, every job is
    /// answered with why ([`StoreError::Unavailable`]) and the daemon serves what it has in
    /// memory.
    pub(crate) fn spawn(
        path: &Path,
        lock: Option<std::fs::File>,
        open: impl FnOnce() -> Result<Connection, StoreError> + Send + 'static,
    ) -> Self {
        let (jobs, rx) = mpsc::channel::<Box<dyn Job>>();
        let writer_path = path.to_owned();
        std::thread::Builder::new()
            .name("state-db".into())
            .spawn(move || match open() {
                Ok(conn) => write_loop(&conn, &rx, &writer_path),
                Err(e) => {
                    tracing::error!(path = %writer_path.display(), error = %e, "the state database cannot be used: sessions are kept in memory only; {e}");
                    // Said once: an error that already is this one keeps its own reason.
                    let reason = match e {
                        StoreError::Unavailable { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    while let Ok(job) = rx.recv() {
                        job.refuse(StoreError::Unavailable {
                            path: writer_path.clone(),
                            reason: reason.clone(),
                        });
                    }
                }
            })
            .expect("the state database's thread starts");
        Self {
            inner: Arc::new(State::Open {
                path: path.to_owned(),
                jobs,
                _lock: lock,
            }),
        }
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        let State::Open { path, .. } = &*self.inner;
        path
    }

    /// Sends `work` to the writer now (so calls are run in the order they are made); its
    /// answer comes once its transaction is committed.
    pub(crate) fn submit<T, F>(&self, work: F) -> Pending<T>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let State::Open { jobs, path, .. } = &*self.inner;
        let sent = jobs
            .send(Box::new(Call { work, reply }))
            .map_err(|_| StoreError::Closed { path: path.clone() });
        Pending {
            answer: sent.map(|()| answer),
            path: self.path().to_owned(),
        }
    }

    /// [`Db::submit`], waiting for the answer on this thread: never on an actor's or a
    /// runtime's thread (use [`Pending::wait`] there).
    pub(crate) fn call_blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.submit(work).wait_blocking()
    }
}

/// The answer of a job sent to the writer.
#[derive(Debug)]
pub(crate) struct Pending<T> {
    answer: Result<oneshot::Receiver<Result<T, StoreError>>, StoreError>,
    path: PathBuf,
}

impl<T> Pending<T> {
    /// Waits for it without blocking a thread.
    pub(crate) async fn wait(self) -> Result<T, StoreError> {
        let path = self.path;
        self.answer?
            .await
            .map_err(|_| StoreError::Closed { path })?
    }

    /// Waits for it, blocking this thread.
    pub(crate) fn wait_blocking(self) -> Result<T, StoreError> {
        let path = self.path;
        self.answer?
            .blocking_recv()
            .map_err(|_| StoreError::Closed { path })?
    }
}

/// Why the database could not be opened.
#[derive(Debug)]
pub(crate) enum Opening {
    /// Not writable here (read-only file system, permissions): the daemon runs without it.
    Unavailable(String),
    /// Anything else, damage included.
    Failed(StoreError),
}

impl Opening {
    /// The store's error for it.
    pub(crate) fn into_error(self, path: &Path) -> StoreError {
        match self {
            Opening::Failed(e) => e,
            Opening::Unavailable(reason) => StoreError::Unavailable {
                path: path.to_owned(),
                reason,
            },
        }
    }
}

/// Opens the database read-write, creating it 0600, with the daemon's settings and schema.
pub(crate) fn connect(path: &Path) -> Result<Connection, Opening> {
    if let Err(e) = create_private(path) {
        return Err(match e.kind() {
            std::io::ErrorKind::NotFound => Opening::Failed(StoreError::CreateDir {
                path: path.parent().unwrap_or(path).to_owned(),
                source: e,
            }),
            _ => Opening::Unavailable(format!(
                "{e}; make the state directory writable by the daemon's user"
            )),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let failed = |step, e: rusqlite::Error| {
        let error = StoreError::database(path, step, &e);
        match error.trouble() {
            Trouble::Unavailable | Trouble::Full => Opening::Unavailable(error.to_string()),
            _ => Opening::Failed(error),
        }
    };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| failed("opening", e))?;
    configure(&conn).map_err(|e| failed("setting up", e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| failed("reading the schema version", e))?;
    if version > SCHEMA_VERSION {
        return Err(Opening::Failed(StoreError::UnsupportedVersion {
            path: path.to_owned(),
            found: version as u64,
            supported: SCHEMA_VERSION as u32,
        }));
    }
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
    .map_err(|e| failed("creating the tables", e))?;
    Ok(conn)
}

/// The connection's settings: WAL with a synced commit (a `queued` answer is durable), freed
/// pages overwritten, a page cache of 512 KiB (not SQLite's 2 MiB: the working set is a few
/// sessions' rows and the outbox's tail), and a WAL kept small (a state directory may be a
/// small tmpfs).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the state database is not in WAL mode");
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA cache_size = -512;
         PRAGMA wal_autocheckpoint = 256;
         PRAGMA journal_size_limit = 1048576;",
    )
}

/// Creates the file 0600 if it is missing, and makes an existing one 0600 again.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

/// The writer: every job waiting goes into one transaction, one commit, then the answers.
fn write_loop(conn: &Connection, jobs: &mpsc::Receiver<Box<dyn Job>>, path: &Path) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            for job in batch {
                job.refuse(StoreError::database(path, "starting a transaction", &e));
            }
            continue;
        }
        let start = conn.total_changes();
        let answers: Vec<_> = batch.into_iter().map(|job| job.run(conn, start)).collect();
        let commit = conn.execute_batch("COMMIT");
        if commit.is_err() {
            // A failed COMMIT may leave the transaction open: end it, keeping nothing.
            let _ = conn.execute_batch("ROLLBACK");
        }
        for answer in answers {
            answer.send(commit.as_ref().map(|_| ()), path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_in(dir: &Path) -> Db {
        let path = dir.join(DB_FILE);
        let opening = path.clone();
        Db::spawn(&path, None, move || {
            connect(&opening).map_err(|e| e.into_error(&opening))
        })
    }

    fn count(db: &Db) -> i64 {
        db.call_blocking(|c| {
            c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
                .map_err(|e| StoreError::database(Path::new("t"), "counting", &e))
        })
        .unwrap()
    }

    #[test]
    fn a_failed_job_leaves_nothing_and_the_others_of_its_batch_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_in(dir.path());
        let insert = |name: &'static str| {
            db.submit(move |c| {
                c.execute(
                    "INSERT INTO sessions (name, version, record) VALUES (?1, 1, '{}')",
                    [name],
                )
                .map_err(|e| StoreError::database(Path::new("t"), "inserting", &e))?;
                if name == "bad" {
                    return Err(StoreError::InvalidSessionName(name.into()));
                }
                Ok(())
            })
        };
        // All three are sent before any answer is awaited: one batch, one commit.
        let calls = [insert("a"), insert("bad"), insert("b")];
        let results: Vec<_> = calls.into_iter().map(Pending::wait_blocking).collect();
        assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
        assert_eq!(count(&db), 2);
    }

    #[test]
    fn when_a_commit_fails_only_reads_of_committed_state_keep_their_answers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let opening = path.clone();
        // A deferred foreign key fails at COMMIT, as a full disk does.
        let db = Db::spawn(&path, None, move || {
            let c = connect(&opening).map_err(|e| e.into_error(&opening))?;
            c.execute_batch(
                "PRAGMA foreign_keys = ON;
                 CREATE TABLE parent (id INTEGER PRIMARY KEY);
                 CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);",
            )
            .map_err(|e| StoreError::database(&opening, "setting up", &e))?;
            Ok(c)
        });
        let fail = |e| StoreError::database(Path::new("t"), "in a test", &e);
        // Holds the writer so that the three jobs after it share one transaction.
        let hold = db.submit(|_| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            Ok(())
        });
        let read = |db: &Db| {
            db.submit(move |c| {
                c.query_row("SELECT count(*) FROM child", [], |r| r.get::<_, i64>(0))
                    .map_err(fail)
            })
        };
        let before = read(&db);
        let orphan = db.submit(move |c| {
            c.execute("INSERT INTO child (p) VALUES (42)", [])
                .map(drop)
                .map_err(fail)
        });
        let after = read(&db);
        hold.wait_blocking().unwrap();
        assert_eq!(
            before.wait_blocking().unwrap(),
            0,
            "a read of committed state stands"
        );
        assert!(orphan.wait_blocking().is_err(), "the write was not kept");
        assert!(
            after.wait_blocking().is_err(),
            "a read that saw the lost write fails with it"
        );
        assert_eq!(read(&db).wait_blocking().unwrap(), 0);
    }

    #[test]
    fn the_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = open_in(dir.path());
        assert_eq!(count(&db), 0);
        for f in [DB_FILE, "state.db-wal", "state.db-shm"] {
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
}
