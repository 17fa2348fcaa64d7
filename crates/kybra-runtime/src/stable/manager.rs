//! The one `MemoryManager` over the canister's stable memory, shared by the stable
//! structures and the stable file system (two managers over one memory would overwrite
//! each other's buckets).
//!
//! Promises: the manager is created on first use, and only over stable memory that is
//! empty or already holds a manager (its `MGR` magic); stable memory holding anything else
//! (data written with `ic.stable_write`) is refused with a message, never reformatted.

use std::cell::OnceCell;

use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::DefaultMemoryImpl;

pub type Mem = VirtualMemory<DefaultMemoryImpl>;

thread_local! {
    static MANAGER: OnceCell<MemoryManager<DefaultMemoryImpl>> = const { OnceCell::new() };
}

/// Runs `f` with the manager, creating it first if needed; `user` names what wants
/// stable memory, for the refusal.
pub fn with_manager<R>(
    user: &str,
    f: impl FnOnce(&MemoryManager<DefaultMemoryImpl>) -> R,
) -> Result<R, String> {
    MANAGER.with(|cell| {
        if cell.get().is_none() {
            let size = ic_cdk::stable::stable_size();
            if size > 0 {
                let mut magic = [0u8; 3];
                ic_cdk::stable::stable_read(0, &mut magic);
                if &magic != b"MGR" {
                    return Err(format!(
                        "kybra: stable memory ({size} pages) holds data that is not a stable structure store (written with ic.stable_write?); \
                         opening {user} would overwrite it — keep raw stable memory and stable structures or files in different canisters"
                    ));
                }
            }
            let _ = cell.set(MemoryManager::init(DefaultMemoryImpl::default()));
        }
        Ok(f(cell.get().expect("set above")))
    })
}

/// The virtual memory `id`.
pub fn memory(user: &str, id: u8) -> Result<Mem, String> {
    with_manager(user, |m| m.get(MemoryId::new(id)))
}
