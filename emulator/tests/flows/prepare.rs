//! Flow 1, "application becomes active": the REST half of prepare — channel configuration,
//! availability, visitor registration — and how the emulator reports what it received.

use cxone_chat_protocol::cxone::rest::{
    AuthenticationType, Availability, AvailabilityStatus, BrowserFingerprint, ChannelConfiguration,
    ChatMode, FieldType, RestErrorBody, VisitorRegistration, decode_body, features,
};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::common::{BRAND, Emu, uuid};

fn config_path(channel: &str) -> String {
    format!("/chat/1.0/brand/{BRAND}/channel/{channel}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_builtin_channel_serves_a_configuration_the_sdks_decode() {
    let emu = Emu::start().await;
    // (channel, mode, authentication, secured sessions, pre-chat survey)
    let expected = [
        (
            "chat_single",
            ChatMode::SingleThread,
            AuthenticationType::Anonymous,
            false,
            false,
        ),
        (
            "chat_multi",
            ChatMode::MultiThread,
            AuthenticationType::Anonymous,
            false,
            false,
        ),
        (
            "chat_live",
            ChatMode::LiveChat,
            AuthenticationType::Anonymous,
            false,
            false,
        ),
        (
            "chat_secure",
            ChatMode::SingleThread,
            AuthenticationType::Anonymous,
            true,
            false,
        ),
        (
            "chat_oauth",
            ChatMode::SingleThread,
            AuthenticationType::ThirdPartyOAuth,
            false,
            false,
        ),
        (
            "chat_oauth_secure",
            ChatMode::SingleThread,
            AuthenticationType::ThirdPartyOAuth,
            true,
            false,
        ),
        (
            "chat_survey",
            ChatMode::SingleThread,
            AuthenticationType::Anonymous,
            false,
            true,
        ),
    ];
    for (channel, mode, auth, secured, survey) in expected {
        let r = emu.get(&config_path(channel)).await;
        assert_eq!(r.status, 200, "{channel}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let cfg: ChannelConfiguration =
            decode_body(&r.body).unwrap_or_else(|e| panic!("{channel} does not decode: {e}"));
        assert_eq!(cfg.chat_mode(), mode, "{channel}");
        assert_eq!(cfg.authentication_type(), auth, "{channel}");
        assert_eq!(cfg.secured_sessions_enabled(), secured, "{channel}");
        assert_eq!(cfg.settings.secured_sessions, Some(secured), "{channel}");
        assert!(cfg.settings.transcript_allowed(), "{channel}");
        assert!(cfg.settings.proactive_chat_enabled(), "{channel}");
        assert_eq!(cfg.is_online(), Some(true), "{channel}");
        assert_eq!(cfg.is_secured_cookie_enabled, Some(false), "{channel}");
        assert!(cfg.attachments_enabled(), "{channel}");
        assert!(cfg.allows_mime_type("image/png") && !cfg.allows_mime_type("video/mp4"));

        // Absent features count as enabled, so the emulator must spell the off ones out.
        let raw = r.json();
        assert_eq!(
            raw["settings"]["features"][features::SECURED_SESSIONS],
            secured
        );
        assert_eq!(
            raw["settings"]["features"][features::IS_RECOVER_LIVECHAT_DOES_NOT_FAIL_ENABLED],
            false
        );
        // iOS decodes the size limit as a string.
        assert_eq!(raw["settings"]["fileRestrictions"]["allowedFileSize"], "40");

        match cfg.pre_chat_form(channel) {
            Some(form) => {
                assert!(survey, "{channel} has an unexpected survey");
                let required: Vec<_> = form.required_fields().map(|f| f.ident.as_str()).collect();
                assert_eq!(required, ["email"]);
                let email = &form.custom_fields[0].definition;
                assert_eq!(email.field_type, FieldType::Email);
                let department = &form.custom_fields[1].definition;
                assert_eq!(department.field_type, FieldType::List);
                assert_eq!(department.identifier_for("Support"), Some("support"));
            }
            None => assert!(!survey, "{channel} lacks its survey"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsupported_sdk_version_is_refused_with_the_documented_body() {
    let toml = r#"
        [brands.1000.channels.chat_old]
        sdk_version_not_supported = true
        [brands.77.channels.chat_other]
        mode = "multi"
    "#;
    let config = EmulatorConfig::default()
        .with_toml(toml, "test.toml")
        .expect("valid TOML");
    let emu = Emu::with_config(config).await;

    let r = emu.get(&config_path("chat_old")).await;
    assert_eq!(r.status, 403);
    let body = RestErrorBody::detect(&r.body).expect("the CXone error body");
    assert!(body.is_sdk_version_not_supported(), "{body:?}");
    assert_eq!(
        r.json(),
        json!({"error": {"errorCode": "SdkVersionNotSupported",
            "errorMessage": "Your version of SDK is not supported anymore, please do upgrade."}})
    );

    // The same file added a brand; the built-ins are still there.
    let other = emu.get("/chat/1.0/brand/77/channel/chat_other").await;
    let cfg: ChannelConfiguration = decode_body(&other.body).expect("decodes");
    assert_eq!(cfg.chat_mode(), ChatMode::MultiThread);
    assert_eq!(emu.get(&config_path("chat_single")).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_follows_the_channel_and_unknown_channels_are_404() {
    let mut offline = crate::common::quiet_channel(cxone_emulator::config::Mode::Live);
    offline.online = false;
    let emu = Emu::with_config(crate::common::config_with("chat_closed", offline)).await;

    let online = emu
        .get(&format!("{}/availability", config_path("chat_live")))
        .await;
    assert_eq!(online.status, 200);
    let a: Availability = decode_body(&online.body).expect("decodes");
    assert_eq!(a.status, AvailabilityStatus::Online);

    let closed = emu
        .get(&format!("{}/availability", config_path("chat_closed")))
        .await;
    assert_eq!(closed.json(), json!({"status": "offline"}));
    let cfg: ChannelConfiguration =
        decode_body(&emu.get(&config_path("chat_closed")).await.body).expect("decodes");
    assert_eq!(cfg.is_online(), Some(false));
    assert_eq!(cfg.chat_mode(), ChatMode::LiveChat);

    for path in [
        config_path("chat_nope"),
        format!("{}/availability", config_path("chat_nope")),
        "/chat/1.0/brand/999/channel/chat_single".to_owned(),
    ] {
        let r = emu.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["error"]["errorCode"], "ChannelNotFound", "{path}");
    }
    let r = emu.get("/chat/1.0/brand/abc/channel/chat_single").await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("brand id"), "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_registration_is_accepted_and_recorded_verbatim() {
    let emu = Emu::start().await;
    let visitor = uuid();
    let fingerprint = BrowserFingerprint {
        country: Some("US".into()),
        language: Some("en".into()),
        application_type: Some("native".into()),
        os: Some("iOS".into()),
        os_version: Some("17.5".into()),
        device_type: Some("mobile".into()),
        device_token: Some("5a1c00ff".into()),
        ..BrowserFingerprint::default()
    };
    let registration =
        VisitorRegistration::new("c0ffee00-1b2c-4d5e-8f90-123456789abc", fingerprint);
    let body = serde_json::to_value(&registration).expect("serializes");
    let path = format!("/web-analytics/1.0/tenants/{BRAND}/visitors/{visitor}");
    let r = emu.put(&path, &body).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A body without the fingerprint is refused with the field named.
    let bad = emu
        .put(
            &path,
            &json!({"customerIdentity": {"idOnExternalPlatform": "x"}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("browserFingerprint"), "{}", bad.text());

    let records = emu.received("rest", Some(&format!("PUT {path}"))).await;
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0]["body"], body);
    assert_eq!(records[0]["transport"], "rest");
    let decoded: VisitorRegistration =
        serde_json::from_value(records[0]["body"].clone()).expect("decodes");
    assert_eq!(decoded, registration);
    // Records are numbered in arrival order, and `since` pages through them.
    let seq = records[0]["seq"].as_u64().expect("seq");
    assert_eq!(records[1]["seq"].as_u64(), Some(seq + 1));
    let later = emu
        .admin_get(&format!("received?transport=rest&since={seq}"))
        .await;
    let kinds: Vec<&Value> = later
        .as_array()
        .expect("array")
        .iter()
        .map(|r| &r["kind"])
        .collect();
    assert_eq!(kinds[0], &json!(format!("PUT {path}")));
    assert!(
        emu.received("ws", None).await.is_empty(),
        "no socket traffic"
    );

    // The SDKs' internal logger is accepted and ignored.
    let log = json!({"level": "2", "message": "boom", "appVersion": "3.3.1"});
    let r = emu
        .post("/logger-public?brandId=1000&program=ios-dfo-chat", &log)
        .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_channel_configuration_recovers_after_the_fault() {
    let emu = Emu::start().await;
    emu.admin("faults", json!({"failChannelConfig": 2})).await;
    for _ in 0..2 {
        let r = emu.get(&config_path("chat_single")).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.json()["error"]["errorCode"], "ServiceUnavailable");
        assert!(RestErrorBody::detect(&r.body).is_some_and(|b| !b.is_sdk_version_not_supported()));
    }
    assert_eq!(emu.get(&config_path("chat_single")).await.status, 200);
    // Unknown faults are refused with the key named, and nothing else changes.
    let r = emu
        .post("/admin/faults", &json!({"failEverything": 1}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("failEverything"), "{}", r.text());
    assert_eq!(emu.get(&config_path("chat_single")).await.status, 200);
}
