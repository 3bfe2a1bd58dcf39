//! The `cxone-emulator` binary: prints its address first, serves on it, and rejects a bad
//! configuration file with a message naming the problem.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use crate::common::{BRAND, http};

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cxone-emulator"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_announces_its_port_and_serves_the_configured_channels() {
    let dir = std::env::temp_dir().join(format!("cxone-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("extra.toml");
    std::fs::write(
        &config,
        "[brands.1000.channels.chat_extra]\nmode = \"multi\"\n",
    )
    .expect("write");

    let mut child = binary()
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let _running = Running(child);
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read");
        line
    });
    let first = tokio::time::timeout(crate::common::DEADLINE, first)
        .await
        .expect("the first line in time")
        .expect("joined");
    let url = first
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = url.parse().expect("an address");
    assert!(addr.ip().is_loopback() && addr.port() != 0);

    for (channel, multi) in [("chat_extra", true), ("chat_single", false)] {
        let r = http(
            addr,
            "GET",
            &format!("/chat/1.0/brand/{BRAND}/channel/{channel}"),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{channel}: {}", r.text());
        assert_eq!(r.json()["settings"]["hasMultipleThreadsPerEndUser"], multi);
    }
    let admin = http(addr, "GET", "/admin/config", None).await.json();
    assert_eq!(admin["largeEventThreshold"], 128 * 1024);
    assert!(
        admin["brands"]["1000"]
            .as_array()
            .expect("channels")
            .iter()
            .any(|c| c == "chat_extra")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_configuration_file_is_rejected_with_the_key_named() {
    let dir = std::env::temp_dir().join(format!("cxone-emulator-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("bad.toml");
    std::fs::write(&config, "[brands.1000.channels.chat_x]\nmood = \"happy\"\n").expect("write");
    let out = binary()
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mood") && stderr.contains("bad.toml"),
        "{stderr}"
    );
    let missing = binary()
        .args(["--config", "/nonexistent/x.toml"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
