//! `--tls`: a self-signed certificate for `127.0.0.1` and `localhost`, made at start, and the
//! rustls server configuration that serves it. Each run has its own key; the PEM is handed to
//! the client as the root to trust (a test's `network.ca_file`, Node's `NODE_EXTRA_CA_CERTS`).

use std::io;
use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The acceptor, and the certificate's PEM.
pub(crate) fn acceptor() -> io::Result<(TlsAcceptor, String)> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(io::Error::other)?;
    Ok((TlsAcceptor::from(Arc::new(config)), pem))
}
