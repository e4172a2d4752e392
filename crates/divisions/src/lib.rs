//! Administrative divisions (行政区划代码) and agency identity for nianbao.
//!
//! [`identify`] answers, for one report: which government does its agency belong to (the
//! 6-digit division code *as valid in the year reported on*), at which level, is the agency
//! that government, one of its departments or something else, and what stable key follows
//! it across years and renamings.
//!
//! ```
//! use nianbao_divisions::{identify, AgencyKind, DivisionLevel, IdentityInput};
//! let id = identify(&IdentityInput {
//!     agency: Some("梅河口市商务局"),
//!     title: Some("2020年梅河口市商务局政府信息公开工作年度报告"),
//!     year: Some(2020),
//!     ..Default::default()
//! });
//! assert_eq!(id.division_code.as_deref(), Some("220581"));
//! assert_eq!(id.division_level, Some(DivisionLevel::County));
//! assert_eq!(id.agency_kind, Some(AgencyKind::Department));
//! assert_eq!(id.prefecture.as_deref(), Some("通化市"));
//! assert_eq!(id.agency_id.as_deref(), Some("220581-商务局"));
//! ```
//!
//! # Data
//! `data/divisions/areacodes.csv` (CC0; every code 1981–2025 with its validity years and
//! successors) and `data/divisions/aliases.csv` (special zones without a code, such as
//! 平潭综合实验区 → 350128) are compiled in and parsed once, on first use. The parse checks the
//! header, every field, and that each row's province and prefecture exist under the codes its
//! code implies in every year it is valid; [`check_table`] reports a failure (a test calls it),
//! and [`identify`] then answers with the flag `division_table_error`, never with silently
//! empty results.
//!
//! # Matching
//! - Text is normalised first (traditional → simplified, pinyin glosses, NFKC, whitespace and
//!   quotes removed). From a title, the agency part is what precedes `政府信息公开` /
//!   `年度报告` …, years removed; a title without such words is not used.
//! - A name must **start** with a chain of division names valid in the year: province,
//!   prefecture, county, each inside the previous, any of them omitted (`梅河口市` alone,
//!   `吉林省梅河口市`, `江苏省淮安市洪泽区`). Autonomous divisions match in full and short
//!   form (`恩施土家族苗族自治州`, `恩施州`). The longest chain wins. Names are never matched
//!   in the middle of other words.
//! - Year: a row is valid from 启用时间 (inclusive) to 变更/弃用时间 (exclusive), each year as of
//!   31 December. 淮安市 in 1995 is the county-level city 320882; in 2024 the prefecture 320800.
//!   When the chain stops at a name not valid in the year, the names of the following year
//!   (reports published after a renaming) and the previous year are tried, and mapped back to
//!   the row valid in the report's year through the successor lineage
//!   (`name_of_following_year` / `name_of_previous_year`).
//! - Several divisions with the matched name (朝阳区: Beijing and Changchun; 市中区) stay
//!   unmatched (`division_ambiguous`, with the province or prefecture filled only when all
//!   candidates share it) unless the title's chain, the source's `division_code` or the page's
//!   `SiteIDCode` picks exactly one. A `SiteIDCode` counts only when its first 6 digits are a
//!   code valid in the year (`3213220037` → 321322 沭阳县; 平潭's `3590000001` is no code). A
//!   source code that was renamed since is mapped to the row of its lineage valid in the year.
//! - A name without any place (`区公安局`, `县人民政府`, `太平镇人民政府`) gets the division of the
//!   source, else of the site, when its one-character prefix fits that division (`区` needs a
//!   division called …区, an alias counts: 平潭综合实验区). A hint that contradicts a name's
//!   match is flagged, and the name wins.
//! - The agency field and the title subject are both read. The title wins when it names a more
//!   specific body of the same place (the field then named a publisher: a portal, the
//!   government); the field wins otherwise, the title then only narrowing ambiguous
//!   candidates. Unrelated places in the two give `agency_title_conflict` and no match.
//!
//! # Levels and kinds
//! `division_level` is the level of the government: `province`, `prefecture`, `county`, or
//! `township` for 镇/乡/街道/苏木 governments (`桃江县松木塘镇人民政府`): no code table exists
//! for them, so `division_code` stays empty (`township_no_code`), `division_name` is the
//! township, and province, prefecture and `county`/`county_code` are filled from the chain.
//!
//! [`AgencyKind`]: `government` (the people's government, a zone's 管委会, a township), or
//! `department` (局, 委, 办, 厅, 署, 室 …), or `other` (courts, procuratorates, congresses,
//! party and mass bodies, institutions such as 中心/院/站/馆, companies, branches of central
//! vertical agencies such as 国家税务总局…税务局). **General offices** (办公厅/办公室): an office
//! is a department of its government, and its own report is a department's; but when the
//! office is only the publisher — the agency field names the office and the title names the
//! government itself — the report is the government's (`government`, flag
//! `published_by_office`). For `other` bodies the division columns stay empty (they belong to
//! no government; `not_government_body`) while province, prefecture and county locate them.
//!
//! # `agency_id`
//! `<code>[-<township>][-<body>]`: the code the division's lineage ends in, then the township,
//! then the body's normalised name (place, `人民政府`, brackets removed; offices as `办公厅` /
//! `办公室`): `220581-商务局`, `350128` (平潭县 and 平潭综合实验区 alike), `430922-松木塘镇`,
//! `310000-办公厅`. The lineage follows a division through renamings and code changes
//! (洪泽县 320829 → 洪泽区 320813; 淮阴市 → 淮安市 keep 320800; 淮安市 of 1995 → 楚州区 →
//! 淮安区 320803) but stops at merges, splits and absorption into a division that already
//! existed, so two agencies of one year never share an id. Limits: a renamed or merged
//! department (商务局 → 商务和粮食局) or one written in short form (科委 for 科学技术委员会) gets
//! another id; a code the table reuses for an unrelated division is not told apart.
//!
//! # Flags
//! `division_unmatched`, `division_ambiguous`, `division_alias`, `division_from_title`,
//! `division_from_source`, `division_from_site_id`, `disambiguated_by_title`,
//! `disambiguated_by_source`, `disambiguated_by_site_id`, `agency_from_title`,
//! `agency_title_conflict`, `source_code_conflict`, `site_id_conflict`, `site_id_rejected`,
//! `source_code_unknown`, `source_code_of_other_year`, `hint_conflict`, `hint_level_mismatch`,
//! `name_of_following_year`, `name_of_previous_year`, `township_no_code`,
//! `published_by_office`, `not_government_body`, `agency_kind_unknown`, `no_agency_name`,
//! `year_unknown`, `year_after_table`, `year_out_of_table`, `division_table_error`.

mod agency;
mod chain;
mod identify;
mod names;
mod table;

pub use agency::AgencyKind;
pub use identify::{identify, Identity, IdentityInput};
pub use table::{DivisionLevel, TableError};

/// One division as the table has it in one year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Division {
    /// The 6-digit code.
    pub code: String,
    /// Its name that year.
    pub name: String,
    /// Province, prefecture or county.
    pub level: DivisionLevel,
    /// Its province.
    pub province: String,
    /// Its prefecture (none for provinces, municipalities' districts, province-run counties).
    pub prefecture: Option<String>,
    /// First year of this code under this name.
    pub valid_from: i32,
    /// First year it no longer held (exclusive), if it changed.
    pub valid_until: Option<i32>,
    /// The code its lineage ends in (the base of `agency_id`).
    pub lineage_code: String,
}

/// The division a 6-digit code stands for in `year` (the latest table year when `None`).
pub fn division(code: &str, year: Option<i32>) -> Option<Division> {
    let t = table::table().ok()?;
    let y = year.map_or(t.last_year, |y| y.clamp(0, i32::from(u16::MAX)) as u16);
    let code: u32 = code
        .trim()
        .parse()
        .ok()
        .filter(|_| code.trim().len() == 6)?;
    let i = t.index_at(code, y)?;
    let r = &t.rows[i as usize];
    Some(Division {
        code: format!("{:06}", r.code),
        name: r.name.to_string(),
        level: r.level,
        province: r.province.to_string(),
        prefecture: r.prefecture.as_deref().map(str::to_string),
        valid_from: i32::from(r.start),
        valid_until: r.end.map(i32::from),
        lineage_code: format!("{:06}", t.lineage_code(i)),
    })
}

/// Parse the bundled tables now (they are otherwise parsed on first use) and report whether
/// they are sound. Also gives the number of rows and the years covered.
pub fn check_table() -> Result<TableSummary, TableError> {
    let t = table::table().map_err(Clone::clone)?;
    Ok(TableSummary {
        rows: t.rows.len(),
        aliases: t.aliases.len(),
        first_year: i32::from(t.first_year),
        last_year: i32::from(t.last_year),
    })
}

/// Size of the bundled tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSummary {
    /// Rows of `areacodes.csv` (one per code and name).
    pub rows: usize,
    /// Rows of `aliases.csv`.
    pub aliases: usize,
    /// First year covered.
    pub first_year: i32,
    /// Last year covered.
    pub last_year: i32,
}
