//! The chat state machine of PROTOCOL.md §5.1 as plain data: which operation is legal in which
//! state, and where it leads. Every change is returned so the session can announce it
//! (`chat.stateChanged`).

use cxone_chat_protocol::rpc::types::{ChatMode, ChatState};

/// A state change to announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Change {
    /// Before.
    pub(crate) previous: ChatState,
    /// After.
    pub(crate) state: ChatState,
}

/// An operation the current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{operation} is not possible while the chat is {state:?}")]
pub(crate) struct Illegal {
    /// What was attempted.
    pub(crate) operation: &'static str,
    /// The state it was attempted in.
    pub(crate) state: ChatState,
}

/// The machine.
#[derive(Debug, Clone)]
pub(crate) struct StateMachine {
    state: ChatState,
    mode: Option<ChatMode>,
}

impl Default for StateMachine {
    fn default() -> Self {
        Self {
            state: ChatState::Initial,
            mode: None,
        }
    }
}

impl StateMachine {
    /// The current state.
    pub(crate) fn state(&self) -> ChatState {
        self.state
    }

    /// The chat mode, once prepared.
    pub(crate) fn mode(&self) -> Option<ChatMode> {
        self.mode
    }

    fn go(&mut self, to: ChatState) -> Option<Change> {
        let previous = std::mem::replace(&mut self.state, to);
        (previous != to).then_some(Change {
            previous,
            state: to,
        })
    }

    /// `prepare` starts: legal in `initial`, `prepared` and `offline` (iOS `isPrepareable`).
    pub(crate) fn begin_prepare(&mut self) -> Result<Option<Change>, Illegal> {
        match self.state {
            ChatState::Initial | ChatState::Prepared | ChatState::Offline => {
                Ok(self.go(ChatState::Preparing))
            }
            state => Err(Illegal {
                operation: "session.prepare",
                state,
            }),
        }
    }

    /// `prepare` finished: `prepared` with the channel's mode, or back to `initial` on failure.
    pub(crate) fn end_prepare(&mut self, mode: Result<ChatMode, ()>) -> Option<Change> {
        match mode {
            Ok(m) => {
                self.mode = Some(m);
                self.go(ChatState::Prepared)
            }
            Err(()) => self.go(ChatState::Initial),
        }
    }

    /// `connect` starts: legal from `prepared` and `offline` (to retry after availability
    /// changed); `Ok(None)` when already connecting or connected (nothing to do).
    pub(crate) fn begin_connect(&mut self) -> Result<Option<Change>, Illegal> {
        match self.state {
            ChatState::Prepared | ChatState::Offline => Ok(self.go(ChatState::Connecting)),
            ChatState::Connecting | ChatState::Connected | ChatState::Ready | ChatState::Closed => {
                Ok(None)
            }
            state => Err(Illegal {
                operation: "session.connect",
                state,
            }),
        }
    }

    /// Live chat is unavailable: `offline` instead of connecting.
    pub(crate) fn offline(&mut self) -> Option<Change> {
        self.go(ChatState::Offline)
    }

    /// The socket is open (and authorized).
    pub(crate) fn connected(&mut self) -> Option<Change> {
        self.go(ChatState::Connected)
    }

    /// Recovery done: `ready`, or `closed` when the live chat's contact is closed.
    pub(crate) fn ready(&mut self, closed: bool) -> Option<Change> {
        self.go(if closed {
            ChatState::Closed
        } else {
            ChatState::Ready
        })
    }

    /// A live chat's contact was closed (by the agent or `thread.endContact`): `closed`, the
    /// conversation read-only until a new one begins (iOS `.closed`).
    pub(crate) fn contact_closed(&mut self) -> Option<Change> {
        match self.state {
            ChatState::Connected | ChatState::Ready => self.go(ChatState::Closed),
            _ => None,
        }
    }

    /// A new live chat began after the last one closed: `ready` again.
    pub(crate) fn reopened(&mut self) -> Option<Change> {
        match self.state {
            ChatState::Closed => self.go(ChatState::Ready),
            _ => None,
        }
    }

    /// The connection dropped and the daemon reconnects: back to `connecting`.
    pub(crate) fn reconnecting(&mut self) -> Option<Change> {
        match self.state {
            ChatState::Connected | ChatState::Ready | ChatState::Closed => {
                self.go(ChatState::Connecting)
            }
            _ => None,
        }
    }

    /// An explicit disconnect (or a failed connect): `prepared` again, `initial` while still
    /// preparing.
    pub(crate) fn disconnected(&mut self) -> Option<Change> {
        match self.state {
            ChatState::Preparing => self.go(ChatState::Initial),
            ChatState::Initial | ChatState::Prepared => None,
            _ => self.go(ChatState::Prepared),
        }
    }

    /// Whether calls that need the back end can run now.
    pub(crate) fn is_connected(&self) -> bool {
        matches!(
            self.state,
            ChatState::Connected | ChatState::Ready | ChatState::Closed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_chat_closes_and_opens_again_only_while_connected() {
        let mut m = StateMachine::default();
        assert_eq!(
            m.contact_closed(),
            None,
            "nothing to close before a connection"
        );
        m.begin_prepare().unwrap();
        m.end_prepare(Ok(ChatMode::Livechat));
        m.begin_connect().unwrap();
        m.connected();
        m.ready(false);
        assert_eq!(m.reopened(), None, "ready already");
        assert!(m.contact_closed().is_some());
        assert_eq!(m.state(), ChatState::Closed);
        assert_eq!(m.contact_closed(), None, "announced once");
        assert!(m.reopened().is_some());
        assert_eq!(m.state(), ChatState::Ready);
    }

    #[test]
    fn the_happy_path_announces_every_step() {
        let mut m = StateMachine::default();
        let steps = [
            m.begin_prepare().unwrap(),
            m.end_prepare(Ok(ChatMode::Singlethread)),
            m.begin_connect().unwrap(),
            m.connected(),
            m.ready(false),
        ];
        let states: Vec<ChatState> = steps.iter().map(|c| c.unwrap().state).collect();
        use ChatState::*;
        assert_eq!(
            states,
            vec![Preparing, Prepared, Connecting, Connected, Ready]
        );
        assert!(m.is_connected());
        assert_eq!(m.mode(), Some(ChatMode::Singlethread));
    }

    #[test]
    fn illegal_operations_name_the_state() {
        let mut m = StateMachine::default();
        let e = m.begin_connect().unwrap_err();
        assert_eq!(
            (e.operation, e.state),
            ("session.connect", ChatState::Initial)
        );
        m.begin_prepare().unwrap();
        assert_eq!(
            m.begin_prepare().unwrap_err().state,
            ChatState::Preparing,
            "a second prepare while preparing"
        );
        assert_eq!(m.disconnected().unwrap().state, ChatState::Initial);
    }

    #[test]
    fn reconnects_and_disconnects_return_where_the_sdks_do() {
        let mut m = StateMachine::default();
        m.begin_prepare().unwrap();
        m.end_prepare(Ok(ChatMode::Livechat));
        m.begin_connect().unwrap();
        m.connected();
        m.ready(true);
        assert_eq!(m.state(), ChatState::Closed);
        assert_eq!(m.reconnecting().unwrap().state, ChatState::Connecting);
        assert_eq!(
            m.begin_connect().unwrap(),
            None,
            "already connecting: nothing to do"
        );
        assert_eq!(m.disconnected().unwrap().state, ChatState::Prepared);
        m.begin_connect().unwrap();
        assert_eq!(m.offline().unwrap().state, ChatState::Offline);
        assert!(m.begin_connect().unwrap().is_some(), "offline may retry");
        assert_eq!(m.end_prepare(Err(())).unwrap().state, ChatState::Initial);
    }
}
