//! What a handler asks the gateway to do once it ran, sans I/O: answer the request on its
//! connection (subject to the delay and withhold faults), or let the simulated agent act after a
//! pause. The chat logic and the agent return these; `gateway::execute` carries them out.

use std::time::Duration;

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::received::ReceivedFrame;

use crate::backend::CustomerKey;

/// Something the gateway must do after a handler ran.
#[derive(Debug)]
pub(crate) enum Effect {
    /// Answer the request on the connection it came from (subject to delay/withhold faults).
    Reply {
        /// The request's event type, which the faults are keyed by.
        event_type: String,
        /// The reply.
        frame: ReceivedFrame,
    },
    /// Let the simulated agent act after a pause.
    Agent {
        /// The pause.
        after: Duration,
        /// What to do.
        action: AgentAction,
    },
}

/// One thing the agent (or the back end on its behalf) does.
#[derive(Debug)]
pub(crate) enum AgentAction {
    /// Push a frame to every connection of a customer.
    Push {
        /// The customer.
        key: CustomerKey,
        /// The frame.
        frame: Box<ReceivedFrame>,
    },
    /// `FireProactiveAction` to one connection: the welcome message, or a triggered action.
    Proactive {
        /// The connection.
        conn: u64,
        /// The trigger that asked for it (`ExecuteTrigger`), if any.
        trigger: Option<String>,
    },
    /// Announce the first queue position and schedule the rest.
    Queue {
        /// The thread.
        thread: UuidString,
        /// Positions still to announce.
        positions: Vec<i64>,
        /// Pause between announcements.
        step: Duration,
    },
    /// Assign the contact to the agent.
    Assign {
        /// The thread.
        thread: UuidString,
    },
    /// Mark the customer's messages read.
    Read {
        /// The thread.
        thread: UuidString,
    },
    /// Typing indicator on or off.
    Typing {
        /// The thread.
        thread: UuidString,
        /// Started (true) or ended.
        started: bool,
    },
    /// The contact ends (the customer let an inactivity popup expire).
    Close {
        /// The thread.
        thread: UuidString,
    },
    /// An agent message.
    Say {
        /// The thread.
        thread: UuidString,
        /// The text.
        text: String,
    },
}
