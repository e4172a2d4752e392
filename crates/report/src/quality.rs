//! Quality: accounting identities by year and format, common flags, the cross-year check,
//! and extraction errors by kind.
//!
//! "All identities hold" is read from `reports.csv` `checks_failed` (the I1-I4 checks inside
//! one report): `0` holds, a positive number fails, empty means no identity could be checked
//! (too few cells). The per-check counts and the cross-year check X1 come from `checks.csv`.

use crate::html::{clip, esc, num, pct, Page, Rows, Sample};
use crate::records::{year, CheckRow, ReportRow};
use crate::svg::{self, Bar, GridCell};
use crate::tally::Capped;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const FORMATS: [&str; 4] = ["gb2021", "gb2019", "pre2019", "unknown"];

fn format_key(f: &str) -> &'static str {
    FORMATS
        .iter()
        .find(|k| **k == f)
        .copied()
        .unwrap_or(if f.is_empty() { "unknown" } else { "other" })
}

#[derive(Debug)]
struct Cell {
    reports: Rows,
    checked: u64,
    hold: u64,
    fail: Rows,
    unchecked: Rows,
}

impl Cell {
    fn new() -> Cell {
        Cell {
            reports: Rows::new(0),
            checked: 0,
            hold: 0,
            fail: Rows::new(20),
            unchecked: Rows::new(0),
        }
    }
}

#[derive(Debug)]
struct Flag {
    cells: u64,
    reports: Rows,
}

#[derive(Debug)]
struct Check {
    holds: u64,
    fails: Rows,
}

/// Quality figures, accumulated row by row.
pub struct Quality {
    reports: Rows,
    cells: BTreeMap<(Option<i32>, &'static str), Cell>,
    cell_flags: Capped<Flag>,
    report_flags: Capped<Rows>,
    errors: Capped<Rows>,
    flags_unreadable: Rows,
    checks: Capped<Check>,
    has_checks_file: bool,
    identified: Rows,
    unidentified: Rows,
    identity_flags: Capped<Rows>,
}

/// The kind of an extraction error: the message before its first `: `, without the file
/// names and numbers in it, so that one kind collects every file it happened to.
pub fn error_kind(msg: &str) -> String {
    let head = msg.split(": ").next().unwrap_or(msg);
    let words: Vec<&str> = head
        .split_whitespace()
        .filter(|w| {
            !(w.contains('/')
                || w.contains('\\')
                || w.chars().any(|c| c.is_ascii_digit())
                || (w.contains('.') && !w.ends_with('.')))
        })
        .collect();
    let kind = words.join(" ");
    if kind.is_empty() {
        "(其他 other)".into()
    } else {
        clip(&kind, 60)
    }
}

/// Reads the `flags` column (`{"key": ["flag", ...], ...}`) into the list of its flags,
/// skipping the keys and borrowing the strings: this column is most of the parsing time.
struct FlagValues;

impl<'de> serde::de::Visitor<'de> for FlagValues {
    type Value = Vec<Cow<'de, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of flag lists")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            let list: Vec<Text<'de>> = map.next_value()?;
            out.extend(list.into_iter().map(|t| t.0));
        }
        Ok(out)
    }
}

/// A JSON string, borrowed from the input unless it has escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl Quality {
    /// Nothing counted yet.
    pub fn new() -> Quality {
        Quality {
            reports: Rows::new(100),
            cells: BTreeMap::new(),
            cell_flags: Capped::new(200),
            report_flags: Capped::new(200),
            errors: Capped::new(50),
            flags_unreadable: Rows::new(10),
            checks: Capped::new(16),
            has_checks_file: false,
            identified: Rows::new(0),
            unidentified: Rows::new(50),
            identity_flags: Capped::new(100),
        }
    }

    /// Reports read, and how many of the checked ones have all identities holding.
    pub fn totals(&self) -> (u64, u64, u64) {
        let (checked, hold) = self
            .cells
            .values()
            .fold((0, 0), |(c, h), x| (c + x.checked, h + x.hold));
        (self.reports.n, checked, hold)
    }

    /// Reports with an extraction error.
    pub fn errors(&self) -> u64 {
        self.errors.iter().map(|(_, r)| r.n).sum()
    }

    /// All reports read so far (the overview lists the first ones).
    pub fn reports(&self) -> &Rows {
        &self.reports
    }

    /// Count one row of `reports.csv`; `has_identity` when the file has identity columns.
    pub fn add_report(&mut self, r: &ReportRow<'_>, has_identity: bool) {
        let sample = || r.sample();
        self.reports.add(sample);
        if has_identity {
            if r.agency_id.is_empty() {
                self.unidentified.add(sample);
            } else {
                self.identified.n += 1;
            }
            // `alias:平潭综合实验区` counts as `alias`: the kind, not the detail.
            for f in r
                .identity_flags
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
            {
                let kind = f.split(':').next().unwrap_or(f);
                self.identity_flags
                    .update(kind, || Rows::new(10), |rows| rows.add(sample));
            }
        }
        if !r.error.is_empty() {
            let kind = if r.error_kind.is_empty() {
                error_kind(&r.error)
            } else {
                r.error_kind.to_string()
            };
            self.errors.entry(&kind, || Rows::new(10)).add(|| {
                let mut s = r.sample();
                s.text = format!("{} · {}", s.text, clip(&r.error, 120));
                s
            });
            return;
        }
        let cell = self
            .cells
            .entry((year(&r.year), format_key(&r.format)))
            .or_insert_with(Cell::new);
        cell.reports.n += 1;
        match r.checks_failed.parse::<u64>() {
            Ok(0) => {
                cell.checked += 1;
                cell.hold += 1;
            }
            Ok(n) => {
                cell.checked += 1;
                cell.fail.add(|| {
                    let mut s = r.sample();
                    s.text = format!("{} · {n} failed", s.text);
                    s
                });
            }
            Err(_) => cell.unchecked.n += 1,
        }
        for f in r
            .report_flags
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            self.report_flags
                .update(f, || Rows::new(10), |rows| rows.add(sample));
        }
        if !r.flags.is_empty() {
            let mut de = serde_json::Deserializer::from_str(&r.flags);
            match serde::Deserializer::deserialize_map(&mut de, FlagValues)
                .and_then(|v| de.end().map(|()| v))
            {
                Ok(flags) => {
                    // Count each flag once per report for the report list, once per cell
                    // for the cell count.
                    let mut seen: Vec<&str> = Vec::new();
                    for f in &flags {
                        let first = !seen.contains(&f.as_ref());
                        if first {
                            seen.push(f);
                        }
                        let make = || Flag {
                            cells: 0,
                            reports: Rows::new(10),
                        };
                        self.cell_flags.update(f, make, |e| {
                            e.cells += 1;
                            if first {
                                e.reports.add(sample);
                            }
                        });
                    }
                }
                Err(_) => self.flags_unreadable.add(sample),
            }
        }
    }

    /// Count one row of `checks.csv`.
    pub fn add_check(&mut self, c: &CheckRow<'_>) {
        self.has_checks_file = true;
        let id = if c.id.is_empty() { "(无 none)" } else { &c.id };
        let cap = if id == "X1" { 200 } else { 20 };
        let e = self.checks.entry(id, || Check {
            holds: 0,
            fails: Rows::new(cap),
        });
        if c.holds.as_ref() == "true" {
            e.holds += 1;
        } else {
            e.fails.add(|| Sample {
                id: c.report_id.to_string(),
                text: format!("{} · {}", clip(&c.scope, 80), clip(&c.detail, 120)),
                url: None,
            });
        }
    }

    /// Note that `checks.csv` exists even if it has no rows.
    pub fn saw_checks_file(&mut self) {
        self.has_checks_file = true;
    }

    fn identities(&self, page: &mut Page) {
        page.raw("<h3>恒等式 <span class=\"en\">Accounting identities (I1–I4), by year and format</span></h3>");
        page.raw("<p class=\"cap\">每格：可校验的报告中恒等式全部成立的比例；悬停看数量，点击看不成立的报告。 <span class=\"en\">Each cell: share of the checkable reports whose identities all hold. Hover for the counts, click for the reports that fail.</span></p>");
        let years: Vec<Option<i32>> = self
            .cells
            .keys()
            .map(|k| k.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let years = &years[years.len().saturating_sub(30)..];
        let formats: Vec<&'static str> = FORMATS
            .iter()
            .copied()
            .chain(["other"])
            .filter(|f| self.cells.keys().any(|k| k.1 == *f))
            .collect();
        let mut fail_ids: BTreeMap<(Option<i32>, &str), String> = BTreeMap::new();
        for (k, c) in &self.cells {
            if c.fail.n > 0 {
                let y = k.0.map(|y| y.to_string()).unwrap_or_else(|| "?".into());
                let id = page.rows_target(
                    &c.fail,
                    &format!("{} {y} 恒等式不成立 identities fail", k.1),
                    &format!("reports.csv: year = {y}, format = {}, checks_failed > 0 (checks.csv: holds = false)", k.1),
                );
                fail_ids.insert(*k, id);
            }
        }
        let cols: Vec<String> = years
            .iter()
            .map(|y| y.map(|y| y.to_string()).unwrap_or_else(|| "?".into()))
            .collect();
        let rows: Vec<(String, Option<String>)> =
            formats.iter().map(|f| (f.to_string(), None)).collect();
        let cells: Vec<Vec<Option<GridCell>>> = formats
            .iter()
            .map(|f| {
                years
                    .iter()
                    .map(|y| {
                        let c = self.cells.get(&(*y, *f))?;
                        let ys = y.map(|y| y.to_string()).unwrap_or_else(|| "?".into());
                        Some(GridCell {
                            share: (c.checked > 0).then(|| c.hold as f64 / c.checked as f64),
                            text: if c.checked > 0 { pct(c.hold, c.checked) } else { "–".into() },
                            tip: format!(
                                "{f} {ys}: {} / {} 可校验报告全部成立 all hold ({}); {} 无法校验 not checkable — reports.csv: year = {ys}, format = {f}",
                                num(c.hold),
                                num(c.checked),
                                pct(c.hold, c.checked),
                                num(c.unchecked.n)
                            ),
                            href: fail_ids.get(&(*y, *f)).map(|id| format!("#{id}")),
                        })
                    })
                    .collect()
            })
            .collect();
        svg::grid(
            &mut page.buf,
            "quality-identities",
            "恒等式全部成立的比例：格式 × 年份 Share with all identities holding, by format and year",
            &rows,
            &cols,
            &cells,
        );
        page.raw("<div class=\"tbl\"><table><thead><tr><th>年度 Year</th><th>格式 Format</th><th class=\"n\">报告 Reports</th><th class=\"n\">可校验 Checked</th><th class=\"n\">全部成立 All hold</th><th class=\"n\">比例 Share</th><th class=\"n\">不成立 Failing</th><th class=\"n\">无法校验 Not checkable</th></tr></thead><tbody>");
        for ((y, f), c) in &self.cells {
            let ys = y.map(|y| y.to_string()).unwrap_or_else(|| "?".into());
            let filter = format!("reports.csv: year = {ys}, format = {f}");
            let reports = page.count_link(&c.reports, &format!("{f} {ys}"), &filter);
            let failing = match fail_ids.get(&(*y, *f)) {
                Some(id) => format!("<a href=\"#{id}\">{}</a>", num(c.fail.n)),
                None => num(c.fail.n),
            };
            let unchecked = page.count_link(
                &c.unchecked,
                &format!("{f} {ys} 无法校验 not checkable"),
                &format!("{filter}, checks_failed empty"),
            );
            let _ = write!(
                page.buf,
                "<tr><td>{ys}</td><td>{f}</td><td class=\"n\">{reports}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{failing}</td><td class=\"n\">{unchecked}</td></tr>",
                num(c.checked),
                num(c.hold),
                pct(c.hold, c.checked)
            );
        }
        page.raw("</tbody></table></div>");
    }

    fn flags(&self, page: &mut Page) {
        page.raw("<h3>常见标记 <span class=\"en\">Most common flags</span></h3>");
        if self.cell_flags.is_empty() && self.report_flags.is_empty() {
            page.notice("没有标记。", "No cell or report flag in reports.csv.");
            return;
        }
        let mut cf: Vec<(&String, &Flag)> = self.cell_flags.iter().collect();
        cf.sort_by(|a, b| b.1.cells.cmp(&a.1.cells).then(a.0.cmp(b.0)));
        cf.truncate(15);
        let bars: Vec<Bar> = cf
            .iter()
            .map(|(f, x)| {
                let id = page.rows_target(
                    &x.reports,
                    &format!("单元格标记 cell flag {f}"),
                    &format!("reports.csv: flags contains \"{f}\" (cells.csv: flags contains {f})"),
                );
                Bar {
                    label: (*f).clone(),
                    value: x.cells as f64,
                    text: format!(
                        "{} 格 cells · {} 份 reports",
                        num(x.cells),
                        num(x.reports.n)
                    ),
                    tip: format!(
                        "{f}: {} cells in {} reports",
                        num(x.cells),
                        num(x.reports.n)
                    ),
                    href: Some(format!("#{id}")),
                }
            })
            .collect();
        if !bars.is_empty() {
            page.raw("<p class=\"cap\">单元格标记（前 15） <span class=\"en\">Cell flags (top 15), by number of cells; click for the reports.</span></p>");
            svg::hbars(
                &mut page.buf,
                "quality-cell-flags",
                "单元格标记 Cell flags",
                &bars,
                None,
            );
        }
        let mut rf: Vec<(&String, &Rows)> = self.report_flags.iter().collect();
        rf.sort_by(|a, b| b.1.n.cmp(&a.1.n).then(a.0.cmp(b.0)));
        rf.truncate(15);
        let bars: Vec<Bar> = rf
            .iter()
            .map(|(f, rows)| {
                let id = page.rows_target(
                    rows,
                    &format!("报告标记 report flag {f}"),
                    &format!("reports.csv: report_flags contains {f}"),
                );
                Bar {
                    label: (*f).clone(),
                    value: rows.n as f64,
                    text: format!("{} 份 reports", num(rows.n)),
                    tip: format!("{f}: {} reports", num(rows.n)),
                    href: Some(format!("#{id}")),
                }
            })
            .collect();
        if !bars.is_empty() {
            page.raw("<p class=\"cap\">报告标记（前 15） <span class=\"en\">Report flags (top 15); click for the reports.</span></p>");
            svg::hbars(
                &mut page.buf,
                "quality-report-flags",
                "报告标记 Report flags",
                &bars,
                None,
            );
        }
        if self.flags_unreadable.n > 0 {
            let l = page.count_link(
                &self.flags_unreadable,
                "flags 列不可读 unreadable flags column",
                "reports.csv: flags is not JSON",
            );
            let _ = write!(page.buf, "<p class=\"cap\">{l} reports have a <code>flags</code> value that is not JSON.</p>");
        }
    }

    fn identity(&self, page: &mut Page) {
        page.raw("<h3>机构身份 <span class=\"en\">Agency identity</span></h3>");
        let total = self.identified.n + self.unidentified.n;
        if total == 0 {
            page.notice(
                "reports.csv 没有身份列（agency_id 等）。",
                "No identity columns (agency_id, division_code, ...) in reports.csv.",
            );
            return;
        }
        let ok = page.count_link(
            &self.identified,
            "已识别 identified",
            "reports.csv: agency_id not empty",
        );
        let not = page.count_link(
            &self.unidentified,
            "未识别 not identified",
            "reports.csv: agency_id empty (see identity_flags)",
        );
        let _ = write!(
            page.buf,
            "<p>已识别 identified {ok} / {} ({}) · 未识别 not identified {not}.</p>",
            num(total),
            pct(self.identified.n, total)
        );
        let mut v: Vec<(&String, &Rows)> = self.identity_flags.iter().collect();
        v.sort_by(|a, b| b.1.n.cmp(&a.1.n).then(a.0.cmp(b.0)));
        let bars: Vec<Bar> = v
            .iter()
            .take(15)
            .map(|(f, rows)| {
                let id = page.rows_target(
                    rows,
                    &format!("身份标记 identity flag {f}"),
                    &format!("reports.csv: identity_flags contains {f}"),
                );
                Bar {
                    label: (*f).clone(),
                    value: rows.n as f64,
                    text: format!("{} 份 reports", num(rows.n)),
                    tip: format!("{f}: {} reports", num(rows.n)),
                    href: Some(format!("#{id}")),
                }
            })
            .collect();
        if !bars.is_empty() {
            svg::hbars(
                &mut page.buf,
                "quality-identity-flags",
                "身份标记 Identity flags",
                &bars,
                None,
            );
        }
    }

    fn checks(&self, page: &mut Page) {
        let x1 = self
            .checks
            .iter()
            .find(|(id, _)| id.as_str() == "X1")
            .map(|(_, c)| c);
        // One list of the failing X1 rows, linked from the table and from the X1 paragraph.
        let x1_link = x1.map(|c| {
            page.count_link(
                &c.fails,
                "X1 不成立 fails",
                "checks.csv: id = X1, holds = false (scope names both report ids)",
            )
        });
        page.raw("<h3>校验 <span class=\"en\">Checks (checks.csv)</span></h3>");
        if !self.has_checks_file {
            page.notice("此文件夹没有 checks.csv。", "No checks.csv in this folder.");
        } else {
            page.raw("<div class=\"tbl\"><table><thead><tr><th>校验 Check</th><th class=\"n\">成立 Holds</th><th class=\"n\">不成立 Fails</th></tr></thead><tbody>");
            for (id, c) in self.checks.iter() {
                let fails = match (&x1_link, id.as_str()) {
                    (Some(l), "X1") => l.clone(),
                    _ => page.count_link(
                        &c.fails,
                        &format!("{id} 不成立 fails"),
                        &format!("checks.csv: id = {id}, holds = false"),
                    ),
                };
                let _ = write!(
                    page.buf,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{fails}</td></tr>",
                    esc(id),
                    num(c.holds)
                );
            }
            page.raw("</tbody></table></div>");
        }
        page.raw("<h3>跨年校验 X1 <span class=\"en\">Cross-year check X1 (上年结转 = last year's 结转下年度)</span></h3>");
        match (x1, x1_link) {
            (Some(c), Some(fails)) => {
                let _ = write!(
                    page.buf,
                    "<p>X1 成立 holds: <b>{}</b> · 不成立 fails: <b>{fails}</b> ({} of the X1 rows).</p>",
                    num(c.holds),
                    pct(c.fails.n, c.holds + c.fails.n)
                );
            }
            _ => page.notice(
                "checks.csv 中没有 X1 行（需要同一机构连续两年的报告）。",
                "No X1 rows in checks.csv (needs consecutive years of one agency, identified).",
            ),
        }
    }

    fn errors_block(&self, page: &mut Page) {
        page.raw("<h3>抽取错误 <span class=\"en\">Extraction errors by kind</span></h3>");
        if self.errors.is_empty() {
            let _ = write!(
                page.buf,
                "<p>没有抽取错误 No extraction error in {} reports.</p>",
                num(self.reports.n)
            );
            return;
        }
        let mut v: Vec<(&String, &Rows)> = self.errors.iter().collect();
        v.sort_by(|a, b| b.1.n.cmp(&a.1.n).then(a.0.cmp(b.0)));
        let bars: Vec<Bar> = v
            .iter()
            .take(20)
            .map(|(k, rows)| {
                let id = page.rows_target(
                    rows,
                    &format!("错误 error: {k}"),
                    &format!("reports.csv: error starts with \"{k}\""),
                );
                Bar {
                    label: (*k).clone(),
                    value: rows.n as f64,
                    text: num(rows.n),
                    tip: format!("{k}: {}", num(rows.n)),
                    href: Some(format!("#{id}")),
                }
            })
            .collect();
        svg::hbars(
            &mut page.buf,
            "quality-errors",
            "抽取错误 Extraction errors by kind",
            &bars,
            None,
        );
    }

    /// Write the quality section.
    pub fn render(&self, page: &mut Page) {
        page.raw("<section id=\"quality\"><h2>质量 <span class=\"en\">Quality</span></h2>");
        let (n, checked, hold) = self.totals();
        let _ = write!(
            page.buf,
            "<p class=\"cap\">{} 份报告 reports · 可校验 {} checkable · 恒等式全部成立 {} all identities hold ({}).</p>",
            num(n),
            num(checked),
            num(hold),
            pct(hold, checked)
        );
        if self.cells.is_empty() {
            page.notice("没有可读的报告。", "No readable report in reports.csv.");
        } else {
            self.identities(page);
        }
        self.identity(page);
        self.flags(page);
        self.checks(page);
        self.errors_block(page);
        page.flush_rows();
        page.raw("</section>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_drop_file_names() {
        assert_eq!(
            error_kind("cannot read data/x/a.pdf: permission denied"),
            "cannot read"
        );
        assert_eq!(
            error_kind("unsupported input http://a.gov.cn/1.zip: zip archive"),
            "unsupported input"
        );
        assert_eq!(
            error_kind("cannot parse PDF document: bad xref"),
            "cannot parse PDF document"
        );
        assert_eq!(
            error_kind("not an HTML page: the bytes are a pdf file"),
            "not an HTML page"
        );
        assert_eq!(error_kind("   "), "(其他 other)");
    }
}
