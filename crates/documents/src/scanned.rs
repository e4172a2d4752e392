//! Scanned reports: pages without a text layer.
//!
//! A page is an *image page* when it carries fewer than [`MIN_TEXT_CHARS`] characters of text
//! and its images cover at least [`IMAGE_PAGE_COVER`] of the page. The reader lists such pages
//! ([`crate::DocumentLines::image_pages`]); the assembly step (`nianbao-ingest`) judges the
//! report `image_only` when they hold its tables. No cell is invented.

/// Fewer non-blank characters than this on a page means "no text layer".
pub const MIN_TEXT_CHARS: usize = 10;

/// Share of the page area images must cover for a text-less page to count as scanned.
pub const IMAGE_PAGE_COVER: f32 = 0.3;

/// Whether a page with `chars` non-blank characters, `images` image draws covering
/// `image_area` (page units²) of a page of `page_area` is a scanned (image) page.
pub fn is_image_page(chars: usize, images: u32, image_area: f32, page_area: f32) -> bool {
    images > 0 && chars < MIN_TEXT_CHARS && image_area >= IMAGE_PAGE_COVER * page_area.max(1.0)
}

/// How the pixels of a page image are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageData {
    /// A complete image file the OCR step decodes itself (`DCTDecode`: JPEG).
    Encoded(Vec<u8>),
    /// Raw samples after Flate/LZW and predictors, rows padded to whole bytes.
    Raw(Vec<u8>),
    /// A `CCITTFaxDecode` stream: `k` < 0 is Group 4, else Group 3.
    Ccitt {
        /// The coded bytes.
        data: Vec<u8>,
        /// The `K` parameter.
        k: i64,
        /// The `BlackIs1` parameter.
        black_is_1: bool,
    },
}

/// Colour model of raw samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageColor {
    /// One component.
    Gray,
    /// Three components.
    Rgb,
    /// Four components.
    Cmyk,
}

/// The image that makes one scanned page, as stored in the PDF. The OCR step decodes it;
/// the page box maps its pixels to page units (a scan fills its page).
#[derive(Debug, Clone)]
pub struct PageImage {
    /// 1-based page number.
    pub page: u32,
    /// Page width and height in page units (1/72 in).
    pub page_size: (f32, f32),
    /// Width and height in pixels.
    pub pixels: (u32, u32),
    /// Bits per component.
    pub bits: u8,
    /// Colour model of raw samples.
    pub color: ImageColor,
    /// `/Decode [1 0 …]`: samples inverted.
    pub inverted: bool,
    /// The pixels.
    pub data: ImageData,
}

/// The largest image of each image page (see [`is_image_page`]) of a PDF, up to `max_pages`
/// pages; an image of more than `max_pixels` pixels is not decompressed. Pages whose image
/// cannot be taken (JPEG 2000, JBIG2, indexed colours, a broken stream) are named in the
/// second list with the reason.
pub fn page_images(
    bytes: &[u8],
    max_pages: usize,
    max_pixels: u64,
) -> Result<(Vec<PageImage>, Vec<String>), crate::DocError> {
    let run = || crate::pdf::page_images(bytes, max_pages, max_pixels);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|p| {
        Err(crate::DocError::Panic {
            kind: crate::DocKind::Pdf,
            detail: crate::panic_message(&*p),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert!(is_image_page(0, 1, 500_000.0, 595.0 * 842.0));
        assert!(
            !is_image_page(0, 1, 100.0, 595.0 * 842.0),
            "a small logo is not a scan"
        );
        assert!(
            !is_image_page(500, 1, 500_000.0, 595.0 * 842.0),
            "text over a background image"
        );
        assert!(!is_image_page(0, 0, 0.0, 595.0 * 842.0), "a blank page");
    }
}
