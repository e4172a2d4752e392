//! PDF reading speed in pages per second on one core: the in-repo fixture `006.pdf` and,
//! when the dev corpus is next to the repository, the real reports `025.pdf` and `026.pdf`.
//! `benches/compare_pdftotext.sh` times `pdftotext -layout` on the same files.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nianbao_documents::{read_document, DocKind};
use std::hint::black_box;
use std::path::PathBuf;

fn files() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let candidates = [
        root.join("../../tests/fixtures/documents/006.pdf"),
        root.join("../../../shared/corpus/dev/025.pdf"),
        root.join("../../../shared/corpus/dev/026.pdf"),
    ];
    for p in candidates {
        match std::fs::read(&p) {
            Ok(b) => out.push((
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                b,
            )),
            Err(_) => eprintln!("SKIPPED {} (absent)", p.display()),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("pdf_read");
    for (name, bytes) in files() {
        let pages = read_document(&bytes, DocKind::Pdf)
            .ok()
            .and_then(|d| d.page_count)
            .unwrap_or(1);
        group.throughput(Throughput::Elements(u64::from(pages)));
        group.bench_function(&name, |b| {
            b.iter(|| read_document(black_box(&bytes), DocKind::Pdf))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
