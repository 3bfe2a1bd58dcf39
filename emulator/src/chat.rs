//! What the back end does with each client event (PROTOCOL.md §3, checklist §7): replies
//! correlated by `eventId`, pushes to every connection of the customer, and the simulated
//! agent's reactions. No I/O here: handlers change [`Backend`] and return [`Effect`]s that the
//! gateway carries out (replies may be delayed or withheld by faults, agent actions are timed).

use std::time::Duration;

use cxone_chat_protocol::cxone::common::AccessToken;
use cxone_chat_protocol::cxone::common::{
    ContactStatus, CustomFields, CustomerIdentity, IdRef, Thread,
};
use cxone_chat_protocol::cxone::content::{MessageContent, SessionExpirationPostback};
use cxone_chat_protocol::cxone::events::{
    ConsumerAuthorized, MoreMessagesLoaded, ThreadListFetched, ThreadMetadataLoaded,
    ThreadRecovered, TokenRefreshed,
};
use cxone_chat_protocol::cxone::message::{
    Attachment, CustomerStatistics, Direction, Message, UserStatistics,
};
use cxone_chat_protocol::cxone::received::{EventBody, ReceivedFrame};
use cxone_chat_protocol::cxone::sent::{MessageData, OutgoingFrame, Payload, SentEvent};
use cxone_chat_protocol::cxone::time::Timestamp;
use serde_json::{Value, json};

use crate::agent::ContactStage;
use crate::backend::{
    Backend, ContactRec, CustomerKey, ThreadRec, TokenKind, merge_fields, now_ms,
};
use crate::config::{Auth, Mode};
use crate::effect::{AgentAction, Effect};
use crate::faults::Faults;
use crate::frames::{self, ack, operation_error, postback, push};
use crate::outbound;
use crate::record::Record;

/// Messages per recovery or page, newest first.
pub(crate) const PAGE: usize = 25;

fn reply(event_type: &str, frame: ReceivedFrame) -> Effect {
    Effect::Reply {
        event_type: event_type.to_owned(),
        frame,
    }
}

/// An operation error answering `event_id`, as a reply effect.
fn fail(event_type: &str, event_id: &str, code: &str, message: &str) -> Vec<Effect> {
    vec![reply(
        event_type,
        operation_error(event_id, code, message, None),
    )]
}

impl Backend {
    /// Handles one text frame from connection `conn`.
    pub(crate) fn handle_client_text(&mut self, conn: u64, text: &str) -> Vec<Effect> {
        let (brand, channel) = match self.conns.get(&conn) {
            Some(c) => (c.brand, c.channel.clone()),
            None => return Vec::new(),
        };
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        let frame = parsed.as_ref().map(OutgoingFrame::from_value);
        let kind = match &frame {
            Some(Ok(OutgoingFrame::Heartbeat)) => "heartbeat".to_owned(),
            Some(Ok(OutgoingFrame::Event { payload, .. })) => payload.event.event_type().to_owned(),
            _ => "malformed".to_owned(),
        };
        let seq = self.records.last().map_or(1, |r| r.seq + 1);
        self.record(Record {
            seq,
            transport: "ws",
            kind,
            connection: Some(conn),
            brand: Some(brand),
            channel: Some(channel.clone()),
            body: parsed
                .clone()
                .unwrap_or_else(|| Value::String(text.to_owned())),
            at_ms: now_ms(),
        });
        match frame {
            Some(Ok(OutgoingFrame::Heartbeat)) => {
                self.send_text(conn, "\"pong\"".to_owned());
                Vec::new()
            }
            Some(Ok(OutgoingFrame::Event {
                event_id, payload, ..
            })) => {
                if payload.brand.id != brand || payload.channel.id != channel {
                    let msg = format!(
                        "payload is for brand {} channel {}, but the socket was opened for brand {brand} channel {channel}",
                        payload.brand.id, payload.channel.id
                    );
                    return fail(
                        payload.event.event_type(),
                        &event_id,
                        "InconsistentData",
                        &msg,
                    );
                }
                self.handle_event(conn, &event_id, *payload)
            }
            // The API gateway answers frames it cannot route with its own error shape; the
            // request cannot be correlated, so there is no eventId.
            _ => {
                let message = if parsed.is_none() {
                    "Internal server error"
                } else {
                    "Forbidden"
                };
                let err = json!({"message": message, "connectionId": format!("emu-{conn}"), "requestId": uuid::Uuid::new_v4().to_string()});
                self.send_text(conn, err.to_string());
                Vec::new()
            }
        }
    }

    /// The customer a request acts for: the connection's authorized customer, or — in
    /// anonymous legacy channels, where the server trusts the identity in each payload — the
    /// payload's identity.
    fn customer_for(&mut self, conn: u64, payload: &Payload) -> Option<CustomerKey> {
        let c = self.conns.get(&conn)?;
        let key = |customer: String| CustomerKey {
            brand: c.brand,
            channel: c.channel.clone(),
            customer,
        };
        if let Some(customer) = &c.customer {
            return Some(key(customer.clone()));
        }
        let ch = self.config.channel(c.brand, &c.channel)?;
        if ch.secured_sessions || ch.auth != Auth::Anonymous {
            return None;
        }
        let id = payload.identity.as_ref()?.1.id_on_external_platform.clone();
        let k = key(id.clone());
        self.conns.get_mut(&conn)?.customer = Some(id);
        self.customers.entry(k.clone()).or_default();
        Some(k)
    }

    fn handle_event(&mut self, conn: u64, event_id: &str, payload: Payload) -> Vec<Effect> {
        let et = payload.event.event_type().to_owned();
        if let Some(d) = &payload.destination
            && let Some(c) = self.conns.get_mut(&conn)
        {
            c.destination = Some(d.id.clone());
        }
        match &payload.event {
            SentEvent::AuthorizeCustomer(_) => return self.authorize(conn, event_id, &payload),
            SentEvent::ReconnectConsumer { data, .. } => {
                return self.reconnect(conn, event_id, &et, &data.access_token.token);
            }
            SentEvent::RefreshToken(data) => {
                return self.refresh(conn, event_id, &data.access_token.token);
            }
            _ => {}
        }
        let Some(key) = self.customer_for(conn, &payload) else {
            return fail(
                &et,
                event_id,
                "CustomerAuthorizationFailed",
                "The customer is not authorized on this connection; send AuthorizeCustomer or ReconnectConsumer first.",
            );
        };
        match payload.event {
            SentEvent::RecoverThread(d) | SentEvent::RecoverLivechat(d) => {
                let live = et == "RecoverLivechat";
                let found = match d.thread_id() {
                    Some(id) => self.thread(id).filter(|t| t.key == key),
                    None => self.latest_thread(&key),
                };
                match found {
                    Some(t) => {
                        let body = self.recovered(t);
                        let name = if live {
                            "LivechatRecovered"
                        } else {
                            "ThreadRecovered"
                        };
                        let body = if live {
                            EventBody::LivechatRecovered(Some(body))
                        } else {
                            EventBody::ThreadRecovered(body)
                        };
                        vec![reply(&et, postback(event_id, name, body))]
                    }
                    None if live => fail(
                        &et,
                        event_id,
                        "RecoveringLivechatFailed",
                        "There is no live chat to recover.",
                    ),
                    None => fail(&et, event_id, "RecoveringThreadFailed", "Thread not found."),
                }
            }
            SentEvent::FetchThreadList => {
                let ids = self
                    .customers
                    .get(&key)
                    .map(|c| c.threads.clone())
                    .unwrap_or_default();
                let threads = ids
                    .iter()
                    .filter_map(|id| self.threads.get(id))
                    .map(|t| self.thread_wire(t, true))
                    .collect();
                vec![reply(
                    &et,
                    postback(
                        event_id,
                        "ThreadListFetched",
                        EventBody::ThreadListFetched(ThreadListFetched { threads }),
                    ),
                )]
            }
            SentEvent::LoadThreadMetadata(d) => match self
                .thread(&d.thread.id_on_external_platform)
                .filter(|t| t.key == key)
            {
                Some(t) => {
                    let Some(last) = t.messages.last().cloned() else {
                        return fail(
                            &et,
                            event_id,
                            "InconsistentData",
                            "The thread has no messages.",
                        );
                    };
                    let body = ThreadMetadataLoaded {
                        owner_assignee: t.contact.assignee.clone(),
                        last_message: last,
                    };
                    vec![reply(
                        &et,
                        postback(
                            event_id,
                            "ThreadMetadataLoaded",
                            EventBody::ThreadMetadataLoaded(body),
                        ),
                    )]
                }
                None => fail(&et, event_id, "InconsistentData", "Thread not found."),
            },
            SentEvent::LoadMoreMessages(d) => {
                let Some(t) = self
                    .thread(&d.thread.id_on_external_platform)
                    .filter(|t| t.key == key)
                else {
                    return fail(&et, event_id, "InconsistentData", "Thread not found.");
                };
                let Some(end) =
                    parse_scroll_token(&d.scroll_token).filter(|e| *e <= t.messages.len())
                else {
                    return fail(&et, event_id, "InconsistentData", "Invalid scroll token.");
                };
                let (messages, token) = page(&t.messages, end);
                let body = MoreMessagesLoaded {
                    messages,
                    scroll_token: Some(token),
                };
                vec![reply(
                    &et,
                    postback(
                        event_id,
                        "MoreMessagesLoaded",
                        EventBody::MoreMessagesLoaded(body),
                    ),
                )]
            }
            SentEvent::UpdateThread(d) => match self
                .thread_mut(&d.thread.id_on_external_platform)
                .filter(|t| t.key == key)
            {
                Some(t) => {
                    t.name = d.thread.thread_name.clone().unwrap_or_default();
                    t.updated_ms = now_ms();
                    let id = frames::server_thread_id(t);
                    vec![reply(
                        &et,
                        postback(
                            event_id,
                            "ThreadUpdated",
                            EventBody::ThreadUpdated(Some(json!({"id": id}))),
                        ),
                    )]
                }
                None => fail(&et, event_id, "UpdatingThreadFailed", "Thread not found."),
            },
            SentEvent::ArchiveThread(d) => match self
                .thread_mut(&d.thread.id_on_external_platform)
                .filter(|t| t.key == key)
            {
                Some(t) => {
                    t.can_add_more = false;
                    t.updated_ms = now_ms();
                    vec![reply(
                        &et,
                        postback(event_id, "ThreadArchived", EventBody::ThreadArchived),
                    )]
                }
                None => fail(&et, event_id, "ArchivingThreadFailed", "Thread not found."),
            },
            SentEvent::SendMessage(d) => self.send_message(
                conn,
                event_id,
                &et,
                &key,
                d,
                Direction::Inbound,
                &payload.identity,
            ),
            SentEvent::SendOutbound(d) => self.send_message(
                conn,
                event_id,
                &et,
                &key,
                d,
                Direction::Outbound,
                &payload.identity,
            ),
            // `MessageSeenByCustomer`, the two `Set…CustomFields` and `EndContact` are answered
            // with the bare `{eventId}` ack of `SendMessage`: the web SDK resolves
            // `thread.lastMessageSeen()`, `thread.setCustomFields()` / `customer.setCustomFields()`
            // (once the contact exists) and `LivechatThread.endChat()` only on a frame with the
            // request's `eventId`, and its documentation awaits them. The mobile SDKs send these
            // fire-and-forget and drop an untyped frame nobody waits for.
            SentEvent::MessageSeenByCustomer(d) => {
                let now = Timestamp::from_unix_ms_seconds(now_ms());
                if let Some(t) = self
                    .thread_mut(&d.thread.id_on_external_platform)
                    .filter(|t| t.key == key)
                {
                    for m in t
                        .messages
                        .iter_mut()
                        .filter(|m| m.direction() == Direction::Outbound)
                    {
                        let stats = m
                            .customer_statistics
                            .get_or_insert_with(CustomerStatistics::default);
                        stats.seen_at.get_or_insert_with(|| now.clone());
                    }
                }
                vec![reply(&et, ack(event_id))]
            }
            SentEvent::SetCustomerCustomFields(d) => {
                self.merge_customer_fields(&key, &d.custom_fields);
                vec![reply(&et, ack(event_id))]
            }
            SentEvent::SetContactCustomFields(d) => {
                let thread = d
                    .thread
                    .as_ref()
                    .map(|t| t.id_on_external_platform.to_lowercase());
                let contact = d.contact.as_ref().map(|c| c.id.clone());
                if let Some(t) = self.threads.values_mut().find(|t| {
                    t.key == key
                        && (thread.as_deref() == Some(&t.id.to_lowercase())
                            || contact.as_deref() == Some(&t.contact.id))
                }) {
                    merge_fields(&mut t.contact.custom_fields, &d.custom_fields);
                }
                vec![reply(&et, ack(event_id))]
            }
            SentEvent::SendTranscript(d) => {
                let allowed = self
                    .config
                    .channel(key.brand, &key.channel)
                    .is_some_and(|c| c.transcript);
                let valid = !d.consumer_recipients.is_empty()
                    && d.consumer_recipients
                        .iter()
                        .all(|r| r.id_on_external_platform.contains('@'));
                let t = self
                    .threads
                    .values_mut()
                    .find(|t| t.key == key && t.contact.id == d.consumer_contact.id);
                match (allowed, valid, t) {
                    (false, ..) => fail(
                        &et,
                        event_id,
                        "SendingTranscriptFailed",
                        "Transcripts are not enabled for this channel.",
                    ),
                    (_, false, _) => fail(
                        &et,
                        event_id,
                        "SendingTranscriptFailed",
                        "Every recipient must be an e-mail address.",
                    ),
                    (_, _, None) => {
                        fail(&et, event_id, "SendingTranscriptFailed", "Unknown contact.")
                    }
                    (_, _, Some(t)) => {
                        t.contact.transcripts_sent_to.extend(
                            d.consumer_recipients
                                .iter()
                                .map(|r| r.id_on_external_platform.clone()),
                        );
                        vec![reply(
                            &et,
                            postback(event_id, "TranscriptSent", EventBody::TranscriptSent),
                        )]
                    }
                }
            }
            SentEvent::SendOfflineMessage(d) => {
                // Left for the contact centre to answer by e-mail; the admin API's `received`
                // log keeps it. Refused like a transcript when it cannot be answered.
                let to = &d.author_customer_identity.id_on_external_platform;
                let text = &d.message_content.payload.text;
                let offered = self
                    .config
                    .channel(key.brand, &key.channel)
                    .is_some_and(|c| c.offline_form);
                if !offered {
                    fail(
                        &et,
                        event_id,
                        "SendingOfflineMessageFailed",
                        "The offline form is not enabled for this channel.",
                    )
                } else if !to.contains('@') {
                    fail(
                        &et,
                        event_id,
                        "SendingOfflineMessageFailed",
                        "The author's idOnExternalPlatform must be an e-mail address.",
                    )
                } else if text.trim().is_empty() {
                    fail(
                        &et,
                        event_id,
                        "SendingOfflineMessageFailed",
                        "The message is empty.",
                    )
                } else {
                    vec![reply(
                        &et,
                        postback(event_id, "OfflineMessageSent", EventBody::Other(None)),
                    )]
                }
            }
            SentEvent::EndContact(d) => {
                let found = self
                    .threads
                    .values()
                    .any(|t| t.key == key && t.contact.id == d.contact.id);
                if !found {
                    return fail(&et, event_id, "InconsistentData", "Unknown contact.");
                }
                self.set_case_status(&d.contact.id, ContactStatus::Closed);
                vec![reply(&et, ack(event_id))]
            }
            SentEvent::ExecuteTrigger(d) => {
                vec![Effect::Agent {
                    after: Duration::ZERO,
                    action: AgentAction::Proactive {
                        conn,
                        trigger: Some(d.trigger.id),
                    },
                }]
            }
            // The web SDK's `sendMessagePreview()` awaits a same-id reply (PROTOCOL.md §2.3), so
            // the preview is acknowledged like custom fields.
            SentEvent::SendMessagePreview(_) => vec![reply(&et, ack(event_id))],
            // Shown to the agent, answered with nothing (no SDK awaits a reply); what was
            // received is in `GET /admin/received`.
            SentEvent::SenderTypingStarted(_)
            | SentEvent::SenderTypingEnded(_)
            | SentEvent::StoreVisitorEvents(_) => Vec::new(),
            SentEvent::AuthorizeCustomer(_)
            | SentEvent::ReconnectConsumer { .. }
            | SentEvent::RefreshToken(_) => Vec::new(),
            SentEvent::Other { event_type, .. } => fail(
                &et,
                event_id,
                "InconsistentData",
                &format!("Unknown event type {event_type:?}."),
            ),
        }
    }

    fn authorize(&mut self, conn: u64, event_id: &str, payload: &Payload) -> Vec<Effect> {
        let et = "AuthorizeCustomer";
        let Some(c) = self.conns.get(&conn) else {
            return Vec::new();
        };
        let (brand, channel) = (c.brand, c.channel.clone());
        let Some(ch) = self.config.channel(brand, &channel).cloned() else {
            return Vec::new();
        };
        // With secured sessions the transaction token authenticated the socket at the
        // handshake; a legacy authorization must not switch it to the identity in the payload.
        if ch.secured_sessions {
            return fail(
                et,
                event_id,
                "CustomerAuthorizationFailed",
                "This channel uses secured sessions: the transactionToken of the WebSocket URL authorizes the customer, AuthorizeCustomer is not used.",
            );
        }
        if Faults::take(&mut self.faults.refuse_authorizations) {
            return fail(
                et,
                event_id,
                "CustomerAuthorizationFailed",
                "Authorization refused (fault injected through the admin API).",
            );
        }
        let SentEvent::AuthorizeCustomer(data) = &payload.event else {
            return Vec::new();
        };
        let sent_identity = payload.identity.as_ref().map(|(_, i)| i.clone());
        let (identity, token) = if ch.auth == Auth::Oauth {
            let code = data
                .authorization
                .as_ref()
                .and_then(|a| a.authorization_code.clone())
                .filter(|c| !c.is_empty());
            let Some(code) = code else {
                return fail(
                    et,
                    event_id,
                    "CustomerAuthorizationFailed",
                    "This channel requires an OAuth authorization code.",
                );
            };
            if !self.used_codes.insert(code.clone()) {
                return fail(
                    et,
                    event_id,
                    "CustomerAuthorizationFailed",
                    "The authorization code was already used.",
                );
            }
            let identity = oauth_identity(&code);
            let key = CustomerKey {
                brand,
                channel: channel.clone(),
                customer: identity.id_on_external_platform.clone(),
            };
            let ttl = self.config.access_token_ttl_secs;
            let token = self.issue_token(key, TokenKind::Access, ttl);
            (
                identity,
                Some(AccessToken {
                    token,
                    expires_in: Some(ttl as i64),
                    current_date: None,
                }),
            )
        } else {
            match sent_identity {
                Some(i) => (i, None),
                None => {
                    return fail(
                        et,
                        event_id,
                        "CustomerAuthorizationFailed",
                        "customerIdentity is missing.",
                    );
                }
            }
        };
        let key = CustomerKey {
            brand,
            channel,
            customer: identity.id_on_external_platform.clone(),
        };
        let customer = self.customers.entry(key.clone()).or_default();
        if identity.first_name.is_some() {
            customer.first_name = identity.first_name.clone();
            customer.last_name = identity.last_name.clone();
        }
        let fields = customer.custom_fields.clone();
        if let Some(c) = self.conns.get_mut(&conn) {
            c.customer = Some(key.customer.clone());
        }
        let body = ConsumerAuthorized {
            consumer_identity: CustomerIdentity {
                first_name: Some(identity.first_name.clone().unwrap_or_default()),
                last_name: Some(identity.last_name.clone().unwrap_or_default()),
                ..identity
            },
            access_token: token,
            customer: Some(CustomFields {
                custom_fields: fields,
            }),
            contact: Some(CustomFields::default()),
        };
        let mut out = vec![reply(
            et,
            postback(
                event_id,
                "ConsumerAuthorized",
                EventBody::ConsumerAuthorized(body),
            ),
        )];
        out.extend(self.on_authorized(conn));
        out
    }

    /// What follows a successful authorization: the welcome message, if the channel has one.
    pub(crate) fn on_authorized(&self, conn: u64) -> Vec<Effect> {
        let Some(c) = self.conns.get(&conn) else {
            return Vec::new();
        };
        match self.config.channel(c.brand, &c.channel) {
            Some(ch) if ch.agent.welcome.is_some() => {
                vec![Effect::Agent {
                    after: Duration::from_millis(ch.agent.welcome_after_ms),
                    action: AgentAction::Proactive {
                        conn,
                        trigger: None,
                    },
                }]
            }
            _ => Vec::new(),
        }
    }

    fn reconnect(&mut self, conn: u64, event_id: &str, et: &str, token: &str) -> Vec<Effect> {
        let refused = Faults::take(&mut self.faults.refuse_authorizations);
        let key = self.check_token(token, TokenKind::Access).cloned();
        match (refused, key) {
            (false, Some(key))
                if self
                    .conns
                    .get(&conn)
                    .is_some_and(|c| c.brand == key.brand && c.channel == key.channel) =>
            {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.customer = Some(key.customer.clone());
                }
                let mut out = vec![reply(
                    et,
                    postback(
                        event_id,
                        "ConsumerReconnected",
                        EventBody::ConsumerReconnected,
                    ),
                )];
                out.extend(self.on_authorized(conn));
                out
            }
            _ => fail(
                et,
                event_id,
                "ConsumerReconnectionFailed",
                "The access token is invalid or expired; refresh it or authorize again.",
            ),
        }
    }

    fn refresh(&mut self, conn: u64, event_id: &str, token: &str) -> Vec<Effect> {
        let et = "RefreshToken";
        // An expired token may still be refreshed; an unknown one, or one issued in another
        // channel than the socket's, may not.
        let channel = self.conns.get(&conn).map(|c| (c.brand, c.channel.clone()));
        let known = self
            .tokens
            .get(token)
            .filter(|t| t.kind == TokenKind::Access)
            .filter(|t| channel.as_ref() == Some(&(t.key.brand, t.key.channel.clone())))
            .map(|t| t.key.clone());
        let refused = Faults::take(&mut self.faults.refuse_authorizations);
        match (refused, known) {
            (false, Some(key)) => {
                self.tokens.remove(token);
                let ttl = self.config.access_token_ttl_secs;
                let new = self.issue_token(key.clone(), TokenKind::Access, ttl);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.customer = Some(key.customer);
                }
                let body = TokenRefreshed {
                    access_token: AccessToken {
                        token: new,
                        expires_in: Some(ttl as i64),
                        current_date: None,
                    },
                };
                vec![reply(
                    et,
                    postback(event_id, "TokenRefreshed", EventBody::TokenRefreshed(body)),
                )]
            }
            _ => fail(
                et,
                event_id,
                "TokenRefreshingFailed",
                "The token cannot be refreshed; authorize again with a new authorization code.",
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send_message(
        &mut self,
        conn: u64,
        event_id: &str,
        et: &str,
        key: &CustomerKey,
        d: MessageData,
        direction: Direction,
        identity: &Option<(
            cxone_chat_protocol::cxone::sent::IdentityKey,
            CustomerIdentity,
        )>,
    ) -> Vec<Effect> {
        // `SendOutbound` is answered like `SendMessage`, with its own failure code: the web SDK
        // awaits the same-id acknowledgement (and rejects on the error); the mobile SDKs send it
        // without waiting.
        let failed = match direction {
            Direction::Outbound => "SendingOutboundFailed",
            Direction::Inbound => "SendingMessageFailed",
        };
        let err = |msg: &str| fail(et, event_id, failed, msg);
        let Some(ch) = self.config.channel(key.brand, &key.channel).cloned() else {
            return Vec::new();
        };
        let tid = d.thread.id_on_external_platform.clone();
        if let Some(t) = self.thread(&tid) {
            if t.key != *key {
                return err("The thread belongs to another customer.");
            }
            if !t.can_add_more {
                return err("The thread is archived or closed; start a new thread.");
            }
            if let Some(m) = t.message_by_id(&d.id_on_external_platform).cloned() {
                // A retried send (same message id) is acknowledged again but stored once; the
                // echo is repeated to the sender in case the first one was lost with its socket.
                {
                    let frame = frames::message_created(t, &m);
                    outbound::send(self, conn, &frame);
                }
                return vec![reply(et, ack(event_id))];
            }
        }
        let has_text = d
            .message_content
            .plain_text()
            .is_some_and(|t| !t.trim().is_empty());
        if !has_text && d.attachments.is_empty() {
            return err("A message needs text, a postback or an attachment.");
        }
        if !d.attachments.is_empty() && !ch.attachments {
            return err("Attachments are disabled in this channel.");
        }
        if ch.auth == Auth::Oauth {
            let kind = if ch.secured_sessions {
                TokenKind::ThirdPartyAccess
            } else {
                TokenKind::Access
            };
            let ok = d
                .access_token
                .as_ref()
                .is_some_and(|t| self.check_token(&t.token, kind).is_some_and(|k| k == key));
            if !ok {
                return err("A valid access token is required; refresh the token.");
            }
        }
        let now = now_ms();
        let reopened = self
            .thread(&tid)
            .is_some_and(|t| t.contact.status == ContactStatus::Closed);
        let is_new = self.thread(&tid).is_none();
        if is_new || reopened {
            let mut contact_fields = Vec::new();
            merge_fields(&mut contact_fields, d.contact_fields());
            if is_new {
                for f in ch.pre_chat.iter().filter(|f| f.required) {
                    if !contact_fields
                        .iter()
                        .any(|c| c.ident == f.ident && !c.value.trim().is_empty())
                    {
                        return err(&format!(
                            "The pre-chat survey field {:?} is required.",
                            f.ident
                        ));
                    }
                }
            }
            let contact = ContactRec {
                id: self.next_contact_id(),
                status: ContactStatus::New,
                created_ms: now,
                status_ms: now,
                custom_fields: contact_fields,
                assignee: None,
                previous_assignee: None,
                queue_position: None,
                transcripts_sent_to: Vec::new(),
            };
            if is_new {
                let rec = ThreadRec {
                    key: key.clone(),
                    id: tid.clone(),
                    name: d.thread.thread_name.clone().unwrap_or_default(),
                    can_add_more: true,
                    created_ms: now,
                    updated_ms: now,
                    contact,
                    messages: Vec::new(),
                    message_index: Default::default(),
                    inbound_count: 0,
                    first_outbound: None,
                };
                self.threads.insert(tid.to_lowercase(), rec);
                self.customers
                    .entry(key.clone())
                    .or_default()
                    .threads
                    .push(tid.to_lowercase());
            } else if let Some(t) = self.thread_mut(&tid) {
                t.contact = contact;
            }
        } else if let Some(t) = self.thread_mut(&tid) {
            merge_fields(&mut t.contact.custom_fields, d.contact_fields());
        }
        self.merge_customer_fields(key, d.customer_fields());
        let author = identity.as_ref().map(|(_, i)| i.clone());
        let message = Message {
            id_on_external_platform: d.id_on_external_platform.clone(),
            thread_id_on_external_platform: Some(tid.clone()),
            thread_id: None,
            post_id: None,
            message_content: d.message_content.clone(),
            created_at: Timestamp::from_unix_ms_seconds(now),
            created_at_with_milliseconds: Some(Timestamp::from_unix_ms_millis(now)),
            direction: Some(direction),
            is_own: None,
            attachments: d
                .attachments
                .iter()
                .map(|a| Attachment {
                    url: a.url.clone(),
                    friendly_name: a.friendly_name.clone(),
                    mime_type: a
                        .mime_type
                        .clone()
                        .unwrap_or_else(|| "application/octet-stream".into()),
                    file_name: Some(
                        a.file_name
                            .clone()
                            .unwrap_or_else(|| a.friendly_name.clone()),
                    ),
                })
                .collect(),
            user_statistics: Some(UserStatistics::default()),
            customer_statistics: Some(CustomerStatistics::default()),
            author_user: None,
            author_end_user_identity: (direction == Direction::Inbound)
                .then_some(author)
                .flatten(),
        };
        let hidden = d.message_content.is_hidden();
        let (frame, contact_stage, case_created) = {
            let t = self.thread_mut(&tid).expect("thread exists");
            t.push_message(message.clone());
            t.updated_ms = now;
            (
                frames::message_created(t, &message),
                if is_new || reopened {
                    ContactStage::Opened
                } else if t.contact.status == ContactStatus::New && t.contact.assignee.is_none() {
                    ContactStage::Waiting
                } else {
                    ContactStage::Handled
                },
                (is_new || reopened).then(|| frames::case_created(t)),
            )
        };
        let mut out = vec![reply(et, ack(event_id))];
        // A message that opened a contact is followed by `CaseCreated` (the web SDK's
        // `ContactCreated`: it stores the contact id that `endChat()` needs and marks the thread
        // as existing), then by the echo; both go to every connection of the customer.
        if let Some(case_created) = case_created {
            out.push(Effect::Agent {
                after: Duration::ZERO,
                action: AgentAction::Push {
                    key: key.clone(),
                    frame: Box::new(case_created),
                },
            });
        }
        // The echo goes to every connection of the customer, the sender included, after the ack.
        out.push(Effect::Agent {
            after: Duration::ZERO,
            action: AgentAction::Push {
                key: key.clone(),
                frame: Box::new(frame),
            },
        });
        // The customer chose to end the conversation in an inactivity popup (iOS: flagged TEXT;
        // Android: POSTBACK): the workflow waiting for the answer closes the contact.
        if direction == Direction::Inbound && expires_session(&d.message_content) {
            out.push(Effect::Agent {
                after: Duration::ZERO,
                action: AgentAction::Close {
                    thread: tid.clone(),
                },
            });
        }
        if direction == Direction::Inbound {
            let text = d.message_content.plain_text();
            out.extend(crate::agent::react_to_customer_message(
                &ch.agent,
                ch.mode == Mode::Live,
                &tid,
                contact_stage,
                hidden,
                text.as_deref(),
            ));
        }
        out
    }

    /// Sets a contact's status and pushes `CaseStatusChanged` to the customer; a closed live
    /// chat thread takes no more messages.
    pub(crate) fn set_case_status(&mut self, contact_id: &str, status: ContactStatus) -> bool {
        let Some(t) = self
            .threads
            .values_mut()
            .find(|t| t.contact.id == contact_id)
        else {
            return false;
        };
        let live = self
            .config
            .channel(t.key.brand, &t.key.channel)
            .is_some_and(|c| c.mode == Mode::Live);
        t.contact.status = status.clone();
        t.contact.status_ms = now_ms();
        if status == ContactStatus::Closed {
            t.contact.queue_position = None;
            if live {
                t.can_add_more = false;
            }
        }
        let key = t.key.clone();
        let body = cxone_chat_protocol::cxone::events::CaseStatusChanged {
            brand: cxone_chat_protocol::cxone::common::BrandRef { id: key.brand },
            channel: IdRef::new(key.channel.clone()),
            case: t.contact_wire(),
        };
        let frame = push(
            "CaseStatusChanged",
            Some("Case"),
            EventBody::CaseStatusChanged(body),
        );
        outbound::to_customer(self, &key, &frame);
        true
    }

    /// `ThreadRecovered` data for a thread: its newest page of messages, newest first.
    pub(crate) fn recovered(&self, t: &ThreadRec) -> ThreadRecovered {
        let (messages, token) = page(&t.messages, t.messages.len());
        ThreadRecovered {
            contact: Some(t.contact_wire()),
            consumer_contact: None,
            inbox_assignee: t.contact.assignee.clone(),
            previous_inbox_assignee: t.contact.previous_assignee.clone(),
            owner_assignee: t.contact.assignee.clone(),
            messages,
            messages_scroll_token: Some(token),
            thread: self.thread_wire(t, false),
            customer: Some(CustomFields {
                custom_fields: self
                    .customers
                    .get(&t.key)
                    .map(|c| c.custom_fields.clone())
                    .unwrap_or_default(),
            }),
        }
    }

    /// A thread in the wire shape.
    pub(crate) fn thread_wire(&self, t: &ThreadRec, with_unseen: bool) -> Thread {
        let (by_customer, by_agent) = crate::enrich::unseen_counts(t);
        let count = |n: usize| with_unseen.then_some(n as u64);
        Thread {
            id: Some(frames::server_thread_id(t)),
            id_on_external_platform: t.id.clone(),
            channel_id: t.key.channel.clone(),
            thread_name: t.name.clone(),
            can_add_more_messages: t.can_add_more,
            created_at: Some(Timestamp::from_unix_ms_seconds(t.created_ms)),
            updated_at: Some(Timestamp::from_unix_ms_seconds(t.updated_ms)),
            // As recorded (7, 7, 0): the plain count is the agents' side.
            unseen_messages_count: count(by_agent),
            unseen_by_user_messages_count: count(by_agent),
            unseen_by_end_user_messages_count: count(by_customer),
        }
    }
}

/// The page of `messages` (oldest first) that ends before index `end`, newest first, and the
/// scroll token for the page before it (empty when there is none).
pub(crate) fn page(messages: &[Message], end: usize) -> (Vec<Message>, String) {
    let start = end.saturating_sub(PAGE);
    let page = messages[start..end].iter().rev().cloned().collect();
    let token = if start == 0 {
        String::new()
    } else {
        format!("emu-page-{start}")
    };
    (page, token)
}

fn parse_scroll_token(token: &str) -> Option<usize> {
    token.strip_prefix("emu-page-")?.parse().ok()
}

/// The identity an OAuth authorization code stands for. Codes are opaque to CXone; the
/// emulator documents a convention so that tests can log the same person in twice: the part
/// before the first `:` names the person (`alice:1` and `alice:2` are both Alice).
pub(crate) fn oauth_identity(code: &str) -> CustomerIdentity {
    let who = code.split(':').next().unwrap_or(code);
    let mut first = who.to_owned();
    if let Some(c) = first.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    CustomerIdentity {
        id_on_external_platform: format!("oauth-{who}"),
        first_name: Some(first),
        last_name: Some("Example".into()),
        image: None,
    }
}

/// Whether content answers an inactivity popup with its expire button: the button's postback,
/// however the client carries it — iOS's flagged TEXT, Android's POSTBACK, or the web SDK's
/// `sendPostbackMessage` (a TEXT with a postback and no flag). The workflow waiting for the
/// answer reads the postback; the flag only keeps the answer out of the transcript.
fn expires_session(content: &MessageContent) -> bool {
    let postback = match content {
        MessageContent::Text(t) => t.postback(),
        MessageContent::Postback(p) => Some(p.postback.as_str()),
        _ => None,
    };
    postback
        .and_then(|p| SessionExpirationPostback::parse(p).ok())
        .is_some_and(|s| s.kind == SessionExpirationPostback::TYPE && s.is_expired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxone_chat_protocol::cxone::common::UuidString;

    fn msg(i: usize) -> Message {
        serde_json::from_value(json!({
            "idOnExternalPlatform": UuidString::new_v4().to_string(),
            "threadIdOnExternalPlatform": "3118d0df-99aa-49e9-a115-c5b98736dee7",
            "messageContent": {"type": "TEXT", "payload": {"text": format!("m{i}")}},
            "createdAt": Timestamp::from_unix_ms_seconds(1_000_000 + i as i64 * 1000).as_str(),
            "direction": "inbound", "attachments": []
        }))
        .unwrap()
    }

    #[test]
    fn pages_walk_back_through_history_newest_first() {
        let all: Vec<Message> = (0..60).map(msg).collect();
        let (p1, t1) = page(&all, all.len());
        assert_eq!(p1.len(), PAGE);
        assert_eq!(p1[0].message_content.plain_text().as_deref(), Some("m59"));
        let (p2, t2) = page(&all, parse_scroll_token(&t1).unwrap());
        assert_eq!(p2[0].message_content.plain_text().as_deref(), Some("m34"));
        let (p3, t3) = page(&all, parse_scroll_token(&t2).unwrap());
        assert_eq!((p3.len(), t3.as_str()), (10, ""));
        assert_eq!(
            p3.last().unwrap().message_content.plain_text().as_deref(),
            Some("m0")
        );
    }

    #[test]
    fn oauth_codes_name_a_stable_person() {
        assert_eq!(
            oauth_identity("alice:1").id_on_external_platform,
            oauth_identity("alice:2").id_on_external_platform
        );
        assert_eq!(oauth_identity("bob").first_name.as_deref(), Some("Bob"));
    }
}
