//! Inputs the fuzz targets (`fuzz/`) found, kept as ordinary tests so the fix stays fixed.

use cxone_chat_protocol::rpc::envelope::{Incoming, ParseOptions, parse};

/// `rpc_envelope`: a request written back as a client would write it must parse to the same
/// request. serde_json's default float parsing is not correctly rounded, so a large integer
/// literal came back one unit in the last place off (needs serde_json's `float_roundtrip`).
#[test]
fn a_large_number_in_params_survives_being_written_back() {
    let line = r#"{"jsonrpc":"2.0","id":null,"method":"events.poll","params":{"t;meoutMs":100000000000000000000000000000000000000000000000000000000000}}"#;
    let options = ParseOptions::default();
    let Incoming::Single(first) = parse(line, &options) else {
        panic!("not a single item");
    };
    let cxone_chat_protocol::rpc::envelope::Item::Request(request) = &first else {
        panic!("not a request: {first:?}");
    };
    let n = &request.params.as_ref().unwrap()["t;meoutMs"];
    assert_eq!(n.as_f64(), Some(1e59), "parsed as the nearest double");
    let written = serde_json::to_string(request).unwrap();
    let Incoming::Single(again) = parse(&written, &options) else {
        panic!("{written} is not a single item");
    };
    assert_eq!(again, first, "written back: {written}");
}

/// `cxone_frame`: a number too large for a double, in a key no decoder reads. The daemon's fast
/// decoder skips the key, as the SDKs skip unknown keys, and the frame decodes; the reference
/// decoder through `Value` refuses the whole text. That is the one kind of difference the two
/// may have (`DecodeError::is_parser_limit`).
#[test]
fn a_huge_number_in_a_key_nobody_reads_does_not_fail_the_frame() {
    use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
    let text = r#"{"eventId":"71124edf-2711-4d3e-a5b1-a5b06f65efe6","payload":{"n":[7777e7777]}}"#;
    let Ok(ReceivedFrame::Event(event)) = ReceivedFrame::from_text(text) else {
        panic!("not decoded");
    };
    assert_eq!(event.body, EventBody::Other(None));
    let reference = ReceivedFrame::from_text_via_value(text).unwrap_err();
    assert!(reference.is_parser_limit(), "{reference}");
}
