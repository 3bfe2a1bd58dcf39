//! A custom popup the contact centre fires (iOS `onProactivePopupAction`, Android
//! `ChatActionHandler.onPopup`) reaches the host as a `proactive.action` of type
//! `customPopupBox` with what the popup shows, and its hand-over's custom fields are announced
//! (`customFields.set`, scope `customer`). The frame is the iOS SDK's own test fixture (`CustomPopup.json`),
//! sent by the emulator as received.

use crate::common::{Backend, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = crate::common::fixture(&format!("ios/{name}"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn a_custom_popup_reaches_the_host_with_what_it_shows_and_hands_over_its_fields() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    c.open_thread(&b, "chat_single");

    b.admin_post("raw", json!({"frame": fixture("CustomPopup.json")}));
    let e = c.wait_event("the popup", |e| {
        e["kind"] == "proactive.action" && e["data"]["action"]["actionType"] == "customPopupBox"
    });
    let action = &e["data"]["action"];
    assert_eq!(
        action["actionId"], "b7b1175b-2567-4550-8105-42603b69be6d",
        "{e}"
    );
    assert_eq!(action["actionName"], "My custom popup", "{e}");
    let variables = &action["content"]["variables"];
    assert_eq!(variables["headingText"], "Have any questions?", "{e}");
    assert_eq!(
        variables["action"]["url"], "https://www.nice.com/contact-us",
        "{e}"
    );

    // The hand-over's fields are announced as the customer's.
    let set = c.wait_event("the hand-over", |e| {
        e["kind"] == "customFields.set" && e["data"]["scope"] == "customer"
    });
    assert!(
        set["data"]["customFields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["ident"] == "myFieldIdent" && f["value"] == "This is new value"),
        "{set}"
    );

    // The variant with empty variables (Android's fixture name) decodes too.
    b.admin_post(
        "raw",
        json!({"frame": fixture("ProActiveActionCustomPopupWithEmtyVariables.json")}),
    );
    // (`wait_event` takes the events it returns: this is the second popup.)
    let second = c.wait_event("the popup without variables", |e| {
        e["kind"] == "proactive.action" && e["data"]["action"]["actionType"] == "customPopupBox"
    });
    assert_eq!(second["data"]["action"]["content"], json!({}), "{second}");
}
