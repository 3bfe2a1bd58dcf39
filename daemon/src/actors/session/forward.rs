//! Thread calls the session forwards to its thread registry, in order with the [`Chat`] updates
//! it sends there (one sender, one FIFO), and what the session itself knows about uploads.
//!
//! [`Chat`]: crate::actors::threads::Chat

use actix::dev::ToEnvelope;
use actix::prelude::*;

use super::Session;
use crate::actors::threads::{CreateThread, GetThread, ListThreads, Send, ThreadOp, Threads};
use crate::session::error::SessionError;

impl Session {
    /// Forwards `msg` to the thread registry and answers with its answer.
    pub(super) fn forward<M, T>(&self, msg: M) -> ResponseFuture<Result<T, SessionError>>
    where
        M: Message<Result = Result<T, SessionError>> + std::marker::Send + 'static,
        T: std::marker::Send + 'static,
        Threads: Handler<M>,
        <Threads as Actor>::Context: ToEnvelope<Threads, M>,
    {
        let sent = self.threads.send(msg);
        Box::pin(async move { sent.await.map_err(|_| SessionError::Stopped)? })
    }
}

macro_rules! forward {
    ($($msg:ty => $out:ty),* $(,)?) => {$(
        impl Handler<$msg> for Session {
            type Result = ResponseFuture<Result<$out, SessionError>>;

            fn handle(&mut self, msg: $msg, _: &mut Self::Context) -> Self::Result {
                self.forward(msg)
            }
        }
    )*};
}

forward! {
    ListThreads => Vec<cxone_chat_protocol::rpc::types::Thread>,
    GetThread => cxone_chat_protocol::rpc::types::ThreadSnapshot,
    CreateThread => cxone_chat_protocol::rpc::types::Thread,
    Send => cxone_chat_protocol::rpc::types::Message,
    ThreadOp => crate::actors::threads::OpResult,
}

/// Where and under which rules `thread.send` uploads attachments (the upload itself runs in the
/// caller's task, off this actor: files are read and sent before the message is).
#[derive(Message, Debug)]
#[rtype(result = "Result<crate::session::attachments::UploadTarget, SessionError>")]
pub struct GetUploadTarget;

impl Handler<GetUploadTarget> for Session {
    type Result = Result<crate::session::attachments::UploadTarget, SessionError>;

    fn handle(&mut self, _: GetUploadTarget, _: &mut Self::Context) -> Self::Result {
        let (Some(t), Some(c)) = (&self.target, &self.config) else {
            return Err(SessionError::NotPrepared);
        };
        let limits = c
            .settings
            .file_restrictions
            .clone()
            .filter(|r| r.is_attachments_enabled)
            .ok_or(SessionError::FeatureDisabled(
                "this channel does not accept attachments",
            ))?;
        Ok(crate::session::attachments::UploadTarget {
            rest: self.rest.clone(),
            endpoints: t.endpoints.clone(),
            brand_id: t.brand_id,
            channel_id: t.channel_id.clone(),
            limits,
        })
    }
}
