//! The daemon's integration tests, one binary with a module per topic (as matrix-rust-sdk
//! does): the real daemon binary over its real socket against the real emulator on 127.0.0.1,
//! and the layers (upstream, store) on their own. `common` is the end-to-end harness,
//! `upstream_support` the upstream layer's. `bench` holds the `#[ignore]`d benchmarks behind
//! `BENCHMARKS.md`.

mod common;
mod upstream_support;

mod attachments_hostile;
mod bad_input;
mod bench;
mod bench_peers;
mod config_env_lists;
mod decode_cli;
mod flows;
mod flows_attachments;
mod flows_background_errors;
mod flows_content;
mod flows_inactivity;
mod flows_large_events;
mod flows_lifecycle;
mod flows_live_chat;
mod flows_no_agent;
mod flows_ordering;
mod flows_outbox;
mod flows_proactive;
mod flows_read_state;
mod flows_tokens;
mod hostile_clients;
mod logs_redacted;
mod network_proxy;
mod network_tls;
mod peer_groups;
mod rpc_socket;
mod service;
mod service_journal;
mod soak;
mod store_damage;
mod store_import;
mod store_outbox;
mod store_session;
mod store_threads;
mod tidy;
mod trust_roots;
mod upstream_download;
mod upstream_large_events;
mod upstream_rest;
mod upstream_socket;
mod upstream_socket_local;
