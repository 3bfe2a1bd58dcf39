//! Flows 2 and 3, "application goes to background" and "page view": the analytics events on
//! the REST endpoint, recorded with their bodies; malformed bodies are refused naming the field.

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::rest::{
    AnalyticsEvent, AnalyticsEventData, PageView, TimeSpentOnPage, decode_body,
};
use cxone_chat_protocol::cxone::time::Timestamp;
use serde_json::{Value, json};

use crate::common::{BRAND, Emu, uuid};

fn events_path(visitor: &str) -> String {
    format!("/web-analytics/1.0/tenants/{BRAND}/visitors/{visitor}/events")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_view_time_spent_and_chat_window_opened_are_recorded_in_order() {
    let emu = Emu::start().await;
    let (visitor, destination) = (uuid(), uuid());
    let visit = UuidString::new_v4();
    let at = Timestamp::parse("2024-05-06T20:45:53.654Z").expect("timestamp");
    let page = PageView {
        title: "Home".into(),
        url: "app://home".into(),
    };
    let events = [
        AnalyticsEventData::VisitorVisit,
        AnalyticsEventData::PageView(page.clone()),
        AnalyticsEventData::TimeSpentOnPage(TimeSpentOnPage {
            url: page.url.clone(),
            title: page.title.clone(),
            time_spent_on_page: 42,
        }),
        AnalyticsEventData::ChatWindowOpened,
    ]
    .map(|data| AnalyticsEvent::new(visit.clone(), destination.clone(), at.clone(), data));

    let path = events_path(&visitor);
    let mut sent: Vec<Value> = Vec::new();
    for event in &events {
        let body = serde_json::to_value(event).expect("serializes");
        let r = emu.post(&path, &body).await;
        assert_eq!(r.status, 202, "{}: {}", event.data.event_type(), r.text());
        sent.push(body);
    }

    let records = emu.received("rest", Some(&format!("POST {path}"))).await;
    assert_eq!(records.len(), 4);
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["body"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "VisitorVisit",
            "PageView",
            "TimeSpentOnPage",
            "ChatWindowOpened"
        ]
    );
    for ((record, body), event) in records.iter().zip(&sent).zip(&events) {
        assert_eq!(&record["body"], body, "recorded verbatim");
        let decoded: AnalyticsEvent =
            serde_json::from_value(record["body"].clone()).expect("decodes");
        assert_eq!(&decoded, event);
    }
    assert_eq!(
        records[2]["body"]["data"],
        json!({"url": "app://home", "title": "Home", "timeSpentOnPage": 42})
    );
    assert_eq!(
        records[1]["body"]["data"],
        json!({"title": "Home", "url": "app://home"})
    );
    assert_eq!(records[3]["body"]["data"], json!({}));
    assert_eq!(records[1]["body"]["visitId"], visit.as_str());
    assert_eq!(
        records[1]["body"]["destination"]["id"],
        destination.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_analytics_bodies_get_400_naming_the_field() {
    let emu = Emu::start().await;
    let path = events_path(&uuid());
    let good = json!({
        "id": uuid(), "type": "PageView", "visitId": uuid(), "destination": {"id": uuid()},
        "createdAtWithMilliseconds": "2024-05-06T20:45:53.654Z",
        "data": {"title": "Home", "url": "app://home"}
    });
    assert_eq!(emu.post(&path, &good).await.status, 202);

    let mut no_title = good.clone();
    no_title["data"] = json!({"url": "app://home"});
    let mut no_visit = good.clone();
    no_visit.as_object_mut().expect("object").remove("visitId");
    let mut bad_id = good.clone();
    bad_id["id"] = json!("not-a-uuid");
    let mut bad_seconds = good.clone();
    bad_seconds["type"] = json!("TimeSpentOnPage");
    bad_seconds["data"] = json!({"url": "u", "title": "t", "timeSpentOnPage": "long"});

    for (body, field) in [
        (no_title, "title"),
        (no_visit, "visitId"),
        (bad_id, "not-a-uuid"),
        (bad_seconds, "TimeSpentOnPage"),
    ] {
        let r = emu.post(&path, &body).await;
        assert_eq!(r.status, 400, "{field}: {}", r.text());
        let error = r.json();
        assert_eq!(error["error"]["errorCode"], "InvalidRequest");
        let message = error["error"]["errorMessage"].as_str().expect("message");
        assert!(message.contains(field), "{field} not named in {message:?}");
    }
    let r = http_not_json(&emu, &path).await;
    assert_eq!(r.0, 400);
    assert!(r.1.contains("not JSON"), "{}", r.1);
    // Decoding what was refused still works for the accepted one.
    let accepted = emu.received("rest", Some(&format!("POST {path}"))).await;
    assert_eq!(accepted.len(), 6, "refused bodies are recorded too");
    let first: AnalyticsEvent =
        decode_body(accepted[0]["body"].to_string().as_bytes()).expect("decodes");
    assert_eq!(first.data.event_type(), "PageView");
}

async fn http_not_json(emu: &Emu, path: &str) -> (u16, String) {
    let r = crate::common::http(emu.addr(), "POST", path, Some(b"page view, please")).await;
    (r.status, r.text())
}
