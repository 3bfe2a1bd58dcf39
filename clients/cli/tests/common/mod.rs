//! The real binaries for the CLI's tests: the emulator and the daemon as processes on a
//! loopback port and a temporary socket, and `cxone-chat` itself. The daemon and emulator come
//! from `$CXONE_CHATD_BIN` and `$CXONE_EMULATOR_BIN` (`.ci/run` sets them), else from the target
//! directory `cxone-chat` was built into (`cargo build -p cxone-chatd -p cxone-emulator` first).

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// `cxone-chat`, built for this test.
pub const CLI: &str = env!("CARGO_BIN_EXE_cxone-chat");

/// A sibling binary: `$ENV`, else `name` beside `cxone-chat`.
pub fn bin(env: &str, name: &str) -> PathBuf {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(CLI).with_file_name(name));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p cxone-chatd -p cxone-emulator` or set {env}",
        path.display()
    );
    path
}

/// The emulator binary on a free loopback port.
pub struct Emulator {
    child: Child,
    pub base: String,
    _config: Option<tempfile::NamedTempFile>,
}

impl Emulator {
    pub fn start() -> Self {
        Self::start_with_config(None)
    }

    /// With `toml` merged into the built-in brands and channels.
    pub fn start_with_config(toml: Option<&str>) -> Self {
        let mut cmd = Command::new(bin("CXONE_EMULATOR_BIN", "cxone-emulator"));
        cmd.args(["--listen", "127.0.0.1:0"]);
        let config = toml.map(|t| {
            let f = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(f.path(), t).unwrap();
            cmd.arg("--config").arg(f.path());
            f
        });
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Emulator {
            child,
            base,
            _config: config,
        }
    }

    /// `POST /admin/<path>` with a JSON body; the response's JSON.
    pub fn admin_post(&self, path: &str, body: Value) -> Value {
        self.admin("POST", path, &body.to_string())
    }

    /// `GET /admin/<path>`; the response's JSON.
    #[allow(dead_code)] // not every test binary reads the admin API
    pub fn admin_get(&self, path: &str) -> Value {
        self.admin("GET", path, "")
    }

    fn admin(&self, method: &str, path: &str, body: &str) -> Value {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "{method} /admin/{path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
        serde_json::from_str(json).unwrap_or(Value::Null)
    }

    /// The `environment` param of `session.prepare` for this emulator.
    pub fn environment(&self) -> Value {
        json!({"chatUrl": format!("{}/chat", self.base), "socketUrl": self.base.replace("http://", "ws://") + "/"})
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon binary on a temporary socket.
pub struct Daemon {
    pub child: Child,
    pub socket: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Daemon {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Self::start_in(dir.path());
        d._dir = Some(dir);
        d
    }

    /// A daemon whose socket and state live in `dir`, which outlives it (restart tests).
    pub fn start_in(dir: &Path) -> Self {
        let socket = dir.join("rpc.sock");
        let child = Self::spawn(dir);
        wait_for_socket(&socket);
        Daemon {
            child,
            socket,
            _dir: None,
        }
    }

    /// Starts the daemon without waiting for it.
    pub fn spawn(dir: &Path) -> Child {
        Command::new(bin("CXONE_CHATD_BIN", "cxone-chatd"))
            .arg("--socket")
            .arg(dir.join("rpc.sock"))
            .arg("--state-dir")
            .arg(dir.join("state"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_for_socket(socket: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(socket).is_err() {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `cxone-chat --socket SOCKET ARGS…`, run to completion.
pub fn cli(socket: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--socket")
        .arg(socket)
        .args(args)
        .env_remove("CXONE_CHATD_SOCKET")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs `cxone-chat` and returns its stdout, failing the test unless it exits 0.
pub fn cli_ok(socket: &Path, args: &[&str]) -> String {
    let out = cli(socket, args);
    assert!(
        out.status.success(),
        "cxone-chat {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `cxone-chat --json call METHOD PARAMS` and its result.
pub fn call(socket: &Path, method: &str, params: Value) -> Value {
    let out = cli_ok(socket, &["--json", "call", method, &params.to_string()]);
    serde_json::from_str(out.trim()).unwrap()
}
