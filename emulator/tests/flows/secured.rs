//! Flow 4, "open chat" with secured sessions: transaction tokens from `/oauth/token`
//! (anonymous, third-party OAuth with refresh, secured cookie) authenticating the WebSocket
//! handshake, which is refused with an HTTP error before the upgrade otherwise.

use cxone_chat_protocol::cxone::common::{CustomerIdentity, UuidString};
use cxone_chat_protocol::cxone::rest::{
    RefreshTokenResponse, TokenRequest, TokenResponse, decode_body,
};
use cxone_chat_protocol::cxone::sent::SentEvent;
use serde_json::json;
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::common::{Emu, assert_error, token_data, uuid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secured_sessions_authenticate_the_handshake_with_a_transaction_token() {
    let emu = Emu::start().await;
    let customer = CustomerIdentity::new(uuid());
    let request = serde_json::to_value(TokenRequest::anonymous(customer.clone())).expect("json");
    let r = emu.token("chat_secure", &request).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token: TokenResponse = decode_body(&r.body).expect("a token response");
    assert_eq!(token.expires_in, 600);
    assert!(token.created_at.is_some());
    assert_eq!(token.customer_identity.as_ref(), Some(&customer));
    assert!(
        token.third_party.is_none(),
        "anonymous tokens have no IdP part"
    );

    // Without or with a bad token the handshake fails with HTTP 401 before the upgrade.
    for bad in [None, Some("emu-transaction.forged")] {
        match emu.connect_as("chat_secure", customer.clone(), bad).await {
            Err(WsError::Http(response)) => {
                assert_eq!(response.status(), 401, "{bad:?}");
                let body = response.body().clone().unwrap_or_default();
                assert!(String::from_utf8_lossy(&body).contains("transactionToken"));
            }
            Err(e) => panic!("{bad:?}: unexpected error {e}"),
            Ok(_) => panic!("{bad:?}: the handshake was accepted"),
        }
    }
    // A token of one channel does not open another.
    let elsewhere = emu.connect_as(
        "chat_oauth_secure",
        customer.clone(),
        Some(&token.access_token),
    );
    assert!(matches!(elsewhere.await, Err(WsError::Http(r)) if r.status() == 401));

    // With the token: no AuthorizeCustomer needed.
    let mut c = emu
        .connect_as("chat_secure", customer.clone(), Some(&token.access_token))
        .await
        .expect("accepted");
    let id = c.send(SentEvent::RecoverThread(Default::default())).await;
    assert_error(&c.reply(&id).await, &id, "RecoveringThreadFailed");
    let thread = UuidString::new_v4();
    let echo = body!(c.say(&thread, "secured hello").await, MessageCreated);
    assert_eq!(
        echo.message
            .author_end_user_identity
            .map(|i| i.id_on_external_platform),
        Some(customer.id_on_external_platform.clone())
    );
    assert_eq!(
        emu.admin_thread(&thread).await["customerId"],
        customer.id_on_external_platform.as_str()
    );

    // The endpoint refuses requests the channel cannot serve.
    let r = emu.token("chat_single", &request).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("secured sessions"), "{}", r.text());
    let r = emu
        .token(
            "chat_secure",
            &serde_json::to_value(TokenRequest::authorization_code("x", "y")).expect("json"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("anonymous"), "{}", r.text());
    let r = emu.token("chat_secure", &json!({"type": 5})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_over_secured_sessions_issues_and_refreshes_idp_tokens() {
    let emu = Emu::start().await;
    let grant =
        serde_json::to_value(TokenRequest::authorization_code("bob:1", "verifier")).expect("json");
    let r = emu.token("chat_oauth_secure", &grant).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token: TokenResponse = decode_body(&r.body).expect("a token response");
    let identity = token.customer_identity.clone().expect("identity");
    assert_eq!(identity.id_on_external_platform, "oauth-bob");
    assert_eq!(identity.first_name.as_deref(), Some("Bob"));
    let idp = token.third_party.clone().expect("thirdParty tokens");
    let refresh = idp.refresh_token.clone().expect("a refresh token");
    assert_eq!(idp.expires_in, Some(3600));
    assert_eq!(
        r.json()["thirdParty"]["access_token"],
        idp.access_token.as_str()
    );

    // The code is single-use.
    let reused = emu.token("chat_oauth_secure", &grant).await;
    assert_eq!(
        (reused.status, reused.json()),
        (400, json!({"error": "invalid_grant"}))
    );

    // The IdP access token authorizes messages on a socket opened with the transaction token.
    let mut c = emu
        .connect_as(
            "chat_oauth_secure",
            identity.clone(),
            Some(&token.access_token),
        )
        .await
        .expect("accepted");
    let thread = UuidString::new_v4();
    let with = |t: &str| {
        let t = token_data(t).access_token;
        move |d: &mut cxone_chat_protocol::cxone::sent::MessageData| d.access_token = Some(t)
    };
    c.say_with(&thread, "one", with(&idp.access_token)).await;

    // Refresh: the union of the three SDKs' shapes.
    let r = emu
        .token(
            "chat_oauth_secure",
            &serde_json::to_value(TokenRequest::refresh(refresh.clone())).expect("json"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let raw = r.json();
    for key in [
        "accessToken",
        "expiresIn",
        "access_token",
        "refresh_token",
        "expires_in",
        "thirdParty",
    ] {
        assert!(
            raw.get(key).is_some(),
            "refresh response lacks {key}: {raw}"
        );
    }
    assert_eq!(raw["access_token"], raw["thirdParty"]["access_token"]);
    assert_eq!(raw["refresh_token"], refresh.as_str());
    let refreshed: RefreshTokenResponse = decode_body(&r.body).expect("decodes");
    let new_access = refreshed.tokens().expect("tokens").access_token.clone();
    assert_ne!(new_access, idp.access_token);
    assert!(refreshed.transaction_token.is_some());
    c.say_with(&thread, "two", with(&new_access)).await;

    let bad = emu
        .token(
            "chat_oauth_secure",
            &serde_json::to_value(TokenRequest::refresh("forged")).expect("json"),
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()),
        (400, json!({"error": "invalid_grant"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_are_checked_before_the_upgrade() {
    let emu = Emu::start().await;
    let reject = |url: String| async move {
        match tokio_tungstenite::connect_async(url).await {
            Err(WsError::Http(response)) => {
                let body = response.body().clone().unwrap_or_default();
                (
                    response.status().as_u16(),
                    String::from_utf8_lossy(&body).into_owned(),
                )
            }
            other => panic!("expected an HTTP rejection, got {:?}", other.map(|_| ())),
        }
    };
    let base = format!("ws://{}/", emu.addr());
    let (status, body) = reject(format!("{base}?channelId=chat_single")).await;
    assert_eq!(status, 400);
    assert!(body.contains("brandId"), "{body}");
    let (status, body) = reject(format!("{base}?brandId=1000&channelId=chat_nope")).await;
    assert_eq!(status, 404);
    assert!(body.contains("chat_nope"), "{body}");

    // Transaction tokens expire with the expire-tokens fault (and reconnects then fail).
    let customer = CustomerIdentity::new(uuid());
    // Android writes the type capitalised, the web leaves it out: both are anonymous.
    let android = json!({"type": "Anonymous", "customerIdentity": {"idOnExternalPlatform": customer.id_on_external_platform}});
    let web =
        json!({"customerIdentity": {"idOnExternalPlatform": customer.id_on_external_platform}});
    let mut tokens = Vec::new();
    for body in [android, web] {
        let token: TokenResponse = emu.token("chat_secure", &body).await.json_as();
        assert_eq!(token.customer_identity.as_ref(), Some(&customer));
        tokens.push(token.access_token);
    }
    for t in &tokens {
        emu.connect_as("chat_secure", customer.clone(), Some(t))
            .await
            .expect("valid");
    }
    emu.admin("faults/expire-tokens", json!({})).await;
    let (status, _) = reject(emu.ws_url("chat_secure", &uuid(), Some(&tokens[0]))).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secured_cookies_keep_the_identity_across_token_requests() {
    let mut channel = crate::common::quiet_channel(cxone_emulator::config::Mode::Single);
    channel.auth = cxone_emulator::config::Auth::SecuredCookie;
    channel.secured_sessions = true;
    let emu = Emu::with_config(crate::common::config_with("chat_cookie", channel)).await;
    let cfg: cxone_chat_protocol::cxone::rest::ChannelConfiguration = emu
        .get("/chat/1.0/brand/1000/channel/chat_cookie")
        .await
        .json_as();
    assert_eq!(
        cfg.authentication_type(),
        cxone_chat_protocol::cxone::rest::AuthenticationType::SecuredCookie
    );
    let path = "/oauth/token?channelId=chat_cookie&brandId=1000&visitorId=v";
    let first = crate::common::http_with(emu.addr(), "POST", path, &[], Some(b"{}")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let cookie = first
        .header("set-cookie")
        .expect("an identity cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    let token: TokenResponse = first.json_as();
    let id = token
        .customer_identity
        .expect("identity")
        .id_on_external_platform;
    assert_eq!(pair, format!("cxone_identity={id}"));

    // The cookie jar sends it back: same customer, no new cookie.
    let again =
        crate::common::http_with(emu.addr(), "POST", path, &[("Cookie", &pair)], Some(b"{}")).await;
    assert!(again.header("set-cookie").is_none());
    let token: TokenResponse = again.json_as();
    assert_eq!(
        token.customer_identity.map(|i| i.id_on_external_platform),
        Some(id.clone())
    );
    let mut c = emu
        .connect_as(
            "chat_cookie",
            CustomerIdentity::new(id.clone()),
            Some(&token.access_token),
        )
        .await
        .expect("accepted");
    let thread = UuidString::new_v4();
    c.say(&thread, "cookie monster").await;
    assert_eq!(emu.admin_thread(&thread).await["customerId"], id.as_str());
}
