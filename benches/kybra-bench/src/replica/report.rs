//! The replica section's markdown: the Python-against-Rust table, the server's ceilings
//! and the notes that say how to read them. Promises: every figure printed comes from
//! the [`Report`] it is given; nothing is computed from assumed values.

use std::path::Path;
use std::time::Duration;

use crate::load::Figures;
use crate::table::{bytes, int, ratio, Table};

/// One row of the main table: a workload at one client count, Python then Rust.
pub struct Row {
    pub request: &'static str,
    /// Concurrent clients; 0: the replica called directly, without HTTP.
    pub clients: usize,
    pub python: Figures,
    pub rust: Figures,
}

/// A row of the ceiling table: request, clients, figures.
pub type Ceiling = (&'static str, usize, Figures);

/// What the persistent replica wrote: journal bytes per `set_message` (Python, Rust) and
/// the size of a checkpoint of both canisters.
pub struct Journal {
    pub per_update: [u64; 2],
    pub checkpoint: u64,
    /// How long writing that checkpoint took (every message waits meanwhile).
    pub checkpoint_time: Duration,
    /// Journal length that triggers a checkpoint: max(64 MiB, 2 × checkpoint).
    pub fold_at: u64,
}

/// Everything the section prints.
pub struct Report<'a> {
    pub rows: Vec<Row>,
    pub ceiling: Vec<Ceiling>,
    pub duration: Duration,
    pub warm_up: u64,
    pub state: &'a Path,
    /// `memory_size` of the Python and the Rust canister.
    pub sizes: [u64; 2],
    pub journal: Journal,
}

/// Latency with two decimals in milliseconds.
fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn rate(f: &Figures) -> String {
    int(f.per_second.round() as u64)
}

fn kib(n: u64) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

impl Report<'_> {
    pub fn render(&self) -> String {
        let mut out = String::from(
            "## 5. Replica: the hello world over HTTP, Python against Rust on the same replica\n\n",
        );
        out.push_str(&self.main_table());
        out.push_str(
            "\nThe server's ceilings (the same server and clients, no canister code): plain HTTP, \
             and the certificate every update reply carries (BLS signature by the server, BLS \
             verification by the agent):\n\n",
        );
        out.push_str(&self.ceiling_table());
        out.push('\n');
        out.push_str(&self.notes());
        out
    }

    fn main_table(&self) -> String {
        let mut t = Table::new(&[
            "request",
            "clients",
            "Python req/s",
            "Python p50",
            "Python p99",
            "Rust req/s",
            "Rust p50",
            "Rust p99",
            "Python / Rust (req/s)",
        ]);
        for r in &self.rows {
            t.row(vec![
                r.request.to_string(),
                match r.clients {
                    0 => "1, direct (no HTTP)".to_string(),
                    c => c.to_string(),
                },
                rate(&r.python),
                ms(r.python.p50),
                ms(r.python.p99),
                rate(&r.rust),
                ms(r.rust.p50),
                ms(r.rust.p99),
                ratio(r.python.per_second, r.rust.per_second),
            ]);
        }
        t.render()
    }

    fn ceiling_table(&self) -> String {
        let mut t = Table::new(&["request", "clients", "req/s", "p50", "p99", "requests"]);
        for (label, clients, f) in &self.ceiling {
            t.row(vec![
                label.to_string(),
                clients.to_string(),
                rate(f),
                ms(f.p50),
                ms(f.p99),
                int(f.requests),
            ]);
        }
        t.render()
    }

    fn notes(&self) -> String {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let j = &self.journal;
        let python_updates_per_fold = j.fold_at / j.per_update[0].max(1);
        format!(
            "Each figure: closed-loop `ic-agent` clients (one agent and connection pool each, \
             Ed25519 signatures, query signatures verified, updates through the synchronous call \
             endpoint) sending requests back to back for {secs:.2} s after {warm} unmeasured \
             requests each; req/s counts replies until the last one arrived; p50/p99 are \
             per-request latencies. Every reply is decoded and checked. *direct (no HTTP)*: the \
             same message through `Replica::query`/`Replica::update` in process, one after \
             another: the replica's own cost, without HTTP, CBOR, signatures or certificates. \
             Server (`kybra-http`), replica and clients share one process and this machine's \
             {cores} core(s), so client-side signing and verification are part of the cost, and \
             other load on the machine shows up here: wall-clock figures, compare the columns of \
             one run.\n\n\
             Memory size (`canister_status`): Python {py_mem}, Rust {rs_mem}. A message \
             restores (a query, a trap) or copies and journals (an update) only the heap pages \
             it wrote, which the replica learns by write-protecting the heap \
             (`kybra_replica`'s `write_tracking`), so the *direct* rows follow the instructions \
             executed (section 2) and the pages written, not the heap size (at issue 17's start, \
             when every message copied the whole heap: Python 621/s, Rust 5,374/s direct \
             queries).\n\n\
             *persistent*: a replica with a state folder (under {state}); an update is answered \
             only after its journal entry is fdatasynced (group commit). One `set_message` \
             appends {py_j} (Python) / {rs_j} (Rust) to the journal (mean of direct updates \
             after a checkpoint); a checkpoint of both canisters is {ckpt} and took {ckpt_ms} to \
             write here, during which every message waits; the journal is folded into a new \
             checkpoint once it exceeds {fold}, about every {every} Python updates.\n",
            secs = self.duration.as_secs_f64(),
            warm = self.warm_up,
            py_mem = bytes(self.sizes[0] as usize),
            rs_mem = bytes(self.sizes[1] as usize),
            state = self.state.display(),
            py_j = kib(j.per_update[0]),
            rs_j = kib(j.per_update[1]),
            ckpt = bytes(j.checkpoint as usize),
            ckpt_ms = ms(j.checkpoint_time),
            fold = bytes(j.fold_at as usize),
            every = int(python_updates_per_fold),
        )
    }
}
