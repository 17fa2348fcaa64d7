//! Why a state folder could not be opened or written.

use std::path::PathBuf;

use candid::Principal;

/// Why a state folder could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is damaged ({detail}); move the state folder away, or wipe it (`kybra start --clean`), to start with an empty replica", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("the state folder {} is in use by another replica; stop that one first (`kybra stop`)", path.display())]
    Locked { path: PathBuf },
    #[error("cannot restore canister {canister} from {}: {detail}", path.display())]
    Restore {
        canister: Principal,
        path: PathBuf,
        detail: String,
    },
}
