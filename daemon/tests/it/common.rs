//! Shared harness of the end-to-end tests: the real emulator on a loopback port, the real
//! daemon binary on a temporary socket, a line-oriented JSON-RPC client and a tiny HTTP client
//! for the emulator's admin API.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cxone_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

/// The emulator, served by its own runtime on a background thread.
pub struct Backend {
    pub base: String,
    _runtime: tokio::runtime::Runtime,
    _emulator: Emulator,
}

impl Backend {
    pub fn start(config: EmulatorConfig) -> Self {
        Self::start_with(config, false)
    }

    /// The emulator serving HTTPS and WSS with a certificate of its own ([`Backend::ca_pem`]).
    pub fn start_tls(config: EmulatorConfig) -> Self {
        Self::start_with(config, true)
    }

    fn start_with(config: EmulatorConfig, tls: bool) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(async {
                if tls {
                    Emulator::start_tls("127.0.0.1:0", config).await
                } else {
                    Emulator::start("127.0.0.1:0", config).await
                }
            })
            .unwrap();
        Backend {
            base: emulator.base_url(),
            _runtime: runtime,
            _emulator: emulator,
        }
    }

    /// With TLS, the root to trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self._emulator.ca_pem()
    }

    /// The `environment` param of `session.prepare` for this emulator.
    pub fn environment(&self) -> Value {
        let socket = self
            .base
            .replace("https://", "wss://")
            .replace("http://", "ws://");
        json!({"chatUrl": format!("{}/chat", self.base), "socketUrl": socket + "/"})
    }

    fn http(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        // The admin API answers plain HTTP on the same port, TLS or not.
        let addr = self
            .base
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let (_, payload) = text.split_once("\r\n\r\n").expect("an HTTP response");
        serde_json::from_str(payload).unwrap_or(Value::Null)
    }

    pub fn admin_get(&self, path: &str) -> Value {
        self.http("GET", &format!("/admin/{path}"), None)
    }

    pub fn admin_post(&self, path: &str, body: Value) -> Value {
        self.http("POST", &format!("/admin/{path}"), Some(&body))
    }

    /// The kinds of everything the emulator received (`AuthorizeCustomer`, `GET /chat/…`).
    /// The texts of the `SendMessage` frames the emulator received, in arrival order.
    pub fn sent_texts(&self) -> Vec<String> {
        self.admin_get("received?kind=SendMessage")
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| {
                r["body"]["payload"]["data"]["messageContent"]["payload"]["text"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    }

    pub fn received_kinds(&self) -> Vec<String> {
        self.admin_get("received")
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_owned())
            .collect()
    }

    /// How many times the emulator received `kind`.
    pub fn count(&self, kind: &str) -> usize {
        self.received_kinds().iter().filter(|k| *k == kind).count()
    }
}

/// The daemon binary on a temporary socket.
pub struct Daemon {
    pub child: Child,
    pub socket: PathBuf,
    pub dir: Option<tempfile::TempDir>,
}

impl Daemon {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Self::start_in(dir.path(), extra);
        d.dir = Some(dir);
        d
    }

    /// A daemon with `vars` added to its environment (proxies, for instance).
    pub fn start_with_env(extra: &[&str], vars: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Self::spawn(dir.path(), extra, vars);
        d.dir = Some(dir);
        d
    }

    /// A daemon whose socket and state live in `dir`, which outlives it (restart tests).
    pub fn start_in(dir: &std::path::Path, extra: &[&str]) -> Self {
        Self::spawn(dir, extra, &[])
    }

    fn spawn(dir: &std::path::Path, extra: &[&str], vars: &[(&str, &str)]) -> Self {
        let socket = dir.join("rpc.sock");
        let child = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
            .envs(vars.iter().copied())
            .arg("--socket")
            .arg(&socket)
            .arg("--state-dir")
            .arg(dir.join("state"))
            .args(extra)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while UnixStream::connect(&socket).is_err() {
            assert!(Instant::now() < deadline, "the daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Daemon {
            child,
            socket,
            dir: None,
        }
    }

    pub fn client(&self) -> Client {
        let s = UnixStream::connect(&self.socket).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        Client {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
            next_id: 0,
            events: Vec::new(),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JSON-RPC client that keeps the events it reads while waiting for answers.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    next_id: u64,
    pub events: Vec<Value>,
}

impl Client {
    fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("a message within the timeout");
        assert!(!line.is_empty(), "the daemon closed the connection");
        serde_json::from_str(&line).unwrap()
    }

    /// Calls `method` and returns the whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.writer
            .write_all(format!("{msg}\n").as_bytes())
            .unwrap();
        loop {
            let v = self.read();
            if v["id"] == id {
                return v;
            }
            if v["method"] == "events.event" {
                self.events.push(v["params"].clone());
            }
        }
    }

    /// Sends `calls` as one JSON-RPC batch (the daemon runs them concurrently) and returns the
    /// responses in the order of the calls.
    pub fn batch(&mut self, calls: &[(&str, Value)]) -> Vec<Value> {
        let first = self.next_id + 1;
        let msgs: Vec<Value> = calls
            .iter()
            .map(|(method, params)| {
                self.next_id += 1;
                json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
            })
            .collect();
        self.writer
            .write_all(format!("{}\n", Value::Array(msgs)).as_bytes())
            .unwrap();
        loop {
            let v = self.read();
            if let Some(items) = v.as_array() {
                let mut items = items.clone();
                items.sort_by_key(|r| r["id"].as_u64());
                assert_eq!(items.first().map(|r| r["id"].clone()), Some(json!(first)));
                return items;
            }
            if v["method"] == "events.event" {
                self.events.push(v["params"].clone());
            }
        }
    }

    /// Calls `method` and returns its result, failing the test on an error.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {}", r["error"]);
        r["result"].clone()
    }

    /// Calls `method` and returns its error object.
    pub fn err(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        assert!(
            r.get("result").is_none(),
            "{method} should have failed: {}",
            r["result"]
        );
        r["error"].clone()
    }

    /// The first event (already read or still to come) that matches, waiting up to 15 s.
    pub fn wait_event(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_event_for(what, Duration::from_secs(15), pred)
    }

    /// [`Client::wait_event`], waiting up to `within`.
    pub fn wait_event_for(
        &mut self,
        what: &str,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(i) = self.events.iter().position(&pred) {
            return self.events.remove(i);
        }
        let deadline = Instant::now() + within;
        let found = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {what} event arrived; got {:#?}",
                self.events
            );
            // A read waits as long as the event may still come, not the client's usual 15 s: a
            // wait longer than that must not fail on a quiet connection.
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_secs(15))))
                .unwrap();
            let v = self.read();
            if v["method"] == "events.event" {
                if pred(&v["params"]) {
                    break v["params"].clone();
                }
                self.events.push(v["params"].clone());
            }
        };
        self.reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        found
    }

    /// Prepares the default session for `channel` of brand 1000 on `b`, connects it and
    /// creates a thread; returns the thread's id.
    pub fn open_thread(&mut self, b: &Backend, channel: &str) -> Value {
        self.ok(
            "session.prepare",
            json!({"environment": b.environment(), "brandId": 1000, "channelId": channel}),
        );
        self.ok("session.connect", json!({}));
        self.ok("threads.create", json!({}))["id"].clone()
    }

    /// Subscribes to every event of every session.
    pub fn subscribe(&mut self) -> Value {
        self.ok("events.subscribe", json!({}))
    }
}

/// `kind` matches and the data's `pointer` equals `value`.
pub fn kind_with<'a>(
    kind: &'a str,
    pointer: &'a str,
    value: Value,
) -> impl Fn(&Value) -> bool + 'a {
    move |e: &Value| e["kind"] == kind && e["data"].pointer(pointer) == Some(&value)
}

/// A daemon that trusts the TLS emulator `b`'s root through `network.ca_file`, with
/// `extra_network` (more `[network]` keys, one per line) besides; the root and the configuration
/// file are written into `dir`.
pub fn daemon_trusting(b: &Backend, dir: &std::path::Path, extra_network: &str) -> Daemon {
    let ca = dir.join("emulator-ca.pem");
    std::fs::write(&ca, b.ca_pem().expect("a TLS emulator")).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[network]\nca_file = {:?}\n{extra_network}",
            ca.to_str().unwrap()
        ),
    )
    .unwrap();
    Daemon::start_with(&["--config", config.to_str().unwrap()])
}

/// The stored record of `session` in the state database under `state_dir`, as its JSON text,
/// read the way an administrator would (`sqlite3 state.db`); `None` when there is none.
pub fn stored_record(state_dir: &std::path::Path, session: &str) -> Option<String> {
    let db = rusqlite::Connection::open_with_flags(
        state_dir.join("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .ok()?;
    db.query_row(
        "SELECT record FROM sessions WHERE name = ?1",
        [session],
        |r| r.get(0),
    )
    .ok()
}

/// How many messages `session` has queued in the state database under `state_dir`.
pub fn stored_queue(state_dir: &std::path::Path, session: &str) -> usize {
    let db = rusqlite::Connection::open_with_flags(
        state_dir.join("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.query_row(
        "SELECT count(*) FROM outbox WHERE session = ?1",
        [session],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as usize
}

/// A fixture of the official SDKs' test suites, under `../shared/cxone/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/cxone/fixtures")
        .join(rel)
}

/// Folds the write-ahead log of the state database in `state_dir` into the file (as a clean
/// stop does), so that damage done to the file's bytes hits what was committed.
pub fn checkpoint(state_dir: &std::path::Path) {
    rusqlite::Connection::open(state_dir.join("state.db"))
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}
