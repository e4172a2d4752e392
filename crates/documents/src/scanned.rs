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
