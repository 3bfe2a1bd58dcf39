//! Malformed and hostile back-end input: whatever arrives, the decoders return a value or a
//! `DecodeError`, never panic. Random JSON, random text, and real fixtures with random damage
//! (a key removed, a value replaced by another type).

use std::path::Path;

use cxone_chat_protocol::cxone::DecodeError;
use cxone_chat_protocol::cxone::decode::{decode_document, decode_value};
use cxone_chat_protocol::cxone::received::ReceivedFrame;
use cxone_chat_protocol::cxone::sent::OutgoingFrame;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        // Keys and strings drawn partly from the protocol's own vocabulary, so that random
        // documents reach deep into the decoders instead of failing at the first key.
        prop_oneof![
            "[a-zA-Z]{0,8}",
            Just("pong".to_owned()),
            Just("MessageCreated".to_owned()),
            Just("ThreadRecovered".to_owned()),
            Just("3118d0df-99aa-49e9-a115-c5b98736dee7".to_owned()),
            Just("2022-08-04T19:27:35+01:00".to_owned()),
        ]
        .prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("eventId"),
        Just("eventType"),
        Just("eventObject"),
        Just("createdAt"),
        Just("postback"),
        Just("data"),
        Just("error"),
        Just("message"),
        Just("messages"),
        Just("thread"),
        Just("case"),
        Just("action"),
        Just("payload"),
        Just("idOnExternalPlatform"),
        Just("threadIdOnExternalPlatform"),
        Just("messageContent"),
        Just("x"),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

fn fixtures() -> &'static [Value] {
    static ALL: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    ALL.get_or_init(load_fixtures)
}

fn load_fixtures() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cxone/fixtures");
    let mut out = Vec::new();
    for dir in ["ios", "android"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap());
            }
        }
    }
    out
}

/// Walks to the `pick`-th node (pre-order) and damages it: removes a key or changes a type.
fn damage(v: &mut Value, pick: &mut usize, how: u8) -> bool {
    if *pick == 0 {
        *v = match (how % 4, &*v) {
            (0, _) => Value::Null,
            (1, Value::String(_)) => Value::from(7),
            (1, _) => Value::String("String".into()),
            (2, _) => Value::Array(vec![]),
            _ => Value::Object(Map::new()),
        };
        return true;
    }
    *pick -= 1;
    match v {
        Value::Object(m) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                if *pick == 0 && how >= 128 {
                    m.remove(&k);
                    return true;
                }
                if damage(m.get_mut(&k).unwrap(), pick, how) {
                    return true;
                }
            }
            false
        }
        Value::Array(a) => a.iter_mut().any(|x| damage(x, pick, how)),
        _ => false,
    }
}

/// `from_text` (straight from the text where it can, `received/raw.rs`) and the reference
/// decoder through `Value` give the same frame or the same error, except where the reference
/// meets a parser limit in a part of the text the fast path does not decode.
fn decoders_agree(text: &str) -> Result<(), TestCaseError> {
    let fast = ReceivedFrame::from_text(text);
    let reference = ReceivedFrame::from_text_via_value(text);
    if fast.is_ok() && reference.as_ref().is_err_and(DecodeError::is_parser_limit) {
        return Ok(());
    }
    prop_assert_eq!(fast, reference, "{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_json_never_panics(v in json_value()) {
        let _ = decode_value(&v);
        let _ = ReceivedFrame::from_value(&v);
        let _ = OutgoingFrame::from_value(&v);
        decoders_agree(&v.to_string())?;
    }

    #[test]
    fn random_text_never_panics(s in ".{0,200}") {
        let _ = decode_document(&s);
        decoders_agree(&s)?;
    }

    #[test]
    fn damaged_fixtures_decode_or_fail_cleanly(which in any::<prop::sample::Index>(), pick in 0usize..400, how in any::<u8>()) {
        let all = fixtures();
        let mut doc = all[which.index(all.len())].clone();
        let mut p = pick;
        damage(&mut doc, &mut p, how);
        decoders_agree(&doc.to_string())?;
        match decode_value(&doc) {
            // A damaged document that still decodes must still re-encode to something that
            // decodes to the same value: the decoder never half-accepts input.
            Ok(d) => {
                let again = decode_value(&d.value());
                prop_assert_eq!(again.as_ref(), Ok(&d));
            }
            Err(e) => prop_assert!(!e.reason.is_empty()),
        }
    }
}
