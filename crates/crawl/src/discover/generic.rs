//! The generic adapter: anchors anywhere in the page (including inside `<script>` strings
//! and CDATA sections, where Hanweb and some TRS templates keep list items), classified
//! by title into reports, 年报 columns, next-page links and attachments.

use regex::Regex;
use scraper::{Html, Selector};
use std::sync::OnceLock;

use super::{resolve, Found, Page, Role, Rules};
use nianbao_text::filetypes::is_attachment_url;

/// A link in the page source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Anchor {
    /// Raw `href` (or `src` for frames).
    pub href: String,
    /// Visible text, whitespace-collapsed.
    pub text: String,
    /// `title` attribute.
    pub title: String,
    /// `a`, `iframe`, `frame`, `viewer` (pdf.js `?file=`).
    pub kind: &'static str,
}

impl Anchor {
    /// The best title: the `title` attribute when present (link texts are often cut with
    /// `...`), otherwise the text.
    pub fn best_title(&self) -> &str {
        if self.title.trim().is_empty() {
            &self.text
        } else {
            &self.title
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

/// All anchors of an HTML (or XML) text.
pub fn anchors(text: &str) -> Vec<Anchor> {
    // html5ever is quadratic in nesting depth (100,000 nested `<div>`s took 34 s here, on the
    // crawl's worker): flatten what no real page needs before it parses.
    let guarded = nianbao_text::guard_html(text, nianbao_text::Limits::DEFAULT.max_html_depth);
    let doc = Html::parse_document(&guarded);
    let mut out = Vec::new();
    if let Ok(sel) = Selector::parse("a[href], area[href]") {
        for el in doc.select(&sel) {
            out.push(Anchor {
                href: el.value().attr("href").unwrap_or("").to_string(),
                text: collapse(&el.text().collect::<String>()),
                title: collapse(el.value().attr("title").unwrap_or("")),
                kind: "a",
            });
        }
    }
    if let Ok(sel) = Selector::parse("iframe[src], frame[src], embed[src], object[data]") {
        for el in doc.select(&sel) {
            let src = el
                .value()
                .attr("src")
                .or_else(|| el.value().attr("data"))
                .unwrap_or("");
            out.push(Anchor {
                href: src.to_string(),
                kind: "iframe",
                ..Default::default()
            });
        }
    }
    // Pictures in the page: a report whose tables are posted as images (图片版) is read from
    // them by OCR, so a report page's content images are fetched like attachments.
    if let Ok(sel) = Selector::parse("img[src]") {
        for el in doc.select(&sel) {
            out.push(Anchor {
                href: el.value().attr("src").unwrap_or("").to_string(),
                kind: "img",
                ..Default::default()
            });
        }
    }
    // <meta http-equiv="refresh" content="0; url=/zwgk/index.html"> (site roots often do this)
    if let Ok(sel) = Selector::parse("meta[http-equiv]") {
        for el in doc.select(&sel) {
            let equiv = el.value().attr("http-equiv").unwrap_or("");
            let content = el.value().attr("content").unwrap_or("");
            if equiv.eq_ignore_ascii_case("refresh") {
                if let Some(pos) = content.to_ascii_lowercase().find("url=") {
                    let target = content[pos + 4..].trim().trim_matches(['\'', '"']);
                    out.push(Anchor {
                        href: target.to_string(),
                        kind: "iframe",
                        ..Default::default()
                    });
                }
            }
        }
    }
    // Anchors inside scripts and CDATA: raw text to html5ever, so scan them ourselves.
    static A_RE: OnceLock<Option<Regex>> = OnceLock::new();
    static CDATA_RE: OnceLock<Option<Regex>> = OnceLock::new();
    let mut raw_parts: Vec<String> = Vec::new();
    if let Ok(sel) = Selector::parse("script") {
        for el in doc.select(&sel) {
            raw_parts.push(el.text().collect());
        }
    }
    if let Some(cdata) = re(&CDATA_RE, r"(?s)<!\[CDATA\[(.*?)\]\]>") {
        // XML answers (dataproxy.jsp) are not HTML: html5ever turns CDATA into comments.
        if !text.contains("<html") && !text.contains("<HTML") {
            raw_parts.extend(cdata.captures_iter(text).map(|c| c[1].to_string()));
        }
    }
    if let Some(a_re) = re(&A_RE, r#"(?is)<a\s([^>]*?)>(.*?)</a>"#) {
        for part in &raw_parts {
            let part = part.replace("\\\"", "\"").replace("\\'", "'");
            for c in a_re.captures_iter(&part) {
                let attrs = &c[1];
                let Some(href) = attr(attrs, "href") else {
                    continue;
                };
                let text = strip_tags(&c[2]);
                out.push(Anchor {
                    href,
                    text: collapse(&text),
                    title: collapse(&attr(attrs, "title").unwrap_or_default()),
                    kind: "a",
                });
            }
        }
    }
    // pdf.js viewers: viewer.html?file=<pdf>
    for a in out.clone() {
        if let Some(pos) = a.href.find("viewer.html?file=") {
            let file = &a.href[pos + "viewer.html?file=".len()..];
            let file = file.split('&').next().unwrap_or("");
            if !file.is_empty() && !file.contains("{{") {
                out.push(Anchor {
                    href: file.to_string(),
                    kind: "viewer",
                    ..Default::default()
                });
            }
        }
    }
    out
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    static ATTR_RE: OnceLock<Option<Regex>> = OnceLock::new();
    let r = re(
        &ATTR_RE,
        r#"(?i)\b([a-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#,
    )?;
    r.captures_iter(attrs)
        .find(|c| c[1].eq_ignore_ascii_case(name))
        .and_then(|c| {
            c.get(2)
                .or_else(|| c.get(3))
                .or_else(|| c.get(4))
                .map(|m| m.as_str().to_string())
        })
}

fn strip_tags(s: &str) -> String {
    static TAG_RE: OnceLock<Option<Regex>> = OnceLock::new();
    match re(&TAG_RE, r"(?s)<[^>]*>") {
        Some(r) => r.replace_all(s, "").replace("&nbsp;", " "),
        None => s.to_string(),
    }
}

fn is_next_page(text: &str) -> bool {
    let t: String = text.split_whitespace().collect();
    matches!(
        t.as_str(),
        "下一页"
            | "下页"
            | "后页"
            | "下一页>"
            | "下一页>>"
            | ">"
            | ">>"
            | "»"
            | "尾页"
            | "末页"
            | "Next"
            | "next"
    )
}

fn is_index_page(url: &url::Url) -> bool {
    static IDX_RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&IDX_RE, r"/(index|list)(_[a-z]+)?_\d+\.s?html?$").is_some_and(|r| r.is_match(url.path()))
}

/// Classify anchors of a page.
pub fn classify_anchors(page: Page<'_>, anchors: &[Anchor], rules: &Rules) -> Vec<Found> {
    let mut out = Vec::new();
    for a in anchors {
        let Some(url) = resolve(page.url, &a.href) else {
            continue;
        };
        if url == *page.url {
            continue;
        }
        let title = a.best_title().to_string();
        let found = |role, via, pagination| Found {
            url: url.clone(),
            role,
            title: title.clone(),
            via,
            pagination,
            form: None,
        };
        if a.kind == "img" {
            let table_image = nianbao_text::filetypes::image_ext(url.as_str()).is_some()
                && !nianbao_text::filetypes::is_decorative_image(url.as_str());
            if page.role == Role::Report && rules.attachments && table_image {
                out.push(found(Role::Attachment, "img", false));
            }
            continue;
        }
        let attachment = is_attachment_url(url.as_str());
        match page.role {
            Role::Report if attachment && rules.attachments => {
                out.push(found(Role::Attachment, "generic", false));
            }
            Role::Listing => {
                if a.kind == "iframe" {
                    if attachment {
                        out.push(found(Role::Attachment, "generic", false));
                    } else {
                        out.push(found(Role::Listing, "generic", false));
                    }
                } else if rules.is_report_title(&title) || rules.is_report_title(&a.text) {
                    let role = if attachment {
                        Role::Attachment
                    } else {
                        Role::Report
                    };
                    out.push(found(role, "generic", false));
                } else if attachment {
                    continue;
                } else if rules.is_column(&a.text) || rules.is_column(&a.title) {
                    out.push(found(Role::Listing, "generic", false));
                } else if is_next_page(&a.text) || is_index_page(&url) {
                    out.push(found(Role::Listing, "generic", true));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    #[test]
    fn a_million_nested_divs_are_flattened_and_the_page_links_kept() {
        // Before the nesting guard this never finished (html5ever is quadratic in depth). The
        // links around the deep part are found; tags deeper than the limit are dropped.
        let n = 1_000_000;
        let page = format!(
            "<html><body><a href=\"t1.htm\" title=\"某区2023年政府信息公开工作年度报告\">年报</a>{}x{}<a href=\"index_1.htm\">下一页</a></body></html>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let found = anchors(&page);
        let hrefs: Vec<&str> = found.iter().map(|a| a.href.as_str()).collect();
        assert_eq!(hrefs, ["t1.htm", "index_1.htm"]);
        assert_eq!(found[0].best_title(), "某区2023年政府信息公开工作年度报告");
    }

    #[test]
    fn listing_links() {
        let html = r#"<html><body>
          <a href="/zwgk/">政府工作报告</a>
          <a href="../zfxxgknb/">政府信息公开年报</a>
          <dl><dd><a href="./202403/t20240308_87885.htm" title="平潭综合实验区2023年度政府信息公开工作年度报告">平潭综合实验区2023年度政府...</a></dd></dl>
          <a href="./201504/t1.htm">关于2014年政府信息公开工作要点落实情况的函</a>
          <a href="index_1.html">下一页</a>
          <script>document.write('<a href="./202203/t2.htm" title="2021年政府信息公开工作年度报告">2021</a>');</script>
          <a href="javascript:void(0)">x</a>
        </body></html>"#;
        let url = url::Url::parse("http://a.gov.cn/zwgk/zfxxgk/list/index.html").unwrap();
        let page = Page {
            url: &url,
            role: Role::Listing,
            content_type: None,
            body: html.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got = classify_anchors(page, &anchors(html), &rules());
        let s: Vec<(String, Role, bool)> = got
            .iter()
            .map(|f| (f.url.path().to_string(), f.role, f.pagination))
            .collect();
        assert!(s.contains(&("/zwgk/zfxxgk/zfxxgknb/".into(), Role::Listing, false)));
        assert!(s.contains(&(
            "/zwgk/zfxxgk/list/202403/t20240308_87885.htm".into(),
            Role::Report,
            false
        )));
        assert!(s.contains(&(
            "/zwgk/zfxxgk/list/202203/t2.htm".into(),
            Role::Report,
            false
        )));
        assert!(s.contains(&("/zwgk/zfxxgk/list/index_1.html".into(), Role::Listing, true)));
        assert_eq!(s.len(), 4, "{s:?}");
    }

    #[test]
    fn meta_refresh_on_root() {
        let html = r#"<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/zwgk/index.html"></head></html>"#;
        let url = url::Url::parse("http://a.gov.cn/").unwrap();
        let page = Page {
            url: &url,
            role: Role::Listing,
            content_type: None,
            body: html.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got = classify_anchors(page, &anchors(html), &rules());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url.as_str(), "http://a.gov.cn/zwgk/index.html");
    }

    #[test]
    fn report_attachments() {
        let html = r#"<div class=TRS_Editor><a href="./W020240329549500303101.xls" title="统计表.xls">附件</a>
          <iframe class="isofd" src="/generic2/web/viewer.html?file=/x/P020.pdf"></iframe><a href="/other.html">x</a></div>"#;
        let url = url::Url::parse("http://a.gov.cn/n/202403/t1.htm").unwrap();
        let page = Page {
            url: &url,
            role: Role::Report,
            content_type: None,
            body: html.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got = classify_anchors(page, &anchors(html), &rules());
        let s: Vec<String> = got.iter().map(|f| f.url.path().to_string()).collect();
        assert_eq!(
            s,
            vec!["/n/202403/W020240329549500303101.xls", "/x/P020.pdf"]
        );
    }

    /// The crawler follows exactly the attachments the readers know: the one list in
    /// `nianbao_text::filetypes` (the crawler's own list, now gone, lacked `.ods` and
    /// extensions in query values, and had `.txt`, see `ATTACHMENT_EXTS`).
    #[test]
    fn report_attachments_are_the_shared_list() {
        let links = [
            ("/u/a.pdf", true),
            ("/u/b.DOC", true),
            ("/u/c.docx", true),
            ("/u/d.xls", true),
            ("/u/e.xlsx", true),
            ("/u/f.wps", true),
            ("/u/g.et", true),
            ("/u/h.ofd", true),
            ("/u/i.rtf", true),
            ("/u/j.odt", true),
            // Only in the shared list before: a spreadsheet type and a file named in the query.
            ("/u/k.ods", true),
            ("/getFile.do?fileName=nb2023.pdf", true),
            ("/module/download/downfile.jsp?classid=0&id=7", true),
            ("/u/readme.txt", false),
            ("/u/other.html", false),
            // A pdf.js viewer is a page; the document it shows is the attachment (below).
            ("/web/viewer.html?file=/x/P021.pdf", false),
        ];
        let html: String = links
            .iter()
            .map(|(u, _)| format!(r#"<a href="{u}">附件</a>"#))
            .collect();
        let url = url::Url::parse("http://a.gov.cn/n/202403/t1.htm").unwrap();
        let page = Page {
            url: &url,
            role: Role::Report,
            content_type: None,
            body: html.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got: Vec<String> = classify_anchors(page, &anchors(&html), &rules())
            .iter()
            .filter(|f| f.role == Role::Attachment)
            .map(|f| f.url[url::Position::BeforePath..].to_string())
            .collect();
        let mut want: Vec<&str> = links.iter().filter(|l| l.1).map(|l| l.0).collect();
        want.push("/x/P021.pdf");
        assert_eq!(got, want);
    }
}
