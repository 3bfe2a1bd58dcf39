//! Attachments for `thread.send` (PROTOCOL.md §1.7): read each file (a path the daemon can read,
//! or inline base64), name and type it, check it against the channel's restrictions before
//! anything is uploaded (enabled, size, type — the SDKs' order), upload it, and describe it for
//! `SendMessage.data.attachments`. Each failure names the attachment by its index and says why.
//!
//! Reading is bounded: anything but a regular file (a FIFO, a device, a directory, a socket) is
//! refused before it is read (a FIFO is never opened for blocking), a read stops at the size
//! limit even if the file grows, and a slow or stuck filesystem costs at most [`READ_TIMEOUT`]
//! per call and at most [`MAX_CONCURRENT_READS`] blocking threads in all.

use std::fs::Metadata;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cxone_chat_protocol::cxone::rest::{
    AttachmentUploadOutcome, AttachmentUploadRequest, FileRestrictions, UploadRefusal,
};
use cxone_chat_protocol::cxone::sent::SentAttachment;

use crate::session::model::Attachment;
use cxone_chat_protocol::rpc::types::AttachmentInput;

use crate::upstream::RestClient;
use crate::upstream::rest::ChannelTarget;

/// Why an attachment cannot be sent.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AttachmentError {
    /// A path from a client that is not the daemon's own user or root: the daemon would read
    /// it with its own rights, which may be more than the client's.
    #[error(
        "cxone-chatd reads files by path only for its own user and root, so that no client can make it read a file the client itself may not; send the file's content as data (base64) with fileName and mimeType"
    )]
    PathFromAnotherUser,
    /// The path is relative: the daemon's working directory means nothing to the host.
    #[error("the path {0:?} is not absolute; give the full path")]
    RelativePath(String),
    /// The file cannot be read by the daemon's user.
    #[error("cannot read {path:?}: {source} (the file must be readable by the daemon's user)")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a regular file: never read (a FIFO or a device could block or never end).
    #[error(
        "{path:?} is a {kind}, not a regular file; only regular files can be attached (copy the content to a file)"
    )]
    NotAFile {
        /// The path.
        path: String,
        /// What it is: "directory", "FIFO (named pipe)", "character device", …
        kind: &'static str,
    },
    /// Reading took too long (a slow or stuck filesystem); the read was abandoned.
    #[error(
        "reading {path:?} took longer than {} s (a slow or stuck filesystem); copy the file to a local disk and try again",
        READ_TIMEOUT.as_secs()
    )]
    ReadTimedOut {
        /// The path.
        path: String,
    },
    /// Every attachment reader is busy (reads stuck on a slow filesystem).
    #[error(
        "{MAX_CONCURRENT_READS} attachment reads are already in progress (a slow or stuck filesystem); try again later"
    )]
    ReadersBusy,
    /// `data` is not base64.
    #[error("data is not base64: {0}")]
    BadBase64(String),
    /// The channel refuses it before upload.
    #[error("{0}")]
    Refused(#[from] UploadRefusal),
    /// The back end refused the upload (its restrictions differ from the configuration's).
    #[error("the back end refused the upload ({0})")]
    RejectedByBackend(&'static str),
    /// The upload request failed.
    #[error("uploading failed: {0}")]
    Upload(#[source] crate::upstream::RestError),
}

/// A file ready to upload.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct File {
    /// Its bytes.
    pub(crate) bytes: Vec<u8>,
    /// The name to show.
    pub(crate) file_name: String,
    /// Its MIME type.
    pub(crate) mime_type: String,
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("bytes", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .finish()
    }
}

/// How long reading one call's attachments may take, waiting for a reader included.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// How many attachment reads may run at once in the whole daemon; each holds a blocking thread
/// while it runs (a read stuck in the kernel cannot be cancelled, only abandoned).
pub(crate) const MAX_CONCURRENT_READS: usize = 4;

/// The readers' permits, held by the blocking read itself so that an abandoned read still counts.
static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_READS);

/// [`load_until`] with the default read timeout (the unit tests' entry point).
#[cfg(test)]
fn load(input: &AttachmentInput, limits: &FileRestrictions) -> Result<File, AttachmentError> {
    load_until(input, limits, Instant::now() + READ_TIMEOUT)
}

/// What a non-regular file is, for the error message.
fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// Opens `path` only if it is a regular file, without ever blocking in `open` (a FIFO waits there
/// for a writer): checked by path first (a socket cannot be opened at all), then again on the
/// open descriptor, in case the path was replaced in between.
fn open_regular(path: &str) -> Result<(std::fs::File, Metadata), AttachmentError> {
    let unreadable = |source| AttachmentError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let not_a_file = |meta: &Metadata| AttachmentError::NotAFile {
        path: path.to_owned(),
        kind: kind_of(meta),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let flags = nix::fcntl::OFlag::O_NONBLOCK | nix::fcntl::OFlag::O_NOCTTY;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits())
        .open(path)
        .map_err(unreadable)?;
    let meta = f.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    Ok((f, meta))
}

/// Reads at most `limit + 1` bytes (so that growth past the limit is seen, never held), in
/// chunks, giving up at `deadline` (a filesystem that trickles).
fn read_bounded(
    mut f: std::fs::File,
    expected: u64,
    limit: u64,
    deadline: Instant,
    path: &str,
) -> Result<Vec<u8>, AttachmentError> {
    let cap = limit.saturating_add(1);
    let mut bytes = Vec::with_capacity(expected.min(cap) as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    while (bytes.len() as u64) < cap {
        if Instant::now() >= deadline {
            return Err(AttachmentError::ReadTimedOut {
                path: path.to_owned(),
            });
        }
        let want = chunk.len().min((cap - bytes.len() as u64) as usize);
        match f.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(AttachmentError::Unreadable {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    Ok(bytes)
}

/// Reads an attachment, refusing before reading what the channel would refuse anyway (a file
/// larger than the limit is never read into memory), and giving up reading at `deadline`.
/// Blocking: run it off the actor thread.
pub(crate) fn load_until(
    input: &AttachmentInput,
    limits: &FileRestrictions,
    deadline: Instant,
) -> Result<File, AttachmentError> {
    if !limits.is_attachments_enabled {
        return Err(UploadRefusal::AttachmentsDisabled.into());
    }
    let limit = limits.allowed_file_size_bytes();
    let file = match input {
        AttachmentInput::Inline {
            data,
            file_name,
            mime_type,
        } => {
            // Re-using the upload body's decoder keeps one base64 dialect for both directions.
            let bytes = AttachmentUploadRequest {
                content: data.clone(),
                mime_type: String::new(),
                file_name: String::new(),
            }
            .decode_content()
            .map_err(|e| AttachmentError::BadBase64(e.to_string()))?;
            File {
                bytes,
                file_name: file_name.clone(),
                mime_type: mime_type.clone(),
            }
        }
        AttachmentInput::Path {
            path,
            file_name,
            mime_type,
        } => {
            let p = Path::new(path);
            if !p.is_absolute() {
                return Err(AttachmentError::RelativePath(path.clone()));
            }
            let (f, meta) = open_regular(path)?;
            if meta.len() > limit {
                return Err(UploadRefusal::TooLarge {
                    size: meta.len(),
                    limit,
                }
                .into());
            }
            // Bounded even if the file grows while it is read (check_upload refuses it below).
            let bytes = read_bounded(f, meta.len(), limit, deadline, path)?;
            let name = file_name.clone().unwrap_or_else(|| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "file".into())
            });
            let mime = mime_type
                .clone()
                .unwrap_or_else(|| guess_mime_type(&name).to_owned());
            File {
                bytes,
                file_name: name,
                mime_type: mime,
            }
        }
    };
    limits.check_upload(file.bytes.len() as u64, &file.mime_type)?;
    Ok(file)
}

/// The MIME type for a file name's extension; `application/octet-stream` when unknown.
pub(crate) fn guess_mime_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        _ => "application/octet-stream",
    }
}

/// Where and under which rules a session uploads.
#[derive(Clone, Debug)]
pub(crate) struct UploadTarget {
    /// The REST client.
    pub(crate) rest: RestClient,
    /// The endpoints.
    pub(crate) endpoints: crate::upstream::Endpoints,
    /// Brand.
    pub(crate) brand_id: i64,
    /// Channel.
    pub(crate) channel_id: String,
    /// The channel's restrictions.
    pub(crate) limits: FileRestrictions,
}

/// Loads (off the calling thread) and checks every attachment, then uploads them in order:
/// a refused file means nothing is uploaded. The first failure names its index.
pub(crate) async fn upload_all(
    target: &UploadTarget,
    inputs: Vec<AttachmentInput>,
) -> Result<Vec<(SentAttachment, Attachment)>, (usize, AttachmentError)> {
    let files = load_all(&target.limits, inputs).await?;
    let mut out = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let ct = ChannelTarget {
            endpoints: &target.endpoints,
            brand_id: target.brand_id,
            channel_id: &target.channel_id,
        };
        out.push(
            upload(&target.rest, ct, &target.limits, file)
                .await
                .map_err(|e| (i, e))?,
        );
    }
    Ok(out)
}

/// Loads every attachment on one blocking thread (once a reader is free), within
/// [`READ_TIMEOUT`] in all: a read still stuck then is abandoned, still holding its reader.
async fn load_all(
    limits: &FileRestrictions,
    inputs: Vec<AttachmentInput>,
) -> Result<Vec<File>, (usize, AttachmentError)> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let deadline = Instant::now() + READ_TIMEOUT;
    let Ok(Ok(permit)) = tokio::time::timeout_at(deadline.into(), READERS.acquire()).await else {
        return Err((0, AttachmentError::ReadersBusy));
    };
    let at = Arc::new(AtomicUsize::new(0));
    let paths: Vec<String> = inputs
        .iter()
        .map(|i| match i {
            AttachmentInput::Path { path, .. } => path.clone(),
            AttachmentInput::Inline { file_name, .. } => file_name.clone(),
        })
        .collect();
    let (limits, reached) = (limits.clone(), at.clone());
    let read = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                reached.store(i, Ordering::Relaxed);
                load_until(input, &limits, deadline).map_err(|e| (i, e))
            })
            .collect::<Result<Vec<_>, _>>()
    });
    match tokio::time::timeout_at(deadline.into(), read).await {
        Ok(Ok(files)) => files,
        Ok(Err(e)) => Err((
            at.load(Ordering::Relaxed),
            AttachmentError::Unreadable {
                path: String::new(),
                source: std::io::Error::other(e.to_string()),
            },
        )),
        Err(_) => {
            let i = at.load(Ordering::Relaxed);
            Err((
                i,
                AttachmentError::ReadTimedOut {
                    path: paths[i].clone(),
                },
            ))
        }
    }
}

/// Uploads a checked file; its description for `SendMessage` and for the local API.
pub(crate) async fn upload(
    rest: &RestClient,
    target: ChannelTarget<'_>,
    limits: &FileRestrictions,
    file: File,
) -> Result<(SentAttachment, Attachment), AttachmentError> {
    let request = AttachmentUploadRequest::new(&file.bytes, &file.mime_type, &file.file_name);
    let outcome = rest
        .upload_attachment(target, &request)
        .await
        .map_err(AttachmentError::Upload)?;
    match outcome {
        AttachmentUploadOutcome::Uploaded(r) => Ok((
            SentAttachment {
                url: r.file_url.clone(),
                friendly_name: file.file_name.clone(),
                mime_type: Some(file.mime_type.clone()),
                file_name: Some(file.file_name.clone()),
            },
            Attachment {
                url: r.file_url,
                file_name: file.file_name,
                mime_type: file.mime_type,
            },
        )),
        rejected => Err(AttachmentError::RejectedByBackend(
            match rejected.rejection_reason(limits) {
                Some(cxone_chat_protocol::cxone::rest::RejectionReason::FileSize) => {
                    "the file is too large"
                }
                _ => "the file type is not accepted",
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(mb: u64) -> FileRestrictions {
        serde_json::from_value(serde_json::json!({
            "allowedFileSize": mb.to_string(),
            "allowedFileTypes": [{"mimeType": "image/*", "description": "images"},
                                 {"mimeType": "application/pdf", "description": "pdf"}],
            "isAttachmentsEnabled": true
        }))
        .unwrap()
    }

    fn path(p: &Path) -> AttachmentInput {
        AttachmentInput::Path {
            path: p.to_string_lossy().into_owned(),
            file_name: None,
            mime_type: None,
        }
    }

    #[test]
    fn a_file_on_disk_is_named_and_typed_from_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Receipt.PDF");
        std::fs::write(&p, b"%PDF-1.7").unwrap();
        let f = load(&path(&p), &limits(1)).unwrap();
        assert_eq!(
            (f.file_name.as_str(), f.mime_type.as_str(), f.bytes.len()),
            ("Receipt.PDF", "application/pdf", 8)
        );
    }

    #[test]
    fn refusals_name_the_reason_before_anything_is_read_or_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.png");
        std::fs::write(&big, vec![0u8; 1024 * 1024 + 1]).unwrap();
        assert!(matches!(
            load(&path(&big), &limits(1)),
            Err(AttachmentError::Refused(UploadRefusal::TooLarge { .. }))
        ));
        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, b"hi").unwrap();
        assert!(matches!(
            load(&path(&txt), &limits(1)),
            Err(AttachmentError::Refused(UploadRefusal::TypeNotAllowed(t))) if t == "text/plain"
        ));
        let mut off = limits(1);
        off.is_attachments_enabled = false;
        assert!(matches!(
            load(&path(&txt), &off),
            Err(AttachmentError::Refused(UploadRefusal::AttachmentsDisabled))
        ));
        assert!(matches!(
            load(&path(Path::new("relative.png")), &limits(1)),
            Err(AttachmentError::RelativePath(_))
        ));
        assert!(matches!(
            load(&path(&dir.path().join("missing.png")), &limits(1)),
            Err(AttachmentError::Unreadable { .. })
        ));
        assert!(matches!(
            load(&path(dir.path()), &limits(1)),
            Err(AttachmentError::NotAFile {
                kind: "directory",
                ..
            })
        ));
        assert!(matches!(
            load(&path(Path::new("/dev/zero")), &limits(1)),
            Err(AttachmentError::NotAFile {
                kind: "character device",
                ..
            })
        ));
        let bad = AttachmentInput::Inline {
            data: "***".into(),
            file_name: "a.png".into(),
            mime_type: "image/png".into(),
        };
        assert!(matches!(
            load(&bad, &limits(1)),
            Err(AttachmentError::BadBase64(_))
        ));
    }

    #[test]
    fn a_read_stops_past_the_limit_and_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("grown.png");
        // Stat said 10 bytes, the file has since grown to 1000: only limit + 1 are held.
        std::fs::write(&p, vec![7u8; 1000]).unwrap();
        let f = std::fs::File::open(&p).unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(read_bounded(f, 10, 100, far, "grown").unwrap().len(), 101);
        let f = std::fs::File::open(&p).unwrap();
        assert!(matches!(
            read_bounded(f, 1000, 2000, Instant::now(), "grown"),
            Err(AttachmentError::ReadTimedOut { .. })
        ));
    }

    #[test]
    fn inline_data_is_decoded_and_checked() {
        let ok = AttachmentInput::Inline {
            data: "aGVsbG8=".into(),
            file_name: "hello.png".into(),
            mime_type: "image/png".into(),
        };
        assert_eq!(load(&ok, &limits(1)).unwrap().bytes, b"hello");
    }

    #[test]
    fn mime_types_are_guessed_from_extensions() {
        assert_eq!(guess_mime_type("a.JPG"), "image/jpeg");
        assert_eq!(guess_mime_type("noext"), "application/octet-stream");
        assert_eq!(guess_mime_type("x.tar.zip"), "application/zip");
    }
}
