//! The aligner (work in progress).
mod report;
pub use report::{CharsetInfo, Check, Format, Report, Value};
use nianbao_text::Line;

/// Extract a report from lines produced by any reader.
pub fn extract_lines(lines: &[Line], source: &str) -> Report {
    let _ = lines;
    Report { source: source.to_string(), ..Default::default() }
}

/// Extract a report from plain (already decoded) text.
pub fn extract_text(text: &str, source: &str) -> Report {
    let norm = nianbao_text::normalize(text);
    extract_lines(&nianbao_text::split_text(&norm), source)
}
