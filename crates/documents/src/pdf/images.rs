//! The embedded images of scanned pages, taken out for OCR without rasterising anything.

use super::{fonts, page_box, Limits};
use crate::scanned::{ImageColor, ImageData, PageImage};
use crate::{DocError, DocKind};
use lopdf::{Document, Object};

fn int(doc: &Document, dict: &lopdf::Dictionary, key: &[u8]) -> Option<i64> {
    fonts::get(doc, dict, key).and_then(|o| o.as_i64().ok())
}

/// Colour model and whether it can be read as raw samples.
fn color_of(doc: &Document, cs: Option<&Object>) -> Option<ImageColor> {
    let cs = cs.map(|o| fonts::deref(doc, o));
    let by_n = |n: i64| match n {
        1 => Some(ImageColor::Gray),
        3 => Some(ImageColor::Rgb),
        4 => Some(ImageColor::Cmyk),
        _ => None,
    };
    match cs {
        None => Some(ImageColor::Gray), // image masks and 1-bit scans
        Some(Object::Name(n)) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Some(ImageColor::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(ImageColor::Rgb),
            b"DeviceCMYK" | b"CMYK" => Some(ImageColor::Cmyk),
            _ => None,
        },
        Some(Object::Array(a)) => match a.first().and_then(|o| o.as_name().ok()) {
            Some(b"ICCBased") => {
                let s = a.get(1).map(|o| fonts::deref(doc, o))?.as_stream().ok()?;
                by_n(int(doc, &s.dict, b"N")?)
            }
            Some(b"CalGray") => Some(ImageColor::Gray),
            Some(b"CalRGB") => Some(ImageColor::Rgb),
            _ => None,
        },
        _ => None,
    }
}

fn filters(dict: &lopdf::Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

fn last_parms<'a>(doc: &'a Document, dict: &'a lopdf::Dictionary) -> Option<&'a lopdf::Dictionary> {
    let p = fonts::deref(doc, dict.get(b"DecodeParms").ok()?);
    match p {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.last().and_then(|o| fonts::deref(doc, o).as_dict().ok()),
        _ => None,
    }
}

/// See [`crate::scanned::page_images`].
pub(crate) fn page_images(
    bytes: &[u8],
    max_pages: usize,
    max_pixels: u64,
) -> Result<(Vec<PageImage>, Vec<String>), DocError> {
    let limits = Limits::DEFAULT;
    let doc = Document::load_mem(bytes).map_err(|e| DocError::Parse {
        kind: DocKind::Pdf,
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (&num, &id) in doc
        .get_pages()
        .iter()
        .take(max_pages.min(limits.max_pdf_pages))
    {
        let Ok(images) = doc.get_page_images(id) else {
            continue;
        };
        let Some(img) = images
            .iter()
            .max_by_key(|i| i.width.saturating_mul(i.height))
        else {
            continue;
        };
        let (w, h) = (img.width, img.height);
        if w <= 0 || h <= 0 || w > 100_000 || h > 100_000 {
            skipped.push(format!("page {num}: image of {w}×{h}"));
            continue;
        }
        if (w as u64) * (h as u64) > max_pixels {
            skipped.push(format!(
                "page {num}: {w}×{h} pixels exceed the cap of {max_pixels}"
            ));
            continue;
        }
        let dict = img.origin_dict;
        let (left, bottom, right, top) = page_box(&doc, id);
        let bits = int(&doc, dict, b"BitsPerComponent")
            .unwrap_or(1)
            .clamp(1, 16) as u8;
        let mask = matches!(dict.get(b"ImageMask"), Ok(Object::Boolean(true)));
        let inverted = match dict.get(b"Decode").ok().map(|o| fonts::deref(&doc, o)) {
            Some(Object::Array(a)) => a.first().and_then(fonts::num).is_some_and(|v| v > 0.5),
            _ => false,
        } != mask;
        let Some(color) = color_of(&doc, dict.get(b"ColorSpace").ok()) else {
            skipped.push(format!("page {num}: colour space not read"));
            continue;
        };
        let fs = filters(dict);
        let last = fs.last().map(Vec::as_slice);
        let data = match last {
            Some(b"DCTDecode" | b"DCT") if fs.len() == 1 => {
                ImageData::Encoded(img.content.to_vec())
            }
            Some(b"CCITTFaxDecode" | b"CCF") if fs.len() == 1 => {
                let parms = last_parms(&doc, dict);
                let k = parms.and_then(|p| int(&doc, p, b"K")).unwrap_or(0);
                let black_is_1 = parms
                    .and_then(|p| fonts::get(&doc, p, b"BlackIs1"))
                    .and_then(|o| o.as_bool().ok())
                    .unwrap_or(false);
                ImageData::Ccitt {
                    data: img.content.to_vec(),
                    k,
                    black_is_1,
                }
            }
            Some(b"JPXDecode" | b"JBIG2Decode") => {
                skipped.push(format!(
                    "page {num}: {} images are not read",
                    String::from_utf8_lossy(last.unwrap_or_default())
                ));
                continue;
            }
            _ => {
                let comps: u64 = match color {
                    ImageColor::Gray => 1,
                    ImageColor::Rgb => 3,
                    ImageColor::Cmyk => 4,
                };
                let need = ((w as u64) * comps * u64::from(bits)).div_ceil(8) * (h as u64);
                let Ok(stream) = doc.get_object(img.id).and_then(Object::as_stream) else {
                    continue;
                };
                // PNG predictors add a byte per row before they are undone.
                let limit = need + (h as u64) * 8 + 4096;
                match stream.decompressed_content_with_limit(limit as usize) {
                    Ok(d) => ImageData::Raw(d),
                    Err(_) if fs.is_empty() => ImageData::Raw(img.content.to_vec()),
                    Err(e) => {
                        skipped.push(format!("page {num}: {e}"));
                        continue;
                    }
                }
            }
        };
        out.push(PageImage {
            page: num,
            page_size: ((right - left).abs(), (top - bottom).abs()),
            pixels: (w as u32, h as u32),
            bits,
            color,
            inverted,
            data,
        });
    }
    Ok((out, skipped))
}
