//! The REST side of the back end (PROTOCOL.md §1): channel configuration and availability,
//! visitor registration and analytics events, attachment upload (and the uploaded files),
//! `/oauth/token`, the bucket, and the internal logger.

use cxone_chat_protocol::cxone::common::IdRef;
use cxone_chat_protocol::cxone::common::{CustomFields, CustomerIdentity};
use cxone_chat_protocol::cxone::rest::{
    AllowedFileType, AnalyticsEvent, AttachmentUploadRequest, AttachmentUploadResponse,
    AuthenticationType, Availability, AvailabilityStatus, ChannelConfiguration, ChatMode,
    FieldDefinition, FieldOption, FieldType, FileRestrictions, PreContactCustomField,
    PreContactForm, RefreshTokenResponse, RestErrorBody, ThirdPartyGrant, ThirdPartyToken,
    TokenRequest, TokenResponse, VisitorRegistration, decode_body, features,
};
use cxone_chat_protocol::cxone::time::Timestamp;
use hyper::{Method, Response};
use serde_json::json;

use crate::Shared;
use crate::backend::{CustomerKey, TokenKind, json, now_ms};
use crate::chat::oauth_identity;
use crate::config::{Auth, ChannelConfig, Mode};
use crate::faults::Faults;
use crate::http::{Body, Req, error_response, json_response, raw_response};

/// Routes a REST request.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    match (&req.method, segments.as_slice()) {
        (&Method::GET, ["chat", "1.0", "brand", brand, "channel", channel]) => {
            channel_config(shared, brand, channel)
        }
        (
            &Method::GET,
            [
                "chat",
                "1.0",
                "brand",
                brand,
                "channel",
                channel,
                "availability",
            ],
        ) => with_channel(shared, brand, channel, |_, c| {
            if Faults::take(&mut shared.lock().faults.fail_availability) {
                return error_response(
                    503,
                    "ServiceUnavailable",
                    "availability temporarily unavailable (fault injected)",
                );
            }
            let status = if c.online {
                AvailabilityStatus::Online
            } else {
                AvailabilityStatus::Offline
            };
            json_response(200, &json(&Availability { status }))
        }),
        (
            &Method::POST,
            [
                "chat",
                "1.0",
                "brand",
                brand,
                "channel",
                channel,
                "attachment",
            ],
        ) => upload(shared, req, brand, channel),
        (
            &Method::PUT,
            [
                "web-analytics",
                "1.0",
                "tenants",
                _brand,
                "visitors",
                _visitor,
            ],
        ) => match decode_body::<VisitorRegistration>(&req.body) {
            Ok(_) => json_response(200, &json!({})),
            Err(e) => error_response(400, "InvalidRequest", &format!("visitor registration: {e}")),
        },
        (
            &Method::POST,
            [
                "web-analytics",
                "1.0",
                "tenants",
                _brand,
                "visitors",
                _visitor,
                "events",
            ],
        ) => match decode_body::<AnalyticsEvent>(&req.body) {
            Ok(_) => raw_response(202, "application/json", b"{}".to_vec()),
            Err(e) => error_response(400, "InvalidRequest", &format!("analytics event: {e}")),
        },
        (&Method::POST, ["oauth", "token"]) => token(shared, req),
        (&Method::GET, ["s3", ..]) => bucket_get(shared, req),
        (&Method::GET, ["files", ..]) => match shared.lock().files.get(&req.path) {
            Some((mime, bytes)) => raw_response(200, mime, bytes.clone()),
            None => error_response(404, "NotFound", "no such file"),
        },
        (&Method::POST, ["logger-public"]) => raw_response(204, "text/plain", Vec::new()),
        _ => error_response(
            404,
            "NotFound",
            &format!("no route for {} {}", req.method, req.path),
        ),
    }
}

fn with_channel(
    shared: &Shared,
    brand: &str,
    channel: &str,
    f: impl FnOnce(i64, &ChannelConfig) -> Response<Body>,
) -> Response<Body> {
    let Ok(brand) = brand.parse::<i64>() else {
        return error_response(400, "InvalidRequest", "the brand id must be a number");
    };
    let config = shared.lock().config.clone();
    match config.channel(brand, channel) {
        Some(c) => f(brand, c),
        None => error_response(
            404,
            "ChannelNotFound",
            &format!("no channel {channel} in brand {brand}"),
        ),
    }
}

fn channel_config(shared: &Shared, brand: &str, channel: &str) -> Response<Body> {
    if Faults::take(&mut shared.lock().faults.fail_channel_config) {
        return error_response(
            503,
            "ServiceUnavailable",
            "channel configuration temporarily unavailable (fault injected)",
        );
    }
    with_channel(shared, brand, channel, |_, c| {
        if c.sdk_version_not_supported {
            return json_response(403, &json(&RestErrorBody::sdk_version_not_supported()));
        }
        json_response(200, &json(&configuration(channel, c)))
    })
}

/// The channel configuration document of a configured channel.
pub(crate) fn configuration(channel_id: &str, c: &ChannelConfig) -> ChannelConfiguration {
    let mode = match c.mode {
        Mode::Single => ChatMode::SingleThread,
        Mode::Multi => ChatMode::MultiThread,
        Mode::Live => ChatMode::LiveChat,
    };
    let auth = match c.auth {
        Auth::Anonymous => AuthenticationType::Anonymous,
        Auth::Oauth => AuthenticationType::ThirdPartyOAuth,
        Auth::SecuredCookie => AuthenticationType::SecuredCookie,
    };
    let mut cfg = ChannelConfiguration::new(mode, auth);
    let s = &mut cfg.settings;
    s.is_proactive_chat_enabled = Some(c.proactive);
    s.live_chat_allow_transcript = Some(c.transcript);
    s.live_chat_show_offline_form = Some(c.offline_form);
    s.secured_sessions = Some(c.secured_sessions);
    s.features
        .insert(features::SECURED_SESSIONS.to_owned(), c.secured_sessions);
    s.features
        .insert("isProactiveChatEnabled".to_owned(), c.proactive);
    s.file_restrictions = Some(FileRestrictions {
        allowed_file_size: u64::from(c.max_file_size_mb),
        allowed_file_types: c
            .file_types
            .iter()
            .map(|m| AllowedFileType {
                mime_type: m.clone(),
                description: m.clone(),
            })
            .collect(),
        is_attachments_enabled: c.attachments,
    });
    cfg.availability = Some(Availability {
        status: if c.online {
            AvailabilityStatus::Online
        } else {
            AvailabilityStatus::Offline
        },
    });
    if !c.pre_chat.is_empty() {
        cfg.pre_contact_form = Some(PreContactForm {
            id: Some(format!("survey-{channel_id}")),
            name: "Pre-chat survey".into(),
            channels: Some(vec![IdRef::new(channel_id)]),
            custom_fields: c
                .pre_chat
                .iter()
                .map(|f| PreContactCustomField {
                    is_required: f.required,
                    definition: FieldDefinition {
                        ident: f.ident.clone(),
                        label: f.label.clone(),
                        field_type: serde_json::from_value::<FieldType>(json!(f.kind))
                            .unwrap_or(FieldType::Text),
                        values: Some(
                            f.options
                                .iter()
                                .map(|o| FieldOption {
                                    name: o.name.clone(),
                                    value: o.value.clone(),
                                    parent_id: o.parent.clone(),
                                })
                                .collect(),
                        ),
                    },
                })
                .collect(),
        });
    }
    cfg
}

fn upload(shared: &Shared, req: &Req, brand: &str, channel: &str) -> Response<Body> {
    with_channel(shared, brand, channel, |_, c| {
        let r: AttachmentUploadRequest = match decode_body(&req.body) {
            Ok(r) => r,
            Err(e) => {
                return error_response(400, "InvalidRequest", &format!("attachment upload: {e}"));
            }
        };
        let bytes = match r.decode_content() {
            Ok(b) => b,
            Err(e) => {
                return error_response(
                    400,
                    "InvalidRequest",
                    &format!("content is not base64: {e}"),
                );
            }
        };
        let restrictions = configuration(channel, c)
            .settings
            .file_restrictions
            .expect("always set");
        // A rejection is a 2xx carrying the channel's restrictions (PROTOCOL.md §1.7).
        if restrictions
            .check_upload(bytes.len() as u64, &r.mime_type)
            .is_err()
        {
            return json_response(200, &json(&restrictions));
        }
        let path = format!("/files/{}/{}", uuid::Uuid::new_v4(), sanitize(&r.file_name));
        let mut b = shared.lock();
        let url = format!("{}{path}", b.base_url);
        b.files.insert(path, (r.mime_type.clone(), bytes));
        json_response(200, &json(&AttachmentUploadResponse { file_url: url }))
    })
}

fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "file".into() } else { s }
}

/// `POST /oauth/token?channelId&brandId&visitorId` (PROTOCOL.md §1.8).
fn token(shared: &Shared, req: &Req) -> Response<Body> {
    let (Some(brand), Some(channel)) = (
        req.param("brandId").and_then(|b| b.parse::<i64>().ok()),
        req.param("channelId"),
    ) else {
        return json_response(
            400,
            &json!({"error": "invalid_request", "error_description": "brandId and channelId are required"}),
        );
    };
    let request: TokenRequest = match decode_body(&req.body) {
        Ok(r) => r,
        Err(e) => {
            return json_response(
                400,
                &json!({"error": "invalid_request", "error_description": e.to_string()}),
            );
        }
    };
    let mut b = shared.lock();
    let Some(ch) = b.config.channel(brand, &channel).cloned() else {
        return json_response(
            404,
            &json!({"error": {"errorMessage": format!("no channel {channel} in brand {brand}")}}),
        );
    };
    if !ch.secured_sessions {
        return json_response(
            400,
            &json!({"error": {"errorMessage": "secured sessions are not enabled for this channel"}}),
        );
    }
    if Faults::take(&mut b.faults.refuse_authorizations) {
        return json_response(
            401,
            &json!({"error": {"errorMessage": "Authorization refused (fault injected)"}}),
        );
    }
    let (tt_ttl, at_ttl) = (
        b.config.transaction_token_ttl_secs,
        b.config.access_token_ttl_secs,
    );
    let key = |customer: String| CustomerKey {
        brand,
        channel: channel.clone(),
        customer,
    };
    let created = Some(Timestamp::from_unix_ms_millis(now_ms()));
    match request {
        TokenRequest::Anonymous(a) if ch.auth == Auth::Anonymous => {
            let identity = a
                .customer_identity
                .unwrap_or_else(|| CustomerIdentity::new(uuid::Uuid::new_v4().to_string()));
            let k = key(identity.id_on_external_platform.clone());
            b.customers.entry(k.clone()).or_default();
            let mut resp = TokenResponse::new(
                b.issue_token(k, TokenKind::Transaction, tt_ttl),
                tt_ttl as i64,
            );
            resp.created_at = created;
            resp.customer_identity = Some(identity);
            resp.contact = Some(CustomFields::default());
            json_response(200, &json(&resp))
        }
        TokenRequest::SecuredCookie if ch.auth == Auth::SecuredCookie => {
            let existing = req.cookie.as_deref().and_then(|c| {
                c.split(';')
                    .find_map(|kv| kv.trim().strip_prefix("cxone_identity=").map(str::to_owned))
            });
            let id = existing
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let k = key(id.clone());
            b.customers.entry(k.clone()).or_default();
            let mut resp = TokenResponse::new(
                b.issue_token(k, TokenKind::Transaction, tt_ttl),
                tt_ttl as i64,
            );
            resp.created_at = created;
            resp.customer_identity = Some(CustomerIdentity::new(id.clone()));
            let mut r = json_response(200, &json(&resp));
            if existing.is_none()
                && let Ok(v) = hyper::header::HeaderValue::from_str(&format!(
                    "cxone_identity={id}; Path=/; HttpOnly; SameSite=None"
                ))
            {
                r.headers_mut().insert("set-cookie", v);
            }
            r
        }
        TokenRequest::ThirdParty(ThirdPartyGrant::AuthorizationCode {
            authorization_code, ..
        }) if ch.auth == Auth::Oauth => {
            if authorization_code.is_empty() || !b.used_codes.insert(authorization_code.clone()) {
                return json_response(400, &json!({"error": "invalid_grant"}));
            }
            let identity = oauth_identity(&authorization_code);
            let k = key(identity.id_on_external_platform.clone());
            b.customers.entry(k.clone()).or_default();
            let access = b.issue_token(k.clone(), TokenKind::ThirdPartyAccess, at_ttl);
            let refresh = b.issue_token(k.clone(), TokenKind::ThirdPartyRefresh, 30 * 24 * 3600);
            let mut resp = TokenResponse::new(
                b.issue_token(k, TokenKind::Transaction, tt_ttl),
                tt_ttl as i64,
            );
            resp.created_at = created;
            resp.customer_identity = Some(identity);
            resp.third_party = Some(ThirdPartyToken {
                access_token: access,
                refresh_token: Some(refresh),
                expires_in: Some(at_ttl as i64),
            });
            json_response(200, &json(&resp))
        }
        TokenRequest::ThirdParty(ThirdPartyGrant::RefreshToken { refresh_token })
            if ch.auth == Auth::Oauth =>
        {
            let Some(k) = b
                .check_token(&refresh_token, TokenKind::ThirdPartyRefresh)
                .cloned()
            else {
                return json_response(400, &json!({"error": "invalid_grant"}));
            };
            let access = b.issue_token(k.clone(), TokenKind::ThirdPartyAccess, at_ttl);
            let transaction = b.issue_token(k, TokenKind::Transaction, tt_ttl);
            // The three SDKs read three shapes; the union satisfies all of them.
            let tokens = ThirdPartyToken {
                access_token: access,
                refresh_token: Some(refresh_token),
                expires_in: Some(at_ttl as i64),
            };
            json_response(
                200,
                &json(&RefreshTokenResponse::union(
                    transaction,
                    tt_ttl as i64,
                    tokens,
                )),
            )
        }
        other => {
            let wanted = match ch.auth {
                Auth::Anonymous => "anonymous",
                Auth::Oauth => "thirdParty",
                Auth::SecuredCookie => "securedCookie ({})",
            };
            let got = format!("{:?}", other.authentication_type());
            json_response(
                400,
                &json!({"error": {"errorMessage": format!("this channel expects a {wanted} token request, got {got}")}}),
            )
        }
    }
}

fn bucket_get(shared: &Shared, req: &Req) -> Response<Body> {
    let key = req.path.trim_start_matches("/s3/");
    let mut b = shared.lock();
    if Faults::take(&mut b.faults.fail_bucket_downloads) {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>";
        return raw_response(500, "application/xml", body.to_vec());
    }
    match b.bucket.get(key, &req.query) {
        Ok(bytes) => raw_response(200, "application/json", bytes.to_vec()),
        Err(e) => {
            let (status, body) = e.response();
            raw_response(status, "application/xml", body.into_bytes())
        }
    }
}
