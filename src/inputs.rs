//! Turning command-line arguments into a list of inputs: files, directories walked
//! recursively (only file types nianbao reads), URLs and `-` for standard input.

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
}

impl Input {
    /// How the input is named in the output.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
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

fn walk(dir: &Path, out: &mut Vec<Input>, errors: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        // Hidden files and READMEs that describe a folder of samples are not reports.
        let skip = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.to_ascii_uppercase().starts_with("README"));
        if skip {
            continue;
        }
        if p.is_dir() {
            walk(&p, out, errors);
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(is_known) {
            out.push(Input::File(p));
        }
    }
}

/// Expand arguments into inputs; unreadable directories are reported, not fatal.
pub fn collect(args: &[String]) -> (Vec<Input>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        if a == "-" {
            out.push(Input::Stdin);
        } else if a.starts_with("http://") || a.starts_with("https://") {
            out.push(Input::Url(a.clone()));
        } else {
            let p = PathBuf::from(a);
            if p.is_dir() {
                walk(&p, &mut out, &mut errors);
            } else {
                out.push(Input::File(p));
            }
        }
    }
    (out, errors)
}
