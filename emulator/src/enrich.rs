//! The rest of a real frame. The typed structs of `cxone_chat_protocol` keep only what the
//! SDKs read, but the real back end sends far more: a `channel` with some sixty settings, a
//! `brand` with its name and time zone, messages with server ids, tags, sentiment and
//! reaction counters, cases with routing, SLA and end-user records, agents with their logins,
//! `context` and `traceId` on pushes. A client written against the emulator must cope with
//! all of that, so every frame is passed through [`enrich`] before it is sent.
//!
//! Rules: a key already present is never overwritten, so nothing the SDKs read changes; values
//! come from the emulator's state where there is something to derive them from (ids, names,
//! times, counters, the channel's settings, the assignee) and are fixed, plausible defaults
//! otherwise; every value has the JSON type the real server uses. Two things go beyond adding
//! keys, both as the real server does them:
//!
//! * the real back end writes an *empty* `messageContent.parameters` map as `[]` — an iOS
//!   customer message sent with `"parameters": {}` comes back with `"parameters": []` — so an
//!   empty object there becomes an empty array (both SDKs read either as "no flags");
//! * an agent's own message is read by its author when it is created (`userStatistics.readAt`
//!   equals `createdAt`, `createdToReadSeconds` zero), so outbound messages without a `readAt`
//!   get one.
//!
//! The key lists below are the emulator's own; `tests/fidelity.rs` checks them against real
//! captures of every event type the emulator sends.

use std::hash::{Hash, Hasher};

use cxone_chat_protocol::cxone::common::{Agent, UuidString};
use cxone_chat_protocol::cxone::message::Direction;
use cxone_chat_protocol::cxone::time::Timestamp;
use serde_json::{Map, Value, json};

use crate::backend::{Backend, CustomerKey, ThreadRec, now_ms};
use crate::config::{ChannelConfig, Mode};

type Obj = Map<String, Value>;

/// The routing queue every emulated contact waits in (the id `SetPositionInQueue` names).
const QUEUE_ID: &str = "emulator-queue";

/// Adds the keys the real back end sends to a serialized frame bound for connection `conn`.
pub(crate) fn enrich(b: &Backend, conn: u64, frame: &mut Value) {
    let Some(c) = b.conns.get(&conn) else {
        return;
    };
    let cx = Cx {
        b,
        conn,
        brand: c.brand,
        channel_id: &c.channel,
        channel: b.config.channel(c.brand, &c.channel),
    };
    let Value::Object(top) = frame else {
        return;
    };
    if top.contains_key("error") {
        cx.operation_error(top);
        return;
    }
    // API-Gateway errors (no eventId) are complete as they are.
    if !top.contains_key("eventId") {
        return;
    }
    if let Some(Value::Object(postback)) = top.get_mut("postback") {
        let event_type = str_of(postback, "eventType");
        if let Some(Value::Object(data)) = postback.get_mut("data") {
            cx.reply(&event_type, data);
        }
        // These replies repeat their type at the top level.
        if matches!(
            event_type.as_str(),
            "TokenRefreshed" | "ConsumerReconnected"
        ) {
            top.entry("eventType")
                .or_insert(Value::String(event_type.clone()));
        }
        // The authorization reply marks the connection authorized. The web SDK's socket
        // client starts its heartbeat on the first frame with this top-level key when the
        // socket was not authorized at the handshake ("if secured session is ON; start the
        // heartbeat right away because there is no authorization response from lambda");
        // without it a legacy web client never sends a heartbeat.
        if event_type == "ConsumerAuthorized" {
            put(top, "authorizationStatus", "authorized".into());
        }
        return;
    }
    let event_type = str_of(top, "eventType");
    // The `SendMessage` acknowledgement is a bare `{eventId}` and must stay untyped.
    if event_type.is_empty() {
        return;
    }
    if let Some(Value::Object(data)) = top.get_mut("data") {
        cx.push(&event_type, data);
    }
    match event_type.as_str() {
        // Sent without context or trace by the real server.
        "SetPositionInQueue" | "EventInS3" => {}
        "FireProactiveAction" => {
            let workflow = top
                .get("data")
                .and_then(|d| d.pointer("/proactiveAction/action/context/workflow/id"))
                .cloned()
                .unwrap_or(Value::Null);
            put(
                top,
                "context",
                json!({"initiator": {"id": workflow, "type": "workflow"}}),
            );
            put(top, "traceId", uuid::Uuid::new_v4().to_string().into());
        }
        _ => {
            put(top, "context", json!([]));
            put(top, "traceId", uuid::Uuid::new_v4().to_string().into());
        }
    }
}

/// What a frame is enriched from: the back end and the connection it goes to.
struct Cx<'a> {
    b: &'a Backend,
    conn: u64,
    brand: i64,
    channel_id: &'a str,
    channel: Option<&'a ChannelConfig>,
}

impl Cx<'_> {
    /// Replies (`postback.data`).
    fn reply(&self, event_type: &str, data: &mut Obj) {
        match event_type {
            "ConsumerAuthorized" => {
                for key in ["customer", "contact"] {
                    if let Some(Value::Object(o)) = data.get_mut(key) {
                        self.custom_fields(o, now_ms());
                    }
                }
            }
            "ThreadRecovered" | "LivechatRecovered" => self.recovered(data),
            "ThreadListFetched" => {
                for t in objects(data.get_mut("threads")) {
                    self.thread_full(t);
                }
            }
            "ThreadMetadataLoaded" => {
                match data.get_mut("ownerAssignee") {
                    Some(Value::Object(a)) => self.agent(a, true),
                    _ => put(data, "ownerAssignee", Value::Null),
                }
                if let Some(Value::Object(m)) = data.get_mut("lastMessage") {
                    self.message(m);
                }
            }
            "MoreMessagesLoaded" => {
                let thread = data
                    .get("messages")
                    .and_then(|m| m.pointer("/0/threadIdOnExternalPlatform"))
                    .and_then(Value::as_str)
                    .and_then(|id| self.thread(id));
                for m in objects(data.get_mut("messages")) {
                    self.message(m);
                }
                put(data, "scrollToken", "".into());
                put(data, "contactHistory", self.contact_history(thread));
            }
            _ => {}
        }
    }

    /// `ThreadRecovered` / `LivechatRecovered` data.
    fn recovered(&self, data: &mut Obj) {
        let t = data
            .get("thread")
            .and_then(|t| t.get("idOnExternalPlatform"))
            .and_then(Value::as_str)
            .and_then(|id| self.thread(id));
        if let Some(Value::Object(thread)) = data.get_mut("thread") {
            self.thread_full(thread);
        }
        for key in ["contact", "consumerContact"] {
            if let Some(Value::Object(c)) = data.get_mut(key) {
                self.case(c, true);
            }
        }
        for key in ["inboxAssignee", "ownerAssignee", "previousInboxAssignee"] {
            match data.get_mut(key) {
                Some(Value::Object(a)) => self.agent(a, true),
                // The real server writes unassigned as null; it never omits the two current keys.
                _ if key != "previousInboxAssignee" => put(data, key, Value::Null),
                _ => {}
            }
        }
        for m in objects(data.get_mut("messages")) {
            self.message(m);
        }
        put(data, "messagesScrollToken", "".into());
        if let Some(t) = t {
            match data.get_mut("customer") {
                Some(Value::Object(c)) => fill(c, self.customer_record(t)),
                _ => put(data, "customer", self.customer_record(t)),
            }
            if let Some(Value::Object(c)) = data.get_mut("customer") {
                self.custom_fields(c, t.updated_ms);
            }
        }
        // Every recovery carries the history (the 2022 messaging capture has it; live chat
        // fills it, messaging sends it empty): the web SDK maps `contactHistory` of every
        // `ThreadRecovered` / `LivechatRecovered` and, when it is missing, throws while handling
        // the frame, so `recoverThreadData()` never settles.
        put(data, "contactHistory", self.contact_history(t));
    }

    /// Pushes (`data` at the top level).
    fn push(&self, event_type: &str, data: &mut Obj) {
        if let Some(Value::Object(brand)) = data.get_mut("brand") {
            self.brand(brand);
        }
        if let Some(Value::Object(channel)) = data.get_mut("channel") {
            self.channel(channel);
        }
        let t = [
            "/case/threadIdOnExternalPlatform",
            "/thread/idOnExternalPlatform",
            "/message/threadIdOnExternalPlatform",
        ]
        .iter()
        .find_map(|p| pointer_str(data, p))
        .and_then(|id| self.thread(&id));
        if let Some(Value::Object(case)) = data.get_mut("case") {
            self.case(case, false);
        }
        if let Some(Value::Object(m)) = data.get_mut("message") {
            self.message(m);
        }
        match event_type {
            "MessageCreated" => {
                if let (Some(Value::Object(thread)), Some(t)) = (data.get_mut("thread"), t) {
                    put(thread, "id", server_thread_id(t).into());
                }
                put(data, "agentContact", self.agent_contact(t));
            }
            "MessageReadChanged" | "MessageSeenChanged" => {
                put(data, "agentContact", self.agent_contact(t));
            }
            "CaseInboxAssigneeChanged" => {
                for key in ["inboxAssignee", "previousInboxAssignee"] {
                    match data.get_mut(key) {
                        Some(Value::Object(a)) => self.agent(a, false),
                        _ => put(data, key, Value::Null),
                    }
                }
                put(data, "routingQueue", self.routing_queue());
                put(
                    data,
                    "acceptRejectFlow",
                    json!({"isEnabled": false, "refusalTimeoutSeconds": 0, "isTransfer": false}),
                );
            }
            "CaseStatusChanged" => {
                let queue = match t {
                    Some(t) if self.is_live() && t.contact.assignee.is_none() => {
                        self.routing_queue()
                    }
                    _ => Value::Null,
                };
                put(data, "routingQueue", queue);
                put(data, "routingMode", "legacy".into());
                put(data, "preferredUserForNextAssign", Value::Null);
            }
            "CaseCreated" => {
                put(data, "routingQueue", self.routing_queue());
                put(data, "routingMode", "legacy".into());
                put(data, "preferredUserForNextAssign", Value::Null);
            }
            "SenderTypingStarted" | "SenderTypingEnded" => {
                // The emulator only pushes the agent's typing. The web SDK reports
                // `AgentTypingStarted` / `AgentTypingEnded` only for `direction: "outbound"`
                // (its event type declares `direction?: 'inbound' | 'outbound'`).
                put(data, "direction", "outbound".into());
                if let (Some(Value::Object(thread)), Some(t)) = (data.get_mut("thread"), t) {
                    fill(
                        thread,
                        json!({
                            "id": server_thread_id(t),
                            "threadName": t.name,
                            "channelId": t.key.channel,
                            "canAddMoreMessages": t.can_add_more,
                        }),
                    );
                }
                if let Some(Value::Object(user)) = data.get_mut("user") {
                    self.agent(user, false);
                }
            }
            "FireProactiveAction" => {
                if let Some(Value::Object(pa)) = data.get_mut("proactiveAction") {
                    put(pa, "conditions", json!([]));
                    if let Some(Value::Object(action)) = pa.get_mut("action") {
                        let name = str_of(action, "actionName");
                        let workflow = derived_uuid(&["workflow", &self.brand.to_string(), &name]);
                        put(
                            action,
                            "context",
                            json!({"workflow": {"id": workflow, "name": name}}),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Operation errors carry the `data` of the request they answer, as `inputData`, with the
    /// server's id added to a thread reference.
    fn operation_error(&self, top: &mut Obj) {
        if top.contains_key("inputData") {
            return;
        }
        let event_id = str_of(top, "eventId");
        let mut input = self
            .b
            .records
            .iter()
            .rev()
            .take(2_000)
            .find(|r| {
                r.connection == Some(self.conn)
                    && r.body.get("eventId").and_then(Value::as_str) == Some(event_id.as_str())
            })
            .and_then(|r| r.body.pointer("/payload/data").cloned())
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        if let Some(Value::Object(thread)) = input.get_mut("thread")
            && let Some(id) = thread.get("idOnExternalPlatform").and_then(Value::as_str)
        {
            let sid = format!("{}_{id}", self.channel_id);
            put(thread, "id", sid.into());
        }
        top.insert("inputData".into(), input);
    }

    fn thread(&self, id: &str) -> Option<&ThreadRec> {
        self.b.threads.get(&id.to_ascii_lowercase())
    }

    fn is_live(&self) -> bool {
        self.channel.is_some_and(|c| c.mode == Mode::Live)
    }

    fn brand(&self, o: &mut Obj) {
        let id = o.get("id").and_then(Value::as_i64).unwrap_or(self.brand);
        fill(
            o,
            json!({
                "id": id,
                "friendlyName": format!("Emulated brand {id}"),
                "timezone": "UTC",
                "brandHash": format!("{:016x}{:04x}", hash64(&("brand", id)), id & 0xffff),
                "tenantId": derived_uuid(&["tenant", &id.to_string()]),
                "businessUnitId": 4_000_000 + id,
            }),
        );
    }

    fn brand_value(&self) -> Value {
        let mut o = Obj::new();
        self.brand(&mut o);
        Value::Object(o)
    }

    fn channel(&self, o: &mut Obj) {
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(self.channel_id)
            .to_owned();
        let cfg = self.channel.cloned().unwrap_or_default();
        let number = self
            .b
            .config
            .brands
            .get(&self.brand)
            .and_then(|b| b.channels.keys().position(|k| *k == id))
            .map_or(1, |i| i + 1);
        fill(
            o,
            json!({
                "id": id,
                "idOnExternalPlatform": id.strip_prefix("chat_").unwrap_or(&id),
                "name": cfg.name,
                "channelIntegrationId": derived_uuid(&["integration", &self.brand.to_string(), &id]),
                "integrationBoxIdentifier": "chat",
                "realExternalPlatformId": "chat",
                "externalPlatformId": "chat",
                "externalPlatformAvatar": format!("{}/img/source-default.png", self.b.base_url),
                "externalPlatformIcon": "live-chat",
                "isPrivate": true,
                "hasReply": true,
                "hasTreeStructure": false,
                "hasPostAsPlaceholder": true,
                "contentFormat": "plain",
                "hasCustomerOnThirdParty": false,
                "isPostWritable": true,
                "hasAbilityToQuoteMessage": false,
                "hasAbilityToLike": false,
                "isHidden": false,
                "isDeleted": false,
                "wysiwygEnabled": false,
                "hasAbilityToTag": false,
            }),
        );
        fill(
            o,
            json!({
                "ownerUserId": cfg.agent.id,
                "hasPublishing": false,
                "hasAbilityToSendFiles": cfg.attachments,
                "hasOutboundFlow": false,
                "hasManualOutboundFlow": false,
                "hasOutboundTemplates": false,
                "hasAbilityToShare": false,
                "hasAbilityToDelete": false,
                "hasAbilityToHide": false,
                "replyPrefixMentionTemplate": "",
                "nicknameOnExternalPlatform": "",
                "isLiveChat": cfg.mode == Mode::Live,
                "hasAbilityToChangeRecipient": false,
                "hasMultipleRecipient": false,
                "hasCcAndBcc": false,
                "hasVisibleTitle": false,
                "hasEditableTitle": false,
                "hasVisibleRecipients": false,
                "hasAbilityToForwardMessage": false,
                "canSaveResponse": false,
                "hasAbilityToChangeFrom": false,
                "isAutomaticSignatureAttached": false,
                "isCaseBasedStorage": true,
                "hasMultipleThreadsPerEndUser": cfg.mode == Mode::Multi,
                "translationGroup": "default",
                "studioScript": null,
                "mediaType": 3,
                "canAgentInviteCustomersToContact": false,
                "canReplyToAnyMessage": false,
                "pointOfContactId": null,
                "isTrackingMessageDeliveryStatus": false,
                "channelNumber": number,
            }),
        );
    }

    fn channel_value(&self) -> Value {
        let mut o = Obj::new();
        self.channel(&mut o);
        Value::Object(o)
    }

    /// A CXone user (agent). `assignee` adds the longer form recoveries and thread metadata
    /// use for `ownerAssignee` / `inboxAssignee`.
    fn agent(&self, o: &mut Obj, assignee: bool) {
        let id = o.get("id").and_then(Value::as_i64).unwrap_or_default();
        let first = str_of(o, "firstName");
        let surname = str_of(o, "surname");
        let login = format!(
            "{}.{}@brand{}.emulator.invalid",
            first.to_lowercase(),
            surname.to_lowercase(),
            self.brand
        )
        .replace(' ', "");
        let public = o
            .get("publicImageUrl")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let image = o
            .get("imageUrl")
            .and_then(Value::as_str)
            .map_or_else(|| public.clone(), str::to_owned);
        let is_bot = o.get("isBotUser").and_then(Value::as_bool).unwrap_or(false);
        fill(
            o,
            json!({
                "incontactId": derived_uuid(&["incontact", &id.to_string()]),
                "agentId": null,
                "emailAddress": login,
                "loginUsername": login,
                "nickname": "",
                "imageUrl": image,
                "publicImageUrl": public,
                "isBotUser": false,
                "isSurveyUser": false,
            }),
        );
        if assignee {
            fill(
                o,
                json!({
                    "username": login,
                    "name": first,
                    "fullName": format!("{first} {surname}").trim(),
                    "image": image,
                    "imagePublic": public,
                    "email": login,
                    "inContactId": null,
                    "inContactSharedUser": false,
                    "isChatbot": is_bot,
                    "userType": "user",
                }),
            );
        }
    }

    fn agent_value(&self, a: &Agent, assignee: bool) -> Value {
        let mut v = crate::backend::json(a);
        if let Value::Object(o) = &mut v {
            self.agent(o, assignee);
        }
        v
    }

    /// `agentContact` of message events: the agent's leg of the contact, while assigned.
    fn agent_contact(&self, t: Option<&ThreadRec>) -> Value {
        let Some((t, a)) = t.and_then(|t| Some((t, t.contact.assignee.as_ref()?))) else {
            return Value::Null;
        };
        json!({
            "id": derived_uuid(&["agent-contact", &t.contact.id, &a.id.to_string()]),
            "user": self.agent_value(a, false),
            "createdAt": ts(t.contact.status_ms),
            "closedAt": null,
        })
    }

    fn routing_queue(&self) -> Value {
        let name = self.channel.map_or_else(
            || "Emulated queue".to_owned(),
            |c| format!("{} queue", c.name),
        );
        json!({
            "id": QUEUE_ID,
            "name": name,
            "isSubqueue": false,
            "isDeleted": false,
            "skillId": 0,
            "isAcceptRejectFlowEnabled": false,
            "acceptRejectFlowRefusalTimeoutInSeconds": 0,
            "evaluationCriteria": "off",
            "focusMetric": "per_contact",
            "focusLock": "always",
            "focusFallbackTime": 10,
            "initialPriority": 0,
            "acceleration": 1,
            "maxPriority": 1000,
            "afterContactWork": {"isEnabled": false, "outstateId": null, "timerInMilliseconds": null},
        })
    }

    /// The customer of a thread: (id, first name, last name).
    fn person(&self, key: &CustomerKey) -> (String, String, String) {
        let c = self.b.customers.get(key);
        let first = c.and_then(|c| c.first_name.clone()).unwrap_or_default();
        let last = c.and_then(|c| c.last_name.clone()).unwrap_or_default();
        (key.customer.clone(), first, last)
    }

    /// An end-user identity (`authorEndUserIdentity`, `identities[]`).
    fn identity(&self, o: &mut Obj, key: &CustomerKey) {
        let (_, first, last) = self.person(key);
        let id = o
            .get("idOnExternalPlatform")
            .and_then(Value::as_str)
            .unwrap_or(&key.customer)
            .to_owned();
        put(o, "firstName", first.into());
        put(o, "lastName", last.into());
        let full = format!("{} {}", str_of(o, "firstName"), str_of(o, "lastName"));
        fill(
            o,
            json!({
                "idOnExternalPlatform": id,
                "nickname": full.trim(),
                "image": "",
                "externalPlatformId": "chat",
                "id": format!("chat_{id}"),
                "fullName": full.trim(),
            }),
        );
    }

    fn identity_value(&self, key: &CustomerKey) -> Value {
        let mut o = Obj::new();
        self.identity(&mut o, key);
        Value::Object(o)
    }

    /// The end user of a case, with statistics over the thread.
    fn end_user(&self, t: &ThreadRec) -> Value {
        let (id, first, last) = self.person(&t.key);
        let (inbound, outbound) = counts(t);
        let mut fields = json!({
            "customFields": self.b.customers.get(&t.key).map(|c| crate::backend::json(&c.custom_fields)).unwrap_or_else(|| json!([]))
        });
        if let Value::Object(f) = &mut fields {
            self.custom_fields(f, t.updated_ms);
        }
        json!({
            "id": format!("chat_{id}"),
            "updatedAt": ts(t.updated_ms),
            "firstName": first,
            "surname": last,
            "fullName": format!("{first} {last}").trim(),
            "customFields": fields["customFields"],
            "image": "",
            "identities": [self.identity_value(&t.key)],
            "messageStatistics": {"inbound": inbound, "outbound": outbound},
            "sentimentStatistics": {"positive": 0, "neutral": inbound, "negative": 0},
        })
    }

    fn recipient(&self, key: &CustomerKey) -> Value {
        let (id, first, last) = self.person(key);
        json!({
            "idOnExternalPlatform": id,
            "name": format!("{first} {last}").trim(),
            "isPrimary": true,
            "isPrivate": false,
            "anonymizedAt": null,
            "anonymizedReason": null,
        })
    }

    /// `data.customer` of recoveries: the customer record.
    fn customer_record(&self, t: &ThreadRec) -> Value {
        let (id, first, last) = self.person(&t.key);
        let full = format!("{first} {last}").trim().to_owned();
        let fields = self
            .b
            .customers
            .get(&t.key)
            .map(|c| crate::backend::json(&c.custom_fields))
            .unwrap_or_else(|| json!([]));
        json!({
            "id": format!("chat_{id}"),
            "name": first,
            "surname": last,
            "firstName": first,
            "lastName": last,
            "fullName": full,
            "lastUpdateAt": ts(t.updated_ms),
            "idents": [{
                "id": id,
                "idOnExternalPlatform": id,
                "source": "chat",
                "externalPlatformId": "chat",
                "followingCount": 0,
                "followedCount": 0,
                "name": first,
                "surname": last,
                "nickname": full,
                "description": "",
            }],
            "customFields": fields,
        })
    }

    /// Custom-field values as the server stores them (`value_number`, `value_not_analyzed`).
    fn custom_fields(&self, o: &mut Obj, updated_ms: i64) {
        put(o, "customFields", json!([]));
        for f in objects(o.get_mut("customFields")) {
            let value = f.get("value").cloned().unwrap_or_else(|| "".into());
            fill(
                f,
                json!({
                    // The real server writes 0 here even for numeric text.
                    "value_number": 0,
                    "value_not_analyzed": value,
                    "updatedAt": ts(updated_ms),
                }),
            );
        }
    }

    /// A contact (`case` in pushes, `contact` in recoveries). `recovered` adds the keys of the
    /// contact object in recoveries (the older contact serialization).
    fn case(&self, o: &mut Obj, recovered: bool) {
        let Some(t) = o
            .get("threadIdOnExternalPlatform")
            .and_then(Value::as_str)
            .and_then(|id| self.thread(id))
        else {
            self.custom_fields(o, now_ms());
            return;
        };
        let c = &t.contact;
        let sid = server_thread_id(t);
        let assignee = c.assignee.as_ref();
        let agent = |a: Option<&Agent>| a.map_or(Value::Null, |a| self.agent_value(a, false));
        let (inbound, outbound) = counts(t);
        let (unseen_by_customer, unread_by_agent) = unseen_counts(t);
        let created = c.created_ms;
        let first_response = t
            .first_outbound
            .map(|i| &t.messages[i])
            .map_or(0, |m| (m.sort_key() - created).max(0) / 1000);
        let solved = matches!(c.status.as_str(), "resolved" | "closed" | "trashed");
        let running = !solved;
        let elapsed = ((if solved { c.status_ms } else { now_ms() }) - created).max(0) / 1000;
        let sla = |threshold: i64, has_value: bool| {
            json!({
                "raw": elapsed,
                "label": "",
                "exceeded": i64::from(elapsed > threshold),
                "percent": (elapsed * 100 / threshold).min(100),
                "treshold": threshold,
                "isRunning": running && !has_value,
                "alreadyHasValue": has_value,
            })
        };
        let interaction = derived_uuid(&["interaction", &c.id]);
        let preview = t
            .messages
            .last()
            .and_then(|m| m.message_content.plain_text())
            .unwrap_or_default();
        let (_, first, last) = self.person(&t.key);
        fill(
            o,
            json!({
                "id": c.id,
                "threadId": sid,
                "threadIdOnExternalPlatform": t.id,
                "channelId": t.key.channel,
                "interactionId": interaction,
                "consumerContactStorageId": sid,
                "contactId": derived_uuid(&["contact", &c.id]),
                "customerContactId": derived_uuid(&["customer-contact", &t.key.customer, &c.id]),
                "status": c.status,
                "statusUpdatedAt": ts(c.status_ms),
                "statusUpdatedAtWithMilliseconds": ts_ms(c.status_ms),
                "tags": [],
                "routingQueueId": QUEUE_ID,
                "routingQueuePriority": 0,
                "inboxAssignee": assignee.map(|a| a.id),
                "inboxAssigneeLastAssignedAt": assignee.map(|_| ts(c.status_ms)),
                "inboxAssigneeUser": agent(assignee),
                "ownerAssigneeUser": agent(assignee),
                "inboxPreAssigneeUser": null,
                "ownerAssignee": assignee.map(|a| a.id),
                "inboxPreAssignee": null,
                "endUserRecipients": [],
                "recipients": [self.recipient(&t.key)],
                "recipientsCustomers": [self.end_user(t)],
                "detailUrl": format!("{}/care?redirect=no#/care/contact/{}", self.b.base_url, c.id),
                "authorEndUserIdentity": self.identity_value(&t.key),
                "direction": "inbound",
            }),
        );
        fill(
            o,
            json!({
                "createdAt": ts(created),
                "customFields": [],
                "userFingerprint": fingerprint(),
                "statistics": {
                    "inboxAssigneeResponseTime": {
                        "valueInSeconds": if assignee.is_some() { first_response } else { 0 },
                        "slaInSeconds": null,
                        "slaEnabled": false,
                        "isRunning": assignee.is_some() && outbound == 0,
                    },
                },
                "endUser": self.end_user(t),
                "abandon": null,
                "routableType": "NOT_ROUTABLE",
                "proficiency": {"from": 1, "to": 20},
                "sla": {
                    "firstResponseTime": sla(3600, outbound > 0),
                    "solutionTime": sla(10_000, solved),
                },
                "preview": preview,
                "isOutboundAllowed": t.is_open(),
                "customerStatistics": {"unseenMessagesCount": unseen_by_customer},
                "userStatistics": {"unseenMessagesCount": unread_by_agent},
                "elevation": {
                    "interaction": {"id": interaction},
                    "agentContact": {"id": null},
                    "contact": {"contactId": null, "contactNumber": null},
                    "fromProvider": null,
                },
                "pointOfContactId": null,
            }),
        );
        if recovered {
            let message_ids: Vec<String> = t
                .messages
                .iter()
                .map(|m| server_message_id(m.id_on_external_platform.as_str()))
                .collect();
            fill(
                o,
                json!({
                    "customer": {
                        "customerId": format!("chat_{}", t.key.customer),
                        "name": first,
                        "surname": last,
                        "customerIdent": t.key.customer,
                    },
                    "isOwn": false,
                    "sentiment": "neutral",
                    "caseId": c.id,
                    "messagesId": message_ids,
                    "postId": sid,
                    "agentName": assignee.map(|a| format!("{} {}", a.first_name, a.surname)),
                    "sourceId": 0,
                    "caseDetailUrl": format!("{}/care?redirect=no#/care/contact/{}", self.b.base_url, c.id),
                }),
            );
            if let Some(Value::Object(stats)) = o.get_mut("statistics") {
                fill(
                    stats,
                    json!({
                        "firstResponseTime": first_response,
                        "resolutionTime": if solved { elapsed } else { 0 },
                        "totalResponses": inbound + outbound,
                        "agentResponses": outbound,
                        "customerResponses": inbound,
                    }),
                );
            }
        }
        self.custom_fields(o, c.status_ms);
    }

    /// A full thread object (recoveries, thread lists).
    fn thread_full(&self, o: &mut Obj) {
        let Some(t) = o
            .get("idOnExternalPlatform")
            .and_then(Value::as_str)
            .and_then(|id| self.thread(id))
        else {
            return;
        };
        let (_, first, last) = self.person(&t.key);
        let (unseen_by_customer, unread_by_agent) = unseen_counts(t);
        fill(
            o,
            json!({
                "id": server_thread_id(t),
                "channelId": t.key.channel,
                "ticketNumber": "",
                "content": "",
                "title": "",
                "threadName": t.name,
                "url": "",
                "isOwn": false,
                "createdAt": ts(t.created_ms),
                "updatedAt": ts(t.updated_ms),
                "author": {
                    "id": t.key.customer,
                    "name": format!("{first} {last}").trim(),
                    "nickname": "",
                },
                "image": "",
                "tagIds": [],
                "likes": 0,
                "attachments": [],
                "recipients": [],
                "canAddMoreMessages": t.can_add_more,
                "deletedOnExternalPlatform": false,
                "unseenMessagesCount": unseen_by_customer,
                "unseenByUserMessagesCount": unread_by_agent,
                "unseenByEndUserMessagesCount": unseen_by_customer,
            }),
        );
    }

    /// A message in any event.
    fn message(&self, o: &mut Obj) {
        let t = o
            .get("threadIdOnExternalPlatform")
            .and_then(Value::as_str)
            .and_then(|id| self.thread(id));
        let mid = str_of(o, "idOnExternalPlatform");
        let outbound = o.get("direction").and_then(Value::as_str) == Some("outbound");
        let created = o
            .get("createdAtWithMilliseconds")
            .or_else(|| o.get("createdAt"))
            .and_then(Value::as_str)
            .and_then(|s| Timestamp::parse(s).ok())
            .map_or_else(now_ms, |t| t.unix_ms());
        if let Some(Value::Object(content)) = o.get_mut("messageContent") {
            content_fill(content);
        }
        match o.get_mut("authorUser") {
            Some(Value::Object(a)) => self.agent(a, false),
            _ => put(o, "authorUser", Value::Null),
        }
        match (o.get_mut("authorEndUserIdentity"), t) {
            (Some(Value::Object(i)), Some(t)) => self.identity(i, &t.key),
            (Some(Value::Object(_)), None) => {}
            _ => put(o, "authorEndUserIdentity", Value::Null),
        }
        let user = o.get("authorUser").cloned().unwrap_or(Value::Null);
        put(o, "user", user);
        // Statistics: every key present; an agent has read their own message at once.
        put(o, "customerStatistics", json!({}));
        put(o, "userStatistics", json!({}));
        if let Some(Value::Object(s)) = o.get_mut("customerStatistics") {
            put(s, "seenAt", Value::Null);
        }
        let mut read_at = None;
        if let Some(Value::Object(s)) = o.get_mut("userStatistics") {
            if outbound {
                put(s, "readAt", ts(created).into());
            }
            put(s, "seenAt", Value::Null);
            put(s, "readAt", Value::Null);
            read_at = s
                .get("readAt")
                .and_then(Value::as_str)
                .and_then(|r| Timestamp::parse(r).ok());
            let to_read = read_at.as_ref().map_or(Value::Null, |r| {
                let secs = ((r.unix_ms() - created) / 1000).max(0);
                json!({"notReflectingBusinessHours": secs, "reflectingBusinessHours": secs})
            });
            put(s, "createdToReadSeconds", to_read);
        }
        let reply_to = if outbound {
            t.and_then(|t| {
                let pos = UuidString::parse(&mid)
                    .ok()
                    .and_then(|id| t.message_index.get(&id).copied())
                    .unwrap_or(t.messages.len());
                t.messages[..pos]
                    .iter()
                    .rev()
                    .find(|m| m.direction() == Direction::Inbound)
            })
            .map_or(Value::Null, |m| {
                let id = m.id_on_external_platform.as_str();
                json!({"id": server_message_id(id), "idOnExternalPlatform": id})
            })
        } else {
            Value::Null
        };
        let recipients = match t {
            Some(t) if outbound => json!([self.recipient(&t.key)]),
            _ => json!([]),
        };
        let sid = t.map_or_else(
            || {
                format!(
                    "{}_{}",
                    self.channel_id,
                    str_of(o, "threadIdOnExternalPlatform")
                )
            },
            server_thread_id,
        );
        fill(
            o,
            json!({
                "id": server_message_id(&mid),
                "postId": sid,
                "threadId": sid,
                "createdAtWithMilliseconds": ts_ms(created),
                "isMadeByUser": outbound,
                "isRead": read_at.is_some(),
                "attachments": [],
                "tags": [],
                "sentiment": "neutral",
                "deletedOnExternalPlatform": false,
                "isDeletedOnExternalPlatform": false,
                "isHiddenOnExternalPlatform": false,
                "reactionStatistics": {
                    "likes": 0,
                    "shares": 0,
                    "isLikedByChannel": false,
                    "isSharedByChannel": false,
                },
                "contentRemoved": null,
                "authorNameRemoved": null,
                "replyToMessage": reply_to,
                "readAt": read_at.as_ref().map(|r| r.as_str().to_owned()),
                "title": "",
                "recipients": recipients,
                "url": null,
                "replyChannel": null,
                "channel": {"id": t.map_or(self.channel_id, |t| t.key.channel.as_str())},
                "contactNumber": t.map(|t| t.contact.id.clone()),
                "isReplyAllowed": false,
                "seen": [],
                "delivered": [],
                "forward": null,
                "externalAttributes": [],
                "isReplyToSpecificMessage": false,
                "hasAdditionalMessageContent": false,
            }),
        );
        if !outbound {
            let mut fp = fingerprint();
            fp["supportedMessageTypes"] = json!([]);
            put(o, "deviceFingerprint", fp);
        }
    }

    /// `contactHistory`: the routing of a live-chat contact into the queue. Other channels
    /// have no routing history to show.
    fn contact_history(&self, t: Option<&ThreadRec>) -> Value {
        let Some(t) = t.filter(|_| self.is_live()) else {
            return json!([]);
        };
        let mut case = crate::backend::json(&t.contact_wire());
        if let Value::Object(c) = &mut case {
            self.case(c, false);
        }
        json!([{
            "eventId": derived_uuid(&["history", &t.contact.id]),
            "eventObject": "Case",
            "eventType": "CaseToRoutingQueueAssignmentChanged",
            "createdAt": ts(t.contact.created_ms),
            "createdAtWithMilliseconds": ts_ms(t.contact.created_ms),
            "data": {
                "brand": self.brand_value(),
                "channel": self.channel_value(),
                "case": case,
                "routingQueue": self.routing_queue(),
                "routingMode": "legacy",
                "previousRoutingQueue": null,
                "preferredUserForNextAssign": null,
            },
            "context": {"initiator": {"id": "0", "type": "system"}},
            "traceId": derived_uuid(&["trace", &t.contact.id]),
        }])
    }
}

/// `messageContent`: the server repeats a text at the top level, writes the payload's empty
/// `postback` and `elements`, a fallback text, and an empty parameter map as `[]`.
fn content_fill(o: &mut Obj) {
    if o.get("parameters")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        o.insert("parameters".into(), json!([]));
    }
    if o.get("type").and_then(Value::as_str) == Some("TEXT") {
        let text = o
            .get("payload")
            .and_then(|p| p.get("text"))
            .cloned()
            .unwrap_or_else(|| "".into());
        put(o, "text", text);
        if let Some(Value::Object(p)) = o.get_mut("payload") {
            put(p, "postback", "".into());
            put(p, "elements", json!([]));
        }
        put(o, "parameters", json!([]));
        put(o, "postback", Value::Null);
    }
    put(o, "fallbackText", "Unsupported message content".into());
    put(o, "isAutoTranslated", false.into());
}

/// The device fingerprint of a contact or message when the emulator knows nothing of it.
fn fingerprint() -> Value {
    json!({
        "browser": "",
        "browserVersion": "",
        "os": "",
        "osVersion": "",
        "language": "",
        "ip": "",
        "location": "",
        "country": "",
        "deviceType": "",
        "deviceToken": "",
        "applicationType": "",
    })
}

/// (inbound, outbound) message counts of a thread.
fn counts(t: &ThreadRec) -> (usize, usize) {
    (t.inbound_count, t.messages.len() - t.inbound_count)
}

/// A thread's unseen counts: agent messages the customer has not seen, customer messages no
/// agent has read.
pub(crate) fn unseen_counts(t: &ThreadRec) -> (usize, usize) {
    let unseen_by_customer = t
        .messages
        .iter()
        .filter(|m| {
            m.direction() == Direction::Outbound
                && m.customer_statistics
                    .as_ref()
                    .is_none_or(|s| s.seen_at.is_none())
        })
        .count();
    let unread_by_agent = t
        .messages
        .iter()
        .filter(|m| m.direction() == Direction::Inbound && !m.is_read_by_agent())
        .count();
    (unseen_by_customer, unread_by_agent)
}

fn server_thread_id(t: &ThreadRec) -> String {
    crate::frames::server_thread_id(t)
}

/// The server's own id of a message, stable for a given client id.
fn server_message_id(id_on_external_platform: &str) -> String {
    derived_uuid(&["message", &id_on_external_platform.to_ascii_lowercase()])
}

fn ts(ms: i64) -> String {
    Timestamp::from_unix_ms_seconds(ms).as_str().to_owned()
}

fn ts_ms(ms: i64) -> String {
    Timestamp::from_unix_ms_millis(ms).as_str().to_owned()
}

fn hash64<T: Hash>(v: &T) -> u64 {
    // `DefaultHasher::new` has fixed keys: the same input gives the same id for the whole run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// A UUID-shaped id derived from `parts`: the same parts always give the same id, so an
/// object keeps its server id in every event that mentions it.
fn derived_uuid(parts: &[&str]) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hash64(&(0u8, parts)).to_be_bytes());
    bytes[8..].copy_from_slice(&hash64(&(1u8, parts)).to_be_bytes());
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn str_of(o: &Obj, key: &str) -> String {
    o.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn pointer_str(o: &Obj, pointer: &str) -> Option<String> {
    let (first, rest) = pointer.trim_start_matches('/').split_once('/')?;
    o.get(first)?
        .pointer(&format!("/{rest}"))?
        .as_str()
        .map(str::to_owned)
}

/// Inserts `key` unless it is already there.
fn put(o: &mut Obj, key: &str, value: Value) {
    o.entry(key).or_insert(value);
}

/// Inserts every key of `extra` (an object) that `o` lacks.
fn fill(o: &mut Obj, extra: Value) {
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            o.entry(k).or_insert(v);
        }
    }
}

/// The objects of an array value.
fn objects(v: Option<&mut Value>) -> impl Iterator<Item = &mut Obj> {
    v.and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_uuids() {
        let a = derived_uuid(&["message", "x"]);
        assert_eq!(a, derived_uuid(&["message", "x"]));
        assert_ne!(a, derived_uuid(&["message", "y"]));
        assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
    }

    #[test]
    fn text_content_gains_the_server_keys_and_empty_parameters_become_an_array() {
        let mut c =
            json!({"type": "TEXT", "payload": {"text": "Hi"}, "parameters": {}, "postback": null});
        content_fill(c.as_object_mut().unwrap());
        assert_eq!(c["text"], "Hi");
        assert_eq!(c["parameters"], json!([]));
        assert_eq!(c["payload"]["elements"], json!([]));
        assert_eq!(c["isAutoTranslated"], false);
        let mut flagged = json!({"type": "TEXT", "payload": {"text": "Begin Conversation"}, "parameters": {"isInitialMessage": true}});
        content_fill(flagged.as_object_mut().unwrap());
        assert_eq!(flagged["parameters"], json!({"isInitialMessage": true}));
    }

    #[test]
    fn present_keys_are_never_overwritten() {
        let mut o = json!({"a": 1}).as_object().unwrap().clone();
        fill(&mut o, json!({"a": 2, "b": 3}));
        assert_eq!(Value::Object(o), json!({"a": 1, "b": 3}));
    }
}
