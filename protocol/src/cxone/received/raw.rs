//! Decoding a frame straight from its text, the way the daemon decodes every frame it receives:
//! the envelope's members are found by their structure ([`each_member`]), its strings borrowed,
//! and `data` is decoded straight into the event's type, so every byte is parsed by serde once.
//! No `serde_json::Value` tree is built; building, walking and dropping that tree was a third
//! of the daemon's CPU on a send, and parsing `data` twice a fifth (issue #15).
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

use std::cell::Cell;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use super::{Parts, ReceivedEvent, ReceivedFrame, Shape, Source};
use crate::cxone::json::DecodeError;
use crate::cxone::time::Timestamp;

/// The members of a reply or push the decoder reads; other members are ignored, as the SDKs
/// ignore them. A member whose value is not of the expected kind, or a member given twice,
/// fails the whole envelope (and the reference path decides).
#[derive(Default)]
struct Envelope<'a> {
    event_id: Option<&'a str>,
    event_type: Option<&'a str>,
    event_object: Option<&'a str>,
    status: Option<&'a str>,
    created_at: Option<&'a str>,
    created_at_with_milliseconds: Option<&'a str>,
    postback: Option<&'a str>,
    /// Present, `null` included: events that keep their data verbatim tell `null` from absent,
    /// as the reference path does.
    data: Option<&'a str>,
    seen: u16,
}

impl<'a> Envelope<'a> {
    /// Reads one member of the frame (`postback` false) or of its `postback` (true).
    fn member(&mut self, key: &str, value: &'a str, in_postback: bool) -> Option<()> {
        let (bit, slot) = match (key, in_postback) {
            ("eventType", _) => (0, Slot::Str(&mut self.event_type)),
            ("data", _) => {
                // Kept as text and validated where it is decoded: scanned once, not twice.
                self.data = Some(value);
                return self.once(1);
            }
            ("eventId", false) => (2, Slot::Str(&mut self.event_id)),
            ("eventObject", false) => (3, Slot::Str(&mut self.event_object)),
            ("status", false) => (4, Slot::Str(&mut self.status)),
            ("createdAt", false) => (5, Slot::Raw(&mut self.created_at)),
            ("createdAtWithMilliseconds", false) => {
                (6, Slot::Raw(&mut self.created_at_with_milliseconds))
            }
            ("postback", false) => {
                // Read member by member (`decode`), which checks it whole: not parsed here.
                self.postback = (value != "null").then_some(value);
                return self.once(7);
            }
            ("error", false) => {
                // An operation error goes to the reference path; `null` is no error.
                let error: Option<IgnoredAny> = serde_json::from_str(value).ok()?;
                return if error.is_some() { None } else { self.once(8) };
            }
            // Unread, but the reference path would refuse a frame that is not JSON.
            _ => return serde_json::from_str::<IgnoredAny>(value).ok().map(drop),
        };
        match slot {
            // A borrowed string: `null` is absent; an escaped string, or another kind of value,
            // goes to the reference path.
            Slot::Str(s) => *s = serde_json::from_str::<Option<&str>>(value).ok()?,
            Slot::Raw(r) => {
                let v: Option<IgnoredAny> = serde_json::from_str(value).ok()?;
                *r = v.map(|_| value);
            }
        }
        self.once(bit)
    }

    /// Fails a member given twice, as serde's derived decoders do.
    fn once(&mut self, bit: u16) -> Option<()> {
        let mask = 1 << bit;
        if self.seen & mask != 0 {
            return None;
        }
        self.seen |= mask;
        Some(())
    }
}

enum Slot<'s, 'a> {
    Str(&'s mut Option<&'a str>),
    Raw(&'s mut Option<&'a str>),
}

/// The frame, when it is an ordinary reply or push; `None` sends it to the reference path.
pub(super) fn decode(text: &str) -> Option<ReceivedFrame> {
    let mut envelope = Envelope::default();
    each_member(text, |key, value| envelope.member(key, value, false))?;
    let postback = match envelope.postback {
        None => None,
        Some(p) => {
            let mut inner = Envelope::default();
            each_member(p, |key, value| inner.member(key, value, true))?;
            Some(inner)
        }
    };
    let event_type = match (envelope.event_type, &postback) {
        (Some(t), _) => t,
        (None, Some(p)) => p.event_type?,
        (None, None) => "",
    };
    fn raw(text: Option<&str>, checked: bool) -> Option<Raw<'_>> {
        text.map(|text| Raw {
            text,
            checked: Cell::new(checked),
        })
    }
    // Timestamps were validated as JSON when read; each `data` is when it is decoded.
    let (created_at, created_at_ms) = (
        raw(envelope.created_at, true),
        raw(envelope.created_at_with_milliseconds, true),
    );
    let (pushed, replied) = (
        raw(envelope.data, false),
        raw(postback.as_ref().and_then(|p| p.data), false),
    );
    let (shape, data, data_path) = match &postback {
        Some(_) => (Shape::Postback, &replied, "postback.data"),
        None => (Shape::Push, &pushed, "data"),
    };
    let event = ReceivedEvent::from_parts(Parts {
        event_id: envelope.event_id?,
        event_type,
        shape,
        event_object: envelope.event_object,
        created_at: created_at.as_ref(),
        created_at_with_milliseconds: created_at_ms.as_ref(),
        status: envelope.status,
        data: data.as_ref(),
        data_path,
    })
    .ok()?;
    // Data that no decoder read (an event without data, `null` refused, the frame's own `data`
    // beside a `postback`) must still be JSON, as the reference path requires of the whole frame.
    for d in [&pushed, &replied].into_iter().flatten() {
        if !d.checked.get() {
            serde_json::from_str::<IgnoredAny>(d.text).ok()?;
        }
    }
    Some(ReceivedFrame::Event(Box::new(event)))
}

/// A member's value as the frame's text, and whether a decoder has read (and so validated) it.
struct Raw<'a> {
    text: &'a str,
    checked: Cell<bool>,
}

impl Source for &Raw<'_> {
    fn is_null(self) -> bool {
        self.text == "null"
    }

    fn decode<T: DeserializeOwned>(self, path: &str) -> Result<T, DecodeError> {
        // The whole text is parsed, what `T` skips included; the error is never shown: the
        // reference path decodes the frame again and names the field.
        let value =
            serde_json::from_str(self.text).map_err(|e| DecodeError::new(path, e.to_string()))?;
        self.checked.set(true);
        Ok(value)
    }

    fn to_value(self) -> Result<Value, DecodeError> {
        self.decode(".")
    }

    fn lenient_timestamp(self) -> Option<Timestamp> {
        let text: String = serde_json::from_str(self.text).ok()?;
        Timestamp::parse(&text).ok()
    }
}

/// Calls `f` with each member of the JSON object `text`, in order: its key as written (without
/// the quotes) and its value's text. Only the structure of the object itself is checked here
/// (braces, quotes, colons, commas); each value is left to `f`, which must have serde check it.
/// `None` when the text is not such an object, when a key holds an escape or a control
/// character (the reference path decides those), or when `f` says so.
///
/// Why not serde: an envelope's `data` is most of a frame (~9 KB of a CXone `MessageCreated`),
/// and serde can only hand it over as a `RawValue` by parsing it in full, before the event's
/// decoder parses it again. Finding where it ends takes a fraction of that (issue #15).
fn each_member<'a>(text: &'a str, mut f: impl FnMut(&str, &'a str) -> Option<()>) -> Option<()> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(());
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = string_end(b, i)?;
        let key = &text[i + 1..end - 1];
        if key.bytes().any(|c| c == b'\\' || c < 0x20) {
            return None;
        }
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let value_end = value_end(b, i)?;
        f(key, &text[i..value_end])?;
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

/// The first index at or after `i` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the string that starts at `start` (a quote). An escape skips the byte
/// after the backslash; whether the escape is valid is for serde to say.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i = quote_or_backslash(b, i)?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The index of the first `"` or `\\` at or after `i`, eight bytes at a time: most of a frame's
/// bytes are inside strings, and a byte at a time cost as much as the parse this replaces.
fn quote_or_backslash(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // Sets the high bit of the lowest byte that is zero (higher ones may be set wrongly, and
    // are never looked at: the lowest set bit decides).
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let hit = zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')));
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|n| i + n)
}

/// The index just past the value that starts at `start`: a string, an object or array (by
/// counting brackets outside strings; a mismatched pair is for serde to refuse), or a number or
/// literal (up to the next delimiter).
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    match b.get(start)? {
        b'"' => string_end(b, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while let Some(&c) = b.get(i) {
                match c {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let len = b[start..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(b.len() - start);
            (len > 0).then_some(start + len)
        }
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

    /// The members are found without parsing them, but nothing that is not JSON gets through:
    /// every value is parsed by serde, read or not.
    #[test]
    fn text_that_is_not_json_anywhere_is_left_to_the_reference_path() {
        for text in [
            // Data of an event that reads none, an unread member, a timestamp: not JSON.
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "data": {"a": tru}}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "data": [1, 2}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "data": {"a": "\q"}}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "traceId": 01}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "createdAt": "x}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "postback": {"x": nul}}"#,
            // A raw line break in a string: in data beside a postback, and in the postback's.
            "{\"eventId\": \"e1\", \"postback\": {\"eventType\": \"ThreadArchived\"}, \"data\": \"\n\"}",
            "{\"eventId\": \"e1\", \"postback\": {\"eventType\": \"X\", \"data\": \"\n\"}}",
            r#"{"eventId": "e1", "postback": [1]}"#,
            // The object itself: a missing comma or colon, a trailing one, text after it, a key
            // that is not a string.
            r#"{"eventId": "e1" "eventType": "ThreadArchived"}"#,
            r#"{"eventId" "e1", "eventType": "ThreadArchived"}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived",}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived"} x"#,
            r#"{eventId: "e1", "eventType": "ThreadArchived"}"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "data": 1 2}"#,
            // Cut short inside a string and inside data.
            r#"{"eventId": "e1", "eventType": "ThreadArch"#,
            r#"{"eventId": "e1", "eventType": "ThreadArchived", "data": {"a": [1"#,
        ] {
            assert_eq!(decode(text), None, "{text}");
            assert!(ReceivedFrame::from_text(text).is_err(), "{text}");
        }
    }

    #[test]
    fn whitespace_and_unread_members_decode_as_the_reference_does() {
        for text in [
            " {\n\t\"eventId\" : \"e1\" ,\r\n \"eventType\":\"ThreadArchived\", \"data\" : { \"a\" : [ 1 , { } , \"}\\\"]\" ] } } \n",
            r#"{"traceId": "t", "eventId": "e1", "context": {"x": [true, null, -1.5e3]}, "eventType": "TranscriptSent"}"#,
            r#"{"eventId": "e1", "postback": {"eventId": "e1", "eventType": "ThreadListFetched", "data": {"threads": []}}}"#,
            r#"{"eventId": "e1", "eventType": "CaseCreated", "data": {"a": "\u00e9\n"}, "error": null}"#,
        ] {
            let reference = ReceivedFrame::from_text_via_value(text).expect(text);
            assert_eq!(decode(text), Some(reference), "{text}");
        }
    }

    #[test]
    fn strings_end_at_their_closing_quote_wherever_it_falls_in_a_word() {
        for len in 0..20usize {
            for escape_at in [None, Some(0), Some(len / 2), Some(len.saturating_sub(1))] {
                let mut body = "x".repeat(len);
                if let Some(at) = escape_at.filter(|&at| at < len) {
                    body.replace_range(at..at + 1, "\\\"");
                }
                let text = format!("\"{body}\" , \"\\\\\"");
                assert_eq!(
                    string_end(text.as_bytes(), 0),
                    Some(body.len() + 2),
                    "{text}"
                );
                assert_eq!(
                    string_end(format!("\"{body}").as_bytes(), 0),
                    None,
                    "{body}"
                );
            }
        }
        // High bytes (UTF-8) next to the quote, which the word-at-a-time test must not mistake.
        let text = "\"\u{e9}\u{e9}\u{22ac}\u{1f600}\"";
        assert_eq!(string_end(text.as_bytes(), 0), Some(text.len()));
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
