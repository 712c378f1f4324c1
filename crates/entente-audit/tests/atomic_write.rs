//! `atomic_write` with a bare file name (its parent is the empty path). Its
//! own test binary: it changes the working directory.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn bare_file_name_written_in_the_working_directory_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    entente_audit::atomic_write(Path::new("state.bin"), b"one").unwrap();
    entente_audit::atomic_write(Path::new("state.bin"), b"two").unwrap();
    assert_eq!(std::fs::read(dir.path().join("state.bin")).unwrap(), b"two");
    assert!(!dir.path().join("state.bin.tmp").exists());
}
