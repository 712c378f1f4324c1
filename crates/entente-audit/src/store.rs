//! Durable embedded storage: an append-only log on disk.
//!
//! A log directory holds three append-only files:
//!
//! | file | content |
//! |---|---|
//! | `entries` | records `len: u32 BE || SHA-256(payload) || payload` |
//! | `offsets` | the byte offset of record `i` as `u64 BE`, at `8·i` |
//! | `nodes` | perfect-subtree hashes in post-order (see [`crate::merkle`]) |
//!
//! and one rewritten file, `checkpoint` (the latest signed checkpoint), which
//! is only ever replaced atomically (write a temporary file, fsync, rename,
//! fsync the directory).
//!
//! **Commit protocol.** [`FileLog::append_batch`] writes all records of a
//! batch, `fsync`s `entries`, then writes and `fsync`s `offsets` and `nodes`,
//! and only then returns: a returned index is durable (group commit: one batch,
//! three `fsync`s, whatever its length).
//!
//! **Recovery** ([`FileLog::open`]). `entries` is the truth; the other two are
//! an index derived from it. Opening trusts the index only up to the last
//! entry whose offset, record checksum and leaf hash agree with `entries`,
//! re-indexes every complete, checksummed record after that, and truncates a
//! torn tail (a record cut short or failing its checksum at the end). No
//! acknowledged entry is lost by a crash of the process; a torn tail was never
//! acknowledged.
//!
//! Memory: the log holds the right edge of the tree (at most 64 hashes) and
//! reads everything else on demand, so proofs over millions of entries read
//! some dozens of hashes.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::ops::Range;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use entente_core::Digest256;

use crate::error::{LogError, StoreOperation};
use crate::merkle::{self, Frontier, NodeSource, leaf_hash, nodes_for_leaves};

/// Largest entry the store accepts (1 MiB, entente's document bound).
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

const HEADER: u64 = 4 + 32;
const ENTRIES: &str = "entries";
const OFFSETS: &str = "offsets";
const NODES: &str = "nodes";
const CHECKPOINT: &str = "checkpoint";

/// What opening a log found and repaired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Entries in the log after recovery.
    pub entries: u64,
    /// Bytes of a torn tail of `entries` that were discarded.
    pub torn_bytes: u64,
    /// Entries re-indexed from `entries` because the index lagged behind.
    pub reindexed: u64,
}

/// An append-only Merkle log stored in a directory. One writer per directory.
#[derive(Debug)]
pub struct FileLog {
    dir: PathBuf,
    entries: File,
    offsets: File,
    nodes: File,
    entries_len: u64,
    frontier: Frontier,
    recovery: Recovery,
}

struct Nodes<'a>(&'a File);

impl NodeSource for Nodes<'_> {
    fn node(&self, position: u64) -> Result<Digest256, LogError> {
        let at = position.checked_mul(32).ok_or(LogError::SizeOverflow)?;
        let mut buf = [0u8; 32];
        read_exact_at(self.0, &mut buf, at).map_err(|e| match e {
            LogError::Io { source, .. } if source.kind() == std::io::ErrorKind::UnexpectedEof => {
                LogError::MissingNode(position)
            }
            other => other,
        })?;
        Ok(Digest256::from_bytes(buf))
    }
}

fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> Result<(), LogError> {
    file.read_exact_at(buf, at)
        .map_err(LogError::io(StoreOperation::Read))
}

fn len_of(file: &File) -> Result<u64, LogError> {
    Ok(file
        .metadata()
        .map_err(LogError::io(StoreOperation::Read))?
        .len())
}

fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(LogError::io(StoreOperation::Sync))
}

/// Replaces `path` with `bytes` atomically: temporary file, fsync, rename,
/// fsync of the directory.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), LogError> {
    // A bare file name has the empty path as parent: its directory is ".".
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = File::create(&tmp).map_err(LogError::io(StoreOperation::Open))?;
    file.write_all(bytes)
        .map_err(LogError::io(StoreOperation::Write))?;
    file.sync_all()
        .map_err(LogError::io(StoreOperation::Sync))?;
    drop(file);
    fs::rename(&tmp, path).map_err(LogError::io(StoreOperation::Rename))?;
    sync_dir(dir)
}

/// A decoded record header.
struct Record {
    len: u64,
    checksum: [u8; 32],
}

impl FileLog {
    /// Opens (creating if needed) the log in `dir`, recovering from a crash.
    pub fn open(dir: &Path) -> Result<Self, LogError> {
        fs::create_dir_all(dir).map_err(LogError::io(StoreOperation::Open))?;
        let open = |name: &str| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(dir.join(name))
                .map_err(LogError::io(StoreOperation::Open))
        };
        let entries = open(ENTRIES)?;
        let offsets = open(OFFSETS)?;
        let nodes = open(NODES)?;
        sync_dir(dir)?;
        let entries_len = len_of(&entries)?;
        let mut log = Self {
            dir: dir.to_path_buf(),
            entries,
            offsets,
            nodes,
            entries_len,
            frontier: Frontier::default(),
            recovery: Recovery::default(),
        };
        log.recover()?;
        Ok(log)
    }

    /// What the last [`FileLog::open`] found and repaired.
    pub fn recovery(&self) -> Recovery {
        self.recovery
    }

    /// The directory of this log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn header(&self, at: u64) -> Result<Option<Record>, LogError> {
        if at
            .checked_add(HEADER)
            .is_none_or(|end| end > self.entries_len)
        {
            return Ok(None);
        }
        let mut buf = [0u8; HEADER as usize];
        read_exact_at(&self.entries, &mut buf, at)?;
        let (len, checksum) = buf.split_first_chunk::<4>().ok_or(LogError::SizeOverflow)?;
        let len = u64::from(u32::from_be_bytes(*len));
        let checksum: [u8; 32] = checksum.try_into().map_err(|_| LogError::SizeOverflow)?;
        let fits = len <= MAX_ENTRY_BYTES as u64
            && at
                .checked_add(HEADER + len)
                .is_some_and(|end| end <= self.entries_len);
        Ok(fits.then_some(Record { len, checksum }))
    }

    /// Reads and checks the record at `at`; `None` if torn or corrupt.
    fn record(&self, at: u64) -> Result<Option<Vec<u8>>, LogError> {
        let Some(rec) = self.header(at)? else {
            return Ok(None);
        };
        let len = usize::try_from(rec.len).map_err(|_| LogError::SizeOverflow)?;
        let mut payload = vec![0u8; len];
        read_exact_at(&self.entries, &mut payload, at + HEADER)?;
        if Digest256::sha256(&payload).as_bytes() != &rec.checksum {
            return Ok(None);
        }
        Ok(Some(payload))
    }

    fn offset(&self, index: u64) -> Result<u64, LogError> {
        let mut buf = [0u8; 8];
        let at = index.checked_mul(8).ok_or(LogError::SizeOverflow)?;
        read_exact_at(&self.offsets, &mut buf, at)?;
        Ok(u64::from_be_bytes(buf))
    }

    /// Whether the index entry `i` agrees with the record it points at.
    fn index_entry_valid(&self, i: u64) -> Result<bool, LogError> {
        let at = self.offset(i)?;
        let Some(payload) = self.record(at)? else {
            return Ok(false);
        };
        let stored = Nodes(&self.nodes).node(merkle::perfect_position(0, i)?)?;
        Ok(stored == leaf_hash(&payload))
    }

    fn record_end(&self, i: u64) -> Result<Option<u64>, LogError> {
        let at = self.offset(i)?;
        Ok(self.header(at)?.map(|r| at + HEADER + r.len))
    }

    fn recover(&mut self) -> Result<(), LogError> {
        let indexed =
            (len_of(&self.offsets)? / 8).min(merkle::leaves_for_nodes(len_of(&self.nodes)? / 32));
        // Largest prefix of the index whose records lie inside `entries`
        // (monotone: offsets grow), found by binary search, then walked back
        // while the last entry disagrees with its record.
        let (mut lo, mut hi) = (0u64, indexed);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.record_end(mid - 1)?.is_some() {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut n = lo;
        while n > 0 && !self.index_entry_valid(n - 1)? {
            n -= 1;
        }
        let mut end = match n {
            0 => 0,
            _ => self
                .record_end(n - 1)?
                .ok_or(LogError::CorruptEntry(n - 1))?,
        };
        let truncate = |f: &File, len: u64| {
            f.set_len(len)
                .map_err(LogError::io(StoreOperation::Truncate))
        };
        truncate(&self.offsets, n * 8)?;
        let node_len = nodes_for_leaves(n).ok_or(LogError::SizeOverflow)?;
        truncate(&self.nodes, node_len * 32)?;
        self.frontier = Frontier::load(&Nodes(&self.nodes), n)?;

        // Re-index complete records after the index's end.
        let mut reindexed = 0u64;
        let mut offsets_buf = Vec::new();
        let mut nodes_buf = Vec::new();
        let mut frontier = self.frontier.clone();
        while let Some(payload) = self.record(end)? {
            offsets_buf.extend_from_slice(&end.to_be_bytes());
            frontier.push(leaf_hash(&payload), &mut nodes_buf)?;
            end += HEADER + payload.len() as u64;
            reindexed += 1;
        }
        let torn = self.entries_len - end;
        if torn > 0 {
            truncate(&self.entries, end)?;
            self.entries_len = end;
        }
        self.write_index(n, &offsets_buf, &nodes_buf)?;
        self.entries
            .sync_data()
            .map_err(LogError::io(StoreOperation::Sync))?;
        self.frontier = frontier;
        self.recovery = Recovery {
            entries: self.frontier.size(),
            torn_bytes: torn,
            reindexed,
        };
        Ok(())
    }

    /// Appends `offsets`/`nodes` data for entries starting at index `from`, and syncs.
    fn write_index(&self, from: u64, offsets: &[u8], nodes: &[Digest256]) -> Result<(), LogError> {
        let node_at = nodes_for_leaves(from).ok_or(LogError::SizeOverflow)? * 32;
        let mut node_bytes = Vec::with_capacity(nodes.len() * 32);
        for n in nodes {
            node_bytes.extend_from_slice(n.as_bytes());
        }
        self.offsets
            .write_all_at(offsets, from * 8)
            .map_err(LogError::io(StoreOperation::Write))?;
        self.nodes
            .write_all_at(&node_bytes, node_at)
            .map_err(LogError::io(StoreOperation::Write))?;
        self.offsets
            .sync_data()
            .map_err(LogError::io(StoreOperation::Sync))?;
        self.nodes
            .sync_data()
            .map_err(LogError::io(StoreOperation::Sync))?;
        Ok(())
    }

    /// Appends one entry durably and returns its index.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64, LogError> {
        Ok(self.append_batch(&[entry])?.start)
    }

    /// Appends entries durably as one group commit and returns their indices.
    /// Nothing is acknowledged unless everything is: on error, the store is
    /// rolled back to its previous length (best effort; recovery handles the rest).
    pub fn append_batch<E: AsRef<[u8]>>(&mut self, entries: &[E]) -> Result<Range<u64>, LogError> {
        let start = self.frontier.size();
        let mut records = Vec::new();
        let mut offsets = Vec::with_capacity(entries.len() * 8);
        let mut nodes = Vec::with_capacity(entries.len() * 2);
        let mut frontier = self.frontier.clone();
        let mut at = self.entries_len;
        for entry in entries {
            let entry = entry.as_ref();
            let len = u32::try_from(entry.len())
                .ok()
                .filter(|l| *l as usize <= MAX_ENTRY_BYTES)
                .ok_or(LogError::EntryTooLarge {
                    len: entry.len(),
                    max: MAX_ENTRY_BYTES,
                })?;
            offsets.extend_from_slice(&at.to_be_bytes());
            records.extend_from_slice(&len.to_be_bytes());
            records.extend_from_slice(Digest256::sha256(entry).as_bytes());
            records.extend_from_slice(entry);
            at += HEADER + u64::from(len);
            frontier.push(leaf_hash(entry), &mut nodes)?;
        }
        if entries.is_empty() {
            return Ok(start..start);
        }
        let result = self
            .entries
            .write_all_at(&records, self.entries_len)
            .map_err(LogError::io(StoreOperation::Write))
            .and_then(|()| {
                self.entries
                    .sync_data()
                    .map_err(LogError::io(StoreOperation::Sync))
            })
            .and_then(|()| self.write_index(start, &offsets, &nodes));
        if let Err(e) = result {
            let _ = self.entries.set_len(self.entries_len);
            let _ = self.offsets.set_len(start * 8);
            let _ = self
                .nodes
                .set_len(nodes_for_leaves(start).unwrap_or(0) * 32);
            return Err(e);
        }
        self.entries_len = at;
        self.frontier = frontier;
        Ok(start..self.frontier.size())
    }

    /// The number of entries.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The current root hash.
    pub fn root(&self) -> Digest256 {
        self.frontier.root()
    }

    /// The root of the tree of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Digest256, LogError> {
        if size > self.size() {
            return Err(LogError::SizeBeyondLog {
                size,
                available: self.size(),
            });
        }
        merkle::subtree_hash(&Nodes(&self.nodes), 0, size)
    }

    /// Entry `index`, checked against its checksum and leaf hash.
    pub fn entry(&self, index: u64) -> Result<Vec<u8>, LogError> {
        if index >= self.size() {
            return Err(LogError::IndexBeyondSize {
                index,
                size: self.size(),
            });
        }
        let payload = self
            .record(self.offset(index)?)?
            .ok_or(LogError::CorruptEntry(index))?;
        if leaf_hash(&payload) != self.leaf_hash(index)? {
            return Err(LogError::CorruptEntry(index));
        }
        Ok(payload)
    }

    /// The leaf hash of entry `index`.
    pub fn leaf_hash(&self, index: u64) -> Result<Digest256, LogError> {
        if index >= self.size() {
            return Err(LogError::IndexBeyondSize {
                index,
                size: self.size(),
            });
        }
        Nodes(&self.nodes).node(merkle::perfect_position(0, index)?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Digest256>, LogError> {
        merkle::inclusion_proof(&Nodes(&self.nodes), self.size(), index, size)
    }

    /// The consistency proof between the trees of `old` and `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Digest256>, LogError> {
        merkle::consistency_proof(&Nodes(&self.nodes), self.size(), old, new)
    }

    /// The prefix proof between the trees of `old` and `new` entries.
    pub fn prefix_proof(&self, old: u64, new: u64) -> Result<Vec<Digest256>, LogError> {
        merkle::prefix_proof(&Nodes(&self.nodes), self.size(), old, new)
    }

    /// Stores the latest signed checkpoint atomically.
    pub fn store_checkpoint(&self, note: &[u8]) -> Result<(), LogError> {
        atomic_write(&self.dir.join(CHECKPOINT), note)
    }

    /// The latest stored signed checkpoint, if any.
    pub fn stored_checkpoint(&self) -> Result<Option<Vec<u8>>, LogError> {
        match fs::read(self.dir.join(CHECKPOINT)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LogError::io(StoreOperation::Read)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::MemoryTree;

    #[test]
    fn file_log_matches_memory_tree_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = FileLog::open(dir.path()).unwrap();
        let mut mem = MemoryTree::new();
        for batch in 0..20u64 {
            let entries: Vec<Vec<u8>> = (0..batch)
                .map(|i| format!("{batch}-{i}").into_bytes())
                .collect();
            let range = log.append_batch(&entries).unwrap();
            for e in &entries {
                mem.push(e).unwrap();
            }
            assert_eq!(range.end, mem.size());
            assert_eq!(log.root(), mem.root());
        }
        let size = log.size();
        let proof = log.inclusion_proof(3, size).unwrap();
        assert_eq!(proof, mem.inclusion_proof(3, size).unwrap());
        assert_eq!(
            log.consistency_proof(17, size).unwrap(),
            mem.consistency_proof(17, size).unwrap()
        );
        drop(log);
        let log = FileLog::open(dir.path()).unwrap();
        assert_eq!(
            log.recovery(),
            Recovery {
                entries: size,
                torn_bytes: 0,
                reindexed: 0
            }
        );
        assert_eq!(log.root(), mem.root());
        assert_eq!(log.entry(5).unwrap(), b"3-2".to_vec());
    }

    #[test]
    fn torn_tail_is_truncated_and_lost_index_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = FileLog::open(dir.path()).unwrap();
        for i in 0..10u32 {
            log.append(&i.to_be_bytes()).unwrap();
        }
        let root = log.root();
        drop(log);
        // A torn record after the last acknowledged one, and an index that lags.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join(ENTRIES))
            .unwrap();
        f.write_all(&[0, 0, 0, 9, 1, 2, 3]).unwrap();
        File::options()
            .write(true)
            .open(dir.path().join(OFFSETS))
            .unwrap()
            .set_len(3 * 8 + 5)
            .unwrap();
        File::options()
            .write(true)
            .open(dir.path().join(NODES))
            .unwrap()
            .set_len(7 * 32)
            .unwrap();
        let mut log = FileLog::open(dir.path()).unwrap();
        assert_eq!(
            log.recovery(),
            Recovery {
                entries: 10,
                torn_bytes: 7,
                reindexed: 7
            }
        );
        assert_eq!(log.root(), root);
        log.append(b"more").unwrap();
        assert_eq!(log.size(), 11);
    }

    #[test]
    fn checkpoint_file_is_replaced_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::open(dir.path()).unwrap();
        assert_eq!(log.stored_checkpoint().unwrap(), None);
        log.store_checkpoint(b"one").unwrap();
        log.store_checkpoint(b"two").unwrap();
        assert_eq!(log.stored_checkpoint().unwrap(), Some(b"two".to_vec()));
    }

    #[test]
    fn oversized_entry_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = FileLog::open(dir.path()).unwrap();
        let big = vec![0u8; MAX_ENTRY_BYTES + 1];
        assert!(matches!(
            log.append(&big),
            Err(LogError::EntryTooLarge { .. })
        ));
        assert_eq!(log.size(), 0);
    }
}
