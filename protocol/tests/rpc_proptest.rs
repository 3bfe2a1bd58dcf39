//! Property tests of the envelope and the line codec: round trips, classification against an
//! independent oracle, robustness on arbitrary bytes, and framing under arbitrary chunking.

use bytes::BytesMut;
use cxone_chat_protocol::rpc::codec::{FrameError, NdjsonCodec};
use cxone_chat_protocol::rpc::envelope::{
    Id, Incoming, Item, Notification, Params, ParseOptions, Request, Response, ResponsePayload,
    parse, parse_bytes,
};
use cxone_chat_protocol::rpc::errors::{ErrorCode, ErrorObject, ErrorReason};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value};
use tokio_util::codec::{Decoder, Encoder};

fn config() -> ProptestConfig {
    ProptestConfig {
        // Relative to the package root, where cargo runs tests.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/rpc_proptest.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// JSON without floats: serde_json only promises exact float round trips with its
/// `float_roundtrip` feature, which this crate does not enable.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn params() -> impl Strategy<Value = Option<Params>> {
    prop::option::of(
        prop::collection::btree_map(".{0,8}", json_value(), 0..4)
            .prop_map(|m| m.into_iter().collect::<Map<_, _>>()),
    )
}

/// JSON number literals, including forms a parsed number would not keep.
fn number_text() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?"
}

fn id() -> impl Strategy<Value = Id> {
    prop_oneof![
        Just(Id::Null),
        any::<i64>().prop_map(Id::from),
        number_text().prop_map(|t| serde_json::from_str::<Id>(&t).unwrap()),
        ".{0,16}".prop_map(Id::from),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]{1,8}\\.[a-zA-Z]{1,12}", ".{0,16}"]
}

fn request() -> impl Strategy<Value = Request> {
    (id(), method(), params()).prop_map(|(id, method, params)| Request { id, method, params })
}

fn notification() -> impl Strategy<Value = Notification> {
    (method(), params()).prop_map(|(method, params)| Notification { method, params })
}

fn error_object() -> impl Strategy<Value = ErrorObject> {
    (
        prop::sample::select(ErrorCode::ALL),
        any::<i64>(),
        ".{0,20}",
        prop::option::of(".{0,8}"),
        prop::option::of(any::<u16>()),
        prop::option::of(".{0,8}"),
        prop::option::of(prop::sample::select(ErrorReason::ALL)),
        prop::option::of(any::<u64>()),
    )
        .prop_map(
            |(kind, code, message, field, status, detail, reason, limit)| {
                let mut e = ErrorObject::new(kind).with_message(message);
                e.code = code;
                e.data.field = field;
                e.data.backend_status = status;
                e.data.detail = detail;
                e.data.reason = reason;
                e.data.limit = limit;
                e
            },
        )
}

fn response() -> impl Strategy<Value = Response> {
    let payload = prop_oneof![
        json_value().prop_map(ResponsePayload::Result),
        error_object().prop_map(ResponsePayload::Error),
    ];
    (id(), payload).prop_map(|(id, payload)| Response { id, payload })
}

#[derive(Clone, Debug)]
enum Call {
    Request(Request),
    Notification(Notification),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        request().prop_map(Call::Request),
        notification().prop_map(Call::Notification)
    ]
}

/// An object with each JSON-RPC member absent or of a random type: the input of the oracle test.
fn envelope_like() -> impl Strategy<Value = Map<String, Value>> {
    let member = |good: BoxedStrategy<Value>| prop::option::of(prop_oneof![good, json_value()]);
    (
        member(Just(Value::from("2.0")).boxed()),
        member(method().prop_map(Value::from).boxed()),
        member(
            prop_oneof![
                params().prop_map(|p| Value::Object(p.unwrap_or_default())),
                Just(Value::Null)
            ]
            .boxed(),
        ),
        member(
            prop_oneof![
                any::<i32>().prop_map(Value::from),
                ".{0,4}".prop_map(Value::from),
                Just(Value::Null)
            ]
            .boxed(),
        ),
    )
        .prop_map(|(jsonrpc, method, params, id)| {
            let mut map = Map::new();
            for (k, v) in [
                ("jsonrpc", jsonrpc),
                ("method", method),
                ("params", params),
                ("id", id),
            ] {
                if let Some(v) = v {
                    map.insert(k.into(), v);
                }
            }
            map
        })
}

/// What the JSON-RPC specification says an object is, written independently of the parser:
/// `Ok(Some(id))` a request, `Ok(None)` a notification, `Err((id, code))` an answered error,
/// and `Err((None, 0))` a notification that is dropped.
fn oracle(map: &Map<String, Value>) -> Result<Option<Value>, (Option<Value>, i64)> {
    let id = match map.get("id") {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Null)) => Some(v.clone()),
        Some(_) => return Err((Some(Value::Null), -32600)),
        None => None,
    };
    let reply_id = Some(id.clone().unwrap_or(Value::Null));
    if map.get("jsonrpc") != Some(&Value::from("2.0"))
        || !map.get("method").is_some_and(Value::is_string)
    {
        return Err((reply_id, -32600));
    }
    match map.get("params") {
        None | Some(Value::Object(_)) | Some(Value::Null) => Ok(id),
        Some(Value::Array(_)) if id.is_some() => Err((reply_id, -32602)),
        Some(Value::Array(_)) => Err((None, 0)),
        Some(_) => Err((reply_id, -32600)),
    }
}

fn decode_chunks(
    codec: &mut NdjsonCodec,
    input: &[u8],
    cuts: &[usize],
) -> Vec<Result<String, FrameError>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.push(input.len());
    cuts.sort_unstable();
    let (mut buf, mut out, mut start) = (BytesMut::new(), Vec::new(), 0);
    for end in cuts {
        buf.extend_from_slice(&input[start..end]);
        start = end;
        while let Some(item) = codec
            .decode(&mut buf)
            .expect("the codec never fails the stream")
        {
            out.push(item);
        }
        assert!(
            buf.len() < codec.max_line_length() + 2,
            "the codec buffered {} bytes",
            buf.len()
        );
    }
    while let Some(item) = codec
        .decode_eof(&mut buf)
        .expect("the codec never fails the stream")
    {
        out.push(item);
    }
    out
}

/// Whatever the input, the outcome is one of the answers JSON-RPC allows, with a readable code.
fn check_outcome(incoming: Incoming, options: &ParseOptions) -> Result<(), TestCaseError> {
    let items = match incoming {
        Incoming::Rejected(r) => {
            prop_assert_eq!(&r.id, &Id::Null);
            let code = r.into_result().unwrap_err().code;
            prop_assert!(code == -32700 || code == -32600, "{}", code);
            return Ok(());
        }
        Incoming::Single(item) => vec![item],
        Incoming::Batch(items) => {
            prop_assert!(!items.is_empty() && items.len() <= options.max_batch_len);
            items
        }
    };
    for item in items {
        match item {
            Item::Invalid(r) => {
                let code = r.into_result().unwrap_err().code;
                prop_assert!(code == -32600 || code == -32602, "{}", code);
            }
            Item::IgnoredNotification { error, .. } => prop_assert_eq!(error.code, -32602),
            Item::Request(_) | Item::Notification(_) => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn requests_round_trip(req in request()) {
        let text = serde_json::to_string(&req).unwrap();
        prop_assert_eq!(parse(&text, &ParseOptions::default()), Incoming::Single(Item::Request(req)));
    }

    #[test]
    fn notifications_round_trip(n in notification()) {
        let text = serde_json::to_string(&n).unwrap();
        prop_assert_eq!(parse(&text, &ParseOptions::default()), Incoming::Single(Item::Notification(n.clone())));
        prop_assert_eq!(serde_json::from_str::<Notification>(&text).unwrap(), n);
    }

    #[test]
    fn responses_round_trip(r in response()) {
        let text = serde_json::to_string(&r).unwrap();
        prop_assert_eq!(serde_json::from_str::<Response>(&text).unwrap(), r);
    }

    #[test]
    fn batches_round_trip(calls in prop::collection::vec(call(), 1..8)) {
        let texts: Vec<String> = calls.iter().map(|c| match c {
            Call::Request(r) => serde_json::to_string(r).unwrap(),
            Call::Notification(n) => serde_json::to_string(n).unwrap(),
        }).collect();
        let text = format!("[{}]", texts.join(","));
        let expected: Vec<Item> = calls.into_iter().map(|c| match c {
            Call::Request(r) => Item::Request(r),
            Call::Notification(n) => Item::Notification(n),
        }).collect();
        prop_assert_eq!(parse(&text, &ParseOptions::default()), Incoming::Batch(expected));
    }

    #[test]
    fn classification_matches_the_specification(map in envelope_like()) {
        let text = serde_json::to_string(&map).unwrap();
        let Incoming::Single(item) = parse(&text, &ParseOptions::default()) else {
            return Err(TestCaseError::fail("an object is a single message"));
        };
        let id_json = |id: &Id| serde_json::to_value(id).unwrap();
        match (oracle(&map), item) {
            (Ok(Some(id)), Item::Request(r)) => prop_assert_eq!(id_json(&r.id), id),
            (Ok(None), Item::Notification(_)) => {}
            (Err((None, 0)), Item::IgnoredNotification { error, .. }) => prop_assert_eq!(error.code, -32602),
            (Err((Some(id), code)), Item::Invalid(r)) => {
                prop_assert_eq!(id_json(&r.id), id);
                prop_assert_eq!(r.into_result().unwrap_err().code, code);
            }
            (expected, got) => return Err(TestCaseError::fail(format!("{expected:?} but parsed {got:?}"))),
        }
    }

    #[test]
    fn any_bytes_parse_to_something(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let options = ParseOptions::default();
        check_outcome(parse_bytes(&bytes, &options), &options)?;
    }

    #[test]
    fn any_json_ish_text_parses_to_something(text in "[\\[\\]{}\",:0-9a-z .\\-\\\\]{0,64}") {
        let options = ParseOptions { max_batch_len: 3 };
        check_outcome(parse(&text, &options), &options)?;
    }

    #[test]
    fn any_bytes_in_any_chunks_decode_without_failing(
        bytes in prop::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..512),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
        max in 1usize..64,
    ) {
        let mut codec = NdjsonCodec::with_max_line_length(max);
        for line in decode_chunks(&mut codec, &bytes, &cuts).into_iter().flatten() {
            prop_assert!(line.len() <= max && !line.contains('\n'));
            prop_assert!(!line.trim_matches([' ', '\t', '\r']).is_empty());
        }
    }

    #[test]
    fn messages_survive_any_chunking(
        messages in prop::collection::vec((json_value(), any::<bool>(), 0usize..3), 0..12),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        let mut codec = NdjsonCodec::with_max_line_length(4096);
        let mut input = BytesMut::new();
        let mut expected = Vec::new();
        for (value, crlf, blank_lines) in &messages {
            for _ in 0..*blank_lines {
                input.extend_from_slice(b"  \r\n");
            }
            codec.encode(value, &mut input).unwrap();
            if *crlf {
                // Same message, CRLF-terminated, as a client on another platform would write it.
                let at = input.len() - 1;
                input.truncate(at);
                input.extend_from_slice(b"\r\n");
            }
            expected.push(Ok(serde_json::to_string(value).unwrap()));
        }
        prop_assert_eq!(decode_chunks(&mut codec, &input, &cuts), expected);
    }

    #[test]
    fn the_line_after_an_overlong_one_still_decodes(
        lines in prop::collection::vec(prop_oneof![
            json_value().prop_map(|v| (serde_json::to_string(&v).unwrap(), false)),
            prop::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 66..200)
                .prop_map(|junk| (String::from_utf8_lossy(&junk).replace('\n', " "), true)),
        ], 1..8),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        let max = 64;
        let mut input = Vec::new();
        let mut expected = Vec::new();
        for (line, overlong) in &lines {
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
            let too_long = *overlong || line.len() > max;
            expected.push(if too_long { Err(FrameError::LineTooLong { limit: max }) } else { Ok(line.clone()) });
        }
        let mut codec = NdjsonCodec::with_max_line_length(max);
        prop_assert_eq!(decode_chunks(&mut codec, &input, &cuts), expected);
    }
}
