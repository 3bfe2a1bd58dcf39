//! Redaction of secrets in text that is about to be logged: access, refresh and transaction
//! tokens, authorization codes, PKCE verifiers, client secrets, cookies and message text.
//!
//! [`text`] finds a known secret key and replaces its value, whatever the text's shape:
//! a JSON document at any level of string escaping (`"token":"…"`, `\"token\":\"…\"`, as a
//! frame's payload appears inside a Debug string or a JSON log line), Rust Debug output
//! (`token: "…"`), form and query strings (`code=…&code_verifier=…`) and HTTP headers
//! (`Cookie: …`). Every log line written to stderr passes through it ([`RedactingStderr`]),
//! and every event sent to the journal ([`Redacting`]), so dependencies that trace whole frames
//! and requests (tungstenite, hyper) are covered too, at every level.

use std::borrow::Cow;
use std::io::Write;

use crate::store::REDACTED;

/// Keys whose values are secrets in any shape (compared ignoring ASCII case).
const SECRET_KEYS: &[&str] = &[
    "token",
    "accessToken",
    "access_token",
    "refreshToken",
    "refresh_token",
    "idToken",
    "id_token",
    "transactionToken",
    "transaction_token",
    "authorizationCode",
    "authorization_code",
    "codeVerifier",
    "code_verifier",
    "clientSecret",
    "client_secret",
    "secret",
    "password",
    // A push token lets anyone who has it notify the device.
    "deviceToken",
    "device_token",
    // Pre-signed bucket URLs (large events, attachments).
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "cookie",
    "set-cookie",
    "authorization",
    // Message text (the customer's and the agent's) and what repeats it.
    "text",
    "preview",
    "fallbackText",
];

/// Keys that are secrets only as `key=value` (a form or a query): `"code"` in JSON is an
/// error code.
const FORM_ONLY_KEYS: &[&str] = &["code"];

/// Keys whose unquoted `Key: value` runs to the end of the line (HTTP headers).
const HEADER_KEYS: &[&str] = &["cookie", "set-cookie", "authorization"];

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The key starting at `i`, when it is a whole word and one of ours: (its length, form only,
/// header).
fn key_at(b: &[u8], i: usize) -> Option<(usize, bool, bool)> {
    if i > 0 && is_word(b[i - 1]) {
        return None;
    }
    let end = i + b[i..].iter().take_while(|&&c| is_word(c)).count();
    if end == i {
        return None;
    }
    let word = &b[i..end];
    let is = |k: &&str| k.as_bytes().eq_ignore_ascii_case(word);
    let form_only = FORM_ONLY_KEYS.iter().any(is);
    if !form_only && !SECRET_KEYS.iter().any(is) {
        return None;
    }
    Some((end - i, form_only, HEADER_KEYS.iter().any(is)))
}

fn backslashes(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|&&c| c == b'\\').count()
}

/// The byte range of a secret value whose key starts at `i`, if there is one.
fn secret_value_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let (len, form_only, header) = key_at(b, i)?;
    let mut j = i + len;
    // The key's closing quote, at whatever escaping depth.
    let k = backslashes(b, j);
    if b.get(j + k) == Some(&b'"') {
        j += k + 1;
    }
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    let sep = *b.get(j)?;
    if sep != b':' && sep != b'=' {
        return None;
    }
    if form_only && sep != b'=' {
        return None;
    }
    j += 1;
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    let m = backslashes(b, j);
    if b.get(j + m) == Some(&b'"') {
        // Quoted: ends at a quote preceded by exactly `m` backslashes (a quote inside the value
        // carries more).
        let start = j + m + 1;
        let mut p = start;
        while p < b.len() {
            if b[p] == b'"' {
                let mut n = 0;
                while n < p - start && b[p - 1 - n] == b'\\' {
                    n += 1;
                }
                if n == m {
                    return (p - m > start).then_some((start, p - m));
                }
            }
            p += 1;
        }
        return (b.len() > start).then_some((start, b.len()));
    }
    if m > 0 {
        return None;
    }
    let stop: &[u8] = if header && sep == b':' {
        b"\r\n\\\"'"
    } else if sep == b'=' {
        b"&;, \t\r\n\\\"')}]"
    } else {
        // `key: value` unquoted and not a header: a number, an object, a Debug wrapper.
        return None;
    };
    let start = j;
    let end = start + b[start..].iter().take_while(|c| !stop.contains(c)).count();
    (end > start).then_some((start, end))
}

/// `s` with the value of every known secret key replaced by [`REDACTED`].
pub fn text(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let (mut copied, mut i) = (0, 0);
    while i < b.len() {
        // Keys are ASCII, so a match never starts inside a multi-byte character.
        if let Some((start, end)) = secret_value_at(b, i) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..start]);
            o.push_str(REDACTED);
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Standard error, each log line redacted with [`text`] before it is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = RedactedLine;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedLine(Vec::new())
    }
}

/// One formatted event, held until it is complete, then redacted and written at once.
#[derive(Debug)]
pub struct RedactedLine(Vec<u8>);

impl Write for RedactedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactedLine {
    fn drop(&mut self) {
        let line = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr().lock().write_all(text(&line).as_bytes());
    }
}

/// A layer that hands `L` each event with its fields redacted by [`text`]: for destinations
/// that format events themselves (the journal), where [`RedactingStderr`] cannot apply.
#[derive(Debug)]
pub struct Redacting<L>(pub L);

/// An event's fields as text, in the order of its field set.
#[derive(Default)]
struct FieldTexts(Vec<Option<String>>);

impl tracing::field::Visit for FieldTexts {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl FieldTexts {
    fn put(&mut self, field: &tracing::field::Field, value: String) {
        if let Some(slot) = self.0.get_mut(field.index()) {
            *slot = Some(value);
        }
    }
}

impl<S, L> tracing_subscriber::Layer<S> for Redacting<L>
where
    S: tracing::Subscriber,
    L: tracing_subscriber::Layer<S>,
{
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.0.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.0.on_layer(subscriber);
    }

    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        self.0.register_callsite(metadata)
    }

    fn enabled(
        &self,
        metadata: &tracing::Metadata<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        self.0.enabled(metadata, ctx)
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.on_new_span(attrs, id, ctx);
    }

    fn on_record(
        &self,
        span: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.on_record(span, values, ctx);
    }

    fn on_follows_from(
        &self,
        span: &tracing::span::Id,
        follows: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(
        &self,
        event: &tracing::Event<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        self.0.event_enabled(event, ctx)
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let metadata = event.metadata();
        let mut texts = FieldTexts(vec![None; metadata.fields().len()]);
        event.record(&mut texts);
        let redacted: Vec<Option<String>> = texts
            .0
            .iter()
            .map(|t| t.as_deref().map(|t| text(t).into_owned()))
            .collect();
        if redacted == texts.0 {
            return self.0.on_event(event, ctx);
        }
        let shown: Vec<_> = redacted
            .iter()
            .map(|t| t.as_ref().map(tracing::field::display))
            .collect();
        let values: Vec<Option<&dyn tracing::Value>> = shown
            .iter()
            .map(|v| v.as_ref().map(|v| v as &dyn tracing::Value))
            .collect();
        let set = metadata.fields().value_set_all(&values);
        let copy = if event.is_contextual() {
            tracing::Event::new(metadata, &set)
        } else {
            tracing::Event::new_child_of(event.parent().cloned(), metadata, &set)
        };
        self.0.on_event(&copy, ctx);
    }

    fn on_enter(&self, id: &tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        self.0.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        self.0.on_exit(id, ctx);
    }

    fn on_close(&self, id: tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        self.0.on_close(id, ctx);
    }

    fn on_id_change(
        &self,
        old: &tracing::span::Id,
        new: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.on_id_change(old, new, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    /// Records every event's fields as `name=value` lines.
    #[derive(Clone, Default)]
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            struct V<'a>(&'a mut Vec<String>);
            impl tracing::field::Visit for V<'_> {
                fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                    self.0.push(format!("{}={v:?}", f.name()));
                }
            }
            event.record(&mut V(&mut self.0.lock().unwrap()));
        }
    }

    #[test]
    fn the_journal_layer_gets_events_with_redacted_fields() {
        use tracing_subscriber::layer::SubscriberExt;
        let seen = Capture::default();
        let subscriber = tracing_subscriber::registry().with(super::Redacting(seen.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let frame = r#"{"accessToken":{"token":"emu-access.1"}}"#;
            tracing::trace!(n = 3, frame, "Received message {frame}");
            tracing::info!(n = 4, "nothing secret");
        });
        let seen = seen.0.lock().unwrap().join("\n");
        assert!(!seen.contains("emu-access.1"), "{seen}");
        assert!(
            seen.contains("<redacted>") && seen.contains("n=3"),
            "{seen}"
        );
        assert!(
            seen.contains("message=nothing secret") && seen.contains("n=4"),
            "{seen}"
        );
    }

    #[test]
    fn json_values_are_redacted_at_every_escaping_depth() {
        let doc = r#"{"accessToken":{"expiresIn":31,"token":"emu-access.1"},"text":"hi \"you\"","code":"Err"}"#;
        assert_eq!(
            text(doc),
            r#"{"accessToken":{"expiresIn":31,"token":"<redacted>"},"text":"<redacted>","code":"Err"}"#
        );
        let once = serde_json::to_string(doc).unwrap();
        let out = text(&once);
        assert!(
            !out.contains("emu-access.1") && !out.contains("you"),
            "{out}"
        );
        let twice = serde_json::to_string(&once).unwrap();
        let out = text(&twice);
        assert!(
            !out.contains("emu-access.1") && !out.contains("you"),
            "{out}"
        );
        assert!(out.contains(r#"\\\"code\\\":\\\"Err\\\""#), "{out}");
    }

    #[test]
    fn debug_form_query_and_header_values_are_redacted() {
        assert_eq!(
            text(r#"Frame { refresh_token: "r-1", n: 2 }"#),
            r#"Frame { refresh_token: "<redacted>", n: 2 }"#
        );
        assert_eq!(
            text("GET /?brandId=1&transactionToken=t.2 HTTP/1.1\r\nCookie: id=abc; x=y\r\n"),
            "GET /?brandId=1&transactionToken=<redacted> HTTP/1.1\r\nCookie: <redacted>\r\n"
        );
        assert_eq!(
            text("https://b/x.json?X-Amz-Signature=abc&t=1"),
            "https://b/x.json?X-Amz-Signature=<redacted>&t=1"
        );
        assert_eq!(
            text("grant_type=authorization_code&code=c-3&code_verifier=v-4"),
            "grant_type=authorization_code&code=<redacted>&code_verifier=<redacted>"
        );
    }

    #[test]
    fn other_keys_and_lookalikes_are_left_alone() {
        for s in [
            r#"{"tokenType":"Bearer","texts":"a","message":"m"}"#,
            "text_len=12 code: Normal",
            "token",
            "token=",
            r#""text":"#,
            "ünïcödé text=ü",
        ] {
            let out = text(s);
            if s.starts_with('ü') {
                assert_eq!(out, "ünïcödé text=<redacted>");
            } else {
                assert_eq!(out, s);
            }
        }
    }
}
