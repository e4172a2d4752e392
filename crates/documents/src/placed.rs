//! Words placed on pages by someone else (the OCR step), laid out exactly like a PDF's own
//! glyphs: the same grid rebuilt from ruling lines, the same baseline grouping and column
//! gaps, the same page joining (running headers, page numbers, tables continued over pages).

use crate::pdf::content::{Glyph, PageItems, Segment};
use crate::pdf::{assemble, layout, PageOut};
use crate::DocPart;

/// A word with its box, in page units (1/72 in) measured from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedWord {
    /// The text.
    pub text: String,
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Right edge.
    pub right: f32,
    /// Bottom edge.
    pub bottom: f32,
}

/// A ruling line, in the same coordinates as [`PlacedWord`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedRule {
    /// One end.
    pub x0: f32,
    /// One end.
    pub y0: f32,
    /// Other end.
    pub x1: f32,
    /// Other end.
    pub y1: f32,
}

/// One page of placed words and rules.
#[derive(Debug, Clone, Default)]
pub struct PlacedPage {
    /// 1-based page number.
    pub number: u32,
    /// Page width in page units.
    pub width: f32,
    /// Page height in page units.
    pub height: f32,
    /// The words.
    pub words: Vec<PlacedWord>,
    /// The rules.
    pub rules: Vec<PlacedRule>,
}

/// The glyphs of a word: one per character, spread evenly over its box, so that a word the
/// recogniser ran across a cell border is split by the grid like printed text would be.
fn glyphs(w: &PlacedWord, height: f32) -> Vec<Glyph> {
    let chars: Vec<char> = w.text.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len().max(1) as f32;
    let step = (w.right - w.left).max(0.1) / n;
    let size = (w.bottom - w.top).max(1.0);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| Glyph {
            text: c.to_string(),
            x0: w.left + step * i as f32,
            x1: w.left + step * (i as f32 + 1.0),
            // PDF space: y up, baseline at the box's bottom.
            y: height - w.bottom,
            size,
            vertical: false,
        })
        .collect()
}

/// Lay out placed pages into the lines of one document part (tables as rows of cells, text
/// as lines), as the PDF reader does.
pub fn lines_from_pages(pages: &[PlacedPage]) -> DocPart {
    let mut outs = Vec::with_capacity(pages.len());
    let mut carried: layout::Columns = None;
    for p in pages {
        let items = PageItems {
            glyphs: p.words.iter().flat_map(|w| glyphs(w, p.height)).collect(),
            segments: p
                .rules
                .iter()
                .map(|r| Segment {
                    x0: r.x0,
                    y0: p.height - r.y0,
                    x1: r.x1,
                    y1: p.height - r.y1,
                })
                .collect(),
            ..Default::default()
        };
        let chars = items.glyphs.len();
        let (blocks, cols) = layout::layout_page(&items, p.height, carried.take());
        carried = cols;
        outs.push((
            p.number,
            PageOut {
                blocks,
                height: p.height,
                chars,
                image_page: false,
                unmapped: 0,
            },
        ));
    }
    let (lines, table_pages) = assemble(outs);
    DocPart {
        name: None,
        lines,
        table_pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, left: f32, top: f32) -> PlacedWord {
        PlacedWord {
            text: text.into(),
            left,
            top,
            right: left + 10.0 * text.chars().count() as f32,
            bottom: top + 10.0,
        }
    }

    #[test]
    fn a_ruled_grid_keeps_its_blank_cell() {
        // Three rows, three columns; the middle cell of row 2 is blank.
        let mut rules = Vec::new();
        for y in [100.0, 120.0, 140.0, 160.0] {
            rules.push(PlacedRule {
                x0: 50.0,
                y0: y,
                x1: 350.0,
                y1: y,
            });
        }
        for x in [50.0, 250.0, 300.0, 350.0] {
            rules.push(PlacedRule {
                x0: x,
                y0: 100.0,
                x1: x,
                y1: 160.0,
            });
        }
        let page = PlacedPage {
            number: 1,
            width: 595.0,
            height: 842.0,
            words: vec![
                word("规章", 60.0, 105.0),
                word("3", 260.0, 105.0),
                word("4", 310.0, 105.0),
                word("规范性文件", 60.0, 125.0),
                word("7", 310.0, 125.0),
                word("其他", 60.0, 145.0),
                word("5", 260.0, 145.0),
                word("6", 310.0, 145.0),
            ],
            rules,
        };
        let part = lines_from_pages(&[page]);
        let rows: Vec<Vec<String>> = part.lines.iter().map(|l| l.cells.clone()).collect();
        assert_eq!(
            rows,
            vec![
                vec!["规章".to_string(), "3".into(), "4".into()],
                vec!["规范性文件".to_string(), "".into(), "7".into()],
                vec!["其他".to_string(), "5".into(), "6".into()],
            ]
        );
    }
}
