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
    let uid = std::fs::metadata(path).map_err(listen_err)?.uid();
    Ok((listener, uid))
}
