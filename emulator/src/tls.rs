//! `--tls`: a self-signed certificate for `127.0.0.1` and `localhost`, made at start (or kept in
//! a directory across runs, `--tls-cert-dir`), and the rustls server configuration that serves
//! it. The PEM is handed to the client as the root to trust (a test's `network.ca_file`, Node's
//! `NODE_EXTRA_CA_CERTS`, which Node reads only when it starts: hence the directory).

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The acceptor for a certificate made now, and its PEM.
pub(crate) fn acceptor() -> io::Result<(TlsAcceptor, String)> {
    let (cert, key) = generate()?;
    Ok((serve(&cert, &key)?, cert))
}

/// The acceptor for the certificate kept in `dir` (`cert.pem`, `key.pem`), made and written
/// there first when the directory holds none; and its PEM.
pub(crate) fn acceptor_in(dir: &Path) -> io::Result<(TlsAcceptor, String)> {
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    let (cert, key) = if cert_path.exists() && key_path.exists() {
        (
            std::fs::read_to_string(&cert_path)?,
            std::fs::read_to_string(&key_path)?,
        )
    } else {
        let (cert, key) = generate()?;
        std::fs::create_dir_all(dir)?;
        write_private(&key_path, &key)?;
        std::fs::write(&cert_path, &cert)?;
        (cert, key)
    };
    Ok((serve(&cert, &key)?, cert))
}

fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// A self-signed certificate and its key, as PEM.
fn generate() -> io::Result<(String, String)> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    Ok((certified.cert.pem(), certified.signing_key.serialize_pem()))
}

fn serve(cert_pem: &str, key_pem: &str) -> io::Result<TlsAcceptor> {
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(io::Error::other)?;
    let key = PrivateKeyDer::Pkcs8(
        PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(io::Error::other)?,
    );
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(io::Error::other)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
