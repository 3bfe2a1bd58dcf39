//! The `STATUS=` line: what `systemctl status` shows about the back-end connections. Plain
//! logic fed with the event stream's JSON (`chat.stateChanged`, `connection.lost`,
//! `connection.restored`); `run.rs` subscribes to the hub and sends the line when it changes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// The current status line, shared with the reload path (which repeats it with `READY=1`).
#[derive(Debug, Clone, Default)]
pub(crate) struct StatusLine(Arc<Mutex<String>>);

impl StatusLine {
    /// The line now.
    pub(crate) fn get(&self) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces it; true when it changed.
    pub(crate) fn set(&self, text: String) -> bool {
        let mut line = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *line != text;
        *line = text;
        changed
    }
}

/// Each session's connection, summarised.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    listening: String,
    sessions: BTreeMap<String, String>,
}

impl Summary {
    /// Nothing known yet about any session; `listening` describes the socket.
    pub(crate) fn new(listening: String) -> Self {
        Self {
            listening,
            sessions: BTreeMap::new(),
        }
    }

    /// Applies one `events.event` notification's params; true when the summary changed.
    pub(crate) fn apply(&mut self, event: &Value) -> bool {
        let Some(session) = event["session"].as_str() else {
            return false;
        };
        let data = &event["data"];
        let text = match event["kind"].as_str() {
            Some("connection.lost") if data["reconnecting"] == true => {
                format!(
                    "reconnecting (attempt {})",
                    data["attempt"].as_u64().unwrap_or(1)
                )
            }
            Some("connection.lost") => "disconnected (gave up)".to_owned(),
            Some("connection.restored") => "connected".to_owned(),
            Some("chat.stateChanged") => match data["state"].as_str() {
                Some("connected" | "ready") => "connected".to_owned(),
                Some("connecting") => "connecting".to_owned(),
                Some("offline") => "offline (channel unavailable)".to_owned(),
                // Reconnecting is reported by connection.lost, with its attempt.
                Some("preparing") => return false,
                _ if self
                    .sessions
                    .get(session)
                    .is_some_and(|s| s.starts_with("reconnecting")) =>
                {
                    return false;
                }
                _ => "not connected".to_owned(),
            },
            _ => return false,
        };
        self.sessions.insert(session.to_owned(), text.clone()) != Some(text)
    }

    /// The `STATUS=` text.
    pub(crate) fn line(&self) -> String {
        if self.sessions.is_empty() {
            return format!("{}; no chat session yet", self.listening);
        }
        let parts: Vec<String> = self
            .sessions
            .iter()
            .map(|(name, state)| format!("{name}: {state}"))
            .collect();
        format!("{}; back end: {}", self.listening, parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_line_follows_each_sessions_connection() {
        let mut s = Summary::new("listening on /run/x".into());
        assert_eq!(s.line(), "listening on /run/x; no chat session yet");
        let connected =
            json!({"session": "default", "kind": "chat.stateChanged", "data": {"state": "ready"}});
        assert!(s.apply(&connected));
        assert!(!s.apply(&connected), "no change, no new line");
        assert_eq!(
            s.line(),
            "listening on /run/x; back end: default: connected"
        );
        assert!(
            s.apply(&json!({"session": "default", "kind": "connection.lost",
            "data": {"reconnecting": true, "attempt": 3}}))
        );
        assert_eq!(
            s.line(),
            "listening on /run/x; back end: default: reconnecting (attempt 3)"
        );
        // The state machine's own "connecting" during a reconnect does not hide the attempt.
        assert!(!s.apply(&json!({"session": "default", "kind": "chat.stateChanged", "data": {"state": "prepared"}})));
        assert!(s.apply(&json!({"session": "default", "kind": "connection.restored", "data": {}})));
        assert!(s.apply(
            &json!({"session": "kiosk", "kind": "chat.stateChanged", "data": {"state": "offline"}})
        ));
        assert_eq!(
            s.line(),
            "listening on /run/x; back end: default: connected, kiosk: offline (channel unavailable)"
        );
    }
}
