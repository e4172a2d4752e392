//! TRS WCM static list paging: `createPageHTML(pageCount, currentIndex, "index", "html")`
//! written at the end of a list page (page 0 is `index.html`, page n is `index_n.html`),
//! and the `var countPage = N` variant (Haidian: `index_bm.shtml`, `index_bm_1.shtml`).

use regex::Regex;
use std::sync::OnceLock;
use url::Url;

use super::{Found, Role, Rules};

fn create_page_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']"#).ok()
    })
    .as_ref()
}

fn count_page_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"var\s+(?:countPage|totalPage|pageCount)\s*=\s*['\x22]?(\d+)").ok()
    })
    .as_ref()
}

/// Base name and extension of the current list file (`index_bm_3.shtml` → `index_bm`, `shtml`).
fn current_base(url: &Url) -> (String, String) {
    let file = url.path().rsplit('/').next().unwrap_or("");
    if file.is_empty() {
        return ("index".into(), "html".into());
    }
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, "html"));
    let stem = match stem.rsplit_once('_') {
        Some((b, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => b,
        _ => stem,
    };
    (stem.to_string(), ext.to_string())
}

fn pages(url: &Url, total: usize, prefix: &str, ext: &str, rules: &Rules) -> Vec<Found> {
    let total = total.min(rules.max_list_pages);
    (0..total)
        .filter_map(|i| {
            let name = if i == 0 {
                format!("{prefix}.{ext}")
            } else {
                format!("{prefix}_{i}.{ext}")
            };
            url.join(&name).ok()
        })
        .filter(|u| u != url)
        .map(|u| Found {
            url: u,
            role: Role::Listing,
            title: String::new(),
            via: "trs",
            pagination: true,
            form: None,
        })
        .collect()
}

/// Further list pages announced by TRS paging scripts.
pub fn pagination(url: &Url, text: &str, rules: &Rules) -> Vec<Found> {
    if let Some(c) = create_page_re().and_then(|r| r.captures(text)) {
        let total: usize = c[1].parse().unwrap_or(0);
        return pages(url, total, &c[3], &c[4], rules);
    }
    if let Some(c) = count_page_re().and_then(|r| r.captures(text)) {
        let total: usize = c[1].parse().unwrap_or(0);
        let (prefix, ext) = current_base(url);
        return pages(url, total, &prefix, &ext, rules);
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    #[test]
    fn create_page_html() {
        let url = Url::parse("http://a/zfxxgknb/index_1.html").unwrap();
        let got = pagination(
            &url,
            r#"<script>createPageHTML(3, 1, "index", "html");</script>"#,
            &rules(),
        );
        let p: Vec<&str> = got.iter().map(|f| f.url.path()).collect();
        assert_eq!(p, vec!["/zfxxgknb/index.html", "/zfxxgknb/index_2.html"]);
        let url = Url::parse("http://a/bm/index_bm.shtml").unwrap();
        let got = pagination(&url, "var countPage = 2//共多少页", &rules());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url.path(), "/bm/index_bm_1.shtml");
    }
}
