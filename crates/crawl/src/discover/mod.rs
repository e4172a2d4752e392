//! Discovery: from a fetched page to the URLs worth fetching next.
//!
//! One adapter per CMS shape, each in its own file:
//! * [`generic`]: anchors (also inside `<script>` and CDATA), report titles, 年报 column
//!   links on site roots, 下一页-style and `index_N` pagination, iframes, attachments.
//! * [`trs`]: TRS WCM `createPageHTML(total, current, "index", "html")` and
//!   `var countPage = N` paging (`index_N.html`).
//! * [`hanweb`]: Hanweb/大汉 JCMS `<datastore><recordset><record><![CDATA[…]]>` lists and the
//!   `dataproxy.jsp?startrecord=…&endrecord=…&perpage=…` paging endpoint.
//! * [`jsonapi`]: JSON list APIs of 信息公开 platforms (Guangdong `gkmlpt` shape and
//!   similar `{total, articles:[{title,url}]}` / `data.page.allRow` answers).
//! * [`portal`]: a government portal's home page and its 政府信息公开 platform (pages of
//!   role [`Role::Hub`]): links to the 年报 column, to the platform and 信息公开目录, and
//!   to the departments' own 信息公开 pages.
//! * Provincial intensive platforms: [`fujian`] (TRS "动静结合" lists: the first page static,
//!   the rest from the POST API `/fjdzapp/search`), [`anhui`] (`/site/label/8888` list
//!   fragments, `XxgkContent/showList` paging), [`jiangxi`] (`/jxsrmzf/<code>/pc/list.html`
//!   with the items as JSON in a script), Guangdong `gkmlpt` in [`jsonapi`].
//!
//! Discovery is pure (bytes in, links out); scope, robots and dedupe are the scheduler's job.

pub mod anhui;
pub mod fujian;
pub mod generic;
pub mod hanweb;
pub mod jiangxi;
pub mod jsonapi;
pub mod portal;
pub mod trs;

use regex::Regex;
use url::Url;

/// What a URL is fetched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `/robots.txt`.
    Robots,
    /// A list page, column page, site root or list API answer.
    Listing,
    /// A page on the way to 年报 columns: a portal's home page, its 政府信息公开 platform,
    /// a department list or a department's 信息公开 page (the start of a `portal` source).
    Hub,
    /// A report page.
    Report,
    /// A file attached to a report (PDF, Word, Excel, ...).
    Attachment,
}

impl Role {
    /// Name stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Robots => "robots",
            Role::Listing => "listing",
            Role::Hub => "hub",
            Role::Report => "report",
            Role::Attachment => "attachment",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Role {
        match s {
            "robots" => Role::Robots,
            "hub" => Role::Hub,
            "report" => Role::Report,
            "attachment" => Role::Attachment,
            _ => Role::Listing,
        }
    }
}

/// A link found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Absolute URL without fragment.
    pub url: Url,
    /// What to fetch it as.
    pub role: Role,
    /// Title (title attribute or anchor text).
    pub title: String,
    /// Adapter that found it.
    pub via: &'static str,
    /// A further page of the same list (does not add depth).
    pub pagination: bool,
    /// Form body of a POST request (`application/x-www-form-urlencoded`); `None` for a GET.
    pub form: Option<Vec<u8>>,
}

/// Compiled discovery rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Report titles.
    pub report: Regex,
    /// Titles never taken as reports.
    pub exclude: Regex,
    /// 年报 column link texts.
    pub column: Regex,
    /// Year in a title.
    pub year: Regex,
    /// Cap on pages generated for one list.
    pub max_list_pages: usize,
    /// Follow attachments of report pages.
    pub attachments: bool,
}

impl Rules {
    /// Build from the configuration (patterns were validated there).
    pub fn new(cfg: &crate::config::CrawlConfig) -> Result<Rules, regex::Error> {
        Ok(Rules {
            report: Regex::new(&cfg.report_title_pattern)?,
            exclude: Regex::new(&cfg.exclude_title_pattern)?,
            column: Regex::new(&cfg.column_pattern)?,
            year: Regex::new(r"(19|20)\d{2}")?,
            max_list_pages: cfg.max_list_pages,
            attachments: cfg.attachments,
        })
    }

    /// Whether a title names one annual report (needs a year, the pattern, no exclusion).
    pub fn is_report_title(&self, title: &str) -> bool {
        let t: String = title.split_whitespace().collect();
        self.year.is_match(&t) && self.report.is_match(&t) && !self.exclude.is_match(&t)
    }

    /// Whether a link text names a 年报 column.
    pub fn is_column(&self, text: &str) -> bool {
        let t: String = text.split_whitespace().collect();
        !t.is_empty() && self.column.is_match(&t)
    }
}

/// A fetched page to discover links on.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// Final URL of the page.
    pub url: &'a Url,
    /// Why it was fetched.
    pub role: Role,
    /// Content-Type header.
    pub content_type: Option<&'a str>,
    /// Body.
    pub body: &'a [u8],
    /// How the page was asked for: a form POST pages in its body, not in its URL.
    pub method: nianbao_archive::Method,
}

impl Found {
    /// A GET link.
    pub fn get(url: Url, role: Role, title: &str, via: &'static str, pagination: bool) -> Found {
        Found {
            url,
            role,
            title: title.to_string(),
            via,
            pagination,
            form: None,
        }
    }
}

/// Links found plus the charset used to read the page.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Links, deduplicated by URL (first role wins).
    pub links: Vec<Found>,
    /// Charset used to decode (WHATWG name) and how it was chosen.
    pub charset: Option<String>,
}

/// Charset parameter of a Content-Type value (the project's one parser,
/// [`nianbao_text::content_type_charset`]).
pub fn header_charset(content_type: Option<&str>) -> Option<String> {
    nianbao_text::content_type_charset(content_type?).map(str::to_string)
}

/// Discover links on a page.
pub fn discover(page: Page<'_>, rules: &Rules) -> Discovery {
    if matches!(page.role, Role::Attachment | Role::Robots) {
        return Discovery::default();
    }
    let ct = page.content_type.unwrap_or("").to_ascii_lowercase();
    let head = trimmed_head(page.body);
    let mut links = Vec::new();
    let mut charset = None;
    if ct.contains("json") || head.starts_with(b"{") || head.starts_with(b"[") {
        links.extend(jsonapi::discover_json(page, rules));
    } else {
        let d = nianbao_text::decode(page.body, header_charset(page.content_type).as_deref());
        charset = Some(d.charset.to_string());
        let text = d.text;
        let anchors = generic::anchors(&text);
        match page.role {
            Role::Hub => {
                links.extend(portal::discover_hub(page, &anchors, rules));
                links.extend(jsonapi::entry(page.url, &text));
                links.extend(jiangxi::items(page.url, &text, rules));
            }
            Role::Listing => {
                links.extend(generic::classify_anchors(page, &anchors, rules));
                links.extend(trs::pagination(page.url, &text, rules));
                links.extend(hanweb::pagination(page.url, &text, rules));
                links.extend(jsonapi::entry(page.url, &text));
                links.extend(fujian::list_api(page.url, &text, rules));
                links.extend(anhui::pagination(page.url, &text, &anchors, rules));
                links.extend(jiangxi::items(page.url, &text, rules));
            }
            _ => links.extend(generic::classify_anchors(page, &anchors, rules)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    links.retain(|f| {
        let body = f
            .form
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        seen.insert(format!("{} {body}", f.url))
    });
    Discovery { links, charset }
}

fn trimmed_head(body: &[u8]) -> &[u8] {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    match start {
        Some(s) => &body[s..body.len().min(s + 16)],
        None => &[],
    }
}

/// Resolve `href` against `base`; drops `javascript:`, `mailto:`, fragments-only and
/// non-http(s) results, and removes the fragment.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim().replace("&amp;", "&");
    let lower = href.to_ascii_lowercase();
    if href.is_empty()
        || href.starts_with('#')
        || lower.starts_with("javascript:")
        || lower.starts_with("mailto:")
    {
        return None;
    }
    let mut u = base.join(&href).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn rules() -> Rules {
        Rules::new(&crate::config::CrawlConfig::default()).unwrap()
    }

    #[test]
    fn titles() {
        let r = rules();
        assert!(r.is_report_title("平潭综合实验区2023年度政府信息公开工作年度报告"));
        assert!(r.is_report_title("沭阳县发展和改革局2023年政府信息公开年度报告"));
        assert!(r.is_report_title("宿州市人民政府2019年政府信息公开工作年度报告（图片版）"));
        assert!(!r.is_report_title("2024年政府工作报告"));
        assert!(!r.is_report_title("关于2014年政府信息公开工作要点落实情况的函"));
        assert!(!r.is_report_title("政府信息公开年报"));
        assert!(r.is_report_title("2020年梅河口市商務局政府信息公開工作年度報告"));
        assert!(r.is_column("政府信息公开年报"));
        assert!(r.is_column("信息公开年报"));
        assert!(r.is_column(" 政府信息公开工作年度报告 "));
        assert!(!r.is_column("政府工作报告"));
        assert_eq!(
            header_charset(Some("text/html; charset=GBK")).as_deref(),
            Some("GBK")
        );
    }
}
