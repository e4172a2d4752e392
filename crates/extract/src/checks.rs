//! The accounting identities (勾稽关系, spec section 2): derivation of blank totals and the
//! checks reported with every report.
//!
//! I1 per column: 一 + 二 = 三（七）总计 + 四. I2 per row: 总计 = the six applicant columns.
//! I3 per column: （七）总计 = sum of all results. I4 per group: 总计 = the four outcomes.

use crate::cells::CellOut;
use crate::report::{Check, Value};
use nianbao_templates::Template;
use std::collections::BTreeMap;

type Cells = BTreeMap<&'static str, CellOut>;

/// Key strings of one template, built once: the checks run on every report and several times
/// while alignments are compared, so they must not format keys again and again.
pub(crate) struct Names {
    id: String,
    /// `t2[block][row][col]`.
    pub t2: Vec<Vec<Vec<String>>>,
    /// `t3[row][col]`.
    pub t3: Vec<Vec<String>>,
    /// `t4[group][col]`, col 4 = total.
    pub t4: Vec<Vec<String>>,
    row_keys: Vec<String>,
}

const T4_GROUPS: [&str; 3] = ["review", "suit_direct", "suit_after_review"];
const T4_COLS: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];

pub(crate) fn names(t: &Template) -> &'static Names {
    static ALL: std::sync::OnceLock<Vec<Names>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        nianbao_templates::templates()
            .iter()
            .map(|t| Names {
                id: t.id.clone(),
                t2: t
                    .blocks
                    .iter()
                    .map(|b| {
                        b.rows
                            .iter()
                            .map(|r| {
                                b.columns
                                    .iter()
                                    .map(|c| format!("t2.{}.{}.{}", b.id, r.key, c))
                                    .collect()
                            })
                            .collect()
                    })
                    .collect(),
                t3: t
                    .t3_rows
                    .iter()
                    .map(|r| {
                        t.t3.columns
                            .iter()
                            .map(|c| format!("t3.{}.{}", r.key, c))
                            .collect()
                    })
                    .collect(),
                t4: T4_GROUPS
                    .iter()
                    .map(|g| T4_COLS.iter().map(|c| format!("t4.{g}.{c}")).collect())
                    .collect(),
                row_keys: t.t3_rows.iter().map(|r| r.key.clone()).collect(),
            })
            .collect()
    });
    all.iter().find(|n| n.id == t.id).unwrap_or(&all[0])
}

/// Every key of a template as static strings, in template order.
pub(crate) fn all_keys(t: &Template) -> Vec<&'static str> {
    let n = names(t);
    n.t2.iter()
        .flatten()
        .flatten()
        .chain(n.t3.iter().flatten())
        .chain(n.t4.iter().flatten())
        .map(String::as_str)
        .collect()
}

fn row_index(n: &Names, key: &str) -> Option<usize> {
    n.row_keys.iter().position(|k| k == key)
}

/// A cell left empty on purpose (blank, `/`, `-`, or a blank dropped by the layout): it counts
/// as 0 in sums, because reports leave zero cells empty. Not found, ambiguous or unresolved
/// cells are unknown instead.
fn counts_as_zero(c: &CellOut) -> bool {
    c.value.is_none()
        && c.flags
            .iter()
            .any(|f| matches!(*f, "blank" | "missing_marker" | "dropped_blank"))
}

/// A value for arithmetic: printed or derived values as they are, empty cells as 0
/// ([`counts_as_zero`]), anything else unknown.
fn operand(cells: &Cells, key: &str) -> Option<f64> {
    let c = cells.get(key)?;
    match c.value {
        Some(v) => Some(v.as_f64()),
        None if counts_as_zero(c) => Some(0.0),
        None => None,
    }
}

fn printed(cells: &Cells, key: &str) -> bool {
    cells.get(key).is_some_and(|c| c.value.is_some())
}

/// Indices of the Table 三 result rows that add up to （七）总计: in gb2021 the three （六）
/// sub-rows when any of them was printed, else the single （六） row.
fn result_rows(t: &Template, cells: &Cells) -> Vec<usize> {
    let n = names(t);
    let has_derived = t.t3_rows.iter().any(|x| x.derived);
    let is_sub = |k: &str| k.starts_with("result.other.") && k != "result.other.total";
    let subrows_known = has_derived
        && t.t3_rows
            .iter()
            .enumerate()
            .any(|(ri, r)| is_sub(&r.key) && n.t3[ri].iter().any(|k| printed(cells, k)));
    t.t3_rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.key.starts_with("result.") && r.key != "result.total")
        .filter(|(_, r)| {
            if !r.key.starts_with("result.other.") || !has_derived {
                true
            } else {
                is_sub(&r.key) == subrows_known
            }
        })
        .map(|(i, _)| i)
        .collect()
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn eq(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Fill blank totals that an identity determines; each filled cell is flagged `derived`.
pub fn derive(t: &Template, cells: &mut Cells) {
    let n = names(t);
    let cols = t.t3.columns.len();
    let last = cols.saturating_sub(1);
    // A total may be filled where it was left empty or, in the row-order reading, not printed.
    let derivable = |c: Option<&CellOut>| {
        c.is_some_and(|c| {
            counts_as_zero(c) || (c.value.is_none() && c.flags.contains(&"not_printed"))
        })
    };
    // Sum `parts` into `target` when every part is known and at least one was printed.
    let fill =
        |cells: &mut Cells, target: &'static str, parts: &[&str], only_if_derivable: bool| {
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
                        flags: vec!["derived"],
                    },
                );
            }
        };
    let row = |key: &str| row_index(n, key);
    // gb2021 （六）: the sum of its three sub-rows.
    if t.t3_rows.iter().any(|r| r.derived) {
        if let (Some(ot), Some(a), Some(b), Some(c)) = (
            row("result.other.total"),
            row("result.other.no_correction"),
            row("result.other.unpaid_fee"),
            row("result.other.other"),
        ) {
            for ci in 0..cols {
                let parts = [
                    n.t3[a][ci].as_str(),
                    n.t3[b][ci].as_str(),
                    n.t3[c][ci].as_str(),
                ];
                fill(cells, &n.t3[ot][ci], &parts, false);
            }
        }
    }
    // I2: blank row totals.
    for ri in 0..t.t3_rows.len() {
        let parts: Vec<&str> = n.t3[ri][..last].iter().map(String::as_str).collect();
        fill(cells, &n.t3[ri][last], &parts, true);
    }
    // I3: a blank （七）总计 cell.
    let rows: Vec<usize> = result_rows(t, cells);
    if let Some(rt) = row("result.total") {
        for ci in 0..cols {
            let parts: Vec<&str> = rows.iter().map(|&ri| n.t3[ri][ci].as_str()).collect();
            fill(cells, &n.t3[rt][ci], &parts, true);
        }
    }
    // I4: blank group totals.
    for g in &n.t4 {
        let parts: Vec<&str> = g[..4].iter().map(String::as_str).collect();
        fill(cells, &g[4], &parts, true);
    }
}

fn sum_check(
    id: &str,
    scope: &str,
    lhs: &[&str],
    rhs: &[&str],
    cells: &Cells,
    detail: bool,
) -> Option<Check> {
    // One pass, no allocation: the checks run many times while alignments are compared.
    let mut any_printed = false;
    let mut side = |keys: &[&str]| -> Option<f64> {
        let mut sum = 0.0;
        for k in keys {
            let c = cells.get(k)?;
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
        let join = |keys: &[&str]| {
            keys.iter()
                .map(|k| fmt(operand(cells, k).unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        format!("{} = {}", join(lhs), join(rhs))
    } else {
        String::new()
    };
    Some(Check {
        id: id.into(),
        scope: scope.into(),
        holds: eq(ls, rs),
        detail,
    })
}

/// Evaluate I1-I4 on every scope where all operands are known.
pub fn run(t: &Template, cells: &Cells) -> Vec<Check> {
    run_with(t, cells, true)
}

fn run_with(t: &Template, cells: &Cells, detail: bool) -> Vec<Check> {
    let n = names(t);
    let mut out = Vec::new();
    let cols = &t.t3.columns;
    let last = cols.len().saturating_sub(1);
    let row = |key: &str| row_index(n, key);
    let (Some(nr), Some(co), Some(rt), Some(cf)) = (
        row("new_received"),
        row("carried_over"),
        row("result.total"),
        row("carried_forward"),
    ) else {
        return out;
    };
    for (ci, c) in cols.iter().enumerate() {
        let lhs = [n.t3[nr][ci].as_str(), n.t3[co][ci].as_str()];
        let rhs = [n.t3[rt][ci].as_str(), n.t3[cf][ci].as_str()];
        out.extend(sum_check("I1", c, &lhs, &rhs, cells, detail));
    }
    for (ri, r) in t.t3_rows.iter().enumerate() {
        let lhs = [n.t3[ri][last].as_str()];
        let rhs: Vec<&str> = n.t3[ri][..last].iter().map(String::as_str).collect();
        out.extend(sum_check("I2", &r.key, &lhs, &rhs, cells, detail));
    }
    let rows: Vec<usize> = result_rows(t, cells);
    for (ci, c) in cols.iter().enumerate() {
        let lhs = [n.t3[rt][ci].as_str()];
        let rhs: Vec<&str> = rows.iter().map(|&ri| n.t3[ri][ci].as_str()).collect();
        out.extend(sum_check("I3", c, &lhs, &rhs, cells, detail));
    }
    for (gi, g) in T4_GROUPS.iter().enumerate() {
        let lhs = [n.t4[gi][4].as_str()];
        let rhs: Vec<&str> = n.t4[gi][..4].iter().map(String::as_str).collect();
        out.extend(sum_check("I4", g, &lhs, &rhs, cells, detail));
    }
    out
}

/// Like [`t3_identities_hold`] on cells that were already derived (no copy).
pub fn t3_identities_hold_as_is(t: &Template, cells: &Cells) -> Option<bool> {
    let checks: Vec<Check> = run_with(t, cells, false)
        .into_iter()
        .filter(|c| c.id != "I4")
        .collect();
    if checks.is_empty() {
        None
    } else {
        Some(checks.iter().all(|c| c.holds))
    }
}

/// Do the Table 三 identities (I1, I2, I3) hold on the checkable scopes? `None` when nothing
/// can be checked.
pub fn t3_identities_hold(t: &Template, cells: &Cells) -> Option<bool> {
    let mut cells = cells.clone();
    derive(t, &mut cells);
    t3_identities_hold_as_is(t, &cells)
}
