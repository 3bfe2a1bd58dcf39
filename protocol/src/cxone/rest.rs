//! REST request and response bodies (PROTOCOL.md §1): channel configuration and availability,
//! visitor registration, analytics events, attachment upload, `/oauth/token`, and the error
//! body any of them can return.
//!
//! Every type serializes to the shape the back end (for responses) or the SDKs (for requests)
//! send, and deserializes what the other side sends, so the daemon and the emulator share
//! them. [`decode_body`] decodes with the JSON path of the first problem in the error.

mod analytics;
mod attachment;
mod channel;
mod oauth;
mod prechat;
mod token;
mod visitor;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use analytics::{
    AnalyticsEvent, AnalyticsEventData, Conversion, PageView, ProactiveAction, TimeSpentOnPage,
};
pub use attachment::{
    AttachmentUploadOutcome, AttachmentUploadRequest, AttachmentUploadResponse, Base64Error,
    RejectionReason,
};
pub use channel::{
    AllowedFileType, AuthenticationType, Availability, AvailabilityStatus, ChannelConfiguration,
    ChannelSettings, ChatMode, FileRestrictions, UploadRefusal, features,
};
pub use oauth::{AnonymousTokenRequest, ThirdPartyGrant, TokenRequest};
pub use prechat::{FieldDefinition, FieldOption, FieldType, PreContactCustomField, PreContactForm};
pub use token::{RefreshTokenResponse, ThirdPartyToken, TokenError, TokenErrorBody, TokenResponse};
pub use visitor::{
    BrowserFingerprint, CustomVariable, Journey, Referrer, Utm, VisitorRegistration,
};

/// What `Debug` prints instead of a token or code.
const REDACTED: &str = "<redacted>";

/// A REST body that could not be decoded, with the JSON path of the problem.
#[derive(Debug, thiserror::Error)]
pub struct BodyError {
    path: String,
    #[source]
    source: serde_json::Error,
}

impl BodyError {
    /// Where in the document decoding failed (`settings.fileRestrictions`, or `.` for the root).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            write!(f, "{}", self.source)
        } else {
            write!(f, "at {}: {}", self.path, self.source)
        }
    }
}

/// Decodes a REST body, reporting the path of the first problem
/// (`at settings: missing field `hasMultipleThreadsPerEndUser``).
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| BodyError {
        path: e.path().to_string(),
        source: e.into_inner(),
    })?;
    deserializer.end().map_err(|source| BodyError {
        path: ".".to_owned(),
        source,
    })?;
    Ok(value)
}

/// The error body any REST call may return: `{ "error": { "errorCode", "errorMessage" } }`.
/// iOS inspects every response body for it ([`RestErrorBody::detect`]); Android checks the
/// channel configuration only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestErrorBody {
    /// The error.
    pub error: RestError,
}

/// `error` of a [`RestErrorBody`]. iOS requires both fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestError {
    /// Machine-readable code, e.g. `SdkVersionNotSupported`.
    pub error_code: String,
    /// Human-readable message.
    pub error_message: String,
}

impl RestErrorBody {
    /// The code that makes the SDKs give up for good (never retried).
    pub const SDK_VERSION_NOT_SUPPORTED: &'static str = "SdkVersionNotSupported";

    /// The body the back end sends to an SDK version it no longer supports (text as in the
    /// fixtures).
    pub fn sdk_version_not_supported() -> Self {
        Self {
            error: RestError {
                error_code: Self::SDK_VERSION_NOT_SUPPORTED.to_owned(),
                error_message: "Your version of SDK is not supported anymore, please do upgrade."
                    .to_owned(),
            },
        }
    }

    /// The error body in `body`, if that is what it is (any HTTP status).
    pub fn detect(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }

    /// Whether this is `SdkVersionNotSupported`.
    pub fn is_sdk_version_not_supported(&self) -> bool {
        self.error.error_code == Self::SDK_VERSION_NOT_SUPPORTED
    }
}
