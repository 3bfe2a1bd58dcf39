//! The local socket: a filesystem path (never the abstract namespace, which has no
//! permissions), created with mode 0600 before anyone can connect, in a 0700 directory when the
//! daemon creates it. A socket file left behind by a dead daemon is replaced; one that a live
//! daemon still answers on is not.

use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use interprocess::local_socket::tokio::Listener;
use interprocess::local_socket::{GenericFilePath, ListenerOptions, ToFsName};
use interprocess::os::unix::local_socket::ListenerOptionsExt;

/// Why the socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The socket's directory could not be created.
    #[error("cannot create the socket directory {dir}: {error}")]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        error: io::Error,
    },
    /// Another daemon answers on the path.
    #[error("another cxone-chatd is already listening on {0}; stop it or choose another --socket")]
    AlreadyRunning(PathBuf),
    /// Something that is not a socket is in the way.
    #[error("{0} exists and is not a socket; remove it or choose another --socket")]
    NotASocket(PathBuf),
    /// A stale socket file could not be removed.
    #[error("cannot remove the stale socket {path}: {error}")]
    RemoveStale {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        error: io::Error,
    },
    /// Binding failed.
    #[error("cannot listen on {path}: {error}")]
    Listen {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        error: io::Error,
    },
}

/// Opens the listener; returns it with the socket owner's uid (the daemon's own user).
pub fn bind(path: &Path, mode: u32) -> Result<(Listener, u32), BindError> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|error| BindError::CreateDir {
                dir: dir.to_owned(),
                error,
            })?;
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(BindError::NotASocket(path.to_owned()));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(BindError::AlreadyRunning(path.to_owned()));
        }
        std::fs::remove_file(path).map_err(|error| BindError::RemoveStale {
            path: path.to_owned(),
            error,
        })?;
    }
    let listen_err = |error| BindError::Listen {
        path: path.to_owned(),
        error,
    };
    let name = path.to_fs_name::<GenericFilePath>().map_err(listen_err)?;
    // `mode` is applied with fchmod before bind, so there is no window with looser permissions.
    let listener = ListenerOptions::new()
        .name(name)
        .mode(mode)
        .create_tokio()
        .map_err(listen_err)?;
    // The file bind creates is also masked by the process umask (0022 turns 0660 into 0640, so
    // the group could not connect); set exactly `mode`, which umask can only have narrowed.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))
        .map_err(listen_err)?;
    let uid = std::fs::metadata(path).map_err(listen_err)?.uid();
    Ok((listener, uid))
}

/// Why a socket passed by systemd could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
    /// `LISTEN_FDS`/`LISTEN_FDNAMES` do not describe a usable socket.
    #[error(
        "socket activation: {0}; check ListenStream= and FileDescriptorName=rpc in the socket unit"
    )]
    Environment(String),
    /// The passed descriptor is not a listening unix stream socket.
    #[error(
        "socket activation: descriptor {index} is not a unix stream socket: {error}; use ListenStream=/path in the socket unit"
    )]
    NotUnixStream {
        /// Its index among the passed descriptors.
        index: usize,
        /// Why.
        #[source]
        error: io::Error,
    },
}

/// What `LISTEN_*` says about a passed socket: which descriptor to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// Index among the passed descriptors (fd 3 + index).
    pub index: usize,
    /// How many were passed.
    pub count: usize,
}

/// Reads `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` from `env`. `None` when no socket was
/// passed to this process (the variables are absent, or meant for another process).
pub fn activation(
    env: &std::collections::HashMap<String, String>,
    own_pid: u32,
) -> Result<Option<Activation>, ActivationError> {
    let Some(count) = env.get("LISTEN_FDS") else {
        return Ok(None);
    };
    // The variables are inherited by children; they are only for the process systemd started.
    if env.get("LISTEN_PID").and_then(|p| p.parse::<u32>().ok()) != Some(own_pid) {
        return Ok(None);
    }
    let count: usize = count.parse().map_err(|_| {
        ActivationError::Environment(format!("LISTEN_FDS={count:?} is not a number"))
    })?;
    if count == 0 {
        return Ok(None);
    }
    let names: Vec<&str> = env
        .get("LISTEN_FDNAMES")
        .map(|n| n.split(':').collect())
        .unwrap_or_default();
    let index = match names.iter().position(|n| *n == "rpc") {
        Some(i) => i,
        None if count == 1 => 0,
        None => {
            return Err(ActivationError::Environment(format!(
                "{count} sockets were passed and none is named \"rpc\" (LISTEN_FDNAMES={:?})",
                names.join(":")
            )));
        }
    };
    if index >= count {
        return Err(ActivationError::Environment(format!(
            "LISTEN_FDNAMES names more sockets than LISTEN_FDS={count}"
        )));
    }
    Ok(Some(Activation { index, count }))
}

/// Takes the passed socket (marked close-on-exec, checked to be a unix stream socket) and
/// returns it with the daemon's own uid for the peer check and its path (for logs). The socket
/// file belongs to systemd: it is neither unlinked nor replaced when the daemon stops.
pub fn take_activated(a: &Activation) -> Result<(Listener, u32, Option<PathBuf>), ActivationError> {
    let not_unix = |error| ActivationError::NotUnixStream {
        index: a.index,
        error,
    };
    let mut fds = listenfd::ListenFd::from_env();
    let std_listener = fds
        .take_unix_listener(a.index)
        .map_err(not_unix)?
        .ok_or_else(|| {
            ActivationError::Environment(format!("descriptor {} was already taken", a.index))
        })?;
    let path = std_listener
        .local_addr()
        .ok()
        .and_then(|a| a.as_pathname().map(Path::to_owned));
    let fd = std::os::fd::OwnedFd::from(std_listener);
    let uds = interprocess::os::unix::uds_local_socket::tokio::Listener::try_from(fd)
        .map_err(not_unix)?;
    Ok((Listener::from(uds), nix::unistd::geteuid().as_raw(), path))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn passed_sockets_are_only_for_the_process_named_in_listen_pid() {
        assert_eq!(activation(&env(&[]), 42).unwrap(), None);
        assert_eq!(activation(&env(&[("LISTEN_FDS", "1")]), 42).unwrap(), None);
        assert_eq!(
            activation(&env(&[("LISTEN_FDS", "1"), ("LISTEN_PID", "41")]), 42).unwrap(),
            None
        );
        assert_eq!(
            activation(&env(&[("LISTEN_FDS", "1"), ("LISTEN_PID", "42")]), 42).unwrap(),
            Some(Activation { index: 0, count: 1 })
        );
    }

    #[test]
    fn the_socket_named_rpc_is_taken() {
        let e = env(&[
            ("LISTEN_FDS", "2"),
            ("LISTEN_PID", "7"),
            ("LISTEN_FDNAMES", "other:rpc"),
        ]);
        assert_eq!(
            activation(&e, 7).unwrap(),
            Some(Activation { index: 1, count: 2 })
        );
        let e = env(&[
            ("LISTEN_FDS", "2"),
            ("LISTEN_PID", "7"),
            ("LISTEN_FDNAMES", "a:b"),
        ]);
        assert!(
            activation(&e, 7)
                .unwrap_err()
                .to_string()
                .contains("none is named \"rpc\"")
        );
    }
}
