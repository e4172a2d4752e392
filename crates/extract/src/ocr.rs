//! The acceptance rule for values read by OCR: a digit is kept only where the identities
//! confirm it — for a Table 三 cell an identity holds on its row (I2) and one on its column
//! (I1 or I3), and none that covers it fails; for a Table 四 cell its group's identity (I4)
//! holds. Every other OCR value (Tables 一 and 二 have no identity) becomes null, flagged
//! `ocr_unverified`, with the recognised text kept in `raw`. A misread digit would have to
//! break no identity in two directions to pass.

use crate::flags::CellFlag;
use crate::report::Report;
use crate::Extractor;
use nianbao_templates::{CheckId, Over, Template};
use std::collections::HashMap;

/// What the identities say about one key: seen in a row-like scope (I2, I4) holding, in a
/// column scope (I1, I3) holding, in any scope failing.
#[derive(Debug, Default, Clone, Copy)]
struct Cover {
    row: bool,
    column: bool,
    failed: bool,
}

fn covers<'t>(t: &'t Template, r: &Report) -> HashMap<&'t str, Cover> {
    let holds: HashMap<(CheckId, &str), bool> = r
        .checks
        .iter()
        .map(|c| ((c.id, c.scope.as_str()), c.holds))
        .collect();
    let mut out: HashMap<&'t str, Cover> = HashMap::new();
    let mut mark = |key: &'t str, over: Over, state: Option<bool>| {
        let c = out.entry(key).or_default();
        match state {
            Some(true) if over == Over::T3Columns => c.column = true,
            Some(true) => c.row = true,
            Some(false) => c.failed = true,
            None => {}
        }
    };
    for id in &t.identities {
        let sides: Vec<usize> = id.lhs.iter().chain(&id.rhs).copied().collect();
        match id.over {
            Over::T3Columns => {
                // A row that is the sum of parts stands for its parts when they are printed.
                let mut rows = sides.clone();
                for &r in &sides {
                    rows.extend(
                        t.t3_rows
                            .get(r)
                            .map(|x| x.parts.clone())
                            .unwrap_or_default(),
                    );
                }
                for (ci, col) in t.t3.columns.iter().enumerate() {
                    let state = holds.get(&(id.id, col.as_str())).copied();
                    for &ri in &rows {
                        if let Some(k) = t.keys.t3.get(ri).and_then(|row| row.get(ci)) {
                            mark(k, id.over, state);
                        }
                    }
                }
            }
            Over::T3Rows => {
                for (ri, row) in t.t3_rows.iter().enumerate() {
                    let state = holds.get(&(id.id, row.key.as_str())).copied();
                    for &ci in &sides {
                        if let Some(k) = t.keys.t3.get(ri).and_then(|r| r.get(ci)) {
                            mark(k, id.over, state);
                        }
                    }
                }
            }
            Over::T4Groups => {
                for (gi, g) in t.t4.groups.iter().enumerate() {
                    let state = holds.get(&(id.id, g.key.as_str())).copied();
                    for &ci in &sides {
                        if let Some(k) = t.keys.t4.get(gi).and_then(|r| r.get(ci)) {
                            // A Table 四 cell has one identity; it counts for both directions.
                            mark(k, Over::T3Columns, state);
                            mark(k, id.over, state);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Apply the acceptance rule to a report whose lines came from OCR (see the module doc).
/// Returns how many values were kept.
pub fn verify_ocr(r: &mut Report) -> usize {
    let template = Extractor::bundled()
        .ok()
        .and_then(|ex| ex.templates().get(r.format.as_str()));
    let cover = template.map(|t| covers(t, r)).unwrap_or_default();
    let mut kept = 0;
    for (key, value) in r.cells.iter_mut() {
        let Some(v) = *value else { continue };
        let ok = cover
            .get(key.as_str())
            .is_some_and(|c| c.row && c.column && !c.failed);
        if ok {
            kept += 1;
            continue;
        }
        *value = None;
        r.raw.entry(key.clone()).or_insert_with(|| v.to_string());
        let flags = r.flags.entry(key.clone()).or_default();
        if !flags.contains(&CellFlag::OcrUnverified) {
            flags.push(CellFlag::OcrUnverified);
        }
    }
    kept
}
