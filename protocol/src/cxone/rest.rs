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

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::{DecodeError, decode_at};

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

/// Decodes a REST body. Like the frame decoders, a failure is a [`DecodeError`] naming the
/// JSON path of the first problem (e.g. `settings.fileRestrictions`) and what is wrong there.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| DecodeError::new(".", format!("not JSON: {e}")))?;
    decode_at(&value, ".")
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
