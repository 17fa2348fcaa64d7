//! The local network's bookkeeping in `.kybra/local/`: the running replica (pid, URL),
//! the canister ids (`canister_ids.json` in dfx's format) and the replica's state folder.
//!
//! Promises: files are written atomically (temp file + rename); a recorded replica whose
//! process is gone counts as not running; ids are kept per network like dfx
//! (`{"name": {"local": "<id>"}}`): the local network's in `.kybra/local/canister_ids.json`,
//! every other network's (`ic`, a URL) in `canister_ids.json` at the project root, as dfx
//! keeps them there (meant to be committed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The network name dfx uses for the local replica.
pub const LOCAL: &str = "local";

/// What a running replica records about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaInfo {
    pub pid: u32,
    /// e.g. `http://127.0.0.1:4943`
    pub url: String,
}

/// `.kybra/local/` under the project root.
pub fn local_dir(root: &Path) -> PathBuf {
    root.join(".kybra").join(LOCAL)
}

fn replica_file(root: &Path) -> PathBuf {
    local_dir(root).join("replica.json")
}

/// The replica's log file when it runs in the background.
pub fn log_file(root: &Path) -> PathBuf {
    local_dir(root).join("replica.log")
}

/// The replica's state folder (canisters, memory, ids; see `kybra_replica::persist`).
pub fn state_dir(root: &Path) -> PathBuf {
    local_dir(root).join("state")
}

/// The canister ids file of the local network.
pub fn canister_ids_file(root: &Path) -> PathBuf {
    local_dir(root).join("canister_ids.json")
}

/// The canister ids file of the other networks (`ic`, URLs): at the project root.
pub fn network_ids_file(root: &Path) -> PathBuf {
    root.join("canister_ids.json")
}

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The replica recorded for this project, if its process is still alive.
pub fn running_replica(root: &Path) -> Option<ReplicaInfo> {
    let text = std::fs::read_to_string(replica_file(root)).ok()?;
    let info: ReplicaInfo = serde_json::from_str(&text).ok()?;
    process_alive(info.pid).then_some(info)
}

/// Records a running replica.
pub fn record_replica(root: &Path, info: &ReplicaInfo) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(info).expect("serialisable");
    write_atomic(&replica_file(root), &json)
}

/// Forgets the recorded replica (if it is `pid`, or any when `pid` is None).
pub fn forget_replica(root: &Path, pid: Option<u32>) {
    let path = replica_file(root);
    let recorded = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str::<ReplicaInfo>(&text).ok());
    if pid.is_none() || recorded.map(|r| Some(r.pid) == pid).unwrap_or(true) {
        let _ = std::fs::remove_file(path);
    }
}

/// Whether a process with this pid exists.
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks for the process's existence.
    let result = unsafe { libc::kill(pid, 0) };
    let exists = result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !is_zombie(pid)
}

/// A zombie (exited, not yet reaped: e.g. when PID 1 does not reap orphans) is not alive.
fn is_zombie(pid: libc::pid_t) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which is in parentheses and may contain spaces.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        == Some("Z")
}

/// `canister_ids.json`: canister name → network → id text.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CanisterIds(pub BTreeMap<String, BTreeMap<String, String>>);

fn read_ids(path: &Path) -> Result<CanisterIds, CanisterIdsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| CanisterIdsError {
            path: path.to_path_buf(),
            message: format!("invalid JSON: {e}"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CanisterIds::default()),
        Err(e) => Err(CanisterIdsError {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

fn write_ids(path: &Path, ids: &CanisterIds) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(ids).expect("serialisable");
    json.push(b'\n');
    write_atomic(path, &json)
}

/// Errors reading the ids file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}; delete the file (or run `kybra start --clean`) to start over")]
pub struct CanisterIdsError {
    pub path: PathBuf,
    pub message: String,
}

impl CanisterIds {
    /// Reads both files (missing = empty).
    pub fn load(root: &Path) -> Result<CanisterIds, CanisterIdsError> {
        let mut ids = read_ids(&canister_ids_file(root))?;
        for (name, networks) in read_ids(&network_ids_file(root))?.0 {
            for (network, id) in networks.into_iter().filter(|(n, _)| n != LOCAL) {
                ids.set_on(&name, &network, &id);
            }
        }
        Ok(ids)
    }

    /// Writes the local network's ids to `.kybra/local/`, the others' to the root file
    /// (which is written only when it exists or has ids to hold).
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let (mut local, mut others) = (CanisterIds::default(), CanisterIds::default());
        for (name, networks) in &self.0 {
            for (network, id) in networks {
                let into = if network == LOCAL {
                    &mut local
                } else {
                    &mut others
                };
                into.set_on(name, network, id);
            }
        }
        write_ids(&canister_ids_file(root), &local)?;
        let root_file = network_ids_file(root);
        if !others.0.is_empty() || root_file.exists() {
            write_ids(&root_file, &others)?;
        }
        Ok(())
    }

    /// The id of `name` on the local network.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_on(name, LOCAL)
    }

    /// The id of `name` on `network` (`local`, `ic`, or a replica URL).
    pub fn get_on(&self, name: &str, network: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|networks| networks.get(network))
            .map(String::as_str)
    }

    /// Records the id of `name` on the local network.
    pub fn set(&mut self, name: &str, id: &str) {
        self.set_on(name, LOCAL, id)
    }

    /// Records the id of `name` on `network`.
    pub fn set_on(&mut self, name: &str, network: &str, id: &str) {
        self.0
            .entry(name.to_string())
            .or_default()
            .insert(network.to_string(), id.to_string());
    }

    /// Forgets the id of `name` on `network`; whether there was one.
    pub fn remove_on(&mut self, name: &str, network: &str) -> bool {
        let Some(networks) = self.0.get_mut(name) else {
            return false;
        };
        let removed = networks.remove(network).is_some();
        if networks.is_empty() {
            self.0.remove(name);
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canister_ids_round_trip_in_dfx_format() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            CanisterIds::load(dir.path()).unwrap(),
            CanisterIds::default()
        );
        let mut ids = CanisterIds::default();
        ids.set("hello", "rrkah-fqaaa-aaaaa-aaaaq-cai");
        ids.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(canister_ids_file(dir.path())).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"hello": {"local": "rrkah-fqaaa-aaaaa-aaaaq-cai"}})
        );
        assert!(
            !network_ids_file(dir.path()).exists(),
            "no root file for local ids alone"
        );
        assert_eq!(
            CanisterIds::load(dir.path()).unwrap().get("hello"),
            Some("rrkah-fqaaa-aaaaa-aaaaq-cai")
        );
        assert_eq!(ids.get("other"), None);
    }

    #[test]
    fn broken_ids_file_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&canister_ids_file(dir.path()), b"{").unwrap();
        let error = CanisterIds::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("canister_ids.json: invalid JSON"), "{error}");
        assert!(error.contains("kybra start --clean"), "{error}");
    }

    #[test]
    fn replica_record_requires_a_live_process() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(running_replica(dir.path()), None);
        let me = ReplicaInfo {
            pid: std::process::id(),
            url: "http://127.0.0.1:1".into(),
        };
        record_replica(dir.path(), &me).unwrap();
        assert_eq!(running_replica(dir.path()), Some(me.clone()));
        forget_replica(dir.path(), Some(me.pid + 1));
        assert!(running_replica(dir.path()).is_some());
        forget_replica(dir.path(), Some(me.pid));
        assert_eq!(running_replica(dir.path()), None);

        let dead = ReplicaInfo {
            pid: 0x3fff_fff0,
            url: "http://127.0.0.1:1".into(),
        };
        record_replica(dir.path(), &dead).unwrap();
        assert_eq!(running_replica(dir.path()), None);
    }

    #[test]
    fn other_networks_ids_live_at_the_root_as_dfx_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut ids = CanisterIds::default();
        ids.set("hello", "rrkah-fqaaa-aaaaa-aaaaq-cai");
        ids.set_on("hello", "ic", "ryjl3-tyaaa-aaaaa-aaaba-cai");
        ids.save(dir.path()).unwrap();
        let read = |p: PathBuf| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        assert_eq!(
            read(network_ids_file(dir.path())),
            serde_json::json!({"hello": {"ic": "ryjl3-tyaaa-aaaaa-aaaba-cai"}})
        );
        assert_eq!(
            read(canister_ids_file(dir.path())),
            serde_json::json!({"hello": {"local": "rrkah-fqaaa-aaaaa-aaaaq-cai"}})
        );
        let back = CanisterIds::load(dir.path()).unwrap();
        assert_eq!(back, ids);
        // A committed root file's local entries (dfx never writes them) are not local ids.
        std::fs::write(
            network_ids_file(dir.path()),
            r#"{"x": {"local": "aaaaa-aa", "ic": "ryjl3-tyaaa-aaaaa-aaaba-cai"}}"#,
        )
        .unwrap();
        let back = CanisterIds::load(dir.path()).unwrap();
        assert_eq!(back.get("x"), None);
        assert_eq!(back.get_on("x", "ic"), Some("ryjl3-tyaaa-aaaaa-aaaba-cai"));
    }
}
