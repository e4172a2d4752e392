//! Coverage: which agencies and years have a report, by province and by level.
//!
//! The denominator is `coverage.csv` (one row per agency and year nianbao knows of). Without
//! it, a `reports.csv` with identity columns still gives counts of reports per province and
//! level, without shares (there is nothing to divide by).

use crate::html::{esc, num, pct, Page, Rows};
use crate::records::{year, CoverageRow, ReportRow};
use crate::svg::{self, Bar, GridCell};
use crate::tally::Capped;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Levels in display order: key, Chinese, English.
pub const LEVELS: [(&str, &str, &str); 7] = [
    ("province", "省级", "province"),
    ("prefecture", "地级", "prefecture"),
    ("county", "县级", "county"),
    ("township", "乡级", "township"),
    ("department", "部门", "department"),
    ("other", "其他", "other"),
    ("unknown", "未识别", "unidentified"),
];

/// The level an agency is counted under: departments on their own (their deadline differs),
/// governments by the level of their division.
pub fn level_key(kind: &str, level: &str) -> &'static str {
    if kind == "department" {
        return "department";
    }
    match level {
        "province" => "province",
        "prefecture" => "prefecture",
        "county" => "county",
        "township" => "township",
        "" => "unknown",
        _ => "other",
    }
}

fn level_label(key: &str) -> String {
    LEVELS
        .iter()
        .find(|l| l.0 == key)
        .map(|l| format!("{} {}", l.1, l.2))
        .unwrap_or_else(|| key.to_string())
}

const NO_PROVINCE: &str = "(无省份 none)";

#[derive(Debug, Default, Clone, Copy)]
struct Cnt {
    known: u64,
    found: u64,
}

#[derive(Debug)]
struct Group {
    /// Smallest 2-digit province code seen, for ordering.
    code: Option<String>,
    by_year: BTreeMap<i32, Cnt>,
    total: Cnt,
    missing: Rows,
    found: Rows,
}

impl Group {
    fn new() -> Group {
        Group {
            code: None,
            by_year: BTreeMap::new(),
            total: Cnt::default(),
            missing: Rows::new(20),
            found: Rows::new(0),
        }
    }
}

/// Where the coverage figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    None,
    Coverage,
    Reports,
}

/// Coverage figures, accumulated row by row.
pub struct Coverage {
    source: Source,
    provinces: Capped<Group>,
    levels: BTreeMap<&'static str, Group>,
    years: BTreeSet<i32>,
    rows: u64,
    undetermined: Rows,
    bad_year: Rows,
}

impl Coverage {
    /// Nothing counted yet.
    pub fn new() -> Coverage {
        Coverage {
            source: Source::None,
            provinces: Capped::new(64),
            levels: BTreeMap::new(),
            years: BTreeSet::new(),
            rows: 0,
            undetermined: Rows::new(20),
            bad_year: Rows::new(20),
        }
    }

    /// Shares can be computed (the figures come from `coverage.csv`).
    pub fn has_denominator(&self) -> bool {
        self.source == Source::Coverage
    }

    /// Agency-years known and found (from `coverage.csv` only).
    pub fn totals(&self) -> (u64, u64) {
        let t = self.levels.values().fold(Cnt::default(), |a, g| Cnt {
            known: a.known + g.total.known,
            found: a.found + g.total.found,
        });
        (t.known, t.found)
    }

    fn count(
        &mut self,
        province: &str,
        code: &str,
        lvl: &'static str,
        y: Option<i32>,
        found: bool,
    ) -> (&mut Group, &mut Group) {
        let province = if province.is_empty() {
            NO_PROVINCE
        } else {
            province
        };
        let prefix = code
            .get(..2)
            .filter(|p| code.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string);
        let p = self.provinces.entry(province, Group::new);
        let l = self.levels.entry(lvl).or_insert_with(Group::new);
        for g in [&mut *p, &mut *l] {
            if let Some(pre) = &prefix {
                if g.code.as_ref().is_none_or(|c| pre < c) {
                    g.code = Some(pre.clone());
                }
            }
            g.total.known += 1;
            g.total.found += u64::from(found);
            if let Some(y) = y {
                let c = g.by_year.entry(y).or_default();
                c.known += 1;
                c.found += u64::from(found);
            }
        }
        if let Some(y) = y {
            self.years.insert(y);
        }
        (p, l)
    }

    /// Count one row of `coverage.csv`.
    pub fn add_coverage(&mut self, r: &CoverageRow<'_>) {
        self.source = Source::Coverage;
        self.rows += 1;
        let y = year(&r.year);
        if y.is_none() {
            self.bad_year.add(|| r.sample("year?"));
        }
        let found = r.found.as_ref() == "true";
        let lvl = level_key(&r.agency_kind, &r.division_level);
        let (p, l) = self.count(&r.province, &r.division_code, lvl, y, found);
        if found {
            p.found.add(|| r.sample(""));
            l.found.add(|| r.sample(""));
        } else if r.found.as_ref() == "false" {
            p.missing.add(|| r.sample(&r.reason));
            l.missing.add(|| r.sample(&r.reason));
        } else {
            self.undetermined.add(|| r.sample("found?"));
        }
    }

    /// Count one report when there is no `coverage.csv` (only if the rows have identity
    /// columns: without a province there is no coverage to show).
    pub fn add_report(&mut self, r: &ReportRow<'_>, has_identity: bool) {
        if !has_identity || self.source == Source::Coverage {
            return;
        }
        self.source = Source::Reports;
        self.rows += 1;
        let lvl = level_key(&r.agency_kind, &r.division_level);
        let (p, l) = self.count(&r.province, &r.division_code, lvl, year(&r.year), true);
        p.found.add(|| r.sample());
        l.found.add(|| r.sample());
    }

    fn sorted_provinces(&self) -> Vec<(&String, &Group)> {
        let mut v: Vec<(&String, &Group)> = self.provinces.iter().collect();
        v.sort_by(|a, b| {
            let ka = (
                a.1.code.is_none(),
                a.1.code.clone(),
                a.0.as_str() == NO_PROVINCE,
                a.0,
            );
            let kb = (
                b.1.code.is_none(),
                b.1.code.clone(),
                b.0.as_str() == NO_PROVINCE,
                b.0,
            );
            ka.cmp(&kb)
        });
        v
    }

    fn grid_years(&self) -> Vec<i32> {
        // At most the 30 latest years, so the grid stays readable.
        let all: Vec<i32> = self.years.iter().copied().collect();
        all[all.len().saturating_sub(30)..].to_vec()
    }

    fn cell(
        &self,
        c: Option<&Cnt>,
        name: &str,
        y: i32,
        href: Option<String>,
        max_found: u64,
    ) -> Option<GridCell> {
        let c = c?;
        Some(if self.has_denominator() {
            GridCell {
                share: (c.known > 0).then(|| c.found as f64 / c.known as f64),
                text: pct(c.found, c.known),
                tip: format!(
                    "{name} {y}: {} / {} 有报告 found ({}) — coverage.csv: {y}, found = true",
                    num(c.found),
                    num(c.known),
                    pct(c.found, c.known)
                ),
                href,
            }
        } else {
            GridCell {
                share: Some(c.found as f64 / max_found.max(1) as f64),
                text: num(c.found),
                tip: format!(
                    "{name} {y}: {} 份报告 reports — reports.csv: year = {y}",
                    num(c.found)
                ),
                href,
            }
        })
    }

    /// Write the coverage section.
    pub fn render(&self, page: &mut Page) {
        page.raw("<section id=\"coverage\"><h2>覆盖 <span class=\"en\">Coverage</span></h2>");
        match self.source {
            Source::None => {
                page.notice(
                    "此文件夹没有 coverage.csv，reports.csv 也没有身份列（省份、层级），无法统计覆盖。",
                    "No coverage.csv in this folder and no identity columns (province, level) in reports.csv: coverage needs a dataset written by `nianbao export` or `crawl`.",
                );
                page.raw("</section>");
                return;
            }
            Source::Reports => page.notice(
                "此文件夹没有 coverage.csv：以下只是报告数量，没有比例（不知道应有多少机构）。",
                "No coverage.csv in this folder: the figures below count reports only, without shares (the agencies expected are not known).",
            ),
            Source::Coverage => {
                let (known, found) = self.totals();
                let mut all = Rows::new(0);
                all.n = known;
                let mut f = Rows::new(0);
                f.n = found;
                let known_l = page.count_link(&all, "已知机构年 agency-years known", "coverage.csv: every row");
                let found_l = page.count_link(&f, "有报告 with a report", "coverage.csv: found = true");
                let _ = write!(
                    page.buf,
                    "<p class=\"cap\">coverage.csv：已知机构年 {known_l} agency-years known，有报告 {found_l} with a report（{}）。</p>",
                    pct(found, known)
                );
            }
        }
        let years = self.grid_years();
        let cols: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        let provinces = self.sorted_provinces();
        let max_found = |g: &Group| g.by_year.values().map(|c| c.found).max().unwrap_or(0);
        let pmax = provinces
            .iter()
            .map(|(_, g)| max_found(g))
            .max()
            .unwrap_or(0);

        page.raw("<h3>省份 × 年份 <span class=\"en\">Province × year</span></h3>");
        page.raw(if self.has_denominator() {
            "<p class=\"cap\">每格：该省该年已知机构中有报告的比例；悬停看数量，点击看该省的行。 <span class=\"en\">Each cell: share of the agencies known for that province and year that have a report. Hover for the counts, click for the province's rows.</span></p>"
        } else {
            "<p class=\"cap\">每格：报告数量（颜色按最大值）。 <span class=\"en\">Each cell: number of reports (shaded relative to the largest).</span></p>"
        });
        let rows: Vec<(String, Option<String>)> = provinces
            .iter()
            .enumerate()
            .map(|(i, (name, _))| ((*name).clone(), Some(format!("#prov-{i}"))))
            .collect();
        let cells: Vec<Vec<Option<GridCell>>> = provinces
            .iter()
            .enumerate()
            .map(|(i, (name, g))| {
                years
                    .iter()
                    .map(|y| {
                        self.cell(g.by_year.get(y), name, *y, Some(format!("#prov-{i}")), pmax)
                    })
                    .collect()
            })
            .collect();
        svg::grid(
            &mut page.buf,
            "coverage-province-year",
            "覆盖：省份 × 年份 Coverage by province and year",
            &rows,
            &cols,
            &cells,
        );

        page.raw("<h3>按层级 <span class=\"en\">By level</span></h3>");
        let levels: Vec<(&str, &Group)> = LEVELS
            .iter()
            .filter_map(|(k, _, _)| self.levels.get(k).map(|g| (*k, g)))
            .collect();
        let lmax = levels.iter().map(|(_, g)| max_found(g)).max().unwrap_or(0);
        let lrows: Vec<(String, Option<String>)> = levels
            .iter()
            .map(|(k, _)| (level_label(k), Some(format!("#level-{k}"))))
            .collect();
        let lcells: Vec<Vec<Option<GridCell>>> = levels
            .iter()
            .map(|(k, g)| {
                years
                    .iter()
                    .map(|y| {
                        self.cell(
                            g.by_year.get(y),
                            &level_label(k),
                            *y,
                            Some(format!("#level-{k}")),
                            lmax,
                        )
                    })
                    .collect()
            })
            .collect();
        svg::grid(
            &mut page.buf,
            "coverage-level-year",
            "覆盖：层级 × 年份 Coverage by level and year",
            &lrows,
            &cols,
            &lcells,
        );
        let mut bars = Vec::new();
        let mut table = String::new();
        for (k, g) in &levels {
            let label = level_label(k);
            let filter = format!("coverage.csv: level {k}, found = false");
            let missing_id = (g.missing.n > 0)
                .then(|| page.rows_target(&g.missing, &format!("{label} 缺失 missing"), &filter));
            let found_l = page.count_link(
                &g.found,
                &format!("{label} 有报告 found"),
                &format!("level {k}, found = true"),
            );
            let missing_l = match &missing_id {
                Some(id) => format!("<a href=\"#{id}\">{}</a>", num(g.missing.n)),
                None => num(g.missing.n),
            };
            let (value, text) = if self.has_denominator() {
                (
                    if g.total.known > 0 {
                        g.total.found as f64 / g.total.known as f64
                    } else {
                        0.0
                    },
                    format!(
                        "{} ({}/{})",
                        pct(g.total.found, g.total.known),
                        num(g.total.found),
                        num(g.total.known)
                    ),
                )
            } else {
                (g.total.found as f64, num(g.total.found))
            };
            bars.push(Bar {
                label: label.clone(),
                value,
                tip: format!("{label}: {text}"),
                text,
                href: missing_id.as_ref().map(|id| format!("#{id}")),
            });
            let _ = write!(
                table,
                "<tr id=\"level-{k}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{found_l}</td><td class=\"n\">{}</td><td class=\"n\">{missing_l}</td></tr>",
                esc(&label),
                num(g.total.known),
                if self.has_denominator() { pct(g.total.found, g.total.known) } else { "–".into() },
            );
        }
        svg::hbars(
            &mut page.buf,
            "coverage-levels",
            "各层级有报告的比例 Share with a report, by level",
            &bars,
            self.has_denominator().then_some(1.0),
        );
        let _ = write!(
            page.buf,
            "<div class=\"tbl\"><table><thead><tr><th>层级 Level</th><th class=\"n\">已知 Known</th><th class=\"n\">有报告 Found</th><th class=\"n\">比例 Share</th><th class=\"n\">缺失 Missing</th></tr></thead><tbody>{table}</tbody></table></div>"
        );

        page.raw("<h3>各省 <span class=\"en\">By province</span></h3><div class=\"tbl\"><table><thead><tr><th>省份 Province</th><th class=\"n\">已知 Known</th><th class=\"n\">有报告 Found</th><th class=\"n\">比例 Share</th><th class=\"n\">缺失 Missing</th></tr></thead><tbody>");
        for (i, (name, g)) in provinces.iter().enumerate() {
            let found_l = page.count_link(
                &g.found,
                &format!("{name} 有报告 found"),
                &format!("province = {name}, found = true"),
            );
            let missing_l = page.count_link(
                &g.missing,
                &format!("{name} 缺失 missing"),
                &format!("coverage.csv: province = {name}, found = false"),
            );
            let _ = write!(
                page.buf,
                "<tr id=\"prov-{i}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{found_l}</td><td class=\"n\">{}</td><td class=\"n\">{missing_l}</td></tr>",
                esc(name),
                num(g.total.known),
                if self.has_denominator() { pct(g.total.found, g.total.known) } else { "–".into() },
            );
        }
        page.raw("</tbody></table></div>");
        if self.undetermined.n > 0 || self.bad_year.n > 0 {
            let u = page.count_link(
                &self.undetermined,
                "未判定 found undetermined",
                "coverage.csv: found empty",
            );
            let b = page.count_link(
                &self.bad_year,
                "年份不可读 unreadable year",
                "coverage.csv: year empty or out of range",
            );
            let _ = write!(
                page.buf,
                "<p class=\"cap\">未判定 {u} rows with <code>found</code> empty (counted as known, not found); 年份不可读 {b} rows without a usable year (in the totals, not in the grid).</p>"
            );
        }
        page.flush_rows();
        page.raw("</section>");
    }
}
