//! The simulated agent: how it reacts to a customer message (queue positions in live chat,
//! assignment, read receipt, typing, reply) and what each of its timed actions does. Tests
//! and the admin API drive the same actions directly.

use std::time::Duration;

use cxone_chat_protocol::cxone::common::{
    BrandRef, ContactStatus, CustomFields, IdRef, ThreadRef, UuidString,
};
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::events::{
    CaseInboxAssigneeChanged, FireProactiveAction, Handover, MessageChanged, ProactiveAction,
    ProactiveActionData, ProactiveActionDetails, ProactiveContent, SenderTyping,
    SetPositionInQueue,
};
use cxone_chat_protocol::cxone::message::{CustomerStatistics, Direction, Message, UserStatistics};
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chat_protocol::cxone::time::Timestamp;

use crate::backend::{Backend, CustomerKey, now_ms};
use crate::config::{AgentConfig, Reply};
use crate::effect::{AgentAction, Effect};
use crate::frames::{self, push};
use crate::outbound;

/// Where a message finds its contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContactStage {
    /// The message opened it: it is routed (queue, then assignment) from now.
    Opened,
    /// It is still routed after an earlier message opened it: no agent can answer yet.
    Waiting,
    /// An agent has it (or no routing applies).
    Handled,
}

/// The agent's plan after a customer message: in live chat a new contact first waits in the
/// queue, then gets assigned; any visible message is read, answered after a typing pause — and
/// not before the contact has its agent.
pub(crate) fn react_to_customer_message(
    agent: &AgentConfig,
    live: bool,
    thread: &UuidString,
    contact: ContactStage,
    hidden: bool,
    text: Option<&str>,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut t = Duration::ZERO;
    let at = |after: Duration, action| Effect::Agent { after, action };
    if contact != ContactStage::Handled {
        // Only the message that opened the contact routes it: one countdown per contact.
        let opened = contact == ContactStage::Opened;
        if live && !agent.queue_positions.is_empty() {
            let step = Duration::from_millis(agent.queue_step_ms);
            if opened {
                out.push(at(
                    step,
                    AgentAction::Queue {
                        thread: thread.clone(),
                        positions: agent.queue_positions.clone(),
                        step,
                    },
                ));
            }
            t += step * agent.queue_positions.len() as u32;
        }
        if let Some(ms) = agent.assign_after_ms.filter(|_| agent.auto_assign) {
            t += Duration::from_millis(ms);
            if opened {
                out.push(at(
                    t,
                    AgentAction::Assign {
                        thread: thread.clone(),
                    },
                ));
            }
        }
    }
    // `reply = "none"` in a file is a silent agent, exactly like no reply at all.
    let Some(reply) = agent
        .reply
        .as_ref()
        .filter(|r| !hidden && **r != Reply::None)
    else {
        return out;
    };
    let typing = agent.typing();
    if agent.read_receipts {
        out.push(at(
            t + typing / 4,
            AgentAction::Read {
                thread: thread.clone(),
            },
        ));
    }
    out.push(at(
        t + typing / 2,
        AgentAction::Typing {
            thread: thread.clone(),
            started: true,
        },
    ));
    let text = match reply {
        // An attachment-only message still carries a TEXT content, with empty text.
        Reply::Echo => format!(
            "You said: {}",
            text.filter(|t| !t.trim().is_empty())
                .unwrap_or("(an attachment)")
        ),
        Reply::Text(s) => s.clone(),
        Reply::None => unreachable!("filtered above"),
    };
    out.push(at(
        t + typing,
        AgentAction::Say {
            thread: thread.clone(),
            text,
        },
    ));
    out
}

impl Backend {
    /// Carries out one agent action; returns follow-up effects.
    pub(crate) fn run_agent(&mut self, action: AgentAction) -> Vec<Effect> {
        match action {
            AgentAction::Push { key, frame } => outbound::to_customer(self, &key, &frame),
            AgentAction::Proactive { conn, trigger } => self.proactive(conn, trigger),
            AgentAction::Queue {
                thread,
                mut positions,
                step,
            } => {
                let Some(t) = self.thread_mut(&thread) else {
                    return Vec::new();
                };
                if positions.is_empty()
                    || t.contact.assignee.is_some()
                    || t.contact.status == ContactStatus::Closed
                {
                    return Vec::new();
                }
                let position = positions.remove(0);
                t.contact.queue_position = Some(position);
                let (key, contact) = (t.key.clone(), t.contact.id.clone());
                let body = SetPositionInQueue {
                    consumer_contact: IdRef::new(contact),
                    routing_queue: Some(IdRef::new("emulator-queue")),
                    position_in_queue: position,
                    is_any_agent_online_for_queue: Some(true),
                };
                // The real push carries no eventObject or createdAt (fixture SetPositionInQueue.json).
                let mut frame = push(
                    "SetPositionInQueue",
                    None,
                    EventBody::SetPositionInQueue(body),
                );
                if let ReceivedFrame::Event(e) = &mut frame {
                    e.created_at = None;
                    e.created_at_with_milliseconds = None;
                }
                outbound::to_customer(self, &key, &frame);
                if !positions.is_empty() {
                    return vec![Effect::Agent {
                        after: step,
                        action: AgentAction::Queue {
                            thread,
                            positions,
                            step,
                        },
                    }];
                }
            }
            AgentAction::Assign { thread } => {
                self.assign(&thread, None);
            }
            AgentAction::Read { thread } => self.read_all(&thread),
            AgentAction::Close { thread } => {
                if let Some(contact) = self.thread(&thread).map(|t| t.contact.id.clone()) {
                    self.set_case_status(&contact, ContactStatus::Closed);
                }
            }
            AgentAction::Typing { thread, started } => {
                self.typing(&thread, started);
            }
            AgentAction::Say { thread, text } => {
                self.typing(&thread, false);
                self.agent_says(&thread, MessageContent::text(text));
            }
        }
        Vec::new()
    }

    fn channel_agent(&self, key: &CustomerKey) -> AgentConfig {
        self.config
            .channel(key.brand, &key.channel)
            .map(|c| c.agent.clone())
            .unwrap_or_default()
    }

    /// Assigns the thread's contact to the channel's agent (or `agent`), opening it.
    pub(crate) fn assign(
        &mut self,
        thread: &UuidString,
        agent: Option<cxone_chat_protocol::cxone::common::Agent>,
    ) -> bool {
        let Some(key) = self.thread(thread).map(|t| t.key.clone()) else {
            return false;
        };
        let agent = agent.unwrap_or_else(|| frames::agent(&self.channel_agent(&key)));
        let t = self.thread_mut(thread).expect("checked");
        if t.contact.assignee.as_ref() == Some(&agent) || t.contact.status == ContactStatus::Closed
        {
            return false;
        }
        t.contact.previous_assignee = t.contact.assignee.replace(agent.clone());
        t.contact.queue_position = None;
        if t.contact.status == ContactStatus::New {
            t.contact.status = ContactStatus::Open;
            t.contact.status_ms = now_ms();
        }
        let body = CaseInboxAssigneeChanged {
            brand: BrandRef { id: key.brand },
            channel: IdRef::new(key.channel.clone()),
            case: t.contact_wire(),
            inbox_assignee: Some(agent),
            previous_inbox_assignee: t.contact.previous_assignee.clone(),
        };
        let frame = push(
            "CaseInboxAssigneeChanged",
            Some("Case"),
            EventBody::CaseInboxAssigneeChanged(body),
        );
        outbound::to_customer(self, &key, &frame);
        true
    }

    fn read_all(&mut self, thread: &UuidString) {
        let Some(t) = self.thread_mut(thread) else {
            return;
        };
        let now = Timestamp::from_unix_ms_seconds(now_ms());
        let key = t.key.clone();
        let mut changed = Vec::new();
        for m in t
            .messages
            .iter_mut()
            .filter(|m| m.direction() == Direction::Inbound)
        {
            let stats = m
                .user_statistics
                .get_or_insert_with(UserStatistics::default);
            if stats.read_at.is_none() {
                stats.read_at = Some(now.clone());
                stats.seen_at.get_or_insert_with(|| now.clone());
                changed.push(m.clone());
            }
        }
        for m in changed {
            let body = MessageChanged {
                brand: Some(BrandRef { id: key.brand }),
                message: m,
            };
            let frame = push(
                "MessageReadChanged",
                Some("Message"),
                EventBody::MessageReadChanged(body),
            );
            outbound::to_customer(self, &key, &frame);
        }
    }

    /// Pushes the agent's typing indicator.
    pub(crate) fn typing(&mut self, thread: &UuidString, started: bool) -> bool {
        let Some(t) = self.thread(thread) else {
            return false;
        };
        let key = t.key.clone();
        let body = SenderTyping {
            brand: Some(BrandRef { id: key.brand }),
            channel: Some(IdRef::new(key.channel.clone())),
            thread: ThreadRef {
                id_on_external_platform: t.id.clone(),
                thread_name: Some(t.name.clone()),
            },
            user: Some(frames::agent(&self.channel_agent(&key))),
        };
        let (name, body) = if started {
            ("SenderTypingStarted", EventBody::SenderTypingStarted(body))
        } else {
            ("SenderTypingEnded", EventBody::SenderTypingEnded(body))
        };
        let frame = push(name, Some("SenderAction"), body);
        outbound::to_customer(self, &key, &frame);
        true
    }

    /// Adds an agent message to the thread and pushes `MessageCreated`.
    pub(crate) fn agent_says(
        &mut self,
        thread: &UuidString,
        content: MessageContent,
    ) -> Option<Message> {
        let key = self.thread(thread)?.key.clone();
        let agent = frames::agent(&self.channel_agent(&key));
        let now = now_ms();
        let t = self.thread_mut(thread)?;
        if !t.is_open() {
            return None;
        }
        let message = Message {
            id_on_external_platform: UuidString::new_v4(),
            thread_id_on_external_platform: Some(t.id.clone()),
            thread_id: None,
            post_id: None,
            message_content: content,
            created_at: Timestamp::from_unix_ms_seconds(now),
            created_at_with_milliseconds: Some(Timestamp::from_unix_ms_millis(now)),
            direction: Some(Direction::Outbound),
            is_own: None,
            attachments: Vec::new(),
            // The back end counts an agent's message as read by the agents' side at once
            // (fixture `ios/ThreadRecoveredEvent.json`); whether the customer saw it is
            // `customerStatistics`.
            user_statistics: Some(UserStatistics {
                seen_at: None,
                read_at: Some(Timestamp::from_unix_ms_seconds(now)),
            }),
            customer_statistics: Some(CustomerStatistics::default()),
            author_user: Some(agent),
            author_end_user_identity: None,
        };
        t.push_message(message.clone());
        t.updated_ms = now;
        let frame = frames::message_created(t, &message);
        outbound::to_customer(self, &key, &frame);
        Some(message)
    }

    fn proactive(&mut self, conn: u64, trigger: Option<String>) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let agent = self
            .config
            .channel(c.brand, &c.channel)
            .map(|ch| ch.agent.clone())
            .unwrap_or_default();
        let (name, text) = match (&trigger, &agent.welcome) {
            (Some(id), _) => (
                format!("Trigger {id}"),
                format!("Proactive offer for trigger {id}"),
            ),
            (None, Some(w)) => ("Welcome message".to_owned(), w.clone()),
            (None, None) => return,
        };
        let destination = c
            .destination
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let body = FireProactiveAction {
            destination: IdRef::new(destination),
            proactive_action: ProactiveAction {
                action: ProactiveActionDetails {
                    action_id: uuid::Uuid::new_v4().to_string(),
                    action_name: name,
                    action_type: "WelcomeMessage".into(),
                    data: Some(ProactiveActionData {
                        content: ProactiveContent {
                            body_text: Some(text),
                            headline_text: None,
                            headline_secondary_text: None,
                            image: None,
                            mime_type: None,
                            variables: None,
                        },
                        handover: Handover {
                            custom_fields: CustomFields::default().custom_fields,
                        },
                    }),
                },
                conditions: Some(serde_json::json!([])),
            },
        };
        let frame = push(
            "FireProactiveAction",
            Some("ChatWindow"),
            EventBody::FireProactiveAction(body),
        );
        outbound::send(self, conn, &frame);
    }
}
