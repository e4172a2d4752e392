//! Fujian's provincial TRS platform ("trt" templates): "动静结合" lists. A column page holds
//! its first page of items as static HTML and loads the rest with
//! `listModel({quickMode: "动静结合", listArgs: {channelid, classsql, sortfield},
//! pagebar: {prepage, recordCount}})` from the site's document search, a form POST to
//! `/fjdzapp/search` with `channelid`, `sortfield`, `classsql`, `page` and `prepage`, which
//! answers JSON (`docs`/`data`: `doctitle`, `chnldocurl`/`docpuburl`, `docreltime`; read by
//! [`super::jsonapi`]). `channelid` is often `SiteInfo.searchId`, declared elsewhere on the
//! page.
//!
//! When `recordCount` exceeds what the static part shows, the adapter asks for every record
//! in as few POSTs as possible (at most [`PER_REQUEST`] records each).

use regex::Regex;
use std::sync::OnceLock;
use url::Url;

use super::{Found, Role, Rules};

/// Records asked per POST.
pub const PER_REQUEST: u64 = 100;

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

fn capture(text: &str, cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<String> {
    re(cell, pat)?
        .captures(text)?
        .get(1)
        .map(|m| m.as_str().trim().to_string())
}

/// The last non-empty quoted string of a JS expression (`"" || "chnlid=1813"`).
fn last_quoted(expr: &str) -> Option<String> {
    static Q: OnceLock<Option<Regex>> = OnceLock::new();
    re(&Q, r#""([^"]*)"|'([^']*)'"#)?
        .captures_iter(expr)
        .filter_map(|c| {
            c.get(1)
                .or_else(|| c.get(2))
                .map(|m| m.as_str().to_string())
        })
        .filter(|s| !s.is_empty())
        .last()
}

/// The POST requests that fetch the records of a "动静结合" list beyond its static part.
pub fn list_api(url: &Url, text: &str, rules: &Rules) -> Vec<Found> {
    static MODE: OnceLock<Option<Regex>> = OnceLock::new();
    static CHANNEL: OnceLock<Option<Regex>> = OnceLock::new();
    static SEARCH_ID: OnceLock<Option<Regex>> = OnceLock::new();
    static CLASSSQL: OnceLock<Option<Regex>> = OnceLock::new();
    static SORT: OnceLock<Option<Regex>> = OnceLock::new();
    static PREPAGE: OnceLock<Option<Regex>> = OnceLock::new();
    static COUNT: OnceLock<Option<Regex>> = OnceLock::new();
    static STATIC: OnceLock<Option<Regex>> = OnceLock::new();
    if !re(&MODE, r#"quickMode\s*:\s*["']动静结合["']"#).is_some_and(|r| r.is_match(text)) {
        return Vec::new();
    }
    let channel = capture(text, &CHANNEL, r"channelid\s*:\s*([^,\n}]+)");
    let channel = match channel {
        Some(c)
            if c.trim_matches(['"', '\''])
                .chars()
                .all(|ch| ch.is_ascii_digit()) =>
        {
            c.trim_matches(['"', '\'']).to_string()
        }
        _ => match capture(text, &SEARCH_ID, r#"searchId\s*:\s*['"]?(\d+)"#) {
            Some(id) => id,
            None => return Vec::new(),
        },
    };
    let classsql = capture(text, &CLASSSQL, r"classsql\s*:\s*([^\n]+)")
        .and_then(|e| last_quoted(&e))
        .unwrap_or_default();
    let sortfield = capture(text, &SORT, r"sortfield\s*:\s*([^\n]+)")
        .and_then(|e| last_quoted(&e))
        .unwrap_or_else(|| "-docorderpri,-docreltime".into());
    let number = |cell, pat| capture(text, cell, pat).and_then(|n| n.parse::<u64>().ok());
    let (Some(prepage), Some(count)) = (
        number(&PREPAGE, r#"prepage\s*:\s*['"]?(\d+)"#),
        number(&COUNT, r#"recordCount\s*:\s*['"]?(\d+)"#),
    ) else {
        return Vec::new();
    };
    let static_pages = number(&STATIC, r"maxStaticIndex\s*:\s*(\d+)").unwrap_or(1);
    if count <= prepage.saturating_mul(static_pages) {
        return Vec::new();
    }
    let Ok(api) = url.join("/fjdzapp/search") else {
        return Vec::new();
    };
    let per = count.clamp(1, PER_REQUEST);
    let pages = count.div_ceil(per).min(rules.max_list_pages as u64);
    (1..=pages)
        .map(|page| {
            let form = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("channelid", &channel)
                .append_pair("sortfield", &sortfield)
                .append_pair("classsql", &classsql)
                .append_pair("page", &page.to_string())
                .append_pair("prepage", &per.to_string())
                .finish();
            Found {
                url: api.clone(),
                role: Role::Listing,
                title: String::new(),
                via: "fujian",
                pagination: true,
                form: Some(form.into_bytes()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::rules;

    /// The list script and SiteInfo of `corpus/html/001.html` (平潭 年报 column).
    const PAGE: &str = r#"<script>
    var SiteInfo = {
        searchId: 200210, //默认的文档检索频道的ID
    };
    </script><script>
        require(["list2.trsapi", "tools"], function(listModel, tools) {
            listModel({
                quickMode: "动静结合",
                maxStaticIndex: 1,
                listArgs: {
                    channelid: SiteInfo.searchId,
                    classsql: "" || "chnlid=1813",
                    sortfield: "-docorderpri,-docreltime"
                },
                pagebar: {
                    prepage: 10,
                    recordCount: '20',
                    pgTemp: "pgBar_xxgk.html",
                }
            });
        });
    </script>"#;

    #[test]
    fn pingtan_column() {
        let url = Url::parse("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/").unwrap();
        let got = list_api(&url, PAGE, &rules());
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].url.as_str(),
            "https://www.pingtan.gov.cn/fjdzapp/search"
        );
        assert_eq!(
            String::from_utf8_lossy(got[0].form.as_deref().unwrap()),
            "channelid=200210&sortfield=-docorderpri%2C-docreltime&classsql=chnlid%3D1813&page=1&prepage=20"
        );
        // Everything static: no request.
        let all_static = PAGE.replace("recordCount: '20'", "recordCount: '8'");
        assert!(list_api(&url, &all_static, &rules()).is_empty());
        // 250 records: 3 requests of 100.
        let many = PAGE.replace("recordCount: '20'", "recordCount: '250'");
        let got = list_api(&url, &many, &rules());
        assert_eq!(got.len(), 3);
        assert!(
            String::from_utf8_lossy(got[2].form.as_deref().unwrap()).contains("page=3&prepage=100")
        );
        assert!(list_api(&url, "<script>listModel({})</script>", &rules()).is_empty());
    }
}
