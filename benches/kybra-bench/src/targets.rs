//! The performance issue's targets (issue 17) in one table at the end of the report: each
//! target's goal, the figure this run measured (recorded by the section that measures it),
//! its baseline from the same run (the Rust canister or native CPython) where there is one,
//! the figure at the start (`benches/README.md`), and whether the goal is met.
//!
//! Promises: nothing here is measured, only gathered; a target whose section did not run
//! says so instead of a figure.

use crate::table::Table;

/// One target: what, the goal, the issue-start figure; then what this run recorded.
struct Target {
    id: &'static str,
    what: &'static str,
    goal: &'static str,
    start: &'static str,
    recorded: Option<Recorded>,
}

struct Recorded {
    now: String,
    baseline: String,
    met: bool,
}

/// The targets, in the order the table lists them.
const TARGETS: [(&str, &str, &str, &str); 16] = [
    (
        "build",
        "`kybra build` of the hello world, warm, through the CLI",
        "≤ 0.3 s",
        "2.5–2.9 s",
    ),
    ("module", "hello world module, gzip", "≤ 1.5 MiB", "2.83 MB"),
    (
        "http16",
        "signed `get_message` queries over HTTP, 16 clients, Python",
        "≥ 2,000 req/s",
        "443–538 req/s",
    ),
    (
        "http_vs_rust",
        "the same, Python / Rust on one replica",
        "≥ 0.8×",
        "0.2–0.5×",
    ),
    (
        "direct",
        "`get_message` queries without HTTP, Python",
        "≥ 5,000/s",
        "621/s",
    ),
    (
        "ic_time",
        "`ic.time()` instructions per call",
        "≤ 1,000",
        "5,455",
    ),
    (
        "ic_caller",
        "`ic.caller()` instructions per call",
        "≤ 1,000",
        "14,510",
    ),
    (
        "ic_perf",
        "`ic.performance_counter(0)` instructions per call",
        "≤ 1,000",
        "5,684",
    ),
    (
        "fib",
        "recursive `fib(20)`, whole call",
        "≥ 25% fewer than at the start",
        "31,230,218",
    ),
    (
        "ackermann",
        "`ackermann(3, 6)`, whole call",
        "≥ 25% fewer than at the start",
        "286,833,600",
    ),
    (
        "helper_calls",
        "loop calling two small helpers, per iteration",
        "≥ 25% fewer than at the start",
        "4,083.9",
    ),
    (
        "sum_range",
        "`sum(range(n))`, per iteration",
        "≤ 2.0× native x86",
        "588.5 (2.6–3.3×)",
    ),
    (
        "for_loop",
        "`for` loop adding, per iteration",
        "≤ 2.0× native x86",
        "1,187.9 (2.6–3.3×)",
    ),
    (
        "strings",
        "f-strings, join, upper, split, per iteration",
        "no regression",
        "7,528.3",
    ),
    (
        "lists",
        "list build, sort, filter, slice, per iteration",
        "no regression",
        "3,870.3",
    ),
    (
        "dicts",
        "dict get/set, items, per iteration",
        "no regression",
        "3,638.1",
    ),
];

/// The targets and what this run recorded for them.
pub struct Targets {
    list: Vec<Target>,
}

impl Default for Targets {
    fn default() -> Self {
        let list = TARGETS
            .iter()
            .map(|&(id, what, goal, start)| Target {
                id,
                what,
                goal,
                start,
                recorded: None,
            })
            .collect();
        Targets { list }
    }
}

impl Targets {
    /// Records target `id`'s figure `now` beside `baseline`; `met`: whether the goal is.
    /// An unknown id is a bug in the benchmark.
    pub fn record(&mut self, id: &str, now: String, baseline: String, met: bool) {
        let target = self
            .list
            .iter_mut()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no target {id:?} in targets::TARGETS"));
        target.recorded = Some(Recorded { now, baseline, met });
    }

    /// The section's markdown.
    pub fn render(&self) -> String {
        let mut t = Table::new(&[
            "target",
            "goal",
            "this run",
            "baseline, this run",
            "at issue 17's start",
            "met",
        ]);
        for target in &self.list {
            let (now, baseline, met) = match &target.recorded {
                Some(r) => (
                    r.now.clone(),
                    r.baseline.clone(),
                    if r.met { "yes" } else { "no" }.to_string(),
                ),
                None => (
                    "not measured (section not run)".into(),
                    "—".into(),
                    "—".into(),
                ),
            };
            t.row(vec![
                target.what.into(),
                target.goal.into(),
                now,
                baseline,
                target.start.into(),
                met,
            ]);
        }
        let mut out = String::from("## Targets of the performance issue\n\n");
        out.push_str(&t.render());
        out.push_str(
            "\nEach figure comes from the section above that measures it; the start column \
             quotes the issue (`benches/README.md`). Instructions are wasm instructions; \
             \"native\" is the host's CPython under callgrind (x86 instructions).\n",
        );
        out
    }
}
