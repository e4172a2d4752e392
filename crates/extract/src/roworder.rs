//! The row-order reading of Table 三 for shattered layouts (PDF raw text, PDF-converted
//! markdown): rows of values are collected in document order, including blocks printed
//! column by column, and assigned to the template rows in order. The aligner uses this only
//! when it reads exactly the printed rows and the identities hold; every cell is flagged.

use crate::assign::Raw;
use crate::cells::{convert, CellOut, ColumnKind};
use crate::flags::CellFlag;
use crate::tokens::{tokenize, Item};
use nianbao_templates::Template;
use nianbao_text::{Line, LineKind};
use std::collections::BTreeMap;

enum Entry {
    Row(Vec<Raw>),
    Single(Raw),
    Gap,
    Text,
}

fn line_entry(line: &Line, n: usize) -> Entry {
    let structured = line.kind == LineKind::TableRow || line.cells.len() > 1;
    let mut seq: Vec<Raw> = Vec::new();
    let mut texts = 0;
    for cell in &line.cells {
        if cell.trim().is_empty() {
            if structured {
                seq.push(Raw::Blank);
            }
            continue;
        }
        for it in tokenize(cell) {
            match it {
                Item::Num(n) => seq.push(Raw::Num(n)),
                Item::Missing(m) => seq.push(Raw::Missing(m)),
                Item::Blank => seq.push(Raw::Blank),
                Item::Text(_) => texts += 1,
            }
        }
    }
    let nums = seq.iter().filter(|r| !matches!(r, Raw::Blank)).count();
    match nums {
        0 if texts == 0 => Entry::Gap,
        0 => Entry::Text,
        1 if texts == 0 && seq.len() == 1 => seq.pop().map(Entry::Single).unwrap_or(Entry::Gap),
        _ => {
            // Trailing blanks from spans are not cells.
            while seq.len() > n && matches!(seq.last(), Some(Raw::Blank)) {
                seq.pop();
            }
            if seq.len() == n {
                Entry::Row(seq)
            } else if nums == n {
                Entry::Row(
                    seq.into_iter()
                        .filter(|r| !matches!(r, Raw::Blank))
                        .collect(),
                )
            } else {
                Entry::Text
            }
        }
    }
}

/// Rows of `n` values (one per Table 三 column) in document order.
pub fn value_rows(lines: &[Line], n: usize) -> Vec<Vec<Raw>> {
    let entries: Vec<Entry> = lines.iter().map(|l| line_entry(l, n)).collect();
    // Runs of singles on consecutive lines.
    let mut runs: Vec<Vec<Raw>> = Vec::new();
    let mut rows_out: Vec<Vec<Raw>> = Vec::new();
    let mut pending: Vec<Raw> = Vec::new();
    let mut cur: Vec<Raw> = Vec::new();
    let flush_runs =
        |runs: &mut Vec<Vec<Raw>>, pending: &mut Vec<Raw>, rows_out: &mut Vec<Vec<Raw>>| {
            let mut i = 0;
            while i < runs.len() {
                let k = runs[i].len();
                if k == 1 {
                    pending.append(&mut runs[i]);
                    if pending.len() == n {
                        rows_out.push(std::mem::take(pending));
                    }
                    i += 1;
                } else if i + n <= runs.len() && runs[i..i + n].iter().all(|r| r.len() == k) {
                    pending.clear();
                    let block = &runs[i..i + n];
                    for row in 0..k {
                        rows_out.push(block.iter().map(|col| col[row].clone()).collect());
                    }
                    i += n;
                } else {
                    pending.clear();
                    i += 1;
                }
            }
            runs.clear();
        };
    for e in entries {
        match e {
            Entry::Single(v) => cur.push(v),
            Entry::Gap | Entry::Text => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
            Entry::Row(r) => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
                flush_runs(&mut runs, &mut pending, &mut rows_out);
                pending.clear();
                rows_out.push(r);
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    flush_runs(&mut runs, &mut pending, &mut rows_out);
    rows_out
}

/// Assign value rows to template rows in order, when their number matches a way the format
/// is printed (gb2021 with three （六） sub-rows, or with one 2019-style （六） row).
pub fn assign<'t>(t: &'t Template, rows: &[Vec<Raw>]) -> Option<BTreeMap<&'t str, CellOut>> {
    let is_part = |i: usize| t.t3_rows.iter().any(|r| r.parts.contains(&i));
    let all: Vec<usize> = (0..t.t3_rows.len()).collect();
    let mut sets: Vec<Vec<usize>> = Vec::new();
    if t.t3_rows.iter().any(|r| r.is_derived()) {
        // Printed with the parts (the derived row is not printed), or as one row.
        sets.push(
            all.iter()
                .copied()
                .filter(|&i| !t.t3_rows[i].is_derived())
                .collect(),
        );
        sets.push(all.iter().copied().filter(|&i| !is_part(i)).collect());
    } else {
        sets.push(all);
    }
    let set = sets.into_iter().find(|s| s.len() == rows.len())?;
    let mut cells = BTreeMap::new();
    for (ri, keys) in t.keys.t3.iter().enumerate() {
        let pos = set.iter().position(|&x| x == ri);
        for (ci, key) in keys.iter().enumerate() {
            let key = key.as_str();
            let cell = match pos.and_then(|p| rows.get(p)).and_then(|row| row.get(ci)) {
                Some(raw) => {
                    let mut cell = convert(raw, ColumnKind::Count);
                    cell.flag(CellFlag::RowOrder);
                    cell
                }
                None => CellOut::missing(CellFlag::NotPrinted),
            };
            cells.insert(key, cell);
        }
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_major_blocks_are_transposed() {
        let mut lines = Vec::new();
        // 7 singles (one row), then a block of 2 rows printed column by column.
        for v in ["5", "0", "0", "0", "0", "0", "5"] {
            lines.push(Line::text(v));
            lines.push(Line::text(""));
        }
        for c in 0..7 {
            lines.push(Line::text(if c == 0 || c == 6 { "1" } else { "0" }));
            lines.push(Line::text(if c == 0 || c == 6 { "2" } else { "0" }));
            lines.push(Line::text(""));
        }
        let rows = value_rows(&lines, 7);
        assert_eq!(rows.len(), 3);
        let first = |r: &Vec<Raw>| match &r[0] {
            Raw::Num(n) => n.digits.clone(),
            _ => String::new(),
        };
        assert_eq!(first(&rows[0]), "5");
        assert_eq!(first(&rows[1]), "1");
        assert_eq!(first(&rows[2]), "2");
    }
}
