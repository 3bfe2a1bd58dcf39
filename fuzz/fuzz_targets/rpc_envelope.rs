//! One line from a client (`rpc::envelope::parse_bytes`): never a panic, every outcome
//! serializes, and a request or notification it accepted, written back as a client would write
//! it, parses to the same item.
#![no_main]

use cxone_chat_protocol::rpc::envelope::{Incoming, Item, ParseOptions, parse, parse_bytes};
use libfuzzer_sys::fuzz_target;

fn check_item(item: &Item, options: &ParseOptions) {
    let text = match item {
        Item::Request(r) => serde_json::to_string(r).expect("a request serializes"),
        Item::Notification(n) => serde_json::to_string(n).expect("a notification serializes"),
        Item::Invalid(response) => {
            serde_json::to_string(response).expect("an error response serializes");
            return;
        }
        Item::IgnoredNotification { .. } => return,
    };
    match parse(&text, options) {
        Incoming::Single(again) => assert_eq!(&again, item, "written back: {text}"),
        other => panic!("{text} parsed as {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions { max_batch_len: 8 };
    match parse_bytes(data, &options) {
        Incoming::Single(item) => check_item(&item, &options),
        Incoming::Batch(items) => {
            assert!(!items.is_empty() && items.len() <= options.max_batch_len);
            items.iter().for_each(|i| check_item(i, &options));
        }
        Incoming::Rejected(response) => {
            serde_json::to_string(&response).expect("a rejection serializes");
        }
    }
});
