//! A document flattened for label search. Every cell is written into one buffer followed by
//! [`CELL_END`], every line by [`LINE_END`]; a parallel *compact* string (whitespace and
//! separators dropped, brackets unified) is what labels are searched in, so a label broken
//! over spaces, cells or lines (`本年新 制作数量`, `商业\n企业`) is still found. `map` takes a
//! compact byte offset back to the buffer.

use aho_corasick::AhoCorasick;
use nianbao_templates::Template;
use nianbao_text::{compact_char, Line};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Ends every cell in [`Flat::buf`].
pub const CELL_END: char = '\u{1F}';
/// Ends every line in [`Flat::buf`].
pub const LINE_END: char = '\u{1E}';

/// The flattened document.
#[derive(Debug, Default)]
pub struct Flat<'t> {
    /// Cells and separators.
    pub buf: String,
    /// Searchable form of `buf`.
    pub compact: String,
    /// `map[i]` = byte offset in `buf` of the character at compact byte offset `i`; one extra
    /// entry at the end maps `compact.len()` to `buf.len()`.
    map: Vec<usize>,
    /// Byte offset in `buf` where each line starts.
    pub line_starts: Vec<usize>,
    /// Which labels were indexed, shared with the [`LabelIndex`] (label → pattern id).
    ids: Option<Arc<FxHashMap<&'t str, usize>>>,
    /// Occurrences of every indexed label by pattern id, found in one pass
    /// ([`Flat::index_labels`]).
    hits: Vec<Vec<(usize, usize)>>,
}

/// Every label of a set of templates and an automaton that finds them all in one pass.
#[derive(Debug)]
pub struct LabelIndex<'t> {
    ac: AhoCorasick,
    /// Label → pattern id, built once and shared with every [`Flat`] (a per-document map of
    /// every label cost more than the search itself).
    ids: Arc<FxHashMap<&'t str, usize>>,
}

impl<'t> LabelIndex<'t> {
    /// Index every marker, stop, start, anchor and row label of the templates.
    pub fn new(templates: &'t [Template]) -> Option<LabelIndex<'t>> {
        let mut labels: Vec<&'t str> = Vec::new();
        for t in templates {
            let mut add = |v: &'t [String]| labels.extend(v.iter().map(String::as_str));
            add(&t.markers);
            add(&t.stops);
            add(&t.t3.start);
            add(&t.t4.start);
            for b in &t.blocks {
                add(&b.anchor);
                for r in &b.rows {
                    add(&r.labels);
                }
            }
            for r in &t.t3_rows {
                add(&r.labels);
            }
        }
        labels.retain(|l| !l.is_empty());
        labels.sort_unstable();
        labels.dedup();
        let ac = AhoCorasick::new(&labels).ok()?;
        let ids = labels.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        Some(LabelIndex {
            ac,
            ids: Arc::new(ids),
        })
    }
}

/// Lines whose text is a page number or a markdown rule carry no data and would otherwise be
/// read as values (`-2-`) or as missing markers (`---`).
fn is_furniture(cell: &str) -> bool {
    // Every furniture shape starts with one of these; most cells are rejected here without
    // the copy below (this runs on every cell of every document).
    let first = cell.chars().find(|c| !c.is_whitespace());
    if !first.is_some_and(|c| matches!(c, '-' | '—' | ':' | '=' | '|' | '第')) {
        return false;
    }
    let t: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return false;
    }
    if t.chars().all(|c| matches!(c, '-' | ':' | '=' | '|'))
        && t.chars().filter(|&c| c == '-' || c == '=').count() >= 3
    {
        return true;
    }
    let inner = t
        .trim_start_matches(['-', '—'])
        .trim_end_matches(['-', '—']);
    if inner.len() < t.len()
        && t.starts_with(['-', '—'])
        && t.ends_with(['-', '—'])
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_digit())
    {
        return true;
    }
    if let Some(r) = t.strip_prefix('第') {
        let r = r.trim_start_matches(|c: char| c.is_ascii_digit());
        if r.len() < t.len() - '第'.len_utf8() && (r == "页" || r.starts_with("页共")) {
            return true;
        }
    }
    false
}

impl<'t> Flat<'t> {
    /// Flatten lines. Cells are expected to be normalised already.
    pub fn new(lines: &[Line]) -> Flat<'t> {
        let mut f = Flat::default();
        for line in lines {
            f.line_starts.push(f.buf.len());
            for cell in &line.cells {
                if is_furniture(cell) {
                    continue;
                }
                f.buf.push_str(cell);
                f.buf.push(CELL_END);
            }
            f.buf.push(LINE_END);
        }
        f.compact.reserve(f.buf.len());
        f.map.reserve(f.buf.len() + 1);
        for (i, c) in f.buf.char_indices() {
            if let Some(k) = compact_char(c) {
                f.compact.push(k);
                for _ in 0..k.len_utf8() {
                    f.map.push(i);
                }
            }
        }
        f.map.push(f.buf.len());
        f
    }

    /// Buffer offset of a compact offset (clamped).
    pub fn to_buf(&self, compact_at: usize) -> usize {
        self.map.get(compact_at).copied().unwrap_or(self.buf.len())
    }

    /// Buffer offset just after the compact character that ends at `compact_end`.
    pub fn end_to_buf(&self, compact_end: usize) -> usize {
        if compact_end == 0 {
            return 0;
        }
        let last = self.to_buf(compact_end - 1);
        let len = self.buf[last..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(0);
        last + len
    }

    /// Find every template label in one pass; later [`Flat::find_all`] calls for template
    /// labels are lookups.
    pub fn index_labels(&mut self, index: &LabelIndex<'t>) {
        let mut hits: Vec<Vec<(usize, usize)>> = vec![Vec::new(); index.ids.len()];
        for m in index.ac.find_overlapping_iter(&self.compact) {
            if let Some(h) = hits.get_mut(m.pattern().as_usize()) {
                h.push((m.start(), m.end()));
            }
        }
        self.hits = hits;
        self.ids = Some(Arc::clone(&index.ids));
    }

    /// All occurrences of a compact needle, as compact (start, end) offsets, in order.
    pub fn find_all(&self, needle: &str) -> Vec<(usize, usize)> {
        if needle.is_empty() {
            return Vec::new();
        }
        if let Some(&i) = self.ids.as_ref().and_then(|ids| ids.get(needle)) {
            return self.hits.get(i).cloned().unwrap_or_default();
        }
        self.compact
            .match_indices(needle)
            .map(|(i, m)| (i, i + m.len()))
            .collect()
    }

    /// Index of the line containing a buffer offset.
    pub fn line_of(&self, buf_at: usize) -> usize {
        match self.line_starts.binary_search(&buf_at) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_across_spaces_and_lines() {
        let lines = vec![
            Line::text("商业"),
            Line::text("企业 | 0"),
            Line::text("-2-"),
        ];
        let f = Flat::new(&lines);
        let hits = f.find_all("商业企业");
        assert_eq!(hits.len(), 1);
        let (s, e) = hits[0];
        assert_eq!(&f.buf[f.to_buf(s)..f.end_to_buf(e)], "商业\u{1F}\u{1E}企业");
        assert!(!f.buf.contains("-2-"));
    }

    #[test]
    fn furniture_is_recognised() {
        assert!(is_furniture("-3-"));
        assert!(is_furniture("|---|---|"));
        assert!(is_furniture("第 2 页"));
        assert!(!is_furniture("-"));
        assert!(!is_furniture("-1"));
        assert!(!is_furniture("0"));
    }
}
