//! The rows of the three dataset files, as borrowed views of the current CSV record.
//!
//! Column positions are resolved once per file from its header (by the contract's names),
//! so absent columns read as empty: an `extract --out` folder without identity columns goes
//! through the same code as a full dataset.

use crate::html::{clip, safe_url, Sample};
use crate::input::Table;
use std::borrow::Cow;

/// Years outside this range are treated as unreadable (they would only stretch the grids).
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// A report year, when it is a plausible one.
pub fn year(s: &str) -> Option<i32> {
    s.trim().parse().ok().filter(|y| YEARS.contains(y))
}

/// Column positions of `reports.csv`.
pub struct ReportCols {
    id: Option<usize>,
    source: Option<usize>,
    title: Option<usize>,
    agency: Option<usize>,
    year: Option<usize>,
    format: Option<usize>,
    report_flags: Option<usize>,
    checks_failed: Option<usize>,
    error: Option<usize>,
    error_kind: Option<usize>,
    flags: Option<usize>,
    url: Option<usize>,
    published_date: Option<usize>,
    agency_id: Option<usize>,
    identity_flags: Option<usize>,
    agency_kind: Option<usize>,
    province: Option<usize>,
    division_code: Option<usize>,
    division_level: Option<usize>,
    /// The file has the identity columns of the dataset (issue 8).
    pub has_identity: bool,
    /// The file has the provenance columns (`url`, `published_date`).
    pub has_provenance: bool,
}

impl ReportCols {
    /// Resolve the columns of `t`.
    pub fn new(t: &Table) -> ReportCols {
        ReportCols {
            id: t.col("report_id"),
            source: t.col("source"),
            title: t.col("title"),
            agency: t.col("agency"),
            year: t.col("year"),
            format: t.col("format"),
            report_flags: t.col("report_flags"),
            checks_failed: t.col("checks_failed"),
            error: t.col("error"),
            error_kind: t.col("error_kind"),
            flags: t.col("flags"),
            url: t.col("url"),
            published_date: t.col("published_date"),
            agency_id: t.col("agency_id"),
            identity_flags: t.col("identity_flags"),
            agency_kind: t.col("agency_kind"),
            province: t.col("province"),
            division_code: t.col("division_code"),
            division_level: t.col("division_level"),
            has_identity: t.col("province").is_some() && t.col("agency_kind").is_some(),
            has_provenance: t.col("url").is_some() && t.col("published_date").is_some(),
        }
    }

    /// The current row of `t`.
    pub fn row<'a>(&self, t: &'a Table) -> ReportRow<'a> {
        ReportRow {
            id: t.get(self.id),
            source: t.get(self.source),
            title: t.get(self.title),
            agency: t.get(self.agency),
            year: t.get(self.year),
            format: t.get(self.format),
            report_flags: t.get(self.report_flags),
            checks_failed: t.get(self.checks_failed),
            error: t.get(self.error),
            error_kind: t.get(self.error_kind),
            flags: t.get(self.flags),
            url: t.get(self.url),
            published_date: t.get(self.published_date),
            agency_id: t.get(self.agency_id),
            identity_flags: t.get(self.identity_flags),
            agency_kind: t.get(self.agency_kind),
            province: t.get(self.province),
            division_code: t.get(self.division_code),
            division_level: t.get(self.division_level),
        }
    }
}

/// One row of `reports.csv`.
pub struct ReportRow<'a> {
    /// `report_id`.
    pub id: Cow<'a, str>,
    /// `source` (file path or URL).
    pub source: Cow<'a, str>,
    /// `title`.
    pub title: Cow<'a, str>,
    /// `agency` as printed.
    pub agency: Cow<'a, str>,
    /// `year` (raw).
    pub year: Cow<'a, str>,
    /// `format`.
    pub format: Cow<'a, str>,
    /// `report_flags` (`;`-separated).
    pub report_flags: Cow<'a, str>,
    /// `checks_failed` (empty when no identity could be checked).
    pub checks_failed: Cow<'a, str>,
    /// `error`.
    pub error: Cow<'a, str>,
    /// `error_kind`, if a later dataset writes one.
    pub error_kind: Cow<'a, str>,
    /// `flags` (JSON `{key: [flags]}`).
    pub flags: Cow<'a, str>,
    /// `url`.
    pub url: Cow<'a, str>,
    /// `published_date`.
    pub published_date: Cow<'a, str>,
    /// `agency_id` (empty when the agency could not be identified).
    pub agency_id: Cow<'a, str>,
    /// `identity_flags` (`;`-separated).
    pub identity_flags: Cow<'a, str>,
    /// `agency_kind`.
    pub agency_kind: Cow<'a, str>,
    /// `province`.
    pub province: Cow<'a, str>,
    /// `division_code`.
    pub division_code: Cow<'a, str>,
    /// `division_level`.
    pub division_level: Cow<'a, str>,
}

impl ReportRow<'_> {
    /// This report as one line of a list: its id, agency, year and title, and its URL.
    pub fn sample(&self) -> Sample {
        let mut text = String::new();
        for part in [&self.agency, &self.year] {
            if !part.is_empty() {
                if !text.is_empty() {
                    text.push_str(" · ");
                }
                text.push_str(part);
            }
        }
        if !self.title.is_empty() {
            text.push_str(" · ");
            text.push_str(&clip(&self.title, 60));
        }
        if text.is_empty() || safe_url(&self.source).is_none() {
            text.push_str(" · ");
            text.push_str(&clip(&self.source, 80));
        }
        let url = safe_url(&self.url)
            .or_else(|| safe_url(&self.source))
            .map(str::to_string);
        Sample {
            id: self.id.to_string(),
            text: text.trim_start_matches(" · ").to_string(),
            url,
        }
    }
}

/// Column positions of `coverage.csv`.
pub struct CoverageCols {
    agency_id: Option<usize>,
    agency: Option<usize>,
    division_code: Option<usize>,
    division_level: Option<usize>,
    agency_kind: Option<usize>,
    province: Option<usize>,
    year: Option<usize>,
    found: Option<usize>,
    reason: Option<usize>,
    report_id: Option<usize>,
    url: Option<usize>,
    published_date: Option<usize>,
    deadline: Option<usize>,
    late: Option<usize>,
}

impl CoverageCols {
    /// Resolve the columns of `t`.
    pub fn new(t: &Table) -> CoverageCols {
        CoverageCols {
            agency_id: t.col("agency_id"),
            agency: t.col("agency"),
            division_code: t.col("division_code"),
            division_level: t.col("division_level"),
            agency_kind: t.col("agency_kind"),
            province: t.col("province"),
            year: t.col("year"),
            found: t.col("found"),
            reason: t.col("reason"),
            report_id: t.col("report_id"),
            url: t.col("url"),
            published_date: t.col("published_date"),
            deadline: t.col("deadline"),
            late: t.col("late"),
        }
    }

    /// The current row of `t`.
    pub fn row<'a>(&self, t: &'a Table) -> CoverageRow<'a> {
        CoverageRow {
            agency_id: t.get(self.agency_id),
            agency: t.get(self.agency),
            division_code: t.get(self.division_code),
            division_level: t.get(self.division_level),
            agency_kind: t.get(self.agency_kind),
            province: t.get(self.province),
            year: t.get(self.year),
            found: t.get(self.found),
            reason: t.get(self.reason),
            report_id: t.get(self.report_id),
            url: t.get(self.url),
            published_date: t.get(self.published_date),
            deadline: t.get(self.deadline),
            late: t.get(self.late),
        }
    }
}

/// One row of `coverage.csv`: an agency and year nianbao knows of.
pub struct CoverageRow<'a> {
    /// `agency_id`.
    pub agency_id: Cow<'a, str>,
    /// `agency`.
    pub agency: Cow<'a, str>,
    /// `division_code`.
    pub division_code: Cow<'a, str>,
    /// `division_level`.
    pub division_level: Cow<'a, str>,
    /// `agency_kind`.
    pub agency_kind: Cow<'a, str>,
    /// `province`.
    pub province: Cow<'a, str>,
    /// `year` (raw).
    pub year: Cow<'a, str>,
    /// `found`: `true`, `false` or empty.
    pub found: Cow<'a, str>,
    /// `reason` when not found.
    pub reason: Cow<'a, str>,
    /// `report_id` when found.
    pub report_id: Cow<'a, str>,
    /// `url`.
    pub url: Cow<'a, str>,
    /// `published_date`.
    pub published_date: Cow<'a, str>,
    /// `deadline`.
    pub deadline: Cow<'a, str>,
    /// `late`: `true`, `false` or empty.
    pub late: Cow<'a, str>,
}

impl CoverageRow<'_> {
    /// This agency-year as one line of a list.
    pub fn sample(&self, detail: &str) -> Sample {
        let id = if self.report_id.is_empty() {
            &self.agency_id
        } else {
            &self.report_id
        };
        let name = if self.agency.is_empty() {
            &self.division_code
        } else {
            &self.agency
        };
        let mut text = format!("{} · {}", clip(name, 40), self.year);
        if !detail.is_empty() {
            text.push_str(" · ");
            text.push_str(detail);
        }
        Sample {
            id: id.to_string(),
            text,
            url: safe_url(&self.url).map(str::to_string),
        }
    }
}

/// Column positions of `checks.csv`.
pub struct CheckCols {
    report_id: Option<usize>,
    id: Option<usize>,
    scope: Option<usize>,
    holds: Option<usize>,
    detail: Option<usize>,
}

impl CheckCols {
    /// Resolve the columns of `t`.
    pub fn new(t: &Table) -> CheckCols {
        CheckCols {
            report_id: t.col("report_id"),
            id: t.col("id"),
            scope: t.col("scope"),
            holds: t.col("holds"),
            detail: t.col("detail"),
        }
    }

    /// The current row of `t`.
    pub fn row<'a>(&self, t: &'a Table) -> CheckRow<'a> {
        CheckRow {
            report_id: t.get(self.report_id),
            id: t.get(self.id),
            scope: t.get(self.scope),
            holds: t.get(self.holds),
            detail: t.get(self.detail),
        }
    }
}

/// One row of `checks.csv`.
pub struct CheckRow<'a> {
    /// `report_id`.
    pub report_id: Cow<'a, str>,
    /// Check id: `I1`-`I4`, `X1`.
    pub id: Cow<'a, str>,
    /// What the check covered (a column, a row, both report ids for X1).
    pub scope: Cow<'a, str>,
    /// `true` or `false`.
    pub holds: Cow<'a, str>,
    /// The arithmetic.
    pub detail: Cow<'a, str>,
}
