//! JSON list APIs of 信息公开 platforms. Guangdong's `gkmlpt` pages carry `SID: '…'` and
//! load `GET /gkmlpt/api/all/<catid>?page=N&sid=<sid>` answering
//! `{total, articles:[{title, url, create_time}]}`; other platforms answer
//! `data.page.allRow` + `list` or `totalCount` + `records`. The adapter walks any JSON
//! for arrays of objects with a title and a URL, and asks the next page while
//! `page × per_page < total`.

use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;
use url::Url;

use super::{resolve, Found, Page, Role, Rules};
use nianbao_text::filetypes::is_attachment_url;

const TITLE_KEYS: [&str; 7] = [
    "title",
    "doctitle",
    "Title",
    "DOCTITLE",
    "name",
    "docTitle",
    "articleTitle",
];
const URL_KEYS: [&str; 10] = [
    "url",
    "chnldocurl",
    "docpuburl",
    "post_url",
    "link",
    "URL",
    "DOCPUBURL",
    "href",
    "docUrl",
    "articleUrl",
];
const TOTAL_KEYS: [&str; 6] = [
    "total",
    "totalCount",
    "allRow",
    "recordCount",
    "total_count",
    "totalRecord",
];
const PAGE_PARAMS: [&str; 5] = ["page", "pageNo", "pageIndex", "currPage", "pageNum"];

/// The gkmlpt API page announced by an HTML page.
pub fn entry(url: &Url, text: &str) -> Vec<Found> {
    static SID: OnceLock<Option<Regex>> = OnceLock::new();
    static CAT: OnceLock<Option<Regex>> = OnceLock::new();
    if !text.contains("gkmlpt") {
        return Vec::new();
    }
    let sid = SID
        .get_or_init(|| Regex::new(r#"\bSID\s*:\s*['"]([^'"]+)['"]"#).ok())
        .as_ref()
        .and_then(|r| r.captures(text))
        .map(|c| c[1].to_string());
    let Some(sid) = sid else { return Vec::new() };
    let cat = CAT
        .get_or_init(|| Regex::new(r#"\bCATID\s*:\s*['"]?(\d+)"#).ok())
        .as_ref()
        .and_then(|r| r.captures(text))
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| "0".into());
    let Ok(mut api) = url.join(&format!("/gkmlpt/api/all/{cat}")) else {
        return Vec::new();
    };
    api.query_pairs_mut()
        .append_pair("page", "1")
        .append_pair("sid", &sid);
    vec![Found {
        url: api,
        role: Role::Listing,
        title: String::new(),
        via: "jsonapi",
        pagination: true,
        form: None,
    }]
}

fn str_field<'a>(obj: &'a serde_json::Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

fn walk<'a>(
    v: &'a Value,
    items: &mut Vec<(&'a str, &'a str)>,
    total: &mut Option<u64>,
    per_page: &mut usize,
) {
    match v {
        Value::Object(map) => {
            for k in TOTAL_KEYS {
                if total.is_none() {
                    *total = map.get(k).and_then(|t| {
                        t.as_u64()
                            .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
                    });
                }
            }
            for child in map.values() {
                walk(child, items, total, per_page);
            }
        }
        Value::Array(arr) => {
            let mut n = 0;
            for el in arr {
                if let Value::Object(obj) = el {
                    if let (Some(t), Some(u)) =
                        (str_field(obj, &TITLE_KEYS), str_field(obj, &URL_KEYS))
                    {
                        items.push((t, u));
                        n += 1;
                        continue;
                    }
                }
                walk(el, items, total, per_page);
            }
            *per_page = (*per_page).max(n);
        }
        _ => {}
    }
}

/// Links in a JSON list answer, plus its next page.
pub fn discover_json(page: Page<'_>, rules: &Rules) -> Vec<Found> {
    let Ok(v) = serde_json::from_slice::<Value>(page.body) else {
        return Vec::new();
    };
    let (mut items, mut total, mut per_page) = (Vec::new(), None, 0usize);
    walk(&v, &mut items, &mut total, &mut per_page);
    let mut out = Vec::new();
    for (title, href) in items {
        let Some(url) = resolve(page.url, href) else {
            continue;
        };
        if rules.is_report_title(title) {
            let role = if is_attachment_url(url.as_str()) {
                Role::Attachment
            } else {
                Role::Report
            };
            out.push(Found {
                url,
                role,
                title: title.to_string(),
                via: "jsonapi",
                pagination: false,
                form: None,
            });
        }
    }
    // On the first page, announce every further page: ceil(total / items on page 1).
    let current = page
        .url
        .query_pairs()
        .find(|(k, _)| PAGE_PARAMS.contains(&k.as_ref()))
        .and_then(|(k, v)| v.parse::<u64>().ok().map(|n| (k.into_owned(), n)));
    // A form POST pages in its body.
    let posted = page.method == nianbao_archive::Method::Post;
    if let (Some((param, 1)), Some(total), false) = (current, total, posted) {
        if per_page > 0 {
            let pages = total
                .div_ceil(per_page as u64)
                .min(rules.max_list_pages as u64);
            for n in 2..=pages {
                let pairs: Vec<(String, String)> = page
                    .url
                    .query_pairs()
                    .map(|(k, v)| {
                        if k == param.as_str() {
                            (k.into_owned(), n.to_string())
                        } else {
                            (k.into_owned(), v.into_owned())
                        }
                    })
                    .collect();
                let mut next = page.url.clone();
                next.query_pairs_mut().clear().extend_pairs(pairs.iter());
                out.push(Found {
                    url: next,
                    role: Role::Listing,
                    title: String::new(),
                    via: "jsonapi",
                    pagination: true,
                    form: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    #[test]
    fn gkmlpt() {
        let url = Url::parse("http://gd.example/gkmlpt/index").unwrap();
        let e = entry(
            &url,
            "<script>window._CONFIG = { SID: '755', gkmlpt: 1 }</script>",
        );
        assert_eq!(
            e[0].url.as_str(),
            "http://gd.example/gkmlpt/api/all/0?page=1&sid=755"
        );
        let body = r#"{"total": 3, "articles": [
            {"title": "2023年政府信息公开工作年度报告", "url": "http://gd.example/content/post_1.html", "create_time": 1706000000},
            {"title": "关于印发某某办法的通知", "url": "http://gd.example/content/post_2.html"}]}"#;
        let page = Page {
            url: &e[0].url,
            role: Role::Listing,
            content_type: Some("application/json"),
            body: body.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got = discover_json(page, &rules());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].role, Role::Report);
        assert_eq!(
            got[1].url.as_str(),
            "http://gd.example/gkmlpt/api/all/0?page=2&sid=755"
        );
    }
}
