//! Trust roots for TLS: the system's, loaded only when a TLS connection first needs them (see
//! `rest.rs`), plus the extra roots of `network.ca_file` — the root of a TLS-inspecting proxy or
//! of a private back end — for REST and the WebSocket alike.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why `network.ca_file` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file cannot be read or holds something that is not a PEM certificate.
    #[error("cannot read the trust roots in {path}: {reason}; give a PEM file of CA certificates")]
    ReadCaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The file holds no certificate.
    #[error("{0} holds no certificate; give a PEM file with at least one CERTIFICATE block")]
    EmptyCaFile(PathBuf),
}

/// The extra roots, shared by every connection.
pub type ExtraRoots = Arc<Vec<CertificateDer<'static>>>;

/// Reads a PEM file of CA certificates.
pub fn read_roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let fail = |reason: String| TrustError::ReadCaFile {
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(TrustError::EmptyCaFile(path.to_owned()));
    }
    Ok(certs)
}

/// The WebSocket's TLS set-up: the system's roots and the extra ones, parsed once and shared
/// by every connection until the extra roots change (a SIGHUP with another `network.ca_file`).
/// Reading the system's roots means reading every certificate file of the store, so it runs on
/// the blocking pool, and only when a `wss` connection first needs it.
pub(crate) async fn websocket_tls(extra: &ExtraRoots) -> Result<Arc<rustls::ClientConfig>, String> {
    static BUILT: Mutex<Option<(ExtraRoots, Arc<rustls::ClientConfig>)>> = Mutex::new(None);
    if let Some((roots, config)) = &*BUILT.lock().unwrap_or_else(|e| e.into_inner())
        && roots == extra
    {
        return Ok(config.clone());
    }
    let roots = extra.clone();
    let config = tokio::task::spawn_blocking(move || build_websocket_tls(&roots))
        .await
        .map_err(|e| e.to_string())??;
    *BUILT.lock().unwrap_or_else(|e| e.into_inner()) = Some((extra.clone(), config.clone()));
    Ok(config)
}

fn build_websocket_tls(
    extra: &[CertificateDer<'static>],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    // The system's roots may be missing or partly unreadable; the extra ones still count.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    roots.add_parsable_certificates(extra.iter().cloned());
    if roots.is_empty() {
        return Err(
            "no trust roots: install the ca-certificates package, set SSL_CERT_FILE, or give network.ca_file"
                .into(),
        );
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The TLS problem somewhere in an error's causes (rustls reports a certificate it does not
/// trust — unknown issuer, expired, another name — inside an I/O error), in words.
pub(crate) fn tls_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        // I/O errors may nest (hyper wraps the TLS stream's own): look through each wrapper.
        let mut inner: &(dyn std::error::Error + 'static) = e;
        loop {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls.to_string());
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's roots are read once for all connections, and again only for other extra
    /// roots.
    #[tokio::test]
    async fn the_websocket_tls_set_up_is_built_once_per_set_of_extra_roots() {
        let none = ExtraRoots::default();
        let first = websocket_tls(&none).await;
        let first = match first {
            Ok(config) => config,
            // A machine without a certificate store: the refusal says what to do.
            Err(why) => return assert!(why.contains("ca-certificates"), "{why}"),
        };
        let again = websocket_tls(&none).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let other: ExtraRoots = Arc::new(vec![CertificateDer::from(vec![0x30, 0x00])]);
        let rebuilt = websocket_tls(&other).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &rebuilt));
        assert!(Arc::ptr_eq(&rebuilt, &websocket_tls(&other).await.unwrap()));
    }
}
