//! The environment's list form, `CXONE_CHATD__SOCKET__ALLOWED_GIDS=1001,1002` (issue #14,
//! item 7), through the real binary: `check-config` shows the lists, and a daemon run with them
//! admits a real other user (`nobody`, started through `setpriv`) by a group of the list and
//! refuses it by a group that is not.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cxone-chatd");

/// The binary with no configuration of the machine's own and no inherited variables of ours.
fn command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("CXONE_CHATD") || k == "NOTIFY_SOCKET" || k.starts_with("LISTEN_") {
            c.env_remove(k);
        }
    }
    c.env("CONFIGURATION_DIRECTORY", dir.join("etc"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("HOME", dir);
    c
}

#[test]
fn check_config_reads_every_list_key_in_the_comma_separated_form() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .arg("check-config")
        .env("CXONE_CHATD__SOCKET__ALLOWED_GIDS", "1001,1002")
        .env("CXONE_CHATD__SOCKET__ALLOWED_UIDS", "65534")
        .env("CXONE_CHATD__SOCKET__ALLOWED_GROUPS", "root, daemon")
        // A scalar that looks like a number stays a string.
        .env("CXONE_CHATD__SOCKET__MODE", "0660")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let table: toml::Table = stdout.parse().unwrap();
    let socket = table["socket"].as_table().unwrap();
    let ints = |k: &str| -> Vec<i64> {
        socket[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_integer().unwrap())
            .collect()
    };
    assert_eq!(ints("allowed_gids"), [1001, 1002], "{stdout}");
    assert_eq!(ints("allowed_uids"), [65534], "{stdout}");
    let groups: Vec<&str> = socket["allowed_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(groups, ["root", "daemon"]);
    assert_eq!(socket["mode"].as_str(), Some("0660"));

    // A bad item is named with its variable.
    let out = command(dir.path())
        .arg("check-config")
        .env("CXONE_CHATD__SOCKET__ALLOWED_GIDS", "1001,staff")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("CXONE_CHATD__SOCKET__ALLOWED_GIDS") && stderr.contains("staff"),
        "{stderr}"
    );
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `daemon.info` sent by `nobody` with the primary group `gid`: the daemon's answer line.
/// (Supplementary group 0 only lets it open the root-owned 0660 socket file; 0 is not listed.)
fn info_as_nobody(socket: &Path, gid: u32) -> String {
    let script = r#"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"daemon.info"}\n')
except BrokenPipeError:
    pass  # a refused peer is told why and closed, maybe before it wrote
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
"#;
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--groups=0"])
        .arg(format!("--regid={gid}"))
        .args(["/usr/bin/python3", "-c", script])
        .arg(socket)
        .output()
        .expect("setpriv (util-linux) and /usr/bin/python3 run");
    assert!(
        out.status.success(),
        "the client as nobody failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_daemon_run_with_the_list_form_admits_a_user_by_any_listed_group() {
    assert_eq!(
        nix::unistd::geteuid().as_raw(),
        0,
        "this test starts a client as another user and must run as root (CI does)"
    );
    let dir = tempfile::tempdir().unwrap();
    // nobody reaches the socket through the directory (0755) and the socket's group (root, 0660).
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let socket = dir.path().join("rpc.sock");
    let child = command(dir.path())
        .arg("--socket")
        .arg(&socket)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .env("CXONE_CHATD__SOCKET__MODE", "0660")
        .env("CXONE_CHATD__SOCKET__ALLOWED_GIDS", "1001,1002")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut daemon = Running(child);
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        if let Some(status) = daemon.0.try_wait().unwrap() {
            panic!("the daemon exited with {status} instead of serving");
        }
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    for allowed in [1001, 1002] {
        let answer = info_as_nobody(&socket, allowed);
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert!(
            v.get("result").is_some(),
            "gid {allowed}: expected an answer, got {answer}"
        );
    }
    // A group not in the list: refused by the daemon.
    let answer = info_as_nobody(&socket, 1003);
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert!(v.get("error").is_some(), "gid 1003: {answer}");
}
