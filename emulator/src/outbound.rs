//! What leaves the back end for a connection: a frame dressed as the real server sends it
//! (`enrich`), and sent through the bucket instead (`EventInS3`) when it is larger than the
//! gateway's message limit. The handlers call these; `Backend` itself only queues raw text.

use cxone_chat_protocol::cxone::received::ReceivedFrame;

use crate::backend::{Backend, CustomerKey};
use crate::enrich::enrich;
use crate::frames::event_in_s3;

/// Sends one frame to one connection, through the bucket when it is too large for the gateway
/// (the real limit is the API-Gateway message size). Returns false when the connection is gone.
pub(crate) fn send(b: &mut Backend, conn: u64, frame: &ReceivedFrame) -> bool {
    let mut value = frame.to_value();
    enrich(b, conn, &mut value);
    let text = value.to_string();
    let text = if text.len() > b.config.large_event_threshold {
        let origin = match frame {
            ReceivedFrame::Event(e) => e.event_type.clone(),
            _ => String::new(),
        };
        let ttl = b.config.bucket_url_ttl_secs;
        let url = b.bucket.put(&b.base_url, text.into_bytes(), ttl);
        event_in_s3(&url, &origin).to_text()
    } else {
        text
    };
    b.send_text(conn, text)
}

/// Sends a frame to every authorized connection of a customer.
pub(crate) fn to_customer(b: &mut Backend, key: &CustomerKey, frame: &ReceivedFrame) {
    for id in b.customer_conns(key) {
        send(b, id, frame);
    }
}
