//! `error.data`: the typed, machine-readable half of every error the daemon sends.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// The `data` member of every error from cxone-chatd. Always an object.
///
/// Clients branch on `kind` and `retryable`; the optional members say more when they apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    /// The error's stable name (e.g. `threadClosed`), one per code.
    pub kind: ErrorKind,
    /// Whether repeating the same call later, unchanged, may succeed.
    pub retryable: bool,
    /// An id the daemon also writes to its log with this error, to match a report to the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The error code the CXone back end answered with (e.g. `SendingMessageFailed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_code: Option<String>,
    /// The HTTP status the CXone back end answered with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_status: Option<u16>,
    /// The parameter at fault, as a path into `params` (e.g. `threadId`, `attachments[0].path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The specifics of this occurrence, for people and logs; not meant to be parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The machine-readable cause of a framing or batch error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorReason>,
    /// The limit that was exceeded, with `reason` (bytes for a line, items for a batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl ErrorData {
    /// Data with only `kind` and `retryable`, from the code's table entry.
    pub fn new(code: ErrorCode) -> Self {
        ErrorData {
            kind: ErrorKind::Known(code),
            retryable: code.retryable(),
            correlation_id: None,
            backend_code: None,
            backend_status: None,
            field: None,
            detail: None,
            reason: None,
            limit: None,
        }
    }
}

/// `error.data.kind`: a code this build knows, or the name of one it does not.
///
/// New codes are additive, so a client built against an older `cxone-chat-protocol` must still
/// decode an error that a newer daemon sends: an unknown name is kept as
/// [`ErrorKind::Unknown`] (branch on `error.code`'s range and `data.retryable` then). The
/// schema is [`ErrorCode`]'s: the daemon only ever sends known names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorKind {
    /// A code of this build's table.
    Known(ErrorCode),
    /// A name this build does not know.
    Unknown(String),
}

impl ErrorKind {
    /// The code, when this build knows it.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Known(c) => Some(*c),
            Self::Unknown(_) => None,
        }
    }
}

impl From<ErrorCode> for ErrorKind {
    fn from(code: ErrorCode) -> Self {
        Self::Known(code)
    }
}

impl PartialEq<ErrorCode> for ErrorKind {
    fn eq(&self, other: &ErrorCode) -> bool {
        self.code() == Some(*other)
    }
}

impl JsonSchema for ErrorKind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        ErrorCode::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        ErrorCode::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ErrorCode::json_schema(generator)
    }
}

/// Why a line or batch was refused before any method ran.
///
/// The values are short phrases rather than identifiers because they are read in logs and
/// terminals as often as by programs; they never change once published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub enum ErrorReason {
    /// The line exceeded the daemon's maximum line length (`limit`, in bytes). The rest of the
    /// line was discarded; the connection stays usable.
    #[serde(rename = "line too long")]
    LineTooLong,
    /// The line was not valid UTF-8.
    #[serde(rename = "invalid utf-8")]
    InvalidUtf8,
    /// A batch array was empty.
    #[serde(rename = "empty batch")]
    EmptyBatch,
    /// A batch had more items than the daemon accepts (`limit`).
    #[serde(rename = "batch too long")]
    BatchTooLong,
    /// `params` was an array: this API takes parameters by name only.
    #[serde(rename = "params by position")]
    ParamsByPosition,
}

impl ErrorReason {
    /// Every reason.
    pub const ALL: &'static [ErrorReason] = &[
        ErrorReason::LineTooLong,
        ErrorReason::InvalidUtf8,
        ErrorReason::EmptyBatch,
        ErrorReason::BatchTooLong,
        ErrorReason::ParamsByPosition,
    ];

    /// The code an error with this reason is sent with.
    pub const fn code(self) -> ErrorCode {
        match self {
            ErrorReason::InvalidUtf8 => ErrorCode::ParseError,
            ErrorReason::ParamsByPosition => ErrorCode::InvalidParams,
            ErrorReason::LineTooLong | ErrorReason::EmptyBatch | ErrorReason::BatchTooLong => {
                ErrorCode::InvalidRequest
            }
        }
    }

    /// A message more precise than the code's: what was wrong and what to do.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorReason::LineTooLong => {
                "Invalid request: the line is longer than the daemon accepts (error.data.limit bytes) and was discarded. Send smaller messages; attach large files by path."
            }
            ErrorReason::InvalidUtf8 => {
                "Parse error: the line is not valid UTF-8. Encode messages as UTF-8."
            }
            ErrorReason::EmptyBatch => {
                "Invalid request: the batch is empty. Put at least one request in a batch."
            }
            ErrorReason::BatchTooLong => {
                "Invalid request: the batch has more items than the daemon accepts (error.data.limit). Split it into smaller batches."
            }
            ErrorReason::ParamsByPosition => {
                "Invalid params: this API takes parameters by name only. Send params as a JSON object."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_from_a_newer_daemon_still_decodes() {
        let data: ErrorData = serde_json::from_value(serde_json::json!(
            {"kind": "someFutureKind", "retryable": true}
        ))
        .unwrap();
        assert_eq!(data.kind, ErrorKind::Unknown("someFutureKind".into()));
        assert_eq!(data.kind.code(), None);
        let known: ErrorData = serde_json::from_value(serde_json::json!(
            {"kind": "threadClosed", "retryable": false}
        ))
        .unwrap();
        assert_eq!(known.kind, ErrorCode::ThreadClosed);
        assert_eq!(
            serde_json::to_value(&known).unwrap()["kind"],
            "threadClosed",
            "known kinds are written as before"
        );
    }
}
