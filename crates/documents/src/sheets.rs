//! Spreadsheets (XLS, XLSX, ODS) through calamine. Each sheet is a part; each row a line.
//! A merged region's value appears once (at its top-left cell; covered cells are omitted),
//! blank cells are `""`, and blank cells left of the value columns (span artefacts in the
//! label area) are dropped.
//!
//! Limits ([`crate::guard`]) are checked before calamine allocates: the container, the
//! shared strings and the cell references before the workbook is opened (an XLS is handed
//! over in a fresh OLE container), and XLSX sheets are streamed cell by cell
//! (calamine's own `worksheet_range` builds a dense grid over whatever positions the file
//! claims), so a grid is only built once the cells' bounding box is known to be small.

use crate::guard::{self, BoundingBox};
use crate::{DocError, DocKind, DocPart, DocumentLines};
use calamine::{Data, Ods, Reader, Sheets, Xls, Xlsx};
use nianbao_text::{normalize, Limits, Line};
use std::collections::{HashMap, HashSet};
use std::io::Cursor;

/// How many cells the merged regions of one sheet may mark as covered ([`cover_merged`]).
/// Real sheets merge a few hundred cells; a hostile one can declare thousands of overlapping
/// sheet-wide regions.
const MERGED_CELL_BUDGET: usize = 1_000_000;

pub(crate) fn read_workbook(bytes: &[u8], kind: DocKind) -> Result<DocumentLines, DocError> {
    let limits = Limits::DEFAULT;
    let err = |d: String| DocError::Parse { kind, detail: d };
    // Each kind is opened with its own reader (never calamine's content sniffing), so the
    // checks made for that kind are the ones that protect the reader that runs.
    let mut wb: Sheets<Cursor<Vec<u8>>> = match kind {
        DocKind::Xlsx => {
            guard::check_zip(bytes, kind, &limits)?;
            guard::check_xlsx_shared_strings(bytes, &limits)?;
            guard::check_xlsx_cell_refs(bytes, &limits)?;
            Sheets::Xlsx(Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| err(e.to_string()))?)
        }
        DocKind::Ods => {
            guard::check_zip(bytes, kind, &limits)?;
            guard::check_ods(bytes, &limits)?;
            Sheets::Ods(Ods::new(Cursor::new(bytes.to_vec())).map_err(|e| err(e.to_string()))?)
        }
        _ => {
            let container = guard::check_xls(bytes, &limits)?;
            Sheets::Xls(Xls::new(Cursor::new(container)).map_err(|e| err(e.to_string()))?)
        }
    };
    let names = wb.sheet_names();
    let ods_covered = if kind == DocKind::Ods {
        ods_covered(bytes)
    } else {
        HashMap::new()
    };
    let mut parts = Vec::new();
    let mut warnings = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (origin, rows) = match sheet_rows(&mut wb, name, kind, &limits) {
            Ok(r) => r,
            Err(e @ DocError::Limit { .. }) => return Err(e),
            Err(e) => {
                warnings.push(format!("sheet {name}: {e}"));
                continue;
            }
        };
        let merges = merged(&mut wb, name, i);
        let (r0, c0) = origin;
        let mut covered: HashSet<(u32, u32)> = ods_covered.get(name).cloned().unwrap_or_default();
        let height = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let width = u32::try_from(rows.iter().map(Vec::len).max().unwrap_or(0)).unwrap_or(u32::MAX);
        let extent = (r0.saturating_add(height), c0.saturating_add(width));
        if !cover_merged(&merges, origin, extent, MERGED_CELL_BUDGET, &mut covered) {
            warnings.push(format!(
                "sheet {name}: merged regions cover more than {MERGED_CELL_BUDGET} cells; \
                 the rest are read unmerged"
            ));
        }
        let mut grid: Vec<Vec<(u32, String)>> = Vec::with_capacity(rows.len());
        for (ri, row) in rows.into_iter().enumerate() {
            let r = r0 + ri as u32;
            let cells: Vec<(u32, String)> = row
                .into_iter()
                .enumerate()
                .map(|(ci, v)| (c0 + ci as u32, v))
                .filter(|(c, _)| !covered.contains(&(r, *c)))
                .map(|(c, v)| (c, cell_text(&v)))
                .collect();
            grid.push(cells);
        }
        let lines = rows_to_lines(grid, i as u32);
        parts.push(DocPart {
            name: Some(name.clone()),
            lines,
            table_pages: Default::default(),
        });
    }
    if parts.is_empty() {
        return Err(err(format!("no readable sheet ({})", warnings.join("; "))));
    }
    Ok(DocumentLines {
        kind,
        parts,
        page_count: None,
        image_only: false,
        image_pages: Vec::new(),
        pages_read: 0,
        flags: Vec::new(),
        warnings,
    })
}

/// Top-left position and rows of a sheet's used range. XLSX sheets are streamed and their
/// bounding box checked before the grid exists; XLS and ODS grids were bounded by the checks
/// made before the workbook was opened.
type SheetRows = ((u32, u32), Vec<Vec<Data>>);

fn sheet_rows(
    wb: &mut Sheets<Cursor<Vec<u8>>>,
    name: &str,
    kind: DocKind,
    limits: &Limits,
) -> Result<SheetRows, DocError> {
    let err = |d: String| DocError::Parse { kind, detail: d };
    if let Sheets::Xlsx(x) = wb {
        let mut reader = x
            .worksheet_cells_reader(name)
            .map_err(|e| err(e.to_string()))?;
        let mut cells = Vec::new();
        let mut bbox = BoundingBox::default();
        while let Some(cell) = reader.next_cell().map_err(|e| err(e.to_string()))? {
            let value: Data = cell.get_value().clone().into();
            if value == Data::Empty {
                continue;
            }
            let (r, c) = cell.get_position();
            bbox.add(r, c);
            bbox.check(kind, limits)?;
            cells.push(((r, c), value));
        }
        let Some(r0) = cells.iter().map(|((r, _), _)| *r).min() else {
            return Ok(((0, 0), Vec::new()));
        };
        let c0 = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
        let r1 = cells.iter().map(|((r, _), _)| *r).max().unwrap_or(r0);
        let c1 = cells.iter().map(|((_, c), _)| *c).max().unwrap_or(c0);
        let width = (c1 - c0) as usize + 1;
        let mut rows = vec![vec![Data::Empty; width]; (r1 - r0) as usize + 1];
        for ((r, c), v) in cells {
            rows[(r - r0) as usize][(c - c0) as usize] = v;
        }
        return Ok(((r0, c0), rows));
    }
    let range = wb.worksheet_range(name).map_err(|e| err(e.to_string()))?;
    let (h, w) = range.get_size();
    guard::BoundingBox::from_size(h as u64, w as u64).check(kind, limits)?;
    let origin = range.start().unwrap_or((0, 0));
    Ok((origin, range.rows().map(|r| r.to_vec()).collect()))
}

/// Mark the cells of `merges` other than each region's top-left one as covered, only those
/// inside the sheet's cells (`origin` up to `extent`, exclusive) and at most `budget` of them
/// (each region also at most 1,001 × 201 cells). False when the budget ran out. A 34 KB XLS
/// of thousands of overlapping sheet-wide regions took 10 s before (the `xls` fuzz target).
fn cover_merged(
    merges: &[calamine::Dimensions],
    origin: (u32, u32),
    extent: (u32, u32),
    mut budget: usize,
    covered: &mut HashSet<(u32, u32)>,
) -> bool {
    for d in merges {
        let rows = d.start.0.max(origin.0)..=d.end.0.min(d.start.0.saturating_add(1000));
        let cols = d.start.1.max(origin.1)..=d.end.1.min(d.start.1.saturating_add(200));
        for r in rows.take_while(|&r| r < extent.0) {
            for c in cols.clone().take_while(|&c| c < extent.1) {
                if budget == 0 {
                    return false;
                }
                budget -= 1;
                if (r, c) != d.start {
                    covered.insert((r, c));
                }
            }
        }
    }
    true
}

fn merged(wb: &mut Sheets<Cursor<Vec<u8>>>, name: &str, index: usize) -> Vec<calamine::Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => {
            let _ = index;
            Vec::new()
        }
    }
}

/// ODS merged regions, which calamine does not report: the positions of
/// `table:covered-table-cell` elements per sheet (0-based row, column).
fn ods_covered(bytes: &[u8]) -> HashMap<String, HashSet<(u32, u32)>> {
    use quick_xml::events::Event;
    let mut out: HashMap<String, HashSet<(u32, u32)>> = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let mut xml = String::new();
    {
        let Ok(f) = zip.by_name("content.xml") else {
            return out;
        };
        if std::io::Read::read_to_string(&mut std::io::Read::take(f, 128 << 20), &mut xml).is_err()
        {
            return out;
        }
    }
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .map(|a| a.value.into_owned())
    };
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut sheet, mut row, mut col) = (String::new(), 0u32, 0u32);
    let mut row_repeat = 1u32;
    let mut events = 0usize;
    loop {
        events += 1;
        let ev = match reader.read_event() {
            Ok(ev) if events < 50_000_000 => ev,
            _ => break,
        };
        let (e, is_empty) = match &ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                if e.name().as_ref() == "table:table-row" {
                    row = row.saturating_add(row_repeat);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = e.name();
        match name.as_ref() {
            "table:table" => {
                sheet = attr(e, "table:name").unwrap_or_default();
                row = 0;
            }
            "table:table-row" => {
                col = 0;
                row_repeat = attr(e, "table:number-rows-repeated")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 1_048_576);
                if is_empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let n: u32 = attr(e, "table:number-columns-repeated")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 16_384);
                if name.as_ref() == "table:covered-table-cell" && row_repeat == 1 {
                    let set = out.entry(sheet.clone()).or_default();
                    for k in 0..n.min(1024) {
                        if set.len() < 1_000_000 {
                            set.insert((row, col.saturating_add(k)));
                        }
                    }
                }
                col = col.saturating_add(n);
            }
            _ => {}
        }
    }
    out
}

fn cell_text(v: &Data) -> String {
    let s = match v {
        // Most cells of a sparse sheet: a sheet at the 2,000,000-cell bounding-box limit
        // normalised as many empty strings (8% of the `xls` fuzz target's time in perf).
        Data::Empty | Data::Error(_) => return String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                // Shortest representation, then trim binary noise such as 7730.280000000001.
                let s = format!("{:.10}", f);
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
        }
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
    };
    normalize(s.trim()).trim().to_string()
}

fn is_number_like(s: &str) -> bool {
    crate::pdf::layout::is_number_like(s)
}

fn rows_to_lines(grid: Vec<Vec<(u32, String)>>, table: u32) -> Vec<Line> {
    // The first column holding numbers in two or more rows starts the value area.
    let mut counts: std::collections::BTreeMap<u32, usize> = Default::default();
    for row in &grid {
        for (c, t) in row {
            if is_number_like(t) {
                *counts.entry(*c).or_default() += 1;
            }
        }
    }
    let first_value_col = counts
        .iter()
        .find(|(_, n)| **n >= 2)
        .map(|(c, _)| *c)
        .unwrap_or(0);
    // Table width per block of table-like rows (a block ends at an empty row or a paragraph
    // of running text): a row's trailing blank cells (blank values) are kept up to it.
    let table_like = |row: &Vec<(u32, String)>| {
        let filled: Vec<&String> = row
            .iter()
            .map(|(_, t)| t)
            .filter(|t| !t.is_empty())
            .collect();
        filled.len() >= 2 || filled.first().is_some_and(|t| t.chars().count() <= 40)
    };
    let mut width_of = vec![None; grid.len()];
    let mut i = 0;
    while i < grid.len() {
        if !table_like(&grid[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut width = 0u32;
        while j < grid.len() && table_like(&grid[j]) {
            if let Some((c, _)) = grid[j].iter().rev().find(|(_, t)| !t.is_empty()) {
                width = width.max(*c);
            }
            j += 1;
        }
        for w in width_of.iter_mut().take(j).skip(i) {
            *w = Some(width);
        }
        i = j;
    }
    let mut lines = Vec::new();
    for (ri, row) in grid.into_iter().enumerate() {
        if row.iter().all(|(_, t)| t.is_empty()) {
            continue;
        }
        let mut last = row.iter().rposition(|(_, t)| !t.is_empty()).unwrap_or(0);
        if let Some(width) = width_of[ri].filter(|_| row.iter().any(|(_, t)| is_number_like(t))) {
            last = row
                .iter()
                .rposition(|(c, _)| *c <= width)
                .unwrap_or(last)
                .max(last);
        }
        // Blank cells before the row's first number and left of the value area are span
        // artefacts between a label and its values; blanks after a number are values.
        let first_number = row
            .iter()
            .position(|(_, t)| is_number_like(t))
            .unwrap_or(usize::MAX);
        let cells: Vec<String> = row
            .into_iter()
            .take(last + 1)
            .enumerate()
            .filter(|(i, (c, t))| !t.is_empty() || *c >= first_value_col || *i > first_number)
            .map(|(_, (_, t))| t)
            .collect();
        lines.push(Line::row(cells, Some(table)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Dimensions;

    fn region(start: (u32, u32), end: (u32, u32)) -> Dimensions {
        Dimensions { start, end }
    }

    #[test]
    fn covered_cells_are_the_region_less_its_top_left_inside_the_sheet() {
        let mut covered = HashSet::new();
        // B2:C3 on a sheet of A1:J10, and a region wholly outside the sheet.
        let merges = [region((1, 1), (2, 2)), region((50, 50), (60, 60))];
        assert!(cover_merged(&merges, (0, 0), (10, 10), 100, &mut covered));
        let mut got: Vec<_> = covered.into_iter().collect();
        got.sort();
        assert_eq!(got, [(1, 2), (2, 1), (2, 2)]);
    }

    #[test]
    fn overlapping_sheet_wide_regions_cost_the_sheet_not_their_size() {
        // 4,000 regions of 1,001 x 201 cells over a 10 x 10 sheet: 100 cells each, within a
        // budget of 400,000 (the unclipped expansion was 800 million insertions).
        let merges = vec![region((0, 0), (65_535, 255)); 4_000];
        let mut covered = HashSet::new();
        assert!(cover_merged(
            &merges,
            (0, 0),
            (10, 10),
            400_000,
            &mut covered
        ));
        assert_eq!(covered.len(), 99);
        // One cell less of budget and the expansion stops, saying so.
        let mut covered = HashSet::new();
        assert!(!cover_merged(
            &merges,
            (0, 0),
            (10, 10),
            399_999,
            &mut covered
        ));
    }
}
