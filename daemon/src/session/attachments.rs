//! Attachments for `thread.send` (PROTOCOL.md §1.7): read each file (a path the daemon can read,
//! or inline base64), name and type it, check it against the channel's restrictions before
//! anything is uploaded (enabled, size, type — the SDKs' order), upload it, and describe it for
//! `SendMessage.data.attachments`. Each failure names the attachment by its index and says why.

use std::io::Read;
use std::path::Path;

use cxone_chat_protocol::cxone::rest::{
    AttachmentUploadOutcome, AttachmentUploadRequest, FileRestrictions, UploadRefusal,
};
use cxone_chat_protocol::cxone::sent::SentAttachment;
use cxone_chat_protocol::rpc::types::{Attachment, AttachmentInput};

use crate::upstream::RestClient;
use crate::upstream::rest::ChannelTarget;

/// Why an attachment cannot be sent.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AttachmentError {
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
    /// Not a regular file.
    #[error("{0:?} is not a regular file")]
    NotAFile(String),
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

/// Reads an attachment, refusing before reading what the channel would refuse anyway (a file
/// larger than the limit is never read into memory). Blocking: run it off the actor thread.
pub(crate) fn load(
    input: &AttachmentInput,
    limits: &FileRestrictions,
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
            let unreadable = |source| AttachmentError::Unreadable {
                path: path.clone(),
                source,
            };
            let f = std::fs::File::open(p).map_err(unreadable)?;
            let meta = f.metadata().map_err(unreadable)?;
            if !meta.is_file() {
                return Err(AttachmentError::NotAFile(path.clone()));
            }
            if meta.len() > limit {
                return Err(UploadRefusal::TooLarge {
                    size: meta.len(),
                    limit,
                }
                .into());
            }
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            // Bounded even if the file grows while it is read.
            f.take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
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
    let limits = target.limits.clone();
    let files = tokio::task::spawn_blocking(move || {
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| load(input, &limits).map_err(|e| (i, e)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| {
        let source = std::io::Error::other(e.to_string());
        (
            0,
            AttachmentError::Unreadable {
                path: String::new(),
                source,
            },
        )
    })??;
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
            Err(AttachmentError::NotAFile(_))
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
