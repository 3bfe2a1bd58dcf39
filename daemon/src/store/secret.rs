//! [`Secret`]: a stored string that never shows in `Debug` output, so a record holding tokens
//! can be logged with `{:?}` without leaking them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What `Debug` prints instead of a secret.
pub const REDACTED: &str = "<redacted>";

/// A token, a refresh token or a cookie value. Stored as a plain JSON string (the file itself
/// is 0600); `Debug` prints [`REDACTED`]. There is deliberately no `Display`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_keeps_it() {
        let s = Secret::new("eyJhbGciOi.secret");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""eyJhbGciOi.secret""#);
        let back: Secret = serde_json::from_str(r#""eyJhbGciOi.secret""#).unwrap();
        assert_eq!(back.expose(), "eyJhbGciOi.secret");
    }
}
