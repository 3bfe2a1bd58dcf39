//! Any CXone document (`decode_document`, what `cxone-chatd decode` and the fixture tests run):
//! never panics, and what it understood re-decodes to the same thing (the invariant: the
//! re-encoded JSON decodes again to the same value).
#![no_main]

use cxone_chat_protocol::cxone::decode::{decode_document, decode_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(decoded) = decode_document(text) {
        let value = decoded.value();
        let again = decode_value(&value)
            .unwrap_or_else(|e| panic!("re-encoded document does not decode: {e}\n{value}"));
        assert_eq!(
            again.value(),
            value,
            "decode → encode → decode changed the value"
        );
    }
});
