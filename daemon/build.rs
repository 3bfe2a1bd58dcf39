//! How the daemon's binary is linked.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Packed relative relocations (DT_RELR; glibc 2.36 and binutils 2.38, Debian 12): a PIE
    // binary's ~18,000 relative relocations take a few KiB instead of 440 KiB that the loader
    // reads, and keeps in memory, at every start (issue #15, idle RSS). The binary stays
    // position-independent; only the table's encoding changes.
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
