//! One writer at a time, and all files or none.
//!
//! A dataset is written into a fresh folder `OUT/.nianbao-sets/set-<time>-<pid>/` while an
//! exclusive lock on `OUT/.nianbao-sets/lock` is held (a second writer waits). The files in
//! `OUT` are symbolic links through `OUT/.nianbao-sets/current`, itself a symbolic link to
//! one complete set: publishing a new set is one `rename` of that link, so every file switches
//! at once and a kill at any moment leaves either the old set or the new one. Other things in
//! `OUT` (an archive, notes) are never touched. Old sets are deleted after the switch, and
//! sets and temporary stores left by a killed writer are deleted by the next one.

use crate::DatasetError;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Hidden folder of `OUT` holding the sets, the lock and the `current` link.
pub const SETS: &str = ".nianbao-sets";
const CURRENT: &str = "current";

/// A dataset being written into a fresh set under `OUT`.
#[derive(Debug)]
pub struct Publication {
    out: PathBuf,
    sets: PathBuf,
    set_name: String,
    /// The exclusive lock on `OUT/.nianbao-sets/lock`, released when dropped.
    _lock: File,
}

fn unique_suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}{:09}-{}",
        t.as_secs(),
        t.subsec_nanos(),
        std::process::id()
    )
}

fn sync_dir(dir: &Path) -> Result<(), DatasetError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(DatasetError::io_at(dir))
}

/// Replace `link` by a symbolic link to `target`, atomically (a new link renamed over it).
fn put_link(target: &Path, link: &Path) -> Result<(), DatasetError> {
    let tmp = link.with_file_name(format!(
        ".{}.link-{}",
        link.file_name().and_then(|n| n.to_str()).unwrap_or("x"),
        unique_suffix()
    ));
    std::os::unix::fs::symlink(target, &tmp).map_err(DatasetError::io_at(&tmp))?;
    std::fs::rename(&tmp, link).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DatasetError::io(link, e)
    })
}

impl Publication {
    /// Lock `out` (waiting for another writer), clean up what a killed writer left, and
    /// create a fresh set folder.
    pub fn begin(out: &Path) -> Result<Publication, DatasetError> {
        if out.exists() && !out.is_dir() {
            return Err(DatasetError::Output {
                path: out.display().to_string(),
                reason: "exists and is not a folder".into(),
            });
        }
        let sets = out.join(SETS);
        std::fs::create_dir_all(&sets).map_err(DatasetError::io_at(&sets))?;
        let lock_path = sets.join("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(DatasetError::io_at(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::warn!(out = %out.display(), "another nianbao is writing this dataset; waiting");
                lock.lock().map_err(DatasetError::io_at(&lock_path))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(DatasetError::io(&lock_path, e)),
        }
        let p = Publication {
            out: out.to_path_buf(),
            sets,
            set_name: format!("set-{}", unique_suffix()),
            _lock: lock,
        };
        p.remove_stale()?;
        let dir = p.dir();
        std::fs::create_dir(&dir).map_err(DatasetError::io_at(&dir))?;
        Ok(p)
    }

    /// The folder to write the new set into.
    pub fn dir(&self) -> PathBuf {
        self.sets.join(&self.set_name)
    }

    /// A path for a temporary file of this writer (deleted by the next writer if left).
    pub fn temp_path(&self, what: &str) -> PathBuf {
        self.sets.join(format!(
            "tmp-{}-{what}",
            self.set_name.trim_start_matches("set-")
        ))
    }

    fn current_target(&self) -> Option<String> {
        std::fs::read_link(self.sets.join(CURRENT))
            .ok()
            .and_then(|t| t.to_str().map(str::to_string))
    }

    /// Delete sets other than the current one and temporary files (only writers create them,
    /// and the lock says no other writer runs).
    fn remove_stale(&self) -> Result<(), DatasetError> {
        let current = self.current_target();
        let rd = std::fs::read_dir(&self.sets).map_err(DatasetError::io_at(&self.sets))?;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let stale = (name.starts_with("set-") && Some(&name) != current.as_ref())
                || name.starts_with("tmp-")
                || name.starts_with(".current.link-");
            if stale {
                let p = e.path();
                let r = if p.is_dir() && !p.is_symlink() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                r.map_err(DatasetError::io_at(&p))?;
            }
        }
        // Half-made links of a killed writer (see `put_link`).
        let rd = std::fs::read_dir(&self.out).map_err(DatasetError::io_at(&self.out))?;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') && name.contains(".link-") && e.path().is_symlink() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(())
    }

    /// Switch `OUT` to the new set: every file of it appears at once.
    pub fn commit(self) -> Result<(), DatasetError> {
        let dir = self.dir();
        let entries: Vec<String> = std::fs::read_dir(&dir)
            .map_err(DatasetError::io_at(&dir))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        for e in &entries {
            let p = dir.join(e);
            if p.is_dir() {
                sync_dir(&p)?;
            }
        }
        sync_dir(&dir)?;
        // Links in OUT go through `current`, so they never need to change with a new set;
        // one made for a file new in this set dangles until the switch below.
        for e in &entries {
            let link = self.out.join(e);
            let target = Path::new(SETS).join(CURRENT).join(e);
            let ok = std::fs::read_link(&link).is_ok_and(|t| t == target);
            if !ok {
                if link.is_dir() && !link.is_symlink() {
                    return Err(DatasetError::Output {
                        path: link.display().to_string(),
                        reason: "is a folder that is not part of a nianbao dataset; \
                                 move it away or choose another --out"
                            .into(),
                    });
                }
                put_link(&target, &link)?;
            }
        }
        sync_dir(&self.out)?;
        let old = self.current_target();
        // The switch.
        put_link(Path::new(&self.set_name), &self.sets.join(CURRENT))?;
        sync_dir(&self.sets)?;
        // Links to files the new set no longer has (e.g. parquet/ after --format csv).
        if let Some(old) = &old {
            if let Ok(rd) = std::fs::read_dir(self.sets.join(old)) {
                for e in rd.flatten() {
                    let name = e.file_name();
                    if !entries.iter().any(|n| std::ffi::OsStr::new(n) == name) {
                        let link = self.out.join(&name);
                        if std::fs::read_link(&link)
                            .is_ok_and(|t| t == Path::new(SETS).join(CURRENT).join(&name))
                        {
                            let _ = std::fs::remove_file(&link);
                        }
                    }
                }
            }
            let old_dir = self.sets.join(old);
            if old_dir.is_dir() {
                std::fs::remove_dir_all(&old_dir).map_err(DatasetError::io_at(&old_dir))?;
            }
        }
        Ok(())
    }
}

impl Drop for Publication {
    fn drop(&mut self) {
        // A set that was not committed is deleted; after a commit `dir()` is `current`.
        if self.current_target().as_deref() != Some(self.set_name.as_str()) {
            let _ = std::fs::remove_dir_all(self.dir());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Publication, name: &str, body: &str) {
        std::fs::write(p.dir().join(name), body).expect("write");
    }

    #[test]
    fn sets_switch_together_and_foreign_entries_stay() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("archive")).expect("mkdir");
        std::fs::write(out.join("archive/index.sqlite"), "db").expect("w");
        std::fs::write(out.join("reports.csv"), "old layout").expect("w");
        let p = Publication::begin(&out).expect("begin");
        write(&p, "reports.csv", "r1");
        write(&p, "cells.csv", "c1");
        std::fs::create_dir(p.dir().join("parquet")).expect("mkdir");
        write(&p, "parquet/reports.parquet", "p1");
        p.commit().expect("commit");
        let read = |n: &str| std::fs::read_to_string(out.join(n)).expect(n);
        assert_eq!(read("reports.csv"), "r1");
        assert_eq!(read("cells.csv"), "c1");
        assert_eq!(read("parquet/reports.parquet"), "p1");
        assert_eq!(read("archive/index.sqlite"), "db");

        let p = Publication::begin(&out).expect("begin 2");
        write(&p, "reports.csv", "r2");
        write(&p, "cells.csv", "c2");
        // Not committed: dropping it leaves the first set.
        drop(p);
        assert_eq!(read("reports.csv"), "r1");

        let p = Publication::begin(&out).expect("begin 3");
        write(&p, "reports.csv", "r3");
        write(&p, "cells.csv", "c3");
        p.commit().expect("commit 3");
        assert_eq!(read("reports.csv"), "r3");
        assert_eq!(read("cells.csv"), "c3");
        assert!(!out.join("parquet").exists() && !out.join("parquet").is_symlink());
        let sets: Vec<_> = std::fs::read_dir(out.join(SETS))
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("set-"))
            .collect();
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert_eq!(read("archive/index.sqlite"), "db");
    }

    #[test]
    fn a_foreign_folder_with_a_dataset_name_is_an_error() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("parquet")).expect("mkdir");
        let p = Publication::begin(&out).expect("begin");
        std::fs::create_dir(p.dir().join("parquet")).expect("mkdir");
        let e = p.commit().expect_err("foreign folder").to_string();
        assert!(e.contains("not part of a nianbao dataset"), "{e}");
    }
}
