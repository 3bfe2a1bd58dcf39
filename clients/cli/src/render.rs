//! Human-readable text for results and events. Everything here reads the shapes of the
//! published API (`protocol/openrpc.json`) as JSON, so a newer daemon's extra fields never break
//! the output.

use serde_json::Value;

/// "Alex Agent", or the nickname, or "the agent".
pub(crate) fn agent_name(agent: &Value) -> String {
    if let Some(nick) = agent["nickname"].as_str().filter(|n| !n.is_empty()) {
        return nick.to_owned();
    }
    let full = [agent["firstName"].as_str(), agent["lastName"].as_str()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if full.is_empty() {
        "the agent".to_owned()
    } else {
        full
    }
}

/// One line for a message: `Alex Agent: text` or `you: text`.
pub(crate) fn message_line(m: &Value) -> String {
    let who = if m["direction"] == "inbound" {
        "you".to_owned()
    } else if m["author"].is_object() {
        agent_name(&m["author"])
    } else {
        "(automated)".to_owned()
    };
    let mut text = m["text"].as_str().unwrap_or_default().to_owned();
    if let Some(n) = m["attachments"].as_array().map(Vec::len).filter(|n| *n > 0) {
        text.push_str(&format!(" [{n} attachment(s)]"));
    }
    format!("{who}: {text}")
}

/// The chat-mode line for an event of `thread` (all threads when `None`), or `None` when the
/// event is not worth a line (your own messages, typing that stopped, other threads).
pub(crate) fn event_line(e: &Value, thread: Option<&str>) -> Option<String> {
    let data = &e["data"];
    let thread_of = data["threadId"]
        .as_str()
        .or_else(|| data["message"]["threadId"].as_str())
        .or_else(|| data["thread"]["id"].as_str())
        .or_else(|| data["action"]["content"]["inactivityPopup"]["threadId"].as_str());
    if let (Some(want), Some(got)) = (thread, thread_of)
        && !want.eq_ignore_ascii_case(got)
    {
        return None;
    }
    let agent = || agent_name(&data["agent"]);
    Some(match e["kind"].as_str()? {
        "message.created" if data["message"]["direction"] != "inbound" => {
            message_line(&data["message"])
        }
        "message.updated" if data["message"]["status"] == "failed" => format!(
            "! your message {:?} was not delivered",
            data["message"]["text"].as_str().unwrap_or_default()
        ),
        "agent.typing" if data["isTyping"] == true => format!("… {} is typing", agent()),
        "agent.typing" => format!("… {} stopped typing", agent()),
        "queue.position" => format!(
            "… you are number {} in the queue",
            data["position"].as_u64().unwrap_or_default()
        ),
        "agent.assigned" if data["agent"].is_object() => {
            format!("… {} joined the conversation", agent())
        }
        "agent.assigned" => "… the agent left the conversation".to_owned(),
        "contact.status" => format!(
            "… the conversation is {}",
            data["status"].as_str().unwrap_or("updated")
        ),
        "connection.lost" => "… connection to CXone lost; the daemon is reconnecting".to_owned(),
        "connection.restored" => "… connection to CXone restored".to_owned(),
        "chat.stateChanged" if data["state"] == "offline" => {
            "… live chat is offline (no agents available)".to_owned()
        }
        // The daemon puts a welcome message into the thread as a message (templates filled
        // in); the action itself still has the raw template.
        "proactive.action" if data["action"]["actionType"] == "welcomeMessage" => return None,
        "proactive.action" if data["action"]["actionType"] == "inactivityPopup" => {
            popup_prompt(&data["action"]["content"]["inactivityPopup"])
        }
        "proactive.action" => format!(
            "… {}",
            data["action"]["content"]["bodyText"]
                .as_str()
                .or_else(|| data["action"]["actionName"].as_str())
                .unwrap_or("a proactive action")
        ),
        "error" => format!(
            "! {}",
            data["error"]["message"]
                .as_str()
                .or_else(|| data["message"].as_str())
                .unwrap_or("an error in the daemon")
        ),
        "daemon.shutdown" => "… the daemon is stopping".to_owned(),
        "events.resyncRequired" => "… the daemon restarted; some events may be missing".to_owned(),
        _ => return None,
    })
}

/// The chat-mode prompt for an inactivity popup (`OpenInactivityPopup`): its question and how
/// to answer.
pub(crate) fn popup_prompt(p: &Value) -> String {
    let prompt = &p["prompt"];
    let body = prompt["body"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "? {}: {} Type /yes ({}) or /no ({}) within {} s.",
        prompt["title"].as_str().unwrap_or("Are you still there?"),
        body,
        prompt["continueButton"]["text"].as_str().unwrap_or("yes"),
        prompt["endButton"]["text"].as_str().unwrap_or("no"),
        prompt["countdown"]["seconds"].as_u64().unwrap_or_default()
    )
}

/// The countdown line to print when `left` whole seconds remain to answer a popup, if this
/// second is one that deserves a line (every ten seconds from 30, then each of the last five).
pub(crate) fn countdown_line(left: u64) -> Option<String> {
    match left {
        0 => Some("… time is up; the contact centre may end the conversation".to_owned()),
        1..=5 | 10 | 20 | 30 => Some(format!("… {left} s left to answer: /yes or /no")),
        _ => None,
    }
}

/// `daemon.status` as a few lines.
pub(crate) fn status(s: &Value) -> String {
    let mut out = format!(
        "daemon: {} ({}), up {}, {} client(s)\n",
        if s["ready"] == true {
            "ready"
        } else {
            "not ready"
        },
        s["state"].as_str().unwrap_or("?"),
        duration(s["uptimeMs"].as_u64().unwrap_or_default()),
        count(&s["clients"]),
    );
    let sessions = s["sessions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if sessions.is_empty() {
        out.push_str("no sessions (prepare one with `cxone-chat call session.prepare …` or `cxone-chat chat --brand … --channel …`)\n");
    }
    for x in sessions {
        out.push_str(&format!(
            "session {}: {}, {}",
            x["session"].as_str().unwrap_or("?"),
            x["state"].as_str().unwrap_or("?"),
            x["connection"].as_str().unwrap_or("?"),
        ));
        if let Some(mode) = x["mode"].as_str() {
            out.push_str(&format!(", {mode}"));
        }
        if !x["brandId"].is_null() {
            out.push_str(&format!(
                ", brand {} channel {}",
                x["brandId"],
                x["channelId"].as_str().unwrap_or("?")
            ));
        }
        out.push_str(&format!(", {} thread(s)\n", count(&x["threads"])));
    }
    out
}

/// `threads.list` as a table.
pub(crate) fn threads(list: &Value) -> String {
    let threads = list["threads"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if threads.is_empty() {
        return "no threads\n".to_owned();
    }
    let mut out = String::new();
    for t in threads {
        let last = t["lastMessage"]
            .as_object()
            .map(|_| message_line(&t["lastMessage"]))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}  {:<8}  {:<16}  {}\n",
            t["id"].as_str().unwrap_or("?"),
            t["state"].as_str().unwrap_or("?"),
            t["name"].as_str().unwrap_or("-"),
            last
        ));
    }
    out
}

/// A number, or the length of an array (fields that are counts in one version and lists in
/// another read the same).
fn count(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_array().map(|a| a.len() as u64))
        .unwrap_or_default()
}

fn duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_lines_name_the_agent_and_skip_other_threads() {
        let e = json!({"kind": "message.created", "data": {"message": {
            "threadId": "T1", "direction": "outbound", "text": "Hi",
            "author": {"type": "agent", "firstName": "Alex", "lastName": "Agent"}, "attachments": []}}});
        assert_eq!(
            event_line(&e, Some("t1")).as_deref(),
            Some("Alex Agent: Hi")
        );
        assert_eq!(event_line(&e, Some("T2")), None);
        let own = json!({"kind": "message.created", "data": {"message": {"threadId": "T1", "direction": "inbound", "text": "x"}}});
        assert_eq!(event_line(&own, None), None);
        let welcome = json!({"kind": "proactive.action", "data": {"action": {"actionType": "welcomeMessage",
            "content": {"bodyText": "Hello {{customer.firstName|there}}"}}}});
        assert_eq!(event_line(&welcome, None), None);
        let q = json!({"kind": "queue.position", "data": {"threadId": "T1", "position": 2}});
        assert_eq!(
            event_line(&q, None).as_deref(),
            Some("… you are number 2 in the queue")
        );
    }

    #[test]
    fn an_inactivity_popup_asks_and_counts_down() {
        let popup = serde_json::json!({"threadId": "t1", "expiresAt": "2024-05-06T20:46:53+00:00",
            "prompt": {"title": "Still there?", "body": ["No news.", "Continue?"],
                "countdown": {"startedAt": "2024-05-06T20:45:53+00:00", "seconds": 60},
                "continueButton": {"text": "Yes", "postback": "y"},
                "endButton": {"text": "No", "postback": "n"}}});
        assert_eq!(
            popup_prompt(&popup),
            "? Still there?: No news. Continue? Type /yes (Yes) or /no (No) within 60 s."
        );
        let event = serde_json::json!({"kind": "proactive.action", "data": {"action": {
            "actionType": "inactivityPopup", "content": {"inactivityPopup": popup}}}});
        assert!(event_line(&event, Some("t2")).is_none(), "another thread's");
        assert!(
            event_line(&event, Some("t1"))
                .unwrap()
                .starts_with("? Still there?")
        );
        let printed: Vec<u64> = (0..=60).filter(|s| countdown_line(*s).is_some()).collect();
        assert_eq!(printed, [0, 1, 2, 3, 4, 5, 10, 20, 30]);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(5_000), "5s");
        assert_eq!(duration(65_000), "1m 5s");
        assert_eq!(duration(7_260_000), "2h 1m");
    }
}
