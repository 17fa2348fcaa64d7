//! `kybra identity new|import|use|list|whoami|get-principal|remove`, as dfx's.

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
