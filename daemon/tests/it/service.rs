//! Running as a service: the real `cxone-chatd` binary with configuration layers, a fake
//! service manager (a `NOTIFY_SOCKET` datagram socket this test owns), `systemd-socket-activate`,
//! signals (SIGHUP reload, SIGTERM drain), and the real emulator where a back end is needed.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cxone-chatd");

/// A directory standing in for /etc, the user's config home and the runtime directory, so that
/// nothing of the machine's own configuration leaks in.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for d in ["etc", "xdg/cxone-chatd", "run", "state"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Sandbox { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn socket(&self) -> PathBuf {
        self.path("run/rpc.sock")
    }

    fn write(&self, p: &str, text: &str) -> PathBuf {
        let path = self.path(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary with this sandbox's environment: system file in `etc/`, user file in `xdg/`.
    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        for var in [
            "NOTIFY_SOCKET",
            "WATCHDOG_USEC",
            "WATCHDOG_PID",
            "LISTEN_FDS",
            "LISTEN_PID",
            "LISTEN_FDNAMES",
            "JOURNAL_STREAM",
            "CREDENTIALS_DIRECTORY",
            "CXONE_CHATD_SOCKET",
            "STATE_DIRECTORY",
            "RUNTIME_DIRECTORY",
        ] {
            c.env_remove(var);
        }
        for (k, _) in std::env::vars() {
            if k.starts_with("CXONE_CHATD__") {
                c.env_remove(k);
            }
        }
        c.env("CONFIGURATION_DIRECTORY", self.path("etc"))
            .env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("HOME", self.dir.path());
        c
    }

    /// `check-config` with `args` and `env`: (exit code, stdout, stderr).
    fn check_config(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let out = self
            .command()
            .arg("check-config")
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}

/// The daemon's stderr, collected by a thread.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<String>>);

impl Log {
    fn follow(child: &mut Child) -> Self {
        let log = Log::default();
        let stderr = child.stderr.take().unwrap();
        let l = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut text = l.0.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        log
    }

    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.text().contains(what) {
            assert!(
                Instant::now() < deadline,
                "the log never said {what:?}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The fake service manager: a datagram socket the daemon's `NOTIFY_SOCKET` points at.
struct Manager {
    socket: UnixDatagram,
    path: PathBuf,
    seen: Vec<String>,
}

impl Manager {
    fn bind(dir: &Path) -> Self {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        Manager {
            socket,
            path,
            seen: Vec::new(),
        }
    }

    fn try_next(&mut self, timeout: Duration) -> Option<String> {
        self.socket.set_read_timeout(Some(timeout)).unwrap();
        let mut buf = [0u8; 4096];
        let n = self.socket.recv(&mut buf).ok()?;
        let text = String::from_utf8(buf[..n].to_vec()).unwrap();
        self.seen.push(text.clone());
        Some(text)
    }

    /// The first notification containing `line`, waiting up to 15 s.
    fn wait_for(&mut self, line: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            assert!(
                Instant::now() < deadline,
                "no {line:?} from the daemon; got {:#?}",
                self.seen
            );
            if let Some(m) = self.try_next(Duration::from_millis(200))
                && m.lines().any(|l| l == line || l.starts_with(line))
            {
                return m;
            }
        }
    }

    /// Every notification within `d`.
    fn during(&mut self, d: Duration) -> Vec<String> {
        let end = Instant::now() + d;
        let mut got = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            if let Some(m) = self.try_next(left.max(Duration::from_millis(1))) {
                got.push(m);
            }
        }
        got
    }
}

fn wait_socket(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while UnixStream::connect(path).is_err() {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} failed");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts the daemon from `cmd` with stderr collected; returns it as the shared harness's
/// `Daemon` (killed on drop) and its log.
fn start(mut cmd: Command, socket: &Path) -> (Daemon, Log) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let log = Log::follow(&mut child);
    wait_socket(socket);
    (
        Daemon {
            child,
            socket: socket.to_owned(),
            dir: None,
        },
        log,
    )
}

#[test]
fn configuration_layers_override_each_other_defaults_system_user_environment_flags() {
    let s = Sandbox::new();
    s.write(
        "etc/config.toml",
        "[log]\nlevel = \"debug\"\n[limits]\nmax_pending = 10\nmax_clients = 11\nclient_queue = 12\nevent_buffer = 13\n",
    );
    s.write(
        "xdg/cxone-chatd/config.toml",
        "[limits]\nmax_clients = 21\nclient_queue = 22\nevent_buffer = 23\nmax_line_length = 2048\n",
    );
    let env = [
        ("CXONE_CHATD__LIMITS__CLIENT_QUEUE", "32"),
        ("CXONE_CHATD__LIMITS__EVENT_BUFFER", "33"),
    ];
    let socket = s.socket();
    let state = s.path("state");
    let flags = [
        "--event-buffer",
        "43",
        "--socket",
        socket.to_str().unwrap(),
        "--state-dir",
        state.to_str().unwrap(),
    ];
    let (code, out, err) = s.check_config(&flags, &env);
    assert_eq!(code, 0, "{err}");
    let effective: toml::Table = toml::from_str(&out).unwrap();
    let limits = &effective["limits"];
    assert_eq!(limits["max_pending"].as_integer(), Some(10), "system file");
    assert_eq!(
        limits["max_clients"].as_integer(),
        Some(21),
        "user over system"
    );
    assert_eq!(
        limits["client_queue"].as_integer(),
        Some(32),
        "env over user"
    );
    assert_eq!(
        limits["event_buffer"].as_integer(),
        Some(43),
        "flag over env"
    );
    assert_eq!(
        limits["max_batch_len"].as_integer(),
        Some(100),
        "built-in default"
    );
    assert_eq!(effective["log"]["level"].as_str(), Some("debug"));
    assert!(
        out.contains(&format!(
            "# file read: {}",
            s.path("etc/config.toml").display()
        )) && out.contains("xdg/cxone-chatd/config.toml"),
        "{out}"
    );

    // The running daemon runs with the same layers.
    let mut cmd = s.command();
    cmd.args(flags).envs(env);
    let (d, _log) = start(cmd, &socket);
    let limits = d.client().ok("daemon.info", json!({}))["limits"].clone();
    assert_eq!(limits["eventBufferSize"], 43);
    assert_eq!(limits["maxLineLength"], 2048);

    // --config FILE replaces both files: only its keys and the defaults remain.
    let only = s.write("only.toml", "[limits]\nmax_clients = 5\n");
    let (code, out, err) = s.check_config(&["--config", only.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
    let effective: toml::Table = toml::from_str(&out).unwrap();
    assert_eq!(effective["limits"]["max_clients"].as_integer(), Some(5));
    assert_eq!(
        effective["limits"]["max_pending"].as_integer(),
        Some(256),
        "the system file was not read"
    );
    assert_eq!(effective["log"]["level"].as_str(), Some("info"));
}

#[test]
fn check_config_names_the_key_and_what_to_do_and_exits_non_zero() {
    let s = Sandbox::new();
    /// A file, extra environment, and what the error must say.
    type Case = (&'static str, Vec<(&'static str, &'static str)>, Vec<String>);
    let cases: Vec<Case> = vec![
        (
            "[limits]\nmax_line_lenght = 5\n",
            vec![],
            vec![
                "key `limits.max_line_lenght`".into(),
                "unknown field".into(),
                "see systemd/config.toml".into(),
            ],
        ),
        (
            "[limits]\nmax_pending = \"many\"\n",
            vec![],
            vec![
                "key `limits.max_pending`".into(),
                "invalid type: string \"many\"".into(),
            ],
        ),
        (
            "[oauth]\nclient_secret_file = \"/nonexistent/cxone-secret\"\n",
            vec![],
            vec![
                "key `oauth.client_secret_file`".into(),
                "/nonexistent/cxone-secret".into(),
                "No such file or directory".into(),
                "create it (mode 0600".into(),
            ],
        ),
        (
            "[oauth]\nclient_secret_credential = \"oauth-client-secret\"\n",
            vec![],
            vec![
                "key `oauth.client_secret_credential`".into(),
                "add LoadCredential=NAME:PATH".into(),
            ],
        ),
        (
            "[socket]\nmode = \"0666\"\n",
            vec![],
            vec![
                "key `socket.mode`".into(),
                "use \"0600\" or \"0660\"".into(),
            ],
        ),
        (
            "",
            vec![("CXONE_CHATD__LIMITS__MAX_PENDNG", "3")],
            vec![
                "environment variable CXONE_CHATD__LIMITS__MAX_PENDNG".into(),
                "no key `limits.max_pendng`".into(),
                "unset it".into(),
            ],
        ),
        (
            "",
            vec![("CXONE_CHATD__LIMITS__MAX_PENDING", "many")],
            vec![
                "key `limits.max_pending`".into(),
                "in the environment".into(),
            ],
        ),
    ];
    for (i, (file, env, expected)) in cases.into_iter().enumerate() {
        let path = s.write(&format!("case{i}.toml"), file);
        let (code, out, err) = s.check_config(&["--config", path.to_str().unwrap()], &env);
        assert_eq!(code, 78, "case {i} should fail: {out}{err}");
        assert!(out.is_empty(), "nothing printed on stdout: {out}");
        if !file.is_empty() && env.is_empty() {
            assert!(
                err.contains(path.to_str().unwrap())
                    || err.contains("oauth")
                    || err.contains("socket.mode"),
                "case {i} names the file: {err}"
            );
        }
        for e in expected {
            assert!(err.contains(&e), "case {i}: {e:?} missing from {err:?}");
        }
    }
    // A --config file that does not exist is an error (the default files are optional).
    let (code, _, err) = s.check_config(&["--config", "/nonexistent/cxone.toml"], &[]);
    assert_eq!(code, 78);
    assert!(
        err.contains("/nonexistent/cxone.toml") && err.contains("--config"),
        "{err}"
    );

    // A secret from a systemd credential is read and masked.
    s.write("creds/oauth-client-secret", "s3cr3t-value\n");
    let path = s.write(
        "ok.toml",
        "[oauth]\nclient_secret_credential = \"oauth-client-secret\"\n",
    );
    let creds = s.path("creds");
    let (code, out, err) = s.check_config(
        &["--config", path.to_str().unwrap()],
        &[("CREDENTIALS_DIRECTORY", creds.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("s3cr3t-value"), "the secret is masked: {out}");
    assert!(
        out.contains("client_secret = \"<redacted> (12 bytes read from"),
        "{out}"
    );
}

#[test]
fn ready_status_watchdog_and_stopping_reach_the_service_manager_and_a_wedged_actor_stops_the_watchdog()
 {
    let b = Backend::start(EmulatorConfig::default());
    let s = Sandbox::new();
    let mut m = Manager::bind(s.dir.path());
    let mut cmd = s.command();
    cmd.arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"))
        .env("NOTIFY_SOCKET", &m.path)
        .env("WATCHDOG_USEC", "300000")
        .env("CXONE_CHATD_TEST_HOOKS", "1")
        .env("CXONE_CHATD__SHUTDOWN__DRAIN_TIMEOUT_MS", "1000");
    let (mut d, _log) = start(cmd, &s.socket());
    let ready = m.wait_for("READY=1");
    assert!(
        ready.contains(&format!(
            "STATUS=listening on {}; no chat session yet",
            s.socket().display()
        )),
        "{ready}"
    );
    let watchdog = m
        .during(Duration::from_millis(900))
        .iter()
        .filter(|n| *n == "WATCHDOG=1\n")
        .count();
    assert!(
        watchdog >= 2,
        "pings every 150 ms while all actors answer: {watchdog}"
    );

    // The back-end connection shows in STATUS=.
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    c.ok("session.connect", json!({}));
    m.wait_for("STATUS=listening on");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !m
        .seen
        .iter()
        .any(|n| n.contains("back end: default: connected"))
    {
        assert!(Instant::now() < deadline, "{:#?}", m.seen);
        m.try_next(Duration::from_millis(100));
    }

    // Unknown names are refused; a wedged session stops the watchdog.
    let e = c.err("debug.wedge", json!({"actor": "nobody"}));
    assert!(
        e["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("session:default"),
        "{e}"
    );
    c.ok("debug.wedge", json!({"actor": "session:default"}));
    // A check already under way may still pass; after that, nothing.
    let first = m.during(Duration::from_millis(400));
    let after = m.during(Duration::from_millis(1200));
    assert!(
        !after.iter().any(|n| n.contains("WATCHDOG=1")),
        "no watchdog while a critical actor is wedged: {after:?}"
    );
    assert!(
        first.iter().chain(&after).any(|n| n
            == "STATUS=degraded: session:default not answering; the watchdog is no longer fed\n"),
        "{first:?} {after:?}"
    );
    // The rest of the daemon still answers: only the watchdog reports the wedge.
    assert!(c.ok("daemon.info", json!({}))["version"].is_string());

    signal(&d.child, "TERM");
    let stopping = m.wait_for("STOPPING=1");
    assert!(stopping.contains("STATUS=stopping"), "{stopping}");
    // The wedged session cannot close; the drain timeout (1 s) ends the wait.
    let status = wait_exit(&mut d.child, Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
}

#[test]
fn without_test_hooks_there_is_no_wedge_method() {
    let s = Sandbox::new();
    let mut cmd = s.command();
    cmd.arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"));
    let (d, _log) = start(cmd, &s.socket());
    let e = d.client().err("debug.wedge", json!({"actor": "event-hub"}));
    assert_eq!(e["code"], -32601, "{e}");
}

#[test]
fn socket_activation_serves_on_the_passed_socket_and_leaves_the_file_to_systemd() {
    let activate = Path::new("/usr/bin/systemd-socket-activate");
    assert!(
        activate.exists(),
        "systemd-socket-activate is missing; install the systemd package (apt-get install systemd)"
    );
    let s = Sandbox::new();
    let mut m = Manager::bind(s.dir.path());
    let socket = s.socket();
    let mut cmd = Command::new(activate);
    cmd.arg("-l")
        .arg(&socket)
        .arg("--fdname=rpc")
        .arg(format!("--setenv=NOTIFY_SOCKET={}", m.path.display()))
        .arg(format!(
            "--setenv=CONFIGURATION_DIRECTORY={}",
            s.path("etc").display()
        ))
        .arg(format!(
            "--setenv=XDG_CONFIG_HOME={}",
            s.path("xdg").display()
        ))
        .arg(BIN)
        // No --socket: the passed socket is used whatever the configuration says.
        .arg("--state-dir")
        .arg(s.path("state"))
        .env_remove("CXONE_CHATD_SOCKET")
        .env_remove("NOTIFY_SOCKET");
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let log = Log::follow(&mut child);
    wait_socket(&socket);
    let d = Daemon {
        child,
        socket: socket.clone(),
        dir: None,
    };
    // The first connection makes systemd-socket-activate exec the daemon with the socket.
    let mut c = d.client();
    let info = c.ok("daemon.info", json!({}));
    assert_eq!(info["name"], "cxone-chatd");
    let ready = m.wait_for("READY=1");
    assert!(
        ready.contains(&format!(
            "listening on {} (socket activation)",
            socket.display()
        )),
        "{ready}"
    );
    // More clients on the same passed socket.
    assert!(d.client().ok("daemon.status", json!({}))["ready"] == true);
    let mut d = d;
    signal(&d.child, "TERM");
    assert!(wait_exit(&mut d.child, Duration::from_secs(10)).success());
    assert!(
        socket.exists(),
        "the daemon must not unlink a socket it was given:\n{}",
        log.text()
    );
}

#[test]
fn sighup_applies_live_keys_and_names_those_that_need_a_restart() {
    let s = Sandbox::new();
    let mut m = Manager::bind(s.dir.path());
    let file = s.write(
        "config.toml",
        "[limits]\nmax_line_length = 4096\nevent_buffer = 100\n",
    );
    let mut cmd = s.command();
    cmd.arg("--config")
        .arg(&file)
        .arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"))
        .env("NOTIFY_SOCKET", &m.path);
    let (d, log) = start(cmd, &s.socket());
    m.wait_for("READY=1");
    let mut c = d.client();
    let limits = c.ok("daemon.info", json!({}))["limits"].clone();
    assert_eq!(
        (
            limits["maxLineLength"].as_u64(),
            limits["eventBufferSize"].as_u64()
        ),
        (Some(4096), Some(100))
    );

    std::fs::write(
        &file,
        "[limits]\nmax_line_length = 8192\nevent_buffer = 200\n[log]\nlevel = \"debug\"\n",
    )
    .unwrap();
    signal(&d.child, "HUP");
    let reloading = m.wait_for("RELOADING=1");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    m.wait_for("READY=1");
    let limits = c.ok("daemon.info", json!({}))["limits"].clone();
    assert_eq!(limits["maxLineLength"], 8192, "live");
    assert_eq!(limits["eventBufferSize"], 100, "needs a restart");
    log.wait_for("configuration reloaded");
    let text = log.text();
    assert!(
        text.lines().any(|l| l.contains("limits.event_buffer")
            && l.contains("takes effect only after a restart")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("configuration reloaded")
            && l.contains("limits.max_line_length")
            && l.contains("log.level")),
        "{text}"
    );
    // The new level is in force: debug lines appear (a new client connecting logs one).
    drop(d.client());
    log.wait_for("DEBUG");

    // A broken file is refused and the running configuration stays.
    std::fs::write(&file, "[limits]\nmax_line_length = \"huge\"\n").unwrap();
    signal(&d.child, "HUP");
    m.wait_for("RELOADING=1");
    m.wait_for("READY=1");
    log.wait_for("reloading the configuration failed");
    assert_eq!(
        c.ok("daemon.info", json!({}))["limits"]["maxLineLength"],
        8192
    );
}

/// Prepares and connects `chat_single`, creates a thread and has the agent answer once.
fn chat(c: &mut crate::common::Client, b: &Backend) -> String {
    c.subscribe();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single",
        "customer": {"id": "ada-drain", "firstName": "Ada"}}),
    );
    c.ok("session.connect", json!({}));
    let tid = c.ok("threads.create", json!({}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.ok("thread.send", json!({"threadId": tid, "text": "first"}));
    c.wait_event("the agent's answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: first"
    });
    tid
}

fn copies(b: &Backend, id: &str) -> usize {
    b.admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["body"]["payload"]["data"]["idOnExternalPlatform"] == id)
        .count()
}

#[test]
fn sigterm_lets_a_send_in_flight_finish_tells_clients_and_closes_the_websocket_with_1001() {
    let b = Backend::start(EmulatorConfig::default());
    let s = Sandbox::new();
    let mut cmd = s.command();
    cmd.arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"))
        .env("CXONE_CHATD__LOG__LEVEL", "cxone_chatd=debug,info");
    let (mut d, log) = start(cmd, &s.socket());
    let mut c = d.client();
    let tid = chat(&mut c, &b);

    // The back end takes its time to acknowledge: the send is in flight at SIGTERM.
    b.admin_post("faults", json!({"delayRepliesMs": {"SendMessage": 1500}}));
    let id = "3f1c2b7a-9d4e-4c6b-8a2f-5e7d9c1b3a40";
    let mut raw = UnixStream::connect(&d.socket).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = json!({"jsonrpc": "2.0", "id": 99, "method": "thread.send",
        "params": {"threadId": tid, "text": "private words in flight", "clientMessageId": id}});
    raw.write_all(format!("{request}\n").as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while copies(&b, id) == 0 {
        assert!(Instant::now() < deadline, "the send did not leave");
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&d.child, "TERM");

    // The caller gets its answer: sent (or delivered, when the echo came first), not failed.
    let mut reader = BufReader::new(raw);
    let answer: Value = loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "the connection closed before the answer");
        let v: Value = serde_json::from_str(&line).unwrap();
        if v["id"] == 99 {
            break v;
        }
    };
    assert!(
        ["sent", "delivered"].contains(&answer["result"]["status"].as_str().unwrap_or("")),
        "{answer}\n{}",
        log.text()
    );
    // Subscribers hear that the daemon stops.
    let shutdown = c.wait_event("daemon.shutdown", |e| e["kind"] == "daemon.shutdown");
    assert_eq!(shutdown["data"]["reason"], "stop");
    let status = wait_exit(&mut d.child, Duration::from_secs(15));
    assert!(status.success(), "{status:?}\n{}", log.text());
    assert_eq!(copies(&b, id), 1, "delivered once");
    let text = log.text();
    assert!(
        text.contains("closed by this client with code 1001"),
        "the WebSocket closed as going away:\n{text}"
    );
    assert!(
        !text.contains("private words"),
        "message text is never logged at info level:\n{text}"
    );
    // New connections are refused once the drain began.
    assert!(UnixStream::connect(&d.socket).is_err());
}

#[test]
fn sigterm_keeps_queued_messages_on_disk_and_the_next_run_delivers_them_once() {
    let b = Backend::start(EmulatorConfig::default());
    let s = Sandbox::new();
    let command = || {
        let mut cmd = s.command();
        cmd.arg("--socket")
            .arg(s.socket())
            .arg("--state-dir")
            .arg(s.path("state"));
        cmd
    };
    let (mut d, _log) = start(command(), &s.socket());
    let mut c = d.client();
    let tid = chat(&mut c, &b);
    // The back end refuses the daemon: it keeps reconnecting and queues messages on disk.
    b.admin_post("faults", json!({"refuseAuthorizations": 1000}));
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("connection.lost", |e| e["kind"] == "connection.lost");
    let id = "7a9e4c2d-1b3f-4d5e-8f6a-0c2b4d6e8f10";
    let m = c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "queued before SIGTERM", "clientMessageId": id}),
    );
    assert_eq!(m["status"], "queued");
    signal(&d.child, "TERM");
    assert!(wait_exit(&mut d.child, Duration::from_secs(15)).success());
    drop(c);
    assert_eq!(copies(&b, id), 0, "not delivered yet");

    // The next run is ready at once although the back end still refuses it, and says so.
    let mut m = Manager::bind(s.dir.path());
    let mut second = command();
    second.env("NOTIFY_SOCKET", &m.path);
    let (_second, _log) = start(second, &s.socket());
    m.wait_for("READY=1");
    m.wait_for("STATUS=listening on");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !m
        .seen
        .iter()
        .any(|n| n.contains("default: reconnecting (attempt"))
    {
        assert!(Instant::now() < deadline, "{:#?}", m.seen);
        m.try_next(Duration::from_millis(100));
    }
    assert_eq!(copies(&b, id), 0);
    b.admin_post("faults", json!({"refuseAuthorizations": 0}));
    let deadline = Instant::now() + Duration::from_secs(20);
    while copies(&b, id) == 0 {
        assert!(
            Instant::now() < deadline,
            "the queued message was not delivered after the restart"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(copies(&b, id), 1, "exactly once");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !m
        .seen
        .last()
        .is_some_and(|n| n.contains("default: connected"))
    {
        assert!(Instant::now() < deadline, "{:#?}", m.seen);
        m.try_next(Duration::from_millis(100));
    }
}

#[test]
fn a_second_sigterm_quits_at_once_while_a_drain_waits() {
    let b = Backend::start(EmulatorConfig::default());
    let s = Sandbox::new();
    let mut cmd = s.command();
    cmd.arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"))
        .env("CXONE_CHATD_TEST_HOOKS", "1")
        .env("CXONE_CHATD__SHUTDOWN__DRAIN_TIMEOUT_MS", "60000");
    let (mut d, log) = start(cmd, &s.socket());
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    // A wedged session never finishes closing: the drain would wait its full minute.
    c.ok("debug.wedge", json!({"actor": "session:default"}));
    signal(&d.child, "TERM");
    log.wait_for("stopping: draining");
    std::thread::sleep(Duration::from_millis(200));
    assert!(d.child.try_wait().unwrap().is_none(), "still draining");
    let started = Instant::now();
    signal(&d.child, "TERM");
    let status = wait_exit(&mut d.child, Duration::from_secs(5));
    assert_eq!(status.code(), Some(130), "{}", log.text());
    assert!(started.elapsed() < Duration::from_secs(2));
    log.wait_for("second signal while draining: quitting at once");
}

#[test]
fn the_event_hub_and_the_rpc_server_are_watched_too() {
    for actor in ["event-hub", "rpc-server"] {
        let s = Sandbox::new();
        let mut m = Manager::bind(s.dir.path());
        let mut cmd = s.command();
        cmd.arg("--socket")
            .arg(s.socket())
            .arg("--state-dir")
            .arg(s.path("state"))
            .env("NOTIFY_SOCKET", &m.path)
            .env("WATCHDOG_USEC", "300000")
            .env("CXONE_CHATD_TEST_HOOKS", "1");
        let (d, _log) = start(cmd, &s.socket());
        m.wait_for("WATCHDOG=1");
        d.client().ok("debug.wedge", json!({"actor": actor}));
        m.during(Duration::from_millis(400));
        let after = m.during(Duration::from_millis(1000));
        assert!(
            !after.iter().any(|n| n.contains("WATCHDOG=1")),
            "{actor} wedged, yet the watchdog was fed: {after:?}"
        );
    }
}

#[test]
fn logs_on_stderr_can_be_json_one_object_per_line() {
    let s = Sandbox::new();
    let mut cmd = s.command();
    cmd.arg("--socket")
        .arg(s.socket())
        .arg("--state-dir")
        .arg(s.path("state"))
        .arg("--log-format")
        .arg("json");
    let (mut d, log) = start(cmd, &s.socket());
    drop(d.client());
    signal(&d.child, "TERM");
    assert!(wait_exit(&mut d.child, Duration::from_secs(10)).success());
    log.wait_for("drained");
    let text = log.text();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines.len() >= 3, "{text}");
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["fields"].is_object()),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "client connected"),
        "{text}"
    );
}
