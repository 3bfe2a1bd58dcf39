//! `cxone-chatd generate-docs DIR` (not a subcommand, so that
//! it shows in neither the help, the man page nor the completions): the man page cxone-chatd(8) and the bash, zsh and
//! fish completions, generated from the clap definitions, for the Debian package
//! (`packaging/build-deb`). A module of the binary, where the definitions are.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

/// The directory of `BIN generate-docs DIR`, when that is the whole command line.
pub(crate) fn requested() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    match (args.next(), args.next(), args.next()) {
        (Some(cmd), Some(dir), None) if cmd == "generate-docs" => Some(PathBuf::from(dir)),
        _ => None,
    }
}

/// Why the documents could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}; check that the directory exists and is writable", path.display())]
pub(crate) struct DocsError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Writes `NAME.SECTION` (the man page), `NAME.bash`, `_NAME` (zsh) and `NAME.fish` into
/// `dir`; returns the files written.
pub(crate) fn generate(
    cmd: clap::Command,
    section: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, DocsError> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let name = cmd.get_name().to_owned();
    let write = |file: String, bytes: Vec<u8>| {
        let path = dir.join(file);
        std::fs::write(&path, bytes).map_err(|source| DocsError {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    };
    let mut written = Vec::new();
    // One page for the command and one for each subcommand (NAME-SUB.SECTION), as the main
    // page's SUBCOMMANDS section refers to them.
    let mut pages = vec![cmd.clone()];
    let mut i = 0;
    while let Some(c) = pages.get(i).cloned() {
        pages.extend(c.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        i += 1;
    }
    for c in pages {
        let man = clap_mangen::Man::new(c)
            .section(section)
            .manual("cxone-chatd");
        let file = man.get_filename();
        let mut page = Vec::new();
        man.render(&mut page).map_err(|source| DocsError {
            path: dir.join(&file),
            source,
        })?;
        written.push(write(file, page)?);
    }
    for (shell, file) in [
        (Shell::Bash, format!("{name}.bash")),
        (Shell::Zsh, format!("_{name}")),
        (Shell::Fish, format!("{name}.fish")),
    ] {
        let mut text = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), &name, &mut text);
        written.push(write(file, text)?);
    }
    Ok(written)
}
