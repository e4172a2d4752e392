//! Assigning the items of one row's region to the row's columns: direct when the counts
//! match, positional when blank cells keep the places, split by the identities when cells
//! were glued together, and inferred (and flagged) when blank cells were dropped.

use crate::tokens::{Item, Num};
use nianbao_templates::{Over, Template};

/// A cell as read from the source, before unit handling.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// A printed number.
    Num(Num),
    /// A missing marker (`/`, `-`, `无`).
    Missing(String),
    /// An empty cell.
    Blank,
}

/// How a row's cells were placed.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// One value per column, in order.
    Direct(Vec<Raw>),
    /// Places kept by blank cells.
    Positional(Vec<Raw>),
    /// Several candidate splits of glued digits; resolved later by the identities.
    Glued(Vec<Vec<i64>>, String),
    /// Blank cells were dropped; the values were placed by a rule and are flagged.
    Inferred(Vec<Option<Raw>>),
    /// The source ends inside the row: values from the left, the rest missing.
    Truncated(Vec<Option<Raw>>),
    /// Nothing usable (no values, or more than one reading and nothing to choose by).
    Unresolved(String),
}

/// The identities a row's cells must satisfy, used to choose among glued splits: each sum is
/// `(total position, part positions)`. Built from the template's identities (I2 for a Table
/// 三 row, I4 for the Table 四 row); empty for Table 二, which has no identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowRule {
    sums: Vec<(usize, Vec<usize>)>,
}

impl RowRule {
    /// No identity (Table 二).
    pub fn none() -> RowRule {
        RowRule::default()
    }

    /// The rule of a Table 三 row: every identity applied per row.
    pub fn t3(t: &Template) -> RowRule {
        RowRule {
            sums: t
                .identities
                .iter()
                .filter(|i| i.over == Over::T3Rows)
                .filter_map(|i| Some((i.total()?, i.rhs.clone())))
                .collect(),
        }
    }

    /// The rule of the Table 四 row: every identity applied per group, for each group.
    pub fn t4(t: &Template) -> RowRule {
        let w = t.t4.columns.len();
        let mut sums = Vec::new();
        for i in t.identities.iter().filter(|i| i.over == Over::T4Groups) {
            let Some(total) = i.total() else { continue };
            for g in 0..t.t4.groups.len() {
                sums.push((g * w + total, i.rhs.iter().map(|c| g * w + c).collect()));
            }
        }
        RowRule { sums }
    }

    /// True when no identity constrains the row.
    pub fn is_none(&self) -> bool {
        self.sums.is_empty()
    }

    /// True when the rule is "the last of `n` cells is the sum of all the others".
    fn is_last_sum(&self, n: usize) -> bool {
        matches!(self.sums.as_slice(), [(t, parts)] if *t + 1 == n && parts.len() + 1 == n && parts.iter().all(|p| *p < n - 1))
    }

    fn holds(&self, v: &[i64]) -> bool {
        self.sums.iter().all(|(t, parts)| {
            let sum: Option<i64> = parts.iter().map(|&p| v.get(p).copied()).sum();
            sum.is_some() && sum == v.get(*t).copied()
        })
    }
}

const MAX_SPLITS: usize = 20_000;

/// Place the values of a region into `n` columns. `truncated` says the region runs to the
/// end of the document (an excerpt cut inside the row): values are then placed from the left.
pub fn place(items: &[Item], n: usize, rule: &RowRule) -> Placement {
    place_with(items, n, rule, false)
}

/// [`place`] with knowledge of whether the source was cut inside this row.
pub fn place_with(items: &[Item], n: usize, rule: &RowRule, truncated: bool) -> Placement {
    let vals: Vec<Raw> = items
        .iter()
        .filter_map(|i| match i {
            Item::Num(x) => Some(Raw::Num(x.clone())),
            Item::Missing(m) => Some(Raw::Missing(m.clone())),
            _ => None,
        })
        .collect();
    if vals.is_empty() {
        return Placement::Unresolved("no values".into());
    }
    if vals.len() == n {
        return Placement::Direct(vals);
    }
    if vals.len() > n {
        return Placement::Direct(vals.into_iter().take(n).collect());
    }
    // Fewer values than columns: blank cells may hold the places.
    let seq: Vec<Raw> = items
        .iter()
        .filter_map(|i| match i {
            Item::Num(x) => Some(Raw::Num(x.clone())),
            Item::Missing(m) => Some(Raw::Missing(m.clone())),
            Item::Blank => Some(Raw::Blank),
            Item::Text(_) => None,
        })
        .collect();
    if seq.len() == n {
        return Placement::Positional(seq);
    }
    if seq.len() > n {
        // Extra blanks (paragraph gaps, span artefacts): the values are right-aligned when
        // blanks precede them, left-aligned when blanks only follow.
        let first_val = seq
            .iter()
            .position(|r| !matches!(r, Raw::Blank))
            .unwrap_or(0);
        let window: Vec<Raw> = if first_val + n <= seq.len() && first_val == 0 {
            seq[..n].to_vec()
        } else {
            seq[seq.len() - n..].to_vec()
        };
        let kept = window.iter().filter(|r| !matches!(r, Raw::Blank)).count();
        if kept == vals.len() {
            return Placement::Positional(window);
        }
    }
    if truncated
        && seq.iter().all(|r| !matches!(r, Raw::Blank))
        && vals
            .iter()
            .all(|r| matches!(r, Raw::Num(x) if x.digits.len() <= 4))
    {
        let mut out: Vec<Option<Raw>> = vals.into_iter().map(Some).collect();
        out.resize(n, None);
        return Placement::Truncated(out);
    }
    // Glued digits: split with the row identity.
    let digit_tokens: Vec<&str> = vals
        .iter()
        .filter_map(|r| match r {
            Raw::Num(x) if x.is_plain_digits() => Some(x.digits.as_str()),
            _ => None,
        })
        .collect();
    let total_digits: usize = digit_tokens.iter().map(|t| t.len()).sum();
    if digit_tokens.len() == vals.len() && total_digits >= n {
        let raw = digit_tokens.join(" ");
        let cands = splits(&digit_tokens, n, rule);
        return match cands {
            Some(c) if !c.is_empty() => Placement::Glued(c, raw),
            Some(_) => Placement::Unresolved(format!(
                "glued digits '{raw}' have no split that satisfies the row identity"
            )),
            None => Placement::Unresolved(format!("glued digits '{raw}' have too many splits")),
        };
    }
    // Dropped blanks: with the row identity, two equal values are the only applicant group and
    // the total; the group is taken to be 自然人 (flagged).
    if rule.is_last_sum(n) {
        let nums: Vec<&Num> = vals
            .iter()
            .filter_map(|r| match r {
                Raw::Num(x) => Some(x),
                _ => None,
            })
            .collect();
        if nums.len() == vals.len() && nums.len() >= 2 {
            let parse = |x: &Num| x.digits.parse::<i64>().ok();
            let parts: Option<Vec<i64>> = nums[..nums.len() - 1].iter().map(|x| parse(x)).collect();
            let last = parse(nums[nums.len() - 1]);
            if let (Some(parts), Some(last)) = (parts, last) {
                if parts.iter().sum::<i64>() == last {
                    let mut out: Vec<Option<Raw>> = vec![None; n];
                    out[n - 1] = Some(vals[vals.len() - 1].clone());
                    if nums.len() == 2 {
                        out[0] = Some(vals[0].clone());
                    }
                    return Placement::Inferred(out);
                }
            }
        }
    }
    Placement::Unresolved(format!("{} value(s) for {} columns", vals.len(), n))
}

/// Every way to cut the digit tokens into `n` numbers without leading zeros, keeping token
/// boundaries, that satisfies `rule`. `None` when there are too many to enumerate.
pub fn splits(tokens: &[&str], n: usize, rule: &RowRule) -> Option<Vec<Vec<i64>>> {
    let digits: Vec<u8> = tokens.iter().flat_map(|t| t.bytes()).collect();
    let mut forced = vec![false; digits.len() + 1];
    let mut at = 0;
    for t in tokens {
        at += t.len();
        forced[at] = true;
    }
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(n);
    let mut budget = MAX_SPLITS;
    if !walk(
        &digits,
        &forced,
        0,
        n,
        rule,
        &mut cur,
        &mut out,
        &mut budget,
    ) {
        return None;
    }
    Some(out)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    digits: &[u8],
    forced: &[bool],
    from: usize,
    n: usize,
    rule: &RowRule,
    cur: &mut Vec<i64>,
    out: &mut Vec<Vec<i64>>,
    budget: &mut usize,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let left = n - cur.len();
    if left == 0 {
        if from == digits.len() && rule.holds(cur) {
            out.push(cur.clone());
        }
        return true;
    }
    let remaining = digits.len() - from;
    if remaining < left {
        return true;
    }
    // A number may not start with 0 unless it is 0; it may not cross a token boundary.
    let max_len = if digits[from] == b'0' {
        1
    } else {
        remaining - (left - 1)
    };
    for len in 1..=max_len.min(12) {
        let end = from + len;
        if forced[from + 1..end].iter().any(|&f| f) {
            break;
        }
        if left == 1 && end != digits.len() {
            continue;
        }
        let v = digits[from..end]
            .iter()
            .fold(0i64, |a, &d| a * 10 + i64::from(d - b'0'));
        cur.push(v);
        let ok = walk(digits, forced, end, n, rule, cur, out, budget);
        cur.pop();
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str) -> &'static Template {
        nianbao_templates::template(id).expect("bundled template")
    }

    #[test]
    fn glued_rows_split_uniquely_with_the_identity() {
        let t3 = RowRule::t3(t("gb2021"));
        let c = splits(&["640020470"], 7, &t3).unwrap_or_default();
        assert_eq!(c, vec![vec![64, 0, 0, 2, 0, 4, 70]]);
        let c = splits(&["500000", "5"], 7, &t3).unwrap_or_default();
        assert_eq!(c, vec![vec![5, 0, 0, 0, 0, 0, 5]]);
        let c = splits(&["270020130"], 7, &t3).unwrap_or_default();
        assert_eq!(c.len(), 2);
        let t4 = RowRule::t4(t("gb2021"));
        let c = splits(&["10203120001200000"], 15, &t4).unwrap_or_default();
        assert_eq!(c, vec![vec![1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]]);
    }

    #[test]
    fn table_two_glue_without_identity_is_ambiguous() {
        let c = splits(&["693665"], 3, &RowRule::none()).unwrap_or_default();
        assert!(c.len() > 1);
        let c = splits(&["000"], 3, &RowRule::none()).unwrap_or_default();
        assert_eq!(c, vec![vec![0, 0, 0]]);
    }
}
