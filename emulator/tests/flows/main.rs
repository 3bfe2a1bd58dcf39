//! End-to-end tests of the emulator: every flow of PRODUCT.md §2, driven with a plain
//! WebSocket + HTTP client against the real server on a real loopback socket, checking every
//! reply against the wire types of `cxone_chat_protocol`.

#[macro_use]
mod common;

mod agent;
mod analytics;
mod attachments;
mod binary;
mod end_contact;
mod faults;
mod isolation;
mod large_events;
mod live_chat;
mod multi_thread;
mod open_chat;
mod prepare;
mod sdk_variants;
mod secured;
mod single_thread;
mod survey;
