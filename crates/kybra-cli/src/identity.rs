//! The identities the `kybra` command line signs requests with, kept like dfx keeps them.
//!
//! Layout (as dfx's `~/.config/dfx`): `$KYBRA_CONFIG_DIR` (default `~/.config/kybra`) holds
//! `identity.json` (`{"default": "NAME"}`) and `identity/NAME/identity.pem`. PEM files are
//! the formats dfx writes and reads: secp256k1 as SEC1 `EC PRIVATE KEY` (dfx's default key
//! type), Ed25519 as PKCS#8 `PRIVATE KEY`; `import` also takes P-256 and PKCS#8 secp256k1.
//!
//! Password-protected identities (`--storage-mode password-protected`) are dfx's too:
//! `identity.pem.encrypted` + `identity.json` in the identity's folder (see [`encrypted`]).
//!
//! Promises: `anonymous` always exists and has no file; `default` is created (secp256k1,
//! plaintext) the first time it is needed, as dfx does; names are `[A-Za-z0-9._-]+`; nothing
//! is overwritten without `--force`; the identity in use cannot be removed; a command asks for
//! a password at most once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{anyhow, bail, Context, Result};
use ic_agent::identity::{AnonymousIdentity, BasicIdentity, Prime256v1Identity, Secp256k1Identity};
use ic_agent::Identity;

pub mod encrypted;
use encrypted::{Encryption, IdentityConfig, CONFIG, ENCRYPTED_PEM};

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

/// How an identity's key is kept on disk (dfx's `--storage-mode`, without `keyring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StorageMode {
    /// `identity.pem`, readable by its owner only.
    #[default]
    Plaintext,
    /// `identity.pem.encrypted`, sealed with a password, + `identity.json`.
    PasswordProtected,
}

/// The identity store.
pub struct Store {
    root: PathBuf,
    /// The password of password-protected identities, when not asked for (tests, callers
    /// that already hold it); `None`: `$KYBRA_IDENTITY_PASSWORD`, else the terminal.
    password: Option<String>,
}

static SELECTED: OnceLock<Option<String>> = OnceLock::new();

/// Records the global `--identity` option (call once, at start-up).
pub fn select(name: Option<String>) {
    let _ = SELECTED.set(name);
}

/// The identity requests are signed with: `--identity`, else the store's default. Loaded
/// once per process, so a password-protected one is decrypted (and asked for) once.
pub fn current() -> Result<Arc<dyn Identity>> {
    static LOADED: Mutex<Option<Arc<dyn Identity>>> = Mutex::new(None);
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(identity) = loaded.as_ref() {
        return Ok(identity.clone());
    }
    let identity: Arc<dyn Identity> = Arc::from(Store::open()?.load(&current_name()?)?);
    *loaded = Some(identity.clone());
    Ok(identity)
}

/// The name of the identity requests are signed with: `--identity`, else the default.
pub fn current_name() -> Result<String> {
    match SELECTED.get().cloned().flatten() {
        Some(name) => Ok(name),
        None => Store::open()?.default_name(),
    }
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
        Ok(Store {
            root,
            password: None,
        })
    }

    /// A store rooted at `root` (tests).
    pub fn at(root: &Path) -> Store {
        Store {
            root: root.to_path_buf(),
            password: None,
        }
    }

    /// This store, using `password` for password-protected identities instead of asking.
    pub fn with_password(self, password: &str) -> Store {
        Store {
            password: Some(password.into()),
            ..self
        }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.join("identity").join(name)
    }

    /// The file that records identity `name`'s cycles wallets on networks other than the
    /// local one (dfx's `identity/NAME/wallets.json`).
    pub fn wallets_file(&self, name: &str) -> PathBuf {
        self.dir(name).join("wallets.json")
    }

    fn pem_path(&self, name: &str) -> PathBuf {
        self.dir(name).join("identity.pem")
    }

    /// Whether identity `name` has a key file (plaintext or password-protected).
    fn exists(&self, name: &str) -> bool {
        self.pem_path(name).is_file() || self.dir(name).join(ENCRYPTED_PEM).is_file()
    }

    /// The folder's `identity.json` (none: plaintext).
    fn identity_config(&self, name: &str) -> Result<IdentityConfig> {
        let path = self.dir(name).join(CONFIG);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not an identity configuration dfx or kybra writes",
                    path.display()
                )
            }),
            Err(_) => Ok(IdentityConfig::default()),
        }
    }

    fn password(&self, name: &str, creating: bool) -> Result<String> {
        let password = match &self.password {
            Some(password) => password.clone(),
            None => encrypted::password(name, creating)?,
        };
        if creating {
            encrypted::check_new(name, &password)?;
        }
        Ok(password)
    }

    fn config_path(&self) -> PathBuf {
        self.root.join("identity.json")
    }

    /// The name `kybra identity use` chose (default: `default`).
    pub fn default_name(&self) -> Result<String> {
        match std::fs::read_to_string(self.config_path()) {
            Ok(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).with_context(|| {
                    format!("{} is not valid JSON", self.config_path().display())
                })?;
                Ok(v["default"].as_str().unwrap_or(DEFAULT).to_string())
            }
            Err(_) => Ok(DEFAULT.into()),
        }
    }

    /// Makes `name` the identity used when `--identity` is not given.
    pub fn set_default(&self, name: &str) -> Result<()> {
        if name != ANONYMOUS && name != DEFAULT && !self.exists(name) {
            bail!("there is no identity named {name}: create it with `kybra identity new {name}`");
        }
        std::fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create {}", self.root.display()))?;
        let text = serde_json::to_string_pretty(&serde_json::json!({ "default": name }))?;
        std::fs::write(self.config_path(), text)
            .with_context(|| format!("cannot write {}", self.config_path().display()))
    }

    /// Every identity name, sorted, `anonymous` included.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut names = vec![ANONYMOUS.to_string()];
        if let Ok(entries) = std::fs::read_dir(self.root.join("identity")) {
            for entry in entries.flatten() {
                if self.exists(&entry.file_name().to_string_lossy()) {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Creates identity `name` with a fresh key; returns the (maybe encrypted) PEM file.
    pub fn create(
        &self,
        name: &str,
        key: KeyType,
        mode: StorageMode,
        force: bool,
    ) -> Result<PathBuf> {
        let pem = match key {
            KeyType::Secp256k1 => secp256k1_pem()?,
            KeyType::Ed25519 => ed25519_pem()?,
        };
        self.write(name, &pem, mode, force)
    }

    /// Stores a copy of the PEM file `from` as identity `name`, after checking it loads.
    pub fn import(
        &self,
        name: &str,
        from: &Path,
        mode: StorageMode,
        force: bool,
    ) -> Result<PathBuf> {
        let pem = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        identity_from_pem(&pem)
            .with_context(|| format!("{} is not a key kybra can use", from.display()))?;
        self.write(name, &pem, mode, force)
    }

    fn write(&self, name: &str, pem: &[u8], mode: StorageMode, force: bool) -> Result<PathBuf> {
        check_name(name)?;
        if name == ANONYMOUS {
            bail!("`anonymous` is built in and has no key; pick another name");
        }
        let dir = self.dir(name);
        if self.exists(name) && !force {
            bail!(
                "identity {name} already exists ({}); add --force to replace its key",
                dir.display()
            );
        }
        // Seal first: a refused password leaves the old identity as it was.
        let (file, bytes, config) = match mode {
            StorageMode::Plaintext => (self.pem_path(name), pem.to_vec(), None),
            StorageMode::PasswordProtected => {
                let encryption = Encryption::random()?;
                let sealed = encryption.seal(name, pem, &self.password(name, true)?)?;
                let config = IdentityConfig {
                    encryption: Some(encryption),
                    ..IdentityConfig::default()
                };
                (dir.join(ENCRYPTED_PEM), sealed, Some(config))
            }
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for stale in [
            self.pem_path(name),
            dir.join(ENCRYPTED_PEM),
            dir.join(CONFIG),
        ] {
            if stale.exists() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("cannot replace {}", stale.display()))?;
            }
        }
        write_private(&file, &bytes)?;
        if let Some(config) = config {
            let path = dir.join(CONFIG);
            std::fs::write(&path, serde_json::to_string_pretty(&config)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(file)
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
        if !self.exists(name) {
            bail!("there is no identity named {name}");
        }
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))
    }

    /// The identity `name`; `default` is created on first use.
    pub fn load(&self, name: &str) -> Result<Box<dyn Identity>> {
        if name == ANONYMOUS {
            return Ok(Box::new(AnonymousIdentity));
        }
        if !self.exists(name) {
            if name != DEFAULT {
                bail!("there is no identity named {name}: create it with `kybra identity new {name}` (see `kybra identity list`)");
            }
            let path = self.create(DEFAULT, KeyType::Secp256k1, StorageMode::Plaintext, false)?;
            eprintln!("Created the default identity ({}).", path.display());
        }
        let (path, pem) = self.pem(name)?;
        identity_from_pem(&pem)
            .with_context(|| format!("{} is not a key kybra can use", path.display()))
    }

    /// Identity `name`'s key file and its PEM text (decrypted with its password when it is
    /// password-protected).
    pub fn pem(&self, name: &str) -> Result<(PathBuf, Vec<u8>)> {
        if name == ANONYMOUS {
            bail!("`anonymous` is built in and has no key");
        }
        if !self.exists(name) {
            bail!("there is no identity named {name} (see `kybra identity list`)");
        }
        let config = self.identity_config(name)?;
        if config.hsm.is_some() || config.keyring_identity_suffix.is_some() {
            bail!("identity {name} keeps its key in a hardware module or the system keyring, which only dfx can use: `dfx identity export {name} > key.pem`, then `kybra identity import NAME key.pem`");
        }
        Ok(match &config.encryption {
            None => {
                let path = self.pem_path(name);
                (
                    path.clone(),
                    std::fs::read(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                )
            }
            Some(encryption) => {
                let path = self.dir(name).join(ENCRYPTED_PEM);
                let sealed = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                (
                    path,
                    encryption.open(name, &sealed, &self.password(name, false)?)?,
                )
            }
        })
    }

    /// Keeps identity `name`'s key under a new password (`mode` password-protected; read
    /// with `new_password`), or as a plain PEM file (`mode` plaintext). The key and the
    /// principal stay; a wrong current password changes nothing.
    pub fn change_password(
        &self,
        name: &str,
        mode: StorageMode,
        new_password: Option<&str>,
    ) -> Result<PathBuf> {
        let (_, pem) = self.pem(name)?;
        let writer = Store {
            root: self.root.clone(),
            password: new_password.map(Into::into),
        };
        writer.write(name, &pem, mode, true)
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !name.starts_with('.');
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
            let pem = key
                .to_sec1_pem(k256::pkcs8::LineEnding::LF)
                .map_err(|e| anyhow!("cannot encode the key: {e}"))?;
            return Ok(pem.as_bytes().to_vec());
        }
    }
}

/// PKCS#8 (RFC 8410) prefix of an Ed25519 private key: the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

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
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests;
