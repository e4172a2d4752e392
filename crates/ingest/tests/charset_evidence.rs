//! The one charset decision, through the ingest entry point with the HTTP header a server
//! sent (as the dataset step reads archived responses): a header that lies about UTF-8 or
//! GBK is overruled by the evidence and the cells are those of the clean file.

use nianbao_ingest::{extract_bytes, InputHint};

fn seed() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/samples/seed.txt");
    std::fs::read_to_string(p).expect("seed")
}

type Cells = Vec<(String, String)>;

fn filled(bytes: &[u8], content_type: Option<&str>) -> (Cells, serde_json::Value) {
    let hint = InputHint {
        source: "http://a.gov.cn/t.txt".into(),
        content_type: content_type.map(str::to_string),
        referrer: None,
    };
    let r = extract_bytes(bytes, &hint).expect("report").remove(0);
    let cells = r
        .cells
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), format!("{v:?}"))))
        .collect();
    (cells, serde_json::to_value(&r.charset).expect("json"))
}

#[test]
fn header_mislabels_are_overruled() {
    let text = seed();
    let (want, _) = filled(text.as_bytes(), None);
    assert!(want.len() > 150);
    let (got, cs) = filled(text.as_bytes(), Some("text/plain; charset=GBK"));
    assert_eq!(got, want);
    assert_eq!(cs["name"], "UTF-8");
    assert_eq!(cs["source"], "evidence");
    assert!(
        cs["overruled"]
            .as_str()
            .unwrap()
            .starts_with("GBK (header)"),
        "{cs}"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (got, cs) = filled(&gbk, Some("text/plain;charset=\"utf-8\""));
    assert_eq!(got, want);
    assert_eq!(cs["name"], "gb18030");
    assert!(
        cs["overruled"]
            .as_str()
            .unwrap()
            .starts_with("UTF-8 (header)"),
        "{cs}"
    );
    // A truthful header is kept as is.
    let (got, cs) = filled(&gbk, Some("text/plain; charset=gbk"));
    assert_eq!(got, want);
    assert_eq!(
        (cs["name"].as_str(), cs["source"].as_str()),
        (Some("GBK"), Some("header"))
    );
}
