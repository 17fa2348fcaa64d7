//! Password-protected identities, in the format dfx writes with `--storage-mode password-protected`.
//!
//! The identity's folder holds `identity.pem.encrypted` (the PEM file, sealed with AES-256-GCM)
//! and `identity.json` (`{"hsm": null, "encryption": {"pw_salt": "<64 hex digits>",
//! "file_nonce": [12 bytes]}, "keyring_identity_suffix": null}`). The AES key is Argon2id
//! (version 0x13, 64000 KiB, 3 passes, 1 lane, 32 bytes) of the password. dfx hands the
//! `pw_salt` *string* to a PHC password hasher, which reads it as unpadded standard Base64:
//! so the salt bytes are the Base64 decoding of the hex text (48 bytes), not its hex decoding.
//!
//! Promises: a folder written here is one dfx reads and the other way round; a wrong password
//! or an altered file is [`Error::WrongPassword`], never a panic; the password comes from
//! `KYBRA_IDENTITY_PASSWORD`, else from the terminal (no echo), else a clear error.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64ct::{Base64Unpadded, Encoding};
use serde::{Deserialize, Serialize};

/// The environment variable that holds the password of password-protected identities.
pub const PASSWORD_VAR: &str = "KYBRA_IDENTITY_PASSWORD";
/// The sealed PEM file's name inside the identity's folder (dfx's name).
pub const ENCRYPTED_PEM: &str = "identity.pem.encrypted";
/// The per-identity configuration file's name (dfx's name).
pub const CONFIG: &str = "identity.json";

/// dfx refuses to create identities with passwords of 8 characters or fewer.
const MIN_PASSWORD_CHARS: usize = 9;

/// What went wrong sealing or opening an identity.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong password for identity {0} (or its {ENCRYPTED_PEM} was altered)")]
    WrongPassword(String),
    #[error("the encryption settings in identity {name}'s {CONFIG} are damaged: {what}")]
    BadSettings { name: String, what: String },
    #[error("identity {name} is password-protected and there is no terminal to ask for its password: set {PASSWORD_VAR} to it")]
    NoPassword { name: String },
    #[error("cannot read the password of identity {name} from the terminal: {source}")]
    Terminal {
        name: String,
        source: std::io::Error,
    },
    #[error("the passwords typed for identity {0} differ; nothing was created")]
    Mismatch(String),
    #[error("the password for identity {0} must be longer than 8 characters (as dfx requires)")]
    TooShort(String),
    #[error("no randomness for the encryption settings: {0}")]
    Random(String),
    #[error("cannot encrypt identity {0}")]
    Seal(String),
}

/// An identity folder's `identity.json`, as dfx writes it (HSM and keyring identities are
/// dfx's only; kybra reports them as unsupported).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct IdentityConfig {
    #[serde(default)]
    pub hsm: Option<serde_json::Value>,
    #[serde(default)]
    pub encryption: Option<Encryption>,
    #[serde(default)]
    pub keyring_identity_suffix: Option<String>,
}

/// What opens a sealed PEM file, except the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// 32 random bytes as 64 lowercase hex digits (used as a Base64 text, see the module doc).
    pub pw_salt: String,
    /// The 12-byte AES-GCM nonce.
    pub file_nonce: Vec<u8>,
}

impl Encryption {
    /// Fresh random settings, one per identity.
    pub fn random() -> Result<Encryption, Error> {
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut salt)
            .and_then(|()| getrandom::fill(&mut nonce))
            .map_err(|e| Error::Random(e.to_string()))?;
        let pw_salt = salt.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Encryption {
            pw_salt,
            file_nonce: nonce.to_vec(),
        })
    }

    /// Seals `pem` with `password`.
    pub fn seal(&self, name: &str, pem: &[u8], password: &str) -> Result<Vec<u8>, Error> {
        let (cipher, nonce) = self.cipher(name, password)?;
        cipher
            .encrypt(Nonce::from_slice(&nonce), pem)
            .map_err(|_| Error::Seal(name.into()))
    }

    /// Opens what [`Encryption::seal`] (or dfx) sealed.
    pub fn open(&self, name: &str, sealed: &[u8], password: &str) -> Result<Vec<u8>, Error> {
        let (cipher, nonce) = self.cipher(name, password)?;
        cipher
            .decrypt(Nonce::from_slice(&nonce), sealed)
            .map_err(|_| Error::WrongPassword(name.into()))
    }

    fn cipher(&self, name: &str, password: &str) -> Result<(Aes256Gcm, [u8; 12]), Error> {
        let bad = |what: String| Error::BadSettings {
            name: name.into(),
            what,
        };
        let nonce: [u8; 12] = self.file_nonce.as_slice().try_into().map_err(|_| {
            bad(format!(
                "file_nonce has {} bytes, not 12",
                self.file_nonce.len()
            ))
        })?;
        let mut salt = [0u8; 64];
        let salt = Base64Unpadded::decode(&self.pw_salt, &mut salt)
            .map_err(|e| bad(format!("pw_salt is not a salt dfx writes: {e}")))?;
        let params =
            argon2::Params::new(64000, 3, 1, Some(32)).expect("dfx's Argon2 parameters are valid");
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = [0u8; 32];
        argon
            .hash_password_into(password.as_bytes(), salt, &mut key)
            .map_err(|e| bad(format!("pw_salt: {e}")))?;
        Ok((Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)), nonce))
    }
}

/// The password of identity `name`: `$KYBRA_IDENTITY_PASSWORD`, else typed on the terminal
/// (twice when `creating`).
pub fn password(name: &str, creating: bool) -> Result<String, Error> {
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        return Ok(password);
    }
    let prompt = if creating {
        format!("Enter a password for the new identity {name}: ")
    } else {
        format!("Password for identity {name}: ")
    };
    let typed = ask(name, &prompt)?;
    if creating {
        check_new(name, &typed)?;
        if ask(name, "Repeat it: ")? != typed {
            return Err(Error::Mismatch(name.into()));
        }
    }
    Ok(typed)
}

/// Refuses passwords dfx refuses for new identities (8 characters or fewer).
pub fn check_new(name: &str, password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::TooShort(name.into()));
    }
    Ok(())
}

/// Reads a line from the controlling terminal without echo; no terminal is [`Error::NoPassword`].
fn ask(name: &str, prompt: &str) -> Result<String, Error> {
    if std::fs::File::open("/dev/tty").is_err() {
        return Err(Error::NoPassword { name: name.into() });
    }
    rpassword::prompt_password(prompt).map_err(|source| Error::Terminal {
        name: name.into(),
        source,
    })
}
