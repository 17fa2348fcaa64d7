//! Uploading a frontend's files to its asset canister with `ic-asset`, the code dfx deploys
//! them with: batches, chunks, content encodings (gzip, brotli), `.ic-assets.json5`
//! headers and aliases, and deletion of files that are gone.
//!
//! Promises: after a successful sync the canister serves exactly the files of `dirs`;
//! `ic-asset`'s own progress lines (each file staged, each batch committed) are printed as
//! dfx prints them; a failure names the canister and what went wrong.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Result};
use candid::Principal;
use ic_agent::Agent;

use crate::network::Network;

/// Prints `ic-asset`'s messages at info level and above, indented, as dfx does.
struct Print;

impl slog::Drain for Print {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record<'_>, _: &slog::OwnedKVList) -> Result<(), slog::Never> {
        if record.level().is_at_least(slog::Level::Info) {
            println!("  {}", record.msg());
        }
        Ok(())
    }
}

/// Makes the asset canister `id` serve the files of `dirs`.
pub async fn sync(
    agent: &Agent,
    network: &Network,
    name: &str,
    id: Principal,
    dirs: &[PathBuf],
) -> Result<()> {
    let started = Instant::now();
    println!("Uploading the files of {name}...");
    let canister = ic_utils::Canister::builder()
        .with_agent(agent)
        .with_canister_id(id)
        .build()
        .map_err(|e| anyhow!("cannot address canister {name} ({id}): {e}"))?;
    let logger = slog::Logger::root(Print, slog::o!());
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    ic_asset::sync(&canister, &dirs, false, &logger, None)
        .await
        .map_err(|e| {
            anyhow!(
                "cannot upload the files of {name} to {} ({id}): {}",
                network.url,
                error_chain(&e)
            )
        })?;
    println!("  uploaded in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// An error and its sources on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
