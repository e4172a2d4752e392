//! PDF: text with positions straight from the file (lopdf object model + our own
//! content-stream interpreter), tables rebuilt from glyph positions and ruling lines.

pub(crate) mod content;
mod fonts;
mod images;
pub(crate) mod layout;

pub(crate) use images::page_images;

use crate::{DocError, DocKind, DocPart, DocumentLines};
use layout::Block;
use lopdf::Document;
use nianbao_text::{compact, normalize, Line, LineKind};
use std::collections::{BTreeMap, HashMap};

/// Bounds that keep hostile or broken PDFs from exhausting time or memory (the project's one
/// [`nianbao_text::Limits`]).
pub(crate) use nianbao_text::Limits;

use crate::scanned::{is_image_page, MIN_TEXT_CHARS};

/// What one page gave.
pub(crate) struct PageOut {
    pub blocks: Vec<Block>,
    pub height: f32,
    pub chars: usize,
    pub image_page: bool,
    pub unmapped: u32,
}

pub(crate) fn read_pdf(bytes: &[u8]) -> Result<DocumentLines, DocError> {
    let limits = Limits::DEFAULT;
    // Object and xref streams are inflated while loading: bound each one.
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_pdf_stream_bytes),
        ..Default::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| {
        let msg = e.to_string();
        if msg.to_lowercase().contains("password") || msg.to_lowercase().contains("decrypt") {
            DocError::Encrypted(msg)
        } else {
            DocError::Parse {
                kind: DocKind::Pdf,
                detail: msg,
            }
        }
    })?;
    nianbao_text::limits::check(
        "PDF objects",
        doc.objects.len() as u64,
        limits.max_pdf_objects as u64,
    )
    .map_err(|e| crate::guard::limit(DocKind::Pdf, e))?;
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(DocError::Parse {
            kind: DocKind::Pdf,
            detail: "no pages".into(),
        });
    }
    let page_count = pages.len() as u32;
    let mut outs: Vec<(u32, PageOut)> = Vec::new();
    let mut warnings = Vec::new();
    let mut carried: layout::Columns = None;
    let mut fonts = content::FontCache::new();
    for (&num, &id) in pages.iter().take(limits.max_pdf_pages) {
        match read_page(&doc, id, &limits, &mut carried, &mut fonts) {
            Ok(p) => outs.push((num, p)),
            Err(e) => warnings.push(format!("page {num}: {e}")),
        }
    }
    if pages.len() > limits.max_pdf_pages {
        warnings.push(format!(
            "only the first {} of {} pages were read",
            limits.max_pdf_pages,
            pages.len()
        ));
    }
    if outs.is_empty() {
        return Err(DocError::Parse {
            kind: DocKind::Pdf,
            detail: warnings.join("; "),
        });
    }

    let image_pages: Vec<u32> = outs
        .iter()
        .filter(|(_, p)| p.image_page)
        .map(|(n, _)| *n)
        .collect();
    let text_chars: usize = outs.iter().map(|(_, p)| p.chars).sum();
    let unmapped: u32 = outs.iter().map(|(_, p)| p.unmapped).sum();
    let image_only = outs.iter().all(|(_, p)| p.chars < MIN_TEXT_CHARS) && !image_pages.is_empty();
    let pages_read = outs.len();
    let mut flags = Vec::new();
    if image_only {
        flags.push("image_only".to_string());
    } else if text_chars == 0 {
        flags.push("no_text".to_string());
    }
    if unmapped > 0 && (unmapped as usize) * 10 > text_chars {
        flags.push("unmapped_glyphs".to_string());
        warnings.push(format!("{unmapped} glyphs had no Unicode mapping"));
    }

    let (lines, table_pages) = assemble(outs);
    Ok(DocumentLines {
        kind: DocKind::Pdf,
        parts: vec![DocPart {
            name: None,
            lines,
            table_pages,
        }],
        page_count: Some(page_count),
        image_only,
        image_pages,
        pages_read,
        flags,
        warnings,
    })
}

fn read_page<'d>(
    doc: &'d Document,
    id: lopdf::ObjectId,
    limits: &'d Limits,
    carried: &mut layout::Columns,
    fonts: &mut content::FontCache<'d>,
) -> Result<PageOut, String> {
    let (left, bottom, right, top) = page_box(doc, id);
    let content = doc
        .get_page_content_with_limit(id, limits.max_pdf_stream_bytes)
        .map_err(|e| e.to_string())?;
    let res = page_resources(doc, id);
    let items = content::interpret_page(doc, &content, res, limits, fonts)?;
    let chars: usize = items
        .glyphs
        .iter()
        .map(|g| g.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    let page_area = ((right - left) * (top - bottom)).abs().max(1.0);
    let image_page = is_image_page(chars, items.images, items.image_area, page_area);
    let (blocks, cols) = layout::layout_page(&items, top, carried.take());
    *carried = cols;
    Ok(PageOut {
        blocks,
        height: (top - bottom).abs(),
        chars,
        image_page,
        unmapped: items.unmapped,
    })
}

/// The page's resource dictionary, inherited through the page tree when needed.
fn page_resources(doc: &Document, id: lopdf::ObjectId) -> Option<&lopdf::Dictionary> {
    let (direct, ids) = doc.get_page_resources(id).ok()?;
    if let Some(d) = direct {
        return Some(d);
    }
    ids.into_iter().find_map(|rid| doc.get_dictionary(rid).ok())
}

/// MediaBox (or CropBox) as (left, bottom, right, top); A4 when missing.
pub(crate) fn page_box(doc: &Document, id: lopdf::ObjectId) -> (f32, f32, f32, f32) {
    let mut node = doc.get_dictionary(id).ok();
    for _ in 0..32 {
        let Some(dict) = node else { break };
        for key in [b"CropBox".as_slice(), b"MediaBox".as_slice()] {
            if let Some(arr) = fonts::get(doc, dict, key).and_then(|o| o.as_array().ok()) {
                let v: Vec<f32> = arr
                    .iter()
                    .filter_map(|o| fonts::num(fonts::deref(doc, o)))
                    .collect();
                if v.len() == 4 && (v[2] - v[0]).abs() > 1.0 && (v[3] - v[1]).abs() > 1.0 {
                    return (
                        v[0].min(v[2]),
                        v[1].min(v[3]),
                        v[0].max(v[2]),
                        v[1].max(v[3]),
                    );
                }
            }
        }
        node = dict
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|pid| doc.get_dictionary(pid).ok());
    }
    (0.0, 0.0, 595.0, 842.0)
}

/// Whether a line is a page number: `-2-`, `— 2 —`, `2`, `第 2 页`, `第2页 共5页`, `2/5`, `Page 2`.
/// Is `text`, in the margin of physical page `page`, that page's number? A bare number is a
/// page number only when it is close to the page's position (cover pages shift the count):
/// a lone `0` or `12` at the bottom of page 3 is a table value cut by the page break, and
/// dropping it would shift the row. Decorated numbers (`-3-`, `第3页`, `3/5`) always are.
pub(crate) fn is_page_footer(text: &str, page: u32) -> bool {
    let t = text.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return t
            .parse::<u32>()
            .is_ok_and(|n| n >= 1 && n.abs_diff(page) <= 2);
    }
    is_page_number(text)
}

pub(crate) fn is_page_number(text: &str) -> bool {
    // Several separate digit groups ("21 0 0") are values, not a page number.
    if text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .count()
        > 2
    {
        return false;
    }
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '·' | '•'));
    if t.is_empty() {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    let inner = text
        .trim()
        .trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '·' | '•'))
        .trim();
    if digits(t) && !inner.contains(' ') {
        return true;
    }
    if let Some((a, b)) = t.split_once('/') {
        return digits(a) && digits(b);
    }
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("page") {
        return digits(rest);
    }
    if let Some(rest) = t.strip_prefix('第') {
        let mut parts = rest.split('页');
        let first = parts.next().unwrap_or("");
        let second = parts.next().unwrap_or("");
        let total_ok = second.is_empty()
            || second
                .strip_prefix('共')
                .is_some_and(|s| digits(s.trim_end_matches('页')))
            || second
                .strip_prefix(',')
                .or_else(|| second.strip_prefix('，'))
                .is_some_and(|s| {
                    s.strip_prefix('共')
                        .is_some_and(|s| digits(s.trim_end_matches('页')))
                });
        return digits(first) && total_ok;
    }
    false
}

fn joined(cells: &[String]) -> String {
    compact(&normalize(&cells.join("")))
}

/// Pages → lines: drop page numbers and running headers/footers, join tables that continue
/// on the next page and drop their repeated header rows.
pub(crate) fn assemble(pages: Vec<(u32, PageOut)>) -> (Vec<Line>, BTreeMap<u32, Vec<u32>>) {
    // Running headers/footers: the same text in the top or bottom margin on several pages.
    let mut margin_count: HashMap<String, usize> = HashMap::new();
    for (_, p) in &pages {
        let mut seen = std::collections::HashSet::new();
        for b in &p.blocks {
            if let Block::Text { cells, y } = b {
                if in_margin(*y, p.height) {
                    let key = joined(cells)
                        .chars()
                        .filter(|c| !c.is_ascii_digit())
                        .collect::<String>();
                    if !key.is_empty() && seen.insert(key.clone()) {
                        *margin_count.entry(key).or_default() += 1;
                    }
                }
            }
        }
    }
    let repeated = |cells: &[String]| {
        let key: String = joined(cells)
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        pages.len() >= 3 && margin_count.get(&key).copied().unwrap_or(0) * 2 >= pages.len()
    };

    let mut lines = Vec::new();
    let mut table_pages: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut next_table = 0u32;
    // The table the previous page ended with: its index and header rows.
    let mut open_table: Option<(u32, Vec<String>)> = None;
    for (num, page) in &pages {
        let mut first_kept = true;
        let kept: Vec<&Block> = page
            .blocks
            .iter()
            .filter(|b| match b {
                Block::Text { cells, y } => {
                    let text = cells.join(" ");
                    !(in_margin(*y, page.height)
                        && (is_page_footer(&text, *num) || repeated(cells)))
                }
                Block::Table { .. } => true,
            })
            .collect();
        let last_is_table = matches!(kept.last(), Some(Block::Table { .. }));
        for (bi, b) in kept.iter().enumerate() {
            match b {
                Block::Text { cells, .. } => {
                    let cells: Vec<String> = cells
                        .iter()
                        .map(|c| normalize(c).trim().to_string())
                        .collect();
                    lines.push(Line {
                        cells,
                        kind: LineKind::Text,
                        page: Some(*num),
                        table: None,
                    });
                    open_table = None;
                }
                Block::Table { rows, .. } => {
                    let continues = first_kept && open_table.is_some();
                    let (index, headers) = match (continues, open_table.take()) {
                        (true, Some((i, h))) => (i, h),
                        _ => {
                            let i = next_table;
                            next_table += 1;
                            (i, header_keys(rows))
                        }
                    };
                    let pages_of = table_pages.entry(index).or_default();
                    if !pages_of.contains(num) {
                        pages_of.push(*num);
                    }
                    let mut skipping = continues;
                    for row in rows {
                        let cells: Vec<String> = row
                            .iter()
                            .map(|c| normalize(c).trim().to_string())
                            .collect();
                        if skipping && headers.contains(&joined(&cells)) {
                            continue;
                        }
                        skipping = false;
                        lines.push(Line::row(cells, Some(index)).on_page(*num));
                    }
                    let is_last = bi + 1 == kept.len();
                    if is_last && last_is_table {
                        open_table = Some((index, headers));
                    }
                }
            }
            first_kept = false;
        }
    }
    (lines, table_pages)
}

/// Header rows of a table: its leading rows without any number-like cell (at most 4).
fn header_keys(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .take(4)
        .take_while(|r| !r.iter().any(|c| layout::is_number_like(c)))
        .map(|r| joined(r))
        .filter(|k| !k.is_empty())
        .collect()
}

fn in_margin(y: f32, height: f32) -> bool {
    y < 0.09 * height || y > 0.88 * height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        for s in [
            "-2-",
            "- 2 -",
            "— 3 —",
            "12",
            "第 2 页",
            "第2页共5页",
            "第2页，共5页",
            "2/5",
            "Page 3",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["2023年", "21 0 0", "1 2", "第二十条", "一、总体情况", "-"] {
            assert!(!is_page_number(s), "{s}");
        }
        // Bare numbers only near the page's own number; values cut by a page break stay.
        assert!(is_page_footer("3", 3));
        assert!(is_page_footer("2", 3));
        assert!(is_page_footer("-12-", 3));
        assert!(!is_page_footer("0", 3));
        assert!(!is_page_footer("12", 3));
        assert!(!is_page_footer("31", 3));
    }
}
