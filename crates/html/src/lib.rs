//! The HTML reader of nianbao: a report page (bytes as fetched) to the lines the aligner reads,
//! plus what only the page knows.
//!
//! Design, in the order the work happens ([`parse_page`]):
//! 1. **decode** — charset from the HTTP header, BOM, `<meta>`, else detection
//!    ([`nianbao_text::decode`]); how it was chosen is kept.
//! 2. **parse** — html5ever through `scraper`, which repairs any tag soup the way browsers do,
//!    after [`nianbao_text::guard_html`] flattened nesting deeper than
//!    [`nianbao_text::Limits::max_html_depth`] (256) in one linear pass.
//! 3. **content** — the article body: known CMS containers (`div.TRS_Editor`, `<ucapcontent>`,
//!    `#zoom`, …), Hanweb's `ContentStart/End` markers, generic containers, then text density.
//! 4. **walk** — the body flattened in document order: paragraphs become [`Line::text`], every
//!    row of a data table one [`Line::row`] holding each source cell once ([`grid`] places cells
//!    honouring `rowspan`/`colspan`). Cell and line texts go through [`nianbao_text::normalize`].
//! 5. **meta** — title, agency, date, 索引号 … from meta tags, the 信息公开目录 block, `<title>`.
//! 6. **links** — every link absolute, attachments (documents, pdf.js viewers) and images.
//!
//! The reader knows nothing about the national tables: it only has to present cells
//! faithfully. `nianbao-ingest` assembles the report from a [`Page`] (the aligner on its lines,
//! the text fallback, and the page-level judgements: `pre2019`, `image_only`, list pages).
//!
//! All tree walks are iterative and no input-derived value is unwrapped, so any bytes give a
//! page.
//!
//! ```
//! let html = "<title>X县2023年政府信息公开工作年度报告_X县</title><div class=TRS_Editor>
//!   <p>一、总体情况</p><table><tr><td>规章</td><td>1</td><td>&nbsp;</td></tr></table></div>";
//! let page = nianbao_html::parse_page(html.as_bytes(), Some("https://x.gov.cn/a/t.htm"), None);
//! assert_eq!(page.meta.title.as_deref(), Some("X县2023年政府信息公开工作年度报告"));
//! assert_eq!(page.lines[1].cells, vec!["规章", "1", ""]);
//! ```

mod content;
mod decode;
mod dom;
pub mod grid;
mod links;
mod meta;
mod walk;

pub use grid::{Cell, Grid};
pub use links::{Attachment, Link, LinkKind};
pub use meta::{parse_date, PageMeta};
pub use nianbao_text::CharsetInfo;
use nianbao_text::{Line, LineKind};
use scraper::Html;

/// A parsed page: everything the reader found, before alignment.
#[derive(Debug, Clone)]
pub struct Page {
    /// The base URL links were resolved against (page URL, its declared URL, `<base href>`).
    pub url: Option<String>,
    /// Charset used and how it was chosen.
    pub charset: CharsetInfo,
    /// Title, agency, date, 索引号 and more.
    pub meta: PageMeta,
    /// The article body in document order: text lines and one line per table row.
    pub lines: Vec<Line>,
    /// The article body as plain text: one line per [`Line`], table cells joined by ` | `.
    pub text: String,
    /// Documents attached to the article, absolute URLs.
    pub attachments: Vec<Attachment>,
    /// Images in the article body, absolute URLs.
    pub images: Vec<String>,
    /// Every link on the page, absolute, for discovery.
    pub links: Vec<Link>,
    /// The data tables of the body as grids; `Line::table` indexes this.
    pub tables: Vec<Grid>,
    /// How the body was found (`.TRS_Editor`, `density`, …).
    pub content: Option<String>,
}

/// The kind of file whose magic number the bytes start with, when it is surely not HTML
/// (`PDF`, `ZIP/OOXML`, `PNG`, ...).
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF"),
        (b"PK\x03\x04", "ZIP/OOXML"),
        (b"\xD0\xCF\x11\xE0", "OLE (doc/xls/wps)"),
        (b"\x89PNG", "PNG"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"GIF8", "GIF"),
    ];
    MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, k)| *k)
}

/// Sniff whether bytes are an HTML page: after a BOM and whitespace, the first kilobyte opens
/// with markup and names a common HTML tag.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    if binary_kind(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // UTF-16 pages: drop the zero bytes so the ASCII tags can be seen.
    let ascii: Vec<u8> = if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        head.iter()
            .copied()
            .filter(|b| *b != 0 && *b < 0x80)
            .collect()
    } else {
        head.to_vec()
    };
    let lower = String::from_utf8_lossy(&ascii).to_ascii_lowercase();
    let trimmed =
        lower.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || !c.is_ascii());
    if !trimmed.starts_with('<') {
        return false;
    }
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<meta",
        "<title",
        "<div",
        "<table",
        "<p>",
        "<p ",
        "<script",
        "<link",
        "<!--",
        "<span",
        "<br",
        "<style",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

/// Parse a page: decode, find the body, flatten it to lines, read metadata and links.
/// `url` is where the page was fetched from (for absolute links); `header_charset` the HTTP
/// `Content-Type` value or a bare charset label. Never panics.
pub fn parse_page(bytes: &[u8], url: Option<&str>, header_charset: Option<&str>) -> Page {
    let (text, charset) = decode::decode_page(bytes, header_charset);
    // html5ever is quadratic in nesting depth: flatten what no real page needs first.
    let guarded = nianbao_text::guard_html(&text, nianbao_text::Limits::DEFAULT.max_html_depth);
    let doc = Html::parse_document(&guarded);
    let found = content::find(&doc);
    let layout = walk::layout_tables(doc.tree.root());
    let body = walk::walk(&doc.tree, found.scope, &layout);
    let page_lines = if meta::has_catalog_labels(&text) {
        let whole = walk::Scope {
            root: doc.tree.root().id(),
            range: None,
        };
        walk::walk(&doc.tree, whole, &layout).lines
    } else {
        Vec::new()
    };
    let meta = meta::extract(&doc, &body.lines, &page_lines, url);
    let base = links::base_url(&doc, url.or(meta.url.as_deref()));
    let found_links = links::collect(&doc, base.as_ref(), Some(found.scope.root));
    let images = body
        .images
        .iter()
        .filter_map(|s| links::resolve(base.as_ref(), s))
        .collect();
    let plain = body
        .lines
        .iter()
        .map(|l| match l.kind {
            LineKind::TableRow => l.cells.join(" | "),
            LineKind::Text => l.cells.join(" "),
        })
        .collect::<Vec<_>>()
        .join("\n");
    Page {
        url: base.map(Into::into),
        charset,
        meta,
        lines: body.lines,
        text: plain,
        attachments: found_links.attachments,
        images,
        links: found_links.links,
        tables: body.tables,
        content: Some(found.how),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert!(looks_like_html(b"\xEF\xBB\xBF  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<p style='x'>2019\xe5\xb9\xb4</p>"));
        assert!(!looks_like_html(b"%PDF-1.7 <html>"));
        assert!(!looks_like_html(b"plain text <html>"));
        assert!(!looks_like_html(b""));
    }
}
