//! The aligner: from a flattened document to every cell of one template. Labels are found in
//! the compact text (Table 三 rows as an ordered chain, Table 二 rows inside the Table 二 zone
//! in any block order), each row's values are read from the stretch up to the next label, and
//! ambiguities are settled by the identities or left null and flagged.

use crate::assign::{place, Placement, RowRule};

use crate::cells::{convert, CellOut, ColumnKind};
use crate::flags::{CellFlag, ReportFlag};
use crate::flat::Flat;
use crate::labels::{best_chain, extend_over_ordinal, occurrences, NoiseWords, Occ};
use crate::roworder;
use crate::tokens::{tokenize, Item};
use nianbao_templates::{BlockRow, Template};
use nianbao_text::Line;
use std::collections::BTreeMap;

/// The result of aligning a document with one template.
#[derive(Debug, Default)]
pub struct Aligned<'t> {
    /// Every key of the template.
    pub cells: BTreeMap<&'t str, CellOut>,
    /// Non-template rows and lines.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// Report-level notes (become report flags).
    pub notes: Vec<ReportFlag>,
    /// How many template rows (and Table 四) were found with values.
    pub rows_found: usize,
}

struct Ctx<'a, 't> {
    flat: &'a Flat<'t>,
    boundaries: Vec<usize>,
    noise: &'a NoiseWords,
}

impl Ctx<'_, '_> {
    fn next_boundary(&self, after: usize) -> usize {
        let i = self.boundaries.partition_point(|&b| b < after);
        self.boundaries
            .get(i)
            .copied()
            .unwrap_or(self.flat.compact.len())
    }

    fn region_items(&self, from_c: usize, to_c: usize) -> Vec<Item> {
        let a = self.flat.end_to_buf(from_c);
        let b = self.flat.to_buf(to_c).max(a);
        tokenize(&self.flat.buf[a..b])
    }

    /// Drop noise text; split the rest at the first real text into (values, tail).
    fn split_head(&self, items: Vec<Item>) -> (Vec<Item>, Vec<Item>) {
        let mut head = Vec::new();
        let mut iter = items.into_iter();
        let mut tail = Vec::new();
        for it in iter.by_ref() {
            match &it {
                Item::Text(t) if self.noise.is_noise(t) => continue,
                // Text before any value continues the label (`（区分处理的，…）`, annotations).
                Item::Text(t) if head.is_empty() && t.chars().count() <= 60 => continue,
                Item::Text(_) => {
                    tail.push(it);
                    break;
                }
                _ => head.push(it),
            }
        }
        tail.extend(iter.filter(|i| !matches!(i, Item::Text(t) if self.noise.is_noise(t))));
        (head, tail)
    }
}

fn has_values(items: &[Item]) -> bool {
    items
        .iter()
        .any(|i| matches!(i, Item::Num(_) | Item::Missing(_)))
}

/// Rows of short text followed by numbers are kept as extras: `label → number or [numbers]`.
fn collect_extras(tail: &[Item], extras: &mut BTreeMap<String, serde_json::Value>) {
    let mut label: Option<&str> = None;
    let mut vals: Vec<serde_json::Value> = Vec::new();
    let flush = |label: Option<&str>,
                 vals: &mut Vec<serde_json::Value>,
                 extras: &mut BTreeMap<String, serde_json::Value>| {
        if let Some(l) = label {
            if !vals.is_empty() {
                let l = l.trim_end_matches([':', ',']).to_string();
                let v = if vals.len() == 1 {
                    vals.remove(0)
                } else {
                    serde_json::Value::Array(std::mem::take(vals))
                };
                extras.insert(l, v);
            }
        }
        vals.clear();
    };
    for it in tail {
        match it {
            Item::Text(t) => {
                flush(label, &mut vals, extras);
                if t.chars().count() > 80 {
                    return;
                }
                label = Some(t.as_str());
            }
            Item::Num(n) => vals.push(match n.digits.parse::<i64>() {
                Ok(i) if !n.digits.contains('.') => serde_json::Value::from(i),
                _ => serde_json::Value::String(n.raw.clone()),
            }),
            Item::Missing(m) => vals.push(serde_json::Value::String(m.clone())),
            Item::Blank => {}
        }
    }
    flush(label, &mut vals, extras);
}

/// Align a flattened document with a template; `noise` are the template's noise words
/// ([`noise_words`]).
pub fn align<'t>(
    flat: &Flat<'t>,
    lines: &[Line],
    t: &'t Template,
    noise: &NoiseWords,
) -> Aligned<'t> {
    let mut out = Aligned::default();
    let len = flat.compact.len();
    let stops: Vec<usize> = t
        .stops
        .iter()
        .flat_map(|s| flat.find_all(s))
        .map(|o| o.0)
        .collect();

    // Table 三: an ordered chain of row labels.
    let t3_occ: Vec<Vec<Occ>> = t
        .t3_rows
        .iter()
        .map(|r| {
            occurrences(flat, &r.labels)
                .into_iter()
                .map(|o| extend_over_ordinal(flat, o, &r.ordinal))
                .collect()
        })
        .collect();
    let chain = best_chain(&t3_occ);
    let first_t3 = chain.iter().flatten().map(|o| o.0).min();
    let last_t3_end = chain.iter().flatten().map(|o| o.1).max();
    // Table 三 starts at its heading or note: the first one after the Table 二 block titles
    // (the report's introduction often names the section too).
    let last_anchor = first_t3.and_then(|f| {
        t.blocks
            .iter()
            .flat_map(|b| occurrences(flat, &b.anchor))
            .map(|o| o.1)
            .filter(|&e| e <= f)
            .max()
    });
    let t3_start: Option<usize> = first_t3.and_then(|f| {
        t.t3.start
            .iter()
            .flat_map(|s| flat.find_all(s))
            .map(|o| o.0)
            .filter(|&s| {
                s < f
                    && last_anchor.is_none_or(|a| s >= a)
                    && (last_anchor.is_some() || f - s < 3000)
            })
            .min()
    });

    // Table 二 zone: from the first block title up to Table 三.
    let t4_any: Vec<usize> =
        t.t4.start
            .iter()
            .flat_map(|s| flat.find_all(s))
            .map(|o| o.0)
            .collect();
    let t2_end = t3_start.or(first_t3).unwrap_or_else(|| {
        let anchors_first = t
            .blocks
            .iter()
            .flat_map(|b| occurrences(flat, &b.anchor))
            .map(|o| o.0)
            .min()
            .unwrap_or(0);
        t4_any
            .iter()
            .chain(stops.iter())
            .copied()
            .filter(|&p| p > anchors_first)
            .min()
            .unwrap_or(len)
    });
    let anchor_occ: Vec<Vec<Occ>> = t
        .blocks
        .iter()
        .map(|b| {
            occurrences(flat, &b.anchor)
                .into_iter()
                .filter(|o| o.0 < t2_end)
                .collect()
        })
        .collect();
    let t2_start = anchor_occ.iter().flatten().map(|o| o.0).min();
    let t2_zone = t2_start.map(|s| (s, t2_end));
    let t2_occ: Vec<Vec<Vec<Occ>>> = t
        .blocks
        .iter()
        .map(|b| {
            b.rows
                .iter()
                .map(|r| match t2_zone {
                    Some((s, e)) => occurrences(flat, &r.labels)
                        .into_iter()
                        .filter(|o| o.0 >= s && o.1 <= e)
                        .collect(),
                    None => Vec::new(),
                })
                .collect()
        })
        .collect();

    // Table 四 starts after Table 三 (or Table 二).
    let t4_from = last_t3_end.or(t2_zone.map(|z| z.1));
    let t4_start: Option<Occ> = t4_from.and_then(|from| {
        t.t4.start
            .iter()
            .flat_map(|s| flat.find_all(s))
            .filter(|o| o.0 >= from)
            .min_by_key(|o| (o.0, std::cmp::Reverse(o.1)))
    });

    let mut boundaries: Vec<usize> = Vec::new();
    boundaries.extend(anchor_occ.iter().flatten().map(|o| o.0));
    boundaries.extend(t2_occ.iter().flatten().flatten().map(|o| o.0));
    boundaries.extend(chain.iter().flatten().map(|o| o.0));
    if let Some(s) = t3_start {
        boundaries.push(s);
    }
    boundaries.extend(
        t.t3.start
            .iter()
            .flat_map(|s| flat.find_all(s))
            .map(|o| o.0)
            .filter(|&p| Some(p) >= t2_start && Some(p) < first_t3),
    );
    if let Some(o) = t4_start {
        boundaries.push(o.0);
    }
    boundaries.extend(stops.iter().copied());
    boundaries.sort_unstable();
    boundaries.dedup();

    let ctx = Ctx {
        flat,
        boundaries,
        noise,
    };

    align_t2(&ctx, t, &anchor_occ, &t2_occ, &mut out);
    align_t3(
        &ctx,
        t,
        &chain,
        lines,
        t3_start.or(first_t3),
        t4_start.map(|o| o.0).or(Some(len)),
        &mut out,
    );
    align_t4(&ctx, t, t4_start, &stops, &mut out);
    out
}

/// The noise words of a template: Table 三 group labels and header words, Table 四 header
/// words, Table 二 header words, block titles and column labels.
pub fn noise_words(t: &Template) -> NoiseWords {
    let mut noise = t.t3.noise.clone();
    noise.extend(t.t4.header_words.iter().cloned());
    noise.extend(t.t2_noise.iter().cloned());
    NoiseWords::new(noise)
}

fn align_t2<'t>(
    ctx: &Ctx<'_, 't>,
    t: &'t Template,
    anchor_occ: &[Vec<Occ>],
    t2_occ: &[Vec<Vec<Occ>>],
    out: &mut Aligned<'t>,
) {
    for (bi, b) in t.blocks.iter().enumerate() {
        for (ri, r) in b.rows.iter().enumerate() {
            let keys: Vec<&'t str> = t.keys.t2[bi][ri].iter().map(String::as_str).collect();
            let kinds = &b.kinds;
            let occs = &t2_occ[bi][ri];
            let mut chosen: Option<(Vec<Item>, Vec<Item>, bool)> = None;
            for o in occs {
                let items = ctx.region_items(o.1, ctx.next_boundary(o.1));
                let (head, tail) = ctx.split_head(items);
                if has_values(&head) {
                    chosen = Some((head, tail, false));
                    break;
                }
            }
            if chosen.is_none() {
                // PDF text sometimes prints the value before its row label: take the values
                // between the block title (or previous row) and the label.
                if let Some(o) = occs.first() {
                    let prev = ctx.boundaries.iter().copied().filter(|&p| p < o.0).max();
                    let from = prev.map(|p| ctx.next_label_end(p)).unwrap_or(o.0);
                    let before = ctx.region_items(from, o.0);
                    let (head, _) = ctx.split_head(before);
                    let n_vals = head.iter().filter(|i| matches!(i, Item::Num(_))).count();
                    if n_vals == keys.len() && anchor_occ[bi].iter().any(|a| a.0 < o.0) {
                        chosen = Some((head, Vec::new(), true));
                    }
                }
            }
            let Some((head, tail, before)) = chosen else {
                for k in &keys {
                    out.cells.insert(k, CellOut::missing(CellFlag::NotFound));
                }
                continue;
            };
            collect_extras(&tail, &mut out.extras);
            let placed = place(&head, keys.len(), &RowRule::none());
            let mut cells = match placed {
                Placement::Glued(cands, raw) if cands.len() > 1 => {
                    settle_glued_t2(ctx, r, cands, &raw)
                }
                other => placement_cells(other, kinds, &RowRule::none()),
            };
            if before {
                for c in cells.iter_mut() {
                    c.flag(CellFlag::ValueBeforeLabel);
                }
            }
            if cells.iter().any(|c| c.value.is_some()) {
                out.rows_found += 1;
            }
            for (k, c) in keys.into_iter().zip(cells) {
                out.cells.insert(k, c);
            }
        }
    }
    // Plausibility of money printed without a unit (2019 procurement): 万元 per project.
    for (bi, b) in t.blocks.iter().enumerate() {
        let Some(pu) = &b.per_unit_max else { continue };
        for keys in &t.keys.t2[bi] {
            let (Some(mk), Some(pk)) = (keys.get(pu.column), keys.get(pu.per)) else {
                continue;
            };
            let per = out
                .cells
                .get(pk.as_str())
                .and_then(|c| c.value)
                .map(|v| v.as_f64());
            if let Some(c) = out.cells.get_mut(mk.as_str()) {
                if let (Some(v), Some(p)) = (c.value, per) {
                    if c.flags.contains(&CellFlag::UnitUnknown)
                        && p > 0.0
                        && v.as_f64() / p > pu.max
                    {
                        c.flag(CellFlag::UnitUnknownLikelyYuan);
                    }
                }
            }
        }
    }
}

impl Ctx<'_, '_> {
    /// Where values can start after the label (or block title) that starts at compact offset
    /// `p`: labels are text, so the first digit after `p`.
    fn next_label_end(&self, p: usize) -> usize {
        let rest = &self.flat.compact[p..];
        p + rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len())
    }
}

/// Several readings of a Table 二 row that printed fewer numbers than it has columns: splits
/// of glued digits, and the printed numbers as they are with blank cells dropped somewhere
/// (`13 | 55` for three columns). The narrative chooses: a reading must agree with every
/// figure the report's text states for the row (a figure no reading has is ignored). Cells on
/// which all remaining readings agree get the value; the others stay null.
fn settle_glued_t2(ctx: &Ctx, row: &BlockRow, cands: Vec<Vec<i64>>, raw: &str) -> Vec<CellOut> {
    let columns = cands.first().map(Vec::len).unwrap_or(0);
    // (values, true when the reading keeps the printed numbers whole with blanks dropped)
    let mut readings: Vec<(Vec<Option<i64>>, bool)> = cands
        .into_iter()
        .map(|c| (c.into_iter().map(Some).collect(), false))
        .collect();
    let printed: Vec<i64> = raw.split(' ').filter_map(|t| t.parse().ok()).collect();
    if !printed.is_empty() && printed.len() < columns {
        for places in combinations(columns, printed.len()) {
            let mut v = vec![None; columns];
            for (&p, &x) in places.iter().zip(&printed) {
                v[p] = Some(x);
            }
            readings.push((v, true));
        }
    }
    let mut narrative_used = false;
    for ci in 0..columns {
        if let Some(&v) = row.narrative.values(ci, &ctx.flat.compact).first() {
            let kept: Vec<(Vec<Option<i64>>, bool)> = readings
                .iter()
                .filter(|(c, _)| c.get(ci) == Some(&Some(v)))
                .cloned()
                .collect();
            if !kept.is_empty() {
                readings = kept;
                narrative_used = true;
            }
        }
    }
    // Without the narrative only the splits count: a dropped blank is a guess then.
    if !narrative_used {
        readings.retain(|(_, whole)| !whole);
    }
    let whole = readings.iter().all(|(_, w)| *w);
    (0..columns)
        .map(|ci| {
            let first = readings.first().and_then(|(c, _)| c.get(ci)).copied();
            let agreed = first.filter(|f| readings.iter().all(|(c, _)| c.get(ci) == Some(f)));
            match agreed {
                Some(Some(v)) => {
                    let mut flags = vec![if whole {
                        CellFlag::PositionInferred
                    } else {
                        CellFlag::SplitGlued
                    }];
                    if narrative_used {
                        flags.push(CellFlag::NarrativeConfirmed);
                    }
                    CellOut {
                        value: Some(crate::report::Value::Int(v)),
                        raw: Some(raw.to_string()),
                        flags,
                    }
                }
                Some(None) => CellOut {
                    value: None,
                    raw: None,
                    flags: vec![CellFlag::DroppedBlank, CellFlag::NarrativeConfirmed],
                },
                None => CellOut {
                    value: None,
                    raw: Some(raw.to_string()),
                    flags: vec![CellFlag::Ambiguous],
                },
            }
        })
        .collect()
}

/// Every increasing choice of `k` positions out of `n` (small: a Table 二 row has at most
/// three columns).
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if k <= n && n <= 8 {
        go(0, n, k, &mut Vec::new(), &mut out);
    }
    out
}

/// Cells of a placement. A single split of glued digits is flagged `split_by_identity` when a
/// row identity chose it, `split_glued` when the digits allowed only one split.
fn placement_cells(p: Placement, kinds: &[ColumnKind], rule: &RowRule) -> Vec<CellOut> {
    let n = kinds.len();
    match p {
        Placement::Direct(v) | Placement::Positional(v) => {
            v.iter().zip(kinds).map(|(r, k)| convert(r, *k)).collect()
        }
        Placement::Inferred(v) => v
            .iter()
            .zip(kinds)
            .map(|(r, k)| match r {
                Some(r) => {
                    let mut c = convert(r, *k);
                    c.flag(CellFlag::PositionInferred);
                    c
                }
                None => CellOut::missing(CellFlag::DroppedBlank),
            })
            .collect(),
        Placement::Glued(cands, raw) => {
            if cands.len() == 1 {
                cands[0]
                    .iter()
                    .map(|&v| CellOut {
                        value: Some(crate::report::Value::Int(v)),
                        raw: Some(raw.clone()),
                        flags: vec![if rule.is_none() {
                            CellFlag::SplitGlued
                        } else {
                            CellFlag::SplitByIdentity
                        }],
                    })
                    .collect()
            } else {
                (0..n)
                    .map(|_| CellOut {
                        value: None,
                        raw: Some(raw.clone()),
                        flags: vec![CellFlag::Ambiguous],
                    })
                    .collect()
            }
        }
        Placement::Truncated(v) => v
            .iter()
            .zip(kinds)
            .map(|(r, k)| match r {
                Some(r) => convert(r, *k),
                None => CellOut::missing(CellFlag::TruncatedSource),
            })
            .collect(),
        Placement::Unresolved(_) => (0..n)
            .map(|_| CellOut::missing(CellFlag::Unresolved))
            .collect(),
    }
}

fn t3_keys(t: &Template, row: usize) -> Vec<&str> {
    t.keys
        .t3
        .get(row)
        .map(|k| k.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn align_t3<'t>(
    ctx: &Ctx<'_, 't>,
    t: &'t Template,
    chain: &[Option<Occ>],
    lines: &[Line],
    zone_start: Option<usize>,
    zone_end: Option<usize>,
    out: &mut Aligned<'t>,
) {
    let kinds = vec![ColumnKind::Count; t.t3.columns.len()];
    let rule = RowRule::t3(t);
    let mut glued: Vec<(usize, Vec<Vec<i64>>, String)> = Vec::new();
    let mut resolved_rows = 0;
    let mut label_cells: BTreeMap<&'t str, CellOut> = BTreeMap::new();
    for (ri, occ) in chain.iter().enumerate() {
        let keys = t3_keys(t, ri);
        let Some(o) = occ else {
            for k in keys {
                label_cells.insert(k, CellOut::missing(CellFlag::NotFound));
            }
            continue;
        };
        let end = ctx.next_boundary(o.1);
        let items = ctx.region_items(o.1, end);
        let (head, tail) = ctx.split_head(items);
        collect_extras(&tail, &mut out.extras);
        let truncated = end >= ctx.flat.compact.len();
        let placed = crate::assign::place_with(&head, keys.len(), &rule, truncated);
        if let Placement::Glued(c, raw) = &placed {
            if c.len() > 1 {
                glued.push((ri, c.clone(), raw.clone()));
                for k in keys {
                    label_cells.insert(
                        k,
                        CellOut {
                            value: None,
                            raw: Some(raw.clone()),
                            flags: vec![CellFlag::Ambiguous],
                        },
                    );
                }
                continue;
            }
        }
        let ok = !matches!(placed, Placement::Unresolved(_));
        let cells = placement_cells(placed, &kinds, &rule);
        if ok {
            resolved_rows += 1;
        }
        for (k, c) in keys.into_iter().zip(cells) {
            label_cells.insert(k, c);
        }
    }
    if !glued.is_empty() {
        resolve_glued(t, &glued, &mut label_cells);
    }

    // The row-order reading: value rows in document order, for shattered tables whose numbers
    // are far from their labels. Used only when it reads every row and the identities hold.
    let expected = t.t3_rows.iter().filter(|r| !r.is_derived()).count();
    if let (Some(zs), Some(ze)) = (zone_start, zone_end) {
        let a = ctx.flat.line_of(ctx.flat.to_buf(zs));
        let b = ctx
            .flat
            .line_of(ctx.flat.to_buf(ze.min(ctx.flat.compact.len())));
        // Value rows need at least one line per printed row; a glued table is one line.
        let last = lines.len().saturating_sub(1);
        let (a, b) = (a.min(last), b.min(last).max(a.min(last)));
        let zone: &[Line] = if lines.is_empty() { &[] } else { &lines[a..=b] };
        let rows = if resolved_rows < expected && zone.len() >= expected - 2 {
            roworder::value_rows(zone, t.t3.columns.len())
        } else {
            Vec::new()
        };
        if resolved_rows < expected && rows.len() > resolved_rows {
            if let Some(ro) = roworder::assign(t, &rows) {
                let label_ok = crate::checks::t3_identities_hold(t, &label_cells);
                let ro_ok = crate::checks::t3_identities_hold(t, &ro) == Some(true);
                if ro_ok && (!label_ok.unwrap_or(false) || resolved_rows + 2 < expected) {
                    out.notes.push(ReportFlag::T3RowOrder);
                    label_cells = ro;
                    resolved_rows = expected;
                }
            }
        }
    }
    out.rows_found += resolved_rows;
    out.cells.extend(label_cells);
}

fn resolve_glued<'t>(
    t: &'t Template,
    glued: &[(usize, Vec<Vec<i64>>, String)],
    cells: &mut BTreeMap<&'t str, CellOut>,
) {
    let total: usize = glued.iter().map(|g| g.1.len()).product();
    if total > 20_000 {
        return;
    }
    let mut winners: Vec<Vec<usize>> = Vec::new();
    let mut idx = vec![0usize; glued.len()];
    // Combinations are tried in place on one copy: only the glued rows change.
    let mut trial = cells.clone();
    crate::checks::derive(t, &mut trial);
    loop {
        for (gi, (ri, cands, _)) in glued.iter().enumerate() {
            for (k, v) in t3_keys(t, *ri).into_iter().zip(&cands[idx[gi]]) {
                let c = trial.entry(k).or_default();
                c.value = Some(crate::report::Value::Int(*v));
                c.flags.clear();
            }
        }
        if crate::checks::t3_identities_hold_as_is(t, &trial) == Some(true) {
            winners.push(idx.clone());
        }
        // next combination
        let mut i = 0;
        loop {
            if i == idx.len() {
                break;
            }
            idx[i] += 1;
            if idx[i] < glued[i].1.len() {
                break;
            }
            idx[i] = 0;
            i += 1;
        }
        if i == idx.len() {
            break;
        }
    }
    if winners.len() == 1 {
        for (gi, (ri, cands, raw)) in glued.iter().enumerate() {
            for (k, v) in t3_keys(t, *ri).into_iter().zip(&cands[winners[0][gi]]) {
                cells.insert(
                    k,
                    CellOut {
                        value: Some(crate::report::Value::Int(*v)),
                        raw: Some(raw.clone()),
                        flags: vec![CellFlag::SplitByIdentity],
                    },
                );
            }
        }
    }
}

fn align_t4<'t>(
    ctx: &Ctx<'_, 't>,
    t: &'t Template,
    start: Option<Occ>,
    stops: &[usize],
    out: &mut Aligned<'t>,
) {
    let keys: Vec<&'t str> = t.keys.t4.iter().flatten().map(String::as_str).collect();
    let width = keys.len();
    let fill_missing = |out: &mut Aligned<'t>, flag: CellFlag| {
        for k in &keys {
            out.cells.insert(k, CellOut::missing(flag));
        }
    };
    let Some(o) = start else {
        fill_missing(out, CellFlag::NotFound);
        return;
    };
    let end = stops
        .iter()
        .copied()
        .filter(|&s| s > o.1)
        .min()
        .unwrap_or(ctx.flat.compact.len());
    let items = ctx.region_items(o.1, end);
    let mut vals: Vec<Item> = Vec::new();
    for it in items {
        match &it {
            Item::Text(tx) if ctx.noise.is_noise(tx) => {}
            Item::Text(tx) => {
                if !vals.is_empty() || tx.chars().count() > 12 {
                    break;
                }
            }
            Item::Blank if vals.is_empty() => {}
            _ => vals.push(it),
        }
        if vals.iter().filter(|i| !matches!(i, Item::Blank)).count() >= width {
            break;
        }
    }
    if !has_values(&vals) {
        fill_missing(out, CellFlag::NotFound);
        return;
    }
    let kinds = vec![ColumnKind::Count; keys.len()];
    let rule = RowRule::t4(t);
    let placed = place(&vals, keys.len(), &rule);
    let ok = !matches!(placed, Placement::Unresolved(_));
    let cells = placement_cells(placed, &kinds, &rule);
    if ok {
        out.rows_found += 1;
    }
    for (k, c) in keys.into_iter().zip(cells) {
        out.cells.insert(k, c);
    }
}
