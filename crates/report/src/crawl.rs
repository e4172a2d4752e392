//! The last crawl, from its summary JSON (`nianbao crawl --json`, or
//! `<data>/runs/last-summary.json`).
//!
//! Read leniently: every field is optional, and both the contract's host counters (`new`,
//! `changed`) and the older names (`new_reports`, `changed_reports`) are accepted, so a
//! summary from an older or newer crawler still gives a section instead of an error.

use crate::html::{clip, esc, num, safe_url, Page, Rows, Sample};
use crate::svg::{self, Bar};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Default, Clone)]
struct Host {
    name: String,
    fetched: u64,
    new: u64,
    changed: u64,
    unchanged: u64,
    not_modified: u64,
    failures: u64,
}

/// What the page shows of one crawl run.
#[derive(Debug, Default)]
pub struct CrawlView {
    fields: Vec<(&'static str, &'static str, String)>,
    hosts: Vec<Host>,
    failures: BTreeMap<String, u64>,
    new_urls: Rows,
    changed_urls: Rows,
    totals: Host,
}

fn count(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::Array(a)) => a.len() as u64,
        _ => 0,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(clip(s, 80)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn urls(v: Option<&Value>, cap: usize) -> Rows {
    let mut rows = Rows::new(cap);
    if let Some(Value::Array(a)) = v {
        for u in a {
            let s = u.as_str().unwrap_or_default();
            rows.add(|| Sample {
                id: String::new(),
                text: if safe_url(s).is_some() {
                    String::new()
                } else {
                    clip(s, 120)
                },
                url: safe_url(s).map(str::to_string),
            });
        }
    }
    rows
}

impl CrawlView {
    /// Read a summary; `None` when the JSON is not an object.
    pub fn from_json(v: &Value) -> Option<CrawlView> {
        let obj = v.as_object()?;
        let mut view = CrawlView::default();
        for (key, zh, en) in [
            ("run_id", "运行", "run"),
            ("started_at", "开始", "started"),
            ("finished_at", "结束", "finished"),
            ("duration_s", "用时", "duration"),
            ("resumed", "续跑", "resumed"),
            ("exit_code", "退出码", "exit code"),
            ("dataset_reports", "数据集报告", "reports in dataset"),
        ] {
            if let Some(t) = text(obj.get(key)) {
                let t = match key {
                    "started_at" | "finished_at" => pretty_time(&t),
                    "resumed" if t == "true" => "是 yes".into(),
                    "resumed" if t == "false" => "否 no".into(),
                    "duration_s" => t
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s >= 0.0)
                        .map(|s| {
                            let s = s.round() as u64;
                            format!("{}m {:02}s", s / 60, s % 60)
                        })
                        .unwrap_or(t),
                    _ => t,
                };
                view.fields.push((zh, en, t));
            }
        }
        if let Some(Value::Object(hosts)) = obj.get("hosts") {
            for (name, h) in hosts {
                let get = |k: &str| count(h.get(k));
                let mut failures = 0;
                for (group, prefix) in [("errors", ""), ("blocked", "blocked:")] {
                    if let Some(Value::Object(m)) = h.get(group) {
                        for (kind, n) in m {
                            let n = count(Some(n));
                            failures += n;
                            let key = format!("{prefix}{}", clip(kind, 40));
                            // Bounded: a summary naming thousands of kinds lumps the rest.
                            let key =
                                if view.failures.len() < 64 || view.failures.contains_key(&key) {
                                    key
                                } else {
                                    crate::tally::OTHER.to_string()
                                };
                            *view.failures.entry(key).or_default() += n;
                        }
                    }
                }
                // Not fetched by policy: counted with the failures so the chart and the
                // totals agree.
                let denied = get("robots_denied");
                if denied > 0 {
                    failures += denied;
                    *view.failures.entry("robots_denied".into()).or_default() += denied;
                }
                let host = Host {
                    name: clip(name, 60),
                    fetched: get("fetched"),
                    new: get("new").max(get("new_reports")),
                    changed: get("changed").max(get("changed_reports")),
                    unchanged: get("unchanged"),
                    not_modified: get("not_modified"),
                    failures,
                };
                let t = &mut view.totals;
                t.fetched += host.fetched;
                t.new += host.new;
                t.changed += host.changed;
                t.unchanged += host.unchanged;
                t.not_modified += host.not_modified;
                t.failures += host.failures;
                view.hosts.push(host);
            }
        }
        view.hosts
            .sort_by(|a, b| b.fetched.cmp(&a.fetched).then(a.name.cmp(&b.name)));
        view.new_urls = urls(obj.get("new_reports"), 200);
        view.changed_urls = urls(obj.get("changed_reports"), 200);
        Some(view)
    }

    /// When the run finished (else its run id), for the overview.
    pub fn when(&self) -> Option<String> {
        let field = |en: &str| self.fields.iter().find(|f| f.1 == en).map(|f| f.2.clone());
        field("finished").or_else(|| field("run").map(|r| format!("运行 run {r}")))
    }

    /// Write the crawl section.
    pub fn render(view: Option<&CrawlView>, page: &mut Page) {
        page.raw(
            "<section id=\"crawl\"><h2>最近一次抓取 <span class=\"en\">Last crawl</span></h2>",
        );
        let Some(v) = view else {
            page.notice(
                "没有抓取摘要：在 crawl 之后写此页（crawl --report），或用 --crawl-summary FILE 或 --data DIR 指定。",
                "No crawl summary: write this page after a crawl (crawl --report), or pass --crawl-summary FILE or --data DIR (reads <data>/runs/last-summary.json).",
            );
            page.raw("</section>");
            return;
        };
        page.raw("<div class=\"cards\">");
        for (zh, en, t) in &v.fields {
            let _ = write!(
                page.buf,
                "<div class=\"card\"><span class=\"v\" style=\"font-size:1em\">{}</span><span class=\"k\">{zh} {en}</span></div>",
                esc(t)
            );
        }
        let new_from_list = v.new_urls.n > 0;
        let changed_from_list = v.changed_urls.n > 0;
        let new_n = if new_from_list {
            v.new_urls.clone()
        } else {
            counted(v.totals.new)
        };
        let changed_n = if changed_from_list {
            v.changed_urls.clone()
        } else {
            counted(v.totals.changed)
        };
        let cards = [
            ("主机", "hosts", num(v.hosts.len() as u64)),
            ("抓取", "fetched", num(v.totals.fetched)),
            (
                "新报告",
                "new reports",
                page.count_link(&new_n, "新报告 new reports", "crawl summary: new_reports"),
            ),
            (
                "变更",
                "changed reports",
                page.count_link(
                    &changed_n,
                    "变更 changed reports",
                    "crawl summary: changed_reports",
                ),
            ),
            ("未变", "unchanged", num(v.totals.unchanged)),
            ("失败", "failures", num(v.totals.failures)),
        ];
        for (zh, en, n) in cards {
            let _ = write!(
                page.buf,
                "<div class=\"card\"><span class=\"v\">{n}</span><span class=\"k\">{zh} {en}</span></div>"
            );
        }
        page.raw("</div>");
        page.raw("<h3>失败（按类别） <span class=\"en\">Failures by kind</span></h3>");
        if v.failures.is_empty() {
            page.raw("<p>没有失败 No failure.</p>");
        } else {
            let mut f: Vec<(&String, &u64)> = v.failures.iter().collect();
            f.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let bars: Vec<Bar> = f
                .iter()
                .take(20)
                .map(|(k, n)| Bar {
                    label: (*k).clone(),
                    value: **n as f64,
                    text: num(**n),
                    tip: format!(
                        "{k}: {} — archive index of this run, error kind {k}",
                        num(**n)
                    ),
                    href: Some("#crawl-hosts".into()),
                })
                .collect();
            svg::hbars(
                &mut page.buf,
                "crawl-failures",
                "抓取失败（按类别） Crawl failures by kind",
                &bars,
                None,
            );
        }
        page.raw("<h3 id=\"crawl-hosts\">主机 <span class=\"en\">Hosts</span></h3>");
        if !v.hosts.is_empty() {
            let bars: Vec<Bar> = v
                .hosts
                .iter()
                .take(20)
                .map(|h| Bar {
                    label: h.name.clone(),
                    value: h.fetched as f64,
                    text: format!(
                        "{} · new {} · changed {}",
                        num(h.fetched),
                        num(h.new),
                        num(h.changed)
                    ),
                    tip: format!(
                        "{}: {} fetched, {} new, {} changed, {} failures",
                        h.name, h.fetched, h.new, h.changed, h.failures
                    ),
                    href: None,
                })
                .collect();
            svg::hbars(
                &mut page.buf,
                "crawl-hosts",
                "各主机抓取数 Fetches per host",
                &bars,
                None,
            );
            page.raw("<div class=\"tbl\"><table><thead><tr><th>主机 Host</th><th class=\"n\">抓取 Fetched</th><th class=\"n\">新 New</th><th class=\"n\">变更 Changed</th><th class=\"n\">未变 Unchanged</th><th class=\"n\">304</th><th class=\"n\">失败 Failures</th></tr></thead><tbody>");
            for h in v.hosts.iter().take(100) {
                let _ = write!(
                    page.buf,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    esc(&h.name),
                    num(h.fetched),
                    num(h.new),
                    num(h.changed),
                    num(h.unchanged),
                    num(h.not_modified),
                    num(h.failures)
                );
            }
            page.raw("</tbody></table></div>");
            if v.hosts.len() > 100 {
                let _ = write!(
                    page.buf,
                    "<p class=\"more\">另有 {} 个主机 more hosts in the summary JSON.</p>",
                    num(v.hosts.len() as u64 - 100)
                );
            }
        }
        page.flush_rows();
        page.raw("</section>");
    }
}

/// `2026-12-01T01:42:10Z` as `2026-12-01 01:42:10 UTC`; anything else unchanged.
fn pretty_time(s: &str) -> String {
    match s.strip_suffix('Z') {
        Some(t) if t.len() == 19 && t.as_bytes().get(10) == Some(&b'T') => {
            format!("{} {} UTC", &t[..10], &t[11..])
        }
        _ => s.to_string(),
    }
}

fn counted(n: u64) -> Rows {
    let mut r = Rows::new(0);
    r.n = n;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_and_older_summaries_are_both_read() {
        let contract = serde_json::json!({
            "run_id": 7, "started_at": "2026-12-01T01:00:00Z", "finished_at": "2026-12-01T01:42:20Z", "duration_s": 2540.2,
            "hosts": {"a.gov.cn": {"fetched": 10, "new": 2, "changed": 1, "errors": {"timeout": 3}}},
            "new_reports": ["http://a.gov.cn/1.html", "javascript:alert(1)"], "changed_reports": []
        });
        let v = CrawlView::from_json(&contract).expect("object");
        assert_eq!(v.totals.fetched, 10);
        assert_eq!(v.totals.new, 2);
        assert_eq!(v.new_urls.n, 2);
        assert_eq!(v.new_urls.samples[1].url, None, "not a link");
        assert_eq!(v.failures.get("timeout"), Some(&3));
        assert_eq!(v.when().as_deref(), Some("2026-12-01 01:42:20 UTC"));
        assert!(v.fields.iter().any(|f| f.2 == "42m 20s"), "{:?}", v.fields);
        let older = serde_json::json!({"run_id": 1, "hosts": {"b": {"fetched": 4, "new_reports": 3, "blocked": {"waf": 1}, "robots_denied": 2}}});
        let v = CrawlView::from_json(&older).expect("object");
        assert_eq!(v.totals.new, 3);
        assert_eq!(v.failures.get("blocked:waf"), Some(&1));
        assert_eq!(v.failures.get("robots_denied"), Some(&2));
        assert_eq!(v.totals.failures, 3, "the card total agrees with the chart");
        assert_eq!(v.when().as_deref(), Some("运行 run 1"));
        assert!(CrawlView::from_json(&serde_json::json!([1])).is_none());
    }
}
