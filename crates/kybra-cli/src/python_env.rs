//! The Python environment a build takes installed packages from.
//!
//! Promises: [`discover`] picks, in this order, the interpreter that runs `python -m kybra`
//! (`KYBRA_PYTHON`, which `python -m kybra` and `kybra.testing` set), the active virtual
//! environment (`VIRTUAL_ENV`), the project's `.venv/`, then `python3` on `PATH`; it asks
//! that interpreter once for its `sysconfig` paths (`purelib`, `platlib`) and its version,
//! never guessing them, and adds the folders that plain lines of the `.pth` files there
//! name (what `pip install -e` of older projects writes). An explicit `KYBRA_PYTHON` that
//! cannot run is an error; an unusable `VIRTUAL_ENV` or `.venv` is skipped with a warning;
//! no Python at all is `None` (then only the project and the standard library import).
//! [`bytecode_python`] names the host CPython 3.11 that compiles package modules to
//! bytecode at build time: the environment's own interpreter when it is 3.11, else
//! `python3.11` on `PATH`, else none (the canister then compiles them at install); what it
//! compiles is cached per file in `$KYBRA_CACHE/bytecode` ([`bytecode_cache`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};
use kybra_compiler::packages::HostPython;
use serde::Deserialize;

/// What the interpreter says about itself.
const PROBE: &str = "import json, sys, sysconfig\n\
p = sysconfig.get_paths()\n\
print(json.dumps({'version': sys.version.split()[0], 'prefix': sys.prefix, 'purelib': p['purelib'], 'platlib': p['platlib']}))";

/// One Python environment.
#[derive(Clone, Debug)]
pub struct PythonEnv {
    pub python: PathBuf,
    /// How it was chosen, for the build output.
    pub chosen_by: &'static str,
    pub version: String,
    pub prefix: PathBuf,
    /// site-packages folders, in search order.
    pub site: Vec<PathBuf>,
}

impl PythonEnv {
    /// One line for the build output.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "Python environment: {} (Python {}, {})",
            self.prefix.display(),
            self.version,
            self.chosen_by
        );
        if !self.version.starts_with("3.11.") {
            line.push_str(&format!(
                "\n  warning: canisters run Python 3.11.2; packages installed for Python {} may use what 3.11 lacks \
                 — a Python 3.11 environment is safest",
                self.version
            ));
        }
        line
    }
}

#[derive(Deserialize)]
struct Probe {
    version: String,
    prefix: PathBuf,
    purelib: PathBuf,
    platlib: PathBuf,
}

/// The environment for the project rooted at `root` (see the module docs).
pub fn discover(root: &Path) -> Result<Option<PythonEnv>> {
    if let Some(python) = std::env::var_os("KYBRA_PYTHON").filter(|v| !v.is_empty()) {
        let python = PathBuf::from(python);
        return ask(
            &python,
            "the interpreter running `python -m kybra` (KYBRA_PYTHON)",
        )
        .map(Some)
        .with_context(|| {
            format!(
                "KYBRA_PYTHON={} cannot be used — point it at a Python interpreter, or unset it",
                python.display()
            )
        });
    }
    let mut candidates: Vec<(PathBuf, &'static str)> = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        candidates.push((
            venv_python(Path::new(&venv)),
            "the active virtual environment (VIRTUAL_ENV)",
        ));
    }
    let dot_venv = root.join(".venv");
    if dot_venv.is_dir() {
        candidates.push((venv_python(&dot_venv), "the project's .venv"));
    }
    for (python, chosen_by) in candidates {
        match ask(&python, chosen_by) {
            Ok(env) => return Ok(Some(env)),
            Err(e) => eprintln!("warning: skipping {chosen_by}: {e:#}"),
        }
    }
    match which("python3") {
        Some(python) => ask(&python, "python3 on PATH").map(Some),
        None => Ok(None),
    }
}

/// The interpreter that compiles package modules to the canister's bytecode (CPython 3.11):
/// `env`'s own when it is 3.11, else `python3.11` on `PATH` (its magic number is checked
/// when it compiles); what it compiles is kept in [`bytecode_cache`].
pub fn bytecode_python(env: &PythonEnv) -> Option<HostPython> {
    let python = if env.version.starts_with("3.11.") {
        env.python.clone()
    } else {
        which("python3.11")?
    };
    let host = HostPython::new(python);
    Some(match bytecode_cache() {
        Some(cache) => host.with_cache(cache),
        None => host,
    })
}

/// Where compiled package modules are kept between builds: `$KYBRA_CACHE/bytecode`, else
/// `~/.cache/kybra/bytecode` (`KYBRA_CACHE` as the set-up and the replica use it).
pub fn bytecode_cache() -> Option<PathBuf> {
    let base = match std::env::var_os("KYBRA_CACHE").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/kybra"),
    };
    Some(base.join("bytecode"))
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Asks `python` for its paths.
fn ask(python: &Path, chosen_by: &'static str) -> Result<PythonEnv> {
    let out = Command::new(python)
        .args(["-I", "-c", PROBE])
        .output()
        .map_err(|e| anyhow!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(anyhow!(
            "{} failed: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let probe: Probe = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "{} did not answer as a Python interpreter",
            python.display()
        )
    })?;
    let mut site = vec![probe.purelib.clone()];
    if probe.platlib != probe.purelib {
        site.push(probe.platlib.clone());
    }
    let pth: Vec<PathBuf> = site.iter().flat_map(|d| pth_folders(d)).collect();
    for dir in pth {
        if !site.contains(&dir) {
            site.push(dir);
        }
    }
    Ok(PythonEnv {
        python: python.to_path_buf(),
        chosen_by,
        version: probe.version,
        prefix: probe.prefix,
        site,
    })
}

/// Folders named by plain lines of the `.pth` files in `site` (as `site.py` adds them;
/// `import` lines are code and are not run).
fn pth_folders(site: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(site) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pth"))
        .collect();
    files.sort();
    let mut dirs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines().map(str::trim) {
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with("import ")
                || line.starts_with("import\t")
            {
                continue;
            }
            let dir = site.join(line);
            if dir.is_dir() {
                dirs.push(dir);
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pth_lines_that_name_folders_count_and_code_does_not() {
        let tmp = std::env::temp_dir().join(format!("kybra-pth-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("src")).unwrap();
        std::fs::write(
            tmp.join("a.pth"),
            format!(
                "# comment\n{}\nimport os; os.exit(1)\nmissing_dir\n",
                tmp.join("src").display()
            ),
        )
        .unwrap();
        assert_eq!(pth_folders(&tmp), vec![tmp.join("src")]);
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn an_interpreter_answers_with_its_paths() {
        let Some(python) = which("python3") else {
            panic!("python3 is not on PATH: the set-up installs it");
        };
        let env = ask(&python, "test").unwrap();
        assert!(env.version.starts_with('3'), "{env:?}");
        assert!(!env.site.is_empty());
        let err = ask(Path::new("/nonexistent/python"), "test").unwrap_err();
        assert!(
            err.to_string().contains("cannot run /nonexistent/python"),
            "{err}"
        );
    }
}
