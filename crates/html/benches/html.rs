//! The reader alone (`parse_page`: decode, parse, content, tables, meta, links) over the corpus
//! pages; the whole pipeline is measured with the binary (`benches/speed.py`). `cargo bench -p nianbao-html --bench html`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/html");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "html"))
                .filter_map(|p| {
                    Some((
                        p.file_name()?.to_string_lossy().to_string(),
                        std::fs::read(&p).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn bench(c: &mut Criterion) {
    let pages = corpus();
    let total: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let mut g = c.benchmark_group("parse_page");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("corpus", |b| {
        b.iter(|| {
            for (_, p) in &pages {
                std::hint::black_box(nianbao_html::parse_page(
                    p,
                    Some("https://example.gov.cn/a/t.htm"),
                    None,
                ));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("page");
    for (name, p) in &pages {
        g.throughput(Throughput::Bytes(p.len() as u64));
        g.bench_function(name.as_str(), |b| {
            b.iter(|| {
                std::hint::black_box(nianbao_html::parse_page(
                    p,
                    Some("https://example.gov.cn/a/t.htm"),
                    None,
                ))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
