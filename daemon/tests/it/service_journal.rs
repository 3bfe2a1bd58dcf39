//! What a service manager's journal gets from the real `cxone-chatd` binary (issue #12): the
//! reason of a fatal stop and of a refused reload in the message itself, `check-config --quiet`
//! (the units' `ExecStartPre=`) silent unless something is wrong, and a reload that compares
//! with what actually runs.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cxone-chatd");

/// The binary with none of the environment a service manager or the machine would add.
fn command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("CXONE_CHATD") {
            c.env_remove(k);
        }
    }
    for var in [
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "LISTEN_FDS",
        "LISTEN_PID",
        "LISTEN_FDNAMES",
        "JOURNAL_STREAM",
        "CREDENTIALS_DIRECTORY",
        "STATE_DIRECTORY",
        "CONFIGURATION_DIRECTORY",
    ] {
        c.env_remove(var);
    }
    c.env("HOME", dir).env("XDG_CONFIG_HOME", dir.join("xdg"));
    c
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

    /// Waits (up to 15 s) until `what` is in the log `n` times.
    fn wait_count(&self, what: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.text().matches(what).count() < n {
            assert!(
                Instant::now() < deadline,
                "the log never said {what:?} {n} times:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn check_config_quiet_prints_nothing_when_usable_and_the_reason_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[limits]\nevent_buffer = 100\n").unwrap();

    let loud = command(dir.path())
        .args(["check-config", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(loud.status.success());
    assert!(
        String::from_utf8_lossy(&loud.stdout).contains("event_buffer = 100"),
        "without --quiet the configuration is printed"
    );

    let quiet = command(dir.path())
        .args(["check-config", "--quiet", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(quiet.status.success(), "{quiet:?}");
    assert_eq!(
        (quiet.stdout.as_slice(), quiet.stderr.as_slice()),
        (&b""[..], &b""[..]),
        "--quiet prints nothing for a usable configuration"
    );

    std::fs::write(&file, "[limits]\nevent_buffer = \"lots\"\n").unwrap();
    let broken = command(dir.path())
        .args(["check-config", "--quiet", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(78));
    assert!(broken.stdout.is_empty());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("limits.event_buffer"), "{err}");
}

#[test]
fn a_fatal_stop_logs_its_reason_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    // The socket's directory is a regular file: binding must fail.
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let out = command(dir.path())
        .arg("--config")
        .arg(&config)
        .arg("--socket")
        .arg(not_a_dir.join("rpc.sock"))
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // The log line's message (before the fields) carries the reason, as the journal's MESSAGE.
    let line = err
        .lines()
        .find(|l| l.contains("ERROR") && l.contains("cxone-chatd stopped"))
        .unwrap_or_else(|| panic!("no error line:\n{err}"));
    let message = line.split(" error=").next().unwrap();
    assert!(
        message.contains("cxone-chatd stopped: ") && message.contains("rpc.sock"),
        "the reason is not in the message: {line}"
    );
}

#[test]
fn restoring_a_key_that_needs_a_restart_is_not_reported_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    let socket = dir.path().join("rpc.sock");
    std::fs::write(&file, "[limits]\nevent_buffer = 100\n").unwrap();
    let mut child = command(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("--socket")
        .arg(&socket)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Log::follow(&mut child);
    let daemon = crate::common::Daemon {
        child,
        socket: socket.clone(),
        dir: None,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let hup = |d: &crate::common::Daemon| {
        let ok = Command::new("kill")
            .args(["-HUP", &d.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -HUP failed");
    };
    let restart = "takes effect only after a restart";

    std::fs::write(&file, "[limits]\nevent_buffer = 200\n").unwrap();
    hup(&daemon);
    log.wait_count("configuration reloaded", 1);
    let text = log.text();
    let warned: Vec<&str> = text.lines().filter(|l| l.contains(restart)).collect();
    assert_eq!(warned.len(), 1, "{text}");
    // The key is in the message, not only in a field.
    assert!(
        warned[0].contains("limits.event_buffer changed in the configuration"),
        "{text}"
    );

    // Back to the value that runs: nothing changed, nothing needs a restart.
    std::fs::write(&file, "[limits]\nevent_buffer = 100\n").unwrap();
    hup(&daemon);
    log.wait_count("configuration reloaded", 2);
    let text = log.text();
    assert_eq!(
        text.lines().filter(|l| l.contains(restart)).count(),
        1,
        "restoring the running value was reported as needing a restart:\n{text}"
    );

    // A broken file: the reason is in the message.
    std::fs::write(&file, "[limits]\nevent_buffer = \"lots\"\n").unwrap();
    hup(&daemon);
    log.wait_count("reloading the configuration failed", 1);
    let text = log.text();
    let line = text
        .lines()
        .find(|l| l.contains("reloading the configuration failed"))
        .unwrap();
    assert!(
        line.split(" error=")
            .next()
            .unwrap()
            .contains("limits.event_buffer"),
        "{line}"
    );
}
