//! The NDJSON line codec for tokio: one JSON-RPC message (or batch) per `\n`-terminated line.
//!
//! Reading ([`Decoder`]):
//!
//! * a line ends at `\n`; one `\r` just before it is dropped too, so `\r\n` clients work;
//! * blank lines (empty, or JSON whitespace only) are skipped;
//! * a line longer than [`NdjsonCodec::max_line_length`] bytes (terminator excluded) yields
//!   `Ok(Some(Err(FrameError::LineTooLong)))`; the codec then discards input up to the next `\n`
//!   and carries on, so the connection stays usable. Answer it with [`FrameError::to_response`];
//! * a line that is not UTF-8 yields `Ok(Some(Err(FrameError::InvalidUtf8)))` (−32700);
//! * at end of input, a last line without `\n` still counts.
//!
//! Between reads the codec keeps fewer than limit + 2 bytes buffered, however long a line the
//! client sends: an over-long line is dropped as it arrives, not collected first.
//!
//! Writing ([`Encoder`]): any `Serialize` value as compact JSON and `\n`. serde_json escapes
//! control characters inside strings, so compact output never contains a raw newline.

use bytes::{Buf, BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::envelope::{Id, Response};
use super::errors::{ErrorObject, ErrorReason};

/// The default maximum line length: 4 MiB, enough for an attachment of about 3 MiB sent inline.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 4 * 1024 * 1024;

/// A line the codec could not hand over. Recoverable: the next line decodes normally.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The line exceeded the limit; its bytes were discarded.
    #[error("line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force, in bytes.
        limit: usize,
    },
    /// The line was not valid UTF-8.
    #[error("line is not valid UTF-8: {0}")]
    InvalidUtf8(String),
}

impl FrameError {
    /// The answer to send for this line: `{id: null, code: -32600, data: {reason: "line too
    /// long", limit}}`, or −32700 for invalid UTF-8.
    pub fn to_response(&self) -> Response {
        let error = match self {
            FrameError::LineTooLong { limit } => {
                ErrorObject::for_reason(ErrorReason::LineTooLong).with_limit(*limit as u64)
            }
            FrameError::InvalidUtf8(detail) => {
                ErrorObject::for_reason(ErrorReason::InvalidUtf8).with_detail(detail.clone())
            }
        };
        Response::error(Id::Null, error)
    }
}

/// Splits bytes into lines and writes values as lines. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct NdjsonCodec {
    max_line_length: usize,
    /// How far the current buffer has already been searched for `\n`.
    searched: usize,
    /// Inside an over-long line whose error was already reported.
    discarding: bool,
}

impl NdjsonCodec {
    /// A codec with [`DEFAULT_MAX_LINE_LENGTH`].
    pub fn new() -> Self {
        NdjsonCodec::with_max_line_length(DEFAULT_MAX_LINE_LENGTH)
    }

    /// A codec accepting lines of at most `max_line_length` bytes, terminator excluded.
    pub fn with_max_line_length(max_line_length: usize) -> Self {
        NdjsonCodec {
            max_line_length,
            searched: 0,
            discarding: false,
        }
    }

    /// The maximum line length in bytes.
    pub fn max_line_length(&self) -> usize {
        self.max_line_length
    }

    /// Hands over one complete line (terminator already removed), or skips it when blank.
    fn finish_line(&self, mut line: &[u8]) -> Option<Result<String, FrameError>> {
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        // Length first, so every line over the limit is reported, blank or not, whether or not
        // its newline arrived within the search window.
        if line.len() > self.max_line_length {
            return Some(Err(FrameError::LineTooLong {
                limit: self.max_line_length,
            }));
        }
        if line
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            return None;
        }
        Some(match std::str::from_utf8(line) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => Err(FrameError::InvalidUtf8(e.to_string())),
        })
    }
}

impl Default for NdjsonCodec {
    fn default() -> Self {
        NdjsonCodec::new()
    }
}

impl Decoder for NdjsonCodec {
    type Item = Result<String, FrameError>;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        loop {
            if self.discarding {
                match find_newline(&buf[..]) {
                    Some(end) => {
                        buf.advance(end + 1);
                        self.discarding = false;
                        self.searched = 0;
                        continue;
                    }
                    None => {
                        buf.clear();
                        return Ok(None);
                    }
                }
            }

            // A line within the limit ends no later than limit + "\r\n"; looking further is
            // pointless and would let a client make us scan an unbounded buffer.
            let longest = self.max_line_length.saturating_add(2);
            let window = buf.len().min(longest);
            let from = self.searched.min(window);
            match find_newline(&buf[from..window]).map(|i| i + from) {
                Some(end) => {
                    let line = buf.split_to(end + 1);
                    self.searched = 0;
                    match self.finish_line(&line[..end]) {
                        Some(item) => return Ok(Some(item)),
                        None => continue,
                    }
                }
                None if buf.len() >= longest => {
                    // No newline within limit + 2 bytes: whatever follows, the line is too long.
                    // Only the searched bytes go; the newline may be further on, and other lines
                    // after it.
                    buf.advance(window);
                    self.searched = 0;
                    self.discarding = true;
                    return Ok(Some(Err(FrameError::LineTooLong {
                        limit: self.max_line_length,
                    })));
                }
                None => {
                    self.searched = buf.len();
                    return Ok(None);
                }
            }
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        if let Some(item) = self.decode(buf)? {
            return Ok(Some(item));
        }
        // A final line without its newline: take it rather than lose the client's last message.
        let line = buf.split();
        self.searched = 0;
        if self.discarding {
            self.discarding = false;
            return Ok(None);
        }
        Ok(self.finish_line(&line))
    }
}

impl<T: serde::Serialize> Encoder<T> for NdjsonCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: T, buf: &mut BytesMut) -> Result<(), Self::Error> {
        let start = buf.len();
        if let Err(e) = serde_json::to_writer(buf.writer(), &item) {
            // Never leave half a message in the buffer: the next one would be glued to it.
            buf.truncate(start);
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
        }
        buf.put_u8(b'\n');
        Ok(())
    }
}

fn find_newline(haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(codec: &mut NdjsonCodec, input: &[u8]) -> Vec<Result<String, FrameError>> {
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(item) = codec.decode(&mut buf).unwrap() {
            out.push(item);
        }
        while let Some(item) = codec.decode_eof(&mut buf).unwrap() {
            out.push(item);
        }
        out
    }

    #[test]
    fn lines_crlf_and_blank_lines() {
        let mut codec = NdjsonCodec::new();
        let got = decode_all(&mut codec, b"{\"a\":1}\n\r\n  \n{\"b\":2}\r\n\n[3]");
        assert_eq!(
            got,
            vec![
                Ok("{\"a\":1}".into()),
                Ok("{\"b\":2}".into()),
                Ok("[3]".into())
            ]
        );
    }

    #[test]
    fn exactly_the_limit_is_accepted_with_either_terminator() {
        for terminator in [&b"\n"[..], b"\r\n"] {
            let mut codec = NdjsonCodec::with_max_line_length(4);
            let input = [&b"1234"[..], terminator, b"12345", terminator, b"5"].concat();
            let got = decode_all(&mut codec, &input);
            assert_eq!(
                got,
                vec![
                    Ok("1234".into()),
                    Err(FrameError::LineTooLong { limit: 4 }),
                    Ok("5".into())
                ]
            );
        }
    }

    #[test]
    fn an_overlong_line_is_reported_once_and_skipped_across_reads() {
        let mut codec = NdjsonCodec::with_max_line_length(8);
        let mut buf = BytesMut::from(&b"0123456789"[..]);
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Err(FrameError::LineTooLong { limit: 8 }))
        );
        assert!(buf.is_empty(), "the over-long bytes are not kept");
        buf.extend_from_slice(b"still the same line");
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        buf.extend_from_slice(b" end\n{\"ok\":1}\n");
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Ok("{\"ok\":1}".into()))
        );
    }

    #[test]
    fn lines_after_an_overlong_one_in_the_same_read_survive() {
        let mut codec = NdjsonCodec::with_max_line_length(4);
        let got = decode_all(&mut codec, b"0123456789\n[1]\n0123456789\n[2]");
        assert_eq!(
            got,
            vec![
                Err(FrameError::LineTooLong { limit: 4 }),
                Ok("[1]".into()),
                Err(FrameError::LineTooLong { limit: 4 }),
                Ok("[2]".into()),
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_an_item_not_an_io_error() {
        let mut codec = NdjsonCodec::new();
        let got = decode_all(&mut codec, b"\xff\xfe\n{}\n");
        assert!(matches!(got[0], Err(FrameError::InvalidUtf8(_))));
        assert_eq!(got[1], Ok("{}".into()));
        let e = got[0]
            .clone()
            .unwrap_err()
            .to_response()
            .into_result()
            .unwrap_err();
        assert_eq!(e.code, -32700);
    }

    #[test]
    fn line_too_long_answer_matches_the_documented_shape() {
        let response = FrameError::LineTooLong { limit: 1024 }.to_response();
        let v = serde_json::to_value(&response).unwrap();
        assert_eq!(v["id"], serde_json::Value::Null);
        assert_eq!(v["error"]["code"], -32600);
        assert_eq!(v["error"]["data"]["reason"], "line too long");
        assert_eq!(v["error"]["data"]["limit"], 1024);
    }

    #[test]
    fn encoder_writes_compact_lines() {
        let mut codec = NdjsonCodec::new();
        let mut buf = BytesMut::new();
        codec
            .encode(serde_json::json!({"text": "two\nlines"}), &mut buf)
            .unwrap();
        codec
            .encode(
                &Response::success(Id::from(1), serde_json::Value::Null),
                &mut buf,
            )
            .unwrap();
        assert_eq!(
            &buf[..],
            &b"{\"text\":\"two\\nlines\"}\n{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\n"[..]
        );
    }

    #[test]
    fn encoder_leaves_no_partial_message_on_failure() {
        let mut codec = NdjsonCodec::new();
        let mut buf = BytesMut::from(&b"x\n"[..]);
        let mut bad = std::collections::HashMap::new();
        bad.insert(vec![1u8], 1);
        assert!(codec.encode(&bad, &mut buf).is_err());
        assert_eq!(&buf[..], b"x\n");
    }
}
