//! The store's session state through its public API, as the daemon will use it: a round trip
//! across a restart, file and directory modes, crash atomicity, damaged and future files, the
//! session lock, removal, and that no token ever shows in `Debug` output or an error.

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

    let text = fs::read_to_string(session.dir().join("session.json")).unwrap();
    assert!(
        text.contains("\"ad342920-c75e-4b06-b973-00494cc811b7\""),
        "thread ids are lowercase: {text}"
    );
    assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
}

#[test]
fn files_are_0600_and_directories_0700() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let session = Store::open(&state).unwrap().session("s1").unwrap();
    session.save(&full_record()).unwrap();
    session.save(&full_record()).unwrap(); // a replacement keeps the mode too
    session
        .enqueue(cxone_chatd::store::Outgoing {
            thread_id: Uuid::new_v4(),
            message_id: Uuid::new_v4(),
            frame: "{}".into(),
            seq: 0,
        })
        .unwrap();
    for d in [
        state.clone(),
        state.join("sessions"),
        state.join("sessions/s1"),
    ] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    for f in ["session.json", "outbox.json", "lock"] {
        let path = state.join("sessions/s1").join(f);
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

#[test]
fn a_loosened_session_directory_is_tightened_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    drop(store.session("s").unwrap());
    let session_dir = dir.path().join("sessions/s");
    fs::set_permissions(&session_dir, fs::Permissions::from_mode(0o755)).unwrap();
    drop(store.session("s").unwrap());
    assert_eq!(mode(&session_dir), 0o700);
}

#[test]
fn a_crash_before_the_rename_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let old = full_record();
    let session = store.session("s").unwrap();
    session.save(&old).unwrap();
    // What a crash between writing the temporary file and renaming it leaves: a half-written
    // temporary file next to the intact old one.
    let stray = session.dir().join(".session.json.Xy12Zq");
    fs::write(&stray, b"{\"version\": 1, \"visitorId\": \"0000").unwrap();
    drop(session);

    let session = store.session("s").unwrap();
    assert_eq!(session.load().unwrap(), Some(old));
    assert!(
        !stray.exists(),
        "reopening removes the stray temporary file"
    );
}

#[test]
fn a_corrupt_file_is_moved_aside_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let path = session.dir().join("session.json");
    let damaged = format!("{{\"version\": 1, \"visitorId\": \"{}", TOKENS[0]);
    fs::write(&path, &damaged).unwrap();

    let err = session.load().unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &err else {
        panic!("expected Corrupt, got {err:?}");
    };
    let message = err.to_string();
    assert!(message.contains("session.json is damaged"), "{message}");
    assert!(message.contains("moved to"), "{message}");
    assert!(
        !message.contains(TOKENS[0]),
        "no contents in the error: {message}"
    );
    let name = moved_to.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("session.json.corrupt-"), "{name}");
    assert_eq!(
        fs::read_to_string(moved_to).unwrap(),
        damaged,
        "kept, not dropped"
    );
    assert!(!path.exists());
    assert_eq!(session.load().unwrap(), None, "the next load starts afresh");
}

#[test]
fn a_wrongly_shaped_record_is_damage_too() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let path = session.dir().join("session.json");
    fs::write(&path, r#"{"version": 1, "visitorId": "not-a-uuid"}"#).unwrap();
    assert!(matches!(session.load(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn a_file_from_a_newer_daemon_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let session = Store::open(dir.path()).unwrap().session("s").unwrap();
    let path = session.dir().join("session.json");
    let future = r#"{"version": 2, "somethingNew": true}"#;
    fs::write(&path, future).unwrap();

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
    assert_eq!(fs::read_to_string(&path).unwrap(), future, "untouched");
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
    assert!(!dir.path().join("sessions/s").exists());
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
    assert_eq!(
        fs::read_dir(dir.path().join("sessions")).unwrap().count(),
        0
    );
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
    s.upsert(
        || unreachable!("the record exists"),
        |r| r.customer = full.customer.clone(),
    )
    .unwrap();
    let back = s.load().unwrap().unwrap();
    assert_eq!(back.customer, full.customer);
    assert_eq!(back.access_token, None);
    assert_eq!(back.transaction_token, full.transaction_token);
}
