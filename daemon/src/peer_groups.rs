//! The supplementary groups of a socket peer, for the `socket.allowed_groups` check.
//!
//! On Linux, `SO_PEERCRED` (what `peer_creds()` reads) carries the peer's pid, uid and primary
//! gid only; interprocess fills `groups()` on BSD and macOS alone. So a kiosk user who is in
//! `cxone-chatd-clients` as a *supplementary* group (what `usermod -aG` makes) would be refused.
//! The groups are found, at accept, in this order:
//!
//! 1. `/proc/PID/status`, line `Groups:`, of the peer's pid: the groups the connecting process
//!    really holds (after `newgrp`, a dropped group, or a group added since login). It counts
//!    only while that process still has the peer's effective uid, so that a pid reused by
//!    another user's process is not believed.
//! 2. The group database for the peer's uid (`getgrouplist`), when `/proc/PID` cannot be read:
//!    the system unit runs with `ProtectProc=invisible`, which hides other users' processes from
//!    the daemon, and a `hidepid=` mount of /proc does the same. That is the list the user gets
//!    at login, which is what the administrator configured with `usermod -aG`.

use std::ffi::CString;
use std::path::Path;

use nix::unistd::{Gid, Uid, User, getgrouplist};

/// The peer's supplementary groups (possibly including its primary group): from its process
/// when that can be read, else from the group database; empty when neither knows the peer.
pub fn of_peer(pid: Option<u32>, uid: Option<u32>, gid: Option<u32>) -> Vec<u32> {
    let Some(uid) = uid else {
        return Vec::new();
    };
    if let Some(groups) = pid.and_then(|p| from_proc(Path::new("/proc"), p, uid)) {
        return groups;
    }
    from_database(uid, gid).unwrap_or_default()
}

/// The `Groups:` of `/proc/PID/status` under `proc_root`, if readable and the process's
/// effective uid is still `uid`.
pub fn from_proc(proc_root: &Path, pid: u32, uid: u32) -> Option<Vec<u32>> {
    let text = std::fs::read_to_string(proc_root.join(pid.to_string()).join("status")).ok()?;
    groups_from_status(&text, uid)
}

/// Parses the `Groups:` line of a `/proc/PID/status` text, if its `Uid:` line's effective uid
/// (the second number) is `uid`.
pub fn groups_from_status(text: &str, uid: u32) -> Option<Vec<u32>> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
    };
    let euid: u32 = field("Uid:")?.split_whitespace().nth(1)?.parse().ok()?;
    if euid != uid {
        return None;
    }
    field("Groups:")?
        .split_whitespace()
        .map(|g| g.parse().ok())
        .collect()
}

/// The groups the group database gives `uid` (its primary group `gid`, else the one in its
/// passwd entry, and every group listing its name), or `None` when the uid has no entry.
pub fn from_database(uid: u32, gid: Option<u32>) -> Option<Vec<u32>> {
    let user = User::from_uid(Uid::from_raw(uid)).ok()??;
    let name = CString::new(user.name).ok()?;
    let primary = gid.map(Gid::from_raw).unwrap_or(user.gid);
    let groups = getgrouplist(&name, primary).ok()?;
    Some(groups.into_iter().map(Gid::as_raw).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n\
        Uid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nFDSize:\t256\n\
        Groups:\t24 27 998 1001 \nNStgid:\t4242\n";

    #[test]
    fn groups_are_read_from_the_status_line_of_the_peers_own_uid() {
        assert_eq!(
            groups_from_status(STATUS, 1001),
            Some(vec![24, 27, 998, 1001])
        );
        // The pid now belongs to someone else: not believed.
        assert_eq!(groups_from_status(STATUS, 1002), None);
        // No supplementary groups at all is an empty list, not a failure.
        let none = STATUS.replace("Groups:\t24 27 998 1001 ", "Groups:\t");
        assert_eq!(groups_from_status(&none, 1001), Some(Vec::<u32>::new()));
        assert_eq!(groups_from_status("Name:\tx\n", 1001), None);
    }

    #[test]
    fn this_process_reads_its_own_groups_from_proc() {
        let own: Vec<u32> = nix::unistd::getgroups()
            .unwrap()
            .into_iter()
            .map(Gid::as_raw)
            .collect();
        let uid = nix::unistd::geteuid().as_raw();
        let mut read = from_proc(Path::new("/proc"), std::process::id(), uid).unwrap();
        let mut own = own;
        read.sort_unstable();
        own.sort_unstable();
        assert_eq!(read, own);
        assert_eq!(
            of_peer(Some(std::process::id()), Some(uid), None).len(),
            own.len()
        );
    }

    #[test]
    fn an_unreadable_process_falls_back_to_the_group_database() {
        // No process can have this pid (above pid_max), so the group database answers: root is
        // in group root.
        assert!(from_proc(Path::new("/proc"), u32::MAX, 0).is_none());
        assert!(of_peer(Some(u32::MAX), Some(0), Some(0)).contains(&0));
        assert!(from_database(0, None).unwrap().contains(&0));
        // A uid without a passwd entry has no groups.
        assert_eq!(
            of_peer(Some(u32::MAX), Some(u32::MAX - 7), None),
            Vec::<u32>::new()
        );
        assert!(of_peer(None, None, None).is_empty());
    }
}
