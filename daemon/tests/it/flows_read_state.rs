//! Read state (issue #11, item 2): an agent's message is unread until the customer has seen it
//! (`customerStatistics.seenAt`, and the thread list's `unseenByEndUserMessagesCount`), never
//! because an agent read it (`userStatistics`, the agents' side); `thread.markRead` clears it,
//! and the count survives a restart because the back end keeps it.

use crate::common::{Backend, Client, Daemon};
use cxone_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn connect(c: &mut Client, b: &Backend, channel: &str) {
    c.ok(
        "session.prepare",
        json!({"environment": b.environment(), "brandId": 1000, "channelId": channel,
        "customer": {"id": format!("grace-{channel}"), "firstName": "Grace"}}),
    );
    c.ok("session.connect", json!({}));
}

fn thread<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["threads"]
        .as_array()
        .unwrap_or_else(|| panic!("no threads in {list}"))
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("thread {id} not in {list}"))
}

/// `threads.list` once thread `tid` shows its last message (in multi-thread channels the
/// metadata arrives after the list).
fn loaded_list(c: &mut Client, tid: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = c.ok("threads.list", json!({}));
        if !thread(&list, tid)["lastMessage"].is_null() {
            return list;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no metadata for {tid}: {list}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The agent's answers in a thread snapshot, with their statuses.
fn agent_statuses(snapshot: &Value) -> Vec<String> {
    snapshot["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["direction"] == "outbound" && m["text"].as_str().unwrap().starts_with("You said")
        })
        .map(|m| m["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_agents_answer_is_unread_until_marked_read_across_restarts() {
    for channel in ["chat_single", "chat_multi"] {
        let b = Backend::start(EmulatorConfig::default());
        let tid = {
            let d = Daemon::start();
            let mut c = d.client();
            c.subscribe();
            connect(&mut c, &b, channel);
            let t = c.ok("threads.create", json!({"name": "Parcel"}));
            let tid = t["id"].as_str().unwrap().to_owned();
            c.ok(
                "thread.send",
                json!({"threadId": tid, "text": "where is it?"}),
            );
            let answer = c.wait_event("the agent's answer", |e| {
                e["kind"] == "message.created"
                    && e["data"]["message"]["text"] == "You said: where is it?"
            });
            // The back end marks an agent's message read on the agents' side at once; that is
            // not the customer reading it.
            assert_eq!(
                answer["data"]["message"]["status"], "delivered",
                "{channel}"
            );
            let list = c.ok("threads.list", json!({}));
            assert_eq!(thread(&list, &tid)["unreadCount"], 1, "{channel}: {list}");
            tid
        };
        // After a restart the count comes from the back end again.
        {
            let d = Daemon::start();
            let mut c = d.client();
            connect(&mut c, &b, channel);
            let list = loaded_list(&mut c, &tid);
            assert_eq!(thread(&list, &tid)["unreadCount"], 1, "{channel}: {list}");
            let snap = c.ok("threads.get", json!({"threadId": tid}));
            assert_eq!(agent_statuses(&snap), ["delivered"], "{channel}: {snap}");
            c.ok("thread.markRead", json!({"threadId": tid}));
            let list = c.ok("threads.list", json!({}));
            assert_eq!(thread(&list, &tid)["unreadCount"], 0, "{channel}");
        }
        // The back end recorded the customer's reading: still read after another restart.
        let d = Daemon::start();
        let mut c = d.client();
        connect(&mut c, &b, channel);
        let list = loaded_list(&mut c, &tid);
        assert_eq!(thread(&list, &tid)["unreadCount"], 0, "{channel}: {list}");
        let snap = c.ok("threads.get", json!({"threadId": tid}));
        assert_eq!(agent_statuses(&snap), ["read"], "{channel}: {snap}");
    }
}
