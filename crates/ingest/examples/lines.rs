//! Print the lines a reader gives for a file (OCR included), one per line with its cells
//! joined by ` | `: `cargo run -p nianbao-ingest --example lines -- FILE`.
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        match nianbao_ingest::read(&bytes, &nianbao_ingest::InputHint::file(&path)) {
            Ok(doc) => {
                for part in &doc.parts {
                    for l in &part.lines {
                        println!("{:?} {:?} {}", l.page, l.table, l.cells.join(" | "));
                    }
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
