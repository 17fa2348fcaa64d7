//! `kybra start [--background] [--clean] [--host ADDR] [--system-canisters] [--mainnet-like]
//! [--artificial-delay MS]`: the local replica with the IC HTTP interface, in this process
//! (with the system canisters — CMC, cycles ledger, ICP ledger — when asked, as `dfx start
//! --system-canisters`; mainnet-like with `--mainnet-like`: no provisional API for users,
//! canister creation paid with cycles; update calls delayed by MS before they run, as dfx's
//! `--artificial-delay`).
//!
//! Promises: refuses to start twice for one project; the foreground server records its
//! pid and URL in `.kybra/local/replica.json` and removes it on Ctrl-C/SIGTERM;
//! `--background` re-executes `kybra start` detached (own session, output in
//! `.kybra/local/replica.log`) and returns only once `/api/v2/status` answers. The
//! replica's state (canisters, their memory and ids) is kept in `.kybra/local/state/` and
//! survives restarts and crashes; `--clean` wipes it (and the canister ids) first.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

use crate::local::{self, ReplicaInfo};
use crate::network;

/// How long `--background` waits for the replica to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What `kybra start` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub background: bool,
    pub clean: bool,
    pub host: String,
    pub system_canisters: bool,
    /// Mainnet-like: `kybra_replica::Replica::set_mainnet_like`.
    pub mainnet_like: bool,
    /// Milliseconds each update call waits before it runs (and so before its reply).
    pub artificial_delay_ms: u64,
}

pub fn run(options: &Options) -> Result<()> {
    let host = options.host.as_str();
    let root = super::root_or_cwd()?;
    if let Some(info) = local::running_replica(&root) {
        bail!(
            "a local replica is already running for this project (pid {}, {}): stop it with `kybra stop` first",
            info.pid,
            info.url
        );
    }
    let addr: SocketAddr = host
        .parse()
        .with_context(|| format!("`--host {host}` is not an address like 127.0.0.1:4943"))?;
    if options.clean {
        clean_state(&root)?;
    }
    if options.background {
        start_background(&root, options)
    } else {
        serve_foreground(&root, addr, options)
    }
}

/// Wipes the replica's state and forgets the local network's canister ids.
fn clean_state(root: &Path) -> Result<()> {
    let state = local::state_dir(root);
    match std::fs::remove_dir_all(&state) {
        Ok(()) => println!("Removed {}.", super::shown(&state, root)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", state.display())),
    }
    let path = local::canister_ids_file(root);
    match std::fs::remove_file(&path) {
        Ok(()) => println!("Removed {}.", super::shown(&path, root)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
    Ok(())
}

fn serve_foreground(root: &Path, addr: SocketAddr, options: &Options) -> Result<()> {
    let runtime = super::runtime()?;
    let state_dir = local::state_dir(root);
    let opened = Instant::now();
    let replica = Replica::open(ReplicaConfig {
        state_dir: Some(state_dir.clone()),
        time: TimeMode::WallClock,
    })
    .with_context(|| format!("cannot open the replica's state in {}", state_dir.display()))?;
    replica.set_system_canisters(options.system_canisters || options.mainnet_like);
    replica.set_mainnet_like(options.mainnet_like);
    let canisters = replica.canister_ids().len();
    let opened = opened.elapsed();
    runtime.block_on(async {
        let replica = Arc::new(replica);
        let mut config = kybra_http::ServeConfig::new(addr);
        config.artificial_delay = Duration::from_millis(options.artificial_delay_ms);
        let handle = kybra_http::serve_with(replica, config).await?;
        let url = handle.url();
        let pid = std::process::id();
        local::record_replica(
            root,
            &ReplicaInfo {
                pid,
                url: url.clone(),
            },
        )
        .with_context(|| format!("cannot write {}", local::local_dir(root).display()))?;
        println!("Replica API running on {url} (pid {pid}). Press Ctrl-C to stop.");
        if options.artificial_delay_ms > 0 {
            println!(
                "Update calls wait {} ms before they run (--artificial-delay).",
                options.artificial_delay_ms
            );
        }
        println!(
            "State is kept in {} ({canisters} canister(s) restored in {:.2}s); `kybra start --clean` wipes it.",
            super::shown(&state_dir, root),
            opened.as_secs_f64()
        );
        wait_for_shutdown_signal().await;
        println!("Stopping the replica...");
        local::forget_replica(root, Some(pid));
        handle
            .shutdown()
            .await
            .context("the HTTP server did not shut down cleanly")?;
        Ok(())
    })
}

async fn wait_for_shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn start_background(root: &Path, options: &Options) -> Result<()> {
    let log_path = local::log_file(root);
    std::fs::create_dir_all(local::local_dir(root))
        .with_context(|| format!("cannot create {}", local::local_dir(root).display()))?;
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let exe = std::env::current_exe().context("cannot find the kybra executable to re-run")?;
    let mut command = Command::new(exe);
    command
        .args(["start", "--host", &options.host])
        .args(options.system_canisters.then_some("--system-canisters"))
        .args(options.mainnet_like.then_some("--mainnet-like"))
        .args([
            "--artificial-delay",
            &options.artificial_delay_ms.to_string(),
        ])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the log file")?)
        .stderr(log);
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid is async-signal-safe; it detaches the child from our terminal
        // session so it survives this process and Ctrl-C in this shell.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    let mut child = command
        .spawn()
        .context("cannot start the replica process")?;
    let started = Instant::now();
    let runtime = super::runtime()?;
    loop {
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            bail!(
                "the replica exited ({status}) while starting; its log ({}):\n{}",
                log_path.display(),
                log.trim_end()
            );
        }
        if let Some(info) = local::running_replica(root) {
            if info.pid == child.id() && runtime.block_on(network::status_ok(&info.url)) {
                println!(
                    "Replica API running in the background on {} (pid {}); log: {}. Stop it with `kybra stop`.",
                    info.url,
                    info.pid,
                    super::shown(&log_path, root)
                );
                return Ok(());
            }
        }
        if started.elapsed() > START_TIMEOUT {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            bail!(
                "the replica did not answer within {}s; see its log {}",
                START_TIMEOUT.as_secs(),
                log_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
