//! A second reading of the table's value cells. Tesseract's Chinese model, reading a whole
//! page, often takes a lone digit in a wide cell for a character (`2` → `所`, `1` → `和`) or
//! drops it. Every closed cell of the ruled grid that holds ink is cut out and read again on
//! its own as one line with the English model (all in one tesseract run); where that reading
//! is a plain number, it replaces what the page reading put in the cell, unless the page
//! reading is text (a label). A wrong digit either way is caught later by the identities.

use crate::decode::GrayImage;
use crate::rules::Rule;
use crate::tesseract::Word;

/// Pixels cut off each side of a cell (the rule and its anti-aliasing).
pub const INSET: u32 = 4;
/// White margin around a cut-out cell (Tesseract reads text touching the edge badly).
pub const MARGIN: u32 = 12;

/// A closed cell of the grid, in pixels (interior, rules excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Left.
    pub x0: u32,
    /// Top.
    pub y0: u32,
    /// Right (exclusive).
    pub x1: u32,
    /// Bottom (exclusive).
    pub y1: u32,
}

fn cluster(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    let mut out: Vec<u32> = Vec::new();
    for x in v {
        match out.last() {
            Some(l) if x <= l + 4 => {}
            _ => out.push(x),
        }
    }
    out
}

/// Elementary cells with a rule on all four sides (merged cells, whose inner borders are
/// missing, are left to the page reading).
pub fn closed_cells(rules: &[Rule]) -> Vec<Cell> {
    let hs: Vec<&Rule> = rules.iter().filter(|r| r.is_horizontal()).collect();
    let vs: Vec<&Rule> = rules.iter().filter(|r| !r.is_horizontal()).collect();
    if hs.len() < 2 || vs.len() < 2 || hs.len() * vs.len() > 1_000_000 {
        return Vec::new();
    }
    let ys = cluster(hs.iter().map(|r| (r.y0 + r.y1) / 2).collect());
    let xs = cluster(vs.iter().map(|r| (r.x0 + r.x1) / 2).collect());
    let h_at = |y: u32, x: u32| {
        hs.iter()
            .any(|r| r.y0 <= y + 4 && r.y1 + 4 >= y && r.x0 <= x && r.x1 >= x)
    };
    let v_at = |x: u32, y: u32| {
        vs.iter()
            .any(|r| r.x0 <= x + 4 && r.x1 + 4 >= x && r.y0 <= y && r.y1 >= y)
    };
    let mut out = Vec::new();
    for yw in ys.windows(2) {
        for xw in xs.windows(2) {
            let (mx, my) = ((xw[0] + xw[1]) / 2, (yw[0] + yw[1]) / 2);
            if xw[1] - xw[0] < 12 || yw[1] - yw[0] < 12 {
                continue;
            }
            if h_at(yw[0], mx) && h_at(yw[1], mx) && v_at(xw[0], my) && v_at(xw[1], my) {
                out.push(Cell {
                    x0: xw[0],
                    y0: yw[0],
                    x1: xw[1],
                    y1: yw[1],
                });
            }
        }
    }
    out
}

/// The interior of a cell as its own image with a white margin, or `None` when it holds
/// almost no ink (a blank cell).
pub fn crop(img: &GrayImage, c: &Cell) -> Option<GrayImage> {
    // Stay clear of the (erased) rules and their anti-aliasing.
    let inset = INSET;
    let (x0, y0) = (c.x0 + inset, c.y0 + inset);
    let (x1, y1) = (c.x1.saturating_sub(inset), c.y1.saturating_sub(inset));
    if x1 <= x0 + 2 || y1 <= y0 + 2 || x1 > img.width() || y1 > img.height() {
        return None;
    }
    let ink = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 128)
        .count();
    if ink < 12 {
        return None;
    }
    let margin = MARGIN;
    let mut out = GrayImage::from_pixel(
        x1 - x0 + 2 * margin,
        y1 - y0 + 2 * margin,
        image::Luma([255]),
    );
    image::imageops::replace(
        &mut out,
        &*image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0),
        i64::from(margin),
        i64::from(margin),
    );
    Some(out)
}

/// Is the text a plain number (`12`, `0.5`)?
pub fn is_number(s: &str) -> bool {
    let mut parts = s.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// Does the page reading of a cell look like a label (more than two CJK characters, or a
/// longer text) rather than a misread number?
fn is_label(words: &[&Word]) -> bool {
    let text: String = words.iter().map(|w| w.text.as_str()).collect();
    let cjk = text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphabetic())
        .count();
    cjk > 2 || text.chars().count() > 8
}

fn has_cjk(words: &[Word]) -> bool {
    words
        .iter()
        .any(|w| w.text.chars().any(|c| !c.is_ascii() && c.is_alphabetic()))
}

/// Put the cell readings into the page's words (all in page pixels): `numbers[i]` is the
/// number read in `cells[i]` (`None` when it gave no plain number), `texts[i]` its reading as
/// Chinese text. A number replaces a page reading that is not a label; otherwise a Chinese
/// cell reading replaces the page reading (labels read alone come out cleaner).
pub fn merge(words: &mut Vec<Word>, cells: &[Cell], numbers: &[Option<Word>], texts: &[Vec<Word>]) {
    for (i, c) in cells.iter().enumerate() {
        let inside = |w: &Word| {
            let (cx, cy) = (w.left + w.width / 2, w.top + w.height / 2);
            cx >= c.x0 && cx < c.x1 && cy >= c.y0 && cy < c.y1
        };
        let here: Vec<&Word> = words.iter().filter(|w| inside(w)).collect();
        let label = is_label(&here);
        match (numbers.get(i).and_then(Option::as_ref), texts.get(i)) {
            (Some(n), _) if !label => {
                words.retain(|w| !inside(w));
                words.push(n.clone());
            }
            (_, Some(t)) if label && has_cjk(t) => {
                words.retain(|w| !inside(w));
                words.extend(t.iter().cloned());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(t: &str, left: u32, top: u32) -> Word {
        Word {
            text: t.into(),
            left,
            top,
            width: 20,
            height: 20,
            conf: 90.0,
        }
    }

    #[test]
    fn grid_cells_and_merging() {
        let h = |y| Rule {
            x0: 0,
            y0: y,
            x1: 300,
            y1: y + 2,
        };
        let v = |x| Rule {
            x0: x,
            y0: 0,
            x1: x + 2,
            y1: 200,
        };
        let rules = vec![h(0), h(100), h(198), v(0), v(150), v(298)];
        let cells = closed_cells(&rules);
        assert_eq!(cells.len(), 4, "{cells:?}");
        let mut words = vec![
            word("规范性文件", 10, 40),
            word("所", 200, 40),
            word("和", 200, 140),
        ];
        // The cell readings: a number for the misread cells, nothing for the label.
        let numbers: Vec<Option<Word>> = cells
            .iter()
            .map(|c| {
                (c.x0 > 100).then(|| word(if c.y0 < 50 { "2" } else { "1" }, c.x0 + 40, c.y0 + 40))
            })
            .collect();
        merge(&mut words, &cells, &numbers, &[]);
        let mut texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        texts.sort();
        assert_eq!(texts, ["1", "2", "规范性文件"]);
        assert!(is_number("0.5") && is_number("859") && !is_number("5a") && !is_number("1."));
    }
}
