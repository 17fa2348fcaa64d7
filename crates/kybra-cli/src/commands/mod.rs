//! One module per `kybra` command, plus the helpers they share.

pub mod bitcoin;
pub mod build;
pub mod call;
pub mod canister;
pub mod cycles;
pub mod deploy;
pub mod generate;
pub mod identity;
pub mod info;
pub mod ledger;
pub mod logs;
pub mod new;
pub mod settings;
pub mod snapshot;
pub mod start;
pub mod stop;
pub mod wallet;

use std::path::PathBuf;

use anyhow::{Context, Result};

/// The current directory.
pub fn cwd() -> Result<PathBuf> {
    std::env::current_dir().context("cannot read the current directory")
}

/// The project root: the nearest directory with a dfx.json, else the current directory.
pub fn root_or_cwd() -> Result<PathBuf> {
    let cwd = cwd()?;
    Ok(crate::project::find_root(&cwd).unwrap_or(cwd))
}

/// The Candid argument text of a command: given inline, or read from `--argument-file`
/// (`-` reads standard input), as dfx does.
pub fn read_argument(
    inline: Option<String>,
    file: Option<&std::path::Path>,
) -> Result<Option<String>> {
    match file {
        None => Ok(inline),
        Some(path) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read the argument from standard input")?;
            Ok(Some(text))
        }
        Some(path) => std::fs::read_to_string(path)
            .map(Some)
            .with_context(|| format!("cannot read the argument file {}", path.display())),
    }
}

/// Runs `f` with an agent for `net` (signing as the selected identity) on a new runtime.
pub fn with_agent<T>(
    net: &crate::network::Network,
    f: impl AsyncFnOnce(&ic_agent::Agent) -> Result<T>,
) -> Result<T> {
    runtime()?.block_on(async {
        let agent = crate::network::connect(net).await?;
        f(&agent).await
    })
}

/// A runtime for the async agent calls.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `7.1 MB`, `812 KB`, `12 B`.
pub fn human_size(bytes: usize) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / KB / KB)
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} B")
    }
}

/// A path relative to `root` for messages (absolute if outside it).
pub fn shown(path: &std::path::Path, root: &std::path::Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::human_size(12), "12 B");
        assert_eq!(super::human_size(812_400), "812 KB");
        assert_eq!(super::human_size(7_140_000), "7.1 MB");
    }
}
