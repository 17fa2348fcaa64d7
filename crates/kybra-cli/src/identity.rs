//! The identities the `kybra` command line signs requests with, kept like dfx keeps them.
//!
//! Layout (as dfx's `~/.config/dfx`): `$KYBRA_CONFIG_DIR` (default `~/.config/kybra`) holds
//! `identity.json` (`{"default": "NAME"}`) and `identity/NAME/identity.pem`. PEM files are
//! the formats dfx writes and reads: secp256k1 as SEC1 `EC PRIVATE KEY` (dfx's default key
//! type), Ed25519 as PKCS#8 `PRIVATE KEY`; `import` also takes P-256 and PKCS#8 secp256k1.
//!
//! Promises: `anonymous` always exists and has no file; `default` is created (secp256k1)
//! the first time it is needed, as dfx does; names are `[A-Za-z0-9._-]+`; nothing is
//! overwritten without `--force`; the identity in use cannot be removed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{anyhow, bail, Context, Result};
use ic_agent::identity::{AnonymousIdentity, BasicIdentity, Prime256v1Identity, Secp256k1Identity};
use ic_agent::Identity;

/// The identity with no key (principal `2vxsx-fae`).
pub const ANONYMOUS: &str = "anonymous";
/// The identity used when none was chosen.
pub const DEFAULT: &str = "default";

/// Key types `kybra identity new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Secp256k1,
    Ed25519,
}

/// The identity store.
pub struct Store {
    root: PathBuf,
}

static SELECTED: OnceLock<Option<String>> = OnceLock::new();

/// Records the global `--identity` option (call once, at start-up).
pub fn select(name: Option<String>) {
    let _ = SELECTED.set(name);
}

/// The identity requests are signed with: `--identity`, else the store's default.
pub fn current() -> Result<Arc<dyn Identity>> {
    let store = Store::open()?;
    let name = match SELECTED.get().cloned().flatten() {
        Some(name) => name,
        None => store.default_name()?,
    };
    store.load(&name).map(Arc::from)
}

impl Store {
    /// The store at `$KYBRA_CONFIG_DIR`, else `~/.config/kybra`.
    pub fn open() -> Result<Store> {
        let root = match std::env::var_os("KYBRA_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => {
                let home = std::env::var_os("HOME").ok_or_else(|| anyhow!("HOME is not set: set KYBRA_CONFIG_DIR to where kybra should keep identities"))?;
                PathBuf::from(home).join(".config").join("kybra")
            }
        };
        Ok(Store { root })
    }

    /// A store rooted at `root` (tests).
    pub fn at(root: &Path) -> Store {
        Store { root: root.to_path_buf() }
    }

    fn pem_path(&self, name: &str) -> PathBuf {
        self.root.join("identity").join(name).join("identity.pem")
    }

    fn config_path(&self) -> PathBuf {
        self.root.join("identity.json")
    }

    /// The name `kybra identity use` chose (default: `default`).
    pub fn default_name(&self) -> Result<String> {
        match std::fs::read_to_string(self.config_path()) {
            Ok(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", self.config_path().display()))?;
                Ok(v["default"].as_str().unwrap_or(DEFAULT).to_string())
            }
            Err(_) => Ok(DEFAULT.into()),
        }
    }

    /// Makes `name` the identity used when `--identity` is not given.
    pub fn set_default(&self, name: &str) -> Result<()> {
        if name != ANONYMOUS && name != DEFAULT && !self.pem_path(name).is_file() {
            bail!("there is no identity named {name}: create it with `kybra identity new {name}`");
        }
        std::fs::create_dir_all(&self.root).with_context(|| format!("cannot create {}", self.root.display()))?;
        let text = serde_json::to_string_pretty(&serde_json::json!({ "default": name }))?;
        std::fs::write(self.config_path(), text).with_context(|| format!("cannot write {}", self.config_path().display()))
    }

    /// Every identity name, sorted, `anonymous` included.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut names = vec![ANONYMOUS.to_string()];
        if let Ok(entries) = std::fs::read_dir(self.root.join("identity")) {
            for entry in entries.flatten() {
                if entry.path().join("identity.pem").is_file() {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Creates identity `name` with a fresh key; returns the PEM file.
    pub fn create(&self, name: &str, key: KeyType, force: bool) -> Result<PathBuf> {
        let pem = match key {
            KeyType::Secp256k1 => secp256k1_pem()?,
            KeyType::Ed25519 => ed25519_pem()?,
        };
        self.write(name, &pem, force)
    }

    /// Stores a copy of the PEM file `from` as identity `name`, after checking it loads.
    pub fn import(&self, name: &str, from: &Path, force: bool) -> Result<PathBuf> {
        let pem = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        identity_from_pem(&pem).with_context(|| format!("{} is not a key kybra can use", from.display()))?;
        self.write(name, &pem, force)
    }

    fn write(&self, name: &str, pem: &[u8], force: bool) -> Result<PathBuf> {
        check_name(name)?;
        if name == ANONYMOUS {
            bail!("`anonymous` is built in and has no key; pick another name");
        }
        let path = self.pem_path(name);
        if path.exists() && !force {
            bail!("identity {name} already exists ({}); add --force to replace its key", path.display());
        }
        let dir = path.parent().expect("identity path has a parent");
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_private(&path, pem)?;
        Ok(path)
    }

    /// Deletes identity `name` (not `anonymous`, not the one in use).
    pub fn remove(&self, name: &str) -> Result<()> {
        if name == ANONYMOUS {
            bail!("`anonymous` is built in and cannot be removed");
        }
        if self.default_name()? == name {
            bail!("identity {name} is in use: `kybra identity use` another one first");
        }
        let dir = self.root.join("identity").join(name);
        if !dir.join("identity.pem").is_file() {
            bail!("there is no identity named {name}");
        }
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))
    }

    /// The identity `name`; `default` is created on first use.
    pub fn load(&self, name: &str) -> Result<Box<dyn Identity>> {
        if name == ANONYMOUS {
            return Ok(Box::new(AnonymousIdentity));
        }
        let path = self.pem_path(name);
        if !path.is_file() {
            if name != DEFAULT {
                bail!("there is no identity named {name}: create it with `kybra identity new {name}` (see `kybra identity list`)");
            }
            self.create(DEFAULT, KeyType::Secp256k1, false)?;
            eprintln!("Created the default identity ({}).", path.display());
        }
        let pem = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        identity_from_pem(&pem).with_context(|| format!("{} is not a key kybra can use", path.display()))
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        bail!("`{name}` is not a valid identity name: use letters, digits, `.`, `_` and `-`")
    }
}

/// Reads a PEM private key of any kind dfx writes or imports.
pub fn identity_from_pem(pem: &[u8]) -> Result<Box<dyn Identity>> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("EC PRIVATE KEY") || text.contains("EC PARAMETERS") {
        if let Ok(id) = Secp256k1Identity::from_pem(pem) {
            return Ok(Box::new(id));
        }
        return Prime256v1Identity::from_pem(pem)
            .map(|id| Box::new(id) as Box<dyn Identity>)
            .map_err(|e| anyhow!("not a secp256k1 or P-256 key: {e}"));
    }
    if let Ok(id) = BasicIdentity::from_pem(pem) {
        return Ok(Box::new(id));
    }
    if let Ok(id) = Secp256k1Identity::from_pem(pem) {
        return Ok(Box::new(id));
    }
    Prime256v1Identity::from_pem(pem)
        .map(|id| Box::new(id) as Box<dyn Identity>)
        .map_err(|e| anyhow!("not an Ed25519, secp256k1 or P-256 private key in PEM form: {e}"))
}

fn random32() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness for a new key: {e}"))?;
    Ok(bytes)
}

/// A new secp256k1 key as SEC1 PEM (`EC PRIVATE KEY`, with the curve's OID), as dfx writes.
fn secp256k1_pem() -> Result<Vec<u8>> {
    loop {
        // Almost every 32-byte string is a valid scalar; retry the rare ones that are not.
        if let Ok(key) = k256::SecretKey::from_slice(&random32()?) {
            let pem = key.to_sec1_pem(k256::pkcs8::LineEnding::LF).map_err(|e| anyhow!("cannot encode the key: {e}"))?;
            return Ok(pem.as_bytes().to_vec());
        }
    }
}

/// PKCS#8 (RFC 8410) prefix of an Ed25519 private key: the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/// A new Ed25519 key as PKCS#8 PEM (`PRIVATE KEY`).
fn ed25519_pem() -> Result<Vec<u8>> {
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&random32()?);
    Ok(pem::encode(&pem::Pem::new("PRIVATE KEY", der)).into_bytes())
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests;
