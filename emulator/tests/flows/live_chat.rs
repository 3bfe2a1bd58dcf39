//! Flow 7, live chat: the welcome message after authorization, `Begin Conversation`, the queue
//! (3, 2, 1), the assignment, `RecoverLivechat`, and the offline state.

use cxone_chat_protocol::cxone::common::{ContactStatus, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::message::Direction;
use cxone_chat_protocol::cxone::rest::{ChannelConfiguration, decode_body};
use cxone_chat_protocol::cxone::sent::SentEvent;
use cxone_emulator::config::Mode;

use crate::common::{
    BRAND, Client, Emu, assert_error, assert_is_ack, assert_push, config_with, quiet_channel,
    recover_data,
};

/// Opens a live chat: `Begin Conversation`, ack, echo; returns the thread and contact id.
pub(crate) async fn begin_conversation(c: &mut Client) -> (UuidString, String) {
    let thread = UuidString::new_v4();
    let (id, message) = c
        .send_content(&thread, MessageContent::begin_conversation(), |_| {})
        .await;
    assert_is_ack(&c.reply(&id).await, &id);
    let frame = c.echo_of(&message).await;
    let content = &frame.json()["data"]["message"]["messageContent"];
    assert_eq!(content["payload"]["text"], "Begin Conversation");
    assert_eq!(content["parameters"]["isInitialMessage"], true);
    let echo = body!(frame, MessageCreated);
    assert!(
        echo.message.message_content.is_hidden(),
        "the opener stays hidden"
    );
    assert_eq!(echo.case.status, ContactStatus::New, "waiting in the queue");
    (thread, echo.case.id().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_chat_is_welcomed_queued_and_assigned() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_live").await;

    // The welcome message follows the authorization, addressed to this SDK session.
    let welcome_frame = c.next_of("FireProactiveAction").await;
    assert_push(&welcome_frame, "ChatWindow");
    let welcome = body!(welcome_frame, FireProactiveAction);
    assert_eq!(welcome.destination.id, c.destination);
    let action = &welcome.proactive_action.action;
    assert!(action.is_welcome_message());
    assert!(
        UuidString::parse(&action.action_id).is_ok(),
        "Android needs a UUID"
    );
    let data = action.data.as_ref().expect("content and handover");
    assert_eq!(
        data.content.body_text.as_deref(),
        Some("Hello {{customer.firstName|there}}, how can we help you today?")
    );
    assert!(data.handover.custom_fields.is_empty());

    // Nothing to recover yet.
    let id = c.send(SentEvent::RecoverLivechat(recover_data(None))).await;
    assert_error(&c.reply(&id).await, &id, "RecoveringLivechatFailed");

    let (thread, contact) = begin_conversation(&mut c).await;
    let mut positions = Vec::new();
    let mut last_seq = 0;
    for expected in [3, 2, 1] {
        let frame = c.next_of("SetPositionInQueue").await;
        let q = body!(frame, SetPositionInQueue);
        assert_eq!(q.consumer_contact.id, contact);
        assert!(q.routing_queue.is_some() && q.is_any_agent_online_for_queue == Some(true));
        assert!(frame.seq > last_seq, "in order");
        last_seq = frame.seq;
        positions.push(q.position_in_queue);
        assert_eq!(
            q.position_in_queue, expected,
            "positions so far {positions:?}"
        );
    }
    let assigned = c.next_of("CaseInboxAssigneeChanged").await;
    assert!(assigned.seq > last_seq, "assignment comes after the queue");
    assert_push(&assigned, "Case");
    let a = body!(assigned, CaseInboxAssigneeChanged);
    assert_eq!(a.case.id(), contact);
    assert_eq!(a.case.status, ContactStatus::Open);
    assert_eq!(a.case.thread_id(), Some(thread.clone()));
    let agent = a.inbox_assignee.expect("an agent");
    assert_eq!(
        (agent.id, agent.first_name.as_str(), agent.surname.as_str()),
        (4242, "Alex", "Agent")
    );
    assert!(a.previous_inbox_assignee.is_none());

    // The agent answers visible messages only.
    c.say(&thread, "hello").await;
    let reply = c
        .wait_for("the agent's reply", |f| {
            f.event_type() == Some("MessageCreated")
                && f.json()["data"]["message"]["direction"] == "outbound"
        })
        .await;
    let reply = body!(reply, MessageCreated).message;
    assert_eq!(
        reply.message_content.plain_text().as_deref(),
        Some("You said: hello")
    );

    // Recovery now returns the live chat with the hidden opener in its history.
    let frame = c
        .request(SentEvent::RecoverLivechat(recover_data(Some(&thread))))
        .await;
    assert_eq!(frame.json()["postback"]["eventType"], "LivechatRecovered");
    let recovered = body!(frame, LivechatRecovered).expect("data");
    assert_eq!(recovered.thread.id_on_external_platform, thread);
    let rc = recovered.contact().expect("contact");
    assert_eq!(
        (rc.id(), &rc.status),
        (contact.as_str(), &ContactStatus::Open)
    );
    assert_eq!(recovered.inbox_assignee.map(|a| a.id), Some(4242));
    let texts: Vec<_> = recovered
        .messages
        .iter()
        .map(|m| {
            (
                m.direction(),
                m.message_content.plain_text().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (Direction::Outbound, "You said: hello".to_owned()),
            (Direction::Inbound, "hello".to_owned()),
            (Direction::Inbound, "Begin Conversation".to_owned()),
        ]
    );
    let opener = &recovered.messages[2].message_content;
    assert!(
        opener.is_hidden(),
        "isInitialMessage survives the round trip"
    );
    // Without an id the same live chat comes back.
    let again = body!(
        c.request(SentEvent::RecoverLivechat(recover_data(None)))
            .await,
        LivechatRecovered
    );
    assert_eq!(again.expect("data").thread.id_on_external_platform, thread);
    let admin = emu.admin_thread(&thread).await;
    assert_eq!(admin["contact"]["queuePosition"], serde_json::Value::Null);
    assert_eq!(admin["contact"]["assignee"]["id"], 4242);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_live_chat_channel_says_so() {
    let mut closed = quiet_channel(Mode::Live);
    closed.online = false;
    let emu = Emu::with_config(config_with("chat_closed", closed)).await;
    let base = format!("/chat/1.0/brand/{BRAND}/channel");
    for (channel, status, online) in [
        ("chat_closed", "offline", false),
        ("chat_live", "online", true),
    ] {
        let availability = emu.get(&format!("{base}/{channel}/availability")).await;
        assert_eq!(availability.status, 200);
        assert_eq!(availability.json()["status"], status, "{channel}");
        let cfg: ChannelConfiguration =
            decode_body(&emu.get(&format!("{base}/{channel}")).await.body).expect("decodes");
        assert_eq!(cfg.is_online(), Some(online), "{channel}");
        assert!(cfg.is_live_chat);
    }
}
