//! Errors of the dataset step. Every file-system error names the file and the cause (a full
//! disk, a file-size limit), so a cron log says what to fix.

use std::path::Path;

/// Errors of the dataset step.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// Reading an archive failed.
    #[error(transparent)]
    Archive(#[from] nianbao_archive::ArchiveError),
    /// A file could not be created, written, synced or renamed.
    #[error("{path}: {cause}")]
    Io {
        /// The file or folder.
        path: String,
        /// What went wrong, in words (`disk full`, `file too large`, …) with the OS error.
        cause: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The temporary store of extracted reports failed.
    #[error("temporary report store {path}: {cause}")]
    Spill {
        /// The SQLite file.
        path: String,
        /// What went wrong.
        cause: String,
    },
    /// A Parquet file could not be written.
    #[error("{path}: {cause}")]
    Parquet {
        /// The file.
        path: String,
        /// What went wrong.
        cause: String,
    },
    /// The output folder cannot be used (it holds files that are not a dataset, …).
    #[error("{path}: {reason}")]
    Output {
        /// The folder.
        path: String,
        /// Why.
        reason: String,
    },
    /// A report or version asked for does not exist.
    #[error("{0}")]
    NotFound(String),
}

/// Words for the I/O errors a dataset writer meets in practice, before the OS message.
fn describe(e: &std::io::Error) -> String {
    let words = match e.raw_os_error() {
        Some(libc::ENOSPC) => Some("disk full"),
        Some(libc::EDQUOT) => Some("disk quota exceeded"),
        Some(libc::EFBIG) => Some("file too large (file-size limit reached)"),
        Some(libc::EROFS) => Some("read-only file system"),
        Some(libc::EACCES) | Some(libc::EPERM) => Some("permission denied"),
        _ => None,
    };
    match words {
        Some(w) => format!("{w}: {e}"),
        None => e.to_string(),
    }
}

impl DatasetError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        DatasetError::Io {
            path: path.display().to_string(),
            cause: describe(&source),
            source,
        }
    }

    /// A closure mapping an I/O error on `path`, for `map_err`.
    pub fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |e| DatasetError::io(path, e)
    }

    /// An error of the spill store at `path`.
    pub(crate) fn spill(path: &Path, e: rusqlite::Error) -> Self {
        let cause = match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => {
                format!("disk full: {e}")
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::SystemIoFailure =>
            {
                // SQLite says only "disk I/O error"; the usual causes of a failing write.
                format!("{e} (disk full or file-size limit reached?)")
            }
            _ => e.to_string(),
        };
        DatasetError::Spill {
            path: path.display().to_string(),
            cause,
        }
    }
}
