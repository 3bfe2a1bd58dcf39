//! The NDJSON line codec fed arbitrary bytes in arbitrary chunks: it never panics, and it hands
//! over exactly what a plain reference splitter says, whatever the chunking. In particular an
//! over-long line is one error item and the line after it still decodes.
//!
//! Input: byte 0 picks the line limit (1..=64), byte 1 the chunk size (1..=16), the rest is
//! the stream.
#![no_main]

use bytes::BytesMut;
use cxone_chat_protocol::rpc::codec::{FrameError, NdjsonCodec};
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

/// What the codec should produce for `stream`: line by line, a final line without its newline
/// included.
fn reference(stream: &[u8], limit: usize) -> Vec<Result<String, FrameError>> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    if stream.ends_with(b"\n") || stream.is_empty() {
        lines.pop();
    }
    for mut line in lines {
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.len() > limit {
            out.push(Err(FrameError::LineTooLong { limit }));
        } else if line
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            continue;
        } else {
            out.push(match std::str::from_utf8(line) {
                Ok(t) => Ok(t.to_owned()),
                Err(e) => Err(FrameError::InvalidUtf8(e.to_string())),
            });
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [limit, chunk, stream @ ..] = data else {
        return;
    };
    let limit = 1 + usize::from(*limit) % 64;
    let chunk = 1 + usize::from(*chunk) % 16;
    let mut codec = NdjsonCodec::with_max_line_length(limit);
    let mut buf = BytesMut::new();
    let mut got = Vec::new();
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(item) = codec
            .decode(&mut buf)
            .expect("decoding never fails as a whole")
        {
            got.push(item);
        }
        assert!(
            buf.len() <= limit + 2 + chunk,
            "the codec holds {} bytes with a limit of {limit}",
            buf.len()
        );
    }
    while let Some(item) = codec
        .decode_eof(&mut buf)
        .expect("eof never fails as a whole")
    {
        got.push(item);
    }
    assert_eq!(
        got,
        reference(stream, limit),
        "limit {limit}, chunk {chunk}"
    );
});
