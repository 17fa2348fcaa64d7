//! Package modules compiled to CPython 3.11 bytecode at build time, by a host interpreter
//! of the canister's Python version, so that the canister loads code objects instead of
//! compiling source at install (benches section 7 measures both; docs/architecture.md,
//! "Installed packages", has the figures and the decision).
//!
//! Promises: [`HostPython::compile`] gives, for each source, the `.pyc` file CPython's path
//! finder loads without reading the source again — an unchecked hash-based pyc (PEP 552)
//! whose code objects carry the file name the canister imports the module from, so
//! tracebacks and `__file__` are what in-canister compilation gives — or `None` for a file
//! that does not compile (the canister then raises its `SyntaxError` when it imports it).
//! The host only compiles (`compile()`): no package code runs. It runs isolated from the
//! user's settings except `PYTHONHASHSEED=0` (the canister's), so the bytes are the same on
//! every build. A host whose bytecode format (magic number) is not the canister's is
//! refused with [`BytecodeError::Magic`]: the caller then ships source only.
//!
//! With a cache folder, each `.pyc` is kept under the sha256 of the interpreter (its real
//! path, size and modification time), the file name and the source, and compiled again
//! only when one of those changes; the host is not started when every file is cached. A
//! cache that cannot be read or written is skipped, never an error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

/// The magic number of CPython 3.11's `.pyc` files (the canister's interpreter, 3.11.2):
/// `importlib.util.MAGIC_NUMBER`, unchanged across 3.11 releases.
pub const MAGIC: [u8; 4] = [0xa7, 0x0d, 0x0d, 0x0a];

/// Where CPython 3.11 looks for the bytecode of `dir/x.py`: `dir/__pycache__/x.cpython-311.pyc`.
pub fn pyc_path(source_rel: &str) -> Option<String> {
    let stem = source_rel.strip_suffix(".py")?;
    let (dir, name) = match stem.rsplit_once('/') {
        Some((dir, name)) => (format!("{dir}/"), name),
        None => (String::new(), stem),
    };
    Some(format!("{dir}__pycache__/{name}.cpython-311.pyc"))
}

/// Reads a list of `[filename, path]` on stdin; writes the magic number, then per file a
/// little-endian u32 length (0: it does not compile) and the `.pyc` bytes.
const SCRIPT: &str = r#"
import importlib.util, json, marshal, sys
out = sys.stdout.buffer
out.write(importlib.util.MAGIC_NUMBER)
for filename, path in json.load(sys.stdin):
    with open(path, "rb") as f:
        source = f.read()
    try:
        code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError):
        out.write((0).to_bytes(4, "little"))
        continue
    flags = (1).to_bytes(4, "little")  # hash-based, source not checked
    pyc = importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)
    out.write(len(pyc).to_bytes(4, "little"))
    out.write(pyc)
out.flush()
"#;

/// Why a host interpreter did not compile package modules.
#[derive(Debug, thiserror::Error)]
pub enum BytecodeError {
    #[error("cannot run {python}: {source}")]
    Run {
        python: PathBuf,
        source: std::io::Error,
    },
    #[error("{python} failed compiling package modules: {stderr}")]
    Failed { python: PathBuf, stderr: String },
    #[error(
        "{python} writes bytecode of another Python version (magic number {found:02x?}, the canister's CPython 3.11 needs {MAGIC:02x?})"
    )]
    Magic { python: PathBuf, found: Vec<u8> },
    #[error("{python} answered something that is not bytecode")]
    Garbled { python: PathBuf },
}

/// A host CPython that compiles package modules for the canister.
#[derive(Clone, Debug, PartialEq)]
pub struct HostPython {
    pub python: PathBuf,
    /// Where compiled files are kept between builds (`None`: no cache).
    pub cache: Option<PathBuf>,
}

impl HostPython {
    pub fn new(python: impl Into<PathBuf>) -> Self {
        HostPython {
            python: python.into(),
            cache: None,
        }
    }

    /// The same interpreter, keeping what it compiles in `cache`.
    pub fn with_cache(self, cache: impl Into<PathBuf>) -> Self {
        HostPython {
            cache: Some(cache.into()),
            ..self
        }
    }

    /// The `.pyc` of each `(filename in the canister, host path)`, in order: from the cache
    /// when it has it, else compiled by the host (and then cached).
    pub fn compile(
        &self,
        sources: &[(String, PathBuf)],
    ) -> Result<Vec<Option<Vec<u8>>>, BytecodeError> {
        let (Some(cache), Some(interpreter)) = (&self.cache, self.identity()) else {
            return self.run(sources);
        };
        let keys: Vec<Option<PathBuf>> = sources
            .iter()
            .map(|(filename, path)| {
                let source = std::fs::read(path).ok()?;
                let key = cache_key(&interpreter, filename, &source);
                Some(cache.join(&key[..2]).join(format!("{key}.pyc")))
            })
            .collect();
        let mut out: Vec<Option<Option<Vec<u8>>>> = keys
            .iter()
            .map(|k| k.as_deref().and_then(read_cached))
            .collect();
        let missing: Vec<usize> = (0..sources.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let todo: Vec<(String, PathBuf)> =
                missing.iter().map(|&i| sources[i].clone()).collect();
            for (i, pyc) in missing.into_iter().zip(self.run(&todo)?) {
                if let Some(key) = &keys[i] {
                    write_cached(key, pyc.as_deref());
                }
                out[i] = Some(pyc);
            }
        }
        Ok(out
            .into_iter()
            .map(|o| o.expect("every file compiled or cached"))
            .collect())
    }

    /// What identifies the interpreter's output: its real file, size and modification time.
    fn identity(&self) -> Option<String> {
        let real = std::fs::canonicalize(&self.python).ok()?;
        let md = std::fs::metadata(&real).ok()?;
        let modified = md
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!(
            "{}\n{}\n{}",
            real.display(),
            md.len(),
            modified.as_nanos()
        ))
    }

    /// Runs the host on `sources`.
    fn run(&self, sources: &[(String, PathBuf)]) -> Result<Vec<Option<Vec<u8>>>, BytecodeError> {
        let python = self.python.clone();
        let list: Vec<(&str, &Path)> = sources
            .iter()
            .map(|(f, p)| (f.as_str(), p.as_path()))
            .collect();
        let input = serde_json::to_vec(&list).expect("paths serialise");
        let mut child = Command::new(&self.python)
            .env_clear()
            .env("PYTHONHASHSEED", "0")
            .args(["-s", "-S", "-B", "-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| BytecodeError::Run {
                python: python.clone(),
                source,
            })?;
        // A writer thread: the child answers while it reads, and both pipes have limits.
        let mut stdin = child.stdin.take().expect("piped");
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child
            .wait_with_output()
            .map_err(|source| BytecodeError::Run {
                python: python.clone(),
                source,
            })?;
        let written = writer.join().expect("the writer does not panic");
        if !out.status.success() || written.is_err() {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(BytecodeError::Failed { python, stderr });
        }
        let data = out.stdout;
        if data.len() < 4 || data[..4] != MAGIC {
            let found = data.get(..4).unwrap_or(&data).to_vec();
            return Err(BytecodeError::Magic { python, found });
        }
        let mut rest = &data[4..];
        let mut pycs = Vec::with_capacity(sources.len());
        for _ in sources {
            let Some((len, tail)) = rest.split_first_chunk::<4>() else {
                return Err(BytecodeError::Garbled { python });
            };
            let len = u32::from_le_bytes(*len) as usize;
            if tail.len() < len {
                return Err(BytecodeError::Garbled { python });
            }
            pycs.push((len > 0).then(|| tail[..len].to_vec()));
            rest = &tail[len..];
        }
        if !rest.is_empty() {
            return Err(BytecodeError::Garbled { python });
        }
        Ok(pycs)
    }
}

/// The cache file name of `filename` with `source`, compiled by `interpreter`.
fn cache_key(interpreter: &str, filename: &str, source: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [interpreter.as_bytes(), filename.as_bytes()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(source);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A cached result: `Some(None)` is a file that does not compile (kept as an empty file).
fn read_cached(path: &Path) -> Option<Option<Vec<u8>>> {
    let data = std::fs::read(path).ok()?;
    if data.is_empty() {
        return Some(None);
    }
    (data.len() >= 16 && data[..4] == MAGIC).then_some(Some(data))
}

/// Stores a result (atomically: a reader never sees half a file); failures are ignored.
fn write_cached(path: &Path, pyc: Option<&[u8]>) {
    let Some(dir) = path.parent() else { return };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&tmp, pyc.unwrap_or_default()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyc_paths_are_cpythons() {
        assert_eq!(
            pyc_path("jinja2/utils.py").as_deref(),
            Some("jinja2/__pycache__/utils.cpython-311.pyc")
        );
        assert_eq!(
            pyc_path("six.py").as_deref(),
            Some("__pycache__/six.cpython-311.pyc")
        );
        assert_eq!(pyc_path("certifi/cacert.pem"), None);
    }
}
