//! Any bytes give a page: arbitrary bytes, HTML-ish token soup, and real pages cut at random
//! points (a truncated download) never panic.

mod common;
use common::*;
use nianbao_html::{looks_like_html, parse_page};
use proptest::prelude::*;

fn pages() -> Vec<Vec<u8>> {
    [
        "002.html",
        "003.html",
        "005.html",
        "006.html",
        "007.html",
        "dev006.html",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

const TOKENS: &[&str] = &[
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td rowspan=\"22\">",
    "<td colspan=\"2;\">",
    "<td rowspan=0 colspan=0>",
    "<td colspan=\"99999999\">",
    "</td>",
    "<th>",
    "<p>",
    "</p>",
    "<br>",
    "<div class=TRS_Editor>",
    "</div>",
    "<img src=\"./a.png\">",
    "<a href=\"./x.pdf\">",
    "</a>",
    "<meta charset=gbk>",
    "<meta name=\"ContentStart\">",
    "<meta name=\"ContentEnd\">",
    "<script>",
    "</script>",
    "<o:p>",
    "&nbsp;",
    "规章",
    "本年新收政府信息公开申请数量",
    "第二十条第（一）项",
    "12",
    "0",
    "2019年",
    "年度报告",
    "\u{feff}",
    "<base href=\"http://[::1\">",
    "<iframe src=\"viewer.html?file=%E4\">",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse_page(&bytes, Some("https://a.gov.cn/x/y.htm"), None);
        let _ = looks_like_html(&bytes);
        let _ = parse_page(&bytes, None, Some("text/html; charset=gbk"));
    }

    #[test]
    fn token_soup_never_panics(idx in proptest::collection::vec(0..TOKENS.len(), 0..300)) {
        let s: String = idx.iter().map(|i| TOKENS[*i]).collect();
        let p = parse_page(s.as_bytes(), Some("https://a.gov.cn/x/y.htm"), None);
        for t in &p.tables {
            prop_assert!(t.cells.iter().all(|c| c.colspan >= 1 && c.rowspan >= 1 && c.row + c.rowspan <= t.n_rows));
        }
    }

    #[test]
    fn real_pages_cut_anywhere_never_panic(which in 0usize..6, frac in 0.0f64..1.0, flip in any::<u8>()) {
        let pages = pages();
        let page = &pages[which];
        let cut = ((page.len() as f64) * frac) as usize;
        let mut bytes = page[..cut].to_vec();
        // A cut inside a multi-byte character plus one corrupted byte.
        if let Some(b) = bytes.last_mut() {
            *b ^= flip;
        }
        let _ = parse_page(&bytes, Some("https://www.pingtan.gov.cn/a/b.htm"), None);
    }
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let mut s = String::new();
    for _ in 0..20_000 {
        s.push_str("<div><table><tr><td>");
    }
    s.push_str("年度报告");
    let p = parse_page(s.as_bytes(), None, None);
    assert!(p
        .lines
        .iter()
        .any(|l| l.cells.iter().any(|c| c.contains("年度报告"))));
}
