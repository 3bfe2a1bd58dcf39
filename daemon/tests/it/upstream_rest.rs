//! `RestClient` against the in-process emulator over real sockets: channel configuration with
//! retries and the version rejection, availability, visitor and analytics calls, attachments,
//! and every `/oauth/token` flow.

use crate::upstream_support as support;

use cxone_chat_protocol::cxone::common::{CustomerIdentity, UuidString};
use cxone_chat_protocol::cxone::rest::{
    AnalyticsEvent, AnalyticsEventData, AttachmentUploadOutcome, AttachmentUploadRequest,
    AuthenticationType, AvailabilityStatus, BrowserFingerprint, ChatMode, PageView,
    VisitorRegistration,
};
use cxone_chat_protocol::cxone::time::Timestamp;
use cxone_chatd::upstream::RestError;
use cxone_chatd::upstream::rest::{HttpFailure, RestConfig, SecuredCookies};
use cxone_emulator::config::{Auth, ChannelConfig};
use serde_json::json;
use support::*;

#[tokio::test]
async fn channel_configurations_decode_with_their_mode() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    let rest = rest();
    let single = rest
        .channel_configuration(target(&ep, "chat_single"))
        .await
        .unwrap();
    assert_eq!(single.chat_mode(), ChatMode::SingleThread);
    assert_eq!(single.authentication_type(), AuthenticationType::Anonymous);
    assert!(!single.secured_sessions_enabled());
    let live = rest
        .channel_configuration(target(&ep, "chat_live"))
        .await
        .unwrap();
    assert_eq!(live.chat_mode(), ChatMode::LiveChat);
    assert_eq!(live.is_online(), Some(true));
    let secure = rest
        .channel_configuration(target(&ep, "chat_secure"))
        .await
        .unwrap();
    assert!(secure.secured_sessions_enabled());
}

#[tokio::test]
async fn transient_channel_configuration_failures_are_retried() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    faults(&emu, json!({"failChannelConfig": 2})).await;
    let config = rest()
        .channel_configuration(target(&ep, "chat_multi"))
        .await
        .unwrap();
    assert_eq!(config.chat_mode(), ChatMode::MultiThread);
    let gets = received(&emu, "GET /chat/1.0/brand/1000/channel/chat_multi").await;
    assert_eq!(gets.len(), 3, "two failures and the success");
}

#[tokio::test]
async fn channel_configuration_retries_are_bounded() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    faults(&emu, json!({"failChannelConfig": 10})).await;
    let error = rest()
        .channel_configuration(target(&ep, "chat_single"))
        .await
        .unwrap_err();
    match &error {
        RestError::FetchChannelConfig {
            attempts: 3,
            failure,
        } => {
            assert_eq!(failure.status(), Some(503));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("3 attempt(s)"), "{error}");
    let gets = received(&emu, "GET /chat/1.0/brand/1000/channel/chat_single").await;
    assert_eq!(gets.len(), 3);
}

#[tokio::test]
async fn an_unsupported_sdk_version_is_its_own_error_and_never_retried() {
    let old = ChannelConfig {
        sdk_version_not_supported: true,
        ..ChannelConfig::default()
    };
    let emu = emulator_with(config_with([("chat_old", old)])).await;
    let ep = endpoints(&emu);
    let error = rest()
        .channel_configuration(target(&ep, "chat_old"))
        .await
        .unwrap_err();
    match &error {
        RestError::SdkVersionNotSupported { message } => {
            assert!(message.contains("not supported"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("upgrade cxone-chatd"), "{error}");
    let gets = received(&emu, "GET /chat/1.0/brand/1000/channel/chat_old").await;
    assert_eq!(gets.len(), 1, "no retry");
}

#[tokio::test]
async fn an_unknown_channel_fails_at_once_with_the_back_ends_message() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    let error = rest()
        .channel_configuration(target(&ep, "chat_nope"))
        .await
        .unwrap_err();
    let RestError::FetchChannelConfig { attempts, failure } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*attempts, 1, "404 is not transient");
    assert!(
        matches!(failure, HttpFailure::Status { status: 404, message: Some(m) } if m.contains("chat_nope")),
        "{failure:?}"
    );
}

#[tokio::test]
async fn availability_reports_online_and_offline() {
    let closed = ChannelConfig {
        online: false,
        ..ChannelConfig::default()
    };
    let emu = emulator_with(config_with([("chat_closed", closed)])).await;
    let ep = endpoints(&emu);
    let rest = rest();
    let live = rest.availability(target(&ep, "chat_live")).await.unwrap();
    assert_eq!(live.status, AvailabilityStatus::Online);
    let closed = rest.availability(target(&ep, "chat_closed")).await.unwrap();
    assert_eq!(closed.status, AvailabilityStatus::Offline);
    let error = rest
        .availability(target(&ep, "chat_nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::FetchAvailability(_)),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn visitor_registration_and_analytics_reach_the_back_end() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    let rest = rest();
    let visitor = UuidString::new_v4().to_string();
    let fingerprint = BrowserFingerprint {
        os: Some("Linux".into()),
        language: Some("en".into()),
        ..BrowserFingerprint::default()
    };
    let registration = VisitorRegistration::new("customer-7", fingerprint);
    rest.register_visitor(&ep, BRAND, &visitor, &registration)
        .await
        .unwrap();
    let event = AnalyticsEvent::new(
        UuidString::new_v4(),
        "destination-1",
        Timestamp::from_unix_ms_millis(1_714_000_000_123),
        AnalyticsEventData::PageView(PageView {
            title: "Home".into(),
            url: "app://home".into(),
        }),
    );
    rest.send_analytics_event(&ep, BRAND, &visitor, &event)
        .await
        .unwrap();

    let puts = received(
        &emu,
        &format!("PUT /web-analytics/1.0/tenants/1000/visitors/{visitor}"),
    )
    .await;
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0]["body"]["customerIdentity"]["idOnExternalPlatform"],
        "customer-7"
    );
    assert_eq!(puts[0]["body"]["browserFingerprint"]["os"], "Linux");
    let posts = received(
        &emu,
        &format!("POST /web-analytics/1.0/tenants/1000/visitors/{visitor}/events"),
    )
    .await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["body"]["type"], "PageView");
    assert_eq!(posts[0]["body"]["id"], event.id.as_str());
    assert_eq!(posts[0]["body"]["data"]["url"], "app://home");
}

#[tokio::test]
async fn attachments_are_uploaded_or_rejected_with_the_restrictions() {
    let emu = emulator().await;
    let ep = endpoints(&emu);
    let rest = rest();
    let png = b"\x89PNG\r\n\x1a\n not really a picture".to_vec();
    let ok = rest
        .upload_attachment(
            target(&ep, "chat_single"),
            &AttachmentUploadRequest::new(&png, "image/png", "photo.png"),
        )
        .await
        .unwrap();
    let AttachmentUploadOutcome::Uploaded(uploaded) = ok else {
        panic!("{ok:?}");
    };
    let served = reqwest::get(&uploaded.file_url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        served.as_ref(),
        png.as_slice(),
        "the file is served byte for byte"
    );

    let rejected = rest
        .upload_attachment(
            target(&ep, "chat_single"),
            &AttachmentUploadRequest::new(b"MZ", "application/x-msdownload", "setup.exe"),
        )
        .await
        .unwrap();
    let AttachmentUploadOutcome::Rejected(restrictions) = rejected else {
        panic!("{rejected:?}");
    };
    assert_eq!(restrictions.allowed_file_size, 40);
    assert!(restrictions.allows_mime_type("image/png"));
    assert!(!restrictions.allows_mime_type("application/x-msdownload"));
}

#[tokio::test]
async fn an_anonymous_transaction_token_opens_a_secured_socket() {
    let emu = emulator().await;
    let session = Session::new(&emu, "chat_secure");
    let ep = &session.endpoints;
    let token = rest()
        .anonymous_token(
            target(ep, "chat_secure"),
            &session.visitor,
            CustomerIdentity::new(&session.customer),
        )
        .await
        .unwrap();
    assert!(
        token.access_token.starts_with("emu-transaction."),
        "{token:?}"
    );
    assert_eq!(token.expires_in, 600);
    assert_eq!(
        token
            .customer_identity
            .as_ref()
            .map(|c| c.id_on_external_platform.as_str()),
        Some(session.customer.as_str())
    );
    assert!(
        !format!("{token:?}").contains(&token.access_token),
        "Debug redacts the token"
    );
    let url = session.socket_url(Some(&token.access_token));
    let (handle, _rx) = cxone_chatd::upstream::socket::connect(&url, &socket_config(), rest())
        .await
        .expect("the token authenticates the handshake");
    assert!(handle.is_open());
    let connections = admin_get_connections(&emu).await;
    assert_eq!(connections[0]["customerId"], session.customer.as_str());
}

async fn admin_get_connections(emu: &cxone_emulator::Emulator) -> Vec<serde_json::Value> {
    let value: serde_json::Value = reqwest::get(format!("{}/admin/connections", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    value.as_array().cloned().unwrap()
}

#[tokio::test]
async fn an_authorization_code_is_exchanged_once_and_its_tokens_refresh() {
    let emu = emulator().await;
    let session = Session::new(&emu, "chat_oauth_secure");
    let t = target(&session.endpoints, "chat_oauth_secure");
    let rest = rest();
    let issued = rest
        .authorization_code_token(t, &session.visitor, "code-123", "verifier-abc")
        .await
        .unwrap();
    assert!(issued.access_token.starts_with("emu-transaction."));
    let idp = issued.third_party.clone().expect("third-party tokens");
    assert!(idp.access_token.starts_with("emu-idp-access."));
    let refresh_token = idp.refresh_token.clone().expect("a refresh token");

    let refreshed = rest
        .refresh_third_party_token(t, &session.visitor, &refresh_token)
        .await
        .unwrap();
    let tokens = refreshed.tokens().expect("tokens");
    assert!(tokens.access_token.starts_with("emu-idp-access."));
    assert_ne!(tokens.access_token, idp.access_token, "a new access token");
    assert!(
        refreshed
            .transaction_token
            .as_deref()
            .is_some_and(|t| t.starts_with("emu-transaction."))
    );

    let reused = rest
        .authorization_code_token(t, &session.visitor, "code-123", "verifier-abc")
        .await
        .unwrap_err();
    match &reused {
        RestError::RequestToken { failure, reason } => {
            assert_eq!(failure.status(), Some(400));
            assert!(
                reason
                    .as_deref()
                    .is_some_and(|r| r.contains("invalid_grant")),
                "{reason:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let bad_refresh = rest
        .refresh_third_party_token(t, &session.visitor, "emu-idp-refresh.forged")
        .await
        .unwrap_err();
    assert_eq!(bad_refresh.status(), Some(400));
}

#[tokio::test]
async fn a_secured_cookie_keeps_the_customer_across_token_requests() {
    let cookie_channel = ChannelConfig {
        auth: Auth::SecuredCookie,
        secured_sessions: true,
        ..ChannelConfig::default()
    };
    let emu = emulator_with(config_with([("chat_cookie", cookie_channel)])).await;
    let session = Session::new(&emu, "chat_cookie");
    let t = target(&session.endpoints, "chat_cookie");
    let rest = rest();
    let mut jar = SecuredCookies::new();
    let first = rest
        .secured_cookie_token(t, &session.visitor, &mut jar)
        .await
        .unwrap();
    assert!(!jar.is_empty(), "the server set its identity cookie");
    let identity = first.customer_identity.unwrap().id_on_external_platform;

    // A restart: the jar comes back from its persisted form.
    let mut restored = SecuredCookies::from_persisted(&jar.to_persisted());
    let second = rest
        .secured_cookie_token(t, &session.visitor, &mut restored)
        .await
        .unwrap();
    assert_eq!(
        second.customer_identity.unwrap().id_on_external_platform,
        identity
    );

    let mut fresh = SecuredCookies::new();
    let stranger = rest
        .secured_cookie_token(t, &session.visitor, &mut fresh)
        .await
        .unwrap();
    assert_ne!(
        stranger.customer_identity.unwrap().id_on_external_platform,
        identity
    );
}

#[tokio::test]
async fn token_refusals_carry_the_endpoints_reason() {
    let emu = emulator().await;
    let session = Session::new(&emu, "chat_single");
    let error = rest()
        .anonymous_token(
            target(&session.endpoints, "chat_single"),
            &session.visitor,
            CustomerIdentity::new("c"),
        )
        .await
        .unwrap_err();
    let RestError::RequestToken { failure, reason } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(failure.status(), Some(400));
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("secured sessions are not enabled")),
        "{reason:?}"
    );

    faults(&emu, json!({"refuseAuthorizations": 1})).await;
    let secure = Session::new(&emu, "chat_secure");
    let refused = rest()
        .anonymous_token(
            target(&secure.endpoints, "chat_secure"),
            &secure.visitor,
            CustomerIdentity::new("c"),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(401));
}

#[tokio::test]
async fn an_unreachable_back_end_is_a_connect_failure_after_the_retries() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ep = cxone_chatd::upstream::Endpoints::custom(
        &cxone_chat_protocol::rpc::types::CustomEnvironment {
            chat_url: format!("http://127.0.0.1:{port}/chat"),
            socket_url: format!("ws://127.0.0.1:{port}/"),
            token_url: None,
        },
    )
    .unwrap();
    let rest = rest_with(RestConfig {
        channel_config_attempts: 2,
        ..RestConfig::default()
    });
    let error = rest
        .channel_configuration(target(&ep, "chat_single"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            RestError::FetchChannelConfig {
                attempts: 2,
                failure: HttpFailure::Connect(_)
            }
        ),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("127.0.0.1"),
        "no URL in the message: {error}"
    );
}
