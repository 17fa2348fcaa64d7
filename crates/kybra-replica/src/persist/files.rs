//! The state folder's files and their crash safety:
//!
//! * `checkpoint` — `KYBRACKP`, format version, generation, then one framed snapshot of
//!   the whole state. Written to `checkpoint.tmp`, fsynced, renamed, folder fsynced: a
//!   crash leaves the old or the new one, never a mix.
//! * `journal` — `KYBRAJNL`, format version, generation, then framed entries appended
//!   and `fdatasync`ed before their messages are acknowledged. Only a journal of the
//!   checkpoint's generation is replayed; a torn or corrupt tail (never acknowledged) is
//!   cut off. A checkpoint starts the next generation with an empty journal.
//! * `lock` — held (`flock`) while a replica uses the folder.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::codec::{frame, unframe, Corrupt};
use super::error::PersistError;

const CHECKPOINT_MAGIC: &[u8; 8] = b"KYBRACKP";
const JOURNAL_MAGIC: &[u8; 8] = b"KYBRAJNL";
/// 2: checkpoints and journal entries also hold the calls in flight (`super::calls`);
/// 3: and the system services' saved states (the bitcoin chain); 4: and every canister's
/// snapshots and history (checkpoints end with them; journals have their own operations).
/// Folders of versions 1 to 3 are read too.
const FORMAT_VERSION: u32 = 4;
pub const HEADER: usize = 8 + 4 + 8;

/// An open state folder: its lock and the journal being appended to.
pub struct Files {
    dir: PathBuf,
    _lock: File,
    journal: File,
    /// Bytes in the journal (header included).
    pub journal_len: u64,
    generation: u64,
    unsynced: bool,
}

/// What the folder held when opened.
pub struct Recovered {
    /// The checkpoint's snapshot (`None`: no checkpoint yet).
    pub checkpoint: Option<Vec<u8>>,
    /// The checkpoint's format version.
    pub version: u32,
    /// The complete journal entries after it, in order.
    pub entries: Vec<Vec<u8>>,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + use<> {
    let path = path.to_path_buf();
    move |source| PersistError::Io {
        action,
        path,
        source,
    }
}

fn header(magic: &[u8; 8], generation: u64) -> Vec<u8> {
    let mut h = magic.to_vec();
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h.extend_from_slice(&generation.to_le_bytes());
    h
}

/// The generation and format version in a header, if `bytes` starts with a valid one for
/// `magic`.
fn read_header(magic: &[u8; 8], bytes: &[u8]) -> Result<(u64, u32), String> {
    if bytes.len() < HEADER || &bytes[..8] != magic {
        return Err("not a kybra replica state file (bad header)".into());
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(format!(
            "state format version {version}; this replica reads versions 1 to {FORMAT_VERSION} (a newer kybra wrote it: use that one)"
        ));
    }
    let generation = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    Ok((generation, version))
}

fn sync_dir(dir: &Path) -> Result<(), PersistError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the folder", dir))
}

/// Writes `bytes` to `dir/name` atomically and durably (temp file, fsync, rename, fsync).
fn write_durably(dir: &Path, name: &str, bytes: &[&[u8]]) -> Result<(), PersistError> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = File::create(&tmp).map_err(io("create", &tmp))?;
    for b in bytes {
        f.write_all(b).map_err(io("write", &tmp))?;
    }
    f.sync_all().map_err(io("sync", &tmp))?;
    let path = dir.join(name);
    std::fs::rename(&tmp, &path).map_err(io("rename into place", &path))?;
    sync_dir(dir)
}

impl Files {
    /// Locks and reads the folder (creating it if needed); cuts a torn journal tail.
    pub fn open(dir: &Path) -> Result<(Files, Recovered), PersistError> {
        std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        let lock_path = dir.join("lock");
        let lock = File::create(&lock_path).map_err(io("create", &lock_path))?;
        // A lock just released may linger for a moment: a process forking at that time
        // (any `Command::spawn` of this process) holds the descriptor until its `exec`.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while lock.try_lock().is_err() {
            if std::time::Instant::now() >= deadline {
                return Err(PersistError::Locked {
                    path: dir.to_path_buf(),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let checkpoint_path = dir.join("checkpoint");
        let (generation, version, checkpoint) = match std::fs::read(&checkpoint_path) {
            Ok(bytes) => {
                let corrupt = |detail: String| PersistError::Corrupt {
                    path: checkpoint_path.clone(),
                    detail,
                };
                let (generation, version) =
                    read_header(CHECKPOINT_MAGIC, &bytes).map_err(corrupt)?;
                let (payload, _) = unframe(&bytes[HEADER..])
                    .ok_or_else(|| corrupt("its checksum does not match".into()))?;
                (generation, version, Some(payload.to_vec()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (0, FORMAT_VERSION, None),
            Err(e) => return Err(io("read", &checkpoint_path)(e)),
        };
        let journal_path = dir.join("journal");
        let mut entries = Vec::new();
        let mut good = 0u64;
        match File::open(&journal_path) {
            Ok(mut f) => {
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes)
                    .map_err(io("read", &journal_path))?;
                if read_header(JOURNAL_MAGIC, &bytes).map(|h| h.0) == Ok(generation) {
                    let mut pos = HEADER;
                    while let Some((payload, size)) = unframe(&bytes[pos..]) {
                        entries.push(payload.to_vec());
                        pos += size;
                    }
                    good = pos as u64;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("open", &journal_path)(e)),
        }
        if good == 0 {
            write_durably(dir, "journal", &[&header(JOURNAL_MAGIC, generation)])?;
            good = HEADER as u64;
        }
        let journal = OpenOptions::new()
            .write(true)
            .open(&journal_path)
            .map_err(io("open", &journal_path))?;
        // Cut a torn tail, so new entries follow the last complete one.
        journal
            .set_len(good)
            .map_err(io("truncate", &journal_path))?;
        journal.sync_all().map_err(io("sync", &journal_path))?;
        let mut files = Files {
            dir: dir.to_path_buf(),
            _lock: lock,
            journal,
            journal_len: good,
            generation,
            unsynced: false,
        };
        files.seek_end()?;
        Ok((
            files,
            Recovered {
                checkpoint,
                version,
                entries,
            },
        ))
    }

    fn seek_end(&mut self) -> Result<(), PersistError> {
        use std::io::Seek;
        self.journal
            .seek(std::io::SeekFrom::Start(self.journal_len))
            .map(|_| ())
            .map_err(io("seek in", &self.dir.join("journal")))
    }

    /// Appends an entry (not yet durable: see [`Self::sync`]).
    pub fn append(&mut self, payload: &[u8]) -> Result<(), PersistError> {
        let framed = frame(payload);
        self.journal
            .write_all(&framed)
            .map_err(io("append to", &self.dir.join("journal")))?;
        self.journal_len += framed.len() as u64;
        self.unsynced = true;
        Ok(())
    }

    /// Whether appended entries wait for [`Self::sync`].
    pub fn unsynced(&self) -> bool {
        self.unsynced
    }

    /// Makes the appended entries durable.
    pub fn sync(&mut self) -> Result<(), PersistError> {
        if self.unsynced {
            self.journal
                .sync_data()
                .map_err(io("sync", &self.dir.join("journal")))?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// Saves `snapshot` as the next generation's checkpoint and starts its empty journal.
    pub fn checkpoint(&mut self, snapshot: &[u8]) -> Result<(), PersistError> {
        let generation = self.generation + 1;
        let framed = frame(snapshot);
        write_durably(
            &self.dir,
            "checkpoint",
            &[&header(CHECKPOINT_MAGIC, generation), &framed],
        )?;
        write_durably(&self.dir, "journal", &[&header(JOURNAL_MAGIC, generation)])?;
        let path = self.dir.join("journal");
        self.journal = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io("open", &path))?;
        self.generation = generation;
        self.journal_len = HEADER as u64;
        self.unsynced = false;
        self.seek_end()
    }

    /// Where a corrupt entry came from, for errors.
    pub fn corrupt(&self, e: Corrupt) -> PersistError {
        PersistError::Corrupt {
            path: self.dir.join("journal"),
            detail: e.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::codec::tests::Rng;
    use super::*;

    /// Entries appended and synced, then the journal cut at any length (a crash mid-write):
    /// reopening keeps exactly the entries that were complete and cuts the rest, and new
    /// entries follow them.
    #[test]
    fn a_torn_journal_keeps_its_complete_entries() {
        let mut rng = Rng::new(0x746f_726e);
        let tmp = tempfile::tempdir().unwrap();
        let full = tmp.path().join("full");
        let (mut files, recovered) = Files::open(&full).unwrap();
        assert!(recovered.checkpoint.is_none() && recovered.entries.is_empty());
        let entries: Vec<Vec<u8>> = (0..12).map(|_| rng.bytes(100)).collect();
        let mut ends = vec![HEADER];
        for e in &entries {
            files.append(e).unwrap();
            ends.push(ends.last().unwrap() + frame(e).len());
        }
        files.sync().unwrap();
        drop(files);
        let journal = std::fs::read(full.join("journal")).unwrap();
        assert_eq!(journal.len(), *ends.last().unwrap());
        let mut cuts: Vec<usize> = ends.iter().flat_map(|e| [e - 1, *e, e + 1]).collect();
        cuts.extend((0..40).map(|_| HEADER + rng.below((journal.len() - HEADER) as u64) as usize));
        cuts.retain(|c| (HEADER..=journal.len()).contains(c));
        for (n, cut) in cuts.into_iter().enumerate() {
            let dir = tmp.path().join(format!("cut{n}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("journal"), &journal[..cut]).unwrap();
            let (mut files, recovered) = Files::open(&dir).unwrap();
            let whole = ends.iter().filter(|e| **e <= cut).count() - 1;
            assert_eq!(recovered.entries, entries[..whole], "cut at {cut}");
            assert_eq!(files.journal_len as usize, ends[whole], "cut at {cut}");
            files.append(b"after").unwrap();
            files.sync().unwrap();
            drop(files);
            let (_, again) = Files::open(&dir).unwrap();
            assert_eq!(again.entries.len(), whole + 1, "cut at {cut}");
            assert_eq!(again.entries.last().unwrap(), b"after");
        }
    }
}
