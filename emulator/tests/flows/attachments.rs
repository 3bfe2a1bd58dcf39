//! Flow 9, attachments: upload over REST, the file served back, a message carrying it, and
//! the refusals (type not allowed, bad base64, attachments disabled).

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::content::MessageContent;
use cxone_chat_protocol::cxone::rest::{
    AttachmentUploadOutcome, AttachmentUploadRequest, AttachmentUploadResponse, decode_body,
};
use cxone_chat_protocol::cxone::sent::SentAttachment;
use cxone_emulator::config::Mode;
use serde_json::json;

use crate::common::{BRAND, Emu, assert_error, config_with, get_url, quiet_channel};

fn upload_path(channel: &str) -> String {
    format!("/chat/1.0/brand/{BRAND}/channel/{channel}/attachment")
}

fn upload_body(bytes: &[u8], mime: &str, name: &str) -> serde_json::Value {
    serde_json::to_value(AttachmentUploadRequest::new(bytes, mime, name)).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_file_is_served_and_sent_in_a_message() {
    let emu = Emu::start().await;
    let png: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let r = emu
        .post(
            &upload_path("chat_single"),
            &upload_body(&png, "image/png", "my photo.png"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let uploaded: AttachmentUploadResponse = decode_body(&r.body).expect("a fileUrl");
    let url = uploaded.file_url;
    assert!(
        url.starts_with(&format!("{}/files/", emu.base_url())),
        "{url}"
    );
    assert!(
        url.ends_with("/my_photo.png"),
        "the name is made URL-safe: {url}"
    );
    let file = get_url(&url).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/png"));
    assert_eq!(file.body, png, "byte for byte");

    // A message with only the attachment.
    let mut c = emu.connect_authorized("chat_single").await;
    let thread = UuidString::new_v4();
    let attachment = SentAttachment {
        url: url.clone(),
        friendly_name: "my photo.png".into(),
        mime_type: Some("image/png".into()),
        file_name: None, // Android omits it
    };
    let echo = c
        .say_with(&thread, "", |d| d.attachments = vec![attachment.clone()])
        .await;
    assert_eq!(
        echo.json()["data"]["message"]["attachments"],
        json!([{"url": url, "friendlyName": "my photo.png", "mimeType": "image/png",
                "fileName": "my photo.png"}]),
        "iOS needs all four keys"
    );
    let reply = c
        .wait_for("the agent's reply", |f| {
            f.event_type() == Some("MessageCreated")
                && f.json()["data"]["message"]["direction"] == "outbound"
        })
        .await;
    assert_eq!(
        body!(reply, MessageCreated)
            .message
            .message_content
            .plain_text()
            .as_deref(),
        Some("You said: (an attachment)")
    );

    // Neither text nor attachment: refused.
    let (id, _) = c
        .send_content(&thread, MessageContent::text("   "), |_| {})
        .await;
    let message = assert_error(&c.reply(&id).await, &id, "SendingMessageFailed");
    assert!(message.contains("text"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_refused_the_way_the_sdks_expect() {
    let mut closed = quiet_channel(Mode::Single);
    closed.attachments = false;
    let emu = Emu::with_config(config_with("chat_noattach", closed)).await;

    // A type the channel does not allow: 2xx with the channel's restrictions, nothing stored.
    let r = emu
        .post(
            &upload_path("chat_single"),
            &upload_body(b"movie", "video/mp4", "m.mp4"),
        )
        .await;
    assert_eq!(r.status, 200);
    let AttachmentUploadOutcome::Rejected(restrictions) = decode_body(&r.body).expect("decodes")
    else {
        panic!("accepted: {}", r.text());
    };
    assert_eq!(restrictions.allowed_file_size, 40);
    assert!(
        restrictions.allows_mime_type("image/jpeg") && !restrictions.allows_mime_type("video/mp4")
    );
    assert_eq!(r.json()["allowedFileSize"], "40");

    // Bad base64, a malformed body, an unknown channel.
    let bad = json!({"content": "***", "mimeType": "image/png", "fileName": "x.png"});
    let r = emu.post(&upload_path("chat_single"), &bad).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("base64"), "{}", r.text());
    let r = emu
        .post(&upload_path("chat_single"), &json!({"content": ""}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("mimeType"), "{}", r.text());
    let r = emu
        .post(
            &upload_path("chat_nope"),
            &upload_body(b"x", "image/png", "x.png"),
        )
        .await;
    assert_eq!(r.status, 404);

    // Attachments disabled: the upload is refused, and so is a message carrying one.
    let r = emu
        .post(
            &upload_path("chat_noattach"),
            &upload_body(b"x", "image/png", "x.png"),
        )
        .await;
    assert_eq!(r.json()["isAttachmentsEnabled"], false);
    let mut c = emu.connect_authorized("chat_noattach").await;
    let thread = UuidString::new_v4();
    let (id, _) = c
        .send_content(&thread, MessageContent::text("see file"), |d| {
            d.attachments = vec![SentAttachment {
                url: format!("{}/files/x/x.png", emu.base_url()),
                friendly_name: "x.png".into(),
                mime_type: Some("image/png".into()),
                file_name: Some("x.png".into()),
            }]
        })
        .await;
    let message = assert_error(&c.reply(&id).await, &id, "SendingMessageFailed");
    assert!(message.contains("disabled"), "{message}");
    assert_eq!(emu.get("/files/nope/x.png").await.status, 404);
}
