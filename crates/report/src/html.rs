//! Markup helpers: escaping, number formats, and the "rows behind a number" lists.
//!
//! The page is written XHTML-compatible (every element closed, attributes quoted, only the
//! five XML entities) so that a strict XML parser can check it is well-formed; browsers read
//! it as ordinary HTML5.

use std::fmt::Write as _;

/// Escape text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 and mean nothing on a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters of `s`, with an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The URL when it is a plain http(s) address, the only kind the page turns into a link
/// (a `javascript:` or `data:` value read from a hostile page stays text).
pub fn safe_url(s: &str) -> Option<&str> {
    let s = s.trim();
    let lower = s.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.len() <= 2048
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(s)
}

/// A count with thousands separators.
pub fn num(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a percentage, "–" when `whole` is 0.
pub fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if part == whole || part == 0 || !(0.05..99.95).contains(&p) {
        format!("{}%", (p.round() as u64).min(100))
    } else {
        format!("{p:.1}%")
    }
}

/// One row behind a number: a report id (or agency id), a short description, a source URL.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `report_id` (or `agency_id` for coverage rows without a report).
    pub id: String,
    /// What the row is (agency, year, detail), already clipped.
    pub text: String,
    /// Source address, when the row has an http(s) one.
    pub url: Option<String>,
}

/// The rows behind one number: their count and the first few of them. Memory stays flat:
/// at most `cap` samples are kept however many rows are counted.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Rows counted.
    pub n: u64,
    /// The first rows, at most `cap`.
    pub samples: Vec<Sample>,
    cap: usize,
}

impl Rows {
    /// An empty list keeping at most `cap` samples.
    pub fn new(cap: usize) -> Rows {
        Rows {
            n: 0,
            samples: Vec::new(),
            cap,
        }
    }

    /// Count one row; `make` builds its sample only while there is room.
    pub fn add(&mut self, make: impl FnOnce() -> Sample) {
        self.n += 1;
        if self.samples.len() < self.cap {
            self.samples.push(make());
        }
    }
}

/// The page being written, with the "rows behind the numbers" lists of the current section.
#[derive(Default)]
pub struct Page {
    /// The markup so far.
    pub buf: String,
    pending: Vec<String>,
    next_id: usize,
}

impl Page {
    /// An empty page.
    pub fn new() -> Page {
        Page {
            buf: String::with_capacity(1 << 18),
            ..Page::default()
        }
    }

    /// Append raw markup.
    pub fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// A fresh element id with the given prefix.
    pub fn fresh_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{}", self.next_id)
    }

    /// The count of `rows` as a link to a collapsible list of those rows (written at the end
    /// of the current section by [`Page::flush_rows`]). `what` names the number, `filter`
    /// says which rows of which file it counts, so the rest can be found with any CSV tool.
    pub fn count_link(&mut self, rows: &Rows, what: &str, filter: &str) -> String {
        self.link_text(rows, &num(rows.n), what, filter)
    }

    /// Like [`Page::count_link`] with another visible text (a percentage, a label).
    pub fn link_text(&mut self, rows: &Rows, text: &str, what: &str, filter: &str) -> String {
        if rows.n == 0 {
            return esc(text);
        }
        if rows.samples.is_empty() {
            // Nothing kept to list: the number points to its rows by the filter.
            return format!(
                "<span class=\"pt\" title=\"{}\">{}</span>",
                esc(&format!("{what}: {} — {filter}", num(rows.n))),
                esc(text)
            );
        }
        let id = self.rows_target(rows, what, filter);
        format!(
            "<a href=\"#{id}\" title=\"{}\">{}</a>",
            esc(&format!("{what}: {} — {filter}", num(rows.n))),
            esc(text)
        )
    }

    /// Queue the list of `rows` and return the id to link to: an element inside its
    /// `<details>`, because browsers open a closed `<details>` when a link's target is inside.
    pub fn rows_target(&mut self, rows: &Rows, what: &str, filter: &str) -> String {
        let id = self.fresh_id("rows");
        let mut d = String::new();
        let _ = write!(
            d,
            "<details id=\"{id}\"><summary>{} <b>{}</b></summary><p class=\"filter\" id=\"{id}-rows\">{}</p>",
            esc(what),
            num(rows.n),
            esc(filter)
        );
        if !rows.samples.is_empty() {
            d.push_str("<ol>");
            for s in &rows.samples {
                let _ = write!(d, "<li><code>{}</code> {}", esc(&s.id), esc(&s.text));
                if let Some(u) = s.url.as_deref().and_then(safe_url) {
                    let _ = write!(
                        d,
                        " <a class=\"src\" href=\"{}\" rel=\"noreferrer\">{}</a>",
                        esc(u),
                        esc(&clip(u, 90))
                    );
                }
                d.push_str("</li>");
            }
            d.push_str("</ol>");
        }
        let shown = rows.samples.len() as u64;
        if rows.n > shown {
            let _ = write!(
                d,
                "<p class=\"more\">另有 {} 行未列出 · {} more rows not listed: filter the file as above.</p>",
                num(rows.n - shown),
                num(rows.n - shown)
            );
        }
        d.push_str("</details>");
        self.pending.push(d);
        format!("{id}-rows")
    }

    /// Write the queued row lists as the last block of the current section.
    pub fn flush_rows(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.buf.push_str(
            "<h3 class=\"rows-h\">数字背后的行 <span class=\"en\">Rows behind the numbers</span></h3><div class=\"rows\">",
        );
        for d in self.pending.drain(..) {
            self.buf.push_str(&d);
        }
        self.buf.push_str("</div>");
    }

    /// A notice that a section has no input.
    pub fn notice(&mut self, zh: &str, en: &str) {
        let _ = write!(
            self.buf,
            "<p class=\"notice\">{} <span class=\"en\">{}</span></p>",
            esc(zh),
            esc(en)
        );
    }
}

/// The page's style sheet: readable on a phone (fluid charts, scrolling tables), printable
/// (no navigation, colours kept), fonts that carry Chinese on every platform.
pub const CSS: &str = r#"
:root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#fff;--accent:#1d4ed8;--late:#c2410c;--ok:#2563eb;--bad:#b91c1c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font:15px/1.55 system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif}
header,main,footer{max-width:1080px;margin:0 auto;padding:0 16px}
header{padding-top:20px;border-bottom:1px solid var(--line)}
h1{font-size:1.6em;margin:0 0 4px}
h2{font-size:1.3em;margin:28px 0 8px;padding-top:8px;border-top:3px solid var(--accent)}
h3{font-size:1.05em;margin:20px 0 6px}
.en{color:var(--muted);font-weight:normal;font-size:.85em}
.meta{color:var(--muted);font-size:.9em;margin:4px 0 10px;overflow-wrap:anywhere}
nav{display:flex;flex-wrap:wrap;gap:6px 14px;padding:8px 0 12px}
nav a{color:var(--accent);text-decoration:none}
a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .v{font-size:1.5em;font-weight:600;display:block}
.card .k{color:var(--muted);font-size:.85em}
.tbl{overflow-x:auto;margin:8px 0 12px}
table{border-collapse:collapse;font-size:.9em;min-width:50%}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
thead th{background:#f5f7fa}
.chart{overflow-x:auto;margin:8px 0 4px}
.chart svg{max-width:100%;height:auto;display:block}
svg text{font-family:inherit;fill:var(--fg)}
svg .lbl{font-size:11px}
svg .val{font-size:10px}
svg .inv{fill:#fff}
svg .ax{stroke:#9aa5b1;stroke-width:1}
svg .dl{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:4 3}
svg a:hover rect{stroke:#111;stroke-width:1.5}
.cap{color:var(--muted);font-size:.85em;margin:0 0 10px}
.notice{background:#fff8e1;border-left:4px solid #f0b429;padding:8px 12px;margin:10px 0}
.rows{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:6px;align-items:start}
details{border:1px solid var(--line);border-radius:6px;padding:4px 10px;margin:0}
details[open]{grid-column:1/-1}
.filter{scroll-margin-top:3em}
details:target{outline:2px solid var(--accent)}
summary{cursor:pointer}
details ol{margin:6px 0;padding-left:2.2em;font-size:.88em}
details li{overflow-wrap:anywhere}
.filter,.more{color:var(--muted);font-size:.85em;margin:4px 0}
code{font-size:.9em}
a.src{color:var(--muted)}
.pt{text-decoration:underline dotted;cursor:help}
footer{color:var(--muted);font-size:.85em;padding:24px 16px 40px}
@media (max-width:600px){body{font-size:14px}h1{font-size:1.3em}header,main,footer{padding:0 10px}}
@media print{nav,.rows,.rows-h{display:none}body{font-size:10pt}h2{break-after:avoid}.chart,table{break-inside:avoid}a{color:inherit;text-decoration:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_numbers_and_urls() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39; "
        );
        assert_eq!(clip("一二三四", 2), "一二…");
        assert_eq!(clip("一二", 2), "一二");
        assert_eq!(num(0), "0");
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(pct(1, 3), "33.3%");
        assert_eq!(pct(0, 0), "–");
        assert_eq!(pct(5, 5), "100%");
        assert_eq!(safe_url("https://a.gov.cn/x"), Some("https://a.gov.cn/x"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data/samples/seed.txt"), None);
        assert_eq!(safe_url("http://a b"), None);
    }

    #[test]
    fn rows_keep_a_bounded_sample_and_link_to_their_list() {
        let mut rows = Rows::new(2);
        for i in 0..5 {
            rows.add(|| Sample {
                id: format!("r{i}"),
                text: "<x>".into(),
                url: Some("javascript:alert(1)".into()),
            });
        }
        assert_eq!(rows.n, 5);
        assert_eq!(rows.samples.len(), 2);
        let mut page = Page::new();
        let link = page.count_link(&rows, "late", "coverage.csv: late = true");
        assert!(link.starts_with("<a href=\"#rows-1-rows\""), "{link}");
        assert_eq!(page.count_link(&Rows::new(3), "none", "f"), "0");
        page.flush_rows();
        assert!(page.buf.contains("<details id=\"rows-1\">"));
        assert!(page.buf.contains("3 more rows"));
        assert!(page.buf.contains("&lt;x&gt;"));
        assert!(!page.buf.contains("javascript:"));
    }
}
