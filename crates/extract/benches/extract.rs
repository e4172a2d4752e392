//! Throughput of the aligner on the bundled real reports (text shapes): decode + normalise +
//! split + align + checks, per report, one thread. `cargo bench -p nianbao-extract`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/samples");
    let mut docs = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if (ext == "txt" || ext == "md") && !name.starts_with("README") {
                if let Ok(b) = std::fs::read(&p) {
                    docs.push((p.display().to_string(), b));
                }
            }
        }
    }
    docs
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let mut g = c.benchmark_group("extract_text_corpus");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function(format!("{}_reports", docs.len()), |b| {
        b.iter(|| {
            let mut cells = 0usize;
            for (name, bytes) in &docs {
                let d = nianbao_text::decode(bytes, None);
                let r = nianbao_extract::extract_text(&d.text, name);
                cells += r.cells.len();
            }
            cells
        })
    });
    g.finish();
    let mut g = c.benchmark_group("extract_text_per_report");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("all", |b| {
        b.iter(|| {
            for (name, bytes) in &docs {
                let d = nianbao_text::decode(bytes, None);
                std::hint::black_box(nianbao_extract::extract_text(&d.text, name));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
