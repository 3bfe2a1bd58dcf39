//! Admitting client connections: checks each peer's credentials (the daemon's own user, root,
//! and the configured users and groups), enforces the connection limit, and starts one task per
//! connection (`connection::serve`). The `RpcServer` actor (`server.rs`) accepts and calls
//! [`admit`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cxone_chat_protocol::rpc::Response;
use cxone_chat_protocol::rpc::envelope::Id;
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};
use interprocess::local_socket::tokio::Stream;
use interprocess::local_socket::traits::StreamCommon as _;
use tokio::io::AsyncWriteExt;

use crate::options::Options;
use crate::rpc::connection;
use crate::rpc::state::{DaemonState, Peer};

/// Whether a peer may use the daemon.
pub(crate) fn peer_allowed(
    options: &Options,
    own_uid: u32,
    uid: Option<u32>,
    gid: Option<u32>,
    groups: &[u32],
) -> bool {
    let uid_ok = uid.is_some_and(|u| u == own_uid || u == 0 || options.allowed_uids.contains(&u));
    let gid_ok = gid
        .into_iter()
        .chain(groups.iter().copied())
        .any(|g| options.allowed_gids.contains(&g));
    uid_ok || gid_ok
}

/// How many of `max_clients` are kept for the daemon's own user and root, so that an
/// administrator (`cxone-chat status`) can always connect.
const KEPT_FOR_ADMINS: usize = 4;

/// Whether one more connection of `uid` fits: the connection limit, of which the last
/// [`KEPT_FOR_ADMINS`] are for the daemon's own user and root, and the per-user share, which
/// those two users are not held to. `connected` and `by_user` count the connections open now.
fn room_for(
    options: &Options,
    own_uid: u32,
    uid: Option<u32>,
    connected: usize,
    by_user: usize,
) -> Result<(), &'static str> {
    let admin = uid.is_some_and(|u| u == own_uid || u == 0);
    if connected >= options.max_clients {
        return Err("too many clients are connected; try again later");
    }
    if !admin {
        if connected + KEPT_FOR_ADMINS.min(options.max_clients / 2) >= options.max_clients {
            return Err(
                "too many clients are connected (the last connections are kept for the administrator); try again later",
            );
        }
        if by_user >= options.max_clients_per_user {
            return Err(
                "this user already has as many connections as it may (limits.max_clients_per_user); close some",
            );
        }
    }
    Ok(())
}

/// Admits one accepted connection: checks its peer's credentials and the connection limit,
/// then serves it (or tells it why not and closes it).
pub(crate) fn admit(conn: Stream, state: &Arc<DaemonState>, own_uid: u32) {
    static NEXT_CLIENT: AtomicU64 = AtomicU64::new(1);
    let options = state.options();
    let creds = conn.peer_creds();
    let (pid, uid, gid) = match &creds {
        Ok(c) => (c.pid().map(|p| p as u32), c.euid(), c.egid()),
        Err(_) => (None, None, None),
    };
    // SO_PEERCRED has no supplementary groups on Linux; see peer_groups.rs.
    let groups = if options.allowed_gids.is_empty() {
        Vec::new()
    } else {
        crate::peer_groups::of_peer(pid, uid, gid)
    };
    if !peer_allowed(&options, own_uid, uid, gid, &groups) {
        tracing::warn!(pid, uid, "refused a client whose user is not allowed");
        tokio::spawn(refuse(
            conn,
            ErrorCode::PeerNotAuthorized,
            "this user may not use cxone-chatd; ask the administrator to add it to the allowed users or group",
        ));
        return;
    }
    let (connected, by_user) = {
        let clients = state.clients.lock().unwrap_or_else(|e| e.into_inner());
        let by_user = clients.values().filter(|c| c.uid == uid).count();
        (clients.len(), by_user)
    };
    if let Err(why) = room_for(&options, own_uid, uid, connected, by_user) {
        tracing::warn!(connected, by_user, uid, "refused a client: {why}");
        tokio::spawn(refuse(conn, ErrorCode::Overloaded, why));
        return;
    }
    let id = NEXT_CLIENT.fetch_add(1, Ordering::Relaxed);
    tracing::info!(client = id, pid, uid, "client connected");
    // tokio's own socket from here on: its reads clear readiness after a short read, so a
    // call costs no extra `recvfrom` that ends in EAGAIN (interprocess's reads do). Dropping
    // the write half shuts the socket down for writing; the read half goes with the reading
    // task.
    let Stream::UdSocket(conn) = conn;
    let (recv, send) = tokio::net::UnixStream::from(conn).into_split();
    connection::serve(id, Peer { pid, uid }, state.clone(), recv, send);
}

/// Tells a refused client why in one JSON-RPC error, then closes.
async fn refuse(mut conn: Stream, code: ErrorCode, detail: &str) {
    let response = Response::error(Id::Null, ErrorObject::new(code).with_detail(detail));
    let mut line = serde_json::to_vec(&response).expect("responses serialize");
    line.push(b'\n');
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), conn.write_all(&line)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(max_clients: usize, per_user: usize) -> Options {
        let mut o = crate::config::options_from(
            &crate::config::FileConfig::default(),
            "/run/test.sock".into(),
            "/var/lib/test".into(),
            0o600,
            Vec::new(),
            None,
            Default::default(),
        );
        o.max_clients = max_clients;
        o.max_clients_per_user = per_user;
        o
    }

    #[test]
    fn the_last_connections_are_kept_for_the_daemons_user_and_root() {
        let o = options(10, 10);
        let (own, other) = (1000, Some(1001));
        assert!(room_for(&o, own, other, 5, 5).is_ok());
        assert!(room_for(&o, own, other, 6, 6).is_err());
        assert!(room_for(&o, own, Some(own), 6, 0).is_ok());
        assert!(room_for(&o, own, Some(0), 9, 0).is_ok());
        assert!(room_for(&o, own, Some(0), 10, 0).is_err());
    }

    #[test]
    fn one_user_may_not_take_every_connection() {
        let o = options(256, 64);
        let (own, other) = (1000, Some(1001));
        assert!(room_for(&o, own, other, 100, 63).is_ok());
        assert!(room_for(&o, own, other, 100, 64).is_err());
        // The daemon's own user is not held to the share.
        assert!(room_for(&o, own, Some(own), 100, 200).is_ok());
        // Unknown credentials count as an ordinary user.
        assert!(room_for(&o, own, None, 100, 64).is_err());
    }
}
