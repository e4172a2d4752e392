//! Page metadata: title, publishing agency, date, 索引号 and the rest of what CMSs print around
//! an article.
//!
//! Sources, best first (see `spec/sites.md` §1):
//! - the national meta tags (`ArticleTitle`, `PubDate`, `ContentSource`, `SiteName`, …), which
//!   TRS, Hanweb, Ucap and custom CMSs all write;
//! - the 信息公开目录 block (索引号 / 发布机构 / 公开日期 / 成文日期 / 文号 …), read from the
//!   page's lines so that table, list and `label：value` layouts all work;
//! - `<ucaptitle>` / `<publishtime>` (Ucap) and `<title>` minus the site-name suffix;
//! - the report text itself (its first heading, `发布日期：…`).

use crate::dom::clean_ws;
use nianbao_text::Line;
use regex::Regex;
use scraper::{Html, Node};
use serde::Serialize;
use std::sync::OnceLock;

/// Metadata of a page. Every field is optional: many pages carry only some of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageMeta {
    /// Article title without the site/column suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publishing agency (`ContentSource`, 发布机构, else the agency named in the title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// 索引号 of the 信息公开目录.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_no: Option<String>,
    /// The agency a report title names (`平潭县人民政府2011年…报告` → `平潭县人民政府`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_agency: Option<String>,
    /// The year a title names (`…2023年度…` → 2023).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_year: Option<i32>,
    /// Publication date and time as written (`PubDate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// 成文日期, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_date: Option<String>,
    /// 文号.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    /// 分类 / 主题分类.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `SiteName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// `ColumnName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `SiteIDCode`, the 政府网站标识码 (10 characters; for a government site usually the
    /// owner's 6-digit division code and a serial number, a hint only: see `nianbao_divisions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// The page's own URL as it declares it (`<meta name="Url">`, canonical link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `KeyWords`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Where the title came from: `meta`, `ucaptitle`, `catalog`, `title_tag`, `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_source: Option<String>,
    /// Where the agency came from: `meta`, `catalog`, `title`, `source_line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_source: Option<String>,
    /// Where the date came from: `meta`, `publishtime`, `catalog`, `text`, `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_source: Option<String>,
}

/// What one pass over the tree collects: meta tag values in document order, the first
/// `<title>`, `<ucaptitle>`, `<publishtime>` elements and the canonical link.
#[derive(Default)]
struct MetaTags {
    tags: Vec<(String, String)>,
    title: Option<ego_tree::NodeId>,
    ucaptitle: Option<ego_tree::NodeId>,
    publishtime: Option<ego_tree::NodeId>,
    canonical: Option<String>,
}

impl MetaTags {
    fn read(doc: &Html) -> MetaTags {
        let mut m = MetaTags::default();
        for n in doc.tree.root().descendants() {
            let Node::Element(e) = n.value() else {
                continue;
            };
            match e.name() {
                "meta" => {
                    let Some(name) = e.attr("name").or_else(|| e.attr("property")) else {
                        continue;
                    };
                    let content = clean_ws(e.attr("content").unwrap_or(""));
                    if !content.is_empty() {
                        m.tags.push((name.trim().to_ascii_lowercase(), content));
                    }
                }
                "title" if m.title.is_none() => m.title = Some(n.id()),
                "ucaptitle" if m.ucaptitle.is_none() => m.ucaptitle = Some(n.id()),
                "publishtime" if m.publishtime.is_none() => m.publishtime = Some(n.id()),
                "link"
                    if m.canonical.is_none()
                        && e.attr("rel")
                            .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
                {
                    m.canonical = e
                        .attr("href")
                        .map(|h| h.trim().to_string())
                        .filter(|h| !h.is_empty());
                }
                _ => {}
            }
        }
        m
    }

    /// First value of `name` that is not a header-fragment placeholder (`头部`).
    fn get(&self, name: &str) -> Option<String> {
        self.tags
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .find(|v| !matches!(v.as_str(), "头部" | "底部" | "尾部" | "页头" | "页脚"))
            .map(|v| nianbao_text::normalize(v))
    }
}

/// Fields of the 信息公开目录 block.
#[derive(Debug, Default)]
struct Catalog {
    title: Option<String>,
    agency: Option<String>,
    date: Option<String>,
    written: Option<String>,
    index_no: Option<String>,
    doc_no: Option<String>,
    category: Option<String>,
    source: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Title,
    Agency,
    Date,
    Written,
    IndexNo,
    DocNo,
    Category,
    Source,
}

/// Labels of the catalog block. Longer labels first so `发布机构` is not read as `发布`.
const LABELS: &[(&str, Field)] = &[
    ("索引号", Field::IndexNo),
    ("发布机构", Field::Agency),
    ("发文机关", Field::Agency),
    ("发文机构", Field::Agency),
    ("公开机构", Field::Agency),
    ("发布单位", Field::Agency),
    ("公开日期", Field::Date),
    ("发布日期", Field::Date),
    ("发文日期", Field::Date),
    ("发布时间", Field::Date),
    ("公开时间", Field::Date),
    ("成文日期", Field::Written),
    ("发文字号", Field::DocNo),
    ("文号", Field::DocNo),
    ("主题分类", Field::Category),
    ("信息分类", Field::Category),
    ("分类", Field::Category),
    ("名称", Field::Title),
    ("信息来源", Field::Source),
    ("来源", Field::Source),
];

fn is_label(s: &str) -> bool {
    let s = s.trim().trim_end_matches(':').trim();
    LABELS.iter().any(|(l, _)| *l == s)
}

impl Catalog {
    fn set(&mut self, f: Field, v: String) {
        let v = v.trim().to_string();
        if v.is_empty() || is_label(&v) {
            return;
        }
        let slot = match f {
            Field::Title => &mut self.title,
            Field::Agency => &mut self.agency,
            Field::Date => &mut self.date,
            Field::Written => &mut self.written,
            Field::IndexNo => &mut self.index_no,
            Field::DocNo => &mut self.doc_no,
            Field::Category => &mut self.category,
            Field::Source => &mut self.source,
        };
        if slot.is_some() {
            return;
        }
        let v = match f {
            Field::Date | Field::Written => match parse_date(&v) {
                Some(d) => d,
                None => return,
            },
            Field::IndexNo | Field::DocNo | Field::Agency | Field::Source => {
                v.split_whitespace().next().unwrap_or("").to_string()
            }
            _ => v,
        };
        if !v.is_empty() {
            *slot = Some(v);
        }
    }

    /// Read `label：value` pairs and `label | value` cell pairs from short lines.
    fn read(lines: &[Line]) -> Catalog {
        let mut c = Catalog::default();
        for line in lines {
            for (i, cell) in line.cells.iter().enumerate() {
                if cell.chars().count() > 200 {
                    continue;
                }
                let bare = cell.trim().trim_end_matches(':').trim();
                if let Some((_, f)) = LABELS.iter().find(|(l, _)| *l == bare) {
                    if let Some(next) = line.cells.get(i + 1) {
                        c.set(*f, next.clone());
                    }
                    continue;
                }
                for (label, f, value) in labelled_values(cell) {
                    let _ = label;
                    c.set(f, value);
                }
            }
        }
        c
    }
}

/// `索引号:123 分类:报告` → [(索引号, 123), (分类, 报告)]. Input is normalised (ASCII colon).
fn labelled_values(cell: &str) -> Vec<(&'static str, Field, String)> {
    let mut hits: Vec<(usize, usize, &'static str, Field)> = Vec::new();
    for (label, f) in LABELS {
        let mut from = 0;
        while let Some(pos) = cell[from..].find(label) {
            let start = from + pos;
            let after = start + label.len();
            let rest = cell[after..].trim_start();
            let overlaps = hits.iter().any(|(s, e, _, _)| start < *e && after > *s);
            if rest.starts_with(':') && !overlaps {
                let colon = cell.len() - rest.len() + 1;
                hits.push((start, colon, label, *f));
            }
            from = after;
        }
    }
    hits.sort_by_key(|h| h.0);
    let mut out = Vec::new();
    for (k, (_, value_start, label, f)) in hits.iter().enumerate() {
        let end = hits.get(k + 1).map(|h| h.0).unwrap_or(cell.len());
        if *value_start <= end {
            out.push((*label, *f, cell[*value_start..end].trim().to_string()));
        }
    }
    out
}

fn date_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})").ok()
    })
    .as_ref()
}

/// The first date in `s` as `YYYY-MM-DD` (`2024-03-08 15:34`, `2024年3月8日`, `2024/3/8`).
pub fn parse_date(s: &str) -> Option<String> {
    for c in date_re()?.captures_iter(s) {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        let m: u32 = c.get(2)?.as_str().parse().ok()?;
        let d: u32 = c.get(3)?.as_str().parse().ok()?;
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

fn title_sep_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\s*(?:_|\||——|—|－|--|\s-\s)\s*").ok())
        .as_ref()
}

/// `<title>` minus the site and column names around the article title.
fn clean_title_tag(title: &str, site: Option<&str>) -> Option<String> {
    let t = clean_ws(title);
    let sep = title_sep_re()?;
    let parts: Vec<&str> = sep
        .split(&t)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let keep = parts
        .iter()
        .find(|p| site.is_none_or(|s| s != **p))
        .or(parts.first())?;
    Some(nianbao_text::normalize(keep))
}

/// `保定市人民政府网——标题` → `标题` when the prefix is the site name.
fn strip_site_prefix(title: String, site: Option<&str>) -> String {
    let Some(site) = site else { return title };
    let Some(rest) = title.strip_prefix(site) else {
        return title;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || "-—_|:：－".contains(c));
    if rest.chars().count() >= 4 {
        rest.to_string()
    } else {
        title
    }
}

fn agency_re() -> Option<&'static (Regex, Regex)> {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        let before = Regex::new(r"^(.{2,40}?)(?:关于)?((?:19|20)\d{2})\s*年").ok()?;
        let after =
            Regex::new(r"^((?:19|20)\d{2})\s*年度?\s*(.{2,40}?)(?:政府信息公开|信息公开|政务公开)")
                .ok()?;
        Some((before, after))
    })
    .as_ref()
}

fn year_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"((?:19|20)\d{2})\s*年").ok())
        .as_ref()
}

/// The first `YYYY年` in `s`.
pub(crate) fn year_in(s: &str) -> Option<i32> {
    year_re()?.captures(s)?.get(1)?.as_str().parse().ok()
}

/// Does `name` end like the name of a government body?
fn looks_like_agency(name: &str) -> bool {
    const ENDS: &str = "局委办府厅室会院区县市镇乡所站队部署处馆司心道组行团社校关台场园港盟";
    name.chars().count() >= 2 && name.chars().next_back().is_some_and(|c| ENDS.contains(c))
}

/// The agency a title names: before its year (`区公安局2024年…`) or right after it
/// (`2019年上海市人民政府办公厅政府信息公开…`).
pub(crate) fn agency_from_title(title: &str) -> Option<String> {
    let (before, after) = agency_re()?;
    let t: String = title.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(c) = before.captures(&t) {
        let a = c.get(1)?.as_str();
        if looks_like_agency(a) {
            return Some(a.to_string());
        }
    }
    if let Some(c) = after.captures(&t) {
        let a = c.get(2)?.as_str();
        if looks_like_agency(a) {
            return Some(a.to_string());
        }
    }
    None
}

/// Text of an element, whitespace collapsed, normalised.
fn element_text(doc: &Html, id: Option<ego_tree::NodeId>) -> Option<String> {
    let n = doc.tree.get(id?)?;
    let t: String = n
        .descendants()
        .filter_map(|d| match d.value() {
            Node::Text(t) => Some(&**t),
            _ => None,
        })
        .collect();
    let t = clean_ws(&t);
    (!t.is_empty()).then(|| nianbao_text::normalize(&t))
}

fn url_date_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+").ok())
        .as_ref()
}

/// Does the decoded page mention any catalog label? Decides whether the whole page is walked
/// for the catalog block (a second walk costs time; most pages need none).
pub(crate) fn has_catalog_labels(html: &str) -> bool {
    [
        "索引号",
        "发布机构",
        "发文机关",
        "公开日期",
        "成文日期",
        "发文日期",
    ]
    .iter()
    .any(|l| html.contains(l))
}

/// Gather metadata. `content` are the lines of the main content, `page_lines` the lines of the
/// whole page when it mentions catalog labels (else empty), `page_url` the URL it was fetched from.
pub(crate) fn extract(
    doc: &Html,
    content: &[Line],
    page_lines: &[Line],
    page_url: Option<&str>,
) -> PageMeta {
    let tags = MetaTags::read(doc);
    let mut m = PageMeta {
        site_name: tags.get("sitename"),
        column: tags.get("columnname"),
        site_id: tags.get("siteidcode"),
        keywords: tags.get("keywords"),
        url: tags.get("url").or_else(|| tags.canonical.clone()),
        ..Default::default()
    };
    let mut cat = Catalog::read(page_lines);
    let from_text = Catalog::read(&content[..content.len().min(40)]);
    if cat.source.is_none() {
        cat.source = from_text.source.clone();
    }
    let site = m.site_name.clone();

    // Title.
    let title_tag = element_text(doc, tags.title);
    let first_heading = content
        .iter()
        .filter(|l| l.cells.len() == 1)
        .map(|l| l.cells[0].as_str())
        .take(10)
        .find(|t| t.chars().count() <= 80 && (t.contains("报告") || t.contains("年报")))
        .map(str::to_string);
    let candidates: [(Option<String>, &str); 5] = [
        (
            tags.get("articletitle")
                .map(|t| strip_site_prefix(t, site.as_deref())),
            "meta",
        ),
        (element_text(doc, tags.ucaptitle), "ucaptitle"),
        (cat.title.clone(), "catalog"),
        (
            title_tag.and_then(|t| clean_title_tag(&t, site.as_deref())),
            "title_tag",
        ),
        (first_heading, "text"),
    ];
    if let Some((t, src)) = candidates.into_iter().find_map(|(t, s)| t.map(|t| (t, s))) {
        m.title = Some(t);
        m.title_source = Some(src.to_string());
    }
    if let Some(t) = &m.title {
        m.report_agency = agency_from_title(t);
        m.title_year = year_in(t);
    }

    // Agency.
    let agencies: [(Option<String>, &str); 4] = [
        (tags.get("contentsource"), "meta"),
        (cat.agency.clone(), "catalog"),
        (m.report_agency.clone(), "title"),
        (cat.source.clone(), "source_line"),
    ];
    if let Some((a, src)) = agencies.into_iter().find_map(|(a, s)| a.map(|a| (a, s))) {
        m.agency = Some(a);
        m.agency_source = Some(src.to_string());
    }

    // Date.
    let pub_date = tags.get("pubdate");
    m.datetime = pub_date.clone();
    let url_date = page_url
        .or(m.url.as_deref())
        .and_then(|u| url_date_re()?.captures(u))
        .map(|c| format!("{}-{}-{}", &c[1], &c[2], &c[3]));
    let dates: [(Option<String>, &str); 5] = [
        (pub_date.as_deref().and_then(parse_date), "meta"),
        (
            element_text(doc, tags.publishtime)
                .as_deref()
                .and_then(parse_date),
            "publishtime",
        ),
        (cat.date.clone(), "catalog"),
        (from_text.date.clone(), "text"),
        (url_date, "url"),
    ];
    if let Some((d, src)) = dates.into_iter().find_map(|(d, s)| d.map(|d| (d, s))) {
        m.date = Some(d);
        m.date_source = Some(src.to_string());
    }
    m.written_date = cat.written;
    m.index_no = cat.index_no;
    m.doc_no = cat.doc_no;
    m.category = cat.category;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_many_spellings() {
        assert_eq!(
            parse_date("2024-03-08 15:34").as_deref(),
            Some("2024-03-08")
        );
        assert_eq!(
            parse_date("发布时间:2024年3月8日").as_deref(),
            Some("2024-03-08")
        );
        assert_eq!(parse_date("2024/13/08"), None);
    }

    #[test]
    fn agency_from_report_titles() {
        assert_eq!(
            agency_from_title("平潭县人民政府2011年政府信息公开工作年度报告").as_deref(),
            Some("平潭县人民政府")
        );
        assert_eq!(
            agency_from_title("2019年上海市人民政府办公厅政府信息公开工作年度报告").as_deref(),
            Some("上海市人民政府办公厅")
        );
        assert_eq!(agency_from_title("政府信息公开年报"), None);
    }

    #[test]
    fn catalog_in_cells_and_in_one_line() {
        let lines = vec![
            Line::row(
                vec![
                    "索引号:".into(),
                    "014314799/2024-00002".into(),
                    "分类:".into(),
                    "信息公开年报 其他 报告".into(),
                ],
                Some(0),
            ),
            Line::row(
                vec![
                    "发布机构:".into(),
                    "沭阳县发展和改革局".into(),
                    "公开日期:".into(),
                    "2024-01-17".into(),
                ],
                Some(0),
            ),
            Line::row(
                vec!["文号:".into(), "".into(), "关键词:".into(), "".into()],
                Some(0),
            ),
            Line::text("成文日期:2024-01-10 来源:沭阳县"),
        ];
        let c = Catalog::read(&lines);
        assert_eq!(c.index_no.as_deref(), Some("014314799/2024-00002"));
        assert_eq!(c.agency.as_deref(), Some("沭阳县发展和改革局"));
        assert_eq!(c.date.as_deref(), Some("2024-01-17"));
        assert_eq!(c.written.as_deref(), Some("2024-01-10"));
        assert_eq!(c.source.as_deref(), Some("沭阳县"));
        assert_eq!(c.doc_no, None);
    }

    #[test]
    fn title_tag_loses_site_suffix() {
        let t = clean_title_tag(
            "平潭综合实验区2023年度报告_政府信息公开年报_平潭综合实验区党工委管委会",
            Some("平潭综合实验区党工委管委会"),
        );
        assert_eq!(t.as_deref(), Some("平潭综合实验区2023年度报告"));
    }
}
