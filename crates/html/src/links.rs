//! Links, attachments and image URLs, made absolute.
//!
//! The base is the page URL given by the caller, then the page's own declaration
//! (`<meta name="Url">`, canonical link), with `<base href>` applied on top as browsers do.
//! Without any base a relative link stays as written (it cannot be made absolute).
//!
//! Links are gathered from `<a href>`, from `<iframe>`/`<frame>` sources (Hanweb homepages are
//! built from iframes) and from `<a>` tags written inside scripts (Hanweb's `jpage` datastore
//! keeps list items as CDATA in `<script type="text/xml">`; TRS lists `document.write` them).
//!
//! Attachments are document links (the types in [`nianbao_text::filetypes::ATTACHMENT_EXTS`],
//! also as a query value like `downfile.jsp?filename=a.pdf`) inside the article body or inside
//! a block whose class/id says attachment, plus documents shown in `<iframe>`, `<embed>`,
//! `<object>` and pdf.js viewers (`viewer.html?file=…`), plus `window.open('….pdf')` handlers.

use crate::dom::{clean_ws, is_within};
use ego_tree::NodeId;
use nianbao_text::filetypes::attachment_ext;
use regex::Regex;
use scraper::node::Element;
use scraper::{Html, Node};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::OnceLock;
use url::Url;

/// Where a link was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// An `<a href>` element.
    Anchor,
    /// An `<iframe src>` or `<frame src>`.
    Frame,
    /// An `<a href>` written inside a `<script>` (datastore records, `document.write`).
    Script,
}

/// A link for the crawler's discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Absolute URL (as written when no base is known and it is relative).
    pub url: String,
    /// Anchor text, whitespace collapsed (often truncated with `...` on list pages).
    pub text: String,
    /// The `title` attribute (list pages put the full title there).
    pub title: Option<String>,
    /// Where the link was found.
    pub kind: LinkKind,
}

/// A document attached to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Absolute URL.
    pub url: String,
    /// Link text, or the `title` attribute when the text is empty.
    pub text: String,
    /// The `title` attribute, which often differs from the text (file name with a date prefix).
    pub title: Option<String>,
    /// Lower-case extension (`pdf`, `xls`, …).
    pub ext: String,
    /// How it was found: `link`, `iframe`, `embed`, `object`, `viewer`, `onclick`.
    pub via: String,
}

/// The base URL for a page: `<base href>` resolved against the page URL.
pub(crate) fn base_url(doc: &Html, page_url: Option<&str>) -> Option<Url> {
    let page = page_url.and_then(|u| Url::parse(u.trim()).ok());
    let base_href = doc.tree.root().descendants().find_map(|n| match n.value() {
        Node::Element(e) if e.name() == "base" => {
            e.attr("href").map(str::trim).filter(|h| !h.is_empty())
        }
        _ => None,
    });
    match (base_href, &page) {
        (Some(h), Some(p)) => p.join(h).ok().or(page),
        (Some(h), None) => Url::parse(h).ok(),
        (None, _) => page,
    }
}

/// Make `href` absolute; `None` for links that lead nowhere (`#`, `javascript:`, `mailto:`).
pub(crate) fn resolve(base: Option<&Url>, href: &str) -> Option<String> {
    let h = href.trim();
    let lower = h.to_ascii_lowercase();
    if h.is_empty()
        || h.starts_with('#')
        || [
            "javascript:",
            "mailto:",
            "tel:",
            "data:",
            "about:",
            "vbscript:",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return None;
    }
    if let Some(b) = base {
        if let Ok(u) = b.join(h) {
            return Some(u.into());
        }
    }
    match Url::parse(h) {
        Ok(u) => Some(u.into()),
        Err(_) => Some(h.to_string()),
    }
}

/// The document a pdf.js viewer URL shows (`viewer.html?file=/a/b.pdf`), resolved.
fn viewer_file(viewer: &str) -> Option<String> {
    let u = Url::parse(viewer).ok()?;
    if !u.path().to_ascii_lowercase().contains("viewer") {
        return None;
    }
    let (_, file) = u.query_pairs().find(|(k, _)| k == "file")?;
    if file.is_empty() || file.contains("{{") {
        return None;
    }
    u.join(&file).ok().map(Into::into)
}

fn onclick_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        let exts = nianbao_text::filetypes::ATTACHMENT_EXTS.join("|");
        Regex::new(&format!(r#"['"]([^'"\s]+\.(?i:{exts}))['"]"#)).ok()
    })
    .as_ref()
}

fn script_a_re() -> Option<&'static (Regex, Regex, Regex)> {
    static RE: OnceLock<Option<(Regex, Regex, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        Some((
            Regex::new(r"(?is)<a\s([^>]*)>(.*?)</a>").ok()?,
            Regex::new(r#"(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).ok()?,
            Regex::new(r#"(?i)\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')"#).ok()?,
        ))
    })
    .as_ref()
}

fn tag_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"<[^>]*>|<!\[CDATA\[|\]\]>").ok())
        .as_ref()
}

fn attachment_block(e: &Element) -> bool {
    let words = [
        "attach", "fujian", "appendix", "download", "xiazai", "xgfj", "fj_",
    ];
    let hit = |v: &str| {
        let v = v.to_ascii_lowercase();
        words.iter().any(|w| v.contains(w))
    };
    e.id().is_some_and(hit) || e.classes().any(hit)
}

/// Everything link-shaped on a page.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub links: Vec<Link>,
    pub attachments: Vec<Attachment>,
}

/// Gather links and attachments. `content` is the article body's root, for attachment scope.
pub(crate) fn collect(doc: &Html, base: Option<&Url>, content: Option<NodeId>) -> Found {
    let mut f = Found::default();
    let mut seen_att: HashSet<String> = HashSet::new();
    let mut push_att =
        |f: &mut Found, url: String, text: String, title: Option<String>, via: &str| {
            if let Some(ext) = attachment_ext(&url) {
                if seen_att.insert(url.clone()) {
                    let text = if text.is_empty() {
                        title.clone().unwrap_or_default()
                    } else {
                        text
                    };
                    f.attachments.push(Attachment {
                        url,
                        text,
                        title,
                        ext: ext.to_string(),
                        via: via.to_string(),
                    });
                }
            }
        };
    for n in doc.tree.root().descendants() {
        let Node::Element(e) = n.value() else {
            continue;
        };
        match e.name() {
            "a" => {
                let title = e.attr("title").map(clean_ws).filter(|t| !t.is_empty());
                let text = || {
                    let t: String = n
                        .descendants()
                        .filter_map(|d| match d.value() {
                            Node::Text(t) => Some(&**t),
                            _ => None,
                        })
                        .collect();
                    clean_ws(&t)
                };
                if let Some(url) = e.attr("href").and_then(|h| resolve(base, h)) {
                    let text = text();
                    if attachment_ext(&url).is_some() {
                        let in_scope = content.is_some_and(|c| is_within(n, c))
                            || n.ancestors().any(
                                |a| matches!(a.value(), Node::Element(p) if attachment_block(p)),
                            );
                        if in_scope {
                            push_att(&mut f, url.clone(), text.clone(), title.clone(), "link");
                        }
                    }
                    f.links.push(Link {
                        url,
                        text,
                        title: title.clone(),
                        kind: LinkKind::Anchor,
                    });
                }
                if let Some(on) = e.attr("onclick") {
                    if let Some(c) = onclick_re().and_then(|re| re.captures(on)) {
                        if let Some(url) = resolve(base, &c[1]) {
                            push_att(&mut f, url, text(), title, "onclick");
                        }
                    }
                }
            }
            "iframe" | "frame" | "embed" | "object" => {
                let attr = if e.name() == "object" { "data" } else { "src" };
                let Some(url) = e.attr(attr).and_then(|h| resolve(base, h)) else {
                    continue;
                };
                if url.contains("{{") {
                    continue;
                }
                let title = e.attr("title").map(clean_ws).filter(|t| !t.is_empty());
                if let Some(file) = viewer_file(&url) {
                    push_att(&mut f, file, String::new(), title.clone(), "viewer");
                } else {
                    push_att(&mut f, url.clone(), String::new(), title.clone(), e.name());
                }
                if matches!(e.name(), "iframe" | "frame") {
                    f.links.push(Link {
                        url,
                        text: String::new(),
                        title,
                        kind: LinkKind::Frame,
                    });
                }
            }
            "script" => {
                let text: String = n
                    .children()
                    .filter_map(|d| match d.value() {
                        Node::Text(t) => Some(&**t),
                        _ => None,
                    })
                    .collect();
                if text.contains("<a ") || text.contains("<A ") {
                    script_links(&text, base, &mut f.links);
                }
            }
            _ => {}
        }
    }
    f
}

fn script_links(script: &str, base: Option<&Url>, out: &mut Vec<Link>) {
    let Some((a_re, href_re, title_re)) = script_a_re() else {
        return;
    };
    let Some(tags) = tag_re() else { return };
    for c in a_re.captures_iter(script) {
        let attrs = c.get(1).map(|m| m.as_str()).unwrap_or("");
        let Some(h) = href_re.captures(attrs) else {
            continue;
        };
        let href = h
            .get(1)
            .or(h.get(2))
            .or(h.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        // Script strings often hold JS expressions (`'+url+'`); those are not links.
        if href.contains('+') && (href.contains('\'') || href.contains('"')) {
            continue;
        }
        let Some(url) = resolve(base, href) else {
            continue;
        };
        let title = title_re
            .captures(attrs)
            .and_then(|t| t.get(1).or(t.get(2)))
            .map(|m| clean_ws(m.as_str()))
            .filter(|t| !t.is_empty());
        let inner = c.get(2).map(|m| m.as_str()).unwrap_or("");
        let text = clean_ws(&tags.replace_all(inner, ""));
        out.push(Link {
            url,
            text,
            title,
            kind: LinkKind::Script,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_in_paths_and_queries() {
        assert_eq!(attachment_ext("https://a.gov.cn/x/W0201.XLS"), Some("xls"));
        assert_eq!(
            attachment_ext("https://a.gov.cn/module/download/downfile.jsp?filename=a.pdf&x=1"),
            Some("pdf")
        );
        assert_eq!(attachment_ext("https://a.gov.cn/x/t2024.htm"), None);
        assert_eq!(attachment_ext("./W0.ofd"), Some("ofd"));
    }

    #[test]
    fn viewer_and_base() {
        let doc = Html::parse_document(
            "<head><base href='/sub/'></head><body><iframe src='/generic2/web/viewer.html?file=%2Fa%2Fb.pdf'></iframe><embed src='c.pdf'><div class=article_attachment><a href='d.docx' title='原件'>下载</a></div><a href='nav.pdf'>导航</a></body>",
        );
        let base = base_url(&doc, Some("https://x.gov.cn/p/q.htm"));
        let f = collect(&doc, base.as_ref(), None);
        let urls: Vec<&str> = f.attachments.iter().map(|a| a.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://x.gov.cn/a/b.pdf",
                "https://x.gov.cn/sub/c.pdf",
                "https://x.gov.cn/sub/d.docx"
            ]
        );
        assert_eq!(f.attachments[2].title.as_deref(), Some("原件"));
        assert!(f
            .links
            .iter()
            .any(|l| l.url == "https://x.gov.cn/sub/nav.pdf"));
    }

    #[test]
    fn datastore_records_inside_scripts() {
        let doc = Html::parse_document(
            "<div id='1'><script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href='/art/2026/9/11/art_33718_11828204.html' title='全标题'>短...</a></li>]]></record></recordset></datastore></script></div>",
        );
        let base = base_url(&doc, Some("https://www.js.gov.cn/col/col1/index.html"));
        let f = collect(&doc, base.as_ref(), None);
        assert_eq!(f.links.len(), 1);
        assert_eq!(
            f.links[0].url,
            "https://www.js.gov.cn/art/2026/9/11/art_33718_11828204.html"
        );
        assert_eq!(f.links[0].title.as_deref(), Some("全标题"));
        assert_eq!(f.links[0].kind, LinkKind::Script);
    }
}
