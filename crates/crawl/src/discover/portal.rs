//! From a government portal to its 年报 columns. A `portal` source starts at the home page
//! as a [`Role::Hub`]; on hub pages the crawler follows only the links that lead towards
//! annual reports:
//!
//! * the 年报 column itself (link text 政府信息公开年报, 信息公开年度报告, 年度报告, ... —
//!   the configured `column_pattern`, or any short link naming a 公开 年报 without a year)
//!   → a list page ([`Role::Listing`]);
//! * a report linked straight from the page (a title with a year) → [`Role::Report`];
//! * the 政府信息公开 platform, 政务公开, 信息公开目录, 法定主动公开内容 and the
//!   department / county / township 信息公开 lists → further hubs;
//! * on a page that lists at least [`MIN_AGENCIES`] agencies (…局, …委员会, …办公室,
//!   …人民政府, …街道, …镇), every agency link → a hub (the department's own 信息公开
//!   page, where its 年报 column is linked);
//! * frames (`<iframe src="/col/colN/index.html">`: Hanweb home pages are composed of them)
//!   → hubs.
//!
//! Everything else on a portal (news, services, interaction) is left alone. Hubs do not
//! paginate. The link depth (`[crawl] max_depth`) bounds the walk: home → platform →
//! department list → department → column → report → attachment is 6 links.

use regex::Regex;
use std::sync::OnceLock;

use super::generic::Anchor;
use super::{resolve, Found, Page, Role, Rules};
use nianbao_text::filetypes::is_attachment_url;

/// A page with at least this many agency links is a department list.
pub const MIN_AGENCIES: usize = 3;

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

/// A short link text that names a 年报 column without a year (looser than the configured
/// `column_pattern`, used on hub pages only): 政府信息公开年报专栏, 政务公开年报,
/// 工作年度报告, 信息公开年度报告. Company 年报 (企业年报公示), statistics and budget
/// reports are not 政府信息公开 reports.
pub fn is_loose_column(text: &str) -> bool {
    static COL: OnceLock<Option<Regex>> = OnceLock::new();
    static NOT: OnceLock<Option<Regex>> = OnceLock::new();
    let t = squash(text);
    let n = t.chars().count();
    if !(2..=24).contains(&n) || t.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let col = re(
        &COL,
        r"(公开|公開).{0,8}(年报|年報|年度报告|年度報告)|^(工作)?年度[报報]告(专栏)?$|^年[报報](专栏)?$",
    );
    let not = re(
        &NOT,
        r"企业|工商|统计|年鉴|决算|预算|财务|社会组织|基金|工作报告",
    );
    col.is_some_and(|r| r.is_match(&t)) && !not.is_some_and(|r| r.is_match(&t))
}

/// A link text naming the 政府信息公开 platform or one of its lists.
pub fn is_platform(text: &str) -> bool {
    static P: OnceLock<Option<Regex>> = OnceLock::new();
    let t = squash(text);
    if t.chars().count() > 16 {
        return false;
    }
    re(
        &P,
        r"^[\p{Han}（）()、]{0,10}(政府信息公开|政务公开|信息公开)(平台|专栏|目录|网|专题)?$|^(法定)?主动公开(内容|目录)?$|^(政府)?信息公开目录$|^(地方)?部门(平台)?(链接|导航|列表)$|^地方部门平台链接$",
    )
    .is_some_and(|r| r.is_match(&t))
}

/// A link text that names an agency (a department, a government, a township).
pub fn is_agency(text: &str) -> bool {
    static A: OnceLock<Option<Regex>> = OnceLock::new();
    let t = squash(text);
    let n = t.chars().count();
    (3..=30).contains(&n)
        && re(
            &A,
            r"^[\p{Han}（）()]+(局|委员会|委|办公室|办|厅|署|管委会|人民政府|政府|街道办事处|街道|镇|乡|县|区|市|旗)$",
        )
        .is_some_and(|r| r.is_match(&t))
}

/// Links worth following on a hub page.
pub fn discover_hub(page: Page<'_>, anchors: &[Anchor], rules: &Rules) -> Vec<Found> {
    let agencies = anchors
        .iter()
        .filter(|a| a.kind == "a" && is_agency(a.best_title()))
        .count();
    let department_list = agencies >= MIN_AGENCIES;
    let mut out = Vec::new();
    for a in anchors {
        let Some(url) = resolve(page.url, &a.href) else {
            continue;
        };
        if url == *page.url {
            continue;
        }
        let title = a.best_title();
        let attachment = is_attachment_url(url.as_str());
        let found = |role| Found::get(url.clone(), role, title, "portal", false);
        if rules.is_report_title(title) || rules.is_report_title(&a.text) {
            out.push(found(if attachment {
                Role::Attachment
            } else {
                Role::Report
            }));
        } else if attachment {
            continue;
        } else if rules.is_column(&a.text)
            || rules.is_column(&a.title)
            || is_loose_column(&a.text)
            || is_loose_column(&a.title)
        {
            out.push(found(Role::Listing));
        } else if a.kind == "iframe"
            || is_platform(&a.text)
            || is_platform(&a.title)
            || (department_list && a.kind == "a" && is_agency(title))
        {
            out.push(found(Role::Hub));
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
    fn link_texts() {
        for t in [
            "政府信息公开年报",
            "政府信息公开年度报告",
            "信息公开年报专栏",
            "政务公开年报",
            "年度报告",
        ] {
            assert!(is_loose_column(t), "{t}");
        }
        for t in [
            "企业年报公示",
            "2023年政府信息公开工作年度报告",
            "政府工作报告",
            "统计年报",
        ] {
            assert!(!is_loose_column(t), "{t}");
        }
        for t in [
            "政府信息公开",
            "政务公开",
            "信息公开目录",
            "法定主动公开内容",
            "部门信息公开",
            "乡镇（街道）信息公开",
            " 政府信息公开平台 ",
        ] {
            assert!(is_platform(t), "{t}");
        }
        for t in [
            "政府信息公开指南",
            "政府信息公开制度",
            "依申请公开",
            "新闻发布会",
        ] {
            assert!(!is_platform(t), "{t}");
        }
        for t in [
            "区发展和改革局",
            "平潭综合实验区管理委员会",
            "区人民政府办公室",
            "潭城镇",
            "苏澳镇人民政府",
        ] {
            assert!(is_agency(t), "{t}");
        }
        for t in ["区发展和改革局召开会议", "首页", "局", "新闻中心"] {
            assert!(!is_agency(t), "{t}");
        }
    }

    #[test]
    fn hub_links() {
        let html = r#"<html><body>
          <a href="/zwgk/">政务公开</a><a href="/zwgk/zfxxgk/">政府信息公开</a>
          <a href="/zwgk/zfgzbg/">政府工作报告</a><a href="/xwzx/">新闻中心</a>
          <a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a>
          <a href="/zwgk/zfxxgk/zn/">政府信息公开指南</a>
          <a href="/nb/202403/t1.htm" title="平潭综合实验区2023年度政府信息公开工作年度报告">平潭…</a>
          <iframe src="/col/col6877/index.html"></iframe>
          <a href="/bm/fgj/">区发展和改革局</a><a href="/bm/czj/">区财政局</a>
          <a href="https://other.gov.cn/">区教育局</a>
          <a href="/qyxx/">企业年报公示</a>
        </body></html>"#;
        let url = url::Url::parse("http://a.gov.cn/").unwrap();
        let page = Page {
            url: &url,
            role: Role::Hub,
            content_type: None,
            body: html.as_bytes(),
            method: nianbao_archive::Method::Get,
        };
        let got: Vec<(String, Role)> = discover_hub(page, &anchors(html), &rules())
            .into_iter()
            .map(|f| (f.url.to_string(), f.role))
            .collect();
        let want = [
            ("http://a.gov.cn/zwgk/", Role::Hub),
            ("http://a.gov.cn/zwgk/zfxxgk/", Role::Hub),
            ("http://a.gov.cn/zwgk/zfxxgk/zfxxgknb/", Role::Listing),
            ("http://a.gov.cn/nb/202403/t1.htm", Role::Report),
            ("http://a.gov.cn/bm/fgj/", Role::Hub),
            ("http://a.gov.cn/bm/czj/", Role::Hub),
            ("https://other.gov.cn/", Role::Hub),
            ("http://a.gov.cn/col/col6877/index.html", Role::Hub),
        ];
        let mut want: Vec<(String, Role)> = want.iter().map(|(u, r)| (u.to_string(), *r)).collect();
        let mut got = got;
        got.sort_by(|a, b| a.0.cmp(&b.0));
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, want);
    }
}
