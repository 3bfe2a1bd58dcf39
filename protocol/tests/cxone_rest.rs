//! REST bodies (`cxone::rest`) against the SDK fixtures and the shapes of PROTOCOL.md §1:
//! responses decode with the expected values, derivations match the SDKs, requests serialize
//! to exactly what the SDKs send, and missing required fields are reported by name.

use cxone_chat_protocol::cxone::rest::{
    AnalyticsEvent, AnalyticsEventData, AttachmentUploadOutcome, AttachmentUploadRequest,
    AttachmentUploadResponse, AuthenticationType, Availability, AvailabilityStatus,
    BrowserFingerprint, ChannelConfiguration, ChatMode, Conversion, FieldType, FileRestrictions,
    PageView, ProactiveAction, RefreshTokenResponse, RejectionReason, RestErrorBody,
    ThirdPartyGrant, ThirdPartyToken, TimeSpentOnPage, TokenError, TokenErrorBody, TokenRequest,
    TokenResponse, UploadRefusal, VisitorRegistration, decode_body, features,
};
use cxone_chat_protocol::cxone::{CustomerIdentity, Timestamp, UuidString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/cxone/fixtures");

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = format!("{FIXTURES}/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture<T: DeserializeOwned>(name: &str) -> T {
    decode_body(&fixture_bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    decode_body::<T>(value.to_string().as_bytes()).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Channel configuration

const IOS_CHANNEL: &str = "chat_ea02df1d-2f67-44b4-bd44-eb7808df1fdc";

#[test]
fn the_ios_channel_configuration_decodes() {
    let config: ChannelConfiguration = fixture("ios/ChannelConfiguration.json");
    assert_eq!(config.chat_mode(), ChatMode::MultiThread);
    assert_eq!(config.authentication_type(), AuthenticationType::Anonymous);
    assert!(config.settings.proactive_chat_enabled() && !config.settings.transcript_allowed());
    assert_eq!(config.is_secured_cookie_enabled, None);
    assert_eq!(config.settings.secured_sessions, None);
    // Its features do not mention securedSessions — and absent means enabled.
    assert!(
        !config
            .settings
            .features
            .contains_key(features::SECURED_SESSIONS)
    );
    assert!(config.secured_sessions_enabled());
    assert!(!config.feature("useWebSdkSession"));
    assert!(config.feature("isCoBrowsingEnabled"));
    assert_eq!(config.is_online(), Some(true));

    let files = config.settings.file_restrictions.as_ref().unwrap();
    assert_eq!(
        (files.allowed_file_size, files.allowed_file_types.len()),
        (40, 10)
    );
    assert_eq!(config.allowed_file_size_bytes(), Some(40 * 1024 * 1024));
    assert!(config.attachments_enabled());
    assert!(config.allows_mime_type("image/png") && config.allows_mime_type("video/mp4"));
    assert!(config.allows_mime_type("application/pdf") && !config.allows_mime_type("text/plain"));

    let form = config
        .pre_chat_form(IOS_CHANNEL)
        .expect("the form lists this channel");
    assert_eq!(form.name, "Precontact Survey form");
    assert_eq!(
        form.id.as_deref(),
        Some("99f15c9d-ab6d-4f6f-aabe-a5b36a13ef1c")
    );
    let kinds: Vec<_> = form
        .custom_fields
        .iter()
        .map(|f| {
            (
                f.definition.ident.as_str(),
                &f.definition.field_type,
                f.is_required,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("email", &FieldType::Email, true),
            ("age", &FieldType::Text, false),
            ("gender", &FieldType::List, false),
            ("broken_device", &FieldType::Tree, true)
        ]
    );
    let gender = &form.custom_fields[2].definition;
    assert_eq!(gender.identifier_for("Male"), Some("gender-male"));
    assert_eq!(
        gender.identifier_for("gender-female"),
        Some("gender-female")
    );
    assert_eq!(gender.label_for("gender-other"), Some("Other"));
    assert_eq!(gender.identifier_for("Unknown"), None);
    assert_eq!(
        form.required_fields()
            .map(|f| f.ident.as_str())
            .collect::<Vec<_>>(),
        ["email", "broken_device"]
    );
    assert!(
        config
            .pre_chat_form("chat_00000000-0000-4000-8000-000000000000")
            .is_none()
    );
}

#[test]
fn the_older_ios_configuration_with_the_s3_flag_decodes() {
    let config: ChannelConfiguration = fixture("ios/ChannelConfiguration__2024-07-15.json");
    assert_eq!(config.chat_mode(), ChatMode::MultiThread);
    assert!(!config.feature("sendLargeEventsThroughS3"));
    assert_eq!(config.settings.features.len(), 16);
}

#[test]
fn the_2022_configuration_without_auth_and_file_settings_decodes() {
    let config: ChannelConfiguration = fixture("ios/loadConfigResponse.json");
    assert_eq!(config.chat_mode(), ChatMode::LiveChat);
    assert_eq!(config.authentication_type(), AuthenticationType::Anonymous);
    // Absent keys stay absent, and read as "off".
    assert_eq!(config.is_authorization_enabled, None);
    assert_eq!(config.settings.is_proactive_chat_enabled, None);
    assert!(!config.authorization_enabled() && !config.settings.proactive_chat_enabled());
    assert!(config.settings.transcript_allowed());
    assert_eq!(config.settings.file_restrictions, None);
    assert!(!config.attachments_enabled() && !config.allows_mime_type("image/png"));
    assert_eq!(config.allowed_file_size_bytes(), None);
    assert_eq!(config.is_online(), Some(false));
    assert!(config.pre_contact_form.is_none() && config.pre_chat_form("any").is_none());
    assert!(config.feature("isAwsApiGatewayEnabledPoc") && !config.feature("isCoBrowsingEnabled"));
}

#[test]
fn the_android_configuration_decodes_and_drops_the_malformed_mime_entry() {
    let config: ChannelConfiguration = fixture("android/channelconfiguration.json");
    assert_eq!(config.chat_mode(), ChatMode::MultiThread);
    assert_eq!(config.is_secured_cookie_enabled, Some(false));
    assert_eq!(config.authentication_type(), AuthenticationType::Anonymous);
    assert_eq!(config.settings.secured_sessions, Some(false));
    assert!(!config.secured_sessions_enabled());
    assert_eq!(
        config.availability,
        Some(Availability {
            status: AvailabilityStatus::Online
        })
    );

    let files = config.settings.file_restrictions.as_ref().unwrap();
    assert_eq!(files.allowed_file_types.len(), 11);
    assert_eq!(
        files.valid_file_types().count(),
        10,
        "the bare \"audio\" entry is dropped, as Android does"
    );
    assert!(files.allows_mime_type("audio/mpeg"));
    assert!(!files.allows_mime_type("audio"));

    // The form is attached to two other channels: Android ignores it here.
    assert!(config.pre_contact_form.is_some());
    assert!(
        config
            .pre_chat_form("chat_fd554d68-4c1b-4552-b890-671ab835dcd0")
            .is_none()
    );
    let form = config
        .pre_chat_form("chat_e11131fa-f3a2-4728-9e22-bee2936ea855")
        .unwrap();
    let tree = &form.custom_fields[0].definition;
    assert_eq!(tree.field_type, FieldType::Tree);
    let roots: Vec<_> = tree.children(None).map(|o| o.value.as_str()).collect();
    assert_eq!(roots, ["0", "1"]);
    let under_0_0: Vec<_> = tree
        .children(Some("37d6457c-fe25-43a9-81b4-66cf87a5e6a3"))
        .map(|o| o.value.as_str())
        .collect();
    assert_eq!(under_0_0, ["0-0-0", "0-0-1"]);
}

#[test]
fn chat_mode_and_authentication_type_follow_the_sdk_precedence() {
    let mut config =
        ChannelConfiguration::new(ChatMode::SingleThread, AuthenticationType::Anonymous);
    assert_eq!(
        (config.chat_mode(), config.authentication_type()),
        (ChatMode::SingleThread, AuthenticationType::Anonymous)
    );
    config.settings.has_multiple_threads_per_end_user = true;
    assert_eq!(config.chat_mode(), ChatMode::MultiThread);
    config.is_live_chat = true;
    assert_eq!(
        config.chat_mode(),
        ChatMode::LiveChat,
        "live chat wins over multi-thread"
    );

    config.is_authorization_enabled = Some(true);
    assert_eq!(
        config.authentication_type(),
        AuthenticationType::ThirdPartyOAuth
    );
    config.is_secured_cookie_enabled = Some(true);
    assert_eq!(
        config.authentication_type(),
        AuthenticationType::SecuredCookie,
        "secured cookie wins over OAuth"
    );
    config.is_secured_cookie_enabled = None;
    assert_eq!(
        config.authentication_type(),
        AuthenticationType::ThirdPartyOAuth
    );

    for mode in [
        ChatMode::SingleThread,
        ChatMode::MultiThread,
        ChatMode::LiveChat,
    ] {
        for auth in [
            AuthenticationType::Anonymous,
            AuthenticationType::ThirdPartyOAuth,
            AuthenticationType::SecuredCookie,
        ] {
            let config = ChannelConfiguration::new(mode, auth);
            let back: ChannelConfiguration = decode(to_json(&config)).unwrap();
            assert_eq!((back.chat_mode(), back.authentication_type()), (mode, auth));
            assert!(
                !back.secured_sessions_enabled(),
                "the emulator default must not switch on secured sessions"
            );
        }
    }
}

#[test]
fn absent_features_count_as_enabled() {
    let mut config = ChannelConfiguration::new(ChatMode::LiveChat, AuthenticationType::Anonymous);
    assert!(!config.feature(features::IS_RECOVER_LIVECHAT_DOES_NOT_FAIL_ENABLED));
    assert!(config.feature(features::LIVE_CHAT_LOGO_HIDDEN), "absent");
    config.settings.features.clear();
    assert!(config.secured_sessions_enabled());
    assert!(config.feature(features::IS_RECOVER_LIVECHAT_DOES_NOT_FAIL_ENABLED));
    config
        .settings
        .features
        .insert(features::SECURED_SESSIONS.into(), false);
    // settings.securedSessions is not what the SDKs test.
    config.settings.secured_sessions = Some(true);
    assert!(!config.secured_sessions_enabled());
}

#[test]
fn the_emulator_configuration_has_the_minimum_faithful_shape() {
    assert_eq!(
        to_json(&ChannelConfiguration::new(
            ChatMode::MultiThread,
            AuthenticationType::ThirdPartyOAuth
        )),
        json!({
            "settings": {
                "hasMultipleThreadsPerEndUser": true, "isProactiveChatEnabled": false, "liveChatAllowTranscript": false,
                "securedSessions": false,
                "fileRestrictions": { "allowedFileSize": "40", "isAttachmentsEnabled": true, "allowedFileTypes": [
                    { "mimeType": "image/*", "description": "images" }, { "mimeType": "video/*", "description": "videos" },
                    { "mimeType": "audio/*", "description": "audio files" }, { "mimeType": "application/pdf", "description": ".pdf" } ] },
                "features": { "securedSessions": false, "isRecoverLivechatDoesNotFailEnabled": false }
            },
            "isLiveChat": false, "isAuthorizationEnabled": true, "isSecuredCookieEnabled": false,
            "availability": { "status": "online" }
        })
    );
}

fn restrictions(allowed_file_size: Value, types: &[&str]) -> Result<FileRestrictions, String> {
    let types: Vec<_> = types
        .iter()
        .map(|t| json!({ "mimeType": t, "description": t }))
        .collect();
    decode(
        json!({ "allowedFileSize": allowed_file_size, "allowedFileTypes": types, "isAttachmentsEnabled": true }),
    )
}

#[test]
fn allowed_file_size_is_a_string_on_the_wire_but_a_number_is_accepted() {
    for size in [json!("40"), json!(40), json!(40.0), json!(" 40 ")] {
        let r = restrictions(size.clone(), &[]).unwrap_or_else(|e| panic!("{size}: {e}"));
        assert_eq!(r.allowed_file_size, 40);
        assert_eq!(r.allowed_file_size_bytes(), 41_943_040);
        assert_eq!(
            to_json(&r)["allowedFileSize"],
            json!("40"),
            "re-encoded as iOS expects"
        );
    }
    for bad in [
        json!("forty"),
        json!(-1),
        json!(40.5),
        json!(null),
        json!(true),
    ] {
        let err = restrictions(bad.clone(), &[]).unwrap_err();
        assert!(
            err.contains("allowedFileSize") && err.contains("megabytes"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn mime_checks_honour_wildcards_case_and_parameters_and_ignore_malformed_entries() {
    let r = restrictions(
        json!("1"),
        &[
            "image/*",
            "application/pdf",
            "audio",
            "/x",
            "text/",
            "a/b/c",
        ],
    )
    .unwrap();
    assert!(r.allows_mime_type("image/png") && r.allows_mime_type("IMAGE/JPEG"));
    assert!(
        r.allows_mime_type("application/pdf; name=x.pdf") && r.allows_mime_type("Application/PDF")
    );
    assert!(!r.allows_mime_type("application/json") && !r.allows_mime_type("audio/mpeg"));
    assert!(
        !r.allows_mime_type("audio") && !r.allows_mime_type("image") && !r.allows_mime_type("")
    );
    assert_eq!(
        r.valid_file_types()
            .map(|t| t.mime_type.as_str())
            .collect::<Vec<_>>(),
        ["image/*", "application/pdf"]
    );
    let everything = restrictions(json!("1"), &["*/*"]).unwrap();
    assert!(everything.allows_mime_type("video/webm"));

    assert_eq!(r.check_upload(1024 * 1024, "image/png"), Ok(()));
    assert_eq!(
        r.check_upload(1024 * 1024 + 1, "image/png"),
        Err(UploadRefusal::TooLarge {
            size: 1_048_577,
            limit: 1_048_576
        })
    );
    assert_eq!(
        r.check_upload(10, "text/plain"),
        Err(UploadRefusal::TypeNotAllowed("text/plain".into()))
    );
    let disabled = FileRestrictions {
        is_attachments_enabled: false,
        ..r
    };
    assert_eq!(
        disabled.check_upload(10, "image/png"),
        Err(UploadRefusal::AttachmentsDisabled)
    );
}

#[test]
fn missing_required_configuration_fields_are_named() {
    let mut config = to_json(&ChannelConfiguration::new(
        ChatMode::SingleThread,
        AuthenticationType::Anonymous,
    ));
    let cases: &[(&str, &str, &str)] = &[
        (
            "/settings/hasMultipleThreadsPerEndUser",
            "settings",
            "hasMultipleThreadsPerEndUser",
        ),
        ("/settings/features", "settings", "features"),
        ("/isLiveChat", ".", "isLiveChat"),
        (
            "/settings/fileRestrictions/isAttachmentsEnabled",
            "settings.fileRestrictions",
            "isAttachmentsEnabled",
        ),
        (
            "/settings/fileRestrictions/allowedFileTypes/0/description",
            "settings.fileRestrictions.allowedFileTypes[0]",
            "description",
        ),
    ];
    for (pointer, path, field) in cases {
        let mut broken = config.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            &mut broken
        } else {
            broken.pointer_mut(parent).unwrap()
        };
        match parent {
            Value::Object(map) => assert!(map.remove(key).is_some(), "{pointer}"),
            _ => panic!("{pointer}"),
        }
        let err = decode_body::<ChannelConfiguration>(broken.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.path, *path, "{pointer}");
        assert!(
            err.to_string()
                .contains(&format!("missing field `{field}`")),
            "{pointer}: {err}"
        );
    }
    config["settings"]["fileRestrictions"]["allowedFileSize"] = json!("forty");
    let err = decode_body::<ChannelConfiguration>(config.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.path, "settings.fileRestrictions.allowedFileSize");
    assert!(decode_body::<ChannelConfiguration>(b"{} trailing").is_err());
}

#[test]
fn pre_contact_forms_without_channels_apply_everywhere_and_unknown_field_types_are_kept() {
    let form = json!({ "name": "Survey", "customFields": [
        { "isRequired": false, "definition": { "ident": "x", "label": "X", "type": "slider" } } ] });
    let mut config = to_json(&ChannelConfiguration::new(
        ChatMode::SingleThread,
        AuthenticationType::Anonymous,
    ));
    config["preContactForm"] = form;
    let mut config: ChannelConfiguration = decode(config).unwrap();
    let def = &config.pre_contact_form.as_ref().unwrap().custom_fields[0].definition;
    assert_eq!(def.field_type, FieldType::Other("slider".into()));
    assert!(def.values.is_none() && def.options().is_empty());
    // Only an unknown field: Android shows no form.
    assert!(config.pre_chat_form("chat_any").is_none());
    let form = config.pre_contact_form.as_mut().unwrap();
    form.custom_fields[0].definition.field_type = FieldType::Text;
    assert!(
        config.pre_chat_form("chat_any").is_some(),
        "no channels key: iOS shows it everywhere"
    );
    assert_eq!(
        to_json(&config)["preContactForm"]["customFields"][0]["definition"]["type"],
        "text"
    );

    let mut null_form = to_json(&config);
    null_form["preContactForm"] = Value::Null;
    assert!(
        decode::<ChannelConfiguration>(null_form)
            .unwrap()
            .pre_contact_form
            .is_none()
    );
}

/// Decoded ⇒ re-encoded ⊆ original (no key invented, no value changed), and decoding the
/// re-encoding gives the same value.
fn assert_lossless<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str) {
    fn subset(small: &Value, big: &Value, path: &str) {
        match (small, big) {
            (Value::Object(s), Value::Object(b)) => {
                for (k, v) in s {
                    let bv = b
                        .get(k)
                        .unwrap_or_else(|| panic!("{path}.{k}: re-encoding invented a key"));
                    subset(v, bv, &format!("{path}.{k}"));
                }
            }
            (Value::Array(s), Value::Array(b)) => {
                assert_eq!(s.len(), b.len(), "{path}: array length changed");
                for (i, (sv, bv)) in s.iter().zip(b).enumerate() {
                    subset(sv, bv, &format!("{path}[{i}]"));
                }
            }
            (s, b) => assert_eq!(s, b, "{path}: value changed"),
        }
    }
    let original: Value = serde_json::from_slice(&fixture_bytes(name)).unwrap();
    let decoded: T = fixture(name);
    let encoded = to_json(&decoded);
    subset(&encoded, &original, name);
    assert_eq!(decode::<T>(encoded).unwrap(), decoded, "{name}");
}

#[test]
fn every_rest_fixture_re_encodes_to_a_subset_of_itself() {
    for name in [
        "ios/ChannelConfiguration.json",
        "ios/ChannelConfiguration__2024-07-15.json",
        "ios/loadConfigResponse.json",
        "android/channelconfiguration.json",
    ] {
        assert_lossless::<ChannelConfiguration>(name);
    }
    assert_lossless::<Availability>("android/channel-availability.online.json");
    for name in [
        "ios/AttachmentUpload.json",
        "ios/AttachmentUploadSuccessResponse.json",
        "android/attachment-upload.success.json",
    ] {
        assert_lossless::<AttachmentUploadResponse>(name);
        assert_lossless::<AttachmentUploadOutcome>(name);
    }
    for name in [
        "ios/ChannelConfiguration+SSKVersionNotSupported.json",
        "android/channel-config.error.sdk-version-not-supported.json",
    ] {
        assert_lossless::<RestErrorBody>(name);
        assert_lossless::<TokenErrorBody>(name);
    }
    for name in [
        "android/oauth-token.error.api-error-model.json",
        "android/oauth-token.error.invalid-credentials.json",
        "android/oauth-token.error.invalid_grant.json",
    ] {
        assert_lossless::<TokenErrorBody>(name);
    }
    for name in [
        "android/oauth-token.transaction-token-response.json",
        "android/oauth-token.transaction-token-response.minimal.json",
    ] {
        assert_lossless::<TokenResponse>(name);
    }
}

// ---------------------------------------------------------------------------------------------
// Availability, errors, attachments

#[test]
fn availability_decodes() {
    let a: Availability = fixture("android/channel-availability.online.json");
    assert!(a.is_online());
    assert_eq!(to_json(&a), json!({ "status": "online" }));
    let offline: Availability = decode(json!({ "status": "offline" })).unwrap();
    assert!(!offline.is_online());
    let odd: Availability = decode(json!({ "status": "busy" })).unwrap();
    assert_eq!((odd.status.as_str(), odd.is_online()), ("busy", false));
    assert!(
        decode::<Availability>(json!({}))
            .unwrap_err()
            .contains("missing field `status`")
    );
}

#[test]
fn sdk_version_not_supported_bodies_are_recognised() {
    for name in [
        "ios/ChannelConfiguration+SSKVersionNotSupported.json",
        "android/channel-config.error.sdk-version-not-supported.json",
    ] {
        let body: RestErrorBody = fixture(name);
        assert!(body.is_sdk_version_not_supported(), "{name}");
        assert_eq!(body, RestErrorBody::sdk_version_not_supported(), "{name}");
        assert_eq!(RestErrorBody::detect(&fixture_bytes(name)), Some(body));
    }
    assert_eq!(
        RestErrorBody::detect(&fixture_bytes("ios/ChannelConfiguration.json")),
        None
    );
    assert_eq!(
        RestErrorBody::detect(&fixture_bytes(
            "android/oauth-token.error.api-error-model.json"
        )),
        None
    );
    assert_eq!(
        to_json(&RestErrorBody::sdk_version_not_supported()),
        serde_json::from_slice::<Value>(&fixture_bytes(
            "ios/ChannelConfiguration+SSKVersionNotSupported.json"
        ))
        .unwrap()
    );
}

#[test]
fn attachment_upload_responses_decode() {
    let cases = [
        (
            "ios/AttachmentUpload.json",
            "https://ao-de-channel-chat.s3.us-west-2.amazonaws.com/attachments/2b87d68f-84a4-4600-bedb-de3b11bd31d0-6D608D01-FA46-4142-B8A4-E1AE2007BD7B.jpeg",
        ),
        (
            "ios/AttachmentUploadSuccessResponse.json",
            "https://dummyserver.local/chat/attachments/6477/c98738d0-e335-4389-a2e4-34ac4b4d132a.jpeg",
        ),
        ("android/attachment-upload.success.json", "fileUrl"),
    ];
    for (name, url) in cases {
        let response: AttachmentUploadResponse = fixture(name);
        assert_eq!(response.file_url, url);
        let outcome: AttachmentUploadOutcome = fixture(name);
        assert_eq!(outcome, AttachmentUploadOutcome::Uploaded(response));
    }
    assert!(
        decode::<AttachmentUploadResponse>(json!({}))
            .unwrap_err()
            .contains("missing field `fileUrl`")
    );
    assert!(
        decode::<AttachmentUploadOutcome>(json!({ "ok": true }))
            .unwrap_err()
            .contains("fileUrl")
    );
}

#[test]
fn an_upload_rejection_is_the_file_restriction_object() {
    let configured: ChannelConfiguration = fixture("ios/ChannelConfiguration.json");
    let configured = configured.settings.file_restrictions.unwrap();
    let body = |size: &str| {
        json!({ "allowedFileSize": size, "isAttachmentsEnabled": true,
                "allowedFileTypes": [ { "description": "images", "mimeType": "image/*" } ] })
    };
    let smaller: AttachmentUploadOutcome = decode(body("10")).unwrap();
    assert!(matches!(&smaller, AttachmentUploadOutcome::Rejected(r) if r.allowed_file_size == 10));
    assert_eq!(
        smaller.rejection_reason(&configured),
        Some(RejectionReason::FileSize)
    );
    let same: AttachmentUploadOutcome = decode(body("40")).unwrap();
    assert_eq!(
        same.rejection_reason(&configured),
        Some(RejectionReason::FileType)
    );
    assert_eq!(to_json(&same), body("40"));
    let uploaded = AttachmentUploadOutcome::Uploaded(AttachmentUploadResponse {
        file_url: "u".into(),
    });
    assert_eq!(uploaded.rejection_reason(&configured), None);
}

#[test]
fn the_upload_request_has_the_sdk_shape_and_hides_its_content_from_debug() {
    let request = AttachmentUploadRequest::new(b"hello", "text/plain", "hello.txt");
    assert_eq!(
        to_json(&request),
        json!({ "content": "aGVsbG8=", "mimeType": "text/plain", "fileName": "hello.txt" })
    );
    assert_eq!(request.decode_content().unwrap(), b"hello");
    let debug = format!("{request:?}");
    assert!(
        !debug.contains("aGVsbG8") && debug.contains("8 base64 characters"),
        "{debug}"
    );
    // Android wraps its base64 every 76 characters.
    let bytes: Vec<u8> = (0..200u8).collect();
    let mut android: AttachmentUploadRequest =
        decode(json!({ "content": "", "mimeType": "a/b", "fileName": "f" })).unwrap();
    let one_line = AttachmentUploadRequest::new(&bytes, "a/b", "f").content;
    android.content = one_line
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(android.decode_content().unwrap(), bytes);
    assert!(
        decode::<AttachmentUploadRequest>(json!({ "content": "", "fileName": "f" }))
            .unwrap_err()
            .contains("mimeType")
    );
}

// ---------------------------------------------------------------------------------------------
// Visitor registration and analytics

#[test]
fn the_visitor_registration_has_the_shape_of_protocol_md() {
    let fingerprint = BrowserFingerprint {
        country: Some("US".into()),
        language: Some("en".into()),
        application_type: Some("native".into()),
        os: Some("iOS".into()),
        os_version: Some("17.5".into()),
        device_type: Some("mobile".into()),
        device_token: Some("5a1c".into()),
        ..BrowserFingerprint::default()
    };
    let body = VisitorRegistration::new("c0ffee00-1b2c-4d5e-8f90-123456789abc", fingerprint);
    let expected = json!({
        "customerIdentity": { "idOnExternalPlatform": "c0ffee00-1b2c-4d5e-8f90-123456789abc" },
        "browserFingerprint": { "country": "US", "language": "en", "applicationType": "native",
                                "os": "iOS", "osVersion": "17.5", "deviceType": "mobile", "deviceToken": "5a1c" } });
    assert_eq!(to_json(&body), expected);
    assert_eq!(decode::<VisitorRegistration>(expected).unwrap(), body);

    let full: VisitorRegistration = decode(json!({
        "browserFingerprint": {}, "journey": { "referrer": { "url": "https://r" }, "utm": { "source": "s", "campaign": "c" } },
        "customVariables": [ { "identifier": "plan", "value": "gold" } ] }))
    .unwrap();
    assert_eq!(full.customer_identity, None);
    assert_eq!(
        full.journey.unwrap().utm.unwrap().campaign.as_deref(),
        Some("c")
    );
    assert_eq!(full.custom_variables.unwrap()[0].value, "gold");
    assert!(
        decode::<VisitorRegistration>(json!({}))
            .unwrap_err()
            .contains("browserFingerprint")
    );
}

fn uuid(text: &str) -> UuidString {
    UuidString::parse(text).unwrap()
}

#[test]
fn a_page_view_event_has_the_shape_of_protocol_md() {
    let event = AnalyticsEvent {
        id: uuid("6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d"),
        visit_id: uuid("0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"),
        destination: cxone_chat_protocol::cxone::IdRef::new("a3d1c0b2-3e4f-4a5b-8c6d-7e8f9a0b1c2d"),
        created_at_with_milliseconds: Timestamp::parse("2024-05-06T20:45:53.654Z").unwrap(),
        data: AnalyticsEventData::PageView(PageView {
            title: "Home".into(),
            url: "app://home".into(),
        }),
    };
    let expected = json!({
        "id": "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d", "type": "PageView", "visitId": "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41",
        "destination": { "id": "a3d1c0b2-3e4f-4a5b-8c6d-7e8f9a0b1c2d" },
        "createdAtWithMilliseconds": "2024-05-06T20:45:53.654Z", "data": { "title": "Home", "url": "app://home" } });
    assert_eq!(to_json(&event), expected);
    assert_eq!(decode::<AnalyticsEvent>(expected).unwrap(), event);
}

#[test]
fn every_analytics_event_type_round_trips_with_its_data() {
    let proactive = json!({ "actionId": "e5b9e6fd-f874-42ee-a790-dabb8f34206f", "actionName": "Offer", "actionType": "WelcomeMessage" });
    let cases = [
        ("VisitorVisit", json!({})),
        ("ChatWindowOpened", json!({})),
        ("PageView", json!({ "title": "t", "url": "u" })),
        (
            "TimeSpentOnPage",
            json!({ "url": "u", "title": "t", "timeSpentOnPage": 12 }),
        ),
        // Android sends an integer value and a lowercase z; both survive re-encoding.
        (
            "Conversion",
            json!({ "conversionType": "purchase", "conversionValue": 100, "conversionTimeWithMilliseconds": "2024-05-06T20:45:53.654z" }),
        ),
        (
            "Conversion",
            json!({ "conversionType": "purchase", "conversionValue": 99.5, "conversionTimeWithMilliseconds": "2024-05-06T20:45:53.654Z" }),
        ),
        ("ProactiveActionDisplayed", proactive.clone()),
        ("ProactiveActionClicked", proactive.clone()),
        ("ProactiveActionSuccess", proactive.clone()),
        ("ProactiveActionFailed", proactive.clone()),
        ("Custom", json!({ "anything": [1, 2] })),
        ("SomethingNew", json!({ "kept": true })),
    ];
    for (kind, data) in cases {
        let wire = json!({ "id": "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d", "type": kind, "visitId": "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41",
                           "destination": { "id": "d" }, "createdAtWithMilliseconds": "2024-05-06T20:45:53.654z", "data": data });
        let event: AnalyticsEvent = decode(wire.clone()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(event.data.event_type(), kind);
        assert_eq!(to_json(&event), wire, "{kind}");
    }
    let typed = |data: Value, kind: &str| {
        decode::<AnalyticsEvent>(json!({ "id": "6d2f5a0e-8e0b-4c1e-9c53-1f0e2b3a4c5d",
        "type": kind, "visitId": "0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41", "destination": { "id": "d" },
        "createdAtWithMilliseconds": "2024-05-06T20:45:53.654Z", "data": data }))
    };
    let conversion = typed(json!({ "conversionType": "p", "conversionValue": 5, "conversionTimeWithMilliseconds": "2024-05-06T20:45:53.654Z" }), "Conversion").unwrap();
    assert!(
        matches!(conversion.data, AnalyticsEventData::Conversion(Conversion { ref conversion_type, .. }) if conversion_type == "p")
    );
    let spent = typed(
        json!({ "url": "u", "title": "t", "timeSpentOnPage": 3 }),
        "TimeSpentOnPage",
    )
    .unwrap();
    assert_eq!(
        spent.data,
        AnalyticsEventData::TimeSpentOnPage(TimeSpentOnPage {
            url: "u".into(),
            title: "t".into(),
            time_spent_on_page: 3
        })
    );
    let clicked = typed(proactive, "ProactiveActionClicked").unwrap();
    assert!(
        matches!(clicked.data, AnalyticsEventData::ProactiveActionClicked(ProactiveAction { ref action_type, .. }) if action_type == "WelcomeMessage")
    );

    let err = typed(json!({ "title": "t" }), "PageView").unwrap_err();
    assert!(
        err.contains("PageView") && err.contains("missing field `url`"),
        "{err}"
    );
    let built = AnalyticsEvent::new(
        uuid("0b8f6a42-62c5-4b37-9a3f-0d8e7c6b5a41"),
        "d",
        Timestamp::from_unix_ms_utc(0),
        AnalyticsEventData::VisitorVisit,
    );
    assert_eq!(built.id.as_str(), built.id.to_lowercase());
    assert_eq!(to_json(&built)["data"], json!({}));
}

// ---------------------------------------------------------------------------------------------
// /oauth/token

#[test]
fn token_requests_serialize_to_the_exact_sdk_bodies() {
    let id = CustomerIdentity::new("c0ffee00-1b2c-4d5e-8f90-123456789abc");
    assert_eq!(to_json(&TokenRequest::secured_cookie()), json!({}));
    assert_eq!(
        to_json(&TokenRequest::anonymous(id.clone())),
        json!({ "type": "anonymous", "customerIdentity": { "idOnExternalPlatform": "c0ffee00-1b2c-4d5e-8f90-123456789abc" } })
    );
    assert_eq!(
        to_json(&TokenRequest::authorization_code("CODE", "VERIFIER")),
        json!({ "thirdParty": { "grant_type": "authorization_code", "authorization_code": "CODE", "code_verifier": "VERIFIER" } })
    );
    assert_eq!(
        to_json(&TokenRequest::refresh("RT")),
        json!({ "thirdParty": { "grant_type": "refresh_token", "refresh_token": "RT" } })
    );
    for request in [
        TokenRequest::secured_cookie(),
        TokenRequest::anonymous(id),
        TokenRequest::authorization_code("C", "V"),
        TokenRequest::refresh("R"),
    ] {
        assert_eq!(decode::<TokenRequest>(to_json(&request)).unwrap(), request);
    }
    assert!(
        TokenRequest::refresh("R").is_refresh()
            && !TokenRequest::authorization_code("C", "V").is_refresh()
    );
    assert_eq!(
        TokenRequest::refresh("R").authentication_type(),
        AuthenticationType::ThirdPartyOAuth
    );
}

#[test]
fn token_requests_of_every_sdk_decode() {
    // Android: the Kotlin enum name, and names in the identity.
    let android: TokenRequest = decode(json!({ "type": "Anonymous", "customerIdentity":
        { "idOnExternalPlatform": "id", "firstName": "John", "lastName": "Doe" } }))
    .unwrap();
    let TokenRequest::Anonymous(a) = &android else {
        panic!("{android:?}")
    };
    assert_eq!(a.kind.as_deref(), Some("Anonymous"));
    assert_eq!(
        a.customer_identity.as_ref().unwrap().first_name.as_deref(),
        Some("John")
    );
    assert_eq!(to_json(&android)["type"], "Anonymous", "kept as sent");
    // Web: no type at all.
    let web: TokenRequest =
        decode(json!({ "customerIdentity": { "idOnExternalPlatform": "cust-0004" } })).unwrap();
    assert_eq!(web.authentication_type(), AuthenticationType::Anonymous);
    assert!(matches!(
        decode::<TokenRequest>(json!({ "type": "ANONYMOUS" })).unwrap(),
        TokenRequest::Anonymous(_)
    ));
    // Web third party: no PKCE verifier.
    let web_code: TokenRequest = decode(
        json!({ "thirdParty": { "authorization_code": "c", "grant_type": "authorization_code" } }),
    )
    .unwrap();
    assert_eq!(
        web_code,
        TokenRequest::ThirdParty(ThirdPartyGrant::AuthorizationCode {
            authorization_code: "c".into(),
            code_verifier: None
        })
    );

    for (body, mentioned) in [
        (json!({ "type": "securedCookie" }), "securedCookie"),
        (
            json!({ "thirdParty": { "authorization_code": "c" } }),
            "grant_type",
        ),
        (
            json!({ "thirdParty": { "grant_type": "authorization_code" } }),
            "authorization_code",
        ),
        (
            json!({ "thirdParty": { "grant_type": "refresh_token" } }),
            "refresh_token",
        ),
        (
            json!({ "thirdParty": { "grant_type": "password" } }),
            "password",
        ),
        (json!({ "customerIdentity": {} }), "idOnExternalPlatform"),
    ] {
        let err = decode::<TokenRequest>(body.clone()).unwrap_err();
        assert!(err.contains(mentioned), "{body}: {err}");
    }
}

#[test]
fn token_responses_decode() {
    let full: TokenResponse = fixture("android/oauth-token.transaction-token-response.json");
    assert_eq!(
        (full.access_token.as_str(), full.expires_in),
        ("token-customer-123", 7200)
    );
    let created = full.created_at.as_ref().unwrap();
    assert_eq!(created.as_str(), "2026-01-30T12:00:00.000z");
    assert_eq!(
        created.unix_ms(),
        Timestamp::parse("2026-01-30T12:00:00Z").unwrap().unix_ms()
    );
    assert_eq!(full.expires_at_unix_ms(0), created.unix_ms() + 7_200_000);

    let minimal: TokenResponse =
        fixture("android/oauth-token.transaction-token-response.minimal.json");
    assert_eq!(minimal, TokenResponse::new("test-token", 3600));
    assert_eq!(
        minimal.expires_at_unix_ms(1_000),
        3_601_000,
        "without createdAt, from receipt"
    );
    assert_eq!(
        to_json(&minimal),
        json!({ "accessToken": "test-token", "expiresIn": 3600 })
    );

    let oauth: TokenResponse = decode(json!({
        "accessToken": "jwt", "expiresIn": 600, "createdAt": "2026-01-30T12:00:00.000z",
        "customerIdentity": { "idOnExternalPlatform": "server-id", "firstName": "A", "lastName": "B" },
        "thirdParty": { "access_token": "idp-at", "refresh_token": "idp-rt", "expires_in": 3600 },
        "contact": { "customFields": [] }, "identityToken": "idt" }))
    .unwrap();
    assert_eq!(
        oauth
            .customer_identity
            .as_ref()
            .unwrap()
            .id_on_external_platform,
        "server-id"
    );
    let tp = oauth.third_party.as_ref().unwrap();
    assert_eq!(
        (
            tp.access_token.as_str(),
            tp.refresh_token.as_deref(),
            tp.expires_in
        ),
        ("idp-at", Some("idp-rt"), Some(3600))
    );
    let debug = format!("{oauth:?}");
    for secret in ["jwt", "idp-at", "idp-rt", "idt"] {
        assert!(
            !debug.contains(&format!("\"{secret}\"")),
            "{secret} leaked: {debug}"
        );
    }
    assert!(
        debug.contains("server-id"),
        "non-secrets stay visible: {debug}"
    );

    let err = decode::<TokenResponse>(json!({ "accessToken": "t" })).unwrap_err();
    assert!(err.contains("missing field `expiresIn`"), "{err}");
    let err =
        decode::<TokenResponse>(json!({ "accessToken": "t", "expiresIn": 1, "thirdParty": {} }))
            .unwrap_err();
    assert!(
        err.contains("thirdParty") && err.contains("access_token"),
        "{err}"
    );
}

#[test]
fn refresh_responses_of_all_three_shapes_decode() {
    // iOS: top-level snake case.
    let ios: RefreshTokenResponse =
        decode(json!({ "access_token": "a", "refresh_token": "r", "expires_in": 60 })).unwrap();
    let t = ios.tokens().unwrap();
    assert_eq!(
        (
            t.access_token.as_str(),
            t.refresh_token.as_deref(),
            t.expires_in
        ),
        ("a", Some("r"), Some(60))
    );
    assert_eq!(ios.transaction_token, None);
    // Android: a token response.
    let android: RefreshTokenResponse =
        decode(json!({ "accessToken": "jwt", "expiresIn": 600, "thirdParty": { "access_token": "a2", "expires_in": 60 } })).unwrap();
    assert_eq!(android.tokens().unwrap().access_token, "a2");
    assert_eq!(
        (
            android.transaction_token.as_deref(),
            android.transaction_token_expires_in
        ),
        (Some("jwt"), Some(600))
    );
    // Web: thirdParty only.
    let web: RefreshTokenResponse =
        decode(json!({ "thirdParty": { "access_token": "a3" } })).unwrap();
    assert_eq!(web.tokens().unwrap().access_token, "a3");

    let err = decode::<RefreshTokenResponse>(json!({ "accessToken": "jwt", "expiresIn": 600 }))
        .unwrap_err();
    assert!(
        err.contains("thirdParty.access_token") && err.contains("access_token"),
        "{err}"
    );

    let tokens = ThirdPartyToken {
        access_token: "at".into(),
        refresh_token: Some("rt".into()),
        expires_in: Some(3600),
    };
    let union = RefreshTokenResponse::union("jwt", 600, tokens);
    let expected = json!({ "accessToken": "jwt", "expiresIn": 600,
        "access_token": "at", "refresh_token": "rt", "expires_in": 3600,
        "thirdParty": { "access_token": "at", "refresh_token": "rt", "expires_in": 3600 } });
    assert_eq!(to_json(&union), expected);
    assert_eq!(
        decode::<RefreshTokenResponse>(expected.clone()).unwrap(),
        union
    );
    // Each SDK's reading of the union.
    assert_eq!(
        decode::<TokenResponse>(expected)
            .unwrap()
            .third_party
            .unwrap()
            .access_token,
        "at"
    );
    let debug = format!("{union:?}");
    assert!(
        !debug.contains("\"at\"") && !debug.contains("\"rt\"") && !debug.contains("\"jwt\""),
        "{debug}"
    );
}

#[test]
fn token_error_bodies_decode_into_one_type_with_a_readable_reason() {
    let invalid_grant: TokenErrorBody = fixture("android/oauth-token.error.invalid_grant.json");
    assert_eq!(
        invalid_grant.error,
        TokenError::Code("invalid_grant".into())
    );
    let reason = invalid_grant.reason();
    assert!(
        reason.contains("invalid_grant") && reason.contains("expired"),
        "{reason}"
    );

    let credentials: TokenErrorBody = fixture("android/oauth-token.error.invalid-credentials.json");
    assert_eq!(credentials.reason(), "Invalid credentials");

    let api: TokenErrorBody = fixture("android/oauth-token.error.api-error-model.json");
    assert_eq!(
        api.error,
        TokenError::Detailed {
            error_code: None,
            error_message: Some("Auth failed".into())
        }
    );
    assert_eq!(api.reason(), "Auth failed");
    assert_eq!(
        to_json(&api),
        json!({ "error": { "errorMessage": "Auth failed" } })
    );

    let described: TokenErrorBody =
        decode(json!({ "error": "invalid_request", "error_description": "code_verifier missing" }))
            .unwrap();
    assert_eq!(
        described.reason(),
        "the token request is malformed (invalid_request): code_verifier missing"
    );
    let blocked: TokenErrorBody =
        decode(json!({ "error": { "errorCode": "ip_blocked" } })).unwrap();
    assert_eq!(blocked.reason(), "the IP address is blocked (ip_blocked)");
    let both: TokenErrorBody =
        decode(json!({ "error": { "errorCode": "X", "errorMessage": "Went wrong" } })).unwrap();
    assert_eq!(both.reason(), "Went wrong (X)");
    // The SdkVersionNotSupported body is an error body too.
    let sdk: TokenErrorBody = fixture("ios/ChannelConfiguration+SSKVersionNotSupported.json");
    assert!(
        sdk.reason()
            .starts_with("Your version of SDK is not supported anymore")
    );

    assert!(
        decode::<TokenErrorBody>(json!({ "error": 42 }))
            .unwrap_err()
            .contains("string or an object")
    );
    assert!(
        decode::<TokenErrorBody>(json!({}))
            .unwrap_err()
            .contains("missing field `error`")
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let requests = [
        TokenRequest::authorization_code("CODE-SECRET", "VERIFIER-SECRET"),
        TokenRequest::refresh("REFRESH-SECRET"),
    ];
    for request in requests {
        let debug = format!("{request:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
    }
    let token = ThirdPartyToken {
        access_token: "AT-SECRET".into(),
        refresh_token: Some("RT-SECRET".into()),
        expires_in: Some(1),
    };
    assert!(!format!("{token:?}").contains("SECRET"));
    let response = TokenResponse {
        identity_token: Some("ID-SECRET".into()),
        ..TokenResponse::new("JWT-SECRET", 1)
    };
    assert!(!format!("{response:?}").contains("SECRET"));
}
