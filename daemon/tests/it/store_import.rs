//! The state directory of an earlier release (one JSON directory per session) through the real
//! daemon (issue #13): imported on the first start, its queued messages delivered once and in
//! order, its identity kept, its files gone once the import is committed.

use crate::common::{Backend, Daemon, kind_with, stored_record};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

#[test]
fn a_state_directory_of_the_json_layout_is_imported_and_its_queue_delivered() {
    let b = Backend::start(EmulatorConfig::default());
    // A session as this build stores it, and the frame of a real send, to build the old files
    // from (the old layout held the same record, and the same frames).
    let (record, frame, thread) = {
        let dir = tempfile::tempdir().unwrap();
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        c.ok(
            "session.prepare",
            json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single",
                "customer": {"id": "ada"}}),
        );
        c.ok("session.connect", json!({}));
        let thread = c.ok("threads.create", json!({}))["id"].clone();
        c.ok(
            "thread.send",
            json!({"threadId": thread, "text": "before the upgrade"}),
        );
        c.wait_event(
            "the answer",
            kind_with(
                "message.created",
                "/message/text",
                json!("You said: before the upgrade"),
            ),
        );
        let record = stored_record(&dir.path().join("state"), "default").unwrap();
        let frame = b.admin_get("received?kind=SendMessage").as_array().unwrap()[0]["body"].clone();
        (record, frame, thread)
    };

    // The old layout: sessions/default/{session.json, outbox.json, lock}, two queued messages.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("state/sessions/default");
    std::fs::create_dir_all(&old).unwrap();
    let mut session: Value = serde_json::from_str(&record).unwrap();
    session["version"] = json!(1);
    std::fs::write(old.join("session.json"), session.to_string()).unwrap();
    let queued: Vec<Value> = ["queued in the old layout 1", "queued in the old layout 2"]
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let id = uuid::Uuid::new_v4();
            let mut f = frame.clone();
            f["eventId"] = json!(uuid::Uuid::new_v4().to_string());
            f["payload"]["data"]["idOnExternalPlatform"] = json!(id.to_string());
            f["payload"]["data"]["messageContent"]["payload"]["text"] = json!(text);
            json!({"session": "default", "threadId": thread, "messageId": id,
                   "frame": f.to_string(), "enqueuedAt": 1_700_000_000_000_i64 + i as i64})
        })
        .collect();
    std::fs::write(
        old.join("outbox.json"),
        json!({"version": 1, "messages": queued}).to_string(),
    )
    .unwrap();
    std::fs::write(old.join("lock"), b"").unwrap();

    // The new daemon imports it and, having queued messages, resumes the session by itself.
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let texts = loop {
        let texts = b.sent_texts();
        if texts.len() >= 3 || std::time::Instant::now() > deadline {
            break texts;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        texts,
        [
            "before the upgrade",
            "queued in the old layout 1",
            "queued in the old layout 2"
        ],
        "each once, in order"
    );
    assert!(
        !dir.path().join("state/sessions").exists(),
        "the old files are removed once imported"
    );
    let imported = stored_record(&dir.path().join("state"), "default").unwrap();
    let (was, now): (Value, Value) = (
        serde_json::from_str(&record).unwrap(),
        serde_json::from_str(&imported).unwrap(),
    );
    assert_eq!(now["visitorId"], was["visitorId"], "the same visitor");
    assert_eq!(now["customer"]["id"], "ada", "the same customer");
}
