//! Through a real HTTP proxy (issue #16): Debian's tinyproxy, started by the test on loopback.
//! REST and the WebSocket both go through its CONNECT tunnels (its log shows them), with and
//! without proxy authentication, and a missing login is named; a proxy that goes away mid-chat
//! and comes back loses nothing. `.ci/run` installs tinyproxy;
//! without it these tests fail, they do not skip.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Backend, Client, Daemon, daemon_trusting};
use cxone_emulator::EmulatorConfig;
use serde_json::json;

/// A tinyproxy process of the test's own, killed when dropped.
struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Tinyproxy {
    fn start(dir: &Path, basic_auth: Option<(&str, &str)>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(dir, port, basic_auth)
    }

    fn start_on(dir: &Path, port: u16, basic_auth: Option<(&str, &str)>) -> Self {
        Self::start_full(dir, port, basic_auth, 60)
    }

    /// One that closes connections idle for `idle_timeout_s`.
    fn start_with(dir: &Path, basic_auth: Option<(&str, &str)>, idle_timeout_s: u32) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_full(dir, port, basic_auth, idle_timeout_s)
    }

    fn start_full(
        dir: &Path,
        port: u16,
        basic_auth: Option<(&str, &str)>,
        idle_timeout_s: u32,
    ) -> Self {
        let log = dir.join("tinyproxy.log");
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout {idle_timeout_s}\nLogFile \"{}\"\nLogLevel Connect\nMaxClients 50\nAllow 127.0.0.1\n",
            log.display()
        );
        if let Some((user, password)) = basic_auth {
            conf.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let conf_path = dir.join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy is installed (apt-get install -y tinyproxy; .ci/run does it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tinyproxy did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Tinyproxy { child, port, log }
    }

    /// The `CONNECT` lines of its log, to `port`.
    fn connects_to(&self, port: u16) -> usize {
        let Ok(f) = std::fs::File::open(&self.log) else {
            return 0;
        };
        std::io::BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter(|l| l.contains("CONNECT") && l.contains(&format!("127.0.0.1:{port}")))
            .count()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A daemon trusting the TLS emulator and using `proxy`, with `credentials` in a file.
fn daemon(b: &Backend, dir: &Path, proxy: u16, credentials: Option<&str>) -> Daemon {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, b.ca_pem().unwrap()).unwrap();
    let mut config = format!(
        "[network]\nca_file = {:?}\nproxy = \"http://127.0.0.1:{proxy}\"\n",
        ca.to_str().unwrap()
    );
    if let Some(c) = credentials {
        let file = dir.join("proxy-credentials");
        std::fs::write(&file, format!("{c}\n")).unwrap();
        config.push_str(&format!(
            "proxy_credentials_file = {:?}\n",
            file.to_str().unwrap()
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    Daemon::start_with(&["--config", path.to_str().unwrap()])
}

fn chat(c: &mut Client, b: &Backend, text: &str) {
    c.subscribe();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let t = c.ok("threads.create", json!({}));
    c.ok("thread.send", json!({"threadId": t["id"], "text": text}));
    let answer = format!("You said: {text}");
    c.wait_event("the answer", move |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == answer
    });
}

#[test]
fn rest_and_the_websocket_go_through_the_proxys_tunnels() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let port: u16 = b.base.rsplit(':').next().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let proxy = Tinyproxy::start(dir.path(), None);
    let d = daemon(&b, dir.path(), proxy.port, None);
    let mut c = d.client();
    chat(&mut c, &b, "through the proxy");
    // The channel configuration, the visitor and the WebSocket: each its own tunnel or one
    // kept alive; at least REST's and the socket's.
    let tunnels = proxy.connects_to(port);
    assert!(tunnels >= 2, "the proxy's log shows {tunnels} CONNECT(s)");

    // The gateway drops the WebSocket: the reconnect's tunnel shows in the proxy's log.
    b.admin_post("faults/drop-sockets", json!({}));
    c.wait_event("reconnected", |e| e["kind"] == "connection.restored");
    assert!(
        proxy.connects_to(port) > tunnels,
        "the WebSocket's reconnect went through the proxy"
    );

    // The proxy itself goes away mid-chat and comes back on its port: nothing is lost.
    let proxy_port = proxy.port;
    drop(proxy);
    c.wait_event("the tunnel dropped", |e| e["kind"] == "connection.lost");
    let tid = c.ok("threads.list", json!({}))["threads"][0]["id"].clone();
    let queued = c.ok(
        "thread.send",
        json!({"threadId": tid, "text": "while the proxy was down"}),
    );
    assert_eq!(queued["status"], "queued");
    let _proxy = Tinyproxy::start_on(dir.path(), proxy_port, None);
    c.wait_event("reconnected through the new proxy", |e| {
        e["kind"] == "connection.restored"
    });
    c.wait_event("the queued message answered", |e| {
        e["kind"] == "message.created"
            && e["data"]["message"]["text"] == "You said: while the proxy was down"
    });
}

#[test]
fn an_authenticating_proxy_names_the_missing_login_and_takes_the_configured_one() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let proxy = Tinyproxy::start(dir.path(), Some(("kiosk", "s3cret")));

    let without = daemon(&b, dir.path(), proxy.port, None);
    let mut c = without.client();
    let err = c.err(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    let detail = err["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("407") && detail.contains("network.proxy_credentials_file"),
        "the proxy's refusal is named, and what to do: {err}"
    );
    assert!(detail.contains("after 1 attempt"), "not retried: {err}");
    assert_eq!(err["data"]["retryable"], false, "{err}");
    drop(c);
    drop(without);

    let with = daemon(&b, dir.path(), proxy.port, Some("kiosk:s3cret"));
    let mut c = with.client();
    chat(&mut c, &b, "logged in to the proxy");
}

/// A daemon trusting the TLS emulator, its proxies from `vars` as curl reads them.
fn daemon_with_env(b: &Backend, dir: &Path, vars: &[(&str, &str)]) -> Daemon {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, b.ca_pem().unwrap()).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!("[network]\nca_file = {:?}\n", ca.to_str().unwrap()),
    )
    .unwrap();
    Daemon::start_with_env(&["--config", path.to_str().unwrap()], vars)
}

#[test]
fn the_environment_names_the_proxy_and_no_proxy_bypasses_it() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let port: u16 = b.base.rsplit(':').next().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let proxy = Tinyproxy::start(dir.path(), None);
    let url = format!("http://127.0.0.1:{}", proxy.port);

    let d = daemon_with_env(&b, dir.path(), &[("HTTPS_PROXY", &url)]);
    let mut c = d.client();
    chat(&mut c, &b, "via HTTPS_PROXY");
    let via_env = proxy.connects_to(port);
    assert!(
        via_env >= 2,
        "HTTPS_PROXY is used for REST and the WebSocket: {via_env}"
    );
    drop(c);
    drop(d);

    let d = daemon_with_env(
        &b,
        dir.path(),
        &[("https_proxy", &url), ("NO_PROXY", "example.com,127.0.0.1")],
    );
    let mut c = d.client();
    chat(&mut c, &b, "around the proxy");
    assert_eq!(
        proxy.connects_to(port),
        via_env,
        "NO_PROXY names the back end: no tunnel"
    );
}

/// A microsocks process of the test's own (Debian's `microsocks`, a real SOCKS5 server),
/// killed when dropped. Its log, one line per connection on stderr, goes to a file.
struct Microsocks {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Microsocks {
    fn start(dir: &Path, login: Option<(&str, &str)>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("microsocks.log");
        let mut cmd = Command::new("microsocks");
        cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
        if let Some((user, password)) = login {
            cmd.args(["-u", user, "-P", password]);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("microsocks is installed (apt-get install -y microsocks; .ci/run does it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "microsocks did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Microsocks { child, port, log }
    }

    /// The connections its log shows to `port`.
    fn connects_to(&self, port: u16) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("connected to") && l.contains(&format!(":{port}")))
            .count()
    }
}

impl Drop for Microsocks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_socks5_proxy_carries_rest_and_the_websocket_with_and_without_a_login() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let port: u16 = b.base.rsplit(':').next().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();

    let open = Microsocks::start(dir.path(), None);
    let d = daemon_trusting(
        &b,
        dir.path(),
        &format!("proxy = \"socks5h://127.0.0.1:{}\"\n", open.port),
    );
    let mut c = d.client();
    chat(&mut c, &b, "through SOCKS5");
    let through = open.connects_to(port);
    assert!(
        through >= 2,
        "REST and the WebSocket went through the SOCKS5 proxy: {through}"
    );
    drop(c);
    drop(d);
    drop(open);

    let sub = tempfile::tempdir().unwrap();
    let guarded = Microsocks::start(sub.path(), Some(("kiosk", "s0cks")));
    let proxy = format!("proxy = \"socks5://127.0.0.1:{}\"\n", guarded.port);
    let without = daemon_trusting(&b, sub.path(), &proxy);
    let mut c = without.client();
    let err = c.err(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single"}),
    );
    assert_eq!(err["data"]["retryable"], false, "{err}");
    assert!(
        err["data"]["detail"]
            .as_str()
            .unwrap()
            .contains("network.proxy_credentials_file"),
        "the missing login is named: {err}"
    );
    drop(c);
    drop(without);
    let credentials = sub.path().join("socks-login");
    std::fs::write(&credentials, "kiosk:s0cks\n").unwrap();
    let with = daemon_trusting(
        &b,
        sub.path(),
        &format!(
            "{proxy}proxy_credentials_file = {:?}\n",
            credentials.to_str().unwrap()
        ),
    );
    let mut c = with.client();
    chat(&mut c, &b, "logged in to SOCKS5");
    assert!(guarded.connects_to(port) >= 2);
}

#[test]
fn the_heartbeat_keeps_an_idle_proxy_from_cutting_the_tunnel() {
    let b = Backend::start_tls(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    // tinyproxy closes a tunnel idle for 2 s.
    let proxy = Tinyproxy::start_with(dir.path(), None, 2);
    let keys = |heartbeat_ms: u64| {
        format!(
            "proxy = \"http://127.0.0.1:{}\"\nheartbeat_interval_ms = {heartbeat_ms}\n",
            proxy.port
        )
    };

    // A heartbeat every second: the tunnel is never idle long enough.
    let d = daemon_trusting(&b, dir.path(), &keys(1_000));
    let mut c = d.client();
    chat(&mut c, &b, "kept alive");
    std::thread::sleep(Duration::from_secs(5));
    let t = c.ok("threads.list", json!({}))["threads"][0]["id"].clone();
    let sent = c.ok("thread.send", json!({"threadId": t, "text": "after 5 s"}));
    assert_eq!(sent["status"], "sent", "{sent}");
    c.wait_event("the answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: after 5 s"
    });
    assert!(
        !c.events.iter().any(|e| e["kind"] == "connection.lost"),
        "the tunnel was never cut: {:?}",
        c.events
    );
    drop(c);
    drop(d);

    // A heartbeat every 10 s: the proxy cuts the idle tunnel, the daemon reconnects by itself.
    let d = daemon_trusting(&b, dir.path(), &keys(10_000));
    let mut c = d.client();
    chat(&mut c, &b, "left idle");
    c.wait_event("the proxy cut the idle tunnel", |e| {
        e["kind"] == "connection.lost"
    });
    c.wait_event("reconnected", |e| e["kind"] == "connection.restored");
}

#[test]
fn check_config_shows_the_proxies_in_force_with_their_passwords_masked() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("login");
    std::fs::write(&credentials, "kiosk:cfg-s3cret\n").unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[network]\nproxy = \"socks5h://proxy.corp:1080\"\nproxy_credentials_file = {:?}\n",
            credentials.to_str().unwrap()
        ),
    )
    .unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
            .arg("check-config")
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let from_file = run(&["--config", config.to_str().unwrap()], &[]);
    assert!(
        from_file.contains("# proxy for https and wss: socks5h://kiosk:<redacted>@proxy.corp:1080"),
        "{from_file}"
    );
    assert!(!from_file.contains("cfg-s3cret"), "{from_file}");

    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let from_env = run(
        &["--config", empty.to_str().unwrap()],
        &[
            ("HTTPS_PROXY", "http://ann:env-s3cret@proxy.corp:3128"),
            ("NO_PROXY", "10.0.0.0/8,.internal"),
        ],
    );
    assert!(
        from_env.contains("# proxy for https and wss: http://ann:<redacted>@proxy.corp:3128"),
        "{from_env}"
    );
    assert!(
        from_env.contains("# no proxy for: 10.0.0.0/8, .internal"),
        "{from_env}"
    );
    assert!(!from_env.contains("env-s3cret"), "{from_env}");
}
