//! Flow 9, chat with an agent: the simulated agent's read receipt, typing and reply; the admin
//! API acting as the agent (say, rich content, typing, assign, queue, read, proactive); the
//! customer's typing, seen receipts and custom fields; duplicate sends.

use cxone_chat_protocol::cxone::common::{ContactStatus, IdRef, ThreadRef, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::message::Direction;
use cxone_chat_protocol::cxone::sent::{
    ContactCustomFieldsData, CustomFieldsData, ExecuteTriggerData, SentEvent, ThreadData,
};
use cxone_emulator::config::Mode;
use serde_json::{Value, json};

use crate::common::{
    Emu, assert_is_ack, assert_json_includes, assert_push, config_with, field, quiet_channel,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_agent_reads_types_and_answers() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = UuidString::new_v4();
    let echo = body!(c.say(&thread, "my order is late").await, MessageCreated);
    let mine = echo.message.id_on_external_platform.clone();

    let assigned = body!(
        c.next_of("CaseInboxAssigneeChanged").await,
        CaseInboxAssigneeChanged
    );
    assert_eq!(assigned.case.status, ContactStatus::Open);
    let read = c.next_of("MessageReadChanged").await;
    assert_push(&read, "Message");
    let read_message = body!(read, MessageReadChanged).message;
    assert_eq!(read_message.id_on_external_platform, mine);
    assert!(read_message.is_read_by_agent());
    let started = c.next_of("SenderTypingStarted").await;
    assert_push(&started, "SenderAction");
    let typing = body!(started, SenderTypingStarted);
    assert_eq!(typing.thread.id_on_external_platform, thread);
    assert_eq!(typing.user.as_ref().map(|u| u.id), Some(4242));
    assert_eq!(
        started.json()["data"]["direction"],
        "outbound",
        "the web SDK reports agent typing only for outbound"
    );
    let ended = c.next_of("SenderTypingEnded").await;
    assert_eq!(ended.json()["data"]["direction"], "outbound");
    let reply_frame = c
        .wait_for("the agent's reply", |f| {
            f.event_type() == Some("MessageCreated")
                && f.json()["data"]["message"]["direction"] == "outbound"
        })
        .await;
    assert_push(&reply_frame, "Message");
    // The agent's plan runs in order: read, typing on, typing off, reply.
    assert!(read.seq < started.seq && started.seq < ended.seq && ended.seq < reply_frame.seq);
    let reply = body!(reply_frame, MessageCreated).message;
    assert_eq!(reply.direction(), Direction::Outbound);
    assert_eq!(
        reply.message_content.plain_text().as_deref(),
        Some("You said: my order is late")
    );
    let author = reply.author_user.clone().expect("authorUser");
    assert_eq!(
        (
            author.id,
            author.first_name.as_str(),
            author.surname.as_str()
        ),
        (4242, "Alex", "Agent")
    );
    assert!(reply.author_end_user_identity.is_none());
    assert_eq!(reply.thread_id(), Some(thread.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_acts_as_the_agent() {
    let emu = Emu::with_config(config_with("chat_quiet", quiet_channel(Mode::Single))).await;
    let mut c = emu.connect_authorized("chat_quiet").await;
    let thread = UuidString::new_v4();
    let mine = body!(c.say(&thread, "hello?").await, MessageCreated).message;
    let t = thread.as_str();

    // Queue position (before any assignment).
    emu.admin("agent/queue", json!({"threadId": t, "position": 4}))
        .await;
    let q = body!(c.next_of("SetPositionInQueue").await, SetPositionInQueue);
    assert_eq!(q.position_in_queue, 4);
    assert_eq!(
        emu.admin_thread(&thread).await["contact"]["queuePosition"],
        4
    );

    // Assignment to a named agent, then back to the channel's agent.
    let custom = json!({"id": 7, "firstName": "Tyler", "surname": "Hendrickson", "nickname": "",
        "isBotUser": false, "isSurveyUser": false, "publicImageUrl": "https://example.invalid/t.png"});
    let changed = emu
        .admin("agent/assign", json!({"threadId": t, "agent": custom}))
        .await;
    assert_eq!(changed, json!({"changed": true}));
    let frame = c.next_of("CaseInboxAssigneeChanged").await;
    assert_json_includes(&frame.json()["data"]["inboxAssignee"], &custom);
    emu.admin("agent/assign", json!({"threadId": t})).await;
    let a = body!(
        c.next_of("CaseInboxAssigneeChanged").await,
        CaseInboxAssigneeChanged
    );
    assert_eq!(a.inbox_assignee.map(|x| x.id), Some(4242));
    assert_eq!(a.previous_inbox_assignee.map(|x| x.id), Some(7));
    assert_eq!(
        emu.admin_thread(&thread).await["contact"]["queuePosition"],
        Value::Null
    );

    // Typing both ways.
    for (typing, event) in [(true, "SenderTypingStarted"), (false, "SenderTypingEnded")] {
        emu.admin("agent/typing", json!({"threadId": t, "typing": typing}))
            .await;
        let frame = c.next_of(event).await;
        assert_eq!(frame.json()["data"]["user"]["id"], 4242, "{event}");
    }

    // Read receipt for the customer's message.
    emu.admin("agent/read", json!({"threadId": t})).await;
    let read = body!(c.next_of("MessageReadChanged").await, MessageReadChanged).message;
    assert_eq!(read.id_on_external_platform, mine.id_on_external_platform);
    assert!(read.is_read_by_agent());

    // Plain text and rich content arrive intact.
    let said = emu
        .admin("agent/say", json!({"threadId": t, "text": "Let me check."}))
        .await;
    let frame = c.next_of("MessageCreated").await;
    let m = body!(frame, MessageCreated).message;
    assert_eq!(said["messageId"], m.id_on_external_platform.as_str());
    assert_eq!(
        m.message_content.plain_text().as_deref(),
        Some("Let me check.")
    );
    assert_eq!(m.author_user.map(|u| u.id), Some(4242));
    let quick_replies = json!({
        "type": "QUICK_REPLIES", "fallbackText": "Pick one",
        "payload": {
            "text": {"content": "Was this helpful?"},
            "actions": [
                {"type": "REPLY_BUTTON", "text": "Yes", "postback": "{\"answer\":\"yes\"}"},
                {"type": "REPLY_BUTTON", "text": "No", "postback": "{\"answer\":\"no\"}",
                 "icon": {"fileName": "no.png", "url": "https://example.invalid/no.png", "mimeType": "image/png"}}
            ]
        }
    });
    emu.admin(
        "agent/say",
        json!({"threadId": t, "content": quick_replies}),
    )
    .await;
    let frame = c.next_of("MessageCreated").await;
    assert_json_includes(
        &frame.json()["data"]["message"]["messageContent"],
        &quick_replies,
    );
    let rich = body!(frame, MessageCreated).message.message_content;
    let MessageContent::QuickReplies(q) = &rich else {
        panic!("expected quick replies, got {rich:?}");
    };
    assert_eq!((q.text.as_str(), q.actions.len()), ("Was this helpful?", 2));

    // A proactive action for this customer's connections.
    let who = c.customer.id_on_external_platform.clone();
    let sent = emu
        .admin(
            "agent/proactive",
            json!({"customerId": who, "trigger": "t-42"}),
        )
        .await;
    assert_eq!(sent["connections"].as_array().map(Vec::len), Some(1));
    let p = body!(c.next_of("FireProactiveAction").await, FireProactiveAction);
    assert_eq!(p.destination.id, c.destination);
    assert_eq!(p.proactive_action.action.action_name, "Trigger t-42");
    let text = p
        .proactive_action
        .action
        .data
        .and_then(|d| d.content.body_text);
    assert_eq!(text.as_deref(), Some("Proactive offer for trigger t-42"));

    // ExecuteTrigger asks for the same thing from the client side.
    let trigger = SentEvent::ExecuteTrigger(ExecuteTriggerData {
        trigger: IdRef::new("e5b9e6fd-f874-42ee-a790-dabb8f34206f"),
    });
    let id = c.send(trigger).await;
    let frame = c.next_of("FireProactiveAction").await;
    assert_ne!(frame.event_id(), Some(id.as_str()), "a push, not a reply");
    let p = body!(frame, FireProactiveAction);
    assert_eq!(
        p.proactive_action.action.action_name,
        "Trigger e5b9e6fd-f874-42ee-a790-dabb8f34206f"
    );
    assert_eq!(p.destination.id, c.destination);

    // Bad admin requests say what is wrong.
    for (path, body, status, needle) in [
        (
            "agent/say",
            json!({"threadId": UuidString::new_v4().as_str(), "text": "x"}),
            404,
            "unknown threadId",
        ),
        (
            "agent/say",
            json!({"threadId": t, "text": "x", "content": quick_replies}),
            400,
            "exactly one",
        ),
        (
            "agent/say",
            json!({"threadId": "nope", "text": "x"}),
            400,
            "threadId",
        ),
        ("agent/typing", json!({"threadId": t}), 400, "typing"),
        (
            "agent/assign",
            json!({"threadId": t, "colour": 1}),
            400,
            "colour",
        ),
    ] {
        let r = emu.post(&format!("/admin/{path}"), &body).await;
        assert_eq!(r.status, status, "{path} {body}: {}", r.text());
        let message = r.json()["error"]["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains(needle),
            "{path}: {message:?} lacks {needle:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_typing_seen_custom_fields_and_duplicate_sends() {
    let emu = Emu::with_config(config_with("chat_quiet", quiet_channel(Mode::Single))).await;
    let mut c = emu.connect_authorized("chat_quiet").await;
    let thread = UuidString::new_v4();
    let first = body!(c.say(&thread, "first").await, MessageCreated);
    let contact = first.case.id().to_owned();
    c.next_of("CaseCreated").await;
    emu.admin(
        "agent/say",
        json!({"threadId": thread.as_str(), "text": "agent here"}),
    )
    .await;
    c.next_of("MessageCreated").await;

    let on_thread = || ThreadData {
        thread: ThreadRef::new(thread.clone()),
    };
    c.send(SentEvent::SenderTypingStarted(on_thread())).await;
    c.send(SentEvent::SenderTypingEnded(on_thread())).await;
    // Seen and custom fields are fire-and-forget for the mobile SDKs, but the web SDK awaits a
    // frame with the request's eventId: each gets the bare `{eventId}` ack.
    let acked = vec![
        c.send(SentEvent::MessageSeenByCustomer(on_thread())).await,
        c.send(SentEvent::SetCustomerCustomFields(CustomFieldsData {
            custom_fields: vec![field("age", "24"), field("vip", "yes")],
        }))
        .await,
        c.send(SentEvent::SetContactCustomFields(ContactCustomFieldsData {
            thread: Some(ThreadRef::new(thread.clone())),
            custom_fields: vec![field("department", "sales")],
            contact: Some(IdRef::new(contact.clone())),
        }))
        .await,
        c.send(SentEvent::SetCustomerCustomFields(CustomFieldsData {
            custom_fields: vec![field("age", "25")],
        }))
        .await,
    ];
    for id in &acked {
        assert_is_ack(&c.reply(id).await, id);
    }
    // Typing gets no reply; a heartbeat after it proves it was handled.
    c.heartbeat().await;
    assert!(
        !c.has_pending(|f| f.event_id().is_some()),
        "no replies to typing events: {:?}",
        c.pending_texts()
    );

    for kind in [
        "SenderTypingStarted",
        "SenderTypingEnded",
        "MessageSeenByCustomer",
    ] {
        let records = emu.received("ws", Some(kind)).await;
        assert_eq!(records.len(), 1, "{kind}");
        assert_eq!(
            records[0]["body"]["payload"]["data"]["thread"]["idOnExternalPlatform"],
            thread.as_str()
        );
    }
    let admin = emu.admin_thread(&thread).await;
    let messages = admin["messages"].as_array().expect("messages");
    let outbound = messages
        .iter()
        .find(|m| m["direction"] == "outbound")
        .expect("agent message");
    assert!(
        outbound["customerStatistics"]["seenAt"].is_string(),
        "seen: {outbound}"
    );
    assert_eq!(
        admin["contact"]["customFields"],
        json!([{"ident": "department", "value": "sales"}])
    );
    let r = body!(c.recover(Some(&thread)).await, ThreadRecovered);
    let customer: Vec<_> = r
        .customer
        .as_ref()
        .expect("customer")
        .custom_fields
        .iter()
        .map(|f| (f.ident.clone(), f.value.clone()))
        .collect();
    assert_eq!(
        customer,
        [
            ("age".to_owned(), "25".to_owned()),
            ("vip".to_owned(), "yes".to_owned())
        ]
    );
    assert_eq!(
        r.contact().expect("contact").custom_fields[0].value,
        "sales"
    );
    let seen = body!(
        c.request(SentEvent::FetchThreadList).await,
        ThreadListFetched
    );
    assert_eq!(seen.threads[0].unseen_by_end_user_messages_count, Some(0));

    // A retried SendMessage (same message id, new eventId) is acked again, stored once.
    let data = crate::common::message_data(&thread, MessageContent::text("retry me"));
    let message_id = data.id_on_external_platform.clone();
    for attempt in 0..2 {
        let id = c.send(SentEvent::SendMessage(data.clone())).await;
        assert_is_ack(&c.reply(&id).await, &id);
        let echo = body!(c.echo_of(&message_id).await, MessageCreated);
        assert_eq!(
            echo.message.message_content.plain_text().as_deref(),
            Some("retry me"),
            "{attempt}"
        );
    }
    let admin = emu.admin_thread(&thread).await;
    let copies = admin["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["idOnExternalPlatform"] == message_id.as_str())
        .count();
    assert_eq!(copies, 1);
    assert_eq!(admin["messages"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_configured_to_reply_none_stays_silent_and_the_emulator_keeps_serving() {
    // Issue #11, item 14: `reply = "none"` reached an `unreachable!` on the first customer
    // message, and with `panic = "abort"` that took the whole emulator down.
    let toml = r#"
        [brands.1000.channels.chat_silent]
        mode = "single"
        [brands.1000.channels.chat_silent.agent]
        reply = "none"
        read_receipts = false
    "#;
    let config = cxone_emulator::config::EmulatorConfig::default()
        .with_toml(toml, "silent.toml")
        .expect("valid TOML");
    let emu = Emu::with_config(config).await;
    let mut c = emu.connect_authorized("chat_silent").await;
    let thread = UuidString::new_v4();
    let _echo = body!(c.say(&thread, "anyone there?").await, MessageCreated);
    // Past the agent's typing delay: still no reply, and the emulator still answers.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let agent_messages = emu
        .admin_thread(&thread)
        .await
        .get("messages")
        .and_then(Value::as_array)
        .expect("the thread's messages")
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .count();
    assert_eq!(agent_messages, 0, "the silent agent said something");
    let second = body!(c.say(&thread, "hello?").await, MessageCreated);
    assert_eq!(second.message.direction(), Direction::Inbound);
}
