//! The common currency between readers and the aligner: a document is a sequence of
//! [`Line`]s, each a row of cells. Text readers emit one line per text line (split at `|`
//! when the text uses pipes), HTML and Office readers one line per table row, PDF readers one
//! line per baseline. The aligner never needs to know which reader produced a line.

use serde::Serialize;

/// Where a line came from; kept for provenance and used by the aligner as a hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A line of running text (possibly a flattened table row).
    #[default]
    Text,
    /// A row of a structured table (HTML `<tr>`, DOCX `w:tr`, spreadsheet row).
    TableRow,
}

/// One row of cells. A cell is the text of one source cell; an empty string is a blank cell
/// (`&nbsp;`, `| |`), which the aligner treats as a missing value, never as 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    /// Cell texts in reading order (spanned cells appear once).
    pub cells: Vec<String>,
    /// What kind of source structure produced the line.
    pub kind: LineKind,
    /// 1-based page number for paginated sources (PDF), else `None`.
    pub page: Option<u32>,
    /// 0-based index of the source table for structured sources, else `None`.
    pub table: Option<u32>,
}

impl Line {
    /// A text line holding a single cell.
    pub fn text(s: impl Into<String>) -> Self {
        Line {
            cells: vec![s.into()],
            ..Default::default()
        }
    }

    /// A table row from cell texts.
    pub fn row(cells: Vec<String>, table: Option<u32>) -> Self {
        Line {
            cells,
            kind: LineKind::TableRow,
            page: None,
            table,
        }
    }

    /// Set the page number (builder style).
    pub fn on_page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
}

/// Split plain text into lines the way flattened reports need it: a line containing `|` is
/// split into cells at every `|` (one leading and one trailing pipe are delimiters, not
/// cells); other lines become one cell each. Empty lines are kept as lines with one empty
/// cell because in one-cell-per-line dumps an empty line can be an empty cell.
pub fn split_text(text: &str) -> Vec<Line> {
    text.lines().map(split_text_line).collect()
}

/// Split one line of text; see [`split_text`].
pub fn split_text_line(line: &str) -> Line {
    let t = line.trim();
    if !t.contains('|') {
        return Line::text(line.trim_end());
    }
    let mut inner = t;
    if let Some(rest) = inner.strip_prefix('|') {
        inner = rest;
    }
    if let Some(rest) = inner.strip_suffix('|') {
        inner = rest;
    }
    let cells = if inner.chars().all(|c| c == '|' || c.is_whitespace()) {
        // A line made only of pipes: a row break or span artefact, no cells.
        Vec::new()
    } else {
        inner.split('|').map(|c| c.trim().to_string()).collect()
    };
    Line {
        cells,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_are_delimiters() {
        assert_eq!(
            split_text_line("规章 | 0 | 0 | 0 |").cells,
            vec!["规章", "0", "0", "0"]
        );
        assert_eq!(
            split_text_line("| 信息内容 | 本年制发件数 | ||").cells,
            vec!["信息内容", "本年制发件数", "", ""]
        );
        assert_eq!(split_text_line("0 |").cells, vec!["0"]);
        assert!(split_text_line("|||").cells.is_empty());
        assert!(split_text_line("|").cells.is_empty());
        assert_eq!(
            split_text_line("no pipes here").cells,
            vec!["no pipes here"]
        );
    }
}
