//! Assembles the canister module from the runtime template: embeds the payload, sets its
//! length, adds one exported trampoline per method and the IC metadata — by splicing the
//! template's bytes, never by decoding and re-encoding its code.
//!
//! Promises (docs/architecture.md, "Compiler → runtime: the payload"): the payload sits in
//! the template's last data segment, a passive one that `kybra.payload_copy` reads with
//! `memory.init`; `kybra.payload_size` returns its length; each method gets an export
//! `canister_query NAME` / `canister_update NAME` whose body is
//! `i32.const INDEX; call kybra_dispatch`; the `kybra_dispatch` export and the prepared
//! template's accessor exports are removed, and so are `canister_heartbeat` /
//! `canister_inspect_message` when the payload defines no `@heartbeat` /
//! `@inspect_message` (a heartbeat costs cycles every round; an inspect hook with nothing
//! to run would refuse every ingress message); the custom sections
//! `icp:public candid:service` and `icp:public cdk` are set. The gzip'd module reuses the
//! template's precompressed chunks ([`gzip`]) and decompresses to exactly the raw module.
//! A template that was not prepared ([`prepare`]) is prepared in process first (slower).

pub mod binary;
mod gzip;
mod prepare;
mod template;

use std::borrow::Cow;

use kybra_interface::{Payload, DISPATCH_EXPORT};

pub use gzip::{crc32, deflate_piece};
pub use prepare::{is_prepared, prelink, prepare, strip_chunks};
pub use template::PREPARED_SECTION;

use crate::diagnostic::BuildError;
use binary::{
    padded_i32, section_header, write_i32, write_name, write_u32, CODE, CUSTOM, DATA, EXPORT,
    FUNCTION,
};
use gzip::Piece;
use template::{Template, COPY_EXPORT, SIZE_EXPORT};

pub const CANDID_SECTION: &str = "icp:public candid:service";
pub const CDK_SECTION: &str = "icp:public cdk";

/// Template exports that only canisters defining the matching hook keep.
pub const OPTIONAL_EXPORTS: [&str; 2] = ["canister_heartbeat", "canister_inspect_message"];

/// The update method of `ic-cdk-timers` (in the template for `ic.set_timer`): only the
/// canister itself may call it, so it is deliberately not in the .did.
pub const TIMER_EXECUTOR_METHOD: &str = "<ic-cdk internal> timer_executor";

/// The gzip level of `.wasm.gz` (and of the template's chunks).
pub const GZIP_LEVEL: u32 = 9;

/// The canister module, raw and gzip'd, and the time each took.
pub struct Module {
    pub wasm: Vec<u8>,
    pub wasm_gz: Vec<u8>,
    pub assembled_in: std::time::Duration,
    pub gzipped_in: std::time::Duration,
    /// The template's bodies, checked when it was prepared (`None`: check everything).
    pub trusted: Option<crate::validate::TrustedBodies>,
}

/// What one build adds to the template.
pub(crate) struct Build<'a> {
    payload: &'a [u8],
    /// Export names of the methods, in payload order.
    methods: Vec<String>,
    heartbeat: bool,
    inspect_message: bool,
    did: &'a str,
    cdk: &'a str,
}

impl Build<'static> {
    /// A build that uses every part of the template (for finding its fixed ranges).
    pub(crate) fn probe() -> Self {
        Build {
            payload: b"payload",
            methods: vec!["canister_query probe".into()],
            heartbeat: true,
            inspect_message: true,
            did: "service : {}",
            cdk: "kybra",
        }
    }
}

fn tpl(msg: impl Into<String>) -> BuildError {
    BuildError::Template(msg.into())
}

/// The canister module: `template` + the `encoded` payload + exports for the methods and
/// hooks of `analysed` + metadata.
pub fn assemble(
    template: &[u8],
    encoded: &[u8],
    analysed: &Payload,
    did: &str,
    cdk: &str,
) -> Result<Module, BuildError> {
    let started = std::time::Instant::now();
    let prepared: Cow<[u8]> = if is_prepared(template) {
        Cow::Borrowed(template)
    } else {
        Cow::Owned(prelink(template).map_err(tpl)?)
    };
    let read = Template::read(&prepared, GZIP_LEVEL).map_err(tpl)?;
    let build = Build {
        payload: encoded,
        methods: analysed
            .methods
            .iter()
            .map(|m| m.kind.export_name(&m.name))
            .collect(),
        heartbeat: analysed.hooks.heartbeat.is_some(),
        inspect_message: analysed.hooks.inspect_message.is_some(),
        did,
        cdk,
    };
    let pieces = pieces(&read, &build).map_err(tpl)?;
    let mut wasm = Vec::with_capacity(read.bytes.len() + encoded.len() + 4096);
    for piece in &pieces {
        wasm.extend_from_slice(match piece {
            Piece::Template(r) => &read.bytes[r.clone()],
            Piece::Owned(v) => v,
            Piece::Borrowed(b) => b,
        });
    }
    let assembled = std::time::Instant::now();
    let wasm_gz = gzip::gzip(&pieces, read.bytes, &read.chunks, GZIP_LEVEL);
    Ok(Module {
        wasm,
        wasm_gz,
        assembled_in: assembled - started,
        gzipped_in: assembled.elapsed(),
        trusted: read.trusted,
    })
}

/// The module as pieces: ranges of the template and the bytes of this build.
pub(crate) fn pieces<'b>(t: &Template, b: &Build<'b>) -> Result<Vec<Piece<'b>>, String> {
    let payload_len =
        i32::try_from(b.payload.len()).map_err(|_| "the payload is larger than 2 GiB")?;
    let n = u32::try_from(b.methods.len()).map_err(|_| "too many methods")?;
    let dispatch = t.dispatch;
    let first_new = t.imported_functions + t.defined_functions;

    let mut out = vec![Piece::Template(0..8)];
    for s in &t.sections {
        match s.id {
            FUNCTION => {
                let mut added = Vec::new();
                for _ in 0..n {
                    write_u32(&mut added, t.void_type);
                }
                let mut count = Vec::new();
                write_u32(&mut count, t.defined_functions + n);
                let len = count.len() + t.function_entries.len() + added.len();
                let mut head = section_header(FUNCTION, len);
                head.extend_from_slice(&count);
                out.extend([
                    Piece::Owned(head),
                    Piece::Template(t.function_entries.clone()),
                    Piece::Owned(added),
                ]);
            }
            EXPORT => out.push(Piece::Owned(exports(t, b, first_new)?)),
            CODE => {
                let mut added = Vec::new();
                for index in 0..n {
                    let mut body = vec![0x00, 0x41];
                    write_i32(&mut body, index as i32);
                    body.push(0x10);
                    write_u32(&mut body, dispatch);
                    body.push(0x0b);
                    write_u32(&mut added, body.len() as u32);
                    added.extend_from_slice(&body);
                }
                let mut count = Vec::new();
                write_u32(&mut count, t.defined_functions + n);
                let len = count.len() + t.code_bodies.len() + added.len();
                let mut head = section_header(CODE, len);
                head.extend_from_slice(&count);
                let mut holes = t.length_holes;
                holes.sort_unstable();
                out.extend([
                    Piece::Owned(head),
                    Piece::Template(t.code_bodies.start..holes[0]),
                    Piece::Owned(padded_i32(payload_len).to_vec()),
                    Piece::Template(holes[0] + 5..holes[1]),
                    Piece::Owned(padded_i32(payload_len).to_vec()),
                    Piece::Template(holes[1] + 5..t.code_bodies.end),
                    Piece::Owned(added),
                ]);
            }
            DATA => {
                let mut count = Vec::new();
                write_u32(&mut count, t.data_segments);
                let mut segment = vec![0x01];
                write_u32(&mut segment, b.payload.len() as u32);
                let len =
                    count.len() + t.data_before_placeholder.len() + segment.len() + b.payload.len();
                let mut head = section_header(DATA, len);
                head.extend_from_slice(&count);
                out.extend([
                    Piece::Owned(head),
                    Piece::Template(t.data_before_placeholder.clone()),
                    Piece::Owned(segment),
                    Piece::Borrowed(b.payload),
                ]);
            }
            CUSTOM if matches!(s.name.as_deref(), Some(CANDID_SECTION | CDK_SECTION)) => {}
            _ => out.push(Piece::Template(s.whole.clone())),
        }
    }
    for (name, data) in [
        (CANDID_SECTION, b.did.as_bytes()),
        (CDK_SECTION, b.cdk.as_bytes()),
    ] {
        let mut content = Vec::new();
        write_name(&mut content, name);
        content.extend_from_slice(data);
        let mut section = section_header(CUSTOM, content.len());
        section.extend_from_slice(&content);
        out.push(Piece::Owned(section));
    }
    Ok(out)
}

/// The export section: the template's, less the build-time ones and unused hooks, plus one
/// per method.
fn exports(t: &Template, b: &Build, first_new: u32) -> Result<Vec<u8>, String> {
    let mut kept = Vec::new();
    for (export, used) in OPTIONAL_EXPORTS
        .iter()
        .zip([b.heartbeat, b.inspect_message])
    {
        if used && !t.exports.iter().any(|e| e.name == *export) {
            return Err(format!(
                "it does not export `{export}`, which the canister's hooks need: rebuild the template"
            ));
        }
    }
    for e in &t.exports {
        let hook_unused = OPTIONAL_EXPORTS
            .iter()
            .zip([b.heartbeat, b.inspect_message])
            .any(|(name, used)| e.name == *name && !used);
        if [DISPATCH_EXPORT, SIZE_EXPORT, COPY_EXPORT].contains(&e.name.as_str()) || hook_unused {
            continue;
        }
        kept.push((e.name.as_str(), e.kind, e.index));
    }
    for (i, name) in b.methods.iter().enumerate() {
        if kept.iter().any(|(k, _, _)| k == name) {
            return Err(format!("it already exports `{name}`"));
        }
        kept.push((name.as_str(), 0, first_new + i as u32));
    }
    let mut content = Vec::new();
    write_u32(&mut content, kept.len() as u32);
    for (name, kind, index) in kept {
        write_name(&mut content, name);
        content.push(kind);
        write_u32(&mut content, index);
    }
    let mut section = section_header(EXPORT, content.len());
    section.extend_from_slice(&content);
    Ok(section)
}
