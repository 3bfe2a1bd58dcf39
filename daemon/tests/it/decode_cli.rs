//! `cxone-chatd decode` and `--version`, run as the real binary.

use crate::common::fixture;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cxone-chatd"))
}

fn decode_stdin(input: &[u8]) -> Output {
    let mut child = bin()
        .args(["decode", "-", "--compact"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn version_names_the_binary_and_the_crate_version() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("cxone-chatd {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_fixture_file_decodes_to_its_kind_and_value() {
    let out = bin()
        .args(["decode"])
        .arg(fixture("ios/MessageCreatedEvent.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "MessageCreated");
    assert_eq!(doc["value"]["data"]["case"]["id"], "131988342510");
    assert_eq!(doc["value"]["data"]["message"]["direction"], "inbound");
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let out = decode_stdin(br#""pong""#);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        r#"{"kind":"pong","value":"pong"}"#
    );
}

#[test]
fn an_undecodable_frame_exits_1_naming_the_field() {
    let frame = br#"{"eventId":"e1","postback":{"eventType":"ThreadRecovered","data":{"messages":[],"thread":{"idOnExternalPlatform":"not-a-uuid","channelId":"c","threadName":"","canAddMoreMessages":true}}}}"#;
    let out = decode_stdin(frame);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("postback.data.thread.idOnExternalPlatform"),
        "{err}"
    );
    assert!(err.contains("not a UUID"), "{err}");
}

#[test]
fn unreadable_input_and_non_json_say_so() {
    let out = bin()
        .args(["decode", "/nonexistent/frame.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/frame.json"));

    let out = decode_stdin(b"{not json");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));

    let out = decode_stdin(&[0xff, 0xfe, b'{']);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
}
