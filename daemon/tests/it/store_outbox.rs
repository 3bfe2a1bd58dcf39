//! The durable outbox through the store's public API: order and byte-exact frames across a
//! restart, one entry per message id, a damaged database salvaged row by row, the import of
//! the old JSON layout, and sessions (and threads of one session) working at once without
//! disturbing each other.

use std::fs;
use std::sync::Arc;

use cxone_chatd::store::{Enqueued, Outgoing, Store};
use uuid::Uuid;

/// A frame shaped like the daemon's, with spacing and escapes a re-encoding would change.
fn frame(message_id: Uuid, text: &str) -> String {
    format!(
        "{{\"action\":\"chatWindowEvent\",\"eventId\":\"{}\",\"payload\":{{\"eventType\":\
         \"SendMessage\", \"data\":{{\"idOnExternalPlatform\":\"{}\",\"text\":\"{text} \\u00e9\\/\"}}}}}}",
        Uuid::new_v4(),
        message_id.as_hyphenated().to_string().to_uppercase(),
    )
}

fn outgoing(thread_id: Uuid, text: &str) -> Outgoing {
    let message_id = Uuid::new_v4();
    Outgoing {
        thread_id,
        message_id,
        frame: frame(message_id, text),
        seq: 0,
    }
}

#[test]
fn after_a_restart_exactly_the_unsent_messages_are_pending_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let thread = Uuid::new_v4();
    let sent = [
        outgoing(thread, "first"),
        outgoing(thread, "second"),
        outgoing(thread, "third"),
    ];
    {
        let session = Store::open(dir.path()).unwrap().session("s").unwrap();
        for m in &sent {
            assert_eq!(session.enqueue(m.clone()).unwrap(), Enqueued::Added);
        }
        assert!(session.mark_sent(sent[1].message_id).unwrap());
    }
    // A new store instance, as after a daemon restart.
    let store = Store::open(dir.path()).unwrap();
    let session = store.session("s").unwrap();
    let pending = session.pending().unwrap();
    let ids: Vec<Uuid> = pending.iter().map(|m| m.message_id).collect();
    assert_eq!(ids, vec![sent[0].message_id, sent[2].message_id]);
    for (p, original) in pending.iter().zip([&sent[0], &sent[2]]) {
        assert_eq!(p.frame, original.frame, "the same bytes are re-sent");
        assert_eq!(p.thread_id, thread);
        assert_eq!(p.session, "s");
        assert!(p.enqueued_at > 0);
    }
    assert_eq!(
        store.list_sessions().unwrap(),
        vec!["s".to_owned()],
        "a session with queued messages is restored"
    );
}

#[test]
fn the_same_message_id_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let first = outgoing(Uuid::new_v4(), "hello");
    let mut again = first.clone();
    again.frame = frame(first.message_id, "a retry with another eventId");
    assert_eq!(session.enqueue(first.clone()).unwrap(), Enqueued::Added);
    assert_eq!(session.enqueue(again).unwrap(), Enqueued::AlreadyQueued);
    let pending = session.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].frame, first.frame, "the first frame is kept");
}

/// Queues `texts` (each ~3 KB, so each row fills a page of its own) in `session`.
fn queue_long(store: &Store, session: &str, texts: &[&str]) -> Vec<Outgoing> {
    let s = store.session(session).unwrap();
    texts
        .iter()
        .map(|t| {
            let m = outgoing(Uuid::new_v4(), &format!("{t}{}", "x".repeat(3000)));
            s.enqueue(m.clone()).unwrap();
            m
        })
        .collect()
}

/// Folds the WAL into the database file, as a clean shutdown does, so that damage to the file
/// reaches every row.
fn aside(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("state.db.corrupt-")
                && !p.to_string_lossy().ends_with("-wal")
        })
        .collect()
}

#[test]
fn a_damaged_page_loses_only_its_row_and_each_session_is_told_what_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (s, t) = {
        let store = Store::open(dir.path()).unwrap();
        (
            queue_long(&store, "s", &["s-one", "s-two", "s-three-MARK"]),
            queue_long(&store, "t", &["t-one"]),
        )
    };
    crate::common::checkpoint(dir.path());
    let path = dir.path().join("state.db");
    let mut bytes = fs::read(&path).unwrap();
    let at = bytes
        .windows(12)
        .position(|w| w == b"s-three-MARK")
        .expect("the row is in the file");
    let page = at / 4096 * 4096;
    bytes[page..page + 4096].fill(0xAB);
    fs::write(&path, &bytes).unwrap();

    let store = Store::open(dir.path()).unwrap();
    let session = store.session("s").unwrap();
    let ids: Vec<Uuid> = session
        .pending()
        .unwrap()
        .iter()
        .map(|m| m.message_id)
        .collect();
    assert_eq!(
        ids,
        [s[0].message_id, s[1].message_id],
        "the rest, in order"
    );
    let told = session.take_salvaged();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!((told[0].kept, told[0].unreadable), (2, 1), "{told:?}");
    assert!(told[0].damaged.exists(), "moved aside, not deleted");
    assert!(session.take_salvaged().is_empty(), "told once");
    let other = store.session("t").unwrap();
    assert_eq!(other.pending().unwrap()[0].message_id, t[0].message_id);
    let told = other.take_salvaged();
    assert_eq!((told[0].kept, told[0].unreadable), (1, 0), "{told:?}");
    assert_eq!(aside(dir.path()).len(), 1);
    // The new database is whole: a restart finds no damage.
    drop((session, other, store));
    let store = Store::open(dir.path()).unwrap();
    let again = store.session("s").unwrap();
    assert_eq!(again.pending().unwrap().len(), 2);
    assert!(again.take_salvaged().is_empty());
    assert_eq!(aside(dir.path()).len(), 1);
}

#[test]
fn a_database_damaged_beyond_reading_is_moved_aside_and_its_messages_counted() {
    for (what, damage) in [
        ("garbage over the header", 0usize),
        ("cut in half", 1),
        ("emptied", 2),
    ] {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            queue_long(&store, "s", &["one", "two", "three"]);
        }
        crate::common::checkpoint(dir.path());
        let path = dir.path().join("state.db");
        let mut bytes = fs::read(&path).unwrap();
        match damage {
            0 => bytes[..100].fill(0x5A),
            1 => bytes.truncate(bytes.len() / 2),
            _ => bytes.clear(),
        }
        fs::write(&path, &bytes).unwrap();

        let store = Store::open(dir.path()).unwrap();
        let session = store.session("s").unwrap();
        // The first call waits for the database to open (and be salvaged).
        let kept = session.pending().unwrap().len();
        let told = session.take_salvaged();
        assert_eq!(
            aside(dir.path()).len(),
            1,
            "{what}: kept for a person to look at"
        );
        match damage {
            // No page can be trusted: the frames' ids in the bytes say how many were lost.
            0 => assert_eq!(
                told.iter()
                    .map(|r| (r.kept, r.unreadable))
                    .collect::<Vec<_>>(),
                [(0, 3)],
                "{what}"
            ),
            // What the first half holds is read back; the rest is counted as lost.
            1 => {
                assert_eq!(told.len(), 1, "{what}: {told:?}");
                assert_eq!(told[0].kept, kept, "{what}");
            }
            // Nothing is left to count, but the loss is still told.
            _ => assert_eq!(
                told.iter()
                    .map(|r| (r.kept, r.unreadable))
                    .collect::<Vec<_>>(),
                [(0, 0)],
                "{what}"
            ),
        }
        // Whatever was saved, the store works on.
        session.enqueue(outgoing(Uuid::new_v4(), "after")).unwrap();
        assert_eq!(session.pending().unwrap().len(), kept + 1, "{what}");
    }
}

#[test]
fn the_json_layout_of_an_earlier_release_is_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("sessions/kiosk");
    fs::create_dir_all(&old).unwrap();
    let visitor = Uuid::new_v4();
    fs::write(
        old.join("session.json"),
        format!(
            r#"{{"version": 1, "visitorId": "{visitor}",
                "preparedFor": {{"brandId": 1000, "channelId": "chat", "environment": "NA1"}},
                "accessToken": {{"token": "OLD-TOKEN", "expiresAt": 1900000000000}}}}"#
        ),
    )
    .unwrap();
    let thread = Uuid::new_v4();
    let queued: Vec<Outgoing> = ["first", "second"]
        .iter()
        .map(|t| outgoing(thread, t))
        .collect();
    let messages: Vec<serde_json::Value> = queued
        .iter()
        .map(|m| {
            serde_json::json!({
                "session": "kiosk", "threadId": m.thread_id, "messageId": m.message_id,
                "frame": m.frame, "enqueuedAt": 5
            })
        })
        .collect();
    fs::write(
        old.join("outbox.json"),
        serde_json::to_vec(&serde_json::json!({"version": 1, "messages": messages})).unwrap(),
    )
    .unwrap();
    fs::write(old.join("lock"), b"").unwrap();

    let store = Store::open(dir.path()).unwrap();
    // The first call waits for the database to open (and the old layout to be imported).
    assert_eq!(store.list_sessions().unwrap(), ["kiosk"]);
    assert!(
        !dir.path().join("sessions").exists(),
        "the old files are gone once imported"
    );
    let session = store.session("kiosk").unwrap();
    let record = session.load().unwrap().expect("the record came along");
    assert_eq!(record.visitor_id, visitor);
    assert_eq!(record.access_token.unwrap().token.expose(), "OLD-TOKEN");
    let pending = session.pending().unwrap();
    assert_eq!(
        pending.iter().map(|m| &m.frame).collect::<Vec<_>>(),
        queued.iter().map(|m| &m.frame).collect::<Vec<_>>(),
        "byte for byte, in order"
    );
    assert!(session.take_salvaged().is_empty());
    // Sent after the import: a restart does not import anything again.
    assert!(session.mark_sent(queued[0].message_id).unwrap());
    drop((session, store));
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.session("kiosk").unwrap().pending().unwrap().len(), 1);
}

#[test]
fn concurrent_sessions_do_not_interfere() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let workers: Vec<_> = ["alpha", "beta", "gamma"]
        .into_iter()
        .map(|name| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let session = store.session(name).unwrap();
                let thread = Uuid::new_v4();
                let mut ids = Vec::new();
                for i in 0..15 {
                    let m = outgoing(thread, &format!("{name} {i}"));
                    ids.push(m.message_id);
                    session.enqueue(m).unwrap();
                    if i % 3 == 0 {
                        session.mark_sent(ids.remove(0)).unwrap();
                    }
                }
                (name, ids)
            })
        })
        .collect();
    let expected: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    for (name, ids) in expected {
        let pending = store.session(name).unwrap().pending().unwrap();
        assert!(pending.iter().all(|m| m.session == name));
        let got: Vec<Uuid> = pending.iter().map(|m| m.message_id).collect();
        assert_eq!(got, ids, "{name}");
    }
}

#[test]
fn clones_of_one_session_queue_from_several_threads_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let session = session.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        let m = outgoing(Uuid::new_v4(), &i.to_string());
                        session.enqueue(m.clone()).unwrap();
                        m.message_id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<Uuid> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let mut pending: Vec<Uuid> = session
        .pending()
        .unwrap()
        .iter()
        .map(|m| m.message_id)
        .collect();
    all.sort();
    pending.sort();
    assert_eq!(pending, all);
}

#[test]
fn debug_output_of_queued_messages_hides_frames_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let mut m = outgoing(Uuid::new_v4(), "my secret words");
    m.frame = m
        .frame
        .replace("SendMessage", "SendMessage\",\"token\":\"TKN-XYZ");
    session.enqueue(m.clone()).unwrap();
    let text = format!("{:?} {:?}", m, session.pending().unwrap());
    assert!(!text.contains("my secret words"), "{text}");
    assert!(!text.contains("TKN-XYZ"), "{text}");
    assert!(
        text.contains(&m.message_id.to_string()),
        "ids stay visible: {text}"
    );
}

/// A message queued late (its connection dropped under it) goes out before the messages that
/// were sent after it: the outbox keeps the send order, not the order of writing.
#[test]
fn a_late_message_takes_its_place_in_the_send_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = store.session("late").unwrap();
    let thread = Uuid::new_v4();
    let queue = |text: &str, seq| {
        let mut m = outgoing(thread, text);
        m.seq = seq;
        s.enqueue(m).unwrap();
    };
    queue("second", 20);
    queue("third", 30);
    queue("first", 10);
    queue("unordered", 0);
    let order: Vec<String> = s
        .pending()
        .unwrap()
        .iter()
        .map(|m| {
            let frame: serde_json::Value = serde_json::from_str(&m.frame).unwrap();
            let text = frame["payload"]["data"]["text"].as_str().unwrap();
            text.trim_end_matches(" é/").to_owned()
        })
        .collect();
    assert_eq!(order, ["first", "second", "third", "unordered"]);
}
