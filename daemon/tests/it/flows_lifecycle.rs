//! The host's lifecycle beyond one run of the daemon, and Android's custom visitor events
//! (issue #11 items 5 and 13): a host coming to the foreground after the daemon restarted finds
//! its session prepared again as it was; `analytics.customVisitorEvent` sends Android's frame.

use std::time::{Duration, Instant};

use crate::common::{Backend, Client, Daemon, stored_record};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn prepare(c: &mut Client, b: &Backend, channel: &str) -> Value {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": channel,
               "customer": {"id": "ada-1", "firstName": "Ada"}}),
    )
}

#[test]
fn after_a_restart_app_foreground_prepares_the_session_as_it_was() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let thread = {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c, &b, "chat_multi");
        c.ok("session.connect", json!({}));
        let tid = c.ok("threads.create", json!({"name": "Parcel"}))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        c.ok(
            "thread.send",
            json!({"threadId": tid, "text": "where is it?"}),
        );
        c.wait_event("the answer", |e| {
            e["kind"] == "message.created" && e["data"]["message"]["direction"] == "outbound"
        });
        c.ok(
            "analytics.pageView",
            json!({"title": "Home", "url": "app://home"}),
        );
        c.ok("app.background", json!({}));
        // The record reaches the disk off the calls' path: wait for the thread and the visit.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !stored_record(&state, "default")
            .is_some_and(|r| r.contains(&tid) && r.contains("\"visit\""))
        {
            assert!(Instant::now() < deadline, "the record never had the thread");
            std::thread::sleep(Duration::from_millis(20));
        }
        tid
    }; // SIGKILL
    let configs = b.count("GET /chat/1.0/brand/1000/channel/chat_multi");

    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    // The host comes back without knowing the daemon restarted.
    let back = c.ok("app.foreground", json!({}));
    assert_eq!(back["state"], "prepared", "{back}");
    assert_eq!(back["mode"], "multithread", "{back}");
    assert_eq!(back["channel"]["channelId"], "chat_multi", "{back}");
    assert_eq!(
        b.count("GET /chat/1.0/brand/1000/channel/chat_multi"),
        configs + 1,
        "the channel configuration was loaded again"
    );
    let customer = c.ok("customer.get", json!({}));
    assert_eq!(customer["id"], "ada-1", "the same customer: {customer}");
    let list = c.ok("threads.list", json!({}));
    assert!(
        list["threads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == thread.as_str()),
        "the thread is known before connecting: {list}"
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    c.ok(
        "analytics.pageView",
        json!({"title": "Menu", "url": "app://menu"}),
    );
    let visits = b
        .admin_get("received?transport=rest")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["body"]["type"] == "VisitorVisit")
        .count();
    assert_eq!(visits, 1, "the visit went on across the restart");

    // A name the store has never seen is still an unknown session.
    assert_eq!(
        c.err("app.foreground", json!({"session": "nobody"}))["code"],
        3000
    );
}

#[test]
fn a_custom_visitor_event_goes_over_the_connection_as_android_sends_it() {
    let b = Backend::start(EmulatorConfig::default());
    let d = Daemon::start();
    let mut c = d.client();
    prepare(&mut c, &b, "chat_single");
    let e = c.err(
        "analytics.customVisitorEvent",
        json!({"data": {"basket": 3}}),
    );
    assert_eq!(e["code"], 3002, "it needs a connection: {e}");
    c.ok("session.connect", json!({}));
    let e = c.err("analytics.customVisitorEvent", json!({"data": null}));
    assert_eq!(e["data"]["field"], "data", "{e}");
    c.ok(
        "analytics.customVisitorEvent",
        json!({"data": {"basket": 3, "coupon": "XMAS"}}),
    );
    c.ok(
        "analytics.customVisitorEvent",
        json!({"data": "opened-help"}),
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let frames = loop {
        let got = b.admin_get("received?kind=StoreVisitorEvents");
        if got.as_array().unwrap().len() == 2 || Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let frames = frames.as_array().unwrap();
    assert_eq!(frames.len(), 2, "{frames:?}");
    let p = &frames[0]["body"]["payload"];
    assert_eq!(p["consumerIdentity"]["idOnExternalPlatform"], "ada-1");
    assert!(p["visitor"]["id"].is_string() && p["destination"]["id"].is_string());
    let events = p["data"]["visitorEvents"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "ProactiveActionDisplayed");
    assert_eq!(events[0]["data"], json!({"basket": 3, "coupon": "XMAS"}));
    assert!(events[0]["id"].is_string() && events[0]["createdAtWithMilliseconds"].is_string());
    assert_eq!(
        frames[1]["body"]["payload"]["data"]["visitorEvents"][0]["data"],
        "opened-help"
    );
    assert_eq!(
        frames[1]["body"]["payload"]["destination"], p["destination"],
        "one destination per run, as Android"
    );
}
