//! Hanweb / 大汉 JCMS lists. The first page keeps its items as CDATA `<record>`s inside
//! `<script type="text/xml"><datastore>`; further items come from the jpage proxy
//! (`/module/web/jpage/dataproxy.jsp` or `/module/jslib/jquery/jpage/dataproxy.jsp`)
//! named in `<nextgroup>`, asked with `startrecord`, `endrecord` and `perpage` (GET with
//! every parameter in the query). The proxy answers the same XML with `<totalrecord>`.
//! The record anchors themselves are picked up by the generic adapter.

use nianbao_archive::Method;
use regex::Regex;
use std::sync::OnceLock;
use url::Url;

use super::{resolve, Found, Role, Rules};

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

fn number(text: &str, cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<usize> {
    re(cell, pat)?.captures(text)?.get(1)?.as_str().parse().ok()
}

fn with_range(base: &Url, start: usize, end: usize, perpage: usize) -> Url {
    let pairs: Vec<(String, String)> = base
        .query_pairs()
        .filter(|(k, _)| !matches!(k.as_ref(), "startrecord" | "endrecord" | "perpage"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut u = base.clone();
    {
        let mut q = u.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        q.append_pair("startrecord", &start.to_string());
        q.append_pair("endrecord", &end.to_string());
        q.append_pair("perpage", &perpage.to_string());
    }
    u
}

/// Proxy requests for the records after those on this page.
pub fn pagination(url: &Url, text: &str, rules: &Rules) -> Vec<Found> {
    static NEXT: OnceLock<Option<Regex>> = OnceLock::new();
    static TOTAL: OnceLock<Option<Regex>> = OnceLock::new();
    static TOTAL_JS: OnceLock<Option<Regex>> = OnceLock::new();
    static PER: OnceLock<Option<Regex>> = OnceLock::new();
    static RECORD: OnceLock<Option<Regex>> = OnceLock::new();
    if !text.contains("<datastore") && !text.contains("dataproxy.jsp") {
        return Vec::new();
    }
    let total = number(text, &TOTAL, r"<totalrecord>\s*(\d+)\s*</totalrecord>")
        .or_else(|| number(text, &TOTAL_JS, r#"(?i)totalRecord\s*[:=]\s*['"]?(\d+)"#));
    let param = |name: &str| -> Option<usize> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse().ok())
    };
    let is_proxy = url.path().ends_with("dataproxy.jsp");
    let perpage = if is_proxy { param("perpage") } else { None }
        .or_else(|| number(text, &PER, r#"(?i)perPage\s*[:=]\s*['"]?(\d+)"#))
        .unwrap_or(15)
        .max(1);
    let shown = re(&RECORD, r"<record>")
        .map(|r| r.find_iter(text).count())
        .unwrap_or(0);
    let mut group = perpage * 3;

    let (base, next_start) = if is_proxy {
        match (param("startrecord"), param("endrecord")) {
            (Some(s), Some(e)) if e >= s => {
                group = e - s + 1;
                (url.clone(), e + 1)
            }
            _ => return Vec::new(),
        }
    } else {
        let Some(href) = re(&NEXT, r#"(?s)<nextgroup>.*?href\s*=\s*['"]([^'"]+)['"]"#)
            .and_then(|r| r.captures(text))
            .map(|c| c[1].to_string())
        else {
            return Vec::new();
        };
        let Some(base) = resolve(url, &href) else {
            return Vec::new();
        };
        (base, shown + 1)
    };
    let mut out = Vec::new();
    let mut start = next_start;
    // From the first page: every group up to the total when known, otherwise one group
    // (its answer carries <totalrecord> and continues the chain).
    let limit = rules.max_list_pages.max(1);
    while out.len() < limit {
        if let Some(t) = total {
            if start > t {
                break;
            }
        }
        let end = start + group - 1;
        out.push(Found {
            url: with_range(&base, start, end, perpage),
            role: Role::Listing,
            title: String::new(),
            via: "hanweb",
            pagination: true,
            form: None,
        });
        if total.is_none() || is_proxy {
            break;
        }
        start = end + 1;
    }
    out
}

/// Some jpage proxies answer only POST (form parameters). When a GET of a
/// `dataproxy.jsp` URL failed or answered no `<datastore>`, ask the same URL again as a form
/// POST: returns the URL and the form body (its query). `None` for a request that already
/// was a POST.
pub fn post_fallback(url: &Url, method: Method, answer: Option<&[u8]>) -> Option<(Url, Vec<u8>)> {
    if !url.path().ends_with("dataproxy.jsp") || method != Method::Get {
        return None;
    }
    let has_records = |b: &[u8]| {
        b.windows(10).any(|w| w == b"<datastore") || b.windows(7).any(|w| w == b"<record")
    };
    if answer.is_some_and(has_records) {
        return None;
    }
    Some((url.clone(), url.query().unwrap_or("").as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    const FIRST: &str = r#"<div id="4180"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=33718&unitid=4180&webname=%25E5%25AE%259A&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href='/art/2024/1/17/art_33718_1.html' title='2023年政府信息公开工作年度报告'>2023年…</a><span>2024-01-17</span></li>]]></record>
<record><![CDATA[<li><a href='/art/2023/1/17/art_33718_2.html' title='2022年政府信息公开工作年度报告'>2022年…</a></li>]]></record>
</recordset></datastore></script></div>
<script>$('#4180').jpage({ totalRecord: 7, perPage: 2 });</script>"#;

    #[test]
    fn post_fallback_only_for_failed_proxy() {
        let u = Url::parse("http://h/module/web/jpage/dataproxy.jsp?startrecord=3").unwrap();
        let (p, body) = post_fallback(&u, Method::Get, None).unwrap();
        assert_eq!(
            (p.as_str(), body.as_slice()),
            (u.as_str(), &b"startrecord=3"[..])
        );
        assert!(post_fallback(
            &u,
            Method::Get,
            Some(b"<datastore><recordset></recordset></datastore>")
        )
        .is_none());
        assert!(post_fallback(&u, Method::Get, Some(b"<html>error</html>")).is_some());
        assert!(
            post_fallback(&u, Method::Post, None).is_none(),
            "no second fallback"
        );
        assert!(post_fallback(
            &Url::parse("http://h/col/col1/index.html").unwrap(),
            Method::Get,
            None
        )
        .is_none());
    }

    #[test]
    fn first_page_and_proxy() {
        let url = Url::parse("http://h/col/col33718/index.html").unwrap();
        let got = pagination(&url, FIRST, &rules());
        let q: Vec<String> = got
            .iter()
            .map(|f| f.url.query().unwrap_or("").to_string())
            .collect();
        assert_eq!(got.len(), 1, "{q:?}");
        assert!(
            q[0].ends_with("startrecord=3&endrecord=8&perpage=2"),
            "{q:?}"
        );
        assert!(
            q[0].contains("webname=%25E5%25AE%259A"),
            "double encoding kept: {q:?}"
        );
        let proxy = got[0].url.clone();
        let answer = "<datastore><totalrecord>20</totalrecord><recordset><record><![CDATA[<a href='/art/x.html'>x</a>]]></record></recordset></datastore>";
        let next = pagination(&proxy, answer, &rules());
        assert_eq!(next.len(), 1);
        assert!(next[0]
            .url
            .query()
            .unwrap_or("")
            .ends_with("startrecord=9&endrecord=14&perpage=2"));
        let anchors = crate::discover::generic::anchors(FIRST);
        assert!(anchors
            .iter()
            .any(|a| a.href == "/art/2024/1/17/art_33718_1.html" && a.title.contains("2023")));
        let anchors = crate::discover::generic::anchors(answer);
        assert!(anchors.iter().any(|a| a.href == "/art/x.html"));
    }
}
