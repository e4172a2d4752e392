//! Property tests: no input makes the extractor panic. Arbitrary bytes, and real reports
//! (the bundled samples) cut at random points, with lines shuffled, dropped or duplicated.

use proptest::prelude::*;
use std::path::Path;

fn samples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/samples");
    let mut out = Vec::new();
    for name in [
        "seed.txt", "001.txt", "002.md", "016.txt", "020.txt", "030.txt",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("bundled sample");
        out.push(nianbao_text::decode(&bytes, None).text);
    }
    out
}

fn consistent(r: &nianbao_extract::Report) {
    // Whatever the input, the report is well formed: a format's keys are all present, and a
    // flagged or missing value never turns into a number silently.
    if let Some(t) = nianbao_templates::template(r.format.as_str()) {
        assert_eq!(r.cells.len(), t.keys().len());
    } else {
        assert!(r.cells.is_empty());
    }
    for (k, f) in &r.flags {
        if f.iter()
            .any(|x| x == "ambiguous" || x == "blank" || x == "missing_marker")
        {
            assert!(
                r.cells.get(k).is_some_and(|v| v.is_none()),
                "{k} flagged {f:?} but has a value"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let d = nianbao_text::decode(&bytes, None);
        let r = nianbao_extract::extract_text(&d.text, "fuzz");
        consistent(&r);
    }

    #[test]
    fn arbitrary_table_like_text_never_panics(s in "([0-9|/\\-+. \n]|规章|总计|第二十条第\\(一\\)项|本年新收政府信息公开申请数量|行政复议|\\(七\\)总计|其他处理|[一二三四]、){0,200}") {
        let r = nianbao_extract::extract_text(&s, "fuzz");
        consistent(&r);
    }

    #[test]
    fn real_reports_cut_anywhere_never_panic(doc in 0usize..6, cut in 0.0f64..1.0) {
        let docs = samples();
        let text = &docs[doc];
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let r = nianbao_extract::extract_text(&text[..at], "cut");
        consistent(&r);
    }

    #[test]
    fn real_reports_shuffled_never_panic(doc in 0usize..6, ops in proptest::collection::vec((0usize..10_000, 0usize..10_000, 0u8..3), 1..60)) {
        let docs = samples();
        let mut lines: Vec<&str> = docs[doc].lines().collect();
        for (a, b, op) in ops {
            if lines.is_empty() {
                break;
            }
            let (a, b) = (a % lines.len(), b % lines.len());
            match op {
                0 => lines.swap(a, b),
                1 => { lines.remove(a); }
                _ => { let l = lines[a]; lines.insert(b, l); }
            }
        }
        let r = nianbao_extract::extract_text(&lines.join("\n"), "shuffled");
        consistent(&r);
    }
}
