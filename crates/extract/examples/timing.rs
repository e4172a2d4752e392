//! Per-document extraction time: `cargo run --release -p nianbao-extract --example timing FILES`.
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let n: u32 = std::env::var("NB_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50);
        let t = std::time::Instant::now();
        for _ in 0..n {
            let d = nianbao_text::decode(&bytes, None);
            std::hint::black_box(nianbao_extract::extract_text(&d.text, &path));
        }
        let per = t.elapsed() / n;
        let t2 = std::time::Instant::now();
        for _ in 0..n {
            let d = nianbao_text::decode(&bytes, None);
            std::hint::black_box(nianbao_text::normalize(&d.text));
        }
        println!(
            "{path}: {:?} per report ({} bytes), normalize {:?}",
            per,
            bytes.len(),
            t2.elapsed() / n
        );
    }
}
