//! Scanned reports: pages without a text layer.
//!
//! A page is an *image page* when it carries fewer than [`MIN_TEXT_CHARS`] characters of text
//! and its images cover at least [`IMAGE_PAGE_COVER`] of the page. A PDF made only of such
//! pages is `image_only`; so is a report whose text pages gave no table value while some pages
//! are images (the tables were pasted as pictures). Such reports keep their page count and the
//! list of image pages in provenance, and no cell is invented. OCR is out of scope here.

/// Fewer non-blank characters than this on a page means "no text layer".
pub const MIN_TEXT_CHARS: usize = 10;

/// Share of the page area images must cover for a text-less page to count as scanned.
pub const IMAGE_PAGE_COVER: f32 = 0.3;

/// Whether a page with `chars` non-blank characters, `images` image draws covering
/// `image_area` (page units²) of a page of `page_area` is a scanned (image) page.
pub fn is_image_page(chars: usize, images: u32, image_area: f32, page_area: f32) -> bool {
    images > 0 && chars < MIN_TEXT_CHARS && image_area >= IMAGE_PAGE_COVER * page_area.max(1.0)
}

/// Whether a report should be flagged `image_only`: every read page is an image page, or
/// there are image pages and the text gave no value at all.
pub fn flag_image_only(pages_read: usize, image_pages: usize, values_found: usize) -> bool {
    image_pages > 0 && (image_pages >= pages_read || values_found == 0)
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
        assert!(flag_image_only(3, 3, 0));
        assert!(flag_image_only(5, 2, 0));
        assert!(!flag_image_only(5, 2, 40));
        assert!(!flag_image_only(5, 0, 0));
    }
}
