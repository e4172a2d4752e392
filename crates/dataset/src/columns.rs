//! The columns of every file of the dataset, with their types and bilingual labels: the one
//! place the codebook, the writers and the Stata `.do` file take them from.

use crate::names::short_name;
use crate::sink::{ColType, Column, Table};

/// A column definition: key, type, group, Chinese and English label.
#[derive(Debug, Clone, Copy)]
pub struct Def {
    /// Column key (the long name).
    pub key: &'static str,
    /// Type.
    pub ty: ColType,
    /// Column group in the codebook (`metadata`, `identity`, `provenance`, …).
    pub group: &'static str,
    /// Chinese label.
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
}

const fn d(
    key: &'static str,
    ty: ColType,
    group: &'static str,
    zh: &'static str,
    en: &'static str,
) -> Def {
    Def {
        key,
        ty,
        group,
        zh,
        en,
    }
}

use ColType::{Bool, Date, Int, Json, Text, Timestamp};

/// Metadata columns of `reports.csv` (before identity, provenance and cells).
pub const REPORT_META: &[Def] = &[
    d("report_id", Text, "metadata", "报告编号", "Report id: a hash of the source (stable across runs)"),
    d("source", Text, "metadata", "来源（文件或网址）", "The input file or URL the row was read from"),
    d("title", Text, "metadata", "标题", "Report title"),
    d("agency", Text, "metadata", "发布机关", "Reporting agency as printed (simplified characters)"),
    d("year", Int, "metadata", "报告年度", "The year reported on (not the year published)"),
    d("format", Text, "metadata", "表格格式", "Table format: gb2019, gb2021, pre2019 or unknown"),
    d("charset", Text, "metadata", "字符集", "Character set of the source"),
    d("report_flags", Text, "metadata", "报告标记", "Report-level flags, ';'-separated (see the flag rows of the codebook)"),
    d("checks_failed", Int, "metadata", "未通过的勾稽关系数", "Number of identity checks (I1-I4) that fail"),
    d("error", Text, "metadata", "读取错误", "Why the input could not be read (the row is otherwise empty)"),
    d("extras", Json, "metadata", "模板外的行", "Rows and lines outside the national template (JSON)"),
    d("flags", Json, "metadata", "单元格标记", "Flags per cell key (JSON {key: [flags]})"),
    d("provenance", Json, "metadata", "来源详情", "Where the values came from: file or page, attachments, SHA-256, table pages, archive record, alternatives (JSON)"),
];

/// Agency identity columns (from `nianbao_divisions`; empty with a flag when not certain).
pub const REPORT_IDENTITY: &[Def] = &[
    d(
        "agency_id",
        Text,
        "identity",
        "机关编号",
        "Stable agency id (across years and renamings)",
    ),
    d(
        "division_code",
        Text,
        "identity",
        "行政区划代码",
        "6-digit code of the government the agency belongs to, as valid in the report year",
    ),
    d(
        "division_name",
        Text,
        "identity",
        "行政区划名称",
        "Name of that division",
    ),
    d(
        "division_level",
        Text,
        "identity",
        "行政区划级别",
        "province, prefecture, county or township",
    ),
    d(
        "agency_kind",
        Text,
        "identity",
        "机关类型",
        "government, department or other",
    ),
    d(
        "province",
        Text,
        "identity",
        "省级",
        "Province of the division",
    ),
    d(
        "prefecture",
        Text,
        "identity",
        "地级",
        "Prefecture of the division",
    ),
    d(
        "identity_flags",
        Text,
        "identity",
        "识别标记",
        "How the identity was found or why it is empty, ';'-separated",
    ),
];

/// Provenance columns: where and when the report was fetched.
pub const REPORT_PROVENANCE: &[Def] = &[
    d(
        "url",
        Text,
        "provenance",
        "网址",
        "URL the report was fetched from (empty for local files)",
    ),
    d(
        "source_name",
        Text,
        "provenance",
        "采集源",
        "Name of the [[sources]] entry of the crawl configuration",
    ),
    d(
        "published_date",
        Date,
        "provenance",
        "发布日期",
        "Publication date printed on the page (YYYY-MM-DD)",
    ),
    d(
        "fetched_at",
        Timestamp,
        "provenance",
        "抓取时间",
        "Last fetch of this content (RFC 3339, UTC)",
    ),
    d(
        "sha256",
        Text,
        "provenance",
        "SHA-256",
        "SHA-256 of the fetched or read bytes",
    ),
    d(
        "warc_file",
        Text,
        "provenance",
        "WARC文件",
        "WARC file of the archive holding the response",
    ),
    d(
        "warc_offset",
        Int,
        "provenance",
        "WARC偏移",
        "Byte offset of the response record's gzip member in that file",
    ),
    d(
        "version",
        Int,
        "provenance",
        "版本",
        "Version of the report: 1 + the number of content changes seen (see versions.csv)",
    ),
    d(
        "first_seen",
        Timestamp,
        "provenance",
        "首次发现",
        "When this version was first fetched (RFC 3339, UTC)",
    ),
];

/// `cells.csv`.
pub const CELLS: &[Def] = &[
    d(
        "report_id",
        Text,
        "cells",
        "报告编号",
        "Report id (reports.csv)",
    ),
    d("key", Text, "cells", "指标", "Cell key (codebook)"),
    d(
        "value",
        ColType::Dec,
        "cells",
        "数值",
        "Value: a count, or 万元 for amount keys; empty when missing or not in 万元",
    ),
    d("raw", Text, "cells", "原文", "Text of the cell as printed"),
    d("flags", Text, "cells", "标记", "Cell flags, ';'-separated"),
];

/// `checks.csv`.
pub const CHECKS: &[Def] = &[
    d(
        "report_id",
        Text,
        "checks",
        "报告编号",
        "Report id (reports.csv)",
    ),
    d(
        "id",
        Text,
        "checks",
        "勾稽关系",
        "Check id: I1-I4 within a report, X1 across years",
    ),
    d(
        "scope",
        Text,
        "checks",
        "范围",
        "Column, row or group checked; X1: column;previous report id;this report id",
    ),
    d(
        "holds",
        Bool,
        "checks",
        "是否成立",
        "Whether the identity holds on the printed values",
    ),
    d(
        "detail",
        Text,
        "checks",
        "算式",
        "The equation with the values",
    ),
];

/// `coverage.csv`.
pub const COVERAGE: &[Def] = &[
    d("agency_id", Text, "coverage", "机关编号", "Stable agency id"),
    d("agency", Text, "coverage", "机关", "Agency as printed"),
    d("division_code", Text, "coverage", "行政区划代码", "6-digit division code"),
    d("division_name", Text, "coverage", "行政区划名称", "Division name"),
    d("division_level", Text, "coverage", "行政区划级别", "Division level"),
    d("agency_kind", Text, "coverage", "机关类型", "government, department or other"),
    d("province", Text, "coverage", "省级", "Province"),
    d("prefecture", Text, "coverage", "地级", "Prefecture"),
    d("year", Int, "coverage", "报告年度", "Year reported on"),
    d("found", Bool, "coverage", "是否找到", "Whether a readable report of that agency and year is in the dataset"),
    d("reason", Text, "coverage", "未找到原因", "listed_404, blocked, fetch_error, not_listed, image_only or robots_denied; empty when found"),
    d("report_id", Text, "coverage", "报告编号", "Report id (reports.csv)"),
    d("url", Text, "coverage", "网址", "URL of the report or of the failed link"),
    d("published_date", Date, "coverage", "发布日期", "Publication date"),
    d("deadline", Date, "coverage", "法定期限", "Legal deadline: 31 January (departments) or 31 March (governments) of the next year; 31 March for all before 2019"),
    d("late", Bool, "coverage", "是否逾期", "Published after the deadline"),
];

/// `versions.csv`.
pub const VERSIONS: &[Def] = &[
    d(
        "report_id",
        Text,
        "versions",
        "报告编号",
        "Report id of the row in reports.csv",
    ),
    d(
        "version",
        Int,
        "versions",
        "版本",
        "Version number, 1 = first seen",
    ),
    d(
        "latest",
        Bool,
        "versions",
        "是否最新",
        "Whether this is the version in reports.csv",
    ),
    d(
        "url",
        Text,
        "versions",
        "网址",
        "URL this version was fetched from",
    ),
    d(
        "part",
        Int,
        "versions",
        "部分",
        "Part of the document (workbook sheet), 0 for most",
    ),
    d(
        "sha256",
        Text,
        "versions",
        "SHA-256",
        "SHA-256 of the fetched bytes",
    ),
    d(
        "first_seen",
        Timestamp,
        "versions",
        "首次发现",
        "First fetch of this version",
    ),
    d(
        "last_seen",
        Timestamp,
        "versions",
        "最后抓取",
        "Last fetch of this version",
    ),
    d(
        "published_date",
        Date,
        "versions",
        "发布日期",
        "Publication date printed on the page",
    ),
    d(
        "warc_file",
        Text,
        "versions",
        "WARC文件",
        "WARC file holding the response",
    ),
    d(
        "warc_offset",
        Int,
        "versions",
        "WARC偏移",
        "Offset of the response record",
    ),
    d(
        "cells_changed",
        Int,
        "versions",
        "变动单元格数",
        "Cells whose value differs from the previous version",
    ),
];

/// `codebook.csv`.
pub const CODEBOOK: &[Def] = &[
    d(
        "key",
        Text,
        "codebook",
        "列名",
        "Column key, or flag:NAME / check:ID",
    ),
    d(
        "table",
        Text,
        "codebook",
        "表",
        "National table of a cell key",
    ),
    d(
        "label_path",
        Text,
        "codebook",
        "中文标签",
        "Chinese label (the template's label path for cells)",
    ),
    d(
        "description",
        Text,
        "codebook",
        "英文说明",
        "English description",
    ),
    d("unit", Text, "codebook", "单位", "Unit of the values"),
    d(
        "formats",
        Text,
        "codebook",
        "适用格式",
        "Table formats a cell key belongs to",
    ),
    d(
        "short_name",
        Text,
        "codebook",
        "短名",
        "Name used with --names short (Stata/SAS: ≤ 32 characters)",
    ),
    d("file", Text, "codebook", "文件", "File the column is in"),
    d("group", Text, "codebook", "分组", "Column group"),
    d(
        "type",
        Text,
        "codebook",
        "类型",
        "Value type: text, json, integer, decimal, boolean, date, timestamp",
    ),
];

/// Whether names are written as keys or as Stata/SAS short names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// The column keys (`t3.new_received.total`).
    #[default]
    Long,
    /// Short names (`t3_newrec_tot`).
    Short,
}

/// A cell key of the templates: its column type (amounts are decimals).
pub fn cell_type(key: &str) -> ColType {
    if key.ends_with("amount_wan") {
        ColType::Dec
    } else {
        ColType::Int
    }
}

fn column(key: &str, ty: ColType, names: Names) -> Column {
    Column {
        name: match names {
            Names::Long => key.to_string(),
            Names::Short => short_name(key),
        },
        ty,
    }
}

fn table(name: &'static str, defs: &[Def], names: Names) -> Table {
    Table {
        name,
        columns: defs.iter().map(|d| column(d.key, d.ty, names)).collect(),
    }
}

/// The cell keys, in keys.tsv order.
pub fn cell_keys() -> &'static [nianbao_templates::KeyInfo] {
    static KEYS: std::sync::OnceLock<Vec<nianbao_templates::KeyInfo>> = std::sync::OnceLock::new();
    KEYS.get_or_init(nianbao_templates::key_infos)
}

/// Every table of the dataset with the chosen names.
#[derive(Debug, Clone)]
pub struct Tables {
    /// `reports`.
    pub reports: Table,
    /// `cells`.
    pub cells: Table,
    /// `checks`.
    pub checks: Table,
    /// `coverage`.
    pub coverage: Table,
    /// `versions`.
    pub versions: Table,
    /// `codebook`.
    pub codebook: Table,
}

impl Tables {
    /// The tables with long or short names.
    pub fn new(names: Names) -> Tables {
        let mut reports = table(
            "reports",
            &[REPORT_META, REPORT_IDENTITY, REPORT_PROVENANCE].concat(),
            names,
        );
        reports.columns.extend(
            cell_keys()
                .iter()
                .map(|k| column(&k.key, cell_type(&k.key), names)),
        );
        Tables {
            reports,
            cells: table("cells", CELLS, names),
            checks: table("checks", CHECKS, names),
            coverage: table("coverage", COVERAGE, names),
            versions: table("versions", VERSIONS, names),
            // The codebook keeps its own header: it is what maps long to short names.
            codebook: table("codebook", CODEBOOK, Names::Long),
        }
    }
}

/// One row of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookRow {
    /// Key (`flag:NAME`, `check:ID` for those rows).
    pub key: String,
    /// National table of a cell key.
    pub table: String,
    /// Chinese label.
    pub zh: String,
    /// English description.
    pub en: String,
    /// Unit.
    pub unit: String,
    /// Formats.
    pub formats: String,
    /// Short name (empty for flag and check rows).
    pub short_name: String,
    /// File.
    pub file: String,
    /// Group.
    pub group: String,
    /// Type.
    pub ty: String,
}

fn def_row(file: &str, def: &Def) -> BookRow {
    BookRow {
        key: def.key.to_string(),
        table: String::new(),
        zh: def.zh.to_string(),
        en: def.en.to_string(),
        unit: String::new(),
        formats: String::new(),
        short_name: short_name(def.key),
        file: file.to_string(),
        group: def.group.to_string(),
        ty: def.ty.as_str().to_string(),
    }
}

/// Every flag that can appear in `report_flags` and in the cell flags: its text, Chinese and
/// English meaning, cell flags first.
fn flag_texts() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    use nianbao_extract::{CellFlag, ReportFlag};
    let cell = CellFlag::ALL
        .iter()
        .map(|f| (f.as_str(), f.zh(), f.meaning()));
    let report = ReportFlag::ALL
        .iter()
        .map(|f| (f.as_str(), f.zh(), f.meaning()));
    cell.chain(report)
}

/// The codebook: every column of every file, then flags and check ids.
pub fn codebook() -> Vec<BookRow> {
    let mut rows = Vec::new();
    for def in [REPORT_META, REPORT_IDENTITY, REPORT_PROVENANCE].concat() {
        rows.push(def_row("reports.csv", &def));
    }
    for i in cell_keys() {
        let table = match i.key.split('.').next() {
            Some("t2") => "二、主动公开政府信息情况",
            Some("t3") => "三、收到和处理政府信息公开申请情况",
            Some("t4") => "四、政府信息公开行政复议、行政诉讼情况",
            _ => "",
        };
        let unit = if i.key.ends_with("amount_wan") {
            "万元 (decimal)"
        } else if i.key.ends_with(".change") {
            "count (signed)"
        } else {
            "count"
        };
        rows.push(BookRow {
            key: i.key.clone(),
            table: table.to_string(),
            zh: i.label_path.clone(),
            en: nianbao_templates::describe(&i.key),
            unit: unit.to_string(),
            formats: i.formats.clone(),
            short_name: short_name(&i.key),
            file: "reports.csv".to_string(),
            group: "cell".to_string(),
            ty: cell_type(&i.key).as_str().to_string(),
        });
    }
    for (file, defs) in [
        ("cells.csv", CELLS),
        ("checks.csv", CHECKS),
        ("coverage.csv", COVERAGE),
        ("versions.csv", VERSIONS),
        ("codebook.csv", CODEBOOK),
    ] {
        for def in defs {
            rows.push(def_row(file, def));
        }
    }
    // Flag rows come from the flag enums, where each flag's text lives once (the README's flag
    // tables are generated from the same enums).
    for (flag, zh, en) in flag_texts() {
        rows.push(BookRow {
            key: format!("flag:{flag}"),
            table: String::new(),
            zh: zh.to_string(),
            en: en.to_string(),
            unit: String::new(),
            formats: String::new(),
            short_name: String::new(),
            file: String::new(),
            group: "flag".to_string(),
            ty: String::new(),
        });
    }
    // The check ids and their texts come from the one enum (nianbao_templates::CheckId).
    for id in nianbao_templates::CheckId::ALL {
        rows.push(BookRow {
            key: format!("check:{}", id.as_str()),
            table: String::new(),
            zh: id.description_zh().to_string(),
            en: id.description().to_string(),
            unit: String::new(),
            formats: String::new(),
            short_name: String::new(),
            file: "checks.csv".to_string(),
            group: "check_id".to_string(),
            ty: String::new(),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::is_valid;

    /// The codebook's flag rows are exactly the flags the code knows, once each, with the
    /// enums' texts: a flag added to `CellFlag`/`ReportFlag` is described without a second list.
    #[test]
    fn codebook_flags_are_exactly_the_flag_enums() {
        use nianbao_extract::{CellFlag, ReportFlag};
        let book: Vec<(String, String, String)> = codebook()
            .into_iter()
            .filter(|r| r.group == "flag")
            .map(|r| (r.key, r.zh, r.en))
            .collect();
        let mut want: Vec<(String, String, String)> = Vec::new();
        for f in CellFlag::ALL {
            want.push((format!("flag:{f}"), f.zh().into(), f.meaning().into()));
        }
        for f in ReportFlag::ALL {
            want.push((format!("flag:{f}"), f.zh().into(), f.meaning().into()));
        }
        assert_eq!(book, want);
        let keys: std::collections::BTreeSet<&str> = book.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(keys.len(), book.len(), "a flag text used twice");
        // Flags the dataset writes itself are among them.
        assert!(keys.contains("flag:agency_from_page"));
        assert!(book.iter().all(|r| !r.1.is_empty() && !r.2.is_empty()));
    }

    /// The codebook's check rows are the check ids of `CheckId`, with its texts, so the
    /// identities written in `checks.csv` are described from one place.
    #[test]
    fn codebook_check_ids_are_exactly_the_check_enum() {
        let book: Vec<(String, String, String)> = codebook()
            .into_iter()
            .filter(|r| r.group == "check_id")
            .map(|r| (r.key, r.zh, r.en))
            .collect();
        let want: Vec<(String, String, String)> = nianbao_templates::CheckId::ALL
            .iter()
            .map(|c| {
                (
                    format!("check:{c}"),
                    c.description_zh().to_string(),
                    c.description().to_string(),
                )
            })
            .collect();
        assert_eq!(book, want);
        assert!(book.iter().any(|r| r.0 == "check:X1"));
    }

    #[test]
    fn short_names_are_unique_per_file_and_valid_on_the_full_codebook() {
        let book = codebook();
        let mut per_file: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        let mut columns = 0;
        for r in &book {
            if r.group == "flag" || r.group == "check_id" {
                assert!(r.short_name.is_empty());
                continue;
            }
            columns += 1;
            assert!(is_valid(&r.short_name), "{} → {}", r.key, r.short_name);
            assert!(
                per_file.entry(&r.file).or_default().insert(&r.short_name),
                "{} twice in {}",
                r.short_name,
                r.file
            );
            assert!(
                !r.zh.is_empty() && !r.en.is_empty(),
                "{} lacks a label",
                r.key
            );
        }
        let t = Tables::new(Names::Long);
        assert_eq!(
            columns,
            t.reports.columns.len()
                + t.cells.columns.len()
                + t.checks.columns.len()
                + t.coverage.columns.len()
                + t.versions.columns.len()
                + t.codebook.columns.len()
        );
        // The contract's column order in reports.csv.
        let names: Vec<&str> = t.reports.columns.iter().map(|c| c.name.as_str()).collect();
        let at = |k: &str| names.iter().position(|n| *n == k).expect(k);
        assert_eq!(at("provenance") + 1, at("agency_id"));
        assert_eq!(at("identity_flags") + 1, at("url"));
        assert_eq!(at("first_seen") + 1, at("t2.a20_1.rule.new_made"));
        let short = Tables::new(Names::Short);
        assert!(short.reports.columns.iter().all(|c| is_valid(&c.name)));
    }
}
