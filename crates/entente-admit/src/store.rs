//! Durable admission state: the highest version admitted per (authority,
//! document kind, document id), in an embedded ACID store (redb).
//!
//! A version is *acknowledged* when [`AdmissionStore::record`] returns: the
//! write transaction has committed with redb's default immediate durability
//! (fsync), so a crash after that loses nothing, and a crash before it
//! leaves the previous state intact (redb's commit is atomic).

use std::path::Path;

use entente_core::{ArtifactId, AuthorityId, Digest256, Version};
use redb::{Database, ReadableTable as _, TableDefinition};

use crate::report::ArtifactKind;

const VERSIONS: TableDefinition<'static, &[u8], &[u8]> = TableDefinition::new("versions");

/// Which document a version belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentKey {
    /// The authority whose document it is.
    pub authority: AuthorityId,
    /// The kind of document.
    pub kind: ArtifactKind,
    /// The document's id within its authority and kind.
    pub id: String,
}

impl DocumentKey {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(33 + self.id.len());
        out.extend_from_slice(self.authority.as_bytes());
        out.push(self.kind.code_byte());
        out.extend_from_slice(self.id.as_bytes());
        out
    }
}

/// The admitted version of a document and the artifact that carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    /// The highest version admitted.
    pub version: Version,
    /// The artifact admitted at that version (same version, other artifact
    /// = rollback by substitution).
    pub artifact: ArtifactId,
}

impl StoredVersion {
    fn encode(&self) -> [u8; 40] {
        let mut out = [0u8; 40];
        let (v, a) = out.split_at_mut(8);
        v.copy_from_slice(&self.version.0.to_be_bytes());
        a.copy_from_slice(self.artifact.as_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (v, a) = bytes.split_at_checked(8)?;
        let version = u64::from_be_bytes(v.try_into().ok()?);
        let artifact = ArtifactId::from_digest(Digest256::from_slice(a).ok()?);
        Some(Self {
            version: Version(version),
            artifact,
        })
    }
}

/// What the store says of an offered version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionCheck {
    /// Never admitted before, or newer than what was admitted.
    Fresh,
    /// The very artifact admitted before.
    Same,
    /// Lower than the admitted version.
    Older(StoredVersion),
    /// Same version, different artifact.
    Substituted(StoredVersion),
}

/// Why the store failed (infrastructure, not input).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("admission store: {0}")]
    Database(#[source] Box<redb::Error>),
    /// A stored value has the wrong shape.
    #[error("admission store holds a corrupt record")]
    Corrupt,
    /// The store file is cut short or otherwise unreadable as a store.
    #[error("admission store file is damaged")]
    Damaged,
}

/// Creates an empty store at `path`: built and committed (durably) under a
/// name of its own in the same directory, then hard-linked to `path`, which
/// fails rather than replaces when another process got there first.
fn create_atomically(path: &Path) -> Result<(), StoreError> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let temporary = path.with_file_name(format!("{name}.creating-{}-{nonce}", std::process::id()));
    let built = Database::create(&temporary)
        .map_err(db)
        .and_then(AdmissionStore::init);
    let linked = built.and_then(|store| {
        drop(store);
        match std::fs::hard_link(&temporary, path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(io(e)),
            _ => sync_directory(path).map_err(io),
        }
    });
    // The temporary name goes whether or not the link was made; if it
    // cannot be removed it stays behind as a stray file, which no store
    // ever opens, rather than failing an open that has its store.
    let _ = std::fs::remove_file(&temporary);
    linked
}

/// Makes a new directory entry for `path` durable.
fn sync_directory(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        std::fs::File::open(directory)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

fn db<E: Into<redb::Error>>(error: E) -> StoreError {
    StoreError::Database(Box::new(error.into()))
}

/// A file system error around the store, as redb reports its own.
fn io(error: std::io::Error) -> StoreError {
    db(redb::StorageError::from(error))
}

/// The stored version of `key` in `table`.
fn read(
    table: &impl redb::ReadableTable<&'static [u8], &'static [u8]>,
    key: &DocumentKey,
) -> Result<Option<StoredVersion>, StoreError> {
    stored(table.get(key.encode().as_slice()).map_err(db)?)
}

/// The version a table value holds, as read or as replaced by an insert.
fn stored(
    value: Option<redb::AccessGuard<'_, &'static [u8]>>,
) -> Result<Option<StoredVersion>, StoreError> {
    value
        .map(|guard| StoredVersion::decode(guard.value()).ok_or(StoreError::Corrupt))
        .transpose()
}

/// What `stored` says of an offered version.
fn compare(stored: Option<StoredVersion>, version: Version, artifact: ArtifactId) -> VersionCheck {
    match stored {
        None => VersionCheck::Fresh,
        Some(stored) if version > stored.version => VersionCheck::Fresh,
        Some(stored) if version < stored.version => VersionCheck::Older(stored),
        Some(stored) if stored.artifact == artifact => VersionCheck::Same,
        Some(stored) => VersionCheck::Substituted(stored),
    }
}

/// The durable admission state.
pub struct AdmissionStore {
    db: Database,
}

impl core::fmt::Debug for AdmissionStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AdmissionStore").finish_non_exhaustive()
    }
}

impl AdmissionStore {
    /// Opens (creating if needed) the store file at `path`.
    ///
    /// A new store is built whole under a temporary name beside `path` and
    /// linked into place only once it is durable, so a crash while it is
    /// created leaves either no store or a complete one (at worst a stray
    /// `*.creating-*` file), never a file that cannot be opened. A damaged
    /// store file is a [`StoreError::Damaged`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.try_exists().map_err(io)? {
            create_atomically(path)?;
        }
        // redb asserts, rather than reports, on some truncated files: a
        // panic while opening is a damaged file, not a reason to abort.
        match std::panic::catch_unwind(|| Database::open(path)) {
            Ok(opened) => Self::init(opened.map_err(db)?),
            Err(_) => Err(StoreError::Damaged),
        }
    }

    /// A store that lives in memory only (replays, tests, simulations).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(
            Database::builder()
                .create_with_backend(redb::backends::InMemoryBackend::new())
                .map_err(db)?,
        )
    }

    fn init(db_handle: Database) -> Result<Self, StoreError> {
        let txn = db_handle.begin_write().map_err(db)?;
        txn.open_table(VERSIONS).map_err(db)?;
        txn.commit().map_err(db)?;
        Ok(Self { db: db_handle })
    }

    /// The admitted version of `key`, if any.
    pub fn get(&self, key: &DocumentKey) -> Result<Option<StoredVersion>, StoreError> {
        let txn = self.db.begin_read().map_err(db)?;
        let table = txn.open_table(VERSIONS).map_err(db)?;
        read(&table, key)
    }

    /// Compares an offered version with the admitted one.
    pub fn check(
        &self,
        key: &DocumentKey,
        version: Version,
        artifact: ArtifactId,
    ) -> Result<VersionCheck, StoreError> {
        Ok(compare(self.get(key)?, version, artifact))
    }

    /// [`Self::check`] for many offers, in one read transaction (one
    /// consistent snapshot); the answers are in the order of `offers`.
    pub fn check_all(
        &self,
        offers: &[(&DocumentKey, Version, ArtifactId)],
    ) -> Result<Vec<VersionCheck>, StoreError> {
        if offers.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin_read().map_err(db)?;
        let table = txn.open_table(VERSIONS).map_err(db)?;
        offers
            .iter()
            .map(|(key, version, artifact)| Ok(compare(read(&table, key)?, *version, *artifact)))
            .collect()
    }

    /// Records admitted versions in one atomic, durable transaction. A
    /// version never goes down: an entry lower than (or substituting) the
    /// stored one is skipped, so a caller's mistake cannot undo rollback
    /// protection. When this returns `Ok`, every entry is acknowledged.
    pub fn record(&mut self, entries: &[(DocumentKey, StoredVersion)]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        // Encoded once and inserted in key order: the B-tree then fills
        // its pages one after another instead of at random. The sort is
        // stable: of two entries for one key, the first still wins a tie.
        let mut encoded: Vec<(Vec<u8>, &StoredVersion)> =
            entries.iter().map(|(key, v)| (key.encode(), v)).collect();
        encoded.sort_by(|a, b| a.0.cmp(&b.0));
        let txn = self.db.begin_write().map_err(db)?;
        {
            let mut table = txn.open_table(VERSIONS).map_err(db)?;
            for (key, version) in &encoded {
                // One descent of the tree in the usual case (a new or
                // higher version); a version that would go down is put
                // back inside the same transaction.
                let replaced = stored(
                    table
                        .insert(key.as_slice(), version.encode().as_slice())
                        .map_err(db)?,
                )?;
                if let Some(current) = replaced.filter(|c| c.version >= version.version) {
                    table
                        .insert(key.as_slice(), current.encode().as_slice())
                        .map_err(db)?;
                }
            }
        }
        txn.commit().map_err(db)?;
        Ok(())
    }

    /// The number of documents with a stored version.
    pub fn len(&self) -> Result<usize, StoreError> {
        let txn = self.db.begin_read().map_err(db)?;
        let table = txn.open_table(VERSIONS).map_err(db)?;
        let mut count = 0usize;
        for item in table.iter().map_err(db)? {
            item.map_err(db)?;
            count += 1;
        }
        Ok(count)
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}
