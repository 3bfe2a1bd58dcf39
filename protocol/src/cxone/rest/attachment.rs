//! Attachment upload, `POST {chatURL}/1.0/brand/{brandId}/channel/{channelId}/attachment`
//! (PROTOCOL.md §1.7): the whole file travels base64-encoded in one JSON body.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::channel::FileRestrictions;

/// The upload request: `{ "content": "<base64>", "mimeType", "fileName" }`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentUploadRequest {
    /// The file, base64-encoded (standard alphabet, padded; Android adds line breaks).
    pub content: String,
    /// MIME type.
    pub mime_type: String,
    /// File name (Android appends an extension derived from the MIME type when missing).
    pub file_name: String,
}

impl AttachmentUploadRequest {
    /// Encodes `bytes` the way iOS does (one line, padded).
    pub fn new(bytes: &[u8], mime_type: impl Into<String>, file_name: impl Into<String>) -> Self {
        Self {
            content: base64_encode(bytes),
            mime_type: mime_type.into(),
            file_name: file_name.into(),
        }
    }

    /// The file bytes. Whitespace (Android's line breaks) is skipped.
    pub fn decode_content(&self) -> Result<Vec<u8>, Base64Error> {
        base64_decode(&self.content)
    }
}

/// The content can be megabytes of base64: debug output shows its length only.
impl fmt::Debug for AttachmentUploadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentUploadRequest")
            .field(
                "content",
                &format_args!("<{} base64 characters>", self.content.len()),
            )
            .field("mime_type", &self.mime_type)
            .field("file_name", &self.file_name)
            .finish()
    }
}

/// The success response: `{ "fileUrl" }` — the URL then goes into `SendMessage.data.attachments[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentUploadResponse {
    /// Where the uploaded file can be fetched.
    pub file_url: String,
}

/// What an upload returned. A rejection still comes with a 2xx status; its body is the
/// channel's file-restriction object (iOS checks for that shape first, and so does this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentUploadOutcome {
    /// `{ "fileUrl" }`.
    Uploaded(AttachmentUploadResponse),
    /// `{ "allowedFileSize", "allowedFileTypes", "isAttachmentsEnabled" }`.
    Rejected(FileRestrictions),
}

/// Why the back end rejected an upload, as iOS derives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionReason {
    /// The returned size limit is below the configured one: the file was too large.
    FileSize,
    /// Otherwise: the type was not accepted.
    FileType,
}

impl AttachmentUploadOutcome {
    /// For a rejection, why: [`RejectionReason::FileSize`] when the returned `allowedFileSize`
    /// is smaller than the `configured` one, else [`RejectionReason::FileType`] (iOS).
    pub fn rejection_reason(&self, configured: &FileRestrictions) -> Option<RejectionReason> {
        match self {
            Self::Uploaded(_) => None,
            Self::Rejected(returned)
                if returned.allowed_file_size < configured.allowed_file_size =>
            {
                Some(RejectionReason::FileSize)
            }
            Self::Rejected(_) => Some(RejectionReason::FileType),
        }
    }
}

impl Serialize for AttachmentUploadOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Uploaded(response) => response.serialize(serializer),
            Self::Rejected(restrictions) => restrictions.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for AttachmentUploadOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.get("allowedFileSize").is_some() {
            FileRestrictions::deserialize(value)
                .map(Self::Rejected)
                .map_err(D::Error::custom)
        } else if value.get("fileUrl").is_some() {
            AttachmentUploadResponse::deserialize(value)
                .map(Self::Uploaded)
                .map_err(D::Error::custom)
        } else {
            Err(D::Error::custom(
                "upload response has neither `fileUrl` nor `allowedFileSize`",
            ))
        }
    }
}

/// Why base64 content could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// A byte outside the standard alphabet (or data after the padding).
    #[error("invalid base64 byte {byte:#04x} at offset {offset}")]
    InvalidByte {
        /// Offset in the text.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The number of symbols cannot encode whole bytes.
    #[error("invalid base64 length")]
    InvalidLength,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padding optional, ASCII whitespace ignored.
fn base64_decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits, mut symbols, mut padding) = (0u32, 0u32, 0usize, 0usize);
    for (offset, byte) in text.bytes().enumerate() {
        if byte.is_ascii_whitespace() {
            continue;
        }
        if byte == b'=' {
            padding += 1;
            continue;
        }
        let value = ALPHABET.iter().position(|&a| a == byte);
        let (Some(value), 0) = (value, padding) else {
            return Err(Base64Error::InvalidByte { offset, byte });
        };
        symbols += 1;
        acc = acc << 6 | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let padded_ok = padding == 0 || ((symbols + padding) % 4 == 0 && padding <= 2);
    if symbols % 4 == 1 || !padded_ok {
        return Err(Base64Error::InvalidLength);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn base64_decoding_skips_line_breaks_and_rejects_garbage() {
        let bytes: Vec<u8> = (0..=255).collect();
        let wrapped: String = base64_encode(&bytes)
            .as_bytes()
            .chunks(76)
            .map(|line| format!("{}\n", std::str::from_utf8(line).unwrap()))
            .collect();
        assert_eq!(base64_decode(&wrapped).unwrap(), bytes);
        assert_eq!(
            base64_decode("Zm9v!"),
            Err(Base64Error::InvalidByte {
                offset: 4,
                byte: b'!'
            })
        );
        assert_eq!(
            base64_decode("Zg==Zg"),
            Err(Base64Error::InvalidByte {
                offset: 4,
                byte: b'Z'
            })
        );
        assert_eq!(base64_decode("Z"), Err(Base64Error::InvalidLength));
        assert_eq!(base64_decode("Zg="), Err(Base64Error::InvalidLength));
        assert_eq!(base64_decode("Zg").unwrap(), b"f");
    }
}
