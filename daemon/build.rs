//! How the daemon's binary is linked.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-env-changed=CXONE_CHATD_NO_LINK_ORDER");
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.ends_with("-linux-gnu") {
        return;
    }
    // Packed relative relocations (DT_RELR; glibc 2.36 and binutils 2.38, Debian 12): a PIE
    // binary's ~18,000 relative relocations take a few KiB instead of 440 KiB that the loader
    // reads, and keeps in memory, at every start (issue #15, idle RSS). The binary stays
    // position-independent; only the table's encoding changes. GNU ld and LLD both take it.
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    // The functions a working daemon runs, placed together (issue #15, idle RSS): the kernel
    // maps text 64 KiB around each page fault, so scattered through 13 MB they kept 9 MiB
    // resident; together they keep about 3.5. The list comes from a profiled run
    // (packaging/link-order). The linker skips names it does not find, so a list older than
    // the code costs memory, never correctness. Only LLD reads such a list.
    if links_with_lld(&target) && std::env::var_os("CXONE_CHATD_NO_LINK_ORDER").is_none() {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={dir}/link-order.txt");
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether rustc links this target with its own LLD: its default for x86_64 Linux since Rust
/// 1.90, unless the build's flags choose a linker flavour or features of their own (then the
/// order is left out rather than guessed; GNU ld would refuse the option).
fn links_with_lld(target: &str) -> bool {
    if target != "x86_64-unknown-linux-gnu" {
        return false;
    }
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if [
        "linker-features",
        "linker-flavor",
        "link-self-contained",
        "fuse-ld",
    ]
    .iter()
    .any(|f| flags.contains(f))
    {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc).arg("--version").output() else {
        return false;
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut numbers = version.split_whitespace().nth(1).unwrap_or("").split('.');
    let (major, minor) = (
        numbers.next(),
        numbers.next().and_then(|m| m.parse::<u32>().ok()),
    );
    matches!((major, minor), (Some("1"), Some(m)) if m >= 90)
}
