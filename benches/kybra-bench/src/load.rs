//! A closed-loop load generator over `ic-agent`: C clients (one [`Agent`] each, so one
//! connection pool each) send one request after another for a fixed time; the result is
//! the completed requests per second and the latency percentiles. Promises: every reply
//! is checked by the workload ([`Workload::check`]), so a failed or wrong request fails
//! the measurement instead of counting; nothing is asserted about the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;
use ic_agent::identity::BasicIdentity;
use ic_agent::Agent;

/// The fixed Ed25519 seed of the benchmark's signing identity (every request is signed).
const IDENTITY_SEED: [u8; 32] = *b"kybra-bench: replica load seed!!";

/// One kind of request the clients repeat.
#[derive(Clone)]
pub enum Workload {
    /// A query; its reply must decode to `expected` (a Candid `text`).
    Query {
        canister: Principal,
        method: &'static str,
        expected: String,
    },
    /// An update (`call_and_wait`: the synchronous call endpoint) of `method(text)`
    /// with a distinct text per request (`{prefix}{client}-{n}`); its reply must be `()`.
    Update {
        canister: Principal,
        method: &'static str,
        prefix: &'static str,
    },
    /// `GET /api/v2/status` (unsigned, no canister): the server's ceiling.
    Status,
    /// A signed `read_state` of the canister's module hash: a BLS-certified reply (signed
    /// by the server, verified by the agent) without running canister code. The reply
    /// must be `expected`.
    ModuleHash {
        canister: Principal,
        expected: Vec<u8>,
    },
}

impl Workload {
    /// Sends one request of client `client` (its `n`-th) and checks the reply.
    async fn check(&self, agent: &Agent, client: usize, n: u64) -> Result<()> {
        match self {
            Workload::Query {
                canister,
                method,
                expected,
            } => {
                let reply = agent
                    .query(canister, *method)
                    .with_arg(candid::encode_args(())?)
                    .call()
                    .await
                    .with_context(|| format!("query {method} of {canister} failed"))?;
                let got: String = candid::decode_one(&reply)?;
                if &got != expected {
                    bail!("query {method} of {canister} returned {got:?}, expected {expected:?}");
                }
            }
            Workload::Update {
                canister,
                method,
                prefix,
            } => {
                let arg = candid::encode_one(format!("{prefix}{client}-{n}"))?;
                let reply = agent
                    .update(canister, *method)
                    .with_arg(arg)
                    .call_and_wait()
                    .await
                    .with_context(|| format!("update {method} of {canister} failed"))?;
                candid::decode_args::<()>(&reply).map_err(|e| {
                    anyhow!("update {method} of {canister} replied {reply:?}, not (): {e}")
                })?;
            }
            Workload::Status => {
                agent.status().await.context("GET /api/v2/status failed")?;
            }
            Workload::ModuleHash { canister, expected } => {
                let hash = agent
                    .read_state_canister_module_hash(*canister)
                    .await
                    .with_context(|| format!("read_state of {canister}'s module hash failed"))?;
                if &hash != expected {
                    bail!("read_state gave {canister}'s module hash as {hash:02x?}, the replica has {expected:02x?}");
                }
            }
        }
        Ok(())
    }
}

/// What one measurement gave.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// `clients` agents for the server at `url`, each signing with the benchmark's Ed25519
/// identity, with the server's root key fetched (and so trusted).
pub async fn agents(url: &str, clients: usize) -> Result<Vec<Arc<Agent>>> {
    let mut out = Vec::with_capacity(clients);
    for _ in 0..clients {
        let agent = Agent::builder()
            .with_url(url)
            .with_identity(BasicIdentity::from_raw_key(&IDENTITY_SEED))
            .build()
            .with_context(|| format!("cannot build an agent for {url}"))?;
        agent
            .fetch_root_key()
            .await
            .with_context(|| format!("fetch_root_key from {url} failed: is the server up?"))?;
        out.push(Arc::new(agent));
    }
    Ok(out)
}

/// Every agent sends `rounds` requests (unmeasured): connections, the agents' key caches
/// and the canister's first-call work are then out of the way.
pub async fn warm_up(agents: &[Arc<Agent>], workload: &Workload, rounds: u64) -> Result<()> {
    let tasks: Vec<_> = agents
        .iter()
        .enumerate()
        .map(|(client, agent)| {
            let (agent, workload) = (Arc::clone(agent), workload.clone());
            tokio::spawn(async move {
                for n in 0..rounds {
                    workload.check(&agent, client, n).await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(())
}

/// The first `clients` agents repeat `workload` back to back until `duration` has passed;
/// requests per second are counted until the last reply arrived.
pub async fn measure(
    agents: &[Arc<Agent>],
    clients: usize,
    workload: &Workload,
    duration: Duration,
) -> Result<Figures> {
    if clients == 0 || clients > agents.len() {
        bail!(
            "{clients} clients asked for, {} agents available",
            agents.len()
        );
    }
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = agents[..clients]
        .iter()
        .enumerate()
        .map(|(client, agent)| {
            let (agent, workload) = (Arc::clone(agent), workload.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                // Distinct from the warm-up's numbers, so update arguments never repeat.
                let mut n = 1 << 32;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    workload.check(&agent, client, n).await?;
                    latencies.push(sent.elapsed());
                    n += 1;
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Figures::of(all, started.elapsed()))
}

impl Figures {
    /// The figures of `latencies` completed in `elapsed`.
    pub fn of(mut latencies: Vec<Duration>, elapsed: Duration) -> Figures {
        latencies.sort();
        Figures {
            requests: latencies.len() as u64,
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
        }
    }
}

/// Nearest-rank percentile of sorted samples (zero when there are none).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let ms = |v: u64| Duration::from_millis(v);
        let samples: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&samples, 0.50), ms(50));
        assert_eq!(percentile(&samples, 0.99), ms(99));
        assert_eq!(percentile(&[ms(7)], 0.99), ms(7));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
