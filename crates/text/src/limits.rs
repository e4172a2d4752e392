//! Resource limits for every reader of untrusted bytes, in one place.
//!
//! A report is at most a few megabytes of text in a few dozen tables, so every bound here is
//! far above what a real report needs and far below what hurts the machine. Each limit is
//! checked *before* the allocation it guards (a declared sheet dimension before the grid is
//! built, a zip entry's size before it is inflated, the nesting of HTML before a parser sees
//! it). A document that hits one is refused with a [`LimitExceeded`] error that names the
//! limit; the dataset step records it as quarantined instead of retrying it forever.
//!
//! Memory: with these limits, reading one input costs at most about
//! [`Limits::MEMORY_MULTIPLE`] times its size plus a fixed [`Limits::MEMORY_BASE`]
//! (measured peak RSS, see the README's "Hostile input" section). The bounds that make this
//! true for compressed formats are the decompressed-size limits, not the input size.

use std::fmt;

/// The limits. [`Limits::DEFAULT`] is what every reader uses; the fields are public so a
/// caller (a test, a fuzz target) can tighten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input read at all (file, stdin, archived body), in bytes. 256 MiB: the largest
    /// real report attachments (scanned PDFs) are tens of megabytes.
    pub max_input_bytes: u64,
    /// Largest text or HTML input, in bytes (text is expanded several times while it is
    /// normalised and split into lines). 64 MiB; a real report page is under 2 MiB.
    pub max_text_bytes: u64,
    /// Deepest element nesting an HTML parser is shown; deeper elements are flattened (their
    /// tags dropped, their text kept) by [`crate::html_guard`]. 256; real pages nest < 60.
    pub max_html_depth: usize,
    /// Deepest XML element nesting in Office parts (DOCX, XLSX, ODS). 512.
    pub max_xml_depth: usize,
    /// Entries in one zip container (DOCX/XLSX/ODS). 10,000.
    pub max_zip_entries: usize,
    /// Largest decompressed size of one zip entry, in bytes. 128 MiB.
    pub max_zip_entry_bytes: u64,
    /// Largest decompressed size of all zip entries that are read, in bytes. 256 MiB.
    pub max_zip_total_bytes: u64,
    /// Largest compression ratio of one zip entry (decompressed / compressed), for entries
    /// above 1 MiB decompressed. 100; report XML compresses 5-30×, bombs up to 1000×.
    pub max_zip_ratio: u64,
    /// Cells of one sheet (declared dimension and the bounding box of the cells present).
    /// 2,000,000 (a report sheet has < 2,000).
    pub max_sheet_cells: u64,
    /// Shared strings of one workbook (declared count and the strings present). 1,000,000.
    pub max_shared_strings: u64,
    /// Pages of one PDF read (the rest are reported as not read). 500.
    pub max_pdf_pages: usize,
    /// Largest decompressed size of one PDF stream (content, object or xref stream). 64 MiB.
    pub max_pdf_stream_bytes: usize,
    /// Indirect objects of one PDF. 2,000,000.
    pub max_pdf_objects: usize,
    /// Content-stream operators interpreted per PDF page. 2,000,000.
    pub max_pdf_ops_per_page: usize,
    /// Glyphs kept per PDF page. 200,000.
    pub max_pdf_glyphs_per_page: usize,
    /// Nesting of PDF form XObjects (a form drawing a form ...). 8.
    pub max_pdf_form_depth: u32,
    /// Pixels of one image handed to OCR (width × height). 100 megapixels (an A4 page at
    /// 600 dpi is 35 megapixels).
    pub max_image_pixels: u64,
}

impl Limits {
    /// The limits every reader uses.
    pub const DEFAULT: Limits = Limits {
        max_input_bytes: 256 << 20,
        max_text_bytes: 64 << 20,
        max_html_depth: 256,
        max_xml_depth: 512,
        max_zip_entries: 10_000,
        max_zip_entry_bytes: 128 << 20,
        max_zip_total_bytes: 256 << 20,
        max_zip_ratio: 100,
        max_sheet_cells: 2_000_000,
        max_shared_strings: 1_000_000,
        max_pdf_pages: 500,
        max_pdf_stream_bytes: 64 << 20,
        max_pdf_objects: 2_000_000,
        max_pdf_ops_per_page: 2_000_000,
        max_pdf_glyphs_per_page: 200_000,
        max_pdf_form_depth: 8,
        max_image_pixels: 100_000_000,
    };

    /// Documented bound on peak memory per input: `MEMORY_MULTIPLE × input size +
    /// MEMORY_BASE` (text and HTML; for compressed formats read "decompressed size").
    pub const MEMORY_MULTIPLE: u64 = 12;
    /// Fixed part of the memory bound (program, tables, aligner), in bytes.
    pub const MEMORY_BASE: u64 = 64 << 20;

    /// Check the size of an input before it is read into memory.
    pub fn check_input(&self, len: u64) -> Result<(), LimitExceeded> {
        check("input size (bytes)", len, self.max_input_bytes)
    }

    /// Check the size of a text or HTML input.
    pub fn check_text(&self, len: u64) -> Result<(), LimitExceeded> {
        check("text input size (bytes)", len, self.max_text_bytes)
    }

    /// Check an image's declared dimensions before it is decoded (for OCR).
    pub fn check_image(&self, width: u64, height: u64) -> Result<(), LimitExceeded> {
        check(
            "image pixels",
            width.saturating_mul(height),
            self.max_image_pixels,
        )
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Return an error when `value` exceeds `max`.
pub fn check(what: &'static str, value: u64, max: u64) -> Result<(), LimitExceeded> {
    if value > max {
        Err(LimitExceeded { what, value, max })
    } else {
        Ok(())
    }
}

/// A limit was exceeded: the input is refused, not partly read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    /// Which limit (`"sheet cells"`, `"zip entry size (bytes)"`, ...).
    pub what: &'static str,
    /// The value found or declared.
    pub value: u64,
    /// The limit.
    pub max: u64,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "limit exceeded: {} is {} (limit {})",
            self.what, self.value, self.max
        )
    }
}

impl std::error::Error for LimitExceeded {}

/// The prefix every limit error message starts with; the dataset step quarantines inputs
/// whose error starts with it.
pub const LIMIT_PREFIX: &str = "limit exceeded:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_what_was_exceeded() {
        let l = Limits::DEFAULT;
        assert!(l.check_input(1000).is_ok());
        let e = l.check_input(1 << 40).unwrap_err();
        assert!(e.to_string().starts_with(LIMIT_PREFIX), "{e}");
        assert!(e.to_string().contains("input size"), "{e}");
        assert!(l.check_image(20_000, 20_000).is_err());
        assert!(l.check_image(4960, 7016).is_ok());
    }
}
