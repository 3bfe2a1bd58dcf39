//! Decoding a frame straight from its text, the way the daemon decodes every frame it receives:
//! the envelope is read with its strings borrowed and `data` kept as raw text, which is then
//! decoded straight into the event's type. No `serde_json::Value` tree is built; building,
//! walking and dropping that tree was a third of the daemon's CPU on a send (issue #15).
//!
//! This path takes only ordinary frames. Anything else returns `None`, and
//! [`ReceivedFrame::from_text`] decodes through `Value` instead (the reference path, whose
//! errors name the failing field): pongs, gateway and operation errors, escaped or duplicate
//! envelope keys, an array where an object belongs, a missing or null field an event needs,
//! data that does not decode. So this path accepts a subset of what the reference accepts, and
//! produces the same frame where it does; `tests/cxone_hostile.rs` and the `cxone_frame` fuzz
//! target compare the two on fixtures, damaged fixtures and random input.
//!
//! Where they differ: serde_json's limits on nesting (128 levels) and on number size (a
//! double) apply, through `Value`, to the whole text; here only to what is decoded
//! ([`DecodeError::is_parser_limit`]). A key no decoder reads cannot fail a frame here, as it
//! cannot in the SDKs, which skip unknown keys.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Parts, ReceivedEvent, ReceivedFrame, Shape, Source};
use crate::cxone::json::DecodeError;
use crate::cxone::time::Timestamp;

/// The keys of a reply or push the decoder reads; other keys are ignored, as the SDKs ignore
/// them. A key whose value is not of the expected kind fails the whole envelope (and the
/// reference path decides).
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "eventId")]
    event_id: Option<&'a str>,
    #[serde(rename = "eventType")]
    event_type: Option<&'a str>,
    #[serde(rename = "eventObject")]
    event_object: Option<&'a str>,
    status: Option<&'a str>,
    #[serde(rename = "createdAt", borrow)]
    created_at: Option<&'a RawValue>,
    #[serde(rename = "createdAtWithMilliseconds", borrow)]
    created_at_with_milliseconds: Option<&'a RawValue>,
    #[serde(borrow)]
    postback: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

/// `postback` of a reply.
#[derive(Deserialize)]
struct Postback<'a> {
    #[serde(rename = "eventType")]
    event_type: Option<&'a str>,
    #[serde(default, borrow, deserialize_with = "present")]
    data: Option<&'a RawValue>,
}

/// A present key, `null` included: events that keep their data verbatim tell `null` from
/// absent, as the reference path does.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// serde reads a struct from a JSON array too (by position); the reference path wants objects.
fn object<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// The frame, when it is an ordinary reply or push; `None` sends it to the reference path.
pub(super) fn decode(text: &str) -> Option<ReceivedFrame> {
    let envelope: Envelope<'_> = object(text)?;
    if envelope.error.is_some() {
        return None;
    }
    let postback = match envelope.postback {
        None => None,
        Some(p) => Some(object::<Postback<'_>>(p.get())?),
    };
    let (shape, data, data_path) = match &postback {
        Some(p) => (Shape::Postback, p.data, "postback.data"),
        None => (Shape::Push, envelope.data, "data"),
    };
    let event_type = match (envelope.event_type, &postback) {
        (Some(t), _) => t,
        (None, Some(p)) => p.event_type?,
        (None, None) => "",
    };
    let event = ReceivedEvent::from_parts(Parts {
        event_id: envelope.event_id?,
        event_type,
        shape,
        event_object: envelope.event_object,
        created_at: envelope.created_at,
        created_at_with_milliseconds: envelope.created_at_with_milliseconds,
        status: envelope.status,
        data,
        data_path,
    })
    .ok()?;
    Some(ReceivedFrame::Event(Box::new(event)))
}

impl Source for &RawValue {
    fn is_null(self) -> bool {
        self.get() == "null"
    }

    fn decode<T: DeserializeOwned>(self, path: &str) -> Result<T, DecodeError> {
        // The error is never shown: the reference path decodes the frame again and names the
        // field.
        serde_json::from_str(self.get()).map_err(|e| DecodeError::new(path, e.to_string()))
    }

    fn to_value(self) -> Result<Value, DecodeError> {
        self.decode(".")
    }

    fn lenient_timestamp(self) -> Option<Timestamp> {
        let text: String = serde_json::from_str(self.get()).ok()?;
        Timestamp::parse(&text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_texts() -> Vec<(String, String)> {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cxone/fixtures");
        let mut out = Vec::new();
        for dir in ["ios", "android"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "json") {
                    out.push((
                        p.display().to_string(),
                        std::fs::read_to_string(&p).unwrap(),
                    ));
                }
            }
        }
        out
    }

    /// The fast path is the daemon's everyday path: every fixture event the reference decodes
    /// is taken here too, and comes out the same.
    #[test]
    fn every_fixture_event_takes_the_fast_path_and_decodes_the_same() {
        let mut events = 0;
        for (name, text) in fixture_texts() {
            let Ok(reference @ ReceivedFrame::Event(_)) = ReceivedFrame::from_text_via_value(&text)
            else {
                continue;
            };
            events += 1;
            let fast =
                decode(&text).unwrap_or_else(|| panic!("{name}: not taken by the fast path"));
            assert_eq!(fast, reference, "{name}");
        }
        assert!(events >= 35, "only {events} fixture events found");
    }

    #[test]
    fn unusual_frames_are_left_to_the_reference_path() {
        for text in [
            r#""pong""#,
            // serde would read a struct from an array by position.
            r#"["e1", "MessageCreated"]"#,
            r#"{"eventId": "e1", "postback": ["ThreadArchived"]}"#,
            // An operation error, and a gateway error (no eventId).
            r#"{"eventId": "e1", "error": {"errorCode": "X", "transactionId": "t", "errorMessage": "m"}}"#,
            r#"{"message": "Internal server error", "connectionId": "c", "requestId": "r"}"#,
            // Escaped and duplicate envelope keys.
            r#"{"eventId": "e\u0031", "eventType": "ThreadArchived"}"#,
            r#"{"eventId": "e1", "eventId": "e2", "eventType": "ThreadArchived"}"#,
            // Data an event needs, null; and data that does not decode.
            r#"{"eventId": "e1", "postback": {"eventType": "TokenRefreshed", "data": null}}"#,
            r#"{"eventId": "e1", "postback": {"eventType": "TokenRefreshed", "data": {"accessToken": 5}}}"#,
        ] {
            assert_eq!(decode(text), None, "{text}");
        }
    }

    #[test]
    fn data_kept_verbatim_tells_null_from_absent() {
        let null = decode(r#"{"eventId": "e1", "eventType": "CaseCreated", "data": null}"#);
        let absent = decode(r#"{"eventId": "e1", "eventType": "CaseCreated"}"#);
        let body = |f: Option<ReceivedFrame>| match f {
            Some(ReceivedFrame::Event(e)) => e.body,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            body(null),
            super::super::EventBody::Other(Some(Value::Null))
        );
        assert_eq!(body(absent), super::super::EventBody::Other(None));
    }
}
