//! Timeliness: publication dates against the legal deadlines, and who is late or missing.
//!
//! Dates are binned by half-month from 1 December of the report year to 30 June of the next,
//! so reports on different years share one axis and both deadlines (31 January for
//! departments, 31 March for governments) fall on a bin edge. A report is late when
//! `coverage.csv` says so (`late`); when that column is empty, when its publication date is
//! after its deadline.

use crate::date::{self, Date};
use crate::html::{esc, num, Page, Rows, Sample};
use crate::records::{year, CoverageRow, ReportRow};
use crate::svg::{self, Bar, Column};
use crate::tally::Capped;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Number of date bins: before December, 14 half-months, after June.
const NBINS: usize = 16;

/// The bin of a publication date for a report on `year`.
fn bin(year: i32, d: Date) -> usize {
    let offset = (i64::from(d.y) - i64::from(year) - 1) * 12 + i64::from(d.m) - 1;
    if offset < -1 {
        0
    } else if offset > 5 {
        NBINS - 1
    } else {
        1 + ((offset + 1) as usize) * 2 + usize::from(d.d > 15)
    }
}

fn bin_label(i: usize) -> (&'static str, &'static str) {
    const MONTHS: [&str; 7] = ["12月", "1月", "2月", "3月", "4月", "5月", "6月"];
    const RANGES: [&str; NBINS] = [
        "before 1 Dec",
        "1–15 Dec",
        "16–31 Dec",
        "1–15 Jan",
        "16–31 Jan",
        "1–15 Feb",
        "16 Feb–end",
        "1–15 Mar",
        "16–31 Mar",
        "1–15 Apr",
        "16–30 Apr",
        "1–15 May",
        "16–31 May",
        "1–15 Jun",
        "16–30 Jun",
        "after 30 Jun",
    ];
    let label = match i {
        0 => "更早",
        i if i == NBINS - 1 => "更晚",
        i if i % 2 == 1 => MONTHS.get((i - 1) / 2).copied().unwrap_or(""),
        _ => "",
    };
    (label, RANGES.get(i).copied().unwrap_or(""))
}

#[derive(Debug, Default)]
struct Kind {
    bins: [[u64; 2]; NBINS],
    on_time: u64,
    late: u64,
}

#[derive(Debug)]
struct YearT {
    published: Rows,
    on_time: Rows,
    late: Rows,
    no_date: Rows,
    missing: Rows,
}

impl YearT {
    fn new() -> YearT {
        YearT {
            published: Rows::new(0),
            on_time: Rows::new(0),
            late: Rows::new(10),
            no_date: Rows::new(10),
            missing: Rows::new(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    None,
    Coverage,
    Reports,
}

/// Timeliness figures, accumulated row by row.
pub struct Timeliness {
    source: Source,
    kinds: [Kind; 2],
    late: Rows,
    missing: Rows,
    no_date: Rows,
    no_deadline: Rows,
    reasons: Capped<Rows>,
    years: BTreeMap<i32, YearT>,
}

/// One publication to place against its deadline.
struct Publication<'a> {
    year: Option<i32>,
    kind: &'a str,
    published: &'a str,
    deadline: &'a str,
    late: &'a str,
}

impl Timeliness {
    /// Nothing counted yet.
    pub fn new() -> Timeliness {
        Timeliness {
            source: Source::None,
            kinds: [Kind::default(), Kind::default()],
            late: Rows::new(200),
            missing: Rows::new(200),
            no_date: Rows::new(50),
            no_deadline: Rows::new(20),
            reasons: Capped::new(16),
            years: BTreeMap::new(),
        }
    }

    /// Late and missing counts.
    pub fn late_missing(&self) -> Option<(u64, u64)> {
        (self.source != Source::None).then_some((self.late.n, self.missing.n))
    }

    fn publication(&mut self, p: Publication<'_>, sample: &dyn Fn(&str) -> Sample) {
        let yt = p
            .year
            .map(|y| self.years.entry(y).or_insert_with(YearT::new));
        let k = match p.kind {
            "government" => Some(0),
            "department" => Some(1),
            _ => None,
        };
        let deadline =
            Date::parse(p.deadline).or_else(|| p.year.and_then(|y| date::deadline(y, p.kind)));
        let published = Date::parse(p.published);
        let Some(pd) = published else {
            self.no_date
                .add(|| sample("发布日期未知 no publication date"));
            if let Some(yt) = yt {
                yt.published.n += 1;
                yt.no_date.add(|| sample(""));
            }
            return;
        };
        let late = match p.late {
            "true" => Some(true),
            "false" => Some(false),
            _ => deadline.map(|d| pd > d),
        };
        let Some(late) = late else {
            self.no_deadline
                .add(|| sample(&format!("published {pd}; agency kind unknown, no deadline")));
            if let Some(yt) = yt {
                yt.published.n += 1;
            }
            return;
        };
        if let Some(yt) = yt {
            yt.published.n += 1;
            if late {
                yt.late.add(|| sample(""));
            } else {
                yt.on_time.n += 1;
            }
        }
        if late {
            self.late.add(|| {
                let days = deadline.map(|d| pd.days() - d.days());
                sample(&match (deadline, days) {
                    (Some(d), Some(n)) => format!("published {pd}, deadline {d} (+{n} days)"),
                    _ => format!("published {pd}"),
                })
            });
        }
        if let (Some(k), Some(y)) = (k, p.year) {
            let kind = &mut self.kinds[k];
            kind.bins[bin(y, pd)][usize::from(late)] += 1;
            if late {
                kind.late += 1;
            } else {
                kind.on_time += 1;
            }
        }
    }

    /// Count one row of `coverage.csv`.
    pub fn add_coverage(&mut self, r: &CoverageRow<'_>) {
        self.source = Source::Coverage;
        let y = year(&r.year);
        match r.found.as_ref() {
            "true" => self.publication(
                Publication {
                    year: y,
                    kind: &r.agency_kind,
                    published: &r.published_date,
                    deadline: &r.deadline,
                    late: &r.late,
                },
                &|d| r.sample(d),
            ),
            "false" => {
                let reason = if r.reason.is_empty() {
                    "(未说明 unstated)"
                } else {
                    &r.reason
                };
                self.missing.add(|| r.sample(reason));
                self.reasons
                    .entry(reason, || Rows::new(20))
                    .add(|| r.sample(""));
                if let Some(y) = y {
                    self.years
                        .entry(y)
                        .or_insert_with(YearT::new)
                        .missing
                        .add(|| r.sample(reason));
                }
            }
            _ => {}
        }
    }

    /// Count one report when there is no `coverage.csv` and the rows carry a publication
    /// date and an agency kind.
    pub fn add_report(&mut self, r: &ReportRow<'_>, usable: bool) {
        if !usable || self.source == Source::Coverage {
            return;
        }
        self.source = Source::Reports;
        self.publication(
            Publication {
                year: year(&r.year),
                kind: &r.agency_kind,
                published: &r.published_date,
                deadline: "",
                late: "",
            },
            &|d| {
                let mut s = r.sample();
                if !d.is_empty() {
                    s.text = format!("{} · {d}", s.text);
                }
                s
            },
        );
    }

    fn chart(&self, page: &mut Page, k: usize, late_id: Option<&str>) {
        let (chart, title, marker, deadline) = if k == 0 {
            (
                "timeliness-government",
                "政府：发布日期 Governments: publication dates",
                8,
                "截止 31 Mar deadline",
            )
        } else {
            (
                "timeliness-department",
                "部门：发布日期 Departments: publication dates",
                4,
                "截止 31 Jan deadline",
            )
        };
        let kind = &self.kinds[k];
        let cols: Vec<Column> = (0..NBINS)
            .map(|i| {
                let (label, range) = bin_label(i);
                let [on, late] = kind.bins[i];
                Column {
                    label: label.to_string(),
                    parts: [on, late],
                    tip: format!("{range}: {on} 按时 on time, {late} 逾期 late"),
                    href: (late > 0)
                        .then(|| late_id.map(|id| format!("#{id}")))
                        .flatten(),
                }
            })
            .collect();
        svg::columns(
            &mut page.buf,
            chart,
            title,
            &cols,
            Some((marker, deadline)),
            ["按时 on time", "逾期 late"],
        );
        let _ = write!(
            page.buf,
            "<p class=\"cap\">按时 {} on time · 逾期 {} late. 半月一格，从报告年度的 12 月 1 日到次年 6 月 30 日 <span class=\"en\">Half-month bins from 1 December of the report year to 30 June of the next.</span></p>",
            num(kind.on_time),
            num(kind.late)
        );
    }

    /// Write the timeliness section.
    pub fn render(&self, page: &mut Page) {
        page.raw("<section id=\"timeliness\"><h2>时效 <span class=\"en\">Timeliness</span></h2>");
        match self.source {
            Source::None => {
                page.notice(
                    "此文件夹没有 coverage.csv，reports.csv 也没有发布日期和机构类别，无法对照法定期限。",
                    "No coverage.csv in this folder and no published_date / agency_kind in reports.csv: publication dates cannot be set against the deadlines.",
                );
                page.raw("</section>");
                return;
            }
            Source::Reports => page.notice(
                "此文件夹没有 coverage.csv：以下只看已有报告的发布日期，缺失的报告无从列出。",
                "No coverage.csv in this folder: only the reports present are set against their deadlines; missing reports cannot be listed.",
            ),
            Source::Coverage => {}
        }
        page.raw("<p class=\"cap\">法定期限：部门于次年 1 月 31 日前、政府于次年 3 月 31 日前公布（2019 年条例；2018 年及以前的报告均为 3 月 31 日）。 <span class=\"en\">Legal deadlines: departments by 31 January, governments by 31 March of the year after the report year (2019 regulation; reports on 2018 and earlier: 31 March for all).</span></p>");
        let late_id = (self.late.n > 0).then(|| {
            page.rows_target(
                &self.late,
                "逾期 Late",
                "coverage.csv: found = true, late = true",
            )
        });
        let missing_id = (self.missing.n > 0).then(|| {
            page.rows_target(&self.missing, "缺失 Missing", "coverage.csv: found = false")
        });
        let link = |id: &Option<String>, n: u64| match id {
            Some(id) => format!("<a href=\"#{id}\">{}</a>", num(n)),
            None => num(n),
        };
        let no_date = page.count_link(
            &self.no_date,
            "发布日期未知 No publication date",
            "published_date empty",
        );
        let _ = write!(
            page.buf,
            "<div class=\"cards\"><div class=\"card\"><span class=\"v\">{}</span><span class=\"k\">逾期 Late</span></div><div class=\"card\"><span class=\"v\">{}</span><span class=\"k\">缺失 Missing</span></div><div class=\"card\"><span class=\"v\">{}</span><span class=\"k\">发布日期未知 No date</span></div></div>",
            link(&late_id, self.late.n),
            link(&missing_id, self.missing.n),
            no_date,
        );
        page.raw("<h3>政府 <span class=\"en\">Governments (31 March)</span></h3>");
        self.chart(page, 0, late_id.as_deref());
        page.raw("<h3>部门 <span class=\"en\">Departments (31 January)</span></h3>");
        self.chart(page, 1, late_id.as_deref());

        page.raw("<h3>按年度 <span class=\"en\">By report year</span></h3><div class=\"tbl\"><table><thead><tr><th>年度 Year</th><th class=\"n\">已发布 Published</th><th class=\"n\">按时 On time</th><th class=\"n\">逾期 Late</th><th class=\"n\">日期未知 No date</th><th class=\"n\">缺失 Missing</th></tr></thead><tbody>");
        for (y, t) in &self.years {
            let cells = [
                page.count_link(
                    &t.published,
                    &format!("{y} 已发布 published"),
                    &format!("year = {y}, found = true"),
                ),
                page.count_link(
                    &t.on_time,
                    &format!("{y} 按时 on time"),
                    &format!("year = {y}, late = false"),
                ),
                page.count_link(
                    &t.late,
                    &format!("{y} 逾期 late"),
                    &format!("year = {y}, late = true"),
                ),
                page.count_link(
                    &t.no_date,
                    &format!("{y} 日期未知 no date"),
                    &format!("year = {y}, published_date empty"),
                ),
                page.count_link(
                    &t.missing,
                    &format!("{y} 缺失 missing"),
                    &format!("coverage.csv: year = {y}, found = false"),
                ),
            ];
            let _ = write!(page.buf, "<tr><td>{y}</td>");
            for c in cells {
                let _ = write!(page.buf, "<td class=\"n\">{c}</td>");
            }
            page.raw("</tr>");
        }
        page.raw("</tbody></table></div>");

        if self.source == Source::Coverage {
            page.raw("<h3>缺失原因 <span class=\"en\">Why reports are missing</span></h3>");
            if self.reasons.is_empty() {
                page.notice("没有缺失的报告。", "No report is missing.");
            } else {
                let mut v: Vec<(&String, &Rows)> = self.reasons.iter().collect();
                v.sort_by(|a, b| b.1.n.cmp(&a.1.n).then(a.0.cmp(b.0)));
                let bars: Vec<Bar> = v
                    .iter()
                    .map(|(reason, rows)| {
                        let id = page.rows_target(
                            rows,
                            &format!("缺失 missing: {reason}"),
                            &format!("coverage.csv: found = false, reason = {reason}"),
                        );
                        Bar {
                            label: (*reason).clone(),
                            value: rows.n as f64,
                            text: num(rows.n),
                            tip: format!("{reason}: {}", num(rows.n)),
                            href: Some(format!("#{id}")),
                        }
                    })
                    .collect();
                svg::hbars(
                    &mut page.buf,
                    "timeliness-missing-reasons",
                    "缺失原因 Why reports are missing",
                    &bars,
                    None,
                );
            }
        }
        if self.no_deadline.n > 0 {
            let l = page.count_link(
                &self.no_deadline,
                "无期限 no deadline",
                "agency_kind neither government nor department",
            );
            let _ = write!(page.buf, "<p class=\"cap\">{l} {} </p>", esc("份报告的机构类别未知，无法判断是否逾期 · reports of an unknown agency kind: no deadline applies."));
        }
        page.flush_rows();
        page.raw("</section>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    #[test]
    fn bins_put_both_deadlines_on_an_edge() {
        assert_eq!(bin(2023, d("2023-11-30")), 0);
        assert_eq!(bin(2023, d("2023-12-01")), 1);
        assert_eq!(
            bin(2023, d("2024-01-31")),
            4,
            "last bin on time for departments"
        );
        assert_eq!(bin(2023, d("2024-02-01")), 5);
        assert_eq!(
            bin(2023, d("2024-03-31")),
            8,
            "last bin on time for governments"
        );
        assert_eq!(bin(2023, d("2024-04-01")), 9);
        assert_eq!(bin(2023, d("2024-06-30")), 14);
        assert_eq!(bin(2023, d("2024-07-01")), 15);
        assert_eq!(bin(2023, d("2019-01-01")), 0);
        assert_eq!(bin_label(3).0, "1月");
    }
}
