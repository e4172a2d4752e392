//! The small facts about a report that grouping, versions, cross-year checks and coverage
//! need, computed once when the report is extracted and kept beside it in the spill store.

use nianbao_extract::{Format, Report, Value};

/// Applicant columns of Table 3 checked across years (X1).
pub const X1_COLUMNS: [&str; 7] = [
    "natural_person",
    "org_commercial",
    "org_research",
    "org_nonprofit",
    "org_legal",
    "org_other",
    "total",
];

/// The flag that keeps a value out of a 万元 column.
pub const LIKELY_YUAN: &str = "unit_unknown:likely_yuan";

/// Small per-report facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    /// Agency as read.
    pub agency: Option<String>,
    /// Year reported on.
    pub year: Option<i32>,
    /// `gb2019`, …
    pub format: String,
    /// Hash of what the report says (format, year, every cell value): equal fingerprints are
    /// the same content, whatever the page around it.
    pub fingerprint: String,
    /// Cells with a value.
    pub found: i64,
    /// Failed identity checks.
    pub failed: i64,
    /// The input could not be read.
    pub error: bool,
    /// Publication date from the page.
    pub published: Option<String>,
    /// Report published as images only.
    pub image_only: bool,
    /// X1 operands as JSON `{"over": {col: v}, "fwd": {col: v}}`, when any is known.
    pub x1: Option<String>,
}

/// 64-bit FNV-1a, as 16 hex digits.
pub fn fnv64(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator byte, so ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A stable id for a report: FNV-1a of its source (and part number after the first part).
pub fn report_id(source: &str, part: i64) -> String {
    if part == 0 {
        // The historical id (a hash of the source alone), kept so ids do not change.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in source.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    } else {
        report_id(&format!("{source}#part={part}"), 0)
    }
}

/// The agency as a grouping key: whitespace removed.
pub fn agency_key(agency: &str) -> String {
    agency.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The value written for a cell: `None` when missing or not in the column's unit.
pub fn cell_value(r: &Report, key: &str) -> Option<Value> {
    let v = r.cells.get(key).copied().flatten()?;
    let likely_yuan = r
        .flags
        .get(key)
        .is_some_and(|f| f.iter().any(|x| x == LIKELY_YUAN));
    (!likely_yuan).then_some(v)
}

/// The publication date the page states.
pub fn published(r: &Report) -> Option<String> {
    r.page
        .as_ref()
        .and_then(|p| p.get("date"))
        .and_then(|d| d.as_str())
        .and_then(nianbao_html::parse_date)
}

/// Compute the keys of a report.
pub fn keys(r: &Report) -> Keys {
    let mut fp_cells = String::new();
    let mut found = 0;
    for (k, v) in &r.cells {
        if let Some(v) = v {
            found += 1;
            fp_cells.push_str(k);
            fp_cells.push('=');
            fp_cells.push_str(&v.to_string());
            fp_cells.push(';');
        }
    }
    let year = r.year.map(|y| y.to_string()).unwrap_or_default();
    let x1 = if matches!(r.format, Format::Gb2019 | Format::Gb2021) {
        let side = |row: &str| -> serde_json::Map<String, serde_json::Value> {
            X1_COLUMNS
                .iter()
                .filter_map(|c| {
                    let v = r.cells.get(&format!("t3.{row}.{c}")).copied().flatten()?;
                    Some((c.to_string(), serde_json::to_value(v).ok()?))
                })
                .collect()
        };
        let (over, fwd) = (side("carried_over"), side("carried_forward"));
        (!over.is_empty() || !fwd.is_empty())
            .then(|| serde_json::json!({"over": over, "fwd": fwd}).to_string())
    } else {
        None
    };
    Keys {
        agency: r.agency.clone().filter(|a| !a.trim().is_empty()),
        year: r.year,
        format: r.format.as_str().to_string(),
        fingerprint: fnv64(&[
            r.format.as_str().as_bytes(),
            year.as_bytes(),
            fp_cells.as_bytes(),
        ]),
        found,
        failed: r.checks.iter().filter(|c| !c.holds).count() as i64,
        error: r.error.is_some(),
        published: published(r),
        image_only: r.report_flags.iter().any(|f| f == "image_only"),
        x1,
    }
}
