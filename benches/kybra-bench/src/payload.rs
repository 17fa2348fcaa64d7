//! What the payload of a canister is made of: user source text versus bundled bytecode,
//! by re-running the compiler's analysis ([`kybra_compiler::analyse_project`]) and reading
//! the [`kybra_interface::Payload`] it produces. Promises: the same modules the build
//! bundles, counted in bytes of code (the Candid framing is the rest of the payload).

use std::path::Path;

use anyhow::{anyhow, Result};
use kybra_interface::ModuleCode;

use crate::env::AssetFiles;

/// Bytes of code in the payload, by kind.
pub struct PayloadMix {
    pub source_bytes: usize,
    pub bytecode_bytes: usize,
    /// The largest bundled modules, name and bytes, largest first.
    pub largest: Vec<(String, usize)>,
}

pub fn mix(main_py: &Path, root: &Path, assets: &AssetFiles) -> Result<PayloadMix> {
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(&assets.stdlib_index, &assets.stdlib_code)
        .map_err(|e| {
        anyhow!(
            "the stdlib index in {} is unusable: {e}",
            assets.dir.display()
        )
    })?;
    let (payload, _) = kybra_compiler::analyse_project(main_py, root, &stdlib)
        .map_err(|e| anyhow!("analysing {} failed:\n{e}", main_py.display()))?;
    let mut mix = PayloadMix {
        source_bytes: 0,
        bytecode_bytes: 0,
        largest: Vec::new(),
    };
    for m in &payload.modules {
        match &m.code {
            ModuleCode::Source { text, .. } => mix.source_bytes += text.len(),
            ModuleCode::Bytecode(code) => {
                mix.bytecode_bytes += code.len();
                mix.largest.push((m.name.clone(), code.len()));
            }
        }
    }
    mix.largest
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    mix.largest.truncate(5);
    Ok(mix)
}
