//! The interactive chat in a real terminal: `cxone-chat chat` runs in a detached tmux session,
//! the test types into it with `send-keys` and reads the screen with `capture-pane`. CI installs
//! tmux (`.ci/run`); without it this test fails, it does not skip.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Daemon, Emulator};

/// A live-chat channel slow enough for a person (and `capture-pane`) to see each step: two queue
/// positions, then the agent joins and types for two seconds before each answer.
const KIOSK: &str = r#"
[brands.1000.channels.chat_kiosk]
name = "Kiosk"
mode = "live"

[brands.1000.channels.chat_kiosk.agent]
queue_positions = [2, 1]
queue_step_ms = 400
assign_after_ms = 300
typing_ms = 4000
"#;

/// A tmux server of its own (`-L`), killed when the test ends.
struct Tmux {
    name: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.name, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux is installed (apt-get install -y tmux)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-J", "-t", "chat", "-S", "-200"])
    }

    /// Waits until the screen shows `text`; returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", "chat", "-l", text]);
        self.run(&["send-keys", "-t", "chat", "Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.name, "kill-server"])
            .output();
    }
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

impl Tmux {
    /// `cxone-chat chat` for `channel` of brand 1000 on `e`, through `d`, in a detached 160×50
    /// tmux session of its own called `name`; `extra` are further arguments of `chat`.
    fn chat(name: &str, e: &Emulator, d: &Daemon, channel: &str, extra: &str) -> Self {
        let tmux = Tmux {
            name: format!("{name}-{}", std::process::id()),
        };
        let command = format!(
            "{} --socket {} chat --brand 1000 --channel {channel} --environment '{}' {extra}; echo CHAT-EXITED-$?; sleep 30",
            quote(Path::new(common::CLI)),
            quote(&d.socket),
            e.environment()
        );
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "chat",
            "-x",
            "160",
            "-y",
            "50",
            &command,
        ]);
        tmux
    }
}

#[test]
fn chat_shows_queue_typing_and_the_agents_reply_in_a_real_terminal() {
    let e = Emulator::start_with_config(Some(KIOSK));
    let d = Daemon::start();
    let tmux = Tmux::chat("cxone-chat-test", &e, &d, "chat_kiosk", "--first-name Ada");
    tmux.wait_for("Type a message and press Enter");

    tmux.type_line("Where is my order?");
    let screen = tmux.wait_for("Alex Agent: You said: Where is my order?");
    let at = |text: &str| {
        screen
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} is not on the screen:\n{screen}"))
    };
    // In the order they happened: queue, assignment, typing, answer.
    let order = [
        at("… you are number 2 in the queue"),
        at("… you are number 1 in the queue"),
        at("… Alex Agent joined the conversation"),
        at("… Alex Agent is typing"),
        at("Alex Agent: You said: Where is my order?"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "out of order:\n{screen}"
    );
    // Live chat queues from the thread's creation, so the typed line may come before or after
    // the queue positions; the answer comes after it.
    assert!(at("Where is my order?") < order[4], "{screen}");

    // While the agent types (4 s), the indicator is the last thing on the screen.
    tmux.type_line("Thanks");
    let screen = tmux.wait_for("Thanks\n… Alex Agent is typing");
    assert!(!screen.contains("You said: Thanks"), "{screen}");
    tmux.wait_for("Alex Agent: You said: Thanks");

    tmux.type_line("/end");
    tmux.wait_for("… the conversation is closed");
    tmux.type_line("/quit");
    tmux.wait_for("CHAT-EXITED-0");
}

/// An inactivity popup counting down `seconds` from now, as the back end sends it.
fn popup(seconds: u64) -> serde_json::Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let started =
        cxone_chat_protocol::cxone::time::Timestamp::from_unix_ms_seconds(now).to_string();
    let button = |id: &str, text: &str, expired: bool| {
        serde_json::json!({"id": id, "type": "BUTTON", "text": text,
            "postback": format!("{{\"type\":\"sessionExpiration\",\"isExpired\":{expired}}}")})
    };
    serde_json::json!({"type": "PLUGIN", "payload": {"postback": "", "elements": [
        {"id": "p", "type": "INACTIVITY_POPUP", "elements": [
            {"id": "t", "type": "TITLE", "text": "Still there?"},
            {"id": "b", "type": "TEXT", "text": "We have not heard from you."},
            {"id": "c", "type": "COUNTDOWN", "variables": {"startedAt": started, "numberOfSeconds": seconds}},
            {"id": "q", "type": "TEXT", "text": "Shall we go on?"},
            button("0b9f6a2e-5c1d-4e8f-9a7b-3c2d1e0f9a8b", "Keep chatting", false),
            button("1c0a7b3f-6d2e-4f9a-8b8c-4d3e2f1a0b9c", "End chat", true)]}]}})
}

#[test]
fn chat_asks_the_inactivity_question_counts_down_and_answers_it() {
    let e = Emulator::start();
    let d = Daemon::start();
    let tmux = Tmux::chat("cxone-chat-popup", &e, &d, "chat_live", "");
    tmux.wait_for("Type a message and press Enter");
    tmux.type_line("hello");
    tmux.wait_for("You said: hello");
    let threads = common::call(&d.socket, "threads.list", serde_json::json!({}));
    let thread = threads["threads"][0]["id"].as_str().unwrap().to_owned();

    e.admin_post(
        "agent/say",
        serde_json::json!({"threadId": thread, "content": popup(8)}),
    );
    tmux.wait_for("? Still there?: We have not heard from you. Shall we go on? Type /yes (Keep chatting) or /no (End chat) within 8 s.");
    tmux.wait_for("s left to answer: /yes or /no");
    tmux.type_line("/yes");
    tmux.wait_for("… answered \"Keep chatting\"");
    let snap = common::call(
        &d.socket,
        "threads.get",
        serde_json::json!({"threadId": thread}),
    );
    assert!(snap["thread"].get("inactivityPopup").is_none(), "{snap}");

    e.admin_post(
        "agent/say",
        serde_json::json!({"threadId": thread, "content": popup(60)}),
    );
    tmux.wait_for("within 60 s.");
    tmux.type_line("/no");
    tmux.wait_for("… answered \"End chat\"");
    tmux.wait_for("… the conversation is closed");
    tmux.type_line("/yes");
    tmux.wait_for("! there is no inactivity prompt to answer");
    tmux.type_line("/quit");
    tmux.wait_for("CHAT-EXITED-0");
}

/// A live-chat channel with nobody there.
const CLOSED: &str = r#"
[brands.1000.channels.chat_closed]
name = "Closed"
mode = "live"
online = false
"#;

#[test]
fn chat_on_a_closed_live_chat_offers_the_offline_form_and_leaves_the_message() {
    let e = Emulator::start_with_config(Some(CLOSED));
    let d = Daemon::start();
    let tmux = Tmux::chat(
        "cxone-chat-test-offline",
        &e,
        &d,
        "chat_closed",
        "--first-name Ada --last-name Lovelace",
    );
    tmux.wait_for("leave a message for an answer by e-mail: /offline EMAIL MESSAGE");
    tmux.wait_for("Type a message and press Enter");
    tmux.type_line("hello?");
    tmux.wait_for("! no agent is available yet; /offline EMAIL MESSAGE leaves a message");
    tmux.type_line("/available");
    tmux.wait_for("… no agent is available now");
    tmux.type_line("/offline");
    tmux.wait_for("! type /offline EMAIL MESSAGE");
    tmux.type_line("/offline ada@example.com Please call me back");
    tmux.wait_for(
        "… your message was left for the contact centre; the answer comes to ada@example.com",
    );
    let received = e.admin_get("received?kind=SendOfflineMessage");
    let data = &received[0]["body"]["payload"]["data"];
    assert_eq!(
        data["authorCustomerIdentity"],
        serde_json::json!({"idOnExternalPlatform": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}),
        "{received}"
    );
    assert_eq!(
        data["messageContent"]["payload"]["text"],
        "Please call me back"
    );
    tmux.type_line("/quit");
    tmux.wait_for("CHAT-EXITED-0");
}
