//! The accounting identities (勾稽关系, spec section 2): derivation of blank totals and the
//! checks reported with every report.
//!
//! I1 per column: 一 + 二 = 三（七）总计 + 四. I2 per row: 总计 = the six applicant columns.
//! I3 per column: （七）总计 = sum of all results. I4 per group: 总计 = the four outcomes.

use crate::cells::CellOut;
use crate::report::{Check, Value};
use nianbao_templates::Template;
use std::collections::BTreeMap;

type Cells = BTreeMap<String, CellOut>;

/// A value for arithmetic: printed or derived values as they are; a blank cell counts as 0
/// (reports leave zero cells blank); anything else (not found, ambiguous) is unknown.
fn operand(cells: &Cells, key: &str) -> Option<f64> {
    let c = cells.get(key)?;
    match c.value {
        Some(v) => Some(v.as_f64()),
        None if c
            .flags
            .iter()
            .any(|f| f == "blank" || f == "missing_marker" || f == "dropped_blank") =>
        {
            Some(0.0)
        }
        None => None,
    }
}

fn printed(cells: &Cells, key: &str) -> bool {
    cells.get(key).is_some_and(|c| c.value.is_some())
}

fn result_rows(t: &Template, cells: &Cells) -> Vec<String> {
    let subrows_known = t.t3_rows.iter().any(|r| {
        r.key.starts_with("result.other.")
            && !r.derived
            && r.key != "result.other.total"
            && cells
                .iter()
                .any(|(k, c)| k.starts_with(&format!("t3.{}.", r.key)) && c.value.is_some())
    });
    t.t3_rows
        .iter()
        .filter(|r| r.key.starts_with("result.") && r.key != "result.total")
        .filter(|r| {
            let is_other = r.key.starts_with("result.other.");
            let has_derived = t.t3_rows.iter().any(|x| x.derived);
            if !is_other || !has_derived {
                return true;
            }
            let is_sub = r.key != "result.other.total";
            if subrows_known {
                is_sub
            } else {
                !is_sub
            }
        })
        .map(|r| r.key.clone())
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
    let cols = &t.t3.columns;
    let (parts_cols, total_col) = cols.split_at(cols.len() - 1);
    let total_col = &total_col[0];
    let derivable = |c: Option<&CellOut>| {
        c.is_some_and(|c| {
            c.value.is_none()
                && c.flags.iter().any(|f| {
                    f == "blank"
                        || f == "missing_marker"
                        || f == "not_printed"
                        || f == "dropped_blank"
                })
        })
    };
    // gb2021 （六）: the sum of its three sub-rows.
    if t.t3_rows.iter().any(|r| r.derived) {
        for c in cols {
            let key = format!("t3.result.other.total.{c}");
            let subs = ["no_correction", "unpaid_fee", "other"]
                .map(|s| format!("t3.result.other.{s}.{c}"));
            let vals: Option<Vec<f64>> = subs.iter().map(|k| operand(cells, k)).collect();
            let any_printed = subs.iter().any(|k| printed(cells, k));
            if let (Some(v), true) = (vals, any_printed) {
                if cells.get(&key).is_none_or(|x| x.value.is_none()) {
                    cells.insert(
                        key,
                        CellOut {
                            value: Some(Value::Int(v.iter().sum::<f64>() as i64)),
                            raw: None,
                            flags: vec!["derived".into()],
                        },
                    );
                }
            }
        }
    }
    // I2: blank row totals.
    for r in &t.t3_rows {
        let tk = format!("t3.{}.{}", r.key, total_col);
        if !derivable(cells.get(&tk)) {
            continue;
        }
        let keys: Vec<String> = parts_cols
            .iter()
            .map(|c| format!("t3.{}.{}", r.key, c))
            .collect();
        let vals: Option<Vec<f64>> = keys.iter().map(|k| operand(cells, k)).collect();
        if let (Some(v), true) = (vals, keys.iter().any(|k| printed(cells, k))) {
            cells.insert(
                tk,
                CellOut {
                    value: Some(Value::Int(v.iter().sum::<f64>() as i64)),
                    raw: None,
                    flags: vec!["derived".into()],
                },
            );
        }
    }
    // I3: a blank （七）总计 cell.
    let rows = result_rows(t, cells);
    for c in cols {
        let tk = format!("t3.result.total.{c}");
        if !derivable(cells.get(&tk)) {
            continue;
        }
        let keys: Vec<String> = rows.iter().map(|r| format!("t3.{r}.{c}")).collect();
        let vals: Option<Vec<f64>> = keys.iter().map(|k| operand(cells, k)).collect();
        if let (Some(v), true) = (vals, keys.iter().any(|k| printed(cells, k))) {
            cells.insert(
                tk,
                CellOut {
                    value: Some(Value::Int(v.iter().sum::<f64>() as i64)),
                    raw: None,
                    flags: vec!["derived".into()],
                },
            );
        }
    }
    // I4: blank group totals.
    for g in ["review", "suit_direct", "suit_after_review"] {
        let tk = format!("t4.{g}.total");
        if !derivable(cells.get(&tk)) {
            continue;
        }
        let keys: Vec<String> = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| format!("t4.{g}.{c}"))
            .collect();
        let vals: Option<Vec<f64>> = keys.iter().map(|k| operand(cells, k)).collect();
        if let (Some(v), true) = (vals, keys.iter().any(|k| printed(cells, k))) {
            cells.insert(
                tk,
                CellOut {
                    value: Some(Value::Int(v.iter().sum::<f64>() as i64)),
                    raw: None,
                    flags: vec!["derived".into()],
                },
            );
        }
    }
}

fn sum_check(
    id: &str,
    scope: String,
    lhs: &[String],
    rhs: &[String],
    cells: &Cells,
) -> Option<Check> {
    let l: Option<Vec<f64>> = lhs.iter().map(|k| operand(cells, k)).collect();
    let r: Option<Vec<f64>> = rhs.iter().map(|k| operand(cells, k)).collect();
    let (l, r) = (l?, r?);
    if !lhs.iter().chain(rhs).any(|k| printed(cells, k)) {
        return None;
    }
    let (ls, rs): (f64, f64) = (l.iter().sum(), r.iter().sum());
    let join = |v: &[f64]| v.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(" + ");
    Some(Check {
        id: id.into(),
        scope,
        holds: eq(ls, rs),
        detail: format!("{} = {}", join(&l), join(&r)),
    })
}

/// Evaluate I1-I4 on every scope where all operands are known.
pub fn run(t: &Template, cells: &Cells) -> Vec<Check> {
    let mut out = Vec::new();
    let cols = &t.t3.columns;
    let total_col = cols.last().cloned().unwrap_or_default();
    for c in cols {
        let lhs = vec![
            format!("t3.new_received.{c}"),
            format!("t3.carried_over.{c}"),
        ];
        let rhs = vec![
            format!("t3.result.total.{c}"),
            format!("t3.carried_forward.{c}"),
        ];
        out.extend(sum_check("I1", c.clone(), &lhs, &rhs, cells));
    }
    for r in &t.t3_rows {
        let lhs = vec![format!("t3.{}.{}", r.key, total_col)];
        let rhs: Vec<String> = cols[..cols.len() - 1]
            .iter()
            .map(|c| format!("t3.{}.{}", r.key, c))
            .collect();
        out.extend(sum_check("I2", r.key.clone(), &lhs, &rhs, cells));
    }
    let rows = result_rows(t, cells);
    for c in cols {
        let lhs = vec![format!("t3.result.total.{c}")];
        let rhs: Vec<String> = rows.iter().map(|r| format!("t3.{r}.{c}")).collect();
        out.extend(sum_check("I3", c.clone(), &lhs, &rhs, cells));
    }
    for g in ["review", "suit_direct", "suit_after_review"] {
        let lhs = vec![format!("t4.{g}.total")];
        let rhs: Vec<String> = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| format!("t4.{g}.{c}"))
            .collect();
        out.extend(sum_check("I4", g.to_string(), &lhs, &rhs, cells));
    }
    out
}

/// Do the Table 三 identities (I1, I2, I3) hold on the checkable scopes? `None` when nothing
/// can be checked.
pub fn t3_identities_hold(t: &Template, cells: &Cells) -> Option<bool> {
    let mut cells = cells.clone();
    derive(t, &mut cells);
    let checks: Vec<Check> = run(t, &cells)
        .into_iter()
        .filter(|c| c.id != "I4")
        .collect();
    if checks.is_empty() {
        None
    } else {
        Some(checks.iter().all(|c| c.holds))
    }
}
