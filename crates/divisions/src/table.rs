//! The bundled code table (`data/divisions/areacodes.csv`) and alias table, parsed once.
//!
//! One [`Row`] per code and name with its validity years; indexes by code, a successor
//! lineage per row (for `agency_id`), and the name automaton used by the matcher.

use crate::names;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const AREACODES: &str = include_str!("../../../data/divisions/areacodes.csv");
/// The year of the table's snapshot: its rows in use are taken as valid through that year.
const SNAPSHOT_YEAR: u16 = 2025;
const ALIASES: &str = include_str!("../../../data/divisions/aliases.csv");

/// The bundled table could not be read. Only a broken build can cause it (the files are
/// compiled in), so a test checks it; at run time it becomes the flag `division_table_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bundled {file}, line {line}: {message}")]
pub struct TableError {
    /// `areacodes.csv` or `aliases.csv`.
    pub file: &'static str,
    /// 1-based line number (0 when the file as a whole is wrong).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Level of a government in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级: province, autonomous region, municipality.
    Province,
    /// 地级: prefecture-level city, 地区, 自治州, 盟.
    Prefecture,
    /// 县级: county, district, county-level city, 旗, 林区, 特区.
    County,
    /// 乡级: town (镇), township (乡, 苏木), street office (街道). No code table exists.
    Township,
}

impl DivisionLevel {
    /// The column value: `province`, `prefecture`, `county`, `township`.
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionLevel::Province => "province",
            DivisionLevel::Prefecture => "prefecture",
            DivisionLevel::County => "county",
            DivisionLevel::Township => "township",
        }
    }
}

impl std::fmt::Display for DivisionLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One code under one name, valid over `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub code: u32,
    pub name: Box<str>,
    pub province: Box<str>,
    /// The prefecture's name; `None` for provinces and for counties directly under a province.
    pub prefecture: Option<Box<str>>,
    pub level: DivisionLevel,
    pub start: u16,
    pub end: Option<u16>,
    /// Codes that took over the whole division (a `[year]`-marked partial transfer excluded).
    pub successors: Vec<u32>,
}

impl Row {
    pub fn valid(&self, year: u16) -> bool {
        self.start <= year && self.end.is_none_or(|e| year < e)
    }
}

/// What a name pattern stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Row(u32),
    Alias(u32),
}

/// A special zone without a code of its own.
#[derive(Debug, Clone)]
pub(crate) struct Alias {
    pub name: String,
    pub code: u32,
    pub since: u16,
}

/// The parsed tables and their indexes.
pub(crate) struct Table {
    pub rows: Vec<Row>,
    by_code: HashMap<u32, Vec<u32>, CodeHash>,
    /// Per row: the row its lineage ends in (itself when it has no sole successor).
    lineage_end: Vec<u32>,
    /// Per row: the row its lineage steps into, if any.
    step: Vec<Option<u32>>,
    /// Per row: the rows that step into it.
    preds: Vec<Vec<u32>>,
    /// Per lineage end: every row of that lineage.
    lineage_members: HashMap<u32, Vec<u32>>,
    pub aliases: Vec<Alias>,
    pub patterns: Vec<Vec<Target>>,
    pub automaton: AhoCorasick,
    pub first_year: u16,
    pub last_year: u16,
}

/// The tables, parsed on first use.
pub(crate) fn table() -> Result<&'static Table, &'static TableError> {
    static T: OnceLock<Result<Table, TableError>> = OnceLock::new();
    T.get_or_init(|| Table::parse(AREACODES, ALIASES)).as_ref()
}

/// Codes are small integers spread over six digits: a multiplicative hash is enough, and
/// much cheaper than SipHash on the hot path (several lookups per call).
#[derive(Clone, Copy, Default)]
pub(crate) struct CodeHash;

impl std::hash::BuildHasher for CodeHash {
    type Hasher = CodeHasher;
    fn build_hasher(&self) -> CodeHasher {
        CodeHasher(0)
    }
}

pub(crate) struct CodeHasher(u64);

impl std::hash::Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn err(file: &'static str, line: u64, message: impl Into<String>) -> TableError {
    TableError {
        file,
        line,
        message: message.into(),
    }
}

fn parse_code(s: &str) -> Option<u32> {
    (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_year(s: &str) -> Option<u16> {
    s.parse().ok().filter(|y| (1949..=2200).contains(y))
}

impl Table {
    pub(crate) fn parse(areacodes: &str, aliases: &str) -> Result<Table, TableError> {
        const F: &str = "areacodes.csv";
        let mut rdr = csv::ReaderBuilder::new().from_reader(areacodes.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| err(F, 1, e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let want = [
            "代码",
            "一级行政区",
            "二级行政区",
            "名称",
            "级别",
            "状态",
            "启用时间",
            "变更/弃用时间",
            "新代码",
        ];
        if header != want {
            return Err(err(F, 1, format!("unexpected header {header:?}")));
        }
        let mut rows = Vec::with_capacity(7000);
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(F, line, e.to_string()))?;
            let f = |k: usize| rec.get(k).unwrap_or("").trim();
            let code = parse_code(f(0)).ok_or_else(|| err(F, line, "bad code"))?;
            let level = match f(4) {
                "省级" => DivisionLevel::Province,
                "地级" => DivisionLevel::Prefecture,
                "县级" => DivisionLevel::County,
                other => return Err(err(F, line, format!("unknown level {other:?}"))),
            };
            let start = parse_year(f(6)).ok_or_else(|| err(F, line, "bad start year"))?;
            let end = match f(7) {
                "" => None,
                y => Some(parse_year(y).ok_or_else(|| err(F, line, "bad end year"))?),
            };
            match (f(5), end) {
                ("在用", None) | ("变更" | "弃用", Some(_)) => {}
                (s, _) => return Err(err(F, line, format!("status {s:?} and end year disagree"))),
            }
            let mut successors = Vec::new();
            for part in f(8).split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (c, partial) = match part.split_once('[') {
                    Some((c, _)) => (c, true),
                    None => (part, false),
                };
                let c = parse_code(c).ok_or_else(|| err(F, line, "bad successor code"))?;
                if !partial {
                    successors.push(c);
                }
            }
            let name = f(3);
            let province = f(1);
            if name.is_empty() || province.is_empty() {
                return Err(err(F, line, "empty name or province"));
            }
            let prefecture = match (level, f(2)) {
                (DivisionLevel::Province, _) | (_, "直辖") => None,
                (_, "") => return Err(err(F, line, "empty prefecture")),
                (_, p) => Some(p.into()),
            };
            rows.push(Row {
                code,
                name: name.into(),
                province: province.into(),
                prefecture,
                level,
                start,
                end,
                successors,
            });
        }
        if rows.len() < 3000 {
            return Err(err(F, 0, format!("only {} rows", rows.len())));
        }
        let mut by_code: HashMap<u32, Vec<u32>, CodeHash> = HashMap::default();
        for (i, r) in rows.iter().enumerate() {
            by_code.entry(r.code).or_default().push(i as u32);
        }
        for v in by_code.values_mut() {
            v.sort_by_key(|&i| rows[i as usize].start);
        }
        let first_year = rows.iter().map(|r| r.start).min().unwrap_or(1981);
        // The snapshot (2025-11-04) records no change after 2024; it stands for 2025 too.
        let last_year = rows
            .iter()
            .flat_map(|r| [Some(r.start), r.end])
            .flatten()
            .max()
            .unwrap_or(first_year)
            .max(SNAPSHOT_YEAR);
        let aliases_parsed = parse_aliases(aliases)?;
        let mut t = Table {
            rows,
            by_code,
            lineage_end: Vec::new(),
            step: Vec::new(),
            preds: Vec::new(),
            lineage_members: HashMap::new(),
            aliases: Vec::new(),
            patterns: Vec::new(),
            automaton: AhoCorasick::new(["\u{0}"]).map_err(|e| err(F, 0, e.to_string()))?,
            first_year,
            last_year,
        };
        t.check_hierarchy()?;
        t.build_lineage();
        // Every name, its short forms, and every alias name, deduplicated into patterns.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut texts: Vec<String> = Vec::new();
        let mut add = |text: String, target: Target, patterns: &mut Vec<Vec<Target>>| {
            let k = *index.entry(text.clone()).or_insert_with(|| {
                texts.push(text);
                patterns.push(Vec::new());
                patterns.len() - 1
            });
            patterns[k].push(target);
        };
        let mut patterns = Vec::new();
        // Names go through the same cleaning as the input: OpenCC turns the 乾 of 乾安县 into
        // 干, on both sides alike.
        for (i, r) in t.rows.iter().enumerate() {
            add(names::clean(&r.name), Target::Row(i as u32), &mut patterns);
            if let Some(short) = names::short_form(&r.name) {
                add(names::clean(&short), Target::Row(i as u32), &mut patterns);
            }
        }
        for (k, (name, alias)) in aliases_parsed.into_iter().enumerate() {
            if !t.by_code.contains_key(&alias.code) {
                return Err(err(
                    "aliases.csv",
                    k as u64 + 2,
                    format!("{} is not a code of areacodes.csv", alias.code),
                ));
            }
            add(name, Target::Alias(k as u32), &mut patterns);
            t.aliases.push(alias);
        }
        t.automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&texts)
            .map_err(|e| err(F, 0, e.to_string()))?;
        t.patterns = patterns;
        Ok(t)
    }

    /// The province and prefecture a row names must exist under the codes its own code
    /// implies, in every year it is valid: the matcher relies on code prefixes.
    fn check_hierarchy(&self) -> Result<(), TableError> {
        for r in &self.rows {
            let last = r.end.map_or(self.last_year, |e| e.saturating_sub(1));
            for y in r.start..=last {
                let prov = self.row_at(r.code / 10000 * 10000, y);
                if prov.is_none_or(|p| *p.name != *r.province) {
                    return Err(err(
                        "areacodes.csv",
                        0,
                        format!("{} {}: no province {} in {y}", r.code, r.name, r.province),
                    ));
                }
                if r.level == DivisionLevel::County {
                    if let Some(pref) = &r.prefecture {
                        let p = self.row_at(r.code / 100 * 100, y);
                        if p.is_none_or(|p| p.name != *pref) {
                            return Err(err(
                                "areacodes.csv",
                                0,
                                format!("{} {}: no prefecture {pref} in {y}", r.code, r.name),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A row steps into its successor when the whole division went to exactly one new row:
    /// the same code continuing (renamed, moved to another prefecture), or one new code whose
    /// row starts that very year and has no other predecessor. Merges, splits and absorption
    /// into a division that already existed end a lineage, so two governments that existed
    /// side by side never share an `agency_id`.
    fn build_lineage(&mut self) {
        let n = self.rows.len();
        let mut target: Vec<Option<(u32, bool)>> = vec![None; n];
        let mut preds: Vec<u32> = vec![0; n];
        for (i, r) in self.rows.iter().enumerate() {
            let Some(end) = r.end else { continue };
            let continuing = r.successors.is_empty() || r.successors == [r.code];
            let targets: Vec<(u32, bool)> = if continuing {
                self.rows_of(r.code)
                    .iter()
                    .copied()
                    .filter(|&j| self.rows[j as usize].start == end)
                    .map(|j| (j, true))
                    .collect()
            } else {
                r.successors
                    .iter()
                    .filter_map(|&c| self.index_at(c, end))
                    .map(|j| (j, false))
                    .collect()
            };
            for &(j, _) in &targets {
                preds[j as usize] += 1;
            }
            if let [t] = targets[..] {
                target[i] = Some(t);
            }
        }
        self.step = target
            .iter()
            .map(|t| match *t {
                Some((j, true)) => Some(j),
                Some((j, false)) if preds[j as usize] == 1 => Some(j),
                _ => None,
            })
            .collect();
        // A new code's row must start in the year the old one ended (it did not exist before).
        for i in 0..n {
            if let (Some(j), Some(end)) = (self.step[i], self.rows[i].end) {
                if self.rows[j as usize].code != self.rows[i].code
                    && self.rows[j as usize].start != end
                {
                    self.step[i] = None;
                }
            }
        }
        self.preds = vec![Vec::new(); n];
        for (i, s) in self.step.iter().enumerate() {
            if let Some(j) = s {
                self.preds[*j as usize].push(i as u32);
            }
        }
        self.lineage_end = (0..n as u32)
            .map(|i| {
                let mut cur = i;
                for _ in 0..64 {
                    match self.step[cur as usize] {
                        Some(j) if j != cur => cur = j,
                        _ => break,
                    }
                }
                cur
            })
            .collect();
        self.lineage_members = HashMap::new();
        for (i, &e) in self.lineage_end.iter().enumerate() {
            self.lineage_members.entry(e).or_default().push(i as u32);
        }
    }

    pub fn rows_of(&self, code: u32) -> &[u32] {
        self.by_code.get(&code).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn index_at(&self, code: u32, year: u16) -> Option<u32> {
        self.rows_of(code)
            .iter()
            .copied()
            .find(|&i| self.rows[i as usize].valid(year))
    }

    pub fn row_at(&self, code: u32, year: u16) -> Option<&Row> {
        self.index_at(code, year).map(|i| &self.rows[i as usize])
    }

    /// The code this row's lineage ends in: the stable key of the government.
    pub fn lineage_code(&self, row: u32) -> u32 {
        let end = self.lineage_end.get(row as usize).copied().unwrap_or(row);
        self.rows[end as usize].code
    }

    /// The row a row's lineage steps into, if any.
    pub fn step_of(&self, row: u32) -> Option<u32> {
        self.step.get(row as usize).copied().flatten()
    }

    /// Names a row goes by in `year`: its own and those of aliases for its code.
    pub fn names_at(&self, row: u32, year: u16) -> impl Iterator<Item = &str> {
        let r = &self.rows[row as usize];
        std::iter::once(&*r.name).chain(
            self.aliases
                .iter()
                .filter(move |a| a.code == r.code && year >= a.since)
                .map(|a| a.name.as_str()),
        )
    }

    /// Rows valid in `year` that step straight into `row` (its predecessors).
    pub fn predecessors_at(&self, row: u32, year: u16) -> Vec<u32> {
        self.preds
            .get(row as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.rows[i as usize].valid(year))
            .collect()
    }

    /// Rows valid in `year` whose lineage ends where `row`'s does.
    pub fn same_lineage_at(&self, row: u32, year: u16) -> Vec<u32> {
        let end = self.lineage_end.get(row as usize).copied().unwrap_or(row);
        self.lineage_members
            .get(&end)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.rows[i as usize].valid(year))
            .collect()
    }

    /// Is `a` a proper ancestor of `b` (both valid in the same year)?
    pub fn is_ancestor(&self, a: u32, b: u32) -> bool {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        match ra.level {
            DivisionLevel::Province => ra.code != rb.code && ra.code / 10000 == rb.code / 10000,
            DivisionLevel::Prefecture => {
                rb.level == DivisionLevel::County
                    && rb.prefecture.is_some()
                    && ra.code / 100 == rb.code / 100
            }
            _ => false,
        }
    }

    /// Same division, or one contains the other.
    pub fn related(&self, a: u32, b: u32) -> bool {
        self.rows[a as usize].code == self.rows[b as usize].code
            || self.is_ancestor(a, b)
            || self.is_ancestor(b, a)
    }

    /// Code of the province a row belongs to.
    pub fn province_code(&self, row: u32) -> u32 {
        self.rows[row as usize].code / 10000 * 10000
    }

    /// Code of the prefecture a row belongs to, if any.
    pub fn prefecture_code(&self, row: u32) -> Option<u32> {
        let r = &self.rows[row as usize];
        match r.level {
            DivisionLevel::Prefecture => Some(r.code),
            DivisionLevel::County if r.prefecture.is_some() => Some(r.code / 100 * 100),
            _ => None,
        }
    }
}

fn parse_aliases(text: &str) -> Result<Vec<(String, Alias)>, TableError> {
    const F: &str = "aliases.csv";
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| err(F, 1, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != ["name", "division_code", "since", "note"] {
        return Err(err(F, 1, format!("unexpected header {header:?}")));
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| err(F, line, e.to_string()))?;
        let name = names::clean(rec.get(0).unwrap_or(""));
        let code = parse_code(rec.get(1).unwrap_or("").trim())
            .ok_or_else(|| err(F, line, "bad division_code"))?;
        let since =
            parse_year(rec.get(2).unwrap_or("").trim()).ok_or_else(|| err(F, line, "bad since"))?;
        if name.chars().count() < 3 || rec.get(3).is_none_or(|n| n.trim().is_empty()) {
            return Err(err(F, line, "name too short or note missing"));
        }
        out.push((name.clone(), Alias { name, code, since }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(areacodes: &str, aliases: &str) -> TableError {
        match Table::parse(areacodes, aliases) {
            Ok(_) => panic!("a broken table parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_broken_table_fails_loudly() {
        // Header renamed.
        let e = broken(&AREACODES.replacen("启用时间", "start", 1), ALIASES);
        assert_eq!((e.file, e.line), ("areacodes.csv", 1));
        // One bad code on line 3.
        let mut lines: Vec<&str> = AREACODES.lines().collect();
        let bad = lines[2].replacen("110101", "11O101", 1);
        lines[2] = &bad;
        let e = broken(&lines.join("\n"), ALIASES);
        assert_eq!((e.file, e.line), ("areacodes.csv", 3), "{e}");
        // Truncated to a few rows.
        let short: String = AREACODES.lines().take(50).collect::<Vec<_>>().join("\n");
        assert!(broken(&short, ALIASES).message.contains("rows"));
        // A county whose province is missing.
        let no_prov: String = AREACODES
            .lines()
            .filter(|l| !l.starts_with("320000,"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(broken(&no_prov, ALIASES).message.contains("no province"));
        // An alias to a code the table does not have.
        let e = broken(
            AREACODES,
            "name,division_code,since,note\n某某新区,999999,2010,x\n",
        );
        assert_eq!((e.file, e.line), ("aliases.csv", 2));
    }

    #[test]
    fn lineages_follow_renamings_and_stop_at_merges() {
        let t = table().expect("table");
        let at = |c: u32, y: u16| t.index_at(c, y).expect("row");
        assert_eq!(t.lineage_code(at(320829, 2010)), 320813); // 洪泽县 → 洪泽区
        assert_eq!(t.lineage_code(at(320882, 1995)), 320803); // 淮安市 → 楚州区 → 淮安区
        assert_eq!(t.lineage_code(at(320800, 1995)), 320800); // 淮阴市 → 淮安市
        assert_eq!(t.lineage_code(at(229002, 1989)), 220581); // 梅河口市, 1988-1990 code
        assert_eq!(t.lineage_code(at(320802, 2010)), 320802); // merged into 清江浦区
        assert_eq!(t.lineage_code(at(320811, 2010)), 320811);
        assert_eq!(t.lineage_code(at(320812, 2020)), 320812);
    }

    #[test]
    fn short_forms_of_every_autonomous_division() {
        let t = table().expect("table");
        let mut n = 0;
        for r in &t.rows {
            if r.name.contains("自治") && !r.name.ends_with("自治区") {
                let s = names::short_form(&r.name);
                assert!(
                    s.as_ref().is_some_and(|s| s.chars().count() >= 3),
                    "{}: {s:?}",
                    r.name
                );
                n += 1;
            }
        }
        assert!(n > 100, "{n} autonomous divisions");
    }
}
