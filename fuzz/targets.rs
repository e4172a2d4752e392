// The fuzz entry points, one per target. This file is `include!`d by the fuzz crate
// (`src/lib.rs`) and by the main workspace's `tests/fuzz_regressions.rs`, which replays every
// input kept in `fuzz/regressions/<target>/` through the same functions on stable Rust
// (`.ci/run`).
//
// Every function must return normally for any bytes: a panic, an abort, a hang (libFuzzer
// `-timeout`) or an allocation beyond `-malloc_limit_mb` is a finding.

use nianbao_documents::{read_document, DocKind};

/// Text: the charset decision against a declared GBK, then the whole text path (undeclared
/// charset decision, normalise, align, identities).
pub fn text(data: &[u8]) {
    let _ = nianbao_text::decode(data, Some("text/html; charset=gbk")).unreadable();
    let _ = nianbao_ingest::extract_bytes(data, &nianbao_ingest::InputHint::file("f.txt"));
}

/// HTML: the nesting guard, then the page reader and the aligner.
pub fn html(data: &[u8]) {
    let _ = nianbao_text::guard_html_bytes(data, 16);
    let hint = nianbao_ingest::InputHint {
        source: "http://www.a.gov.cn/col/t1.htm".into(),
        content_type: Some("text/html".into()),
        referrer: None,
    };
    let _ = nianbao_ingest::extract_bytes(data, &hint);
}

/// PDF: read and assemble (the path `extract` takes for a PDF file).
pub fn pdf(data: &[u8]) {
    let _ = nianbao_ingest::extract_bytes(data, &nianbao_ingest::InputHint::file("f.pdf"));
}

/// DOCX.
pub fn docx(data: &[u8]) {
    let _ = read_document(data, DocKind::Docx);
}

/// XLSX.
pub fn xlsx(data: &[u8]) {
    let _ = read_document(data, DocKind::Xlsx);
}

/// ODS.
pub fn ods(data: &[u8]) {
    let _ = read_document(data, DocKind::Ods);
}

/// XLS (BIFF in an OLE container) and the content sniffer.
pub fn xls(data: &[u8]) {
    let _ = nianbao_documents::sniff(data, Some("f.xls"));
    let _ = read_document(data, DocKind::Xls);
}

/// The WARC reader: a file of gzip members, one record, one HTTP response.
pub fn warc(data: &[u8]) {
    use nianbao_archive::warc;
    let _ = warc::read_all_from(data);
    let _ = warc::WarcRecord::parse(data);
    let _ = warc::HttpResponse::parse(data);
}

/// robots.txt: parse, then ask about a URL and the crawl delay.
pub fn robots(data: &[u8]) {
    let r = nianbao_crawl::robots::Robots::from_answer(Some(200), data, "nianbao/0.1");
    let _ = r.allowed("http://www.a.gov.cn/zfxxgk/nb/index.html");
    let _ = r.crawl_delay();
}

/// Discovery on listing pages (links, TRS/Hanweb pagination, JSON list APIs).
pub fn discover(data: &[u8]) {
    use nianbao_crawl::discover::{discover, Page, Role, Rules};
    // Built once, as a crawl builds them: compiling their patterns for every input was time
    // no crawl spends.
    static RULES: std::sync::OnceLock<Option<Rules>> = std::sync::OnceLock::new();
    let Some(rules) = RULES
        .get_or_init(|| Rules::new(&Default::default()).ok())
        .as_ref()
    else {
        return;
    };
    let Ok(url) = url::Url::parse("http://www.a.gov.cn/col/col4180/index.html") else {
        return;
    };
    for ct in ["text/html", "application/json"] {
        let page = Page {
            url: &url,
            role: Role::Listing,
            content_type: Some(ct),
            body: data,
            method: nianbao_archive::Method::Get,
        };
        let _ = discover(page, rules);
    }
}
