//! Assembles the canister module from the runtime template: embeds the payload, wires
//! the payload accessors, adds one exported trampoline per method and the IC metadata.
//!
//! Promises (docs/architecture.md, "Compiler → runtime: the payload"): the payload sits in
//! a passive data segment; the imports `kybra.payload_size` / `kybra.payload_copy` become
//! local functions (`i32.const LEN` / `memory.init`); each method gets an export
//! `canister_query NAME` / `canister_update NAME` whose body is
//! `i32.const INDEX; call kybra_dispatch`; the `kybra_dispatch` export is removed, and so
//! are `canister_heartbeat` / `canister_inspect_message` when the payload defines no
//! `@heartbeat` / `@inspect_message` (a heartbeat costs cycles every round; an inspect
//! hook with nothing to run would refuse every ingress message); the
//! custom sections `icp:public candid:service` and `icp:public cdk` are set; the result
//! imports only `ic0` (checked; otherwise a template error).

use kybra_interface::{
    Payload, DISPATCH_EXPORT, PAYLOAD_COPY_IMPORT, PAYLOAD_IMPORT_MODULE, PAYLOAD_SIZE_IMPORT,
};
use walrus::ir::Value;
use walrus::{DataKind, FunctionBuilder, ModuleConfig, RawCustomSection, ValType};

use crate::diagnostic::BuildError;

pub const CANDID_SECTION: &str = "icp:public candid:service";
pub const CDK_SECTION: &str = "icp:public cdk";

fn tpl(msg: impl Into<String>) -> BuildError {
    BuildError::Template(msg.into())
}

/// Template exports that only canisters defining the matching hook keep.
pub const OPTIONAL_EXPORTS: [&str; 2] = ["canister_heartbeat", "canister_inspect_message"];

/// The update method of `ic-cdk-timers` (in the template for `ic.set_timer`): only the
/// canister itself may call it, so it is deliberately not in the .did.
pub const TIMER_EXECUTOR_METHOD: &str = "<ic-cdk internal> timer_executor";

/// The canister module: `template` + the `encoded` payload + exports for the methods and
/// hooks of `analysed` + metadata.
pub fn assemble(
    template: &[u8],
    encoded: &[u8],
    analysed: &Payload,
    did: &str,
    cdk: &str,
) -> Result<Vec<u8>, BuildError> {
    let payload = encoded;
    let methods = &analysed.methods;
    let mut module = ModuleConfig::new()
        .generate_producers_section(false)
        .parse(template)
        .map_err(|e| tpl(format!("not a valid wasm module: {e:#}")))?;

    let len = i32::try_from(payload.len()).map_err(|_| tpl("the payload is larger than 2 GiB"))?;
    let memory = match module.memories.iter().collect::<Vec<_>>().as_slice() {
        [m] => m.id(),
        [] => return Err(tpl("it has no linear memory")),
        _ => return Err(tpl("it has more than one linear memory")),
    };
    let import = |module: &walrus::Module, name: &str, params: &[ValType], results: &[ValType]| {
        let fid = module
            .imports
            .get_func(PAYLOAD_IMPORT_MODULE, name)
            .map_err(|_| {
                tpl(format!(
                    "it does not import `{PAYLOAD_IMPORT_MODULE}.{name}`"
                ))
            })?;
        let ty = module.types.get(module.funcs.get(fid).ty());
        if ty.params() != params || ty.results() != results {
            return Err(tpl(format!(
                "`{PAYLOAD_IMPORT_MODULE}.{name}` has type {:?} -> {:?}, expected {params:?} -> {results:?}",
                ty.params(),
                ty.results()
            )));
        }
        Ok(fid)
    };
    let size_fn = import(&module, PAYLOAD_SIZE_IMPORT, &[], &[ValType::I32])?;
    let copy_fn = import(&module, PAYLOAD_COPY_IMPORT, &[ValType::I32], &[])?;

    let data = module.data.add(DataKind::Passive, payload.to_vec());
    module
        .replace_imported_func(size_fn, |(body, _)| {
            body.i32_const(len);
        })
        .map_err(|e| tpl(format!("{e:#}")))?;
    module
        .replace_imported_func(copy_fn, |(body, args)| {
            body.local_get(args[0])
                .i32_const(0)
                .i32_const(len)
                .memory_init(memory, data);
        })
        .map_err(|e| tpl(format!("{e:#}")))?;

    let dispatch = module
        .exports
        .get_func(DISPATCH_EXPORT)
        .map_err(|_| tpl(format!("it does not export a function `{DISPATCH_EXPORT}`")))?;
    let ty = module.types.get(module.funcs.get(dispatch).ty());
    if ty.params() != [ValType::I32] || !ty.results().is_empty() {
        return Err(tpl(format!(
            "`{DISPATCH_EXPORT}` must have type (i32) -> ()"
        )));
    }
    module
        .exports
        .remove(DISPATCH_EXPORT)
        .map_err(|e| tpl(format!("{e:#}")))?;
    for (export, used) in OPTIONAL_EXPORTS.iter().zip([
        analysed.hooks.heartbeat.is_some(),
        analysed.hooks.inspect_message.is_some(),
    ]) {
        let present = module.exports.iter().any(|e| e.name == *export);
        if used && !present {
            return Err(tpl(format!("it does not export `{export}`, which the canister's hooks need: rebuild the template")));
        }
        if !used && present {
            module
                .exports
                .remove(export)
                .map_err(|e| tpl(format!("{e:#}")))?;
        }
    }
    for (index, m) in methods.iter().enumerate() {
        let export = m.kind.export_name(&m.name);
        if module.exports.iter().any(|e| e.name == export) {
            return Err(tpl(format!("it already exports `{export}`")));
        }
        let mut b = FunctionBuilder::new(&mut module.types, &[], &[]);
        b.name(export.clone());
        b.func_body()
            .const_(Value::I32(index as i32))
            .call(dispatch);
        let f = b.finish(vec![], &mut module.funcs);
        module.exports.add(&export, f);
    }

    for (name, data) in [
        (CANDID_SECTION, did.as_bytes()),
        (CDK_SECTION, cdk.as_bytes()),
    ] {
        module.customs.remove_raw(name);
        module.customs.add(RawCustomSection {
            name: name.to_string(),
            data: data.to_vec(),
        });
    }

    let foreign: Vec<String> = module
        .imports
        .iter()
        .filter(|i| i.module != "ic0")
        .map(|i| format!("{}.{}", i.module, i.name))
        .collect();
    if !foreign.is_empty() {
        return Err(tpl(format!(
            "the canister would import {} — a canister may import only `ic0` (check the template's imports)",
            foreign.join(", ")
        )));
    }
    Ok(module.emit_wasm())
}
