//! Save the decoded page images of a scanned PDF as PNG files next to it, for checking what
//! OCR sees: `cargo run -p nianbao-ingest --example page_images -- FILE.pdf`.
use nianbao_documents::scanned::{page_images, ImageColor, ImageData};
use nianbao_ocr::decode::{decode_image, from_ccitt, from_raw, RawLayout};
use nianbao_ocr::Limits;

fn main() {
    let limits = Limits::default();
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        let Ok((images, skipped)) = page_images(&bytes, 100, limits.max_pixels) else {
            eprintln!("{path}: not a PDF");
            continue;
        };
        for s in skipped {
            eprintln!("{path}: {s}");
        }
        for img in images {
            let (w, h) = img.pixels;
            let gray = match &img.data {
                ImageData::Encoded(b) => decode_image(b, &limits),
                ImageData::Raw(d) => {
                    let layout = match img.color {
                        ImageColor::Gray => RawLayout::Gray,
                        ImageColor::Rgb => RawLayout::Rgb,
                        ImageColor::Cmyk => RawLayout::Cmyk,
                    };
                    from_raw(d, w, h, layout, img.bits, img.inverted, &limits)
                }
                ImageData::Ccitt {
                    data,
                    k,
                    black_is_1,
                } => from_ccitt(data, w, h, *k, img.inverted != *black_is_1, &limits),
            };
            let out = format!("{path}.page{}.png", img.page);
            match gray.map(|g| g.save(&out)) {
                Ok(Ok(())) => println!("{out}"),
                Ok(Err(e)) => eprintln!("{out}: {e}"),
                Err(e) => eprintln!("{out}: {e}"),
            }
        }
    }
}
