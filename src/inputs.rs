//! Turning command-line arguments into a list of inputs: files, directories walked
//! recursively (only file types nianbao reads), URLs and `-` for standard input.
//!
//! Walks are safe on any tree: symbolic links are followed but a link back to an ancestor is
//! reported, not walked again (walkdir's loop detection), every file is taken once however
//! many paths lead to it (device and inode), and only regular files are read: a FIFO, socket
//! or device in a folder becomes an error row instead of a read that blocks forever.

use std::collections::HashSet;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// One input to extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A local file.
    File(PathBuf),
    /// A web page or attachment to fetch once.
    Url(String),
    /// Standard input.
    Stdin,
    /// A path found that cannot be read as a report (a FIFO, a symlink loop, an unreadable
    /// directory): reported as an error row.
    Rejected {
        /// The path.
        path: PathBuf,
        /// Why it is not read.
        reason: String,
    },
}

impl Input {
    /// How the input is named in the output.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) | Input::Rejected { path: p, .. } => p.display().to_string(),
            Input::Url(u) => u.clone(),
            Input::Stdin => "-".into(),
        }
    }
}

/// Files picked up when walking a directory: pages, text dumps and documents
/// ([`nianbao_text::filetypes`], the project's one list of file types). CSV files are left
/// out: in a folder they are more often datasets (ours included) than reports.
fn is_known(ext: &str) -> bool {
    use nianbao_text::filetypes::{type_of_ext, FileType};
    !ext.eq_ignore_ascii_case("csv")
        && matches!(
            type_of_ext(ext),
            Some(FileType::Page | FileType::Text | FileType::Document)
        )
}

fn has_known_extension(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(is_known)
}

/// Hidden files and READMEs that describe a folder of samples are not reports.
fn skipped_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n.to_ascii_uppercase().starts_with("README"))
}

/// What a special file is, for the error row.
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

fn walk(dir: &Path, out: &mut Vec<Input>, seen: &mut HashSet<(u64, u64)>) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Hidden folders are not walked (but the root is, even if its name starts with '.').
        .filter_entry(|e| e.depth() == 0 || !skipped_name(e.path()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let reason = match e.loop_ancestor() {
                    Some(a) => format!("symbolic link loop back to {} (not followed)", a.display()),
                    None => e.to_string(),
                };
                out.push(Input::Rejected { path, reason });
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let path = entry.path();
        if !ft.is_file() {
            out.push(Input::Rejected {
                path: path.to_path_buf(),
                reason: format!("{} is not read (only regular files are)", special_kind(&ft)),
            });
            continue;
        }
        if !has_known_extension(path) {
            continue;
        }
        // One file reached by several paths (links) is read once.
        match entry.metadata() {
            Ok(m) if !seen.insert((m.dev(), m.ino())) => {}
            _ => out.push(Input::File(path.to_path_buf())),
        }
    }
}

/// Expand arguments into inputs. Unreadable directories, symlink loops and special files
/// found in walks come back as [`Input::Rejected`].
pub fn collect(args: &[String]) -> Vec<Input> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in args {
        if a == "-" {
            out.push(Input::Stdin);
        } else if a.starts_with("http://") || a.starts_with("https://") {
            out.push(Input::Url(a.clone()));
        } else {
            let p = PathBuf::from(a);
            if p.is_dir() {
                walk(&p, &mut out, &mut seen);
            } else {
                // Files named explicitly are read even if special (the user asked for them).
                if let Ok(m) = std::fs::metadata(&p) {
                    seen.insert((m.dev(), m.ino()));
                }
                out.push(Input::File(p));
            }
        }
    }
    out
}

/// Read a file, refusing it before reading when it is larger than the input limit
/// ([`nianbao_text::Limits::max_input_bytes`]) and reading at most that much from a file
/// that grows or lies about its size.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let limits = nianbao_text::Limits::DEFAULT;
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    limits
        .check_input(len)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    read_limited(f, &path.display().to_string(), limits.max_input_bytes)
}

/// Read a stream up to `max` bytes (the input limit); more is an error.
pub fn read_limited(r: impl Read, name: &str, max: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    r.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    nianbao_text::limits::check("input size (bytes)", bytes.len() as u64, max)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &[Input]) -> Vec<String> {
        inputs.iter().map(Input::name).collect()
    }

    #[test]
    fn loops_links_and_fifos() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/r.txt"), "x").unwrap();
        std::fs::write(root.join("a/.hidden.txt"), "x").unwrap();
        std::fs::write(root.join("a/notes.bin"), "x").unwrap();
        // A loop to an ancestor, a loop between two folders, a second path to a file.
        std::os::unix::fs::symlink(root.join("a"), root.join("a/b/up")).unwrap();
        std::fs::create_dir_all(root.join("c")).unwrap();
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::os::unix::fs::symlink(root.join("d"), root.join("c/to_d")).unwrap();
        std::os::unix::fs::symlink(root.join("c"), root.join("d/to_c")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b/r.txt"), root.join("c/same.txt")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("a/pipe.txt"))
            .status()
            .unwrap();
        assert!(status.success());
        let inputs = collect(&[root.display().to_string()]);
        let files: Vec<&Input> = inputs
            .iter()
            .filter(|i| matches!(i, Input::File(_)))
            .collect();
        assert_eq!(files.len(), 1, "{:?}", names(&inputs));
        let rejected: Vec<(String, String)> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::Rejected { path, reason } => {
                    Some((path.display().to_string(), reason.clone()))
                }
                _ => None,
            })
            .collect();
        assert!(
            rejected
                .iter()
                .any(|(p, r)| p.ends_with("pipe.txt") && r.contains("FIFO")),
            "{rejected:?}"
        );
        assert!(
            rejected.iter().filter(|(_, r)| r.contains("loop")).count() >= 2,
            "{rejected:?}"
        );
    }

    #[test]
    fn oversized_stream_is_refused() {
        let big = std::io::repeat(b'x').take(1010);
        assert_eq!(read_limited(&b"abc"[..], "stdin", 1000).unwrap(), b"abc");
        let e = read_limited(big, "stdin", 1000).unwrap_err();
        assert!(e.contains("limit exceeded"), "{e}");
    }
}
