//! The store's session state through its public API, as the daemon will use it: a round trip
//! across a restart, file modes, damaged and future records, one daemon per state directory and
//! one owner per session, removal, and that no token ever shows in `Debug` output or an error.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use cxone_chatd::store::{
    CustomEndpoints, ExpiringToken, PreparedFor, Secret, SessionRecord, Store, StoreError,
    StoredCustomer, StoredEnvironment, ThirdPartyTokens, TransactionToken,
};
use uuid::Uuid;

const TOKENS: [&str; 5] = [
    "LEGACY-ACCESS-TOKEN-1",
    "TRANSACTION-JWT-2",
    "IDP-ACCESS-3",
    "IDP-REFRESH-4",
    "COOKIE-VALUE-5",
];

fn full_record() -> SessionRecord {
    let mut r = SessionRecord::new(
        Uuid::new_v4(),
        PreparedFor {
            brand_id: 1000,
            channel_id: "chat_51eafb4e".into(),
            environment: StoredEnvironment::Custom(CustomEndpoints {
                chat_url: "http://127.0.0.1:9/chat".into(),
                socket_url: "ws://127.0.0.1:9".into(),
                token_url: Some("http://127.0.0.1:9/".into()),
            }),
        },
    );
    let customer = StoredCustomer {
        id: "customer-42".into(),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
    };
    r.customer = Some(customer.clone());
    r.access_token = Some(ExpiringToken {
        token: Secret::new(TOKENS[0]),
        expires_at: 1_900_000_000_000,
    });
    r.transaction_token = Some(TransactionToken {
        token: Secret::new(TOKENS[1]),
        expires_at: 1_900_000_600_000,
        customer_identity: Some(customer),
    });
    r.third_party_tokens = Some(ThirdPartyTokens {
        access_token: Secret::new(TOKENS[2]),
        refresh_token: Some(Secret::new(TOKENS[3])),
        expires_at: Some(1_900_000_900_000),
    });
    r.secured_cookies = BTreeMap::from([("cxone_identity".into(), Secret::new(TOKENS[4]))]);
    r.remember_thread(Uuid::parse_str("AD342920-C75E-4B06-B973-00494CC811B7").unwrap());
    r.remember_thread(Uuid::new_v4());
    r
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A second connection to the database, as `sqlite3 state.db` would have.
fn sql(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("state.db")).unwrap()
}

#[test]
fn a_session_round_trips_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let record = full_record();
    {
        let session = Store::open(dir.path()).unwrap().session("default").unwrap();
        assert_eq!(session.load().unwrap(), None, "nothing stored yet");
        session.save(&record).unwrap();
    }
    // A new store and handle, as after a daemon restart.
    let session = Store::open(dir.path()).unwrap().session("default").unwrap();
    assert_eq!(session.load().unwrap(), Some(record.clone()));

    let (version, text): (i64, String) = sql(dir.path())
        .query_row(
            "SELECT version, record FROM sessions WHERE name = 'default'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(version, 1);
    assert!(
        text.contains("\"ad342920-c75e-4b06-b973-00494cc811b7\""),
        "thread ids are lowercase: {text}"
    );
}

#[test]
fn the_database_and_its_log_are_0600_in_a_0700_directory() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let store = Store::open(&state).unwrap();
    let session = store.session("s1").unwrap();
    session.save(&full_record()).unwrap();
    session
        .enqueue(cxone_chatd::store::Outgoing {
            thread_id: Uuid::new_v4(),
            message_id: Uuid::new_v4(),
            frame: "{}".into(),
            seq: 0,
        })
        .unwrap();
    assert_eq!(mode(&state), 0o700);
    for f in ["state.db", "state.db-wal", "state.db-shm", "lock"] {
        assert_eq!(mode(&state.join(f)), 0o600, "{f}");
    }
    drop((session, store));
    // Loosened by hand: made private again on the next start.
    fs::set_permissions(state.join("state.db"), fs::Permissions::from_mode(0o644)).unwrap();
    // The first call waits for the database to open.
    Store::open(&state).unwrap().list_sessions().unwrap();
    assert_eq!(mode(&state.join("state.db")), 0o600);
}

#[test]
fn a_second_daemon_on_the_same_state_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::StateInUse { .. }), "{err:?}");
    assert!(err.to_string().contains("--state-dir"), "{err}");
    drop(first);
    drop(Store::open(dir.path()).unwrap());
}

#[test]
fn a_damaged_record_is_moved_aside_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    session.save(&full_record()).unwrap();
    let damaged = format!("{{\"visitorId\": \"{}", TOKENS[0]);
    sql(dir.path())
        .execute(
            "UPDATE sessions SET record = ?1 WHERE name = 's'",
            [&damaged],
        )
        .unwrap();

    let err = session.load().unwrap_err();
    assert!(matches!(err, StoreError::DamagedRecord { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("damaged"), "{message}");
    assert!(
        !message.contains(TOKENS[0]),
        "no contents in the error: {message}"
    );
    let kept: String = sql(dir.path())
        .query_row("SELECT content FROM damaged WHERE name = 's'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, damaged, "kept for a person to look at, not dropped");
    assert_eq!(session.load().unwrap(), None, "the next load starts afresh");

    // A record of the wrong shape is damage too.
    session.save(&full_record()).unwrap();
    sql(dir.path())
        .execute(
            r#"UPDATE sessions SET record = '{"visitorId": "not-a-uuid"}' WHERE name = 's'"#,
            [],
        )
        .unwrap();
    assert!(matches!(
        session.load(),
        Err(StoreError::DamagedRecord { .. })
    ));
}

#[test]
fn a_record_or_a_database_from_a_newer_daemon_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let session = store.session("s").unwrap();
    session.save(&full_record()).unwrap();
    sql(dir.path())
        .execute("UPDATE sessions SET version = 2 WHERE name = 's'", [])
        .unwrap();
    let err = session.load().unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::UnsupportedVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer release"), "{err}");
    let version: i64 = sql(dir.path())
        .query_row("SELECT version FROM sessions WHERE name = 's'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, 2, "untouched");
    drop((session, store));

    sql(dir.path())
        .execute_batch("PRAGMA user_version = 7")
        .unwrap();
    // The daemon still starts (and serves what needs no state); every stored call says why.
    let err = Store::open(dir.path())
        .unwrap()
        .list_sessions()
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    assert!(
        err.to_string().contains("schema version 7") && err.to_string().contains("upgrade"),
        "{err}"
    );
}

#[test]
fn no_token_appears_in_debug_output() {
    let record = full_record();
    let text = format!("{record:?} {record:#?}");
    for token in TOKENS {
        assert!(!text.contains(token), "{token} leaked: {text}");
    }
    assert!(text.contains("<redacted>"), "{text}");
    assert!(
        text.contains("cxone_identity"),
        "cookie names stay visible: {text}"
    );
}

#[test]
fn a_session_has_one_owner_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let first = store.session("s").unwrap();
    let clone = first.clone();
    let err = store.session("s").unwrap_err();
    assert!(matches!(err, StoreError::SessionInUse { .. }), "{err:?}");
    assert!(err.to_string().contains("--state-dir"), "{err}");
    // Another session is unaffected.
    drop(store.session("other").unwrap());
    drop(first);
    assert!(
        matches!(store.session("s"), Err(StoreError::SessionInUse { .. })),
        "a live clone still holds the lock"
    );
    drop(clone);
    drop(store.session("s").unwrap());
}

#[test]
fn destroying_a_session_forgets_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let session = store.session("s").unwrap();
    session.save(&full_record()).unwrap();
    let clone = session.clone();
    session.destroy().unwrap();
    let rows: i64 = sql(dir.path())
        .query_row(
            "SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM outbox)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0, "no row of it is left");
    assert!(matches!(
        clone.load(),
        Err(StoreError::SessionRemoved { .. })
    ));
    drop((session, clone));
    assert_eq!(store.session("s").unwrap().load().unwrap(), None);
    assert!(store.list_sessions().unwrap().is_empty());
}

#[test]
fn names_outside_the_api_pattern_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for bad in ["..", ".", "a/b", ""] {
        assert!(
            matches!(store.session(bad), Err(StoreError::InvalidSessionName(_))),
            "{bad:?}"
        );
    }
    assert!(store.list_sessions().unwrap().is_empty());
}

#[test]
fn update_changes_fields_in_place_and_upsert_starts_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let s = store.session("default").unwrap();
    assert!(
        !s.update(|r| r.thread_ids.clear()).unwrap(),
        "nothing to update before the first save"
    );
    assert_eq!(s.load().unwrap(), None, "update never creates a record");
    let full = full_record();
    let template = full.clone();
    s.upsert(|| template, |r| r.customer = None).unwrap();
    let mut expected = full.clone();
    expected.customer = None;
    assert_eq!(s.load().unwrap(), Some(expected.clone()));
    // Two writers of different fields (the session: identity; OAuth: tokens) keep each other's.
    assert!(s.update(|r| r.access_token = None).unwrap());
    let customer = full.customer.clone();
    s.upsert(
        || unreachable!("the record exists"),
        move |r| r.customer = customer,
    )
    .unwrap();
    let back = s.load().unwrap().unwrap();
    assert_eq!(back.customer, full.customer);
    assert_eq!(back.access_token, None);
    assert_eq!(back.transaction_token, full.transaction_token);
}
