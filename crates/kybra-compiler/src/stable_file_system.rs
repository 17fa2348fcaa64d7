//! Finds the canister's `StableFileSystem(max_file_size=…)` declaration: a module-level
//! statement (bare, or assigned to a name) in any user module that puts the canister's
//! files in stable memory, so `open()`, `os` and `pathlib` keep them across upgrades.
//!
//! Promises: at most one declaration per canister (a second one is a diagnostic naming
//! the first); `max_file_size` is an integer literal or a product/sum/power of integer
//! literals (`64 * 1024 * 1024`), from 1 byte to 1 TiB, default
//! [`DEFAULT_MAX_FILE_SIZE`]; any other argument is a diagnostic saying what to write.
//! The declaration reserves [`FILE_SYSTEM_MEMORY_IDS`] (checked by `stable_structures`).

use kybra_interface::{StableFileSystem, DEFAULT_MAX_FILE_SIZE, FILE_SYSTEM_MEMORY_IDS};
use ruff_python_ast::{Expr, ExprCall, Number, Operator, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::names::Qual;
use crate::project::Project;
use crate::typedefs::TypeCx;

const EXAMPLE: &str = "StableFileSystem(max_file_size=64 * 1024 * 1024)";

/// The largest `max_file_size` accepted: 1 TiB (a canister's stable memory is smaller).
const MAX_FILE_SIZE_LIMIT: u64 = 1 << 40;

/// The stable file system `project` declares, if any; problems go to `diags`.
pub fn find(
    project: &Project,
    cx: &TypeCx,
    diags: &mut Vec<Diagnostic>,
) -> Option<StableFileSystem> {
    let mut found: Option<(StableFileSystem, Diagnostic)> = None;
    for module in project.modules.iter().filter(|m| m.is_user()) {
        let Some(ast) = &module.ast else { continue };
        for stmt in &ast.body {
            let value = match stmt {
                Stmt::Expr(e) => e.value.as_ref(),
                Stmt::Assign(a) => a.value.as_ref(),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => v.as_ref(),
                    None => continue,
                },
                _ => continue,
            };
            let Expr::Call(call) = value else { continue };
            let Qual::Global(name) = cx.names.qualify(&module.name, &call.func) else {
                continue;
            };
            if name != "kybra.StableFileSystem" {
                continue;
            }
            let at = |offset, message: String| module.source.diagnostic(offset, message);
            let here = at(call.range().start(), String::new());
            if let Some((_, first)) = &found {
                diags.push(at(
                    call.range().start(),
                    format!(
                        "the stable file system is already declared at {}:{}:{} — declare it once per canister",
                        first.path.display(),
                        first.line,
                        first.column
                    ),
                ));
                continue;
            }
            match declaration(call) {
                Ok(fs) => found = Some((fs, here)),
                Err((offset, message)) => diags.push(at(offset, message)),
            }
        }
    }
    found.map(|(fs, _)| fs)
}

/// The declaration `call` makes, or where and why it is wrong.
fn declaration(call: &ExprCall) -> Result<StableFileSystem, (ruff_text_size::TextSize, String)> {
    if let Some(a) = call.arguments.args.first() {
        return Err((
            a.range().start(),
            format!("StableFileSystem takes keyword arguments only — write e.g. `{EXAMPLE}`"),
        ));
    }
    let mut max_file_size = DEFAULT_MAX_FILE_SIZE;
    for k in &call.arguments.keywords {
        let name = k.arg.as_ref().map(|a| a.id.as_str()).unwrap_or("**");
        if name != "max_file_size" {
            return Err((
                k.range().start(),
                format!("StableFileSystem has no parameter `{name}` — its one parameter is max_file_size (bytes)"),
            ));
        }
        max_file_size = match constant(&k.value) {
            Some(n) if (1..=MAX_FILE_SIZE_LIMIT).contains(&n) => n,
            Some(_) => {
                return Err((
                    k.value.range().start(),
                    format!("`max_file_size` must be between 1 and {MAX_FILE_SIZE_LIMIT} bytes (1 TiB)"),
                ))
            }
            None => {
                return Err((
                    k.value.range().start(),
                    format!("`max_file_size` must be an integer written with literals (the runtime sets up the file system before your code runs) — write e.g. `{EXAMPLE}`"),
                ))
            }
        };
    }
    Ok(StableFileSystem { max_file_size })
}

/// The value of an integer literal, or of `+`, `*` and `**` over integer literals.
fn constant(e: &Expr) -> Option<u64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_u64(),
            _ => None,
        },
        Expr::BinOp(b) => {
            let (l, r) = (constant(&b.left)?, constant(&b.right)?);
            match b.op {
                Operator::Add => l.checked_add(r),
                Operator::Mult => l.checked_mul(r),
                Operator::Pow => l.checked_pow(u32::try_from(r).ok()?),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The message for a stable structure whose memory id `id` the file system owns.
pub fn reserved_message(id: u8) -> String {
    format!(
        "memory id {id} belongs to the stable file system this canister declares (StableFileSystem takes memory ids {} to {}) — give the structure a memory id below {}",
        FILE_SYSTEM_MEMORY_IDS.start,
        FILE_SYSTEM_MEMORY_IDS.end - 1,
        FILE_SYSTEM_MEMORY_IDS.start
    )
}
