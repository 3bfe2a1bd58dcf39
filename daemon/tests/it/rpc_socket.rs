//! The local API over the real socket of the real `cxone-chatd` binary: the socket file's
//! permissions, stale and live sockets, JSON-RPC framing and errors, batches, events.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Daemon {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Daemon {
    fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("run/rpc.sock");
        let child = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
            .arg("--socket")
            .arg(&socket)
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .args(extra)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let d = Daemon {
            child,
            socket,
            _dir: dir,
        };
        d.wait_ready();
        d
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while UnixStream::connect(&self.socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "the daemon did not open {}",
                self.socket.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn client(&self) -> Client {
        Client::connect(&self.socket)
    }

    fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    fn connect(path: &Path) -> Self {
        let s = UnixStream::connect(path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    fn line(&mut self) -> Value {
        let mut l = String::new();
        self.reader
            .read_line(&mut l)
            .expect("an answer within the timeout");
        assert!(
            l.ends_with('\n'),
            "every message ends with a newline: {l:?}"
        );
        serde_json::from_str(&l).unwrap()
    }

    fn call(&mut self, id: Value, method: &str, params: Value) -> Value {
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(format!("{msg}\n").as_bytes());
        self.line()
    }
}

#[test]
fn the_socket_is_private_and_its_directory_too() {
    let d = Daemon::start(&[]);
    let mode = std::fs::metadata(&d.socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(d.socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn a_second_daemon_refuses_a_live_socket_and_a_stale_one_is_replaced() {
    let mut first = Daemon::start(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
        .arg("--socket")
        .arg(&first.socket)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already listening"));
    // The first daemon is unaffected.
    assert_eq!(
        first.client().call(json!(1), "daemon.info", json!({}))["result"]["name"],
        "cxone-chatd"
    );

    // Leave a stale socket file behind (SIGKILL cannot clean up), then start over on it.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(first.socket.exists(), "SIGKILL leaves the file");
    let mut second = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
        .arg("--socket")
        .arg(&first.socket)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    first.wait_ready();
    assert_eq!(
        first.client().call(json!(2), "daemon.info", json!({}))["result"]["name"],
        "cxone-chatd"
    );
    second.kill().unwrap();
    second.wait().unwrap();
}

#[test]
fn calls_answer_with_the_exact_id_and_bad_input_gets_specific_errors() {
    let d = Daemon::start(&["--max-line-length", "4096"]);
    let mut c = d.client();
    let info = c.call(json!("abc"), "daemon.info", json!({}));
    assert_eq!(info["id"], "abc");
    assert_eq!(
        info["result"]["protocolVersion"],
        cxone_chat_protocol::rpc::API_VERSION
    );
    assert_eq!(info["result"]["limits"]["maxLineLength"], 4096);
    // Every served method is listed as `method:NAME`, beside the daemon's own features.
    let capabilities = info["result"]["capabilities"].as_array().unwrap();
    for c in [
        "batch",
        "events.poll",
        "method:thread.send",
        "method:daemon.info",
    ] {
        assert!(capabilities.contains(&json!(c)), "{c} in {capabilities:?}");
    }
    // Serialized once and copied after (`Dispatcher::on_constant`): the same answer again, and
    // params are still checked.
    assert_eq!(
        c.call(json!(3), "daemon.info", json!({}))["result"],
        info["result"]
    );
    let extra = c.call(json!(4), "daemon.info", json!({"verbose": true}));
    assert_eq!(extra["error"]["code"], -32602, "{extra}");

    // A 20-digit id comes back digit for digit.
    c.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890,\"method\":\"daemon.info\"}\n");
    let mut raw = String::new();
    c.reader.read_line(&mut raw).unwrap();
    assert!(raw.contains("\"id\":12345678901234567890"), "{raw}");

    let unknown = c.call(json!(2), "no.such.method", json!({}));
    assert_eq!(
        (unknown["error"]["code"].as_i64(), unknown["id"].as_i64()),
        (Some(-32601), Some(2))
    );

    let bad = c.call(json!(3), "daemon.setLogLevel", json!({"level": "loud"}));
    assert_eq!(bad["error"]["code"], -32602);
    assert_eq!(bad["error"]["data"]["field"], "level");

    c.send_raw(b"{this is not json\n");
    let parse = c.line();
    assert_eq!(
        (parse["error"]["code"].as_i64(), &parse["id"]),
        (Some(-32700), &Value::Null)
    );

    let long = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"daemon.info\",\"params\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(8000)
    );
    c.send_raw(long.as_bytes());
    let too_long = c.line();
    assert_eq!(too_long["error"]["code"], -32600);
    assert_eq!(too_long["error"]["data"]["reason"], "line too long");
    assert_eq!(too_long["error"]["data"]["limit"], 4096);

    // After all that, the same connection still works.
    assert_eq!(c.call(json!(5), "daemon.info", json!({}))["id"], 5);
}

#[test]
fn batches_follow_the_specification() {
    let d = Daemon::start(&[]);
    let mut c = d.client();
    c.send_raw(b"[]\n");
    let empty = c.line();
    assert!(
        empty.is_object(),
        "[] is answered with one error, not an array"
    );
    assert_eq!(empty["error"]["code"], -32600);

    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "daemon.info"},
        {"jsonrpc": "2.0", "method": "daemon.status"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        1
    ]);
    c.send_raw(format!("{batch}\n").as_bytes());
    let answers = c.line();
    let mut ids: Vec<Value> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    ids.sort_by_key(|v| v.to_string());
    assert_eq!(
        ids,
        vec![json!(1), json!(2), Value::Null],
        "the notification is not answered"
    );

    // A batch of notifications only gets no answer at all: the next answer is for id 9.
    c.send_raw(b"[{\"jsonrpc\":\"2.0\",\"method\":\"daemon.info\"}]\n");
    assert_eq!(c.call(json!(9), "daemon.info", json!({}))["id"], 9);
}

#[test]
fn status_lists_clients_and_the_event_stream() {
    let d = Daemon::start(&[]);
    let mut a = d.client();
    let mut b = d.client();
    let sub = b.call(json!(1), "events.subscribe", json!({}));
    assert_eq!(sub["result"]["subscription"], 1);
    let status = a.call(json!(1), "daemon.status", json!({}));
    let clients = status["result"]["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 2);
    assert_eq!(
        clients
            .iter()
            .map(|c| c["subscriptions"].as_u64().unwrap())
            .sum::<u64>(),
        1
    );
    assert_eq!(status["result"]["events"]["epoch"], sub["result"]["epoch"]);
    assert!(
        clients
            .iter()
            .all(|c| c["pid"].as_u64() == Some(u64::from(std::process::id())))
    );
}

#[test]
fn subscribers_and_pollers_hear_that_the_daemon_stops() {
    let mut d = Daemon::start(&[]);
    let mut sub = d.client();
    let r = sub.call(json!(1), "events.subscribe", json!({}));
    let epoch = r["result"]["epoch"].clone();
    let mut poller = d.client();
    let poll = json!({"jsonrpc": "2.0", "id": 7, "method": "events.poll",
        "params": {"timeoutMs": 10000, "since": {"epoch": epoch, "seq": 0}}});
    poller.send_raw(format!("{poll}\n").as_bytes());
    // Wait until the poll is running; `since` covers a poll that reaches the hub late.
    let mut watcher = d.client();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let st = watcher.call(json!(1), "daemon.status", json!({}));
        // Clients are numbered in connection order, so the watcher (busy with this very call)
        // has the highest id; any other client with a call running is the poller.
        let clients = st["result"]["clients"].as_array().unwrap();
        let watcher = clients.iter().filter_map(|c| c["id"].as_u64()).max();
        let waiting = clients
            .iter()
            .any(|c| c["id"].as_u64() != watcher && c["pendingRequests"].as_u64() >= Some(1));
        if waiting {
            break;
        }
        assert!(Instant::now() < deadline, "the poll never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    d.terminate();
    let event = sub.line();
    assert_eq!(event["method"], "events.event");
    assert_eq!(event["params"]["kind"], "daemon.shutdown");
    assert_eq!(event["params"]["epoch"], epoch);
    assert_eq!(event["params"]["seq"], 1);
    let polled = poller.line();
    assert_eq!(polled["id"], 7);
    assert_eq!(polled["result"]["events"][0]["kind"], "daemon.shutdown");
    assert!(d.child.wait().unwrap().success());
    assert!(
        !d.socket.exists(),
        "the socket file is removed on a clean stop"
    );
}

#[test]
fn a_vanished_client_does_not_disturb_the_others() {
    let d = Daemon::start(&[]);
    for _ in 0..20 {
        let mut c = d.client();
        // Send half a request and vanish.
        c.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"meth");
    }
    let mut ok = d.client();
    assert_eq!(ok.call(json!(1), "daemon.info", json!({}))["id"], 1);
    let status = ok.call(json!(2), "daemon.status", json!({}));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut clients = status["result"]["clients"].as_array().unwrap().len();
    while clients > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        clients = ok.call(json!(3), "daemon.status", json!({}))["result"]["clients"]
            .as_array()
            .unwrap()
            .len();
    }
    assert_eq!(clients, 1, "vanished clients are forgotten");
}
