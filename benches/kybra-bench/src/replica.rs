//! Section 5, "Replica": throughput and latency of the hello world over the IC HTTP
//! interface. The replica (`kybra-replica`) is served in process by `kybra-http` on a free
//! port; `ic-agent` clients signing with an Ed25519 identity send `get_message` queries
//! and `set_message` updates (synchronous calls) back to back, 1, 4 and 16 at a time, to
//! the Python canister and to the Rust `ic-cdk` one on the same replica (the baseline),
//! with the replica in memory and with a state folder (every update `fdatasync`ed); the
//! same messages called directly on the replica (no HTTP); and the server's ceilings
//! (`GET /api/v2/status`, a certified `read_state`). Promises: every reply is checked (see
//! `load`), the Python and Rust figures of a row are measured one right after the other,
//! and nothing is asserted about the figures.

mod report;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use candid::Principal;
use ic_agent::Agent;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

use crate::canisters::Bench;
use crate::load::{self, Figures, Workload};
use crate::table::int;
use crate::targets::Targets;
use report::{Ceiling, Journal, Report, Row};

/// Concurrent clients of each measurement.
const CLIENTS: [usize; 3] = [1, 4, 16];
/// Unmeasured requests per client before each workload.
const WARM_UP_ROUNDS: u64 = 3;
const MESSAGE: &str = "Hello World!";
/// Prefix of the texts the update workloads set.
const UPDATE_PREFIX: &str = "bench ";

/// The two hello worlds installed in one replica.
struct HelloPair {
    bench: Bench,
    python: Principal,
    rust: Principal,
}

impl HelloPair {
    fn install(bench: Bench, python_wasm: &[u8], rust_wasm: &[u8]) -> Result<Self> {
        let (python, _) = bench.create_and_install("the Python hello world", python_wasm)?;
        let (rust, _) = bench.create_and_install("the Rust hello world", rust_wasm)?;
        Ok(HelloPair {
            bench,
            python,
            rust,
        })
    }
}

const STATUS_LABEL: &str = "`GET /api/v2/status` (unsigned, no certificate)";
const READ_STATE_LABEL: &str = "`read_state` of a module hash (signed, BLS certificate)";
/// Direct updates whose journal growth is averaged.
const JOURNAL_SAMPLE: u64 = 50;

/// Runs the section on the two modules, each measurement lasting `duration`; returns its
/// markdown.
pub fn run(
    python_wasm: &[u8],
    rust_wasm: &[u8],
    duration: Duration,
    targets: &mut Targets,
) -> Result<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?;
    let state = tempfile::tempdir().context("cannot create a temporary state folder")?;

    let memory = HelloPair::install(
        Bench::on(Replica::new(ReplicaConfig::default())),
        python_wasm,
        rust_wasm,
    )?;
    let sizes = [
        memory.bench.memory_size(memory.python)?,
        memory.bench.memory_size(memory.rust)?,
    ];
    let (mut rows, ceiling) = runtime.block_on(measure_server(&memory, true, duration))?;
    record_targets(&rows, targets);
    drop(memory);

    let state_dir = state.path().join("state");
    let persistent = HelloPair::install(
        Bench::on(open_persistent(&state_dir)?),
        python_wasm,
        rust_wasm,
    )?;
    let journal = journal_growth(&persistent, &state_dir)?;
    let (persistent_rows, _) = runtime.block_on(measure_server(&persistent, false, duration))?;
    rows.extend(persistent_rows);
    drop(persistent);
    drop(runtime);
    let report = Report {
        rows,
        ceiling,
        duration,
        warm_up: WARM_UP_ROUNDS,
        state: state.path().parent().unwrap_or(state.path()),
        sizes,
        journal,
    };
    Ok(report.render())
}

fn open_persistent(dir: &Path) -> Result<Replica> {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::WallClock,
    })
    .with_context(|| format!("cannot open a persistent replica in {}", dir.display()))
}

/// Serves `pair`'s replica and measures it: queries (when `in_memory`) and updates on
/// both canisters, and the status ceiling (when `in_memory`).
async fn measure_server(
    pair: &HelloPair,
    in_memory: bool,
    duration: Duration,
) -> Result<(Vec<Row>, Vec<Ceiling>)> {
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = kybra_http::serve(Arc::clone(&pair.bench.replica), addr)
        .await
        .context("cannot serve the replica over HTTP")?;
    let agents = load::agents(&server.url(), CLIENTS[CLIENTS.len() - 1]).await?;
    let mut rows = Vec::new();
    let mut ceiling = Vec::new();
    if in_memory {
        // The queries check for this text, so it is set before any query is sent.
        for id in [pair.python, pair.rust] {
            set_directly(&pair.bench, id, MESSAGE)?;
        }
        let query = |canister| Workload::Query {
            canister,
            method: "get_message",
            expected: MESSAGE.to_string(),
        };
        rows.push(direct_row(pair, "`get_message` query", false, duration)?);
        rows.extend(compare(&agents, pair, "`get_message` query", query, duration).await?);
    }
    let update = |canister| Workload::Update {
        canister,
        method: "set_message",
        prefix: UPDATE_PREFIX,
    };
    let label = if in_memory {
        "`set_message` update, in memory"
    } else {
        "`set_message` update, persistent"
    };
    rows.push(direct_row(pair, label, true, duration)?);
    rows.extend(compare(&agents, pair, label, update, duration).await?);
    for id in [pair.python, pair.rust] {
        check_updates_landed(&agents[0], id).await?;
    }
    if in_memory {
        let expected = pair
            .bench
            .replica
            .module_hash(pair.rust)
            .context("the Rust canister has no module hash")?
            .to_vec();
        let workloads = [
            (STATUS_LABEL, Workload::Status),
            (
                READ_STATE_LABEL,
                Workload::ModuleHash {
                    canister: pair.rust,
                    expected,
                },
            ),
        ];
        for (label, workload) in workloads {
            load::warm_up(&agents, &workload, WARM_UP_ROUNDS).await?;
            for clients in CLIENTS {
                let f = load::measure(&agents, clients, &workload, duration)
                    .await
                    .with_context(|| format!("{label}, {clients} clients"))?;
                ceiling.push((label, clients, f));
            }
        }
    }
    server
        .shutdown()
        .await
        .context("the HTTP server did not stop cleanly")?;
    Ok((rows, ceiling))
}

/// The performance issue's targets for queries: 16 clients over HTTP, and direct.
fn record_targets(rows: &[Row], targets: &mut Targets) {
    let query = |clients| {
        rows.iter()
            .find(|r| r.request == "`get_message` query" && r.clients == clients)
    };
    if let Some(r) = query(16) {
        let (py, rs) = (r.python.per_second, r.rust.per_second);
        let rust = format!("Rust: {}", int(rs as u64));
        targets.record("http16", int(py as u64), rust.clone(), py >= 2_000.0);
        targets.record(
            "http_vs_rust",
            format!("{:.2}×", py / rs),
            rust,
            py >= 0.8 * rs,
        );
    }
    if let Some(r) = query(0) {
        let rust = format!("Rust: {}", int(r.rust.per_second as u64));
        let py = r.python.per_second;
        targets.record(
            "direct",
            format!("{}/s", int(py as u64)),
            rust,
            py >= 5_000.0,
        );
    }
}

/// Measures `workload` on the Python and then the Rust canister at each client count.
async fn compare(
    agents: &[Arc<Agent>],
    pair: &HelloPair,
    request: &'static str,
    workload: impl Fn(Principal) -> Workload,
    duration: Duration,
) -> Result<Vec<Row>> {
    let (python, rust) = (workload(pair.python), workload(pair.rust));
    load::warm_up(agents, &python, WARM_UP_ROUNDS).await?;
    load::warm_up(agents, &rust, WARM_UP_ROUNDS).await?;
    let mut rows = Vec::new();
    for clients in CLIENTS {
        rows.push(Row {
            request,
            clients,
            python: load::measure(agents, clients, &python, duration)
                .await
                .with_context(|| format!("{request}, Python canister, {clients} clients"))?,
            rust: load::measure(agents, clients, &rust, duration)
                .await
                .with_context(|| format!("{request}, Rust canister, {clients} clients"))?,
        });
    }
    Ok(rows)
}

/// The workload without HTTP, agent or signatures: `Replica::query`/`update` called
/// directly, one after another, on the Python then the Rust canister.
fn direct_row(
    pair: &HelloPair,
    request: &'static str,
    update: bool,
    duration: Duration,
) -> Result<Row> {
    let measure = |id| {
        tokio::task::block_in_place(|| direct(&pair.bench, id, update, duration))
            .with_context(|| format!("{request}, called directly on {id}"))
    };
    Ok(Row {
        request,
        clients: 0,
        python: measure(pair.python)?,
        rust: measure(pair.rust)?,
    })
}

/// `set_message(text)` through the replica directly; the reply must be `()`.
fn set_directly(bench: &Bench, id: Principal, text: &str) -> Result<()> {
    let (reply, _) = bench.update(id, "set_message", &candid::encode_one(text)?)?;
    candid::decode_args::<()>(&reply)
        .map_err(|e| anyhow::anyhow!("set_message of {id} replied {reply:?}, not (): {e}"))?;
    Ok(())
}

fn direct(bench: &Bench, id: Principal, update: bool, duration: Duration) -> Result<Figures> {
    let get = candid::encode_args(())?;
    let once = |n: u64| -> Result<()> {
        if update {
            set_directly(bench, id, &format!("{UPDATE_PREFIX}direct-{n}"))?;
        } else {
            let (reply, _) = bench.query(id, "get_message", &get)?;
            let got: String = candid::decode_one(&reply)?;
            if got != MESSAGE {
                bail!("get_message of {id} returned {got:?}, expected {MESSAGE:?}");
            }
        }
        Ok(())
    };
    for n in 0..WARM_UP_ROUNDS {
        once(n)?;
    }
    let mut latencies = Vec::new();
    let started = Instant::now();
    while started.elapsed() < duration {
        let sent = Instant::now();
        once(WARM_UP_ROUNDS + latencies.len() as u64)?;
        latencies.push(sent.elapsed());
    }
    Ok(Figures::of(latencies, started.elapsed()))
}

/// After the update workload, the canister's message must be one the workload set.
async fn check_updates_landed(agent: &Agent, id: Principal) -> Result<()> {
    let reply = agent
        .query(&id, "get_message")
        .with_arg(candid::encode_args(())?)
        .call()
        .await
        .with_context(|| format!("get_message of {id} after the updates failed"))?;
    let got: String = candid::decode_one(&reply)?;
    if !got.starts_with(UPDATE_PREFIX) {
        bail!("after the set_message workload, get_message of {id} returned {got:?}");
    }
    Ok(())
}

/// Journal bytes per `set_message` of each canister (after a checkpoint, which empties the
/// journal), the checkpoint's size, and the journal length that triggers the next one
/// (the replica's rule, `docs/architecture.md`: max(64 MiB or
/// `KYBRA_REPLICA_JOURNAL_BYTES`, 2 × checkpoint)).
fn journal_growth(pair: &HelloPair, dir: &Path) -> Result<Journal> {
    let size = |name: &str| -> Result<u64> {
        let path = dir.join(name);
        Ok(std::fs::metadata(&path)
            .with_context(|| format!("the persistent replica has no {}", path.display()))?
            .len())
    };
    let mut per_update = [0; 2];
    let mut checkpoint = 0;
    let mut checkpoint_time = Duration::ZERO;
    for (i, id) in [pair.python, pair.rust].into_iter().enumerate() {
        let started = Instant::now();
        pair.bench
            .replica
            .checkpoint()
            .context("the persistent replica could not write a checkpoint")?;
        // The second one has a journal to fold, as when the replica folds it by itself.
        checkpoint_time = started.elapsed();
        checkpoint = size("checkpoint")?;
        let before = size("journal")?;
        for n in 0..JOURNAL_SAMPLE {
            set_directly(&pair.bench, id, &format!("{UPDATE_PREFIX}journal-{n}"))?;
        }
        per_update[i] = size("journal")?.saturating_sub(before) / JOURNAL_SAMPLE;
    }
    let min_journal = std::env::var("KYBRA_REPLICA_JOURNAL_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64 << 20);
    Ok(Journal {
        per_update,
        checkpoint,
        checkpoint_time,
        fold_at: min_journal.max(2 * checkpoint),
    })
}
