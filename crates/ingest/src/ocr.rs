//! The OCR reader: images (a report table posted as a picture) and the page images of
//! scanned PDFs become words with boxes (`nianbao-ocr`), laid out by the PDF layout step
//! (`nianbao_documents::placed`) into the same lines every reader gives. Without a tesseract
//! program the document is only noted `ocr_unavailable`.

use crate::document::{Document, Part};
use nianbao_documents::placed::{lines_from_pages, PlacedPage, PlacedRule, PlacedWord};
use nianbao_documents::scanned::{ImageColor, ImageData, PageImage};
use nianbao_extract::ReportFlag;
use nianbao_ocr::decode::{from_ccitt, from_raw, RawLayout};
use nianbao_ocr::{Limits, OcrError, OcrPage, Tesseract};
use serde_json::json;

/// Page units per pixel of a picture from a web page (96 dpi).
const WEB_SCALE: f32 = 72.0 / 96.0;

/// Most scanned pages recognised per document (a report's tables fit in far fewer).
const MAX_OCR_PAGES: usize = 40;

/// An OCR page in page units: every box scaled by `sx`, `sy`.
fn placed(number: u32, page: &OcrPage, sx: f32, sy: f32) -> PlacedPage {
    PlacedPage {
        number,
        width: page.width as f32 * sx,
        height: page.height as f32 * sy,
        words: page
            .words
            .iter()
            .map(|w| PlacedWord {
                text: nianbao_text::normalize(&w.text),
                left: w.left as f32 * sx,
                top: w.top as f32 * sy,
                right: (w.left + w.width) as f32 * sx,
                bottom: (w.top + w.height) as f32 * sy,
            })
            .collect(),
        rules: page
            .rules
            .iter()
            .map(|r| {
                // A rule as its centre line.
                let (x0, y0, x1, y1) = if r.is_horizontal() {
                    let y = (r.y0 + r.y1) as f32 / 2.0;
                    (r.x0 as f32, y, r.x1 as f32, y)
                } else {
                    let x = (r.x0 + r.x1) as f32 / 2.0;
                    (x, r.y0 as f32, x, r.y1 as f32)
                };
                PlacedRule {
                    x0: x0 * sx,
                    y0: y0 * sy,
                    x1: x1 * sx,
                    y1: y1 * sy,
                }
            })
            .collect(),
    }
}

fn note_ocr(doc: &mut Document, info: serde_json::Value) {
    doc.ocr = true;
    doc.notes.push(ReportFlag::Ocr);
    doc.provenance.insert("ocr".into(), info);
}

/// An image file: recognise it when a tesseract program is available.
pub(crate) fn read_picture(bytes: &[u8], doc: &mut Document) {
    let Some(tess) = Tesseract::find() else {
        doc.notes.push(ReportFlag::OcrUnavailable);
        return;
    };
    match tess.read_image(bytes, &Limits::default()) {
        Ok(page) => {
            let words = page.words.len();
            let part = lines_from_pages(&[placed(1, &page, WEB_SCALE, WEB_SCALE)]);
            doc.parts.push(Part {
                name: None,
                lines: part.lines,
                table_pages: part.table_pages,
            });
            note_ocr(
                doc,
                json!({"engine": "tesseract", "pages": 1, "words": words,
                       "pixels": [page.width, page.height]}),
            );
        }
        Err(e) => {
            doc.provenance
                .insert("ocr".into(), json!({"error": e.to_string()}));
        }
    }
}

fn decode_page_image(img: &PageImage, tess: &Tesseract) -> Result<OcrPage, OcrError> {
    let limits = &tess.limits;
    let (w, h) = img.pixels;
    let gray = match &img.data {
        ImageData::Encoded(bytes) => nianbao_ocr::decode::decode_image(bytes, limits)?,
        ImageData::Raw(data) => {
            let layout = match img.color {
                ImageColor::Gray => RawLayout::Gray,
                ImageColor::Rgb => RawLayout::Rgb,
                ImageColor::Cmyk => RawLayout::Cmyk,
            };
            from_raw(data, w, h, layout, img.bits, img.inverted, limits)?
        }
        ImageData::Ccitt {
            data,
            k,
            black_is_1,
        } => from_ccitt(data, w, h, *k, img.inverted != *black_is_1, limits)?,
    };
    tess.read_gray(gray, limits)
}

/// A scanned PDF: recognise the image of each scanned page and replace the (empty) text
/// lines with what OCR read.
pub(crate) fn read_scanned_pdf(bytes: &[u8], doc: &mut Document) {
    let Some(tess) = Tesseract::find() else {
        doc.notes.push(ReportFlag::OcrUnavailable);
        return;
    };
    let (images, mut problems) =
        match nianbao_documents::scanned::page_images(bytes, MAX_OCR_PAGES, tess.limits.max_pixels)
        {
            Ok(x) => x,
            Err(e) => {
                doc.provenance
                    .insert("ocr".into(), json!({"error": e.to_string()}));
                return;
            }
        };
    let mut pages = Vec::new();
    let mut words = 0;
    for img in &images {
        match decode_page_image(img, tess) {
            Ok(p) => {
                words += p.words.len();
                let sx = img.page_size.0 / p.width.max(1) as f32;
                let sy = img.page_size.1 / p.height.max(1) as f32;
                pages.push(placed(img.page, &p, sx, sy));
            }
            Err(e) => problems.push(format!("page {}: {e}", img.page)),
        }
    }
    if pages.is_empty() {
        doc.provenance
            .insert("ocr".into(), json!({"error": problems.join("; ")}));
        return;
    }
    let part = lines_from_pages(&pages);
    doc.parts = vec![Part {
        name: None,
        lines: part.lines,
        table_pages: part.table_pages,
    }];
    let mut info = json!({"engine": "tesseract", "pages": pages.len(), "words": words});
    if !problems.is_empty() {
        info["problems"] = json!(problems);
    }
    note_ocr(doc, info);
}
