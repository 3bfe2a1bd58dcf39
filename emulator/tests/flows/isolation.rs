//! Customers are isolated: one cannot recover, page, write to or even hear about another's
//! thread, in the same channel and across channels.

use cxone_chat_protocol::cxone::common::{ThreadRef, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::sent::{LoadMoreMessagesData, SentEvent, ThreadData};
use serde_json::json;

use crate::common::{Emu, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_customer_cannot_reach_another_customers_thread() {
    let emu = Emu::start().await;
    let mut alice = emu.connect_authorized("chat_single").await;
    let mut bob = emu.connect_authorized("chat_single").await;
    let thread = UuidString::new_v4();
    alice.say(&thread, "private").await;

    // Recovery by id (in any case) or without id finds nothing for Bob.
    let upper = UuidString::parse(&thread.as_str().to_uppercase()).expect("uuid");
    for asked in [Some(&thread), Some(&upper), None] {
        let frame = bob.recover(asked).await;
        let id = frame.event_id().expect("id").to_owned();
        assert_error(&frame, &id, "RecoveringThreadFailed");
    }
    // Paging, metadata and writing are refused too.
    let page = SentEvent::LoadMoreMessages(LoadMoreMessagesData {
        scroll_token: "emu-page-1".into(),
        thread: ThreadRef::new(thread.clone()),
        oldest_message_datetime: None,
    });
    let id = bob.send(page).await;
    assert_error(&bob.reply(&id).await, &id, "InconsistentData");
    let id = bob
        .send(SentEvent::LoadThreadMetadata(ThreadData {
            thread: ThreadRef::new(thread.clone()),
        }))
        .await;
    assert_error(&bob.reply(&id).await, &id, "InconsistentData");
    let (id, _) = bob
        .send_content(&thread, MessageContent::text("let me in"), |_| {})
        .await;
    let message = assert_error(&bob.reply(&id).await, &id, "SendingMessageFailed");
    assert!(message.contains("another customer"), "{message}");

    // Alice's conversation is untouched and Bob never heard of it.
    let admin = emu.admin_thread(&thread).await;
    assert_eq!(
        admin["customerId"],
        alice.customer.id_on_external_platform.as_str()
    );
    assert_eq!(
        admin["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["direction"] == "inbound")
            .count(),
        1
    );
    bob.heartbeat().await;
    assert!(
        !bob.has_pending(|f| f.text.contains(thread.as_str())),
        "{:?}",
        bob.pending_texts()
    );
    let list = body!(
        bob.request(SentEvent::FetchThreadList).await,
        ThreadListFetched
    );
    assert!(list.threads.is_empty());
    let r = body!(alice.recover(None).await, ThreadRecovered);
    assert_eq!(r.thread.id_on_external_platform, thread);

    // The same customer id in another channel is another customer.
    let mut elsewhere = emu
        .connect_as("chat_multi", alice.customer.clone(), None)
        .await
        .expect("open");
    elsewhere.authorize(None).await;
    let id = elsewhere
        .send(SentEvent::RecoverThread(crate::common::recover_data(Some(
            &thread,
        ))))
        .await;
    assert_error(&elsewhere.reply(&id).await, &id, "RecoveringThreadFailed");
    let conns = emu.admin_get("connections").await;
    assert_eq!(conns.as_array().map(Vec::len), Some(3), "{conns}");
    assert_eq!(
        conns[2],
        json!({"connection": conns[2]["connection"], "brandId": 1000,
        "channelId": "chat_multi", "visitorId": elsewhere.visitor,
        "customerId": alice.customer.id_on_external_platform})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_authenticated_socket_cannot_become_someone_else() {
    let emu = Emu::start().await;
    let token_for = |who: &cxone_chat_protocol::cxone::common::CustomerIdentity| {
        serde_json::to_value(cxone_chat_protocol::cxone::rest::TokenRequest::anonymous(
            who.clone(),
        ))
        .expect("json")
    };
    let victim = cxone_chat_protocol::cxone::common::CustomerIdentity::new(crate::common::uuid());
    let token: cxone_chat_protocol::cxone::rest::TokenResponse = emu
        .token("chat_secure", &token_for(&victim))
        .await
        .json_as();
    let mut v = emu
        .connect_as("chat_secure", victim.clone(), Some(&token.access_token))
        .await
        .expect("open");
    let thread = UuidString::new_v4();
    v.say(&thread, "secret").await;

    let intruder = cxone_chat_protocol::cxone::common::CustomerIdentity::new(crate::common::uuid());
    let token: cxone_chat_protocol::cxone::rest::TokenResponse = emu
        .token("chat_secure", &token_for(&intruder))
        .await
        .json_as();
    let mut i = emu
        .connect_as("chat_secure", intruder, Some(&token.access_token))
        .await
        .expect("open");
    // Claiming the victim's identity in a legacy AuthorizeCustomer does not switch the socket.
    i.customer = victim.clone();
    let frame = i.authorize_frame(None).await;
    let id = frame.event_id().expect("id").to_owned();
    let message = assert_error(&frame, &id, "CustomerAuthorizationFailed");
    assert!(message.contains("secured sessions"), "{message}");
    let frame = i.recover(Some(&thread)).await;
    let id = frame.event_id().expect("id").to_owned();
    assert_error(&frame, &id, "RecoveringThreadFailed");
    // Neither does a legacy OAuth token of another channel.
    let mut oauth = emu.connect("chat_oauth").await;
    let legacy = oauth
        .authorize(Some("mallory:1"))
        .await
        .access_token
        .expect("token");
    let mut single = emu.connect_authorized("chat_single").await;
    let id = single
        .send(SentEvent::RefreshToken(crate::common::token_data(
            &legacy.token,
        )))
        .await;
    assert_error(&single.reply(&id).await, &id, "TokenRefreshingFailed");
    // The refused refresh did not spend the token.
    let fresh = body!(
        oauth
            .request(SentEvent::RefreshToken(crate::common::token_data(
                &legacy.token
            )))
            .await,
        TokenRefreshed
    );
    assert_ne!(fresh.access_token.token, legacy.token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_of_one_customer_hears_the_conversation() {
    let emu = Emu::start().await;
    let mut phone = emu.connect_authorized("chat_single").await;
    let mut kiosk = emu
        .connect_as("chat_single", phone.customer.clone(), None)
        .await
        .expect("open");
    kiosk.authorize(None).await;
    let mut stranger = emu.connect_authorized("chat_single").await;

    let thread = UuidString::new_v4();
    let echo = body!(phone.say(&thread, "from my phone").await, MessageCreated);
    // The other device gets the echo and the agent's answer, but never the ack.
    let copy = body!(
        kiosk.echo_of(&echo.message.id_on_external_platform).await,
        MessageCreated
    );
    assert_eq!(copy.message, echo.message);
    for c in [&mut phone, &mut kiosk] {
        let reply = c
            .wait_for("the agent's reply", |f| {
                f.event_type() == Some("MessageCreated")
                    && f.json()["data"]["message"]["direction"] == "outbound"
            })
            .await;
        assert_eq!(
            body!(reply, MessageCreated)
                .message
                .message_content
                .plain_text()
                .as_deref(),
            Some("You said: from my phone")
        );
    }
    kiosk.heartbeat().await;
    assert!(
        !kiosk.has_pending(|f| f.json() == json!({"eventId": f.event_id()})),
        "acks go to the sender only"
    );
    stranger.heartbeat().await;
    assert!(
        !stranger.has_pending(|f| f.text.contains(thread.as_str())),
        "{:?}",
        stranger.pending_texts()
    );
}
