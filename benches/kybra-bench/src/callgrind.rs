//! Native CPython as the reference for the compute section: runs a function of a
//! canister's `main.py` in the host's `python3` under `valgrind --tool=callgrind` and
//! returns the x86 instructions executed (the whole process: start-up included, so
//! callers take differences). Promises: the function is the canister's own source
//! (executed with a stand-in `kybra` module whose decorators are the identity), its
//! result is returned for the caller to compare, and hash randomisation is off so counts
//! repeat.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};

/// Runs `FUNCTION(N)` from `MAIN_PY` with a stand-in `kybra` module and prints the result.
const DRIVER: &str = r#"
import sys, types
main_py, function, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
kybra = types.ModuleType("kybra")
identity = lambda f: f
for name in ("query", "update", "composite_query", "init", "post_upgrade", "pre_upgrade"):
    setattr(kybra, name, identity)
for name in ("nat", "nat8", "nat16", "nat32", "nat64", "int8", "int16", "int32", "int64"):
    setattr(kybra, name, int)
kybra.text = str
kybra.void = None
kybra.Vec = list
kybra.ic = None  # only the canister-only `system_api` uses it
sys.modules["kybra"] = kybra
namespace = {"__name__": "canister"}
with open(main_py) as f:
    exec(compile(f.read(), main_py, "exec"), namespace)
print(namespace[function](n))
"#;

/// The host's CPython.
pub struct NativePython {
    /// The real executable (not a pyenv shim), so valgrind measures Python, not a shell.
    pub exe: PathBuf,
    pub version: String,
    driver: tempfile::NamedTempFile,
}

impl NativePython {
    /// `$KYBRA_BENCH_PYTHON`, else `python3` from `PATH`; checks that valgrind exists.
    pub fn find() -> Result<Self> {
        let python = std::env::var("KYBRA_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
        let out = Command::new(&python)
            .args([
                "-c",
                "import sys; print(sys.executable); print(sys.version.split()[0])",
            ])
            .output()
            .with_context(|| {
                format!("cannot run {python} (set KYBRA_BENCH_PYTHON to a CPython 3.11)")
            })?;
        if !out.status.success() {
            bail!("{python} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8(out.stdout)?;
        let mut lines = text.lines();
        let exe = PathBuf::from(lines.next().unwrap_or_default());
        let version = lines.next().unwrap_or_default().to_string();
        let valgrind = Command::new("valgrind").arg("--version").output();
        if !valgrind.is_ok_and(|o| o.status.success()) {
            bail!("valgrind is not installed: run `apt-get install -y valgrind` (it counts native CPython's instructions)");
        }
        let mut driver = tempfile::Builder::new()
            .prefix("kybra-bench-driver-")
            .suffix(".py")
            .tempfile()?;
        std::io::Write::write_all(&mut driver, DRIVER.as_bytes())?;
        Ok(NativePython {
            exe,
            version,
            driver,
        })
    }

    /// x86 instructions of the whole process running `function(n)` from `main_py`, and
    /// what the function returned (as printed).
    pub fn instructions(&self, main_py: &Path, function: &str, n: u64) -> Result<(u64, String)> {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&self.exe)
            .arg(self.driver.path())
            .arg(main_py)
            .args([function, &n.to_string()])
            .env("PYTHONHASHSEED", "0")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .context("cannot run valgrind")?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!("native {function}({n}) under callgrind failed:\n{stdout}{stderr}");
        }
        let count = parse_collected(&stderr)
            .ok_or_else(|| anyhow!("no `Collected :` line in callgrind's output:\n{stderr}"))?;
        Ok((count, stdout.trim().to_string()))
    }
}

/// The `==PID== Collected : N` line of callgrind's summary.
fn parse_collected(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim()))
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_callgrind_summary() {
        let s = "==12== Events    : Ir\n==12== Collected : 160123456\n==12==\n==12== I   refs:      160,123,456\n";
        assert_eq!(parse_collected(s), Some(160_123_456));
        assert_eq!(parse_collected("nothing"), None);
    }
}
