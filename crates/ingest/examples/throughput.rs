//! Throughput of `extract_bytes` (read + assemble) on pages, one core: `throughput SECONDS FILE...`.
//! Prints one JSON line: pages, bytes, seconds, pages/s, MB/s. Used by
//! `benches/compare_trafilatura.py` to measure side by side with trafilatura.

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let pages: Vec<Vec<u8>> = args
        .iter()
        .skip(2)
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    if pages.is_empty() {
        eprintln!("usage: throughput SECONDS FILE...");
        std::process::exit(2);
    }
    let hint = nianbao_ingest::InputHint::file("https://example.gov.cn/a/t.htm");
    // Warm-up: lazy statics (OpenCC dictionaries, selectors, regexes).
    for p in &pages {
        let _ = std::hint::black_box(nianbao_ingest::extract_bytes(p, &hint));
    }
    let budget = Duration::from_secs_f64(secs);
    let start = Instant::now();
    let (mut n, mut bytes) = (0u64, 0u64);
    while start.elapsed() < budget {
        for p in &pages {
            let r = nianbao_ingest::extract_bytes(p, &hint);
            let _ = std::hint::black_box(r);
            n += 1;
            bytes += p.len() as u64;
        }
    }
    let t = start.elapsed().as_secs_f64();
    println!(
        "{{\"tool\":\"nianbao\",\"pages\":{n},\"bytes\":{bytes},\"seconds\":{t:.3},\"pages_per_s\":{:.1},\"mb_per_s\":{:.2}}}",
        n as f64 / t,
        bytes as f64 / t / 1e6
    );
}
