//! The import closure over the bundled modules: which of them a canister carries.
//!
//! Promises: the result is deterministic (bootstrap first, then each root, depth first in
//! index order, each module once); a module's `imports` are always followed, a
//! `fallbacks` entry only when a module it stands in for is not available (neither bundled
//! nor built in — `from m import attr` names count as available when `m` is), and a
//! built-in module's `builtin_imports` when the built-in is reached. Then, for every
//! `deferred` import of a selected module that is bundled but not selected (and not
//! frozen), a stub module, when the index has `missing_stub`.

use std::collections::BTreeSet;

use super::{BundledModule, Stdlib};

impl<'a> Stdlib<'a> {
    /// Bootstrap modules, then `roots` and everything they import, each once, in a
    /// deterministic order (the order they were reached), then the stubs. Frozen modules
    /// are included (flagged [`BundledModule::frozen`]) and their imports followed.
    pub fn closure<'s>(
        &'s self,
        roots: impl IntoIterator<Item = &'s str>,
    ) -> Vec<BundledModule<'a>> {
        self.closure_with(roots, std::iter::empty())
    }

    /// [`Self::closure`], where `deferred` also names modules other code (installed
    /// packages) may import later: stubbed like the bundle's own deferred imports.
    pub fn closure_with<'s>(
        &'s self,
        roots: impl IntoIterator<Item = &'s str>,
        deferred: impl IntoIterator<Item = &'s str>,
    ) -> Vec<BundledModule<'a>> {
        let mut seen: BTreeSet<&'s str> = BTreeSet::new();
        let mut order: Vec<&'s str> = Vec::new();
        let starts: Vec<&str> = self
            .bootstrap
            .iter()
            .map(String::as_str)
            .chain(roots)
            .collect();
        for start in starts {
            // Importing `a.b.c` imports `a` and `a.b` first.
            let mut stack: Vec<&str> = crate::imports::prefixes(start).collect();
            stack.reverse();
            while let Some(name) = stack.pop() {
                let Some(name) = self.known(name) else {
                    continue;
                };
                if !seen.insert(name) {
                    continue;
                }
                let next = self.edges(name);
                if self.modules.contains_key(name) {
                    order.push(name);
                }
                stack.extend(next.into_iter().rev().filter(|n| !seen.contains(n)));
            }
        }
        let stubs = self.stubs(&seen, deferred.into_iter().collect());
        let mut out: Vec<BundledModule<'a>> = order
            .into_iter()
            .map(|name| {
                let e = &self.modules[name];
                BundledModule {
                    name: name.to_string(),
                    is_package: e.package,
                    frozen: self.frozen.contains(name),
                    stub: false,
                    code: &self.code[e.offset as usize..(e.offset + e.size) as usize],
                }
            })
            .collect();
        if let Some(code) = self.missing_stub {
            out.extend(stubs.into_iter().map(|name| BundledModule {
                name: name.to_string(),
                is_package: false,
                frozen: false,
                stub: true,
                code,
            }));
        }
        out
    }

    /// `name` as the index's own string (so it lives as long as `self`), if it is a
    /// bundled or built-in module.
    fn known<'s>(&'s self, name: &str) -> Option<&'s str> {
        if let Some((key, _)) = self.modules.get_key_value(name) {
            return Some(key.as_str());
        }
        self.builtins.get(name).map(String::as_str)
    }

    /// What reaching `name` makes the closure follow.
    fn edges<'s>(&'s self, name: &str) -> Vec<&'s str> {
        let Some(entry) = self.modules.get(name) else {
            return self
                .builtin_imports
                .get(name)
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
        };
        let fallbacks = entry
            .fallbacks
            .iter()
            .filter(|(_, primaries)| primaries.iter().any(|p| !self.provides(p)))
            .map(|(fallback, _)| fallback.as_str());
        entry
            .imports
            .iter()
            .map(String::as_str)
            .chain(fallbacks)
            .collect()
    }

    /// True if importing `name` (or `from parent import last`) can succeed in a canister
    /// whose closure holds it: bundled, built in, or an attribute of such a module.
    pub fn provides(&self, name: &str) -> bool {
        let known = |n: &str| self.modules.contains_key(n) || self.builtins.contains(n);
        known(name)
            || name
                .rsplit_once('.')
                .is_some_and(|(parent, _)| known(parent))
    }

    /// Deferred imports of the selected modules that are bundled but were left out, and
    /// their left-out parent packages (importing `a.b` imports `a` first).
    fn stubs<'s>(&'s self, seen: &BTreeSet<&'s str>, more: Vec<&'s str>) -> BTreeSet<&'s str> {
        let mut stubs = BTreeSet::new();
        let own = seen
            .iter()
            .filter_map(|name| self.modules.get(*name))
            .flat_map(|entry| entry.deferred.iter().map(String::as_str));
        for deferred in own.chain(more) {
            {
                for p in crate::imports::prefixes(deferred) {
                    if let Some((key, _)) = self.modules.get_key_value(p) {
                        if !seen.contains(key.as_str()) && !self.frozen.contains(key) {
                            stubs.insert(key.as_str());
                        }
                    }
                }
            }
        }
        stubs
    }
}
