//! Jiangxi's provincial platform: columns `/jxsrmzf/<code>/pc/list.html`, articles
//! `/jxsrmzf/<code>/pc/content/content_<id>.html`. Pages carry their items as JSON in a
//! script, each with a `title` and `urls`, itself a JSON string `{"pc": "/…/content_<id>.html"}`;
//! the static HTML has no anchors for them. List paging (`list_N.html`, 下一页) is left to
//! the generic adapter.

use regex::Regex;
use std::sync::OnceLock;
use url::Url;

use super::{resolve, Found, Role, Rules};
use nianbao_text::filetypes::is_attachment_url;

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

/// How far before a `pc` URL its item's title may be.
const TITLE_WINDOW: usize = 800;

/// Report items of the embedded JSON.
pub fn items(url: &Url, text: &str, rules: &Rules) -> Vec<Found> {
    static PC: OnceLock<Option<Regex>> = OnceLock::new();
    static TITLE: OnceLock<Option<Regex>> = OnceLock::new();
    if !text.contains("pc") || !text.contains("urls") {
        return Vec::new();
    }
    let (Some(pc), Some(title)) = (
        re(&PC, r#"\\?["']pc\\?["']\s*:\s*\\?["']([^"'\\]+)"#),
        re(
            &TITLE,
            r#"["']?title["']?\s*:\s*["']((?:[^"'\\]|\\.)*)["']"#,
        ),
    ) else {
        return Vec::new();
    };
    let titles: Vec<(usize, String)> = title
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(1)?;
            Some((m.start(), m.as_str().replace("\\\"", "\"")))
        })
        .collect();
    let mut out = Vec::new();
    for c in pc.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        let Some((_, t)) = titles
            .iter()
            .rev()
            .find(|(at, _)| *at < m.start() && m.start() - at <= TITLE_WINDOW)
        else {
            continue;
        };
        if !rules.is_report_title(t) {
            continue;
        }
        if let Some(u) = resolve(url, m.as_str()) {
            let role = if is_attachment_url(u.as_str()) {
                Role::Attachment
            } else {
                Role::Report
            };
            out.push(Found::get(u, role, t, "jiangxi", false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    #[test]
    fn embedded_items() {
        let page = r#"<script>const data=[{"title":"江西省人民政府2024年政府信息公开工作年度报告","pubDate":"2025-01-20","urls":"{\"pc\":\"/jxsrmzf/xxgkn142/pc/content/content_1881.html\"}"},{"title":"江西省重点产业项目加快建设","pubDate":"2026-09-12","urls":"{\"pc\":\"/jxsrmzf/jxyw/pc/content/content_1234567890.html\"}"}];</script>"#;
        let url = Url::parse("https://jiangxi.gov.cn/jxsrmzf/xxgkn142/pc/list.html").unwrap();
        let got = items(&url, page, &rules());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].url.as_str(),
            "https://jiangxi.gov.cn/jxsrmzf/xxgkn142/pc/content/content_1881.html"
        );
        assert_eq!(got[0].role, Role::Report);
    }
}
