//! The one mapping from the daemon's errors to the local API's error codes. Internal error
//! chains are summarised in `message`/`detail`; the back end's own error code travels in
//! `data.backendCode` so a host app can act on it.

use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject};

use crate::session::attachments::AttachmentError;
use crate::session::error::SessionError;
use crate::store::Trouble;
use crate::upstream::{ConnectError, RequestError, RestError};

fn rest_code(e: &RestError) -> ErrorCode {
    match e {
        RestError::SdkVersionNotSupported { .. } => ErrorCode::VersionNotSupported,
        // An untrusted certificate or a proxy that wants credentials: the same again would
        // fail the same way.
        e if e.is_refused_connection() => ErrorCode::BackendRejected,
        other => match other.status() {
            Some(404) => ErrorCode::ChannelUnavailable,
            Some(s) if (400..500).contains(&s) => ErrorCode::BackendRejected,
            _ => ErrorCode::BackendUnavailable,
        },
    }
}

fn request(step: &str, e: &RequestError) -> ErrorObject {
    match e {
        RequestError::Operation { code, .. } => {
            let c = match code.as_str() {
                "CustomerAuthorizationFailed" | "ConsumerAuthorizationFailed" => {
                    ErrorCode::AuthorizationFailed
                }
                "CustomerReconnectionFailed" | "ConsumerReconnectionFailed" => {
                    ErrorCode::TokenExpired
                }
                "TokenRefreshingFailed" => ErrorCode::TokenRefreshFailed,
                _ => ErrorCode::BackendRejected,
            };
            ErrorObject::new(c).with_backend_code(code.clone())
        }
        RequestError::Timeout { .. } => ErrorObject::new(ErrorCode::Timeout),
        RequestError::ConnectionLost => ErrorObject::new(ErrorCode::NotConnected),
        _ => ErrorObject::new(ErrorCode::BackendRejected),
    }
    .with_detail(format!("{step}: {e}"))
}

impl From<&SessionError> for ErrorObject {
    fn from(e: &SessionError) -> Self {
        let detail = e.to_string();
        let base = match e {
            SessionError::UnknownSession(_) => ErrorObject::new(ErrorCode::UnknownSession),
            SessionError::Conflict(_) => ErrorObject::new(ErrorCode::SessionConflict),
            SessionError::Illegal(_) => ErrorObject::new(ErrorCode::IllegalChatState),
            SessionError::NotPrepared => ErrorObject::new(ErrorCode::NotPrepared),
            SessionError::NotConnected | SessionError::Stopped => {
                ErrorObject::new(ErrorCode::NotConnected)
            }
            SessionError::Endpoints(_) => {
                ErrorObject::new(ErrorCode::InvalidParameter).with_field("environment")
            }
            SessionError::FetchChannelConfig(r)
            | SessionError::RegisterVisitor(r)
            | SessionError::CheckAvailability(r)
            | SessionError::SendAnalytics(r) => {
                let mut o = ErrorObject::new(rest_code(r));
                if let Some(s) = r.status() {
                    o = o.with_backend_status(s);
                }
                o
            }
            SessionError::RequestToken(r) => {
                let mut o = ErrorObject::new(ErrorCode::AuthorizationFailed);
                if let Some(s) = r.status() {
                    o = o.with_backend_status(s);
                }
                o
            }
            SessionError::Store(e) => ErrorObject::new(match e.trouble() {
                Trouble::Full => ErrorCode::StorageFull,
                Trouble::Unavailable => ErrorCode::StorageUnavailable,
                Trouble::Damaged => ErrorCode::StorageDamaged,
                Trouble::Other => ErrorCode::InternalError,
            }),
            SessionError::AuthorizationRequired => {
                ErrorObject::new(ErrorCode::AuthorizationRequired)
            }
            SessionError::TokenExpired => ErrorObject::new(ErrorCode::TokenExpired),
            SessionError::RefreshToken(_) => ErrorObject::new(ErrorCode::TokenRefreshFailed),
            SessionError::RefreshUnreachable(_) => ErrorObject::new(ErrorCode::BackendUnavailable),
            SessionError::Internal(_) => ErrorObject::new(ErrorCode::InternalError),
            SessionError::Attachment {
                index,
                error: AttachmentError::Upload(r),
            } => {
                let mut o =
                    ErrorObject::new(rest_code(r)).with_field(format!("attachments[{index}]"));
                if let Some(s) = r.status() {
                    o = o.with_backend_status(s);
                }
                o
            }
            SessionError::Attachment {
                index,
                error: AttachmentError::ReadersBusy,
            } => {
                ErrorObject::new(ErrorCode::Overloaded).with_field(format!("attachments[{index}]"))
            }
            SessionError::Attachment { index, .. } => {
                ErrorObject::new(ErrorCode::AttachmentRejected)
                    .with_field(format!("attachments[{index}]"))
            }
            SessionError::OpenSocket(ConnectError::HandshakeRejected { status, .. })
                if matches!(status, 401 | 403) =>
            {
                ErrorObject::new(ErrorCode::AuthorizationFailed).with_backend_status(*status)
            }
            SessionError::OpenSocket(ConnectError::Tls(_)) => {
                ErrorObject::new(ErrorCode::BackendRejected)
            }
            SessionError::OpenSocket(_) => ErrorObject::new(ErrorCode::BackendUnavailable),
            SessionError::Request { step, error } => return request(step, error),
            SessionError::UnknownThread(_) => {
                ErrorObject::new(ErrorCode::UnknownThread).with_field("threadId")
            }
            SessionError::ThreadClosed(_) => {
                ErrorObject::new(ErrorCode::ThreadClosed).with_field("threadId")
            }
            SessionError::UnsupportedInMode(_) => ErrorObject::new(ErrorCode::UnsupportedInMode),
            SessionError::IllegalThreadState(_) => {
                ErrorObject::new(ErrorCode::IllegalThreadState).with_field("threadId")
            }
            SessionError::NoMoreMessages(_) => ErrorObject::new(ErrorCode::NoMoreMessages),
            SessionError::FeatureDisabled(_) => ErrorObject::new(ErrorCode::FeatureDisabled),
            SessionError::InvalidParameter { field, .. } => {
                ErrorObject::new(ErrorCode::InvalidParameter).with_field(*field)
            }
            SessionError::LargeEventLost { .. } => ErrorObject::new(ErrorCode::BackendUnavailable),
            SessionError::BackendReported { .. } | SessionError::UndecodableFrame { .. } => {
                ErrorObject::new(ErrorCode::BackendRejected)
            }
            SessionError::GatewayReported(_) => ErrorObject::new(ErrorCode::BackendUnavailable),
            SessionError::OutboxDamaged { .. } => ErrorObject::new(ErrorCode::StorageDamaged),
            SessionError::PreChatSurveyIncomplete(f) => {
                ErrorObject::new(ErrorCode::PreChatSurveyIncomplete)
                    .with_field(format!("customFields.{f}"))
            }
        };
        base.with_detail(detail)
    }
}

impl From<SessionError> for ErrorObject {
    fn from(e: SessionError) -> Self {
        ErrorObject::from(&e)
    }
}
