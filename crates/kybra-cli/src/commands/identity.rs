//! `kybra identity new|import|use|list|whoami|get-principal|remove|export|change-password`,
//! as dfx's.

use std::path::Path;

use anyhow::Result;

use crate::identity::{KeyType, StorageMode, Store};

/// `kybra identity new NAME`.
pub fn new(name: &str, key: KeyType, mode: StorageMode, force: bool) -> Result<()> {
    let path = Store::open()?.create(name, key, mode, force)?;
    eprintln!("Created identity {name} ({}).", path.display());
    Ok(())
}

/// `kybra identity import NAME FILE.pem`.
pub fn import(name: &str, pem: &Path, mode: StorageMode, force: bool) -> Result<()> {
    let path = Store::open()?.import(name, pem, mode, force)?;
    eprintln!("Imported identity {name} ({}).", path.display());
    Ok(())
}

/// `kybra identity use NAME`.
pub fn use_(name: &str) -> Result<()> {
    Store::open()?.set_default(name)?;
    eprintln!("Using identity {name}.");
    Ok(())
}

/// `kybra identity list`: one name per line, the one in use marked with `*`.
pub fn list() -> Result<()> {
    let store = Store::open()?;
    let current = store.default_name()?;
    let mut names = store.list()?;
    if !names.contains(&current) {
        names.push(current.clone());
        names.sort();
    }
    for name in names {
        let mark = if name == current { " *" } else { "" };
        println!("{name}{mark}");
    }
    Ok(())
}

/// `kybra identity whoami`: the name of the identity in use.
pub fn whoami(selected: Option<&str>) -> Result<()> {
    let name = match selected {
        Some(name) => name.to_string(),
        None => Store::open()?.default_name()?,
    };
    println!("{name}");
    Ok(())
}

/// `kybra identity get-principal`.
pub fn get_principal() -> Result<()> {
    let principal = crate::identity::current()?
        .sender()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{principal}");
    Ok(())
}

/// `kybra identity remove NAME`.
pub fn remove(name: &str) -> Result<()> {
    Store::open()?.remove(name)?;
    eprintln!("Removed identity {name}.");
    Ok(())
}

/// `kybra identity export NAME`: its PEM private key on standard output (decrypted).
pub fn export(name: &str) -> Result<()> {
    let (_, pem) = Store::open()?.pem(name)?;
    print!("{}", String::from_utf8_lossy(&pem));
    Ok(())
}

/// Where `change-password` reads the new password when no terminal is asked.
pub const NEW_PASSWORD_VAR: &str = "KYBRA_IDENTITY_NEW_PASSWORD";

/// `kybra identity change-password NAME [--storage-mode …]`: the same key under a new
/// password (from $KYBRA_IDENTITY_NEW_PASSWORD, else asked for), or as a plain PEM file.
pub fn change_password(name: &str, mode: StorageMode) -> Result<()> {
    let new = std::env::var(NEW_PASSWORD_VAR).ok();
    if new.is_none()
        && matches!(mode, StorageMode::PasswordProtected)
        && std::env::var_os(crate::identity::encrypted::PASSWORD_VAR).is_some()
    {
        anyhow::bail!(
            "set {NEW_PASSWORD_VAR} to the new password ({} holds the current one)",
            crate::identity::encrypted::PASSWORD_VAR
        );
    }
    let path = Store::open()?.change_password(name, mode, new.as_deref())?;
    eprintln!("Identity {name} is now kept in {}.", path.display());
    Ok(())
}
