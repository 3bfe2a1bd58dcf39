//! Flow 5, single-thread: "no thread yet" recovery, the first message creating the thread
//! (ack, then echo), recovery by id in any letter case and without id, and paging back
//! through history.

use cxone_chat_protocol::cxone::common::ThreadRef;
use cxone_chat_protocol::cxone::common::{ContactStatus, UuidString};
use cxone_chat_protocol::cxone::message::Direction;
use cxone_chat_protocol::cxone::sent::{LoadMoreMessagesData, SentEvent};
use cxone_emulator::config::Mode;

use crate::common::{Emu, assert_error, assert_push, config_with, quiet_channel};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_without_a_thread_fails_with_the_request_event_id() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let unknown = UuidString::new_v4();
    for thread in [None, Some(&unknown)] {
        let reply = c.recover(thread).await;
        let id = reply.event_id().expect("id").to_owned();
        assert_error(&reply, &id, "RecoveringThreadFailed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_message_creates_the_thread_and_recovery_returns_it() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = UuidString::new_v4();

    // Ack first: `{eventId}` only; then the echo with the client's message id.
    let echo_frame = c.say(&thread, "Hello, I need help").await;
    assert_push(&echo_frame, "Message");
    let raw = echo_frame.json();
    assert!(
        raw["data"]["case"]["id"].is_string(),
        "contact ids are strings: {raw}"
    );
    let echo = body!(echo_frame, MessageCreated);
    let contact_id = echo.case.id().to_owned();
    assert!(!contact_id.is_empty() && contact_id.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(echo.case.status, ContactStatus::New);
    assert_eq!(echo.case.thread_id(), Some(thread.clone()));
    assert_eq!(
        echo.thread.as_ref().map(|t| &t.id_on_external_platform),
        Some(&thread)
    );
    assert_eq!(echo.brand.id, c.brand);
    assert_eq!(echo.channel.id, "chat_single");
    // The contact the message opened is announced first (the web SDK's `ContactCreated`).
    let created = c.next_of("CaseCreated").await;
    assert_push(&created, "Case");
    assert!(
        created.seq < echo_frame.seq,
        "CaseCreated comes before the echo"
    );
    let created = created.json();
    assert_eq!(created["data"]["case"]["id"], contact_id.as_str());
    assert_eq!(
        created["data"]["case"]["threadIdOnExternalPlatform"],
        thread.as_str()
    );
    assert_eq!(created["data"]["case"]["status"], "new");
    let mine = &echo.message;
    assert_eq!(mine.direction(), Direction::Inbound);
    assert_eq!(mine.thread_id(), Some(thread.clone()));
    assert_eq!(
        mine.message_content.plain_text().as_deref(),
        Some("Hello, I need help")
    );
    assert_eq!(
        mine.author_end_user_identity
            .as_ref()
            .map(|i| &i.id_on_external_platform),
        Some(&c.customer.id_on_external_platform)
    );

    // The simulated agent answers; wait for it so the history is complete.
    let reply = c
        .wait_for("the agent's reply", |f| {
            f.event_type() == Some("MessageCreated")
                && f.json()["data"]["message"]["direction"] == "outbound"
        })
        .await;
    let agent_message = body!(reply, MessageCreated).message;

    // By id, by id in another letter case, and without id: the same thread.
    let upper = UuidString::parse(&thread.as_str().to_uppercase()).expect("uuid");
    for asked in [Some(&thread), Some(&upper), None] {
        let frame = c.recover(asked).await;
        assert_eq!(frame.json()["postback"]["eventType"], "ThreadRecovered");
        assert!(
            frame.json()["postback"]["data"]["contactHistory"].is_array(),
            "the web SDK maps contactHistory of every recovery"
        );
        let r = body!(frame, ThreadRecovered);
        assert_eq!(
            r.thread.id_on_external_platform.as_str(),
            thread.as_str(),
            "{asked:?}"
        );
        assert_eq!(
            r.thread.id.as_deref(),
            Some(format!("chat_single_{thread}").as_str())
        );
        assert_eq!(r.thread.channel_id, "chat_single");
        assert!(r.thread.can_add_more_messages);
        let contact = r.contact().expect("contact");
        assert_eq!(contact.id(), contact_id);
        assert_eq!(contact.status, ContactStatus::Open, "assigned by the agent");
        assert!(r.inbox_assignee.is_some());
        assert!(r.customer.is_some(), "iOS requires the customer object");
        let ids: Vec<_> = r
            .messages
            .iter()
            .map(|m| m.id_on_external_platform.clone())
            .collect();
        assert_eq!(
            ids,
            [
                agent_message.id_on_external_platform.clone(),
                mine.id_on_external_platform.clone()
            ],
            "newest first"
        );
        assert!(r.messages[0].sort_key() >= r.messages[1].sort_key());
        assert_eq!(
            r.messages_scroll_token.as_deref(),
            Some(""),
            "no older history"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_more_messages_pages_back_until_the_token_is_empty() {
    let emu = Emu::with_config(config_with("chat_quiet", quiet_channel(Mode::Single))).await;
    let mut c = emu.connect_authorized("chat_quiet").await;
    let thread = UuidString::new_v4();
    let total = 57;
    for i in 0..total {
        c.say(&thread, &format!("message {i}")).await;
    }

    let first = body!(c.recover(Some(&thread)).await, ThreadRecovered);
    let text = |m: &cxone_chat_protocol::cxone::message::Message| {
        m.message_content.plain_text().expect("text")
    };
    let mut seen: Vec<String> = first.messages.iter().map(text).collect();
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[0], format!("message {}", total - 1), "newest first");
    let mut token = first.messages_scroll_token.expect("a scroll token");
    let mut pages = vec![first.messages.len()];
    while !token.is_empty() {
        let data = LoadMoreMessagesData {
            scroll_token: token.clone(),
            thread: ThreadRef::new(thread.clone()),
            oldest_message_datetime: None,
        };
        let frame = c.request(SentEvent::LoadMoreMessages(data)).await;
        let page = body!(frame, MoreMessagesLoaded);
        pages.push(page.messages.len());
        seen.extend(page.messages.iter().map(text));
        token = page.scroll_token.expect("a scroll token");
        assert!(pages.len() <= 5, "paging does not end: {pages:?}");
    }
    assert_eq!(pages, [25, 25, 7]);
    let expected: Vec<String> = (0..total).rev().map(|i| format!("message {i}")).collect();
    assert_eq!(seen, expected, "every message once, newest to oldest");

    // A token that was never issued is refused.
    let data = LoadMoreMessagesData {
        scroll_token: "bogus".into(),
        thread: ThreadRef::new(thread.clone()),
        oldest_message_datetime: None,
    };
    let id = c.send(SentEvent::LoadMoreMessages(data)).await;
    assert_error(&c.reply(&id).await, &id, "InconsistentData");
}
