//! The service manager's notification protocol (`sd_notify(3)`): one datagram of
//! `KEY=VALUE` lines to the unix socket named by `$NOTIFY_SOCKET` (a path, or an abstract
//! address when it starts with `@`). Without `$NOTIFY_SOCKET` every call does nothing, so the
//! daemon calls it unconditionally.
//!
//! Sends never block: the socket is non-blocking, and a notification the manager cannot take
//! at once is dropped with a debug log (the next one carries the news).

pub(crate) mod status;

use std::collections::HashMap;
use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// A connection to the service manager, or nothing when not run by one.
#[derive(Debug)]
pub(crate) struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
}

impl Notifier {
    /// Reads `$NOTIFY_SOCKET` from `env`.
    pub(crate) fn from_env(env: &HashMap<String, String>) -> io::Result<Self> {
        let Some(name) = env.get("NOTIFY_SOCKET").filter(|n| !n.is_empty()) else {
            return Ok(Self { target: None });
        };
        let addr = match name.strip_prefix('@') {
            Some(abstract_name) => {
                use std::os::linux::net::SocketAddrExt;
                SocketAddr::from_abstract_name(abstract_name.as_bytes())?
            }
            None => SocketAddr::from_pathname(name)?,
        };
        let socket = UnixDatagram::unbound()?;
        socket.set_nonblocking(true)?;
        Ok(Self {
            target: Some((socket, addr)),
        })
    }

    /// Whether a service manager listens.
    pub(crate) fn enabled(&self) -> bool {
        self.target.is_some()
    }

    /// Sends `lines` (`READY=1`, `STATUS=…`, …) as one datagram.
    pub(crate) fn send(&self, lines: &[&str]) {
        let Some((socket, addr)) = &self.target else {
            return;
        };
        let mut text = lines.join("\n");
        text.push('\n');
        if let Err(e) = socket.send_to_addr(text.as_bytes(), addr) {
            tracing::debug!(error = %e, "the service manager did not take a notification");
        }
    }

    /// `READY=1` with a status line.
    pub(crate) fn ready(&self, status: &str) {
        self.send(&["READY=1", &format!("STATUS={}", one_line(status))]);
    }

    /// `STATUS=…`.
    pub(crate) fn status(&self, status: &str) {
        self.send(&[&format!("STATUS={}", one_line(status))]);
    }

    /// `WATCHDOG=1`.
    pub(crate) fn watchdog(&self) {
        self.send(&["WATCHDOG=1"]);
    }

    /// `RELOADING=1` with the monotonic clock's time, as `Type=notify-reload` requires.
    pub(crate) fn reloading(&self) {
        let usec = monotonic_usec();
        self.send(&[
            "RELOADING=1",
            &format!("MONOTONIC_USEC={usec}"),
            "STATUS=reloading the configuration",
        ]);
    }

    /// `STOPPING=1`.
    pub(crate) fn stopping(&self, status: &str) {
        self.send(&["STOPPING=1", &format!("STATUS={}", one_line(status))]);
    }
}

fn one_line(text: &str) -> String {
    text.replace('\n', " ")
}

fn monotonic_usec() -> u64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .map(|t| t.tv_sec() as u64 * 1_000_000 + t.tv_nsec() as u64 / 1_000)
        .unwrap_or(0)
}

/// The watchdog interval the manager expects (`$WATCHDOG_USEC`), when it is meant for this
/// process (`$WATCHDOG_PID` unset or ours).
pub(crate) fn watchdog_interval(env: &HashMap<String, String>) -> Option<Duration> {
    if let Some(pid) = env.get("WATCHDOG_PID").filter(|p| !p.is_empty())
        && pid.parse::<u32>().ok() != Some(std::process::id())
    {
        return None;
    }
    let usec: u64 = env.get("WATCHDOG_USEC")?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_path_socket_receives_the_lines_as_one_datagram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::from_env(&env(&[("NOTIFY_SOCKET", path.to_str().unwrap())])).unwrap();
        n.ready("listening");
        let mut buf = [0u8; 256];
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(
            std::str::from_utf8(&buf[..len]).unwrap(),
            "READY=1\nSTATUS=listening\n"
        );
    }

    #[test]
    fn an_abstract_socket_works_too() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("cxone-chatd-test-{}", std::process::id());
        let rx = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(&name).unwrap()).unwrap();
        let n = Notifier::from_env(&env(&[("NOTIFY_SOCKET", &format!("@{name}"))])).unwrap();
        n.watchdog();
        let mut buf = [0u8; 64];
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"WATCHDOG=1\n");
    }

    #[test]
    fn reloading_carries_the_monotonic_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::from_env(&env(&[("NOTIFY_SOCKET", path.to_str().unwrap())])).unwrap();
        n.reloading();
        let mut buf = [0u8; 256];
        let len = rx.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..len]).unwrap();
        let usec: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
            .unwrap()
            .parse()
            .unwrap();
        assert!(text.starts_with("RELOADING=1\n") && usec > 0, "{text}");
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_nothing_fails() {
        let n = Notifier::from_env(&env(&[])).unwrap();
        assert!(!n.enabled());
        n.ready("x");
    }

    #[test]
    fn the_watchdog_interval_is_for_this_process_only() {
        let own = std::process::id().to_string();
        assert_eq!(
            watchdog_interval(&env(&[("WATCHDOG_USEC", "200000")])),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            watchdog_interval(&env(&[("WATCHDOG_USEC", "200000"), ("WATCHDOG_PID", &own)])),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            watchdog_interval(&env(&[("WATCHDOG_USEC", "200000"), ("WATCHDOG_PID", "1")])),
            None
        );
        assert_eq!(watchdog_interval(&env(&[("WATCHDOG_USEC", "0")])), None);
    }
}
