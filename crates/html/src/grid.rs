//! Tables as grids. Cells are placed with the HTML table algorithm (a cell goes to the first
//! free slot of its row; `rowspan`/`colspan` reserve slots below and to the right), so every
//! slot of the grid knows which source cell covers it.
//!
//! Span attributes on real pages are messy (`colspan="2;"`, `rowspan="0"`, `colspan="999"`), so
//! they are parsed leniently and clamped: the leading digits count, 0 rowspan means "to the end
//! of the table" as in HTML, 0 colspan means 1, and a span never reaches past [`MAX_COLSPAN`]
//! columns or below the table's last row.
//!
//! The aligner does not get the grid: it gets one [`Line`] per row holding each source cell once,
//! in reading order ([`Grid::lines`]). The grid is exposed for callers that want geometry.

use nianbao_text::Line;
use serde::Serialize;

/// Widest span honoured; wider values are clamped. Real report tables have at most ~16 columns.
pub const MAX_COLSPAN: usize = 64;

/// One source cell and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Cell text, normalised; `""` for a blank cell (`&nbsp;`).
    pub text: String,
    /// 0-based row of the top-left slot.
    pub row: usize,
    /// 0-based column of the top-left slot.
    pub col: usize,
    /// Rows covered (after clamping), at least 1.
    pub rowspan: usize,
    /// Columns covered (after clamping), at least 1.
    pub colspan: usize,
    /// True for `<th>`.
    pub header: bool,
}

/// A table with its cells placed on a grid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grid {
    /// Number of rows (`<tr>` elements that produced or received cells).
    pub n_rows: usize,
    /// Number of columns (widest extent of any row).
    pub n_cols: usize,
    /// Source cells in reading order (row by row, left to right).
    pub cells: Vec<Cell>,
    /// The table's `<caption>`, if any.
    pub caption: Option<String>,
    #[serde(skip)]
    slots: Vec<Vec<Option<usize>>>,
}

/// A cell as read from the page, before placement.
#[derive(Debug, Clone, Default)]
pub struct RawCell {
    /// Cell text.
    pub text: String,
    /// The `rowspan` attribute as written.
    pub rowspan: Option<String>,
    /// The `colspan` attribute as written.
    pub colspan: Option<String>,
    /// True for `<th>`.
    pub header: bool,
}

/// Parse a span attribute leniently: leading digits (`"2;"` → 2), anything else → `None`.
pub fn parse_span(attr: Option<&str>) -> Option<usize> {
    let s = attr?.trim();
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    digits.parse().ok()
}

impl Grid {
    /// Place rows of raw cells on a grid.
    pub fn build(rows: Vec<Vec<RawCell>>, caption: Option<String>) -> Grid {
        let n_rows = rows.len();
        let mut slots: Vec<Vec<Option<usize>>> = vec![Vec::new(); n_rows];
        let mut cells = Vec::new();
        let mut n_cols = 0;
        for (r, row) in rows.into_iter().enumerate() {
            let mut c = 0;
            for raw in row {
                while slots[r].get(c).is_some_and(|s| s.is_some()) {
                    c += 1;
                }
                let colspan = parse_span(raw.colspan.as_deref())
                    .unwrap_or(1)
                    .clamp(1, MAX_COLSPAN);
                let left = n_rows - r;
                let rowspan = match parse_span(raw.rowspan.as_deref()) {
                    Some(0) => left,
                    Some(n) => n.clamp(1, left),
                    None => 1,
                };
                let idx = cells.len();
                for slot_row in slots.iter_mut().skip(r).take(rowspan) {
                    if slot_row.len() < c + colspan {
                        slot_row.resize(c + colspan, None);
                    }
                    for slot in slot_row.iter_mut().skip(c).take(colspan) {
                        // A slot already taken by an overlapping span keeps its first owner.
                        if slot.is_none() {
                            *slot = Some(idx);
                        }
                    }
                }
                cells.push(Cell {
                    text: raw.text,
                    row: r,
                    col: c,
                    rowspan,
                    colspan,
                    header: raw.header,
                });
                c += colspan;
                n_cols = n_cols.max(c);
            }
        }
        for row in &mut slots {
            row.resize(n_cols, None);
        }
        Grid {
            n_rows,
            n_cols,
            cells,
            caption,
            slots,
        }
    }

    /// The cell covering slot (`row`, `col`), if any.
    pub fn at(&self, row: usize, col: usize) -> Option<&Cell> {
        let idx = (*self.slots.get(row)?.get(col)?)?;
        self.cells.get(idx)
    }

    /// Cells whose top-left slot is in `row`, left to right.
    pub fn row(&self, row: usize) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(move |c| c.row == row)
    }

    /// The grid as a rectangle of texts, spanned cells repeated in every slot they cover and
    /// empty strings where no cell reaches.
    pub fn matrix(&self) -> Vec<Vec<String>> {
        (0..self.n_rows)
            .map(|r| {
                (0..self.n_cols)
                    .map(|c| self.at(r, c).map(|x| x.text.clone()).unwrap_or_default())
                    .collect()
            })
            .collect()
    }

    /// One line per row for the aligner: the cells starting in that row, each once, in reading
    /// order. Rows that only hold continuations of cells from above produce no line.
    pub fn lines(&self, table: u32) -> Vec<Line> {
        let mut out: Vec<Line> = Vec::with_capacity(self.n_rows);
        let mut cur: Option<(usize, Vec<String>)> = None;
        for cell in &self.cells {
            match &mut cur {
                Some((r, v)) if *r == cell.row => v.push(cell.text.clone()),
                _ => {
                    if let Some((_, v)) = cur.take() {
                        out.push(Line::row(v, Some(table)));
                    }
                    cur = Some((cell.row, vec![cell.text.clone()]));
                }
            }
        }
        if let Some((_, v)) = cur {
            out.push(Line::row(v, Some(table)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(t: &str, rs: Option<&str>, cs: Option<&str>) -> RawCell {
        RawCell {
            text: t.into(),
            rowspan: rs.map(Into::into),
            colspan: cs.map(Into::into),
            header: false,
        }
    }

    #[test]
    fn spans_place_cells_like_a_browser() {
        // The Table 三 header: corner 3x3, then 申请人情况 over 7 columns.
        let rows = vec![
            vec![
                raw("corner", Some("3"), Some("3")),
                raw("申请人情况", None, Some("7")),
            ],
            vec![
                raw("自然人", Some("2"), None),
                raw("法人或其他组织", None, Some("5")),
                raw("总计", Some("2"), None),
            ],
            vec![
                raw("商业企业", None, None),
                raw("科研机构", None, None),
                raw("社会公益组织", None, None),
                raw("法律服务机构", None, None),
                raw("其他", None, None),
            ],
        ];
        let g = Grid::build(rows, None);
        assert_eq!((g.n_rows, g.n_cols), (3, 10));
        assert_eq!(g.at(2, 4).map(|c| c.text.as_str()), Some("商业企业"));
        assert_eq!(g.at(2, 3).map(|c| c.text.as_str()), Some("自然人"));
        assert_eq!(g.at(2, 9).map(|c| c.text.as_str()), Some("总计"));
        let lines = g.lines(0);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].cells, vec!["自然人", "法人或其他组织", "总计"]);
    }

    #[test]
    fn malformed_spans_are_clamped() {
        assert_eq!(parse_span(Some("2;")), Some(2));
        assert_eq!(parse_span(Some(" 3 ")), Some(3));
        assert_eq!(parse_span(Some("abc")), None);
        assert_eq!(parse_span(Some("99999999999999")), Some(999999));
        let rows = vec![
            vec![
                raw("a", Some("0"), Some("0")),
                raw("b", Some("1000"), Some("100000")),
            ],
            vec![raw("c", None, None)],
        ];
        let g = Grid::build(rows, None);
        assert_eq!(g.cells[0].rowspan, 2);
        assert_eq!(g.cells[0].colspan, 1);
        assert_eq!(g.cells[1].colspan, MAX_COLSPAN);
        assert_eq!(g.cells[1].rowspan, 2);
        // "c" lands after both spans.
        assert_eq!(g.cells[2].col, 1 + MAX_COLSPAN);
        assert_eq!(g.matrix()[1][0], "a");
    }

    #[test]
    fn rows_of_continuations_give_no_line() {
        let rows = vec![
            vec![raw("x", Some("2"), None), raw("y", Some("2"), None)],
            vec![],
        ];
        let g = Grid::build(rows, None);
        assert_eq!(g.lines(3).len(), 1);
        assert_eq!(g.lines(3)[0].table, Some(3));
    }
}
