//! Flow 6, multi-thread: two threads, the thread list, metadata, rename, archive, and a
//! message to an archived thread.

use cxone_chat_protocol::cxone::common::{ThreadRef, UuidString};
use cxone_chat_protocol::cxone::message::Direction;
use cxone_chat_protocol::cxone::sent::{SentEvent, ThreadData};
use serde_json::json;

use crate::common::{Client, Emu, assert_error};

fn thread_data(id: &UuidString, name: Option<&str>) -> ThreadData {
    ThreadData {
        thread: ThreadRef {
            id_on_external_platform: id.clone(),
            thread_name: name.map(str::to_owned),
        },
    }
}

/// Sends the first message of a named thread and waits for the agent's answer.
async fn start_thread(c: &mut Client, name: &str, text: &str) -> UuidString {
    let thread = UuidString::new_v4();
    c.say_with(&thread, text, |d| {
        d.thread.thread_name = Some(name.to_owned())
    })
    .await;
    let expected = format!("You said: {text}");
    c.wait_for(&expected, |f| {
        f.event_type() == Some("MessageCreated")
            && f.json()["data"]["message"]["messageContent"]["payload"]["text"] == expected.as_str()
    })
    .await;
    thread
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_are_listed_described_renamed_and_archived() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_multi").await;

    let empty = body!(
        c.request(SentEvent::FetchThreadList).await,
        ThreadListFetched
    );
    assert!(empty.threads.is_empty(), "a new customer has no threads");

    let orders = start_thread(&mut c, "Orders", "where is my parcel?").await;
    let billing = start_thread(&mut c, "Billing", "wrong invoice").await;

    let listed = c.request(SentEvent::FetchThreadList).await;
    assert_eq!(listed.json()["postback"]["eventType"], "ThreadListFetched");
    let list = body!(listed, ThreadListFetched).threads;
    let summary: Vec<_> = list
        .iter()
        .map(|t| {
            (
                t.id_on_external_platform.clone(),
                t.thread_name.as_str(),
                t.can_add_more_messages,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (orders.clone(), "Orders", true),
            (billing.clone(), "Billing", true)
        ]
    );
    for t in &list {
        assert_eq!(t.channel_id, "chat_multi");
        assert_eq!(
            t.id.as_deref(),
            Some(format!("chat_multi_{}", t.id_on_external_platform).as_str())
        );
        assert_eq!(
            t.unseen_by_end_user_messages_count,
            Some(1),
            "the agent's unseen answer"
        );
        // The agents' side: the simulated agent read the customer's message before answering.
        assert_eq!(
            (t.unseen_messages_count, t.unseen_by_user_messages_count),
            (Some(0), Some(0))
        );
    }

    // Metadata: the last message of each thread (the agent's answer), and the owner.
    for (thread, text) in [
        (&orders, "where is my parcel?"),
        (&billing, "wrong invoice"),
    ] {
        let meta = body!(
            c.request(SentEvent::LoadThreadMetadata(thread_data(thread, None)))
                .await,
            ThreadMetadataLoaded
        );
        let last = &meta.last_message;
        assert_eq!(last.thread_id().as_ref(), Some(thread));
        assert_eq!(last.direction(), Direction::Outbound);
        assert_eq!(
            last.message_content.plain_text(),
            Some(format!("You said: {text}"))
        );
        assert_eq!(meta.owner_assignee.map(|a| a.id), Some(4242));
    }

    // Rename.
    let renamed = c
        .request(SentEvent::UpdateThread(thread_data(
            &orders,
            Some("Order #1234"),
        )))
        .await;
    assert_eq!(renamed.event().event_type, "ThreadUpdated");
    assert_eq!(
        body!(renamed, ThreadUpdated),
        Some(json!({"id": format!("chat_multi_{orders}")}))
    );

    // Archive, then a message to it fails.
    let archived = c
        .request(SentEvent::ArchiveThread(thread_data(&billing, None)))
        .await;
    assert_eq!(archived.json()["postback"]["eventType"], "ThreadArchived");
    assert_eq!(archived.event().event_type, "ThreadArchived");
    let (id, _) = c
        .send_content(
            &billing,
            cxone_chat_protocol::cxone::content::MessageContent::text("hello?"),
            |_| {},
        )
        .await;
    let message = assert_error(&c.reply(&id).await, &id, "SendingMessageFailed");
    assert!(message.contains("archived"), "{message}");

    let list = body!(
        c.request(SentEvent::FetchThreadList).await,
        ThreadListFetched
    )
    .threads;
    let summary: Vec<_> = list
        .iter()
        .map(|t| (t.thread_name.as_str(), t.can_add_more_messages))
        .collect();
    assert_eq!(summary, [("Order #1234", true), ("Billing", false)]);
    let billing_admin = emu.admin_thread(&billing).await;
    assert_eq!(billing_admin["canAddMoreMessages"], false);
    assert_eq!(
        billing_admin["messages"].as_array().map(Vec::len),
        Some(2),
        "nothing added"
    );

    // Unknown threads: each request fails with its own code.
    let ghost = UuidString::new_v4();
    for (event, code) in [
        (
            SentEvent::LoadThreadMetadata(thread_data(&ghost, None)),
            "InconsistentData",
        ),
        (
            SentEvent::UpdateThread(thread_data(&ghost, Some("x"))),
            "UpdatingThreadFailed",
        ),
        (
            SentEvent::ArchiveThread(thread_data(&ghost, None)),
            "ArchivingThreadFailed",
        ),
    ] {
        let id = c.send(event).await;
        assert_error(&c.reply(&id).await, &id, code);
    }
}
