//! # nianbao-ocr: report tables published as images, read back as words with boxes
//!
//! Reports are often posted as pictures (图片版: the tables are a PNG in the page) or as
//! scanned PDFs. This crate turns such an image into [`OcrPage`]: the words Tesseract reads,
//! each with its pixel box, and the table's ruling lines found in the pixels. The PDF layout
//! step of `nianbao-documents` turns those into table rows exactly as it does for a PDF's
//! own glyphs and rules.
//!
//! * **Decoding** ([`decode`]): PNG/JPEG/GIF/BMP/TIFF/WebP through `image`, the raw pixel
//!   streams of PDFs (8-bit gray/RGB/CMYK, 1-bit) and CCITT G3/G4 through `fax`. The
//!   dimensions are read before any pixel is decoded and capped ([`Limits::max_pixels`]), so
//!   a small file that claims a huge image costs nothing.
//! * **Rules** ([`rules`]): long dark runs are table rules; they are given to the layout and
//!   erased from the image before recognition (Tesseract reads cells better without them).
//! * **Recognition** ([`tesseract`]): the `tesseract` program with the simplified-Chinese
//!   model, found at run time (`NIANBAO_TESSERACT` names another program, `none` disables
//!   it), TSV output. Without it, [`Tesseract::find`] is `None` and callers flag the report
//!   `ocr_unavailable`.
//!
//! Why the program and not a binding: a binding crate (`tesseract`/`leptess`) needs
//! libtesseract and libleptonica headers and clang at build time, so the whole workspace would
//! stop building on a machine without them; the program is one optional run-time dependency,
//! and its TSV output carries every word's box, which is all the layout needs. A process per
//! page costs ~50 ms against 1-4 s of recognition.

#![warn(missing_docs)]

pub mod cells;
pub mod decode;
pub mod rules;
pub mod tesseract;

pub use decode::{GrayImage, Limits};
pub use rules::Rule;
pub use tesseract::{Tesseract, Word};

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// No usable `tesseract` program (or no `chi_sim` model) on this machine.
    #[error("OCR unavailable: no tesseract program with the chi_sim model")]
    Unavailable,
    /// The image is larger than the pixel cap; nothing was decoded.
    #[error("image of {width}×{height} pixels exceeds the cap of {cap} pixels")]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
        /// The cap.
        cap: u64,
    },
    /// The image bytes could not be decoded.
    #[error("cannot decode image: {0}")]
    Decode(String),
    /// The tesseract program failed or timed out.
    #[error("tesseract failed: {0}")]
    Tesseract(String),
}

/// One recognised image: its size, the words with their boxes and the ruling lines, all in
/// the pixels of the image as given.
#[derive(Debug, Clone, Default)]
pub struct OcrPage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Words in Tesseract's reading order.
    pub words: Vec<Word>,
    /// Table rules found in the pixels.
    pub rules: Vec<Rule>,
}

/// Below this width an image is enlarged before recognition: report pictures posted on web
/// pages are often ~100 dpi, and Tesseract wants text at least ~20 px high.
const UPSCALE_BELOW_WIDTH: u32 = 1400;

impl Tesseract {
    /// Recognise a decoded image: find and erase its rules, enlarge it when small, run
    /// Tesseract, and return words and rules in the image's own pixels.
    pub fn read_gray(&self, mut img: GrayImage, limits: &Limits) -> Result<OcrPage, OcrError> {
        let (width, height) = img.dimensions();
        let rules = rules::find_rules(&img);
        rules::erase_rules(&mut img, &rules);
        let scale: u32 = if width < UPSCALE_BELOW_WIDTH { 2 } else { 1 };
        let big = u64::from(width * scale) * u64::from(height * scale);
        let (img, scale) = if scale > 1 && big <= limits.max_pixels {
            let up = image::imageops::resize(
                &img,
                width * scale,
                height * scale,
                image::imageops::FilterType::Triangle,
            );
            (up, scale)
        } else {
            (img, 1)
        };
        let mut words = self.recognise(&img)?;
        self.reread_numbers(&img, &rules, scale, &mut words);
        if scale > 1 {
            for w in &mut words {
                w.left /= scale;
                w.top /= scale;
                w.width = w.width.div_ceil(scale);
                w.height = w.height.div_ceil(scale);
            }
        }
        Ok(OcrPage {
            width,
            height,
            words,
            rules,
        })
    }

    /// The second reading of closed grid cells ([`cells`]); `img` is the image recognised,
    /// `scale` times the pixels `rules` are in. A failed run leaves the page reading alone.
    fn reread_numbers(&self, img: &GrayImage, rules: &[Rule], scale: u32, words: &mut Vec<Word>) {
        let grid: Vec<cells::Cell> = cells::closed_cells(rules)
            .into_iter()
            .map(|c| cells::Cell {
                x0: c.x0 * scale,
                y0: c.y0 * scale,
                x1: c.x1 * scale,
                y1: c.y1 * scale,
            })
            .collect();
        let (kept, crops): (Vec<cells::Cell>, Vec<GrayImage>) = grid
            .iter()
            .filter_map(|c| cells::crop(img, c).map(|i| (*c, i)))
            .unzip();
        let Ok(read) = self.recognise_numbers(&crops) else {
            return;
        };
        let texts = self.recognise_cells(&crops).unwrap_or_default();
        let offset = |c: &cells::Cell, w: &Word| Word {
            left: (c.x0 + cells::INSET + w.left).saturating_sub(cells::MARGIN),
            top: (c.y0 + cells::INSET + w.top).saturating_sub(cells::MARGIN),
            ..w.clone()
        };
        let labels: Vec<Vec<Word>> = kept
            .iter()
            .enumerate()
            .map(|(i, c)| {
                texts
                    .get(i)
                    .map(|ws| ws.iter().map(|w| offset(c, w)).collect())
                    .unwrap_or_default()
            })
            .collect();
        let numbers: Vec<Option<Word>> = kept
            .iter()
            .zip(&read)
            .map(|(c, ws)| {
                let text: String = ws.iter().map(|w| w.text.as_str()).collect();
                let conf = ws.iter().map(|w| w.conf).fold(f32::MAX, f32::min);
                (cells::is_number(&text) && conf >= 60.0).then(|| {
                    let left = ws.iter().map(|w| w.left).min().unwrap_or(0);
                    let top = ws.iter().map(|w| w.top).min().unwrap_or(0);
                    let right = ws.iter().map(|w| w.left + w.width).max().unwrap_or(0);
                    let bottom = ws.iter().map(|w| w.top + w.height).max().unwrap_or(0);
                    // Crop offsets: the cell inset and the white margin (see cells::crop).
                    let ox = (c.x0 + cells::INSET).saturating_sub(cells::MARGIN);
                    let oy = (c.y0 + cells::INSET).saturating_sub(cells::MARGIN);
                    Word {
                        text,
                        left: ox + left,
                        top: oy + top,
                        width: right.saturating_sub(left).max(1),
                        height: bottom.saturating_sub(top).max(1),
                        conf,
                    }
                })
            })
            .collect();
        cells::merge(words, &kept, &numbers, &labels);
    }

    /// Decode image file bytes (PNG, JPEG, ...) under the pixel cap and recognise them.
    pub fn read_image(&self, bytes: &[u8], limits: &Limits) -> Result<OcrPage, OcrError> {
        let img = decode::decode_image(bytes, limits)?;
        self.read_gray(img, limits)
    }
}
