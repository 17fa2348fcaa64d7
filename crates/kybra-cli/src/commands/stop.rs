//! `kybra stop`: stops the project's local replica (SIGTERM, then waits; SIGKILL after a
//! grace period) and forgets it.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::local;

const GRACE: Duration = Duration::from_secs(15);

pub fn run() -> Result<()> {
    let root = super::root_or_cwd()?;
    let Some(info) = local::running_replica(&root) else {
        local::forget_replica(&root, None);
        println!("No local replica is running for this project.");
        return Ok(());
    };
    let pid = info.pid as libc::pid_t;
    // SAFETY: sending a signal to the pid the replica recorded.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let started = Instant::now();
    while local::process_alive(info.pid) {
        if started.elapsed() > GRACE {
            // SAFETY: as above; the replica ignored SIGTERM for the grace period.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            eprintln!(
                "The replica (pid {}) did not stop within {}s: killed it.",
                info.pid,
                GRACE.as_secs()
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    local::forget_replica(&root, Some(info.pid));
    println!(
        "Stopped the local replica (pid {}, {}).",
        info.pid, info.url
    );
    Ok(())
}
