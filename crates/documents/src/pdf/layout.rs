//! Layout: glyphs and ruling lines of one page → rows of cells.
//!
//! Where ruling lines enclose a table, the table grid is rebuilt from them: the distinct x of
//! the vertical rules and y of the horizontal rules give elementary cells, and a missing rule
//! between two neighbours merges them (a row- or column-spanning cell). Every glyph goes to
//! the cell under its centre, so a label wrapped over several visual lines is one cell again
//! and a blank cell stays an empty string. Rows are emitted top to bottom, each spanning cell
//! once, in the row where it starts (as in HTML).
//!
//! Text outside ruled tables (and tables without rules) is grouped into visual lines by
//! baseline and split into cells at wide horizontal gaps, like `pdftotext -layout`.

use super::content::{Glyph, PageItems};

/// Tolerance for "same coordinate" of rules, in page units (1/72 in).
const RULE_TOL: f32 = 2.0;

/// A glyph in top-down page coordinates.
#[derive(Debug, Clone)]
struct G {
    text: String,
    x0: f32,
    x1: f32,
    /// Baseline (or centre line for vertical glyphs), top-down.
    y: f32,
    /// Vertical centre, top-down.
    cy: f32,
    size: f32,
    vertical: bool,
}

impl G {
    fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

/// One output block of a page, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A visual line of free text, split into cells at wide gaps.
    Text { cells: Vec<String>, y: f32 },
    /// A ruled table: rows of cells.
    Table {
        rows: Vec<Vec<String>>,
        top: f32,
        bottom: f32,
    },
}

impl Block {
    fn y(&self) -> f32 {
        match self {
            Block::Text { y, .. } => *y,
            Block::Table { top, .. } => *top,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct HRule {
    y: f32,
    x0: f32,
    x1: f32,
}

#[derive(Debug, Clone, Copy)]
struct VRule {
    x: f32,
    y0: f32,
    y1: f32,
}

/// Column sets of unruled tables carried from one page to the next.
pub(crate) type Columns = Option<Vec<(f32, f32)>>;

/// Lay out one page. `top` is the y of the page's upper edge in PDF space; `carried` are the
/// columns of an unruled table open at the end of the previous page; the columns open at the
/// end of this page are returned with the blocks.
pub(crate) fn layout_page(items: &PageItems, top: f32, carried: Columns) -> (Vec<Block>, Columns) {
    let glyphs: Vec<G> = items
        .glyphs
        .iter()
        .map(|g: &Glyph| {
            let y = top - g.y;
            let size = g.size.max(0.5);
            let cy = if g.vertical { y } else { y - 0.35 * size };
            G {
                text: g.text.clone(),
                x0: g.x0,
                x1: g.x1.max(g.x0 + 0.1),
                y,
                cy,
                size,
                vertical: g.vertical,
            }
        })
        .collect();

    let (hs, vs) = rules(items, top);
    let mut used = vec![false; glyphs.len()];
    let mut blocks = Vec::new();
    for (th, tv) in tables(&hs, &vs) {
        if let Some(block) = grid_table(&th, &tv, &glyphs, &mut used) {
            blocks.push(block);
        }
    }
    let free: Vec<G> = glyphs
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(g, _)| g.clone())
        .collect();
    let (text, carried) = text_lines(&free, carried);
    blocks.extend(text);
    blocks.sort_by(|a, b| a.y().total_cmp(&b.y()));
    (blocks, carried)
}

/// Horizontal and vertical rules in top-down coordinates, collinear pieces merged.
fn rules(items: &PageItems, top: f32) -> (Vec<HRule>, Vec<VRule>) {
    let mut hs = Vec::new();
    let mut vs = Vec::new();
    for s in &items.segments {
        let (x0, x1) = (s.x0.min(s.x1), s.x0.max(s.x1));
        let (y0, y1) = (top - s.y0.max(s.y1), top - s.y0.min(s.y1));
        if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
            continue;
        }
        if y1 - y0 <= 1.0 && x1 - x0 >= 3.0 {
            hs.push(HRule {
                y: (y0 + y1) / 2.0,
                x0,
                x1,
            });
        } else if x1 - x0 <= 1.0 && y1 - y0 >= 3.0 {
            vs.push(VRule {
                x: (x0 + x1) / 2.0,
                y0,
                y1,
            });
        }
    }
    let mh = merge_collinear(hs.into_iter().map(|h| (h.y, h.x0, h.x1)).collect())
        .into_iter()
        .map(|(y, x0, x1)| HRule { y, x0, x1 })
        .collect();
    let mv = merge_collinear(vs.into_iter().map(|v| (v.x, v.y0, v.y1)).collect())
        .into_iter()
        .map(|(x, y0, y1)| VRule { x, y0, y1 })
        .collect();
    (mh, mv)
}

/// Merge collinear pieces `(position, from, to)`: pieces whose positions are within 1 unit
/// form a group; within a group, overlapping or touching intervals are joined.
fn merge_collinear(mut segs: Vec<(f32, f32, f32)>) -> Vec<(f32, f32, f32)> {
    segs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let mut j = i + 1;
        while j < segs.len() && segs[j].0 - segs[j - 1].0 <= 1.0 {
            j += 1;
        }
        let group = &mut segs[i..j];
        let pos = group.iter().map(|s| s.0).sum::<f32>() / group.len() as f32;
        group.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut cur: Option<(f32, f32)> = None;
        for &(_, a, b) in group.iter() {
            cur = match cur {
                Some((c0, c1)) if a <= c1 + RULE_TOL => Some((c0, c1.max(b))),
                Some((c0, c1)) => {
                    out.push((pos, c0, c1));
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((c0, c1)) = cur {
            out.push((pos, c0, c1));
        }
        i = j;
    }
    out
}

struct Uf(Vec<usize>);

impl Uf {
    fn new(n: usize) -> Uf {
        Uf((0..n).collect())
    }
    fn find(&mut self, mut a: usize) -> usize {
        while self.0[a] != a {
            self.0[a] = self.0[self.0[a]];
            a = self.0[a];
        }
        a
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Group rules into tables: connected sets of crossing rules with at least two of each kind.
fn tables(hs: &[HRule], vs: &[VRule]) -> Vec<(Vec<HRule>, Vec<VRule>)> {
    if hs.len() < 2 || vs.len() < 2 || hs.len() * vs.len() > 4_000_000 {
        return Vec::new();
    }
    let n = hs.len() + vs.len();
    let mut uf = Uf::new(n);
    for (i, h) in hs.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            if v.x >= h.x0 - RULE_TOL
                && v.x <= h.x1 + RULE_TOL
                && h.y >= v.y0 - RULE_TOL
                && h.y <= v.y1 + RULE_TOL
            {
                uf.union(i, hs.len() + j);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<HRule>, Vec<VRule>)> =
        Default::default();
    for (i, h) in hs.iter().enumerate() {
        let r = uf.find(i);
        groups.entry(r).or_default().0.push(*h);
    }
    for (j, v) in vs.iter().enumerate() {
        let r = uf.find(hs.len() + j);
        groups.entry(r).or_default().1.push(*v);
    }
    groups
        .into_values()
        .filter(|(h, v)| h.len() >= 2 && v.len() >= 2)
        .collect()
}

fn cluster(mut vals: Vec<f32>) -> Vec<f32> {
    vals.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for v in vals {
        match out.last() {
            Some(l) if v - *l <= RULE_TOL => {}
            _ => out.push(v),
        }
    }
    out
}

fn extend_bounds(vals: &mut Vec<f32>, lo: f32, hi: f32) {
    if let (Some(first), true) = (vals.first().copied(), lo.is_finite()) {
        if lo < first - 3.0 {
            vals.insert(0, lo);
        }
    }
    if let (Some(last), true) = (vals.last().copied(), hi.is_finite()) {
        if hi > last + 3.0 {
            vals.push(hi);
        }
    }
}

/// Rebuild one ruled table. Returns `None` (leaving its glyphs free) when the rules do not
/// make a usable grid.
fn grid_table(hs: &[HRule], vs: &[VRule], glyphs: &[G], used: &mut [bool]) -> Option<Block> {
    let mut xs = cluster(vs.iter().map(|v| v.x).collect());
    let mut ys = cluster(hs.iter().map(|h| h.y).collect());
    // A table cut by a page break often lacks its closing rule (or a border column its outer
    // rule): the other rules' extents close the grid.
    extend_bounds(
        &mut ys,
        vs.iter().map(|v| v.y0).fold(f32::MAX, f32::min),
        vs.iter().map(|v| v.y1).fold(f32::MIN, f32::max),
    );
    extend_bounds(
        &mut xs,
        hs.iter().map(|h| h.x0).fold(f32::MAX, f32::min),
        hs.iter().map(|h| h.x1).fold(f32::MIN, f32::max),
    );
    if xs.len() < 2 || ys.len() < 2 || xs.len() > 120 || ys.len() > 1000 {
        return None;
    }
    let (ncols, nrows) = (xs.len() - 1, ys.len() - 1);
    if ncols * nrows < 2 {
        return None; // a frame around text is not a table
    }
    let v_edge = |k: usize, r: usize| {
        let mid = (ys[r] + ys[r + 1]) / 2.0;
        vs.iter()
            .any(|v| (v.x - xs[k]).abs() <= RULE_TOL && v.y0 <= mid && v.y1 >= mid)
    };
    let h_edge = |k: usize, c: usize| {
        let mid = (xs[c] + xs[c + 1]) / 2.0;
        hs.iter()
            .any(|h| (h.y - ys[k]).abs() <= RULE_TOL && h.x0 <= mid && h.x1 >= mid)
    };
    let mut uf = Uf::new(ncols * nrows);
    for r in 0..nrows {
        for c in 0..ncols {
            if c + 1 < ncols && !v_edge(c + 1, r) {
                uf.union(r * ncols + c, r * ncols + c + 1);
            }
            if r + 1 < nrows && !h_edge(r + 1, c) {
                uf.union(r * ncols + c, (r + 1) * ncols + c);
            }
        }
    }
    // Bounding cells of each merged region.
    let mut span: std::collections::HashMap<usize, (usize, usize, usize, usize)> =
        Default::default();
    for r in 0..nrows {
        for c in 0..ncols {
            let root = uf.find(r * ncols + c);
            let e = span.entry(root).or_insert((r, c, r, c));
            e.0 = e.0.min(r);
            e.1 = e.1.min(c);
            e.2 = e.2.max(r);
            e.3 = e.3.max(c);
        }
    }
    let (left, right, top, bottom) = (xs[0], xs[ncols], ys[0], ys[nrows]);
    let mut members: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    let mut taken = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        if used[i] {
            continue;
        }
        let (cx, cy) = (g.cx(), g.cy);
        if cx < left - 1.0 || cx > right + 1.0 || cy < top - 1.0 || cy > bottom + 1.0 {
            continue;
        }
        let c = xs
            .partition_point(|x| *x <= cx)
            .saturating_sub(1)
            .min(ncols - 1);
        let r = ys
            .partition_point(|y| *y <= cy)
            .saturating_sub(1)
            .min(nrows - 1);
        let root = uf.find(r * ncols + c);
        members.entry(root).or_default().push(i);
        taken.push(i);
    }
    if taken.is_empty() {
        return None;
    }
    // A merged cell spanning rows that holds several numbers on separate lines means the
    // rules are incomplete (e.g. a three-line table): the grid would glue rows together.
    for (root, ids) in &members {
        let (r0, _, r1, _) = span.get(root).copied().unwrap_or((0, 0, 0, 0));
        if r1 > r0 {
            let cell: Vec<G> = ids.iter().map(|&i| glyphs[i].clone()).collect();
            let lines = baseline_lines(&cell);
            let numeric = lines
                .iter()
                .filter(|l| is_number_like(&join_line(l, 0.4)))
                .count();
            if numeric >= 2 {
                return None;
            }
        }
    }
    for i in taken {
        used[i] = true;
    }
    // Columns that hold numbers: an empty cell elsewhere (in the label area) is a span
    // artefact, not a blank value.
    let mut texts_by_root: std::collections::HashMap<usize, String> = Default::default();
    for (root, ids) in &members {
        let g: Vec<G> = ids.iter().map(|&i| glyphs[i].clone()).collect();
        texts_by_root.insert(*root, cell_text(&g));
    }
    let mut numbers_in_col = vec![0usize; ncols];
    for (root, s) in &span {
        if texts_by_root.get(root).is_some_and(|t| is_number_like(t)) {
            numbers_in_col[s.1] += 1;
        }
    }
    // Everything right of the first column with numbers in two or more rows is value area,
    // even a column left blank throughout.
    let first_value_col = numbers_in_col.iter().position(|n| *n >= 2).unwrap_or(0);
    let mut rows = Vec::new();
    for r in 0..nrows {
        let mut cells: Vec<(usize, usize)> = span
            .iter()
            .filter(|(_, s)| s.0 == r)
            .map(|(root, s)| (s.1, *root))
            .collect();
        cells.sort();
        cells.dedup();
        let texts: Vec<String> = cells
            .iter()
            .filter_map(|(_, root)| {
                let text = texts_by_root.get(root).cloned().unwrap_or_default();
                let (_, _, _, c1) = span.get(root).copied().unwrap_or((0, 0, 0, 0));
                let in_numbers = c1 >= first_value_col;
                (!text.is_empty() || in_numbers).then_some(text)
            })
            .collect();
        if texts.iter().any(|t| !t.is_empty()) {
            rows.push(texts);
        }
    }
    Some(Block::Table { rows, top, bottom })
}

/// Whether a string is a number as printed in these tables (with sign, decimals, unit).
pub(crate) fn is_number_like(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches(['元', '万', '件', '条', '个', '%']);
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '+' | '-'))
}

/// Group glyphs into visual lines by baseline, each sorted left to right, lines top-down.
fn baseline_lines(glyphs: &[G]) -> Vec<Vec<G>> {
    let mut hs: Vec<&G> = glyphs.iter().filter(|g| !g.vertical).collect();
    hs.sort_by(|a, b| a.cy.total_cmp(&b.cy).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<G>> = Vec::new();
    let mut line_cy = f32::MIN;
    let mut line_size = 0.0f32;
    for g in hs {
        let tol = 0.45 * g.size.max(line_size).max(1.0);
        match lines.last_mut() {
            Some(l) if (g.cy - line_cy).abs() <= tol => {
                l.push(g.clone());
                line_size = line_size.max(g.size);
            }
            _ => {
                lines.push(vec![g.clone()]);
                line_cy = g.cy;
                line_size = g.size;
            }
        }
    }
    for l in &mut lines {
        l.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        // Duplicate glyphs drawn twice for a bold effect (same text, same place).
        l.dedup_by(|b, a| a.text == b.text && (a.x0 - b.x0).abs() < 0.3 * a.size.max(1.0));
    }
    lines
}

/// Join one visual line's glyphs, with a space at gaps wider than `space` × size.
fn join_line(line: &[G], space: f32) -> String {
    let mut s = String::new();
    let mut prev_x1: Option<f32> = None;
    for g in line {
        if let Some(px) = prev_x1 {
            if g.x0 - px > space * g.size {
                s.push(' ');
            }
        }
        s.push_str(&g.text);
        prev_x1 = Some(prev_x1.map_or(g.x1, |p| p.max(g.x1)));
    }
    s
}

/// The text of one table cell: its visual lines joined (a wrapped label becomes one string),
/// vertical text appended in reading order (columns right to left, top-down).
fn cell_text(glyphs: &[G]) -> String {
    let lines = baseline_lines(glyphs);
    let mut out = String::new();
    for l in &lines {
        let t = join_line(l, 0.6);
        if t.is_empty() {
            continue;
        }
        let glue = matches!((out.chars().last(), t.chars().next()), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric());
        if glue {
            out.push(' ');
        }
        out.push_str(&t);
    }
    let mut vs: Vec<&G> = glyphs.iter().filter(|g| g.vertical).collect();
    if !vs.is_empty() {
        vs.sort_by(|a, b| b.cx().total_cmp(&a.cx()).then(a.y.total_cmp(&b.y)));
        for g in vs {
            out.push_str(&g.text);
        }
    }
    out.trim().to_string()
}

/// A cell of a free text line with its horizontal extent.
#[derive(Debug, Clone)]
struct TCell {
    text: String,
    x0: f32,
    x1: f32,
    /// Extents of the words of the cell (split at gaps over 0.15 × size), for headers.
    words: Vec<(f32, f32)>,
}

impl TCell {
    fn from_glyphs(g: &[G]) -> TCell {
        let x0 = g.iter().map(|g| g.x0).fold(f32::MAX, f32::min);
        let x1 = g.iter().map(|g| g.x1).fold(f32::MIN, f32::max);
        let mut words: Vec<(f32, f32)> = Vec::new();
        for gl in g {
            match words.last_mut() {
                Some(w) if gl.x0 - w.1 <= 0.15 * gl.size => w.1 = w.1.max(gl.x1),
                _ => words.push((gl.x0, gl.x1)),
            }
        }
        TCell {
            text: join_line(g, 0.5),
            x0,
            x1,
            words,
        }
    }
    fn number(&self) -> bool {
        is_number_like(&self.text)
    }
}

/// A free text line; `aligned` holds its cells re-laid on inferred columns.
#[derive(Debug, Clone)]
struct TLine {
    cells: Vec<TCell>,
    y: f32,
    size: f32,
    aligned: Option<Vec<String>>,
}

/// Unruled tables: blank cells leave no trace in the text, so the values of a row would
/// shift left. Columns are inferred from the x-extents of the numbers of a run of rows, plus
/// the column headers above them that sit over no numbered column (a column left blank
/// throughout); headers spanning several columns are ignored. Each number is then placed in
/// the column it overlaps, and blanks fill the gaps. Rows that do not fit (two numbers in one
/// column, a number between columns) are left as they are.
fn infer_columns(
    lines: &mut [TLine],
    mut carried: Option<Vec<(f32, f32)>>,
) -> Option<Vec<(f32, f32)>> {
    let is_numeric_row = |l: &TLine| {
        let n = l.cells.iter().filter(|c| c.number()).count();
        n >= 2 || (n == 1 && l.cells.len() >= 2 && l.cells.last().is_some_and(|c| c.number()))
    };
    let mut i = 0;
    while i < lines.len() {
        if !is_numeric_row(&lines[i]) {
            i += 1;
            continue;
        }
        // A run of numeric rows, allowing label-only lines (wrapped labels) between them.
        let start = i;
        let mut end = i;
        let mut j = i + 1;
        while j < lines.len() && j <= end + 8 {
            let gap = lines[j].y - lines[j - 1].y;
            if gap > 3.5 * lines[j].size.max(lines[j - 1].size) {
                break;
            }
            if is_numeric_row(&lines[j]) {
                end = j;
            }
            j += 1;
        }
        carried = align_run(lines, start, end, carried.as_deref()).or(carried);
        i = end + 1;
    }
    carried
}

/// A row of values without a label, between the two halves of a label wrapped around it (the
/// label is vertically centred on the values): the halves are joined into the row's label.
fn join_wrapped(lines: Vec<TLine>) -> Vec<TLine> {
    let label_only = |l: &TLine, right_of: f32| {
        l.aligned.is_none()
            && !l.cells.is_empty()
            && l.cells.iter().all(|c| !c.number() && c.x1 < right_of)
    };
    let starts_item = |l: &TLine| {
        let t = l.cells.first().map(|c| c.text.trim_start()).unwrap_or("");
        let mut ch = t.chars();
        matches!(ch.next(), Some('(' | '（'))
            || (t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('.'))
            || t.contains('、')
    };
    let mut out: Vec<TLine> = Vec::with_capacity(lines.len());
    let mut it = lines.into_iter().peekable();
    while let Some(mut l) = it.next() {
        let unlabeled = l
            .aligned
            .as_ref()
            .is_some_and(|a| a.first().is_some_and(|c| c.is_empty() || is_number_like(c)));
        if unlabeled {
            let first_x = l
                .cells
                .iter()
                .filter(|c| c.number())
                .map(|c| c.x0)
                .fold(f32::MAX, f32::min);
            let near = |a: &TLine, b: &TLine| (a.y - b.y).abs() <= 1.6 * a.size.max(b.size);
            let mut label = String::new();
            if let Some(prev) = out.last() {
                if label_only(prev, first_x) && near(prev, &l) {
                    label = prev
                        .cells
                        .iter()
                        .map(|c| c.text.as_str())
                        .collect::<Vec<_>>()
                        .join("");
                    out.pop();
                }
            }
            if let Some(next) = it.peek() {
                if !label.is_empty()
                    && label_only(next, first_x)
                    && near(next, &l)
                    && !starts_item(next)
                {
                    label.push_str(
                        &next
                            .cells
                            .iter()
                            .map(|c| c.text.as_str())
                            .collect::<Vec<_>>()
                            .join(""),
                    );
                    it.next();
                }
            }
            if !label.is_empty() {
                if let Some(a) = l.aligned.as_mut() {
                    a.insert(0, label);
                }
            }
        }
        out.push(l);
    }
    out
}

fn overlaps(a: (f32, f32), b: (f32, f32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Align one run; `prev` is the column set of the previous run (possibly on the previous
/// page), adopted when this run's numbers all fall into its columns. Returns the columns used.
fn align_run(
    lines: &mut [TLine],
    start: usize,
    end: usize,
    prev: Option<&[(f32, f32)]>,
) -> Option<Vec<(f32, f32)>> {
    // Numbered columns from the numbers' extents.
    let mut ivs: Vec<(f32, f32)> = Vec::new();
    for l in &lines[start..=end] {
        for c in l.cells.iter().filter(|c| c.number()) {
            ivs.push((c.x0, c.x1));
        }
    }
    ivs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cols: Vec<(f32, f32)> = Vec::new();
    for iv in ivs {
        match cols.last_mut() {
            Some(last) if iv.0 < last.1 => last.1 = last.1.max(iv.1),
            _ => cols.push(iv),
        }
    }
    if let Some(p) = prev {
        let fits = cols
            .iter()
            .all(|c| p.iter().filter(|pc| overlaps(**pc, *c)).count() == 1);
        if fits && p.len() >= cols.len() {
            let p = p.to_vec();
            place(lines, start, end, &p);
            return Some(p);
        }
    }
    if cols.len() < 2 {
        return None;
    }
    // Header words above the run (up to 6 lines) that stand over no numbered column.
    let mut candidates: Vec<(f32, f32)> = Vec::new();
    let first_header = start.saturating_sub(6);
    for l in &lines[first_header..start] {
        for iv in l
            .cells
            .iter()
            .filter(|c| !c.number())
            .flat_map(|c| c.words.iter().copied())
        {
            let hits = cols.iter().filter(|col| overlaps(**col, iv)).count();
            // Right of the first numbered column (trailing columns may be blank throughout).
            if hits == 0 && iv.0 > cols[0].0 {
                candidates.push(iv);
            }
        }
    }
    // Narrowest first: a word over two columns (a spanning header) finds both taken.
    candidates.sort_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)));
    let mut extra: Vec<(f32, f32)> = Vec::new();
    for iv in candidates {
        let hit: Vec<usize> = (0..extra.len())
            .filter(|&k| overlaps(extra[k], iv))
            .collect();
        match hit.as_slice() {
            [] => extra.push(iv),
            [k] if (iv.1 - iv.0) <= 1.5 * (extra[*k].1 - extra[*k].0) => {
                extra[*k] = (extra[*k].0.min(iv.0), extra[*k].1.max(iv.1));
            }
            _ => {}
        }
    }
    // A header candidate overlapping another candidate's merged span of two columns is a
    // spanning header; keep only candidates that overlap no other column after merging.
    cols.extend(extra);
    cols.sort_by(|a, b| a.0.total_cmp(&b.0));
    if cols.windows(2).any(|w| overlaps(w[0], w[1])) {
        return None;
    }
    place(lines, start, end, &cols);
    Some(cols)
}

/// Lay the numbers of rows `start..=end` on the columns `cols`.
fn place(lines: &mut [TLine], start: usize, end: usize, cols: &[(f32, f32)]) {
    let Some(value_left) = cols.first().map(|c| c.0) else {
        return;
    };
    for l in &mut lines[start..=end] {
        let numbers: Vec<&TCell> = l
            .cells
            .iter()
            .filter(|c| c.number() && c.x1 > value_left - 1.0)
            .collect();
        if numbers.is_empty() {
            continue;
        }
        let mut slots: Vec<Option<String>> = vec![None; cols.len()];
        let mut ok = true;
        for c in &numbers {
            match cols.iter().position(|col| overlaps(*col, (c.x0, c.x1))) {
                Some(k) if slots[k].is_none() => slots[k] = Some(c.text.clone()),
                _ => ok = false,
            }
        }
        if !ok {
            continue;
        }
        let mut out: Vec<String> = l
            .cells
            .iter()
            .filter(|c| c.x1 <= value_left - 1.0 || !c.number())
            .map(|c| c.text.clone())
            .collect();
        if out.len() + numbers.len() != l.cells.len() {
            continue; // text cells among the values: not a plain table row
        }
        out.extend(slots.into_iter().map(Option::unwrap_or_default));
        l.aligned = Some(out);
    }
}

/// Free text: visual lines split into cells at wide gaps; vertical runs become one line each.
fn text_lines(
    glyphs: &[G],
    carried: Option<Vec<(f32, f32)>>,
) -> (Vec<Block>, Option<Vec<(f32, f32)>>) {
    let mut lines: Vec<TLine> = Vec::new();
    for line in baseline_lines(glyphs) {
        let Some(first) = line.first() else { continue };
        let y = line.iter().map(|g| g.y).fold(first.y, f32::max);
        let size = line.iter().map(|g| g.size).fold(first.size, f32::max);
        let mut cells: Vec<TCell> = Vec::new();
        let mut cur: Vec<G> = Vec::new();
        let mut prev_x1 = f32::MIN;
        let mut prev_digit = false;
        for g in &line {
            let gap = g.x0 - prev_x1;
            let digit = g.text.chars().next().is_some_and(|c| c.is_ascii_digit());
            // A wide gap separates cells; so does any clear gap between two numbers.
            if !cur.is_empty()
                && (gap > 1.6 * g.size || (gap > 0.5 * g.size && digit && prev_digit))
            {
                cells.push(TCell::from_glyphs(&cur));
                cur.clear();
            }
            prev_x1 = if cur.is_empty() {
                g.x1
            } else {
                prev_x1.max(g.x1)
            };
            prev_digit = g.text.chars().last().is_some_and(|c| c.is_ascii_digit());
            cur.push(g.clone());
        }
        if !cur.is_empty() {
            cells.push(TCell::from_glyphs(&cur));
        }
        lines.push(TLine {
            cells,
            y,
            size,
            aligned: None,
        });
    }
    let carried = infer_columns(&mut lines, carried);
    let lines = join_wrapped(lines);
    let mut blocks: Vec<Block> = lines
        .into_iter()
        .map(|l| {
            let cells = l
                .aligned
                .unwrap_or_else(|| l.cells.into_iter().map(|c| c.text).collect());
            Block::Text { cells, y: l.y }
        })
        .collect();
    // Vertical writing outside tables: runs by column.
    let mut vs: Vec<&G> = glyphs.iter().filter(|g| g.vertical).collect();
    vs.sort_by(|a, b| b.cx().total_cmp(&a.cx()).then(a.y.total_cmp(&b.y)));
    let mut run: Vec<&G> = Vec::new();
    for g in vs {
        let breaks = run
            .last()
            .is_some_and(|p| (p.cx() - g.cx()).abs() > 0.5 * g.size || g.y - p.y > 2.5 * g.size);
        if breaks {
            blocks.push(vertical_block(&run));
            run.clear();
        }
        run.push(g);
    }
    if !run.is_empty() {
        blocks.push(vertical_block(&run));
    }
    (blocks, carried)
}

fn vertical_block(run: &[&G]) -> Block {
    let text: String = run.iter().map(|g| g.text.as_str()).collect();
    let y = run.first().map_or(0.0, |g| g.y);
    Block::Text {
        cells: vec![text],
        y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::content::Segment;

    fn glyph(text: &str, x: f32, y: f32) -> Glyph {
        Glyph {
            text: text.into(),
            x0: x,
            x1: x + 10.0,
            y,
            size: 10.0,
            vertical: false,
        }
    }

    fn seg(x0: f32, y0: f32, x1: f32, y1: f32) -> Segment {
        Segment { x0, y0, x1, y1 }
    }

    #[test]
    fn ruled_grid_joins_wrapped_label_and_keeps_blank_cells() {
        // Page top = 100. Two rows, three columns; row 1 label wraps over two lines.
        let mut items = PageItems::default();
        for y in [90.0, 60.0, 40.0] {
            items.segments.push(seg(0.0, y, 150.0, y));
        }
        for x in [0.0, 70.0, 110.0, 150.0] {
            items.segments.push(seg(x, 40.0, x, 90.0));
        }
        items.glyphs.extend([
            glyph("部", 2.0, 80.0),
            glyph("分", 12.0, 80.0),
            glyph("公", 2.0, 66.0),
            glyph("开", 12.0, 66.0),
        ]);
        items.glyphs.push(glyph("4", 80.0, 72.0));
        items.glyphs.push(glyph("规", 2.0, 45.0));
        items.glyphs.push(glyph("0", 120.0, 45.0));
        let (blocks, _) = layout_page(&items, 100.0, None);
        assert_eq!(
            blocks,
            vec![Block::Table {
                rows: vec![
                    vec!["部分公开".into(), "4".into(), "".into()],
                    vec!["规".into(), "".into(), "0".into()]
                ],
                top: 10.0,
                bottom: 60.0
            }]
        );
    }

    #[test]
    fn free_text_splits_cells_at_wide_gaps() {
        let mut items = PageItems::default();
        items.glyphs.extend([
            glyph("规", 0.0, 50.0),
            glyph("章", 10.0, 50.0),
            glyph("1", 60.0, 50.0),
            glyph("2", 70.0, 50.0),
        ]);
        let (blocks, _) = layout_page(&items, 100.0, None);
        assert_eq!(
            blocks,
            vec![Block::Text {
                cells: vec!["规章".into(), "12".into()],
                y: 50.0
            }]
        );
    }
}
