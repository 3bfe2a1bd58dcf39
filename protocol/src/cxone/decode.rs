//! Recognise and decode any single CXone document — a frame in either direction, a sent
//! payload or event data, a message object, a REST body — the way the daemon and the emulator
//! decode it. This is what `cxone-chatd decode` runs, and what the fixture tests exercise.
//!
//! Recognition looks at the document's shape only (which keys are present), never at file
//! names, so it works on real documents that are not among the fixtures.

use serde_json::Value;

use super::common::AccessToken;
use super::content::SessionExpirationPostback;
use super::json::{DecodeError, decode_at};
use super::message::Message;
use super::received::{EventBody, ReceivedFrame};
use super::rest::{
    AnalyticsEvent, AttachmentUploadRequest, AttachmentUploadResponse, Availability,
    ChannelConfiguration, RestErrorBody, TokenErrorBody, TokenRequest, TokenResponse,
    VisitorRegistration,
};
use super::sent::{AccessTokenData, AuthorizeCustomerData, OutgoingFrame, Payload};

/// A decoded document.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per decode call
pub enum Document {
    /// A frame from the server.
    Received(ReceivedFrame),
    /// A frame from a client.
    Sent(OutgoingFrame),
    /// A sent event's `payload` object without the envelope.
    SentPayload(Payload),
    /// The `data` of `AuthorizeCustomer`.
    AuthorizeCustomerData(AuthorizeCustomerData),
    /// `{accessToken: {token}}`, the `data` of `ReconnectConsumer` and `RefreshToken`.
    AccessTokenData(AccessTokenData),
    /// `{token, expiresIn}`.
    AccessToken(AccessToken),
    /// A message object.
    Message(Message),
    /// REST: the channel configuration.
    ChannelConfiguration(Box<ChannelConfiguration>),
    /// REST: `{status}` of the availability call.
    ChannelAvailability(Availability),
    /// REST: `{error: {errorCode, errorMessage}}`, e.g. `SdkVersionNotSupported`.
    RestError(RestErrorBody),
    /// REST: `{fileUrl}` of an attachment upload.
    AttachmentUploadResponse(AttachmentUploadResponse),
    /// REST: `/oauth/token` response.
    TransactionTokenResponse(TokenResponse),
    /// REST: `/oauth/token` error body.
    TokenError(TokenErrorBody),
    /// The JSON in an inactivity-popup button's postback.
    InactivityPopupPostback(SessionExpirationPostback),
    /// REST request: the visitor registration `PUT` body.
    VisitorRegistration(Box<VisitorRegistration>),
    /// REST request: one analytics event `POST` body.
    AnalyticsEvent(Box<AnalyticsEvent>),
    /// REST request: an attachment upload body.
    AttachmentUploadRequest(AttachmentUploadRequest),
    /// REST request: an `/oauth/token` body.
    TokenRequest(TokenRequest),
}

/// A decoded document and the name of what it is: the event type for events, otherwise the
/// body's name (`pong`, `heartbeat`, `GatewayError`, `OperationError`, `GenericEvent`,
/// `Message`, `AccessToken`, `AuthorizeCustomerData`, `AccessTokenData`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// What the document is.
    pub kind: String,
    /// The typed document.
    pub document: Document,
}

impl Decoded {
    /// The document re-encoded from its typed form: what the daemon understood of it.
    pub fn value(&self) -> Value {
        match &self.document {
            Document::Received(f) => f.to_value(),
            Document::Sent(f) => f.to_value(),
            Document::SentPayload(p) => p.to_value(),
            Document::AuthorizeCustomerData(d) => super::json::to_value(d),
            Document::AccessTokenData(d) => super::json::to_value(d),
            Document::AccessToken(t) => super::json::to_value(t),
            Document::Message(m) => super::json::to_value(m),
            Document::ChannelConfiguration(c) => super::json::to_value(c),
            Document::ChannelAvailability(a) => super::json::to_value(a),
            Document::RestError(e) => super::json::to_value(e),
            Document::AttachmentUploadResponse(r) => super::json::to_value(r),
            Document::TransactionTokenResponse(t) => super::json::to_value(t),
            Document::TokenError(e) => super::json::to_value(e),
            Document::InactivityPopupPostback(p) => super::json::to_value(p),
            Document::VisitorRegistration(v) => super::json::to_value(v),
            Document::AnalyticsEvent(e) => super::json::to_value(e),
            Document::AttachmentUploadRequest(r) => super::json::to_value(r),
            Document::TokenRequest(r) => super::json::to_value(r),
        }
    }
}

/// Decodes the text of one document.
pub fn decode_document(text: &str) -> Result<Decoded, DecodeError> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| DecodeError::new(".", format!("not JSON: {e}")))?;
    decode_value(&value)
}

/// Decodes one document already parsed as JSON.
pub fn decode_value(value: &Value) -> Result<Decoded, DecodeError> {
    if value.as_str() == Some("pong") {
        return Ok(received(ReceivedFrame::Pong));
    }
    let Some(obj) = value.as_object() else {
        return Err(DecodeError::new(
            ".",
            "expected a JSON object (or the string \"pong\")",
        ));
    };
    let has = |k: &str| obj.contains_key(k);
    let decoded = if has("action") {
        let frame = OutgoingFrame::from_value(value)?;
        let kind = match &frame {
            OutgoingFrame::Heartbeat => "heartbeat".to_owned(),
            OutgoingFrame::Event { payload, .. } => payload.event.event_type().to_owned(),
        };
        Decoded {
            kind,
            document: Document::Sent(frame),
        }
    } else if !has("postback")
        && !has("eventType")
        && (has("sdkPlatform") || has("disableChannelInfo") || has("authorization"))
    {
        // The iOS test data of AuthorizeCustomer carries a stray eventId; look at it first.
        Decoded {
            kind: "AuthorizeCustomerData".into(),
            document: Document::AuthorizeCustomerData(decode_at(value, ".")?),
        }
    } else if has("eventId") || (has("message") && (has("connectionId") || has("requestId"))) {
        received(ReceivedFrame::from_value(value)?)
    } else if has("eventType") && has("brand") && has("channel") {
        let payload = Payload::from_value(value, ".")?;
        Decoded {
            kind: payload.event.event_type().to_owned(),
            document: Document::SentPayload(payload),
        }
    } else if has("idOnExternalPlatform") && has("messageContent") {
        Decoded {
            kind: "Message".into(),
            document: Document::Message(decode_at(value, ".")?),
        }
    } else if obj.len() == 1 && obj.get("accessToken").is_some_and(Value::is_object) {
        Decoded {
            kind: "AccessTokenData".into(),
            document: Document::AccessTokenData(decode_at(value, ".")?),
        }
    } else if has("token") {
        Decoded {
            kind: "AccessToken".into(),
            document: Document::AccessToken(decode_at(value, ".")?),
        }
    } else if has("settings") && has("isLiveChat") {
        rest(
            "ChannelConfiguration",
            Document::ChannelConfiguration(Box::new(decode_at(value, ".")?)),
        )
    } else if obj.len() == 1 && has("status") {
        rest(
            "ChannelAvailability",
            Document::ChannelAvailability(decode_at(value, ".")?),
        )
    } else if has("fileUrl") {
        rest(
            "AttachmentUploadResponse",
            Document::AttachmentUploadResponse(decode_at(value, ".")?),
        )
    } else if has("error") {
        match decode_at::<RestErrorBody>(value, ".") {
            Ok(e) => rest("RestError", Document::RestError(e)),
            Err(_) => rest("TokenError", Document::TokenError(decode_at(value, ".")?)),
        }
    } else if has("accessToken") && has("expiresIn") {
        rest(
            "TransactionTokenResponse",
            Document::TransactionTokenResponse(decode_at(value, ".")?),
        )
    } else if has("browserFingerprint") && !has("eventType") {
        rest(
            "VisitorRegistration",
            Document::VisitorRegistration(Box::new(decode_at(value, ".")?)),
        )
    } else if has("visitId") && has("type") {
        rest(
            "AnalyticsEvent",
            Document::AnalyticsEvent(Box::new(decode_at(value, ".")?)),
        )
    } else if has("content") && has("mimeType") {
        rest(
            "AttachmentUploadRequest",
            Document::AttachmentUploadRequest(decode_at(value, ".")?),
        )
    } else if has("thirdParty") || (has("customerIdentity") && obj.len() <= 2) || obj.is_empty() {
        // `{}` is the secured-cookie token request; the anonymous one has at most a `type`
        // besides the identity.
        rest(
            "TokenRequest",
            Document::TokenRequest(decode_at(value, ".")?),
        )
    } else if has("isExpired") && has("type") {
        rest(
            "InactivityPopupPostback",
            Document::InactivityPopupPostback(decode_at(value, ".")?),
        )
    } else {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        return Err(DecodeError::new(
            ".",
            format!(
                "not a CXone frame or body this decoder recognises (top-level keys: {})",
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            ),
        ));
    };
    Ok(decoded)
}

fn rest(kind: &str, document: Document) -> Decoded {
    Decoded {
        kind: kind.to_owned(),
        document,
    }
}

fn received(frame: ReceivedFrame) -> Decoded {
    let kind = match &frame {
        ReceivedFrame::Pong => "pong".to_owned(),
        ReceivedFrame::GatewayError(_) => "GatewayError".to_owned(),
        ReceivedFrame::OperationError(_) => "OperationError".to_owned(),
        ReceivedFrame::Event(e) => match &e.body {
            EventBody::Other(_) if !super::received::is_known_ignored(&e.event_type) => {
                "GenericEvent".to_owned()
            }
            _ => e.event_type.clone(),
        },
    };
    Decoded {
        kind,
        document: Document::Received(frame),
    }
}
