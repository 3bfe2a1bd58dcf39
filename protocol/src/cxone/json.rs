//! Small JSON helpers shared by the hand-written frame codecs: typed decoding of a sub-value
//! with the failing field's full path in the error.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a CXone document could not be decoded: the JSON path of the offending field and what was
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct DecodeError {
    /// Dotted path from the document root, e.g. `postback.data.messages[3].createdAt`; `.` for
    /// the root itself.
    pub path: String,
    /// What was wrong there.
    pub reason: String,
}

impl DecodeError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl DecodeError {
    /// Whether this is serde_json refusing the text as a whole for its nesting depth (over 128
    /// levels) or a number too large for a double. The reference decoder parses the whole frame
    /// and meets these anywhere; the daemon's fast path (`received/raw.rs`) only in what it
    /// decodes, so a key nobody reads cannot fail a frame there.
    pub fn is_parser_limit(&self) -> bool {
        self.reason.contains("recursion limit exceeded")
            || self.reason.contains("number out of range")
    }
}

/// Joins a parent path and a child path (`.` is the root).
pub(crate) fn join(parent: &str, child: &str) -> String {
    match (parent, child) {
        (".", c) => c.to_owned(),
        (p, ".") => p.to_owned(),
        (p, c) if c.starts_with('[') => format!("{p}{c}"),
        (p, c) => format!("{p}.{c}"),
    }
}

/// Decodes `value` as `T`; on failure the error names the field below `path`.
///
/// Tracking the path costs on every field, so it is paid only when the plain decode fails:
/// decoding is deterministic, and the second pass finds the same error with its path.
pub(crate) fn decode_at<T: DeserializeOwned>(value: &Value, path: &str) -> Result<T, DecodeError> {
    if let Ok(decoded) = T::deserialize(value) {
        return Ok(decoded);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        DecodeError::new(join(path, &inner), e.into_inner().to_string())
    })
}

/// The object at `value`, or an error naming `path`.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a Map<String, Value>, DecodeError> {
    value.as_object().ok_or_else(|| {
        DecodeError::new(
            path,
            format!("expected a JSON object, found {}", kind_of(value)),
        )
    })
}

/// A required string member.
pub(crate) fn str_member<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, DecodeError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(DecodeError::new(
            join(path, key),
            format!("expected a string, found {}", kind_of(other)),
        )),
        None => Err(DecodeError::new(join(path, key), "missing field")),
    }
}

/// An optional string member (absent or `null` is `None`, any other non-string is an error).
pub(crate) fn opt_str_member<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, DecodeError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(DecodeError::new(
            join(path, key),
            format!("expected a string, found {}", kind_of(other)),
        )),
    }
}

/// A short name of a JSON value's type, for error messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Serializes a value that cannot fail to serialize (our own types) into a `Value`.
pub(crate) fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("protocol types always serialize")
}
