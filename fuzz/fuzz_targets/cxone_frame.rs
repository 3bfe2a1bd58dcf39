//! A WebSocket text frame from the gateway: `ReceivedFrame::from_text` never panics, and a
//! decoded frame re-encodes to text that decodes to the same frame (protocol's invariant:
//! decode → encode → decode is stable), and the fast decoder (straight from the text) gives
//! what the reference decoder (through `Value`) gives.
#![no_main]

use cxone_chat_protocol::cxone::received::ReceivedFrame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = ReceivedFrame::from_text(text);
    let reference = ReceivedFrame::from_text_via_value(text);
    // Allowed: the reference meets a parser limit in a part the fast path does not decode.
    let limit = reference.as_ref().is_err_and(|e| e.is_parser_limit());
    if !(decoded.is_ok() && limit) {
        assert_eq!(
            decoded, reference,
            "the fast and the reference decoder disagree"
        );
    }
    if let Ok(frame) = decoded {
        let encoded = frame.to_text();
        let again = ReceivedFrame::from_text(&encoded)
            .unwrap_or_else(|e| panic!("re-encoded frame does not decode: {e}\n{encoded}"));
        assert_eq!(again, frame, "decode → encode → decode changed the frame");
        assert_eq!(again.to_text(), encoded, "encoding is not stable");
    }
});
