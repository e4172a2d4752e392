//! Timing of each stage on deeply nested input (development aid).
use std::time::Instant;
fn main() {
    let depth: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("<div><table><tr><td>");
    }
    s.push_str("年度报告");
    let t = Instant::now();
    let doc = scraper::Html::parse_document(&s);
    println!("parse {:?} nodes {}", t.elapsed(), doc.tree.nodes().count());
    let t = Instant::now();
    let p = nianbao_html::parse_page(s.as_bytes(), None, None);
    println!("parse_page {:?} {:?}", t.elapsed(), p.content);
}
