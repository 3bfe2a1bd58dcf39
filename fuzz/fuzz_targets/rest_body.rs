//! The REST response bodies the daemon decodes (`decode_body` for each), and the error-body
//! detection every response goes through: never a panic, and a decoded body re-encodes to JSON
//! that decodes to the same value.
#![no_main]

use cxone_chat_protocol::cxone::rest::{
    AttachmentUploadResponse, Availability, ChannelConfiguration, RefreshTokenResponse,
    RestErrorBody, ThirdPartyToken, TokenErrorBody, TokenResponse, decode_body,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    if let Ok(body) = decode_body::<T>(data) {
        let value = serde_json::to_value(&body).expect("a decoded body serializes");
        let text = value.to_string();
        let again = decode_body::<T>(text.as_bytes())
            .unwrap_or_else(|e| panic!("re-encoded body does not decode: {e}\n{text}"));
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            value,
            "decode → encode → decode changed the body"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<ChannelConfiguration>(data);
    round_trip::<Availability>(data);
    round_trip::<AttachmentUploadResponse>(data);
    round_trip::<TokenResponse>(data);
    round_trip::<TokenErrorBody>(data);
    round_trip::<RefreshTokenResponse>(data);
    round_trip::<ThirdPartyToken>(data);
    round_trip::<RestErrorBody>(data);
    let _ = RestErrorBody::detect(data);
});
