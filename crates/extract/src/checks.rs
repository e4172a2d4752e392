//! The accounting identities (勾稽关系), as the template data defines them
//! (`data/templates/common.toml`): derivation of blank totals and the checks reported with
//! every report. Nothing here names a row: I1-I4 are evaluated from [`Template::identities`].

use crate::cells::CellOut;
use crate::flags::CellFlag;
use crate::report::{Check, Value};
use nianbao_templates::{Identity, Over, Template};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Cells by key.
pub type Cells<'t> = BTreeMap<&'t str, CellOut>;

/// Cells looked up by key.
trait Lookup {
    fn cell(&self, key: &str) -> Option<&CellOut>;
}

impl Lookup for Cells<'_> {
    fn cell(&self, key: &str) -> Option<&CellOut> {
        self.get(key)
    }
}

/// The cells hashed by key for one evaluation of the identities: it looks up every operand
/// of every scope (twice with the detail text), and the ordered map's string comparisons
/// were the larger part of the extraction time of a report.
struct Index<'c>(FxHashMap<&'c str, &'c CellOut>);

impl<'c> Index<'c> {
    fn new(cells: &'c Cells) -> Self {
        Index(cells.iter().map(|(k, v)| (*k, v)).collect())
    }
}

impl Lookup for Index<'_> {
    fn cell(&self, key: &str) -> Option<&CellOut> {
        self.0.get(key).copied()
    }
}

/// Every key of a template, in template order.
pub(crate) fn all_keys(t: &Template) -> Vec<&str> {
    t.keys.all().collect()
}

/// A cell left empty on purpose (blank, `/`, `-`, or a blank dropped by the layout): it counts
/// as 0 in sums, because reports leave zero cells empty. Not found, ambiguous or unresolved
/// cells are unknown instead.
fn counts_as_zero(c: &CellOut) -> bool {
    c.value.is_none()
        && c.flags.iter().any(|f| {
            matches!(
                f,
                CellFlag::Blank | CellFlag::MissingMarker | CellFlag::DroppedBlank
            )
        })
}

/// A value for arithmetic: printed or derived values as they are, empty cells as 0
/// ([`counts_as_zero`]), anything else unknown.
fn operand(cells: &impl Lookup, key: &str) -> Option<f64> {
    let c = cells.cell(key)?;
    match c.value {
        Some(v) => Some(v.as_f64()),
        None if counts_as_zero(c) => Some(0.0),
        None => None,
    }
}

fn printed(cells: &impl Lookup, key: &str) -> bool {
    cells.cell(key).is_some_and(|c| c.value.is_some())
}

fn row_printed(t: &Template, row: usize, cells: &impl Lookup) -> bool {
    t.keys.t3[row].iter().any(|k| printed(cells, k))
}

/// The Table 三 rows of one side of an identity as they stand in this report: a row defined
/// as the sum of parts (gb2021 （六）) stands for its parts when any part was printed, and the
/// parts stand for nothing when none was.
fn effective_rows(t: &Template, rows: &[usize], cells: &impl Lookup) -> Vec<usize> {
    let any_part_printed = |d: usize| t.t3_rows[d].parts.iter().any(|&p| row_printed(t, p, cells));
    rows.iter()
        .copied()
        .filter(|&r| {
            if t.t3_rows[r].is_derived() {
                !any_part_printed(r)
            } else if let Some(&d) = rows.iter().find(|&&d| t.t3_rows[d].parts.contains(&r)) {
                any_part_printed(d)
            } else {
                true
            }
        })
        .collect()
}

/// Append a number as the detail text prints it (integers without a decimal point).
fn push_num(out: &mut String, v: f64) {
    // Writing to a String cannot fail.
    let _ = if v.fract() == 0.0 {
        write!(out, "{}", v as i64)
    } else {
        write!(out, "{v}")
    };
}

fn eq(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// The scopes of an identity: `(scope name, left keys, right keys)`.
fn scopes<'t>(
    t: &'t Template,
    id: &Identity,
    cells: &impl Lookup,
) -> Vec<(&'t str, Vec<&'t str>, Vec<&'t str>)> {
    let keys =
        |v: &[usize], f: &dyn Fn(usize) -> &'t str| v.iter().map(|&i| f(i)).collect::<Vec<_>>();
    match id.over {
        Over::T3Columns => {
            let rhs = effective_rows(t, &id.rhs, cells);
            t.t3.columns
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let at = |r: usize| t.keys.t3[r][ci].as_str();
                    (c.as_str(), keys(&id.lhs, &at), keys(&rhs, &at))
                })
                .collect()
        }
        Over::T3Rows => t
            .t3_rows
            .iter()
            .enumerate()
            .map(|(ri, r)| {
                let at = |c: usize| t.keys.t3[ri][c].as_str();
                (r.key.as_str(), keys(&id.lhs, &at), keys(&id.rhs, &at))
            })
            .collect(),
        Over::T4Groups => {
            t.t4.groups
                .iter()
                .enumerate()
                .map(|(gi, g)| {
                    let at = |c: usize| t.keys.t4[gi][c].as_str();
                    (g.key.as_str(), keys(&id.lhs, &at), keys(&id.rhs, &at))
                })
                .collect()
        }
    }
}

/// Fill blank totals that an identity determines; each filled cell is flagged `derived`.
pub fn derive<'t>(t: &'t Template, cells: &mut Cells<'t>) {
    // A total may be filled where it was left empty or, in the row-order reading, not printed.
    let derivable = |c: Option<&CellOut>| {
        c.is_some_and(|c| {
            counts_as_zero(c) || (c.value.is_none() && c.flags.contains(&CellFlag::NotPrinted))
        })
    };
    // Sum `parts` into `target` when every part is known and at least one was printed.
    let fill = |cells: &mut Cells<'t>, target: &'t str, parts: &[&str], only_if_derivable: bool| {
        if only_if_derivable && !derivable(cells.get(target)) {
            return;
        }
        if !only_if_derivable && cells.get(target).is_some_and(|x| x.value.is_some()) {
            return;
        }
        let vals: Option<Vec<f64>> = parts.iter().map(|k| operand(cells, k)).collect();
        if let (Some(v), true) = (vals, parts.iter().any(|k| printed(cells, k))) {
            cells.insert(
                target,
                CellOut {
                    value: Some(Value::Int(v.iter().sum::<f64>() as i64)),
                    raw: None,
                    flags: vec![CellFlag::Derived],
                },
            );
        }
    };
    // Rows the format defines as the sum of their parts (gb2021 （六）).
    for (ri, row) in t.t3_rows.iter().enumerate() {
        if !row.is_derived() {
            continue;
        }
        for (ci, target) in t.keys.t3[ri].iter().enumerate() {
            let parts: Vec<&str> = row
                .parts
                .iter()
                .map(|&p| t.keys.t3[p][ci].as_str())
                .collect();
            fill(cells, target, &parts, false);
        }
    }
    // Blank totals of every identity with one cell on the left.
    for id in &t.identities {
        if id.total().is_none() {
            continue;
        }
        for (_, lhs, rhs) in scopes(t, id, cells) {
            if let [target] = lhs.as_slice() {
                fill(cells, target, &rhs, true);
            }
        }
    }
}

fn sum_check(
    id: &Identity,
    scope: &str,
    lhs: &[&str],
    rhs: &[&str],
    cells: &impl Lookup,
    detail: bool,
) -> Option<Check> {
    // One pass, no allocation: the checks run many times while alignments are compared.
    let mut any_printed = false;
    let mut side = |keys: &[&str]| -> Option<f64> {
        let mut sum = 0.0;
        for k in keys {
            let c = cells.cell(k)?;
            match c.value {
                Some(v) => {
                    any_printed = true;
                    sum += v.as_f64();
                }
                None if counts_as_zero(c) => {}
                None => return None,
            }
        }
        Some(sum)
    };
    let ls = side(lhs)?;
    let rs = side(rhs)?;
    if !any_printed {
        return None;
    }
    let detail = if detail {
        // `a + b = c + d`, written into one string.
        let mut out = String::new();
        for (side, keys) in [lhs, rhs].into_iter().enumerate() {
            if side == 1 {
                out.push_str(" = ");
            }
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(" + ");
                }
                push_num(&mut out, operand(cells, k).unwrap_or(0.0));
            }
        }
        out
    } else {
        String::new()
    };
    Some(Check {
        id: id.id,
        scope: scope.into(),
        holds: eq(ls, rs),
        detail,
    })
}

/// Evaluate the identities on every scope where all operands are known.
pub fn run(t: &Template, cells: &Cells) -> Vec<Check> {
    run_with(t, cells, true, |_| true)
}

fn run_with(
    t: &Template,
    cells: &Cells,
    detail: bool,
    which: impl Fn(&Identity) -> bool,
) -> Vec<Check> {
    let cells = Index::new(cells);
    let mut out = Vec::new();
    for id in t.identities.iter().filter(|i| which(i)) {
        for (scope, lhs, rhs) in scopes(t, id, &cells) {
            out.extend(sum_check(id, scope, &lhs, &rhs, &cells, detail));
        }
    }
    out
}

/// Like [`t3_identities_hold`] on cells that were already derived (no copy).
pub fn t3_identities_hold_as_is(t: &Template, cells: &Cells) -> Option<bool> {
    let checks = run_with(t, cells, false, |i| i.over != Over::T4Groups);
    if checks.is_empty() {
        None
    } else {
        Some(checks.iter().all(|c| c.holds))
    }
}

/// Do the Table 三 identities hold on the checkable scopes? `None` when nothing can be
/// checked.
pub fn t3_identities_hold<'t>(t: &'t Template, cells: &Cells<'t>) -> Option<bool> {
    let mut cells = cells.clone();
    derive(t, &mut cells);
    t3_identities_hold_as_is(t, &cells)
}
