//! Writing files so that a crash never leaves half of one: write a temporary sibling, then
//! rename it over the target. Infrastructure below every layer (physics' cache uses it too).

use ndarray_npy::NpzWriter;
use std::fs::{self, File};
use std::io::{self, BufWriter, Cursor, Write};
use std::path::Path;

/// Write `path` through `fill`, atomically: readers see the old file or the whole new one.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // Unique per process, thread and call, so two writers of one file never share a temporary.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_file_name(format!(
        ".{}.tmp{}-{:?}-{call}",
        name.to_string_lossy(),
        std::process::id(),
        std::thread::current().id()
    ));
    let result = (|| {
        let mut writer = BufWriter::new(File::create(&tmp)?);
        fill(&mut writer)?;
        writer.flush()?;
        writer.get_ref().sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename lives in the directory: sync it so the new name survives a power cut.
        if let Some(dir) = dir {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Write an NPZ archive atomically through `fill`. The archive is built in memory first and then
/// written as one file: a zip writer dropped after a failed write (a full disk) would print
/// "ZipWriter drop failed" on its own, beside the error that says what happened.
pub fn write_npz_atomically(
    path: &Path,
    fill: impl FnOnce(&mut NpzWriter<&mut Cursor<Vec<u8>>>) -> io::Result<()>,
) -> io::Result<()> {
    let mut bytes = Cursor::new(Vec::new());
    {
        let mut npz = NpzWriter::new(&mut bytes);
        fill(&mut npz)?;
        npz.finish().map_err(io::Error::other)?;
    }
    write_atomically(path, |w| w.write_all(bytes.get_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("annealscape-atomic-{}", std::process::id()));
        let path = dir.join("x.txt");
        write_atomically(&path, |w| w.write_all(b"old")).unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
