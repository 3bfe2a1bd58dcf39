//! The bad-input corpus over the real socket (issue #14): every line below is what a careless or
//! hostile client might write. Each gets its own specific answer — the JSON-RPC code and, where
//! the daemon can say more, the error's kind and field — on one connection, which stays usable
//! throughout, and the daemon still serves everyone afterwards.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde_json::Value;

use crate::common::Daemon;

/// A line and what its answer must hold: the code, and the kind (`data.kind`) or field
/// (`data.field`) when given. `None` for the code: no answer at all (a notification).
struct Case {
    line: &'static [u8],
    code: Option<i64>,
    kind: Option<&'static str>,
    field: Option<&'static str>,
}

const fn case(line: &'static [u8], code: i64) -> Case {
    Case {
        line,
        code: Some(code),
        kind: None,
        field: None,
    }
}

const fn with_field(line: &'static [u8], code: i64, field: &'static str) -> Case {
    Case {
        line,
        code: Some(code),
        kind: None,
        field: Some(field),
    }
}

const fn with_kind(line: &'static [u8], code: i64, kind: &'static str) -> Case {
    Case {
        line,
        code: Some(code),
        kind: Some(kind),
        field: None,
    }
}

const fn unanswered(line: &'static [u8]) -> Case {
    Case {
        line,
        code: None,
        kind: None,
        field: None,
    }
}

const CORPUS: &[Case] = &[
    // Not JSON, or not a request.
    case(b"{this is not json", -32700),
    case(b"\"just a string\"", -32600),
    case(b"42", -32600),
    case(b"null", -32600),
    case(b"true", -32600),
    case(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.info""#, -32700),
    case(b"\xff\xfe not utf-8", -32700),
    case(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.info\"}\x00", -32700),
    // The envelope.
    case(br#"{"id":1,"method":"daemon.info"}"#, -32600),
    case(br#"{"jsonrpc":"1.0","id":1,"method":"daemon.info"}"#, -32600),
    case(br#"{"jsonrpc":2.0,"id":1,"method":"daemon.info"}"#, -32600),
    case(br#"{"jsonrpc":"2.0","id":1}"#, -32600),
    case(br#"{"jsonrpc":"2.0","id":1,"method":7}"#, -32600),
    case(br#"{"jsonrpc":"2.0","id":1,"method":""}"#, -32601),
    case(br#"{"jsonrpc":"2.0","id":{"an":"object"},"method":"daemon.info"}"#, -32600),
    case(br#"{"jsonrpc":"2.0","id":[1],"method":"daemon.info"}"#, -32600),
    case(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.info","params":[]}"#, -32602),
    case(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.info","params":"x"}"#, -32600),
    // Methods and params.
    case(br#"{"jsonrpc":"2.0","id":1,"method":"no.such.method"}"#, -32601),
    case(br#"{"jsonrpc":"2.0","id":1,"method":"rpc.anything"}"#, -32601),
    case(br#"{"jsonrpc":"2.0","id":1,"method":"debug.wedge","params":{"actor":"event-hub"}}"#, -32601),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.info","params":{"extra":1}}"#, -32602, "extra"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.setLogLevel","params":{"level":"loud"}}"#, -32602, "level"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"daemon.setLogLevel","params":{}}"#, -32602, "level"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"events.poll","params":{"timeoutMs":-1}}"#, -32602, "timeoutMs"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"events.poll","params":{"timeoutMs":99999999999}}"#, 3008, "timeoutMs"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"session.prepare","params":{"brandId":"x","channelId":"c"}}"#, -32602, "brandId"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"session.prepare","params":{"brandId":-1,"channelId":"c"}}"#, -32602, "brandId"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"session.prepare","params":{"brandId":1,"channelId":"c"}}"#, 3008, "environment"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"session.prepare","params":{"session":"../etc","brandId":1,"channelId":"c"}}"#, -32602, "session"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"session.prepare","params":{"session":"","brandId":1,"channelId":"c"}}"#, -32602, "session"),
    with_kind(br#"{"jsonrpc":"2.0","id":1,"method":"session.connect","params":{"session":"never-prepared"}}"#, 3000, "unknownSession"),
    with_kind(br#"{"jsonrpc":"2.0","id":1,"method":"thread.send","params":{"session":"never-prepared","threadId":"x","text":"hi"}}"#, 3000, "unknownSession"),
    with_kind(br#"{"jsonrpc":"2.0","id":1,"method":"thread.send","params":{"threadId":"t"}}"#, 3000, "unknownSession"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"thread.send","params":{"threadId":"t","attachments":[{"data":"x"}]}}"#, -32602, "attachments[0].fileName"),
    with_field(br#"{"jsonrpc":"2.0","id":1,"method":"events.unsubscribe","params":{"subscription":"nope"}}"#, -32602, "subscription"),
    // Batches.
    case(b"[]", -32600),
    case(b"[1,2,3]", -32600),
    unanswered(br#"[{"jsonrpc":"2.0","method":"daemon.info"},{"jsonrpc":"2.0","method":"daemon.status"}]"#),
    // Notifications are never answered, even when wrong.
    unanswered(br#"{"jsonrpc":"2.0","method":"no.such.method"}"#),
    unanswered(br#"{"jsonrpc":"2.0","method":"daemon.setLogLevel","params":{"level":"loud"}}"#),
];

/// Sends `line` and returns the next answer (skipping nothing: this connection subscribes to
/// nothing), or `None` when a following `daemon.info` with id `"fence"` comes back first.
fn answer_to(
    reader: &mut BufReader<UnixStream>,
    writer: &mut UnixStream,
    line: &[u8],
) -> Option<Value> {
    writer.write_all(line).unwrap();
    writer.write_all(b"\n").unwrap();
    writer
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":\"fence\",\"method\":\"daemon.info\"}\n")
        .unwrap();
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    if first["id"] == "fence" {
        return None;
    }
    let mut fence = String::new();
    reader.read_line(&mut fence).unwrap();
    let fence: Value = serde_json::from_str(&fence).unwrap();
    assert_eq!(
        fence["id"], "fence",
        "the connection stopped working after {first}"
    );
    Some(first)
}

#[test]
fn every_bad_line_gets_its_specific_answer_and_the_connection_goes_on() {
    let d = Daemon::start();
    let s = UnixStream::connect(&d.socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut writer = s;
    let mut wrong = Vec::new();
    for case in CORPUS {
        let shown = String::from_utf8_lossy(case.line);
        let answer = answer_to(&mut reader, &mut writer, case.line);
        let (Some(code), Some(answer)) = (case.code, answer.as_ref()) else {
            if case.code.is_some() != answer.is_some() {
                wrong.push(format!("{shown}: expected {:?}, got {answer:?}", case.code));
            }
            continue;
        };
        // A batch is answered with an array: every element must be the expected error.
        let errors: Vec<&Value> = match answer.as_array() {
            Some(items) => items.iter().map(|a| &a["error"]).collect(),
            None => vec![&answer["error"]],
        };
        let ok = errors.iter().all(|error| {
            // Every error names its kind and whether a retry can help.
            error["code"] == code
                && error["data"]["kind"].is_string()
                && error["data"]["retryable"].is_boolean()
                && case.kind.is_none_or(|k| error["data"]["kind"] == k)
                && case.field.is_none_or(|f| error["data"]["field"] == f)
        });
        if !ok {
            wrong.push(format!(
                "{shown}: expected {code} {:?} {:?}, got {answer}",
                case.kind, case.field
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases answered wrongly:\n{}",
        wrong.len(),
        CORPUS.len(),
        wrong.join("\n")
    );
    // And everyone else is still served.
    let mut other = d.client();
    other.ok("daemon.status", serde_json::json!({}));
}
