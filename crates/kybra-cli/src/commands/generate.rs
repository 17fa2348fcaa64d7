//! `kybra generate [NAME]`: JavaScript and TypeScript declarations of a canister's Candid
//! interface, laid out as `dfx generate` lays them out.
//!
//! Promises: for every canister with an interface (a Python canister is built first: its
//! `.did` comes from the Python code; a custom or rust canister's is its `candid` file; an
//! assets canister's is the asset canister's) writes `src/declarations/NAME/` (or dfx.json's
//! `declarations.output`): `NAME.did`, `NAME.did.js` (`idlFactory`, `init`), `NAME.did.d.ts`
//! (`_SERVICE`), and `index.js` / `index.d.ts` with dfx's exports and behaviour:
//! `idlFactory`, `canisterId` (= `process.env.CANISTER_ID_<NAME>`, which bundlers replace),
//! `createActor(canisterId, { agent?, agentOptions?, actorOptions? })` — whose agent fetches
//! the replica's root key before its first call unless `process.env.DFX_NETWORK` is `ic` —
//! and the actor `NAME` when `canisterId` is set. The bindings come from `candid_parser`,
//! the same generator dfx uses.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use candid_parser::bindings::{javascript, typescript};

use super::build::build_spec;
use crate::project::{CanisterKind, CanisterSpec, Project};

/// Generates the declarations of `name` (every canister with an interface when `None`).
pub fn run(name: Option<&str>) -> Result<()> {
    let project = Project::discover(&super::cwd()?)?;
    for canister in project.select(name)? {
        let Some(did) = interface(&project, canister, name.is_some())? else {
            continue;
        };
        let dir = output_dir(&project.root, &canister.name)?;
        let written = write(&did, &canister.name, &dir)?;
        println!(
            "Generated declarations of {} in {}:",
            canister.name,
            dir.strip_prefix(&project.root).unwrap_or(&dir).display()
        );
        for file in written {
            println!("  {file}");
        }
    }
    Ok(())
}

/// The `.did` of `canister`, building a Python canister first; None (with a note) for a
/// canister without one, or an error when it was asked for by name.
fn interface(project: &Project, canister: &CanisterSpec, named: bool) -> Result<Option<PathBuf>> {
    let candid = match &canister.kind {
        CanisterKind::Python(_) => return Ok(build_spec(project, canister, "local")?.did),
        CanisterKind::Custom(custom) => custom.candid.as_ref().map(|p| project.root.join(p)),
        CanisterKind::Rust(rust) => Some(project.root.join(&rust.candid)),
        CanisterKind::Assets(_) => {
            let path = project.output_dir(canister).join("assetstorage.did");
            crate::local::write_atomic(&path, crate::assets::ASSET_CANISTER_DID.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Some(path)
        }
        CanisterKind::Unsupported { reason, .. } if named => {
            return Err(anyhow!("canister {}: {reason}", canister.name))
        }
        CanisterKind::Unsupported { .. } => None,
    };
    if candid.is_none() {
        if named {
            return Err(anyhow!(
                "canister {} has no Candid interface: add \"candid\": \"path/to/file.did\" to it in dfx.json",
                canister.name
            ));
        }
        println!("Skipping {}: it has no Candid interface.", canister.name);
    }
    Ok(candid)
}

/// `declarations.output` of the canister in dfx.json, else `src/declarations/NAME`.
fn output_dir(root: &Path, name: &str) -> Result<PathBuf> {
    let config: serde_json::Value = std::fs::read_to_string(root.join("dfx.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    Ok(
        match config["canisters"][name]["declarations"]["output"].as_str() {
            Some(dir) => root.join(dir),
            None => root.join("src").join("declarations").join(name),
        },
    )
}

/// Writes the five files for the interface in `did` into `dir`; returns their names.
pub fn write(did: &Path, name: &str, dir: &Path) -> Result<Vec<String>> {
    let (env, actor, prog) =
        candid_parser::check_file(did).map_err(|e| anyhow!("{}: {e}", did.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let env_name = name.to_uppercase().replace('-', "_");
    let files = [
        (
            format!("{name}.did"),
            std::fs::read_to_string(did)
                .with_context(|| format!("cannot read {}", did.display()))?,
        ),
        (format!("{name}.did.js"), javascript::compile(&env, &actor)),
        (
            format!("{name}.did.d.ts"),
            dfinity_packages(&typescript::compile(&env, &actor, &prog)),
        ),
        (
            "index.js".to_string(),
            INDEX_JS.replace("NAME", name).replace("ENV", &env_name),
        ),
        ("index.d.ts".to_string(), INDEX_D_TS.replace("NAME", name)),
    ];
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(&file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(file);
    }
    Ok(written)
}

/// `candid_parser` 0.4 types the bindings with `@icp-sdk/core/*` (agent-js's new package);
/// the declarations import `@dfinity/agent` as dfx's do, so the types come from the
/// `@dfinity/*` packages too: one set of packages for the JS and the TS.
fn dfinity_packages(ts: &str) -> String {
    ["principal", "agent", "candid"]
        .iter()
        .fold(ts.to_string(), |text, package| {
            text.replace(
                &format!("'@icp-sdk/core/{package}'"),
                &format!("'@dfinity/{package}'"),
            )
        })
}

const INDEX_JS: &str = r#"// Generated by `kybra generate` (as `dfx generate`): an actor factory for the NAME canister.
import { Actor, HttpAgent } from "@dfinity/agent";

// Imports and re-exports the Candid interface.
import { idlFactory } from "./NAME.did.js";
export { idlFactory } from "./NAME.did.js";

// The canister id, from the environment: bundlers (and `kybra deploy`'s builds) replace it.
export const canisterId = process.env.CANISTER_ID_ENV;

/**
 * An actor for `canisterId`, over `options.agent` or a new HttpAgent built from
 * `options.agentOptions`. Unless DFX_NETWORK is "ic", the agent fetches the replica's root
 * key (certificates of a local replica are signed with its own key) before its first call.
 */
export const createActor = (canisterId, options = {}) => {
  const fetchRootKey = process.env.DFX_NETWORK !== "ic";
  const agent =
    options.agent ||
    HttpAgent.createSync({ shouldFetchRootKey: fetchRootKey, ...options.agentOptions });

  if (options.agent && options.agentOptions) {
    console.warn(
      "Detected both agent and agentOptions passed to createActor. Ignoring agentOptions and proceeding with the provided agent."
    );
  }

  // A given agent fetches the root key now, as dfx's declarations do.
  if (options.agent && fetchRootKey) {
    agent.fetchRootKey().catch((err) => {
      console.warn("Unable to fetch root key. Check to ensure that your local replica is running");
      console.error(err);
    });
  }

  return Actor.createActor(idlFactory, {
    agent,
    canisterId,
    ...options.actorOptions,
  });
};

/** An actor for `canisterId` with the default agent, when the id is known. */
export const NAME = canisterId ? createActor(canisterId) : undefined;
"#;

const INDEX_D_TS: &str = r#"import type {
  ActorSubclass,
  HttpAgentOptions,
  ActorConfig,
  Agent,
} from "@dfinity/agent";
import type { Principal } from "@dfinity/principal";
import type { IDL } from "@dfinity/candid";

import type { _SERVICE } from './NAME.did';

export declare const idlFactory: IDL.InterfaceFactory;
export declare const canisterId: string;

export declare interface CreateActorOptions {
  agent?: Agent;
  agentOptions?: HttpAgentOptions;
  actorOptions?: ActorConfig;
}

export declare const createActor: (
  canisterId: string | Principal,
  options?: CreateActorOptions
) => ActorSubclass<_SERVICE>;

/** An actor for `canisterId` with the default agent (undefined when the id is not set). */
export declare const NAME: ActorSubclass<_SERVICE>;
"#;
