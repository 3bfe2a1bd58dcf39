//! Flow 10, end contact: `EndContact` closes the case (`CaseStatusChanged: closed`), the
//! closed live chat takes no more messages, and the transcript goes out by e-mail.

use cxone_chat_protocol::cxone::common::{ContactStatus, IdRef, ThreadRef};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::sent::{
    EndContactData, SendTranscriptData, SentEvent, TranscriptRecipient,
};
use serde_json::json;

use crate::common::{Emu, assert_error, assert_is_ack, assert_push};
use crate::live_chat::begin_conversation;

fn transcript(contact: &str, to: &[&str]) -> SentEvent {
    SentEvent::SendTranscript(SendTranscriptData {
        consumer_contact: IdRef::new(contact),
        consumer_recipients: to
            .iter()
            .map(|r| TranscriptRecipient {
                id_on_external_platform: (*r).to_owned(),
            })
            .collect(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_a_live_chat_closes_the_case_and_the_transcript_is_sent() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_live").await;
    let (thread, contact) = begin_conversation(&mut c).await;
    c.next_of("CaseInboxAssigneeChanged").await;

    // EndContact is fire-and-forget for the mobile SDKs; the server confirms with a push. The
    // web SDK's `endChat()` waits for a frame with the request's eventId: a bare ack.
    let end = SentEvent::EndContact(EndContactData {
        thread: ThreadRef::new(thread.clone()),
        contact: IdRef::new(contact.clone()),
    });
    let end_id = c.send(end).await;
    let frame = c.next_of("CaseStatusChanged").await;
    assert_push(&frame, "Case");
    assert_ne!(
        frame.event_id(),
        Some(end_id.as_str()),
        "a push, not a reply"
    );
    assert_is_ack(&c.reply(&end_id).await, &end_id);
    let changed = body!(frame, CaseStatusChanged);
    assert_eq!(changed.case.id(), contact);
    assert_eq!(changed.case.status, ContactStatus::Closed);
    assert_eq!(changed.case.thread_id(), Some(thread.clone()));
    assert!(
        changed.case.status_updated_at.is_some(),
        "Android requires statusUpdatedAt"
    );
    assert_eq!(changed.channel.id, "chat_live");

    let admin = emu.admin_thread(&thread).await;
    assert_eq!(admin["contact"]["status"], "closed");
    assert_eq!(admin["canAddMoreMessages"], false);
    let r = body!(
        c.request(SentEvent::RecoverLivechat(crate::common::recover_data(
            Some(&thread)
        )))
        .await,
        LivechatRecovered
    )
    .expect("data");
    assert_eq!(
        r.contact().map(|c| c.status.clone()),
        Some(ContactStatus::Closed)
    );
    assert!(!r.thread.can_add_more_messages);

    // A closed live chat takes no more messages.
    let (id, _) = c
        .send_content(&thread, MessageContent::text("one more thing"), |_| {})
        .await;
    assert_error(&c.reply(&id).await, &id, "SendingMessageFailed");

    // Transcript by e-mail.
    let sent = c
        .request(transcript(
            &contact,
            &["john@example.com", "jane@example.com"],
        ))
        .await;
    assert_eq!(sent.json()["postback"]["eventType"], "TranscriptSent");
    assert_eq!(sent.event().event_type, "TranscriptSent");
    let admin = emu.admin_thread(&thread).await;
    assert_eq!(
        admin["contact"]["transcriptsSentTo"],
        json!(["john@example.com", "jane@example.com"])
    );

    // Refusals: an invalid address, no address, an unknown contact.
    for (event, needle) in [
        (transcript(&contact, &["not-an-email"]), "e-mail"),
        (transcript(&contact, &[]), "e-mail"),
        (transcript("1", &["john@example.com"]), "Unknown contact"),
    ] {
        let id = c.send(event).await;
        let message = assert_error(&c.reply(&id).await, &id, "SendingTranscriptFailed");
        assert!(message.contains(needle), "{message}");
    }
    assert_eq!(
        emu.admin_thread(&thread).await["contact"]["transcriptsSentTo"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "refused requests add nobody"
    );

    // Ending a contact that is not the customer's is refused.
    let id = c
        .send(SentEvent::EndContact(EndContactData {
            thread: ThreadRef::new(thread.clone()),
            contact: IdRef::new("1"),
        }))
        .await;
    assert_error(&c.reply(&id).await, &id, "InconsistentData");

    // A new live chat can start after the old one closed.
    let (second, second_contact) = begin_conversation(&mut c).await;
    assert_ne!(second, thread);
    assert_ne!(second_contact, contact);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_can_close_a_case_too() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = cxone_chat_protocol::cxone::common::UuidString::new_v4();
    c.say(&thread, "hi").await;
    emu.admin(
        "agent/case-status",
        json!({"threadId": thread.as_str(), "status": "resolved"}),
    )
    .await;
    let changed = body!(c.next_of("CaseStatusChanged").await, CaseStatusChanged);
    assert_eq!(changed.case.status, ContactStatus::Resolved);
    let bad = emu
        .post(
            "/admin/agent/case-status",
            &json!({"threadId": thread.as_str(), "status": 3}),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_after_a_closed_messaging_contact_opens_a_new_one() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = cxone_chat_protocol::cxone::common::UuidString::new_v4();
    let first = body!(c.say(&thread, "first case").await, MessageCreated);
    let old_contact = first.case.id().to_owned();
    c.next_of("CaseInboxAssigneeChanged").await;
    c.send(SentEvent::EndContact(EndContactData {
        thread: ThreadRef::new(thread.clone()),
        contact: IdRef::new(old_contact.clone()),
    }))
    .await;
    let closed = body!(c.next_of("CaseStatusChanged").await, CaseStatusChanged);
    assert_eq!(closed.case.status, ContactStatus::Closed);
    // Messaging threads stay writable; the next message opens a new case on the same thread.
    assert_eq!(emu.admin_thread(&thread).await["canAddMoreMessages"], true);
    let second = body!(c.say(&thread, "second case").await, MessageCreated);
    assert_ne!(second.case.id(), old_contact);
    assert_eq!(second.case.status, ContactStatus::New);
    assert_eq!(second.case.thread_id(), Some(thread.clone()));
    let reassigned = body!(
        c.next_of("CaseInboxAssigneeChanged").await,
        CaseInboxAssigneeChanged
    );
    assert_eq!(reassigned.case.id(), second.case.id());
    let r = body!(c.recover(Some(&thread)).await, ThreadRecovered);
    assert_eq!(
        r.contact().map(|c| c.id().to_owned()),
        Some(second.case.id().to_owned())
    );
    let texts: Vec<String> = r
        .messages
        .iter()
        .filter_map(|m| m.message_content.plain_text())
        .collect();
    for text in ["first case", "second case"] {
        assert!(texts.iter().any(|t| t == text), "{text} not in {texts:?}");
    }
}
