//! The durable outbox through the store's public API: order and byte-exact frames across a
//! restart, one entry per message id, crash safety of `mark_sent`, damaged files, and sessions
//! (and threads of one session) working at once without disturbing each other.

use std::fs;
use std::sync::Arc;

use cxone_chatd::store::{Enqueued, Outgoing, Store, StoreError};
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
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
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
        Store::open(dir.path()).unwrap().list_sessions().unwrap(),
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

#[test]
fn a_crash_during_mark_sent_leaves_the_message_queued() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let m = outgoing(Uuid::new_v4(), "hello");
    let session = store.session("s").unwrap();
    session.enqueue(m.clone()).unwrap();
    // The rewritten outbox was still a temporary file when the process died.
    fs::write(
        session.dir().join(".outbox.json.q1W2e3"),
        br#"{"version": 1, "messages": []}"#,
    )
    .unwrap();
    drop(session);

    let session = store.session("s").unwrap();
    let pending = session.pending().unwrap();
    assert_eq!(pending.len(), 1, "still queued, not lost");
    assert_eq!(pending[0].frame, m.frame);
    assert!(session.mark_sent(m.message_id).unwrap());
    assert!(!session.mark_sent(m.message_id).unwrap(), "sent once");
    assert!(session.pending().unwrap().is_empty());
}

#[test]
fn a_damaged_outbox_is_moved_aside_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let path = session.dir().join("outbox.json");
    fs::write(&path, b"{\"version\": 1, \"messages\": [{\"sess").unwrap();
    // Nothing readable in it: nothing pending, and the owner is told where the file went.
    assert!(session.pending().unwrap().is_empty());
    let salvaged = session.take_salvaged();
    assert_eq!(salvaged.len(), 1, "{salvaged:?}");
    assert_eq!((salvaged[0].kept, salvaged[0].unreadable), (0, 0));
    assert!(salvaged[0].damaged.exists(), "moved aside, not deleted");
    assert!(session.take_salvaged().is_empty(), "told once");
    assert!(session.pending().unwrap().is_empty());
    // And a file from a newer daemon is refused, not overwritten by the next enqueue.
    fs::write(&path, br#"{"version": 7, "entries": []}"#).unwrap();
    let err = session.enqueue(outgoing(Uuid::new_v4(), "x")).unwrap_err();
    assert!(
        matches!(err, StoreError::UnsupportedVersion { found: 7, .. }),
        "{err:?}"
    );
    assert_eq!(
        fs::read(&path).unwrap(),
        br#"{"version": 7, "entries": []}"#
    );
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
