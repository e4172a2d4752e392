//! Anhui's provincial platform. Column pages (`/public/column/<organId>?…&catId=…`,
//! `/site/tpl/<id>`) load their lists from the label endpoint
//! `/site/label/8888?labelName=publicInfoList&siteId=…&pageSize=…&pageIndex=N&organId=…&catId=…&file=…`,
//! which answers an HTML fragment of `<a href title>` items (read by the generic adapter);
//! the page count is written as `pageCount:N`. County platforms page their lists as
//! `/XxgkContent/showList/<column>/<n>/page_<k>.html`.
//!
//! The adapter follows label URLs written in the page (scripts included) and announces
//! every further `pageIndex` when the page count is known, and the `page_<k>.html` pages.

use regex::Regex;
use std::sync::OnceLock;
use url::Url;

use super::generic::Anchor;
use super::{resolve, Found, Role, Rules};

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

fn page_count(text: &str) -> Option<u64> {
    static COUNT: OnceLock<Option<Regex>> = OnceLock::new();
    static CN: OnceLock<Option<Regex>> = OnceLock::new();
    re(
        &COUNT,
        r#"(?i)\b(?:pageCount|totalPage|pageTotal)\s*[:=]\s*['"]?(\d+)"#,
    )
    .and_then(|r| r.captures(text))
    .or_else(|| re(&CN, r"共\s*(\d+)\s*页").and_then(|r| r.captures(text)))
    .and_then(|c| c[1].parse().ok())
}

fn with_page_index(url: &Url, n: u64) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            if k == "pageIndex" {
                (k.into_owned(), n.to_string())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    let mut u = url.clone();
    u.query_pairs_mut().clear().extend_pairs(pairs.iter());
    u
}

fn is_label(url: &Url) -> bool {
    url.path().starts_with("/site/label/")
        && url
            .query_pairs()
            .any(|(k, v)| k == "labelName" && v.contains("List") && !v.contains("search"))
}

fn page_index(url: &Url) -> Option<u64> {
    url.query_pairs()
        .find(|(k, _)| k == "pageIndex")
        .and_then(|(_, v)| v.parse().ok())
}

/// Label requests and further pages announced by a list page or a label answer.
pub fn pagination(url: &Url, text: &str, anchors: &[Anchor], rules: &Rules) -> Vec<Found> {
    static LABEL: OnceLock<Option<Regex>> = OnceLock::new();
    static SHOWLIST: OnceLock<Option<Regex>> = OnceLock::new();
    let mut out = Vec::new();
    let max = rules.max_list_pages as u64;
    let count = page_count(text);
    let announce = |label: Url, out: &mut Vec<Found>| {
        let pages = match (page_index(&label), count) {
            (Some(_), Some(n)) => n.min(max),
            _ => 1,
        };
        for n in 1..=pages.max(1) {
            let u = if pages > 1 {
                with_page_index(&label, n)
            } else {
                label.clone()
            };
            out.push(Found::get(u, Role::Listing, "", "anhui", true));
        }
    };
    if text.contains("/site/label/") {
        if let Some(r) = re(
            &LABEL,
            r#"(?:https?://[^\s"'<>]+)?/site/label/\d+\?[^\s"'<>]+"#,
        ) {
            for m in r.find_iter(text) {
                let href = m.as_str().replace("&amp;", "&");
                if let Some(label) = resolve(url, &href).filter(is_label) {
                    announce(label, &mut out);
                }
            }
        }
    }
    // A label answer: its own further pages.
    if is_label(url) && page_index(url) == Some(1) {
        if let Some(n) = count {
            for k in 2..=n.min(max) {
                out.push(Found::get(
                    with_page_index(url, k),
                    Role::Listing,
                    "",
                    "anhui",
                    true,
                ));
            }
        }
    }
    // County platforms: /XxgkContent/showList/<column>/<n>/page_<k>.html
    if let Some(r) = re(
        &SHOWLIST,
        r"^(/XxgkContent/showList/\d+/\d+/)page_(\d+)\.html$",
    ) {
        if let Some(c) = r.captures(url.path()) {
            if &c[2] == "1" {
                if let Some(n) = count {
                    for k in 2..=n.min(max) {
                        if let Ok(u) = url.join(&format!("{}page_{k}.html", &c[1])) {
                            out.push(Found::get(u, Role::Listing, "", "anhui", true));
                        }
                    }
                }
            }
        }
        for a in anchors {
            if let Some(u) = resolve(url, &a.href) {
                if r.is_match(u.path()) && u != *url {
                    out.push(Found::get(u, Role::Listing, "", "anhui", true));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::generic::anchors;
    use crate::discover::tests::rules;

    #[test]
    fn label_lists_and_pages() {
        let page = r##"<script>var pageCount:3;
          $("#list").load("/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=6786551&pageSize=15&pageIndex=1&action=list&organId=6596221&type=4&catId=7065111&file=%2Fc3%2Fhs%2FpublicInfoList_newest");
          $("#nav").load("/site/label/8888?labelName=navList2&IsAjax=1");
          $("#s").load("/site/label/8888?labelName=searchDataList&keywords=x");
        </script>"##;
        let url =
            Url::parse("https://www.ahhuoshan.gov.cn/public/column/6596221?type=4&catId=7065111")
                .unwrap();
        let got = pagination(&url, page, &[], &rules());
        let idx: Vec<Option<u64>> = got.iter().map(|f| page_index(&f.url)).collect();
        assert_eq!(idx, [Some(1), Some(2), Some(3), None], "{got:?}");
        assert!(got[0].url.as_str().contains("catId=7065111"));
        assert!(got
            .iter()
            .all(|f| !f.url.as_str().contains("searchDataList")));

        // A label answer with its page count announces the rest.
        let answer = r#"<ul><li><a href="/public/6596221/1.html" title="霍山县2023年政府信息公开工作年度报告">…</a></li></ul><script>pageCount:2</script>"#;
        let got = pagination(&got[0].url, answer, &[], &rules());
        assert_eq!(got.len(), 1);
        assert_eq!(page_index(&got[0].url), Some(2));
    }

    #[test]
    fn county_show_list() {
        let html = r#"<div class="page"><a href="/XxgkContent/showList/790/0/page_2.html">2</a>
            <a href="/XxgkContent/showList/790/0/page_2.html">下一页</a><span>共3页</span></div>"#;
        let url =
            Url::parse("https://www.gy.gov.cn/XxgkContent/showList/790/0/page_1.html").unwrap();
        let got = pagination(&url, html, &anchors(html), &rules());
        let paths: Vec<&str> = got.iter().map(|f| f.url.path()).collect();
        assert!(paths.contains(&"/XxgkContent/showList/790/0/page_2.html"));
        assert!(paths.contains(&"/XxgkContent/showList/790/0/page_3.html"));
        assert!(got.iter().all(|f| f.pagination && f.role == Role::Listing));
    }
}
