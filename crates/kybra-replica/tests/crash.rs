//! The crash test: a child process (this test binary again, running `crash_child`) puts
//! an update load on a persistent replica from several threads — each update appends an
//! entry to its thread's log in stable memory, thread 0 also keeps its count in the heap
//! (`set_message`) — and records every acknowledged update in a side file. The parent
//! SIGKILLs it mid-load, reopens the state folder and checks that every acknowledged
//! update is there and that the logs are whole (no gap, nothing half-written).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

const CHILD_ENV: &str = "KYBRA_REPLICA_CRASH_CHILD_DIR";
const THREADS: u64 = 4;
/// Stable memory bytes per thread's log.
const REGION: u64 = 1 << 20;
/// Kill the child once this many updates were acknowledged.
const MIN_ACKED: usize = 1_200;

fn open(dir: &Path) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::WallClock,
    })
    .unwrap()
}

fn acks_file(dir: &Path) -> PathBuf {
    dir.parent().unwrap().join("acks.txt")
}

/// The child: runs updates until killed (does nothing in a normal test run).
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let r = std::sync::Arc::new(open(&dir));
    let id = r.canister_ids()[0];
    let acks = std::sync::Arc::new(std::sync::Mutex::new(
        std::fs::File::create(acks_file(&dir)).unwrap(),
    ));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (r, acks) = (r.clone(), acks.clone());
            std::thread::spawn(move || {
                for i in 0u64.. {
                    stable_write(&r, id, t * REGION + 8 * i, &(i + 1).to_le_bytes());
                    ack(&acks, &format!("{t} {i}\n"));
                    if t == 0 {
                        set_message(&r, id, &i.to_string());
                        ack(&acks, &format!("m {i}\n"));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Records an acknowledged update with one write (a kill cannot split a line but the last).
fn ack(acks: &std::sync::Mutex<std::fs::File>, line: &str) {
    acks.lock().unwrap().write_all(line.as_bytes()).unwrap();
}

/// The acknowledged updates: the highest log entry per thread and the highest message.
fn read_acks(dir: &Path) -> (Vec<Option<u64>>, Option<u64>, usize) {
    let text = std::fs::read_to_string(acks_file(dir)).unwrap_or_default();
    let mut logs = vec![None; THREADS as usize];
    let (mut message, mut n) = (None, 0);
    // Only complete lines: the child may die while writing one.
    for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
        let (who, i) = line.trim().split_once(' ').unwrap();
        let i: u64 = i.parse().unwrap();
        match who {
            "m" => message = message.max(Some(i)),
            t => {
                let t: usize = t.parse().unwrap();
                logs[t] = logs[t].max(Some(i));
            }
        }
        n += 1;
    }
    (logs, message, n)
}

#[test]
fn kill_9_mid_load_keeps_every_acknowledged_update() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("state");
    let id = {
        let r = open(&dir);
        let id = create(&r, user());
        install(&r, user(), id, hello_wasm()).unwrap();
        id
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &dir)
        // Checkpoints during the load too (the journal restarts every few hundred updates).
        .env("KYBRA_REPLICA_JOURNAL_BYTES", "1000000")
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited by itself: {status}");
        }
        if read_acks(&dir).2 >= MIN_ACKED {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the child is too slow"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let load = started.elapsed();
    let generation = std::fs::read(dir.join("checkpoint")).unwrap()[12..20].to_vec();
    let generation = u64::from_le_bytes(generation.try_into().unwrap());
    assert!(generation > 1, "no checkpoint was written during the load");
    let (logs, message, acked) = read_acks(&dir);

    let t = Instant::now();
    let r = open(&dir);
    let reopen = t.elapsed();
    assert_eq!(r.canister_ids(), vec![id]);
    for (t, acked) in logs.iter().enumerate() {
        let bytes = stable_read(&r, id, t as u64 * REGION, REGION);
        let entries: Vec<u64> = bytes
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let kept = entries.iter().take_while(|v| **v != 0).count();
        for (i, v) in entries[..kept].iter().enumerate() {
            assert_eq!(*v, i as u64 + 1, "thread {t}'s log entry {i}");
        }
        assert!(
            entries[kept..].iter().all(|v| *v == 0),
            "thread {t}'s log has a gap"
        );
        let acked = acked.map_or(0, |i| i as usize + 1);
        // At most the one update in flight at the kill is there without its ack.
        assert!(
            kept == acked || kept == acked + 1,
            "thread {t}: {acked} entries acknowledged, {kept} recovered"
        );
    }
    let m: u64 = get_message(&r, id).parse().unwrap();
    let acked_m = message.unwrap();
    assert!(
        m == acked_m || m == acked_m + 1,
        "message {m}, acknowledged {acked_m}"
    );
    eprintln!(
        "crash test: {acked} updates acknowledged in {load:?} ({:.0}/s with {THREADS} threads), all recovered (checkpoint generation {generation}); reopening took {reopen:?}",
        acked as f64 / load.as_secs_f64()
    );
}
