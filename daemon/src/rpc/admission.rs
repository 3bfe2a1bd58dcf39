//! Admitting client connections: checks each peer's credentials (the daemon's own user, root,
//! and the configured users and groups), enforces the connection limit, and starts one
//! `RpcClient` actor per connection. The `RpcServer` actor (`server.rs`) accepts and calls
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
use crate::rpc::conn_io::ConnIo;
use crate::rpc::connection::RpcClient;
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

/// Admits one accepted connection: checks its peer's credentials and the connection limit,
/// then starts its `RpcClient` actor (or tells it why not and closes it).
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
    let connected = state
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .len();
    if connected >= options.max_clients {
        tracing::warn!(connected, "refused a client: too many connections");
        tokio::spawn(refuse(
            conn,
            ErrorCode::Overloaded,
            "too many clients are connected; try again later",
        ));
        return;
    }
    let id = NEXT_CLIENT.fetch_add(1, Ordering::Relaxed);
    tracing::info!(client = id, pid, uid, "client connected");
    let conn = ConnIo(Arc::new(conn));
    RpcClient::start_for(id, Peer { pid, uid }, state.clone(), conn.clone(), conn);
}

/// Tells a refused client why in one JSON-RPC error, then closes.
async fn refuse(mut conn: Stream, code: ErrorCode, detail: &str) {
    let response = Response::error(Id::Null, ErrorObject::new(code).with_detail(detail));
    let mut line = serde_json::to_vec(&response).expect("responses serialize");
    line.push(b'\n');
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), conn.write_all(&line)).await;
}
