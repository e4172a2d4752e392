//! # nianbao-extract: the tolerant, template-driven aligner
//!
//! Every reader (plain text, HTML, PDF, Office) turns its input into [`Line`]s; this crate
//! maps them onto the national tables. The design, in the order the work is done:
//!
//! 1. **Flatten** ([`flat`]): cells into one buffer with separators, plus a compact copy in
//!    which labels are searched regardless of spaces, cell and line breaks.
//! 2. **Detect the format** from header texts only one format prints (not from the year).
//! 3. **Align** ([`align`]): Table 三 row labels as an ordered chain, Table 二 rows inside
//!    their zone, Table 四 after its heading. A row's values are the numbers up to the next
//!    label; blank cells keep places; glued digits are split with the identities; when labels
//!    and numbers are far apart, value rows are read in document order (flagged).
//! 4. **Check** ([`checks`]): blank totals that an identity determines are derived and
//!    flagged; I1-I4 are reported for every scope. Printed values are never changed.
//!
//! Nothing is guessed silently: each cell carries its raw text and flags.
//!
//! ```
//! let text = "2020年某某局政府信息公开工作年度报告\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | 0 | 0\n行政规范性文件 | 5 | 1 | 25\n";
//! let r = nianbao_extract::extract_text(text, "example.txt");
//! assert_eq!(r.format, nianbao_extract::Format::Gb2021);
//! assert_eq!(r.cells["t2.a20_1.normative_doc.in_force"], Some(nianbao_extract::Value::Int(25)));
//! ```

pub mod align;
mod assign;
mod cells;
pub mod checks;
pub mod flags;
pub mod flat;
mod labels;
pub mod ocr;
mod report;
mod roworder;
mod tokens;

pub use cells::CellOut;
pub use flags::{CellFlag, ReportFlag};
pub use nianbao_templates::CheckId;
pub use report::{CharsetInfo, Check, Format, Report, Value};

use nianbao_templates::{Template, TemplateError, TemplateSet};
use nianbao_text::Line;
use std::sync::OnceLock;

/// Template rows that must be found before a document without any format header text is
/// read as a national table.
const MIN_ROWS_WITHOUT_MARKERS: usize = 3;

fn marker_count(flat: &flat::Flat, t: &Template) -> usize {
    t.markers
        .iter()
        .filter(|m| flat.compact.contains(m.as_str()))
        .count()
}

/// The aligner prepared for a set of formats: the label index and noise words built once.
#[derive(Debug)]
pub struct Extractor<'t> {
    set: &'t TemplateSet,
    labels: Option<flat::LabelIndex<'t>>,
    noise: Vec<labels::NoiseWords>,
    /// Every key of each format, sorted (the order the report's maps are built in).
    sorted_keys: Vec<Vec<&'t str>>,
}

impl<'t> Extractor<'t> {
    /// Prepare the aligner for a set of formats (the bundled ones, or a directory loaded with
    /// [`TemplateSet::load_dir`]).
    pub fn new(set: &'t TemplateSet) -> Extractor<'t> {
        Extractor {
            set,
            labels: flat::LabelIndex::new(set.formats()),
            noise: set.formats().iter().map(align::noise_words).collect(),
            sorted_keys: set
                .formats()
                .iter()
                .map(|t| {
                    let mut keys = checks::all_keys(t);
                    keys.sort_unstable();
                    keys
                })
                .collect(),
        }
    }

    /// The aligner for the bundled formats, built once; an error when the bundled template
    /// data is broken.
    pub fn bundled() -> Result<&'static Extractor<'static>, &'static TemplateError> {
        static EX: OnceLock<Result<Extractor<'static>, &'static TemplateError>> = OnceLock::new();
        EX.get_or_init(|| nianbao_templates::bundled().map(Extractor::new))
            .as_ref()
            .map_err(|e| *e)
    }

    /// The formats this aligner knows.
    pub fn templates(&self) -> &'t TemplateSet {
        self.set
    }

    /// Extract a report from lines produced by any reader. Cell texts must already be
    /// normalised with [`nianbao_text::normalize`].
    pub fn extract_lines(&self, lines: &[Line], source: &str) -> Report {
        let mut flat = flat::Flat::new(lines);
        if let Some(index) = &self.labels {
            flat.index_labels(index);
        }
        let templates = self.set.formats();
        let text_lines: Vec<String> = lines.iter().map(|l| l.cells.join(" ")).collect();
        let full: String = text_lines.join("\n");
        let m = nianbao_text::title::find_title_meta(&text_lines, &full);
        // The format comes from the labels; the year only breaks a tie (flagged below).
        let year_pref = |t: &Template| usize::from(m.year.is_some_and(|y| t.used_in(y)));
        let mut best: Option<(usize, align::Aligned, usize)> = None;
        let markers: Vec<usize> = templates.iter().map(|t| marker_count(&flat, t)).collect();
        let max_markers = markers.iter().copied().max().unwrap_or(0);
        for (ti, ((t, &markers), noise)) in
            templates.iter().zip(&markers).zip(&self.noise).enumerate()
        {
            // A format whose header texts are absent while another's are present is not tried.
            if max_markers > 0 && markers == 0 {
                continue;
            }
            let a = align::align(&flat, lines, t, noise);
            let better = match &best {
                None => true,
                Some((bt, ba, bm)) => {
                    (markers, a.rows_found, year_pref(t))
                        > (*bm, ba.rows_found, year_pref(&templates[*bt]))
                }
            };
            if better {
                best = Some((ti, a, markers));
            }
        }
        let mut report = Report {
            source: source.to_string(),
            ..Default::default()
        };
        report.title = m.title;
        report.agency = m.agency;
        report.year = m.year;
        let Some((ti, mut aligned, markers)) = best else {
            return report;
        };
        let t = &templates[ti];
        // Without any header text of a national format, a row or two that happen to match
        // (`同意部分公开答复数` in a pre-2019 statistics table) are not a national table.
        if markers == 0 && aligned.rows_found < MIN_ROWS_WITHOUT_MARKERS {
            report.report_flags.push(ReportFlag::NoTables);
            return report;
        }
        report.format = Format::from_id(&t.id);
        if markers == 0 {
            report.report_flags.push(ReportFlag::FormatNotFromLabels);
        }
        checks::derive(t, &mut aligned.cells);
        report.checks = checks::run(t, &aligned.cells);
        // Collected in sorted order so the maps are bulk-built, not inserted into one by one.
        let keys: &[&str] = self.sorted_keys.get(ti).map_or(&[], Vec::as_slice);
        let mut cells = Vec::with_capacity(keys.len());
        let mut raw = Vec::new();
        let mut flags = Vec::new();
        for &key in keys {
            let cell = aligned
                .cells
                .remove(key)
                .unwrap_or_else(|| CellOut::missing(CellFlag::NotFound));
            if let Some(r) = cell.raw {
                raw.push((key.to_string(), r));
            }
            if !cell.flags.is_empty() {
                flags.push((key.to_string(), cell.flags));
            }
            cells.push((key.to_string(), cell.value));
        }
        report.cells = cells.into_iter().collect();
        report.raw = raw.into_iter().collect();
        report.flags = flags.into_iter().collect();
        report.extras = aligned.extras;
        report.report_flags.extend(aligned.notes);
        if report.checks.iter().any(|c| !c.holds) {
            report.report_flags.push(ReportFlag::IdentityFailed);
        }
        report
    }

    /// Extract a report from plain (already decoded) text in any of the flattened shapes.
    pub fn extract_text(&self, text: &str, source: &str) -> Report {
        let norm = nianbao_text::normalize(text);
        self.extract_lines(&nianbao_text::split_text(&norm), source)
    }
}

fn broken(source: &str, e: &TemplateError) -> Report {
    Report {
        source: source.to_string(),
        error: Some(e.to_string()),
        ..Default::default()
    }
}

/// [`Extractor::extract_lines`] with the bundled formats. When the bundled template data is
/// broken the report carries the error (the binary refuses to start on it first).
pub fn extract_lines(lines: &[Line], source: &str) -> Report {
    match Extractor::bundled() {
        Ok(ex) => ex.extract_lines(lines, source),
        Err(e) => broken(source, e),
    }
}

/// [`Extractor::extract_text`] with the bundled formats.
pub fn extract_text(text: &str, source: &str) -> Report {
    match Extractor::bundled() {
        Ok(ex) => ex.extract_text(text, source),
        Err(e) => broken(source, e),
    }
}
