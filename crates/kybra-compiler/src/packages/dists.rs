//! The distributions installed in site-packages folders (`*.dist-info`): which one owns a
//! top-level module, its name and version, and the tags of the wheel it came from.
//!
//! Promises: [`Dists::scan`] reads only `*.dist-info` folders (`RECORD`, `METADATA`'s
//! `Name`/`Version`, `WHEEL`'s `Tag`s) and never fails: an unreadable or missing file
//! leaves that distribution with what could be read; [`Dists::owner`] names the
//! distribution that installed a top-level module or package, if any did.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One installed distribution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dist {
    /// As its `METADATA` spells it (`Jinja2`), else the folder's (`jinja2`).
    pub name: String,
    pub version: String,
    /// The wheel tags it was installed from (`py3-none-any`, `cp311-cp311-manylinux...`).
    pub tags: Vec<String>,
    /// The `.dist-info` folder.
    pub dir: PathBuf,
}

impl Dist {
    /// True if it came from a wheel that runs on any platform (`...-none-any`).
    pub fn is_pure(&self) -> bool {
        !self.tags.is_empty() && self.tags.iter().all(|t| t.ends_with("-none-any"))
    }
}

/// Top-level names of every site-packages folder, with the distribution owning each.
#[derive(Debug, Default)]
pub struct Dists {
    owners: HashMap<(PathBuf, String), usize>,
    dists: Vec<Dist>,
}

impl Dists {
    pub fn scan(site: &[PathBuf]) -> Self {
        let mut out = Dists::default();
        for dir in site {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut infos: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "dist-info") && p.is_dir())
                .collect();
            infos.sort();
            for info in infos {
                let dist = read_dist(&info);
                let idx = out.dists.len();
                for top in top_levels(&info) {
                    out.owners.entry((dir.clone(), top)).or_insert(idx);
                }
                out.dists.push(dist);
            }
        }
        out
    }

    /// The distribution that installed top-level `name` into site folder `dir`.
    pub fn owner(&self, dir: &Path, name: &str) -> Option<&Dist> {
        self.owners
            .get(&(dir.to_path_buf(), name.to_string()))
            .map(|&i| &self.dists[i])
    }
}

fn read_dist(info: &Path) -> Dist {
    let stem = info
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let (folder_name, folder_version) = stem.split_once('-').unwrap_or((stem, ""));
    let header = |file: &str, key: &str| -> Vec<String> {
        std::fs::read_to_string(info.join(file))
            .unwrap_or_default()
            .lines()
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
            .collect()
    };
    let name = header("METADATA", "Name:").into_iter().next();
    let version = header("METADATA", "Version:").into_iter().next();
    Dist {
        name: name.unwrap_or_else(|| folder_name.to_string()),
        version: version.unwrap_or_else(|| folder_version.to_string()),
        tags: header("WHEEL", "Tag:"),
        dir: info.to_path_buf(),
    }
}

/// The top-level modules and packages a distribution's `RECORD` lists.
fn top_levels(info: &Path) -> Vec<String> {
    let record = std::fs::read_to_string(info.join("RECORD")).unwrap_or_default();
    let mut tops: Vec<String> = record
        .lines()
        .filter_map(|line| line.split(',').next())
        .filter(|path| !path.starts_with("..") && !path.contains(".dist-info/"))
        .filter_map(|path| {
            let first = path.split('/').next()?;
            let name = if path.contains('/') {
                first
            } else {
                first
                    .strip_suffix(".py")
                    .or_else(|| first.split('.').next())?
            };
            (!name.is_empty() && name != "__pycache__").then(|| name.to_string())
        })
        .collect();
    tops.sort();
    tops.dedup();
    tops
}
