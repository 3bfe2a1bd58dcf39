//! `customer.*`: who the customer is, their custom fields, device token and OAuth login.

use cxone_chat_protocol::rpc::errors::ErrorObject;
use cxone_chat_protocol::rpc::methods::customer::{
    CustomFieldsResult, CustomerAuthorizeParams, CustomerSetCustomFieldsParams,
    CustomerSetDeviceTokenParams, CustomerSetParams,
};
use cxone_chat_protocol::rpc::methods::{Empty, SessionParams};
use cxone_chat_protocol::rpc::types::Customer;

use crate::actors::session as msg;
use crate::rpc::dispatcher::{Ctx, ask};
use crate::rpc::sessions::find;

pub(crate) async fn get(ctx: &Ctx, p: SessionParams) -> Result<Customer, ErrorObject> {
    ask(
        &find(&ctx.state, &p.session).await?.session,
        msg::GetCustomer,
    )
    .await
}

pub(crate) async fn set(ctx: &Ctx, p: CustomerSetParams) -> Result<Customer, ErrorObject> {
    let set = msg::SetCustomer {
        id: p.id,
        first_name: p.first_name,
        last_name: p.last_name,
    };
    ask(&find(&ctx.state, &p.session).await?.session, set).await
}

pub(crate) async fn set_custom_fields(
    ctx: &Ctx,
    p: CustomerSetCustomFieldsParams,
) -> Result<CustomFieldsResult, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    ask(&session, msg::SetCustomerFields(p.custom_fields)).await
}

pub(crate) async fn set_device_token(
    ctx: &Ctx,
    p: CustomerSetDeviceTokenParams,
) -> Result<Empty, ErrorObject> {
    let session = find(&ctx.state, &p.session).await?.session;
    ask(&session, msg::SetDeviceToken(p.device_token)).await?;
    Ok(Empty {})
}

pub(crate) async fn authorize(ctx: &Ctx, p: CustomerAuthorizeParams) -> Result<Empty, ErrorObject> {
    let authorize = msg::Authorize {
        code: p.authorization_code,
        verifier: p.code_verifier,
    };
    ask(&find(&ctx.state, &p.session).await?.session, authorize).await?;
    Ok(Empty {})
}
