//! `kybra-template RUNTIME.wasm -o template.wasm`: the command-line face of
//! [`kybra_template::build_template`], used by `runtime/build-assets.sh`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

#[derive(Parser)]
#[command(
    about = "Turn the kybra-runtime wasm32-wasip1 module into template.wasm (imports only ic0)"
)]
struct Args {
    /// The runtime module built by `cargo build -p kybra-runtime --target wasm32-wasip1`.
    input: PathBuf,
    /// Where to write the template.
    #[arg(short, long)]
    output: PathBuf,
    /// Keep the `name` section (function names in traps; larger module).
    #[arg(long)]
    keep_names: bool,
    /// Run binaryen's wasm-opt program (`$KYBRA_WASM_OPT`, else `wasm-opt` on the PATH) at
    /// this level on the result (O1..O4, Os, Oz).
    #[arg(long)]
    optimize: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let input =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let options = kybra_template::Options {
        keep_names: args.keep_names,
    };
    let (mut bytes, summary) = kybra_template::build_template(&input, options)
        .with_context(|| format!("converting {}", args.input.display()))?;
    if let Some(level) = &args.optimize {
        bytes = kybra_template::optimize(&bytes, level)
            .with_context(|| format!("optimising {}", args.input.display()))?;
        println!(
            "{} -{level}: {} -> {} bytes",
            kybra_template::wasm_opt_version()?,
            summary.size,
            bytes.len()
        );
    }
    // Last: the payload accessors become the template's own functions and the fixed parts
    // are compressed once, so each `kybra build` splices bytes instead of re-encoding.
    let raw = bytes.len();
    let bytes = kybra_compiler::wasm::prepare(&bytes, kybra_compiler::GZIP_LEVEL)
        .map_err(|e| anyhow::anyhow!("preparing the template: {e}"))?;
    println!(
        "prepared for fast builds: {raw} -> {} bytes (with its gzip chunks)",
        bytes.len()
    );
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    println!(
        "template: {} bytes, {} functions, {} imports ({}), exports: {}",
        summary.size,
        summary.functions,
        summary.imports.len(),
        summary.imports.join(" "),
        summary.exports.join(" ")
    );
    Ok(())
}
