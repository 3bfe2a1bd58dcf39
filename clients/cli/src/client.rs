//! A blocking JSON-RPC connection to the daemon: one request at a time, events kept aside while
//! waiting for an answer, and every failure turned into a [`CliError`] with its exit code.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cxone_chat_protocol::rpc::ErrorCode;
use serde_json::{Value, json};

use crate::error::CliError;

/// One connection to the daemon's socket.
#[derive(Debug)]
pub(crate) struct Connection {
    socket: PathBuf,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    /// The bytes of a line not yet complete when a read timed out.
    partial: Vec<u8>,
    next_id: u64,
    /// `events.event` params read while waiting for an answer, oldest first.
    events: VecDeque<Value>,
}

/// What waiting for the next event gave.
#[derive(Debug)]
pub(crate) enum Next {
    /// The params of an `events.event` notification.
    Event(Value),
    /// Nothing arrived in time.
    TimedOut,
}

impl Connection {
    /// Connects to `socket`; with `wait`, keeps trying until the daemon is up or `wait` has
    /// passed.
    pub(crate) fn open(socket: &Path, wait: Option<Duration>) -> Result<Self, CliError> {
        let deadline = wait.map(|w| Instant::now() + w);
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(s) => break s,
                Err(e) => {
                    if deadline.is_some_and(|d| Instant::now() < d) {
                        std::thread::sleep(Duration::from_millis(100));
                        continue;
                    }
                    return Err(CliError::Unreachable {
                        socket: socket.to_owned(),
                        detail: e.to_string(),
                    });
                }
            }
        };
        let reader = BufReader::new(
            stream
                .try_clone()
                .map_err(|e| CliError::Other(e.to_string()))?,
        );
        Ok(Connection {
            socket: socket.to_owned(),
            reader,
            writer: stream,
            partial: Vec::new(),
            next_id: 0,
            events: VecDeque::new(),
        })
    }

    /// Calls `method` with `params` (an object) and returns its `result`.
    pub(crate) fn call(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CliError> {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.writer
            .write_all(format!("{msg}\n").as_bytes())
            .map_err(|_| self.lost())?;
        let deadline = Instant::now() + timeout;
        loop {
            let Some(v) = self.read(Some(deadline))? else {
                return Err(CliError::Timeout {
                    what: format!("the answer to {method}"),
                    after: timeout,
                });
            };
            if v["method"] == "events.event" {
                self.events.push_back(v["params"].clone());
                continue;
            }
            if v["id"] != json!(id) {
                continue;
            }
            if let Some(error) = v.get("error") {
                return Err(CliError::rpc(method, error));
            }
            return Ok(v.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    /// The next event (kept aside earlier, or read now), waiting until `deadline` (forever when
    /// `None`).
    pub(crate) fn next_event(&mut self, deadline: Option<Instant>) -> Result<Next, CliError> {
        if let Some(e) = self.events.pop_front() {
            return Ok(Next::Event(e));
        }
        loop {
            match self.read(deadline)? {
                None => return Ok(Next::TimedOut),
                Some(v) if v["method"] == "events.event" => {
                    return Ok(Next::Event(v["params"].clone()));
                }
                Some(_) => {}
            }
        }
    }

    /// Reads one message; `None` when `deadline` passed first.
    fn read(&mut self, deadline: Option<Instant>) -> Result<Option<Value>, CliError> {
        loop {
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(None),
                },
                None => None,
            };
            self.reader
                .get_ref()
                .set_read_timeout(wait)
                .map_err(|e| CliError::Other(e.to_string()))?;
            match self.reader.read_until(b'\n', &mut self.partial) {
                Ok(0) => return Err(self.lost()),
                Ok(_) if self.partial.ends_with(b"\n") => {
                    let line = std::mem::take(&mut self.partial);
                    return serde_json::from_slice(&line).map(Some).map_err(|e| {
                        CliError::Other(format!("the daemon sent a line that is not JSON: {e}"))
                    });
                }
                // End of stream in the middle of a line.
                Ok(_) => return Err(self.lost()),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(self.lost()),
            }
        }
    }

    fn lost(&self) -> CliError {
        CliError::Lost {
            socket: self.socket.clone(),
        }
    }
}

/// Whether `e` says the session does not exist or is not prepared yet.
pub(crate) fn is_unprepared(e: &CliError) -> bool {
    matches!(e, CliError::Rpc { code, .. }
        if [ErrorCode::UnknownSession, ErrorCode::NotPrepared]
            .iter()
            .any(|c| c.code() == *code))
}
