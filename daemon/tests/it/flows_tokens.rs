//! Token lifecycles end to end (PROTOCOL.md §4): the real daemon renews a customer's token
//! before it expires — over the WebSocket for legacy OAuth, with the refresh grant at
//! `/oauth/token` for third-party OAuth over secured sessions — once however many messages
//! need it, announces `token.refreshFailed` when the back end refuses, and renews a token that
//! expired while the daemon was down before reconnecting with it.
//!
//! The emulator issues access tokens that live 31 s, so with the daemon's 30 s margin each one
//! is "about to expire" a second after it arrives.

use std::time::Duration;

use crate::common::{Backend, Daemon, kind_with};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn short_lived_tokens() -> EmulatorConfig {
    EmulatorConfig {
        access_token_ttl_secs: 31,
        ..EmulatorConfig::default()
    }
}

fn prepare_and_login(c: &mut crate::common::Client, b: &Backend, channel: &str, code: &str) {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": channel}),
    );
    c.ok(
        "customer.authorize",
        json!({"authorizationCode": code, "codeVerifier": "pkce"}),
    );
}

/// The access token each `SendMessage` the emulator received carried, in order.
fn tokens_sent(b: &Backend) -> Vec<String> {
    b.admin_get("received?kind=SendMessage")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["body"]["payload"]["data"]["accessToken"]["token"]
                .as_str()
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

fn wait_until_stale() {
    std::thread::sleep(Duration::from_millis(1_300));
}

#[test]
fn legacy_tokens_are_renewed_once_for_many_senders_and_a_refusal_is_announced() {
    let b = Backend::start(short_lived_tokens());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare_and_login(&mut c, &b, "chat_oauth", "ada:1");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let t = c.ok("threads.create", json!({}));
    let tid = t["id"].clone();
    c.ok("thread.send", json!({"threadId": tid, "text": "first"}));
    c.wait_event("the first answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: first"
    });

    wait_until_stale();
    let calls: Vec<(&str, Value)> = (0..4)
        .map(|i| {
            (
                "thread.send",
                json!({"threadId": tid, "text": format!("burst {i}")}),
            )
        })
        .collect();
    for r in c.batch(&calls) {
        assert!(r.get("error").is_none(), "{r}");
    }
    assert_eq!(
        b.count("RefreshToken"),
        1,
        "one renewal however many messages waited for it"
    );
    let tokens = tokens_sent(&b);
    assert_eq!(tokens.len(), 5, "{tokens:?}");
    assert_ne!(tokens[0], tokens[1], "the burst carries the renewed token");
    assert!(
        tokens[1..].iter().all(|t| *t == tokens[1]),
        "one renewal, one token: {tokens:?}"
    );
    for i in 0..4 {
        let text = format!("You said: burst {i}");
        c.wait_event("an answer to the burst", move |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == text
        });
    }

    // The back end now refuses renewals: the host hears it once, and the message fails with
    // the code that says to log in again (it never went out with a stale token).
    wait_until_stale();
    b.admin_post("faults", json!({"refuseAuthorizations": 1}));
    let err = c.err("thread.send", json!({"threadId": tid, "text": "too late"}));
    assert_eq!(err["code"], 1003, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("customer.authorize"),
        "{err}"
    );
    c.wait_event(
        "token.refreshFailed",
        kind_with("token.refreshFailed", "/error/code", json!(1003)),
    );
    c.wait_event("the message marked failed", |e| {
        e["kind"] == "message.updated"
            && e["data"]["message"]["text"] == "too late"
            && e["data"]["message"]["status"] == "failed"
    });
    assert_eq!(b.count("RefreshToken"), 2);
    assert_eq!(
        tokens_sent(&b).len(),
        5,
        "nothing went out with a stale token"
    );

    // A new login puts things right at once: no disconnect and connect needed.
    c.ok(
        "customer.authorize",
        json!({"authorizationCode": "ada:2", "codeVerifier": "pkce"}),
    );
    assert_eq!(b.count("AuthorizeCustomer"), 2);
    assert_eq!(c.ok("session.state", json!({}))["state"], "ready");
    c.ok("thread.send", json!({"threadId": tid, "text": "back"}));
    c.wait_event("the answer after the new login", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: back"
    });
}

#[test]
fn a_token_that_expired_while_the_daemon_was_down_is_renewed_before_reconnecting() {
    let b = Backend::start(short_lived_tokens());
    let state = tempfile::tempdir().unwrap();
    {
        let d = Daemon::start_in(state.path(), &[]);
        let mut c = d.client();
        prepare_and_login(&mut c, &b, "chat_oauth", "bob:1");
        assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    }
    wait_until_stale();
    let d = Daemon::start_in(state.path(), &[]);
    let mut c = d.client();
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_oauth"}),
    );
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    assert_eq!(
        (
            b.count("AuthorizeCustomer"),
            b.count("RefreshToken"),
            b.count("ReconnectConsumer")
        ),
        (1, 1, 1),
        "no new login: the stored token was renewed, then used"
    );
    assert_eq!(c.ok("customer.get", json!({}))["id"], "oauth-bob");
}

#[test]
fn identity_provider_tokens_are_renewed_with_the_refresh_grant() {
    let b = Backend::start(short_lived_tokens());
    let d = Daemon::start();
    let mut c = d.client();
    c.subscribe();
    prepare_and_login(&mut c, &b, "chat_oauth_secure", "cleo:1");
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    let token_requests = || {
        b.admin_get("received?transport=rest")
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "POST /oauth/token")
            .map(|r| r["body"]["thirdParty"]["grant_type"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(token_requests(), vec![json!("authorization_code")]);
    let t = c.ok("threads.create", json!({}));
    wait_until_stale();
    c.ok(
        "thread.send",
        json!({"threadId": t["id"], "text": "still me"}),
    );
    c.wait_event("the answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: still me"
    });
    assert_eq!(
        token_requests(),
        vec![json!("authorization_code"), json!("refresh_token")]
    );
    assert_eq!(
        b.count("RefreshToken"),
        0,
        "no WebSocket refresh in this mode"
    );
}

#[test]
fn a_secured_cookie_identity_survives_a_restart_through_the_stored_cookie() {
    let b = Backend::start(EmulatorConfig {
        transaction_token_ttl_secs: 31,
        ..EmulatorConfig::default()
    });
    let state = tempfile::tempdir().unwrap();
    let prepare = |c: &mut crate::common::Client| {
        c.ok(
            "session.prepare",
            json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_cookie",
                   "customer": {"id": "local-guess"}}),
        );
    };
    let (who, tid) = {
        let d = Daemon::start_in(state.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c);
        assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
        let who = c.ok("customer.get", json!({}))["id"].clone();
        assert_ne!(who, "local-guess", "the token endpoint chose the identity");
        let t = c.ok("threads.create", json!({}));
        c.ok(
            "thread.send",
            json!({"threadId": t["id"], "text": "remember me"}),
        );
        c.wait_event("the answer", |e| {
            e["kind"] == "message.created"
                && e["data"]["message"]["text"] == "You said: remember me"
        });
        (who, t["id"].clone())
    };
    assert_eq!(
        b.count("AuthorizeCustomer"),
        0,
        "the handshake authorized the socket"
    );
    // The transaction token is stale by now: a new one is asked for, with the stored cookie.
    wait_until_stale();
    let d = Daemon::start_in(state.path(), &[]);
    let mut c = d.client();
    prepare(&mut c);
    assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
    assert_eq!(b.count("POST /oauth/token"), 2);
    assert_eq!(
        c.ok("customer.get", json!({}))["id"],
        who,
        "the same customer"
    );
    let snap = c.ok("threads.get", json!({"threadId": tid}));
    assert!(
        snap["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"] == "remember me"),
        "the thread was recovered for the same customer: {snap}"
    );
}

#[test]
fn closing_with_forget_signs_out_and_the_next_prepare_is_a_new_visitor() {
    let b = Backend::start(EmulatorConfig::default());
    let state = tempfile::tempdir().unwrap();
    let d = Daemon::start_in(state.path(), &[]);
    let mut c = d.client();
    let visitors = || -> Vec<String> {
        b.received_kinds()
            .into_iter()
            .filter_map(|k| {
                k.strip_prefix("PUT /web-analytics/1.0/tenants/1000/visitors/")
                    .map(str::to_owned)
            })
            .collect()
    };
    prepare_and_login(&mut c, &b, "chat_oauth", "dora:1");
    let connected = c.ok("session.connect", json!({}));
    assert_eq!(connected["state"], "ready");
    // The host reads the visitor id (iOS `analytics.visitorId`): the one the back end knows.
    let visitor = connected["visitorId"].as_str().unwrap().to_owned();
    assert_eq!(visitors(), std::slice::from_ref(&visitor));
    let dir = state.path().join("state");
    let stored = crate::common::stored_record(&dir, "default").unwrap();
    assert!(stored.contains("accessToken"), "{stored}");

    // A plain close keeps the identity for the next prepare.
    c.ok("session.close", json!({}));
    prepare_and_login(&mut c, &b, "chat_oauth", "dora:2");
    assert!(crate::common::stored_record(&dir, "default").is_some());
    let v = visitors();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0], v[1], "the same visitor after a plain close");
    assert_eq!(
        c.ok("session.state", json!({}))["visitorId"],
        visitor.as_str()
    );

    c.ok("session.close", json!({"forget": true}));
    assert!(
        crate::common::stored_record(&dir, "default").is_none(),
        "the session's stored state is gone"
    );
    assert_eq!(c.err("session.state", json!({}))["code"], 3000);
    let prepared = c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_oauth"}),
    );
    let v = visitors();
    assert_eq!(v.len(), 3);
    assert_ne!(v[2], v[0], "a new visitor after forgetting");
    assert_eq!(
        prepared["visitorId"],
        v[2].as_str(),
        "and the host reads the new one"
    );
    assert_eq!(
        c.err("session.connect", json!({}))["code"],
        1000,
        "no token survived the sign-out"
    );
}

#[test]
fn a_login_while_connected_counts_at_once_and_the_next_customer_sees_nothing_of_the_last() {
    for channel in ["chat_oauth", "chat_oauth_secure"] {
        let b = Backend::start(EmulatorConfig::default());
        let d = Daemon::start();
        let mut c = d.client();
        c.subscribe();
        prepare_and_login(&mut c, &b, channel, "ada:1");
        assert_eq!(c.ok("session.connect", json!({}))["state"], "ready");
        let t = c.ok("threads.create", json!({"name": "Ada's"}));
        c.ok(
            "thread.send",
            json!({"threadId": t["id"], "text": "ada here"}),
        );
        c.wait_event("Ada's answer", |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: ada here"
        });

        // Another customer logs in at the kiosk while the session is connected.
        c.ok(
            "customer.authorize",
            json!({"authorizationCode": "bob:1", "codeVerifier": "pkce"}),
        );
        assert_eq!(
            c.ok("customer.get", json!({}))["id"],
            "oauth-bob",
            "{channel}"
        );
        assert_eq!(
            c.ok("session.state", json!({}))["state"],
            "ready",
            "{channel}"
        );
        if channel == "chat_oauth" {
            assert_eq!(b.count("AuthorizeCustomer"), 2, "authorized at once");
        }
        let list = c.ok("threads.list", json!({}));
        assert!(
            list["threads"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["id"] != t["id"]),
            "{channel}: Ada's thread shown to Bob: {list}"
        );
        let t2 = c.ok("threads.create", json!({}));
        c.ok(
            "thread.send",
            json!({"threadId": t2["id"], "text": "bob here"}),
        );
        c.wait_event("Bob's answer", |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: bob here"
        });
    }
}

#[test]
fn the_device_token_is_kept_and_sent_wherever_the_sdks_send_it() {
    let b = Backend::start(EmulatorConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let prepare = |c: &mut crate::common::Client| {
        c.ok(
            "session.prepare",
            json!({"environment": b.environment(), "brandId": 1000, "channelId": "chat_single",
                "customer": {"id": "kiosk-7"}}),
        );
    };
    let tokens_of = |kind: &str| -> Vec<Value> {
        b.admin_get(&format!("received?kind={kind}"))
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let body = &r["body"];
                body["payload"]["data"]["deviceFingerprint"]["deviceToken"].clone()
            })
            .collect()
    };
    let registrations = || -> Vec<Value> {
        b.admin_get("received?transport=rest")
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"].as_str().is_some_and(|k| k.starts_with("PUT ")))
            .map(|r| r["body"]["browserFingerprint"]["deviceToken"].clone())
            .collect()
    };
    {
        let d = Daemon::start_in(dir.path(), &[]);
        let mut c = d.client();
        c.subscribe();
        prepare(&mut c);
        c.ok("customer.setDeviceToken", json!({"deviceToken": "push-1"}));
        c.ok("session.connect", json!({}));
        let t = c.ok("threads.create", json!({}));
        c.ok("thread.send", json!({"threadId": t["id"], "text": "hi"}));
        c.wait_event("the answer", |e| {
            e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: hi"
        });
        assert_eq!(
            tokens_of("SendMessage"),
            [json!("push-1")],
            "every message carries it"
        );
    }
    assert_eq!(registrations().last(), Some(&json!("push-1")));

    // A restart and a new prepare: the token is still sent, in the registration and messages.
    let d = Daemon::start_in(dir.path(), &[]);
    let mut c = d.client();
    c.subscribe();
    let before = registrations().len();
    prepare(&mut c);
    let after = registrations();
    assert!(
        after.len() > before,
        "the prepare registered the visitor again"
    );
    assert_eq!(after.last(), Some(&json!("push-1")), "{after:?}");
    c.ok("session.connect", json!({}));
    let tid = c.ok("threads.list", json!({}))["threads"][0]["id"].clone();
    c.ok("thread.send", json!({"threadId": tid, "text": "again"}));
    c.wait_event("the second answer", |e| {
        e["kind"] == "message.created" && e["data"]["message"]["text"] == "You said: again"
    });
    assert_eq!(tokens_of("SendMessage"), [json!("push-1"), json!("push-1")]);
    let stored = crate::common::stored_record(&dir.path().join("state"), "default").unwrap();
    assert!(stored.contains("push-1"), "kept in the 0600 record");
}
