//! Wasm modules as the IC accepts them: decompression (raw or gzip, by magic),
//! validation of the IC's rules (imports only from `ic0`, only known `canister_*`
//! exports, function/global/custom-section limits), the `icp:public`/`icp:private`
//! metadata sections, and the one instrumentation the replica needs: every mutable
//! global and the memory get an export, so a message's effects can be rolled back.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use sha2::{Digest, Sha256};
use wasm_encoder::{ExportKind as EncKind, ExportSection, RawSection, SectionId};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

use crate::limits::*;

/// Export name the replica gives to the module's memory.
pub const MEMORY_EXPORT: &str = "__kybra_replica_memory";
/// The name under which the replica exports the module's function table (table 0), so
/// that call callbacks (table indices) can be invoked.
pub const TABLE_EXPORT: &str = "__kybra_replica_table";
/// Prefix of the exports the replica adds for mutable globals (followed by the index).
pub const GLOBAL_EXPORT_PREFIX: &str = "__kybra_replica_global_";

/// Why a module cannot be installed.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error("the module is neither a Wasm module (\\0asm) nor gzip-compressed (1f 8b)")]
    NotWasm,
    #[error("gzip decompression failed: {0}")]
    Gzip(std::io::Error),
    #[error(
        "the module is larger than the IC's limit of {MAX_MODULE_BYTES} bytes when decompressed"
    )]
    TooLarge,
    #[error("cannot parse the module: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    #[error("{0}")]
    Invalid(String),
}

/// A custom section `icp:public NAME` / `icp:private NAME`.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub public: bool,
    pub content: Vec<u8>,
}

/// The canister methods and hooks a module exports.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    pub updates: BTreeSet<String>,
    pub queries: BTreeSet<String>,
    pub composite_queries: BTreeSet<String>,
    pub init: bool,
    pub pre_upgrade: bool,
    pub post_upgrade: bool,
    pub heartbeat: bool,
    pub global_timer: bool,
    pub inspect_message: bool,
    pub on_low_wasm_memory: bool,
}

/// A validated module, ready to compile.
#[derive(Debug, Clone)]
pub struct PreparedModule {
    /// sha256 of the module as installed (gzip-compressed if it was installed so), as the
    /// IC's `module_hash`: what `dfx`/NNS proposals compare with the `.wasm.gz` they built.
    pub hash: [u8; 32],
    /// The module as installed (raw or gzip): what persistence saves.
    pub original: Vec<u8>,
    /// The module with the replica's extra exports.
    pub instrumented: Vec<u8>,
    pub metadata: BTreeMap<String, Metadata>,
    pub exports: Exports,
    /// Indices of the mutable globals (each exported as `GLOBAL_EXPORT_PREFIX{i}`).
    pub mutable_globals: Vec<u32>,
}

/// Decompresses a gzip-compressed module; a raw module is returned as is.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, ModuleError> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.to_vec());
    }
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(ModuleError::NotWasm);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_MODULE_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(ModuleError::Gzip)?;
    if out.len() > MAX_MODULE_BYTES {
        return Err(ModuleError::TooLarge);
    }
    if !out.starts_with(b"\0asm") {
        return Err(ModuleError::NotWasm);
    }
    Ok(out)
}

fn invalid(msg: impl Into<String>) -> ModuleError {
    ModuleError::Invalid(msg.into())
}

/// Checks a module as installed (raw or gzip) against the IC's rules and instruments it.
pub fn prepare(installed: &[u8]) -> Result<PreparedModule, ModuleError> {
    let hash: [u8; 32] = Sha256::digest(installed).into();
    let raw = decompress(installed)?;
    let wasm = raw.as_slice();
    if wasm.len() > MAX_MODULE_BYTES {
        return Err(ModuleError::TooLarge);
    }
    let mut exports = Exports::default();
    let mut metadata = BTreeMap::new();
    let mut custom_bytes = 0usize;
    let mut imported_globals = 0u32;
    let mut mutable_globals = Vec::new();
    let mut functions = 0usize;
    let mut has_memory = false;
    let mut has_table = false;
    let mut memory_exported = false;
    let mut exported_items: Vec<(String, ExternalKind, u32)> = Vec::new();
    // (id, range) of every section, in order, to copy the module with a new export section.
    let mut sections: Vec<(u8, std::ops::Range<usize>)> = Vec::new();
    let mut method_names = BTreeSet::new();

    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        if let Some((id, range)) = payload.as_section() {
            sections.push((id, range));
        }
        match payload {
            Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                return Err(invalid(
                    "a Wasm component is not a canister module; build a core Wasm module",
                ));
            }
            Payload::ImportSection(reader) => {
                for imp in reader.into_imports() {
                    let imp = imp?;
                    if imp.module != "ic0" {
                        return Err(invalid(format!(
                                "Wasm module imports '{}' from module '{}'; canisters may import only from 'ic0'",
                                imp.name, imp.module
                            )));
                    }
                    match imp.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => {}
                            TypeRef::Global(_) => imported_globals += 1,
                            _ => {
                                return Err(invalid(format!(
                                    "Wasm module imports 'ic0.{}', which is not a function; only functions can be imported",
                                    imp.name
                                )))
                            }
                        }
                }
            }
            Payload::FunctionSection(reader) => functions += reader.count() as usize,
            Payload::TableSection(reader) => has_table = reader.count() > 0,
            Payload::MemorySection(reader) => {
                if reader.count() > 1 {
                    return Err(invalid("Wasm module defines more than one memory"));
                }
                has_memory = reader.count() == 1;
            }
            Payload::GlobalSection(reader) => {
                if reader.count() as usize > MAX_GLOBALS {
                    return Err(invalid(format!(
                        "Wasm module defined {} globals which exceeds the maximum number allowed {MAX_GLOBALS}",
                        reader.count()
                    )));
                }
                for (i, g) in reader.into_iter().enumerate() {
                    if g?.ty.mutable {
                        mutable_globals.push(imported_globals + i as u32);
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e?;
                    if e.kind == ExternalKind::Memory {
                        memory_exported = true;
                    }
                    exported_items.push((e.name.to_string(), e.kind, e.index));
                    if e.kind == ExternalKind::Func {
                        classify_export(e.name, &mut exports, &mut method_names)?;
                    } else if e.name.starts_with("canister_") {
                        return Err(invalid(format!(
                            "Exported symbol '{}' is not a function",
                            e.name
                        )));
                    }
                }
            }
            Payload::CodeSectionStart { size, .. } if size as usize > MAX_CODE_SECTION_BYTES => {
                return Err(invalid(format!(
                    "Wasm module code section size of {size} exceeds the maximum allowed size of {MAX_CODE_SECTION_BYTES}"
                )));
            }
            Payload::CustomSection(reader) => {
                let name = reader.name();
                let (public, rest) = if let Some(rest) = name.strip_prefix("icp:public ") {
                    (true, rest)
                } else if let Some(rest) = name.strip_prefix("icp:private ") {
                    (false, rest)
                } else if name.starts_with("icp:") {
                    return Err(invalid(format!(
                        "Invalid custom section: custom section name '{name}' starts with 'icp:' but is neither 'icp:public NAME' nor 'icp:private NAME'"
                    )));
                } else {
                    continue;
                };
                if metadata.contains_key(rest) {
                    return Err(invalid(format!(
                        "Invalid custom section: name {rest} is declared twice"
                    )));
                }
                custom_bytes += reader.data().len() + rest.len();
                metadata.insert(
                    rest.to_string(),
                    Metadata {
                        public,
                        content: reader.data().to_vec(),
                    },
                );
            }
            _ => {}
        }
    }
    if functions > MAX_FUNCTIONS {
        return Err(invalid(format!(
            "Wasm module defined {functions} functions which exceeds the maximum number allowed {MAX_FUNCTIONS}"
        )));
    }
    if metadata.len() > MAX_CUSTOM_SECTIONS {
        return Err(invalid(format!(
            "Invalid custom sections: there are {} 'icp:' custom sections; at most {MAX_CUSTOM_SECTIONS} are allowed",
            metadata.len()
        )));
    }
    if custom_bytes > MAX_CUSTOM_SECTIONS_BYTES {
        return Err(invalid(format!(
            "Invalid custom sections: total size of the 'icp:' custom sections exceeds the maximum allowed: {custom_bytes} > {MAX_CUSTOM_SECTIONS_BYTES}"
        )));
    }

    // The new export section: the module's exports plus the replica's.
    let mut export_section = ExportSection::new();
    for (name, kind, index) in &exported_items {
        export_section.export(name, encode_kind(*kind), *index);
    }
    if has_memory && !memory_exported {
        export_section.export(MEMORY_EXPORT, EncKind::Memory, 0);
    }
    if has_table {
        export_section.export(TABLE_EXPORT, EncKind::Table, 0);
    }
    for g in &mutable_globals {
        export_section.export(&format!("{GLOBAL_EXPORT_PREFIX}{g}"), EncKind::Global, *g);
    }
    let instrumented = rebuild(wasm, &sections, &export_section);
    Ok(PreparedModule {
        hash,
        original: installed.to_vec(),
        instrumented,
        metadata,
        exports,
        mutable_globals,
    })
}

fn classify_export(
    name: &str,
    exports: &mut Exports,
    methods: &mut BTreeSet<String>,
) -> Result<(), ModuleError> {
    let mut method = |kind: &str, m: &str, set: &mut BTreeSet<String>| {
        if !methods.insert(m.to_string()) {
            return Err(invalid(format!(
                "Duplicate function '{m}' exported multiple times with different call types: update, query, or composite_query (found again as {kind})"
            )));
        }
        set.insert(m.to_string());
        Ok(())
    };
    if let Some(m) = name.strip_prefix("canister_update ") {
        method("update", m, &mut exports.updates)
    } else if let Some(m) = name.strip_prefix("canister_query ") {
        method("query", m, &mut exports.queries)
    } else if let Some(m) = name.strip_prefix("canister_composite_query ") {
        method("composite_query", m, &mut exports.composite_queries)
    } else {
        match name {
            "canister_init" => exports.init = true,
            "canister_pre_upgrade" => exports.pre_upgrade = true,
            "canister_post_upgrade" => exports.post_upgrade = true,
            "canister_heartbeat" => exports.heartbeat = true,
            "canister_global_timer" => exports.global_timer = true,
            "canister_inspect_message" => exports.inspect_message = true,
            "canister_on_low_wasm_memory" => exports.on_low_wasm_memory = true,
            other if other.starts_with("canister_") => {
                return Err(invalid(format!(
                    "Exporting reserved function '{other}' with \"canister_\" prefix: only canister_init, canister_pre_upgrade, canister_post_upgrade, canister_heartbeat, canister_global_timer, canister_inspect_message, canister_on_low_wasm_memory and 'canister_update|query|composite_query NAME' are allowed"
                )))
            }
            _ => {}
        }
        Ok(())
    }
}

fn encode_kind(kind: ExternalKind) -> EncKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => EncKind::Func,
        ExternalKind::Table => EncKind::Table,
        ExternalKind::Memory => EncKind::Memory,
        ExternalKind::Global => EncKind::Global,
        ExternalKind::Tag => EncKind::Tag,
    }
}

/// Section order of the binary format, to place a new export section.
fn order(id: u8) -> u8 {
    match id {
        1 => 1,   // type
        2 => 2,   // import
        3 => 3,   // function
        4 => 4,   // table
        5 => 5,   // memory
        13 => 6,  // tag
        6 => 7,   // global
        7 => 8,   // export
        8 => 9,   // start
        9 => 10,  // element
        12 => 11, // data count
        10 => 12, // code
        11 => 13, // data
        _ => 0,   // custom: stays where it is
    }
}

fn rebuild(
    wasm: &[u8],
    sections: &[(u8, std::ops::Range<usize>)],
    exports: &ExportSection,
) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    let export_order = order(SectionId::Export as u8);
    let mut written = false;
    for (id, range) in sections {
        if *id == SectionId::Export as u8 {
            if !written {
                module.section(exports);
                written = true;
            }
            continue;
        }
        if !written && order(*id) > export_order {
            module.section(exports);
            written = true;
        }
        module.section(&RawSection {
            id: *id,
            data: &wasm[range.clone()],
        });
    }
    if !written {
        module.section(exports);
    }
    module.finish()
}
