//! The bucket: large events parked behind pre-signed-style URLs that expire, and attachment
//! files. `GET /s3/<key>?X-Amz-Expires=…&X-Amz-Signature=…` returns the object byte for byte
//! while the signature matches and the URL has not expired.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One stored object.
#[derive(Debug)]
struct Object {
    bytes: Vec<u8>,
    signature: String,
    expires: Instant,
}

/// Objects by key.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    objects: HashMap<String, Object>,
}

/// Why a download was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BucketError {
    /// No such key.
    NoSuchKey,
    /// Signature missing or wrong.
    BadSignature,
    /// The URL expired.
    Expired,
}

impl BucketError {
    /// HTTP status and the S3-style XML error body.
    pub(crate) fn response(&self) -> (u16, String) {
        let (status, code, message) = match self {
            Self::NoSuchKey => (404, "NoSuchKey", "The specified key does not exist."),
            Self::BadSignature => (
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            ),
            Self::Expired => (403, "AccessDenied", "Request has expired"),
        };
        (
            status,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            ),
        )
    }
}

impl Bucket {
    /// Stores `bytes` under a fresh key and returns its URL, valid for `ttl_secs`.
    pub(crate) fn put(&mut self, base_url: &str, bytes: Vec<u8>, ttl_secs: u64) -> String {
        let key = format!("chat/large-websocket-events/{}.json", uuid::Uuid::new_v4());
        let signature = uuid::Uuid::new_v4().simple().to_string();
        self.objects.insert(
            key.clone(),
            Object {
                bytes,
                signature: signature.clone(),
                expires: Instant::now() + Duration::from_secs(ttl_secs),
            },
        );
        // Prune expired objects now and then so a long-running emulator does not grow.
        if self.objects.len().is_multiple_of(256) {
            let now = Instant::now();
            self.objects.retain(|_, o| o.expires > now);
        }
        format!(
            "{base_url}/s3/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={ttl_secs}&X-Amz-Signature={signature}&x-id=GetObject"
        )
    }

    /// The object at `key` if `query` carries its signature and it has not expired.
    pub(crate) fn get(&self, key: &str, query: &str) -> Result<&[u8], BucketError> {
        let object = self.objects.get(key).ok_or(BucketError::NoSuchKey)?;
        let signed = query
            .split('&')
            .any(|kv| kv.strip_prefix("X-Amz-Signature=") == Some(object.signature.as_str()));
        if !signed {
            return Err(BucketError::BadSignature);
        }
        if object.expires <= Instant::now() {
            return Err(BucketError::Expired);
        }
        Ok(&object.bytes)
    }

    /// Makes every URL handed out so far expire (admin fault).
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for o in self.objects.values_mut() {
            o.expires = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_come_back_byte_for_byte_only_with_the_signature_and_before_expiry() {
        let mut b = Bucket::default();
        let url = b.put("http://127.0.0.1:1", b"{\"a\":1}".to_vec(), 900);
        let (path, query) = url.split_once('?').unwrap();
        let key = path.strip_prefix("http://127.0.0.1:1/s3/").unwrap();
        assert_eq!(b.get(key, query).unwrap(), b"{\"a\":1}");
        assert_eq!(
            b.get(key, "X-Amz-Signature=forged"),
            Err(BucketError::BadSignature)
        );
        assert_eq!(b.get("nope", query), Err(BucketError::NoSuchKey));
        b.expire_all();
        assert_eq!(b.get(key, query), Err(BucketError::Expired));
        assert_eq!(BucketError::Expired.response().0, 403);
    }
}
