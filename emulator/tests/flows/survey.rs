//! Flow 8, "create thread": a client-minted thread id, the pre-chat survey answers travelling
//! as contact custom fields with the first message, refused without a required field.

use cxone_chat_protocol::cxone::common::{CustomFields, UuidString};
use cxone_chat_protocol::cxone::content::MessageContent;
use serde_json::json;

use crate::common::{Emu, assert_error, field};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_channel_requires_its_fields_on_the_first_message() {
    let emu = Emu::start().await;
    let mut c = emu.connect_authorized("chat_survey").await;
    let thread = UuidString::new_v4();

    // Without `email` (or with it empty) the thread is not created.
    for fields in [
        vec![field("department", "sales")],
        vec![field("email", "  ")],
    ] {
        let (id, _) = c
            .send_content(&thread, MessageContent::text("hi"), |d| {
                d.contact = Some(CustomFields {
                    custom_fields: fields,
                })
            })
            .await;
        let message = assert_error(&c.reply(&id).await, &id, "SendingMessageFailed");
        assert!(
            message.contains("\"email\""),
            "the field is named: {message}"
        );
    }
    let threads = emu.admin_get("threads").await;
    assert_eq!(threads, json!([]), "nothing was created");
    let id = c
        .send(cxone_chat_protocol::cxone::sent::SentEvent::RecoverThread(
            Default::default(),
        ))
        .await;
    assert_error(&c.reply(&id).await, &id, "RecoveringThreadFailed");

    // With it (under the legacy key, as SendOutbound-era clients write it) the thread exists.
    let echo = c
        .say_with(&thread, "hi", |d| {
            d.contact = None;
            d.consumer_contact = Some(CustomFields {
                custom_fields: vec![
                    field("email", "john@example.com"),
                    field("department", "support"),
                ],
            });
            d.customer = Some(CustomFields {
                custom_fields: vec![field("age", "24")],
            });
        })
        .await;
    let created = body!(echo, MessageCreated);
    let case_fields: Vec<_> = created
        .case
        .custom_fields
        .iter()
        .map(|f| (f.ident.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        case_fields,
        [("email", "john@example.com"), ("department", "support")]
    );

    let admin = emu.admin_thread(&thread).await;
    assert_eq!(admin["channelId"], "chat_survey");
    assert_eq!(
        admin["customerId"],
        c.customer.id_on_external_platform.as_str()
    );
    assert_eq!(
        admin["contact"]["customFields"],
        json!([{"ident": "email", "value": "john@example.com"},
               {"ident": "department", "value": "support"}])
    );

    // Later messages need no survey; the recovered thread carries both kinds of fields.
    c.say(&thread, "still me").await;
    let r = body!(c.recover(Some(&thread)).await, ThreadRecovered);
    let contact = r.contact().expect("contact");
    assert_eq!(contact.custom_fields.len(), 2);
    let customer = r.customer.expect("customer").custom_fields;
    assert_eq!(
        (customer[0].ident.as_str(), customer[0].value.as_str()),
        ("age", "24")
    );
}
