//! Recognise an image file and print its rules, closed cells and words:
//! `cargo run -p nianbao-ocr --example ocr_image -- FILE.png`.
fn main() {
    let Some(tess) = nianbao_ocr::Tesseract::find() else {
        eprintln!("no tesseract with chi_sim");
        return;
    };
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        match tess.read_image(&bytes, &nianbao_ocr::Limits::default()) {
            Ok(page) => {
                let cells = nianbao_ocr::cells::closed_cells(&page.rules);
                println!(
                    "{path}: {}×{} px, {} rules, {} closed cells, {} words",
                    page.width,
                    page.height,
                    page.rules.len(),
                    cells.len(),
                    page.words.len()
                );
                for w in &page.words {
                    println!("{} {} {} {} {}", w.left, w.top, w.width, w.height, w.text);
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
