//! `socket.allowed_groups` with real second users (issue #12): a user who is in the allowed
//! group only as a supplementary group (what `usermod -aG` makes, and README's kiosk setup) is
//! answered, a user outside it is refused by the daemon itself, and a process that holds the
//! group without the group database saying so (`setpriv --groups`) is judged by what it holds.
//!
//! Needs root (it creates users and groups with useradd/groupadd, removed at the end) and
//! setpriv (util-linux) and perl (perl-base) to connect as those users; it fails without them.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::Value;

/// Users and a group made for this test, removed when dropped.
struct Accounts {
    users: Vec<String>,
    group: String,
}

impl Drop for Accounts {
    fn drop(&mut self) {
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {out:?}");
}

fn gid_of(group: &str) -> u32 {
    let out = Command::new("getent")
        .args(["group", group])
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    line.split(':').nth(2).unwrap().trim().parse().unwrap()
}

/// Sends one `daemon.info` as `user` (with `setpriv_args` for its groups) and returns the
/// daemon's first line, parsed.
fn info_as(socket: &std::path::Path, user: &str, setpriv_args: &[&str]) -> Value {
    // A refused client is told why and closed at once: its own write may then meet a closed
    // socket, which must not kill it before it reads the answer.
    let script = r#"use IO::Socket::UNIX;
$SIG{PIPE} = 'IGNORE';
my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
print $s qq({"jsonrpc":"2.0","id":1,"method":"daemon.info"}\n);
my $line = <$s>; defined $line or die "no answer\n"; print $line;"#;
    let out = Command::new("setpriv")
        .arg(format!("--reuid={user}"))
        .arg(format!("--regid={user}"))
        .args(setpriv_args)
        .args(["perl", "-e", script])
        .arg(socket)
        .output()
        .expect("setpriv (util-linux) runs");
    assert!(out.status.success(), "the client as {user} failed: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_supplementary_group_member_is_answered_and_an_outsider_refused() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test creates users: run it as root (CI does)"
    );
    let tag = std::process::id();
    let accounts = Accounts {
        users: vec![format!("cxpg-kiosk-{tag}"), format!("cxpg-out-{tag}")],
        group: format!("cxpg-clients-{tag}"),
    };
    let (kiosk, outsider, group) = (&accounts.users[0], &accounts.users[1], &accounts.group);
    run(Command::new("groupadd").arg(group));
    // Each user's primary group is its own; the clients group is supplementary, as usermod -aG.
    run(Command::new("useradd")
        .args(["-M", "-U", "-G", group])
        .arg(kiosk));
    run(Command::new("useradd").args(["-M", "-U"]).arg(outsider));

    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[socket]\nallowed_groups = [\"{group}\"]\n"),
    )
    .unwrap();
    let d = crate::common::Daemon::start_in(dir.path(), &["--config", config.to_str().unwrap()]);
    // Everyone may connect to the file, so that the daemon's own check is what decides.
    std::fs::set_permissions(&d.socket, std::fs::Permissions::from_mode(0o666)).unwrap();

    let answer = info_as(&d.socket, kiosk, &["--init-groups"]);
    assert!(
        answer["result"]["version"].is_string(),
        "the member of {group} was not answered: {answer}"
    );

    let refused = info_as(&d.socket, outsider, &["--init-groups"]);
    assert_eq!(
        refused["error"]["data"]["kind"], "peerNotAuthorized",
        "the outsider was not refused: {refused}"
    );

    // Holding the group is what counts, even where the group database does not list the user.
    let gid = gid_of(group).to_string();
    let held = info_as(&d.socket, outsider, &["--groups", &gid]);
    assert!(
        held["result"]["version"].is_string(),
        "a process holding {group} was not answered: {held}"
    );
    // And a member who dropped every supplementary group is refused.
    let dropped = info_as(&d.socket, kiosk, &["--clear-groups"]);
    assert_eq!(
        dropped["error"]["data"]["kind"], "peerNotAuthorized",
        "{dropped}"
    );
}
