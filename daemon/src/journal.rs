//! Logging to the systemd journal natively: one datagram per event on
//! `/run/systemd/journal/socket` (the journal's native protocol), with `PRIORITY` from the
//! level, `SYSLOG_IDENTIFIER`, `TARGET`, `CODE_FILE`/`CODE_LINE`, `MESSAGE`, and every other
//! field as `F_NAME` (upper case), as tracing-journald names them.
//!
//! Our own layer rather than tracing-journald's because the journal is read by people: a field
//! recorded as an `Option` (`pid = ?Some(128)`) is written as its value (`F_PID=128`), and a
//! `None` is left out, instead of `F_PID=Some(128)`. An event too large for one datagram (the
//! journal's limit is about 200 KiB) goes to stderr instead, which under systemd is the journal's
//! stream too, with the `<N>` priority prefix systemd reads.

use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::os::unix::net::UnixDatagram;
use std::path::Path;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Where journald listens for native messages.
pub const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// A tracing layer that writes each event to the journal.
#[derive(Debug)]
pub struct JournalLayer {
    socket: UnixDatagram,
    identifier: String,
}

impl JournalLayer {
    /// Connects to journald's socket at `path` (normally [`JOURNAL_SOCKET`]); fails when nothing
    /// listens there.
    pub fn connect(path: &Path, identifier: &str) -> io::Result<Self> {
        let socket = UnixDatagram::unbound()?;
        socket.connect(path)?;
        Ok(Self {
            socket,
            identifier: identifier.to_owned(),
        })
    }

    /// The datagram for `event`.
    fn entry(&self, event: &Event<'_>) -> Vec<u8> {
        let meta = event.metadata();
        let mut buf = Vec::with_capacity(256);
        put(
            &mut buf,
            "PRIORITY",
            priority(meta.level()).to_string().as_bytes(),
        );
        put(&mut buf, "SYSLOG_IDENTIFIER", self.identifier.as_bytes());
        put(&mut buf, "TARGET", meta.target().as_bytes());
        if let Some(file) = meta.file() {
            put(&mut buf, "CODE_FILE", file.as_bytes());
        }
        if let Some(line) = meta.line() {
            put(&mut buf, "CODE_LINE", line.to_string().as_bytes());
        }
        event.record(&mut Fields { buf: &mut buf });
        buf
    }
}

impl<S: Subscriber> Layer<S> for JournalLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let entry = self.entry(event);
        if self.socket.send(&entry).is_err() {
            // Too large (or journald went away): the plain line on stderr still reaches it.
            let mut line = format!("<{}>", priority(event.metadata().level()));
            event.record(&mut Plain { line: &mut line });
            let _ = writeln!(io::stderr().lock(), "{line}");
        }
    }
}

/// syslog(3) priorities, as journald reads them.
fn priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// A field's value as people read it: `Some(x)` is `x`, `None` is nothing (the field is left
/// out). Quotes of a debug-printed string are kept.
pub fn plain(debug: String) -> Option<String> {
    if debug == "None" {
        return None;
    }
    match debug
        .strip_prefix("Some(")
        .and_then(|s| s.strip_suffix(')'))
    {
        Some(inner) => Some(inner.to_owned()),
        None => Some(debug),
    }
}

/// The journal field name of a tracing field: `message` is `MESSAGE`, the rest `F_NAME` with
/// anything but ASCII letters, digits and `_` replaced by `_`.
pub fn field_name(name: &str) -> String {
    if name == "message" {
        return "MESSAGE".to_owned();
    }
    let mut out = String::from("F_");
    out.extend(name.chars().map(|c| match c {
        'a'..='z' => c.to_ascii_uppercase(),
        'A'..='Z' | '0'..='9' | '_' => c,
        _ => '_',
    }));
    out
}

/// One field in the binary-safe form of the native protocol: NAME, newline, the value's length
/// as 64-bit little endian, the value, newline (values may hold newlines).
fn put(buf: &mut Vec<u8>, name: &str, value: &[u8]) {
    buf.extend_from_slice(name.as_bytes());
    buf.push(b'\n');
    buf.extend_from_slice(&(value.len() as u64).to_le_bytes());
    buf.extend_from_slice(value);
    buf.push(b'\n');
}

struct Fields<'a> {
    buf: &'a mut Vec<u8>,
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        put(self.buf, &field_name(field.name()), value.as_bytes());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        let text = if field.name() == "message" {
            Some(text)
        } else {
            plain(text)
        };
        if let Some(text) = text {
            put(self.buf, &field_name(field.name()), text.as_bytes());
        }
    }
}

/// The fallback line: the message, then `name=value` for the other fields.
struct Plain<'a> {
    line: &'a mut String,
}

impl Visit for Plain<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.line, "{value:?}");
        } else if let Some(text) = plain(format!("{value:?}")) {
            let _ = write!(self.line, " {}={text}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Decodes a datagram of the native protocol (binary-safe fields only, as `put` writes).
    fn decode(mut data: &[u8]) -> HashMap<String, String> {
        let mut fields = HashMap::new();
        while !data.is_empty() {
            let nl = data.iter().position(|&b| b == b'\n').unwrap();
            let name = String::from_utf8(data[..nl].to_vec()).unwrap();
            let len = u64::from_le_bytes(data[nl + 1..nl + 9].try_into().unwrap()) as usize;
            let value = String::from_utf8(data[nl + 9..nl + 9 + len].to_vec()).unwrap();
            assert_eq!(data[nl + 9 + len], b'\n');
            fields.insert(name, value);
            data = &data[nl + 10 + len..];
        }
        fields
    }

    #[test]
    fn values_are_plain_and_none_is_left_out() {
        assert_eq!(plain("Some(128)".into()).as_deref(), Some("128"));
        assert_eq!(plain("None".into()), None);
        assert_eq!(plain("\"text\"".into()).as_deref(), Some("\"text\""));
        assert_eq!(plain("[1, 2]".into()).as_deref(), Some("[1, 2]"));
        assert_eq!(field_name("pid"), "F_PID");
        assert_eq!(field_name("needs_restart"), "F_NEEDS_RESTART");
        assert_eq!(field_name("message"), "MESSAGE");
    }

    #[test]
    fn an_event_reaches_a_journal_socket_with_its_priority_message_and_plain_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sock");
        let journal = UnixDatagram::bind(&path).unwrap();
        journal
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let layer = JournalLayer::connect(&path, "cxone-chatd").unwrap();
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let (pid, code, missing): (Option<u32>, Option<u16>, Option<u32>) =
                (Some(128), Some(1000), None);
            let reason = "the file is gone\nsecond line";
            tracing::warn!(pid, ?code, ?missing, error = %reason, "stopped: {reason}");
        });
        let mut buf = vec![0u8; 65536];
        let n = journal.recv(&mut buf).unwrap();
        let fields = decode(&buf[..n]);
        assert_eq!(fields["PRIORITY"], "4");
        assert_eq!(fields["SYSLOG_IDENTIFIER"], "cxone-chatd");
        assert_eq!(fields["MESSAGE"], "stopped: the file is gone\nsecond line");
        assert_eq!(fields["F_PID"], "128");
        assert_eq!(fields["F_CODE"], "1000");
        assert_eq!(fields["F_ERROR"], "the file is gone\nsecond line");
        assert!(!fields.contains_key("F_MISSING"), "{fields:?}");
        assert!(fields["CODE_FILE"].ends_with("journal.rs"));
    }
}
