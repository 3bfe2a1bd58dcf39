//! Through a real HTTP proxy (issue #16): Debian's tinyproxy, started by the test on loopback.
//! REST and the WebSocket both go through its CONNECT tunnels (its log shows them), with and
//! without proxy authentication, and a missing login is named; a proxy that goes away mid-chat
//! and comes back loses nothing. `.ci/run` installs tinyproxy;
//! without it these tests fail, they do not skip.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Backend, Client, Daemon};
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
        let log = dir.join("tinyproxy.log");
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{}\"\nLogLevel Connect\nMaxClients 50\nAllow 127.0.0.1\n",
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
