//! Pixels from image files and from the image streams of scanned PDFs, always under a pixel
//! cap checked before decoding.

use crate::OcrError;
use std::io::Cursor;

/// An 8-bit grayscale image (0 = black).
pub type GrayImage = image::GrayImage;

/// Bounds on what an image may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most pixels an image may have (width × height), checked before decoding. The default,
    /// 60 million, is an A3 page at 400 dpi; a report page at 300 dpi is ~9 million.
    pub max_pixels: u64,
    /// Longest a tesseract run may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 60_000_000,
            timeout_secs: 120,
        }
    }
}

fn check(width: u64, height: u64, limits: &Limits) -> Result<(), OcrError> {
    if width == 0 || height == 0 {
        return Err(OcrError::Decode("empty image".into()));
    }
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(OcrError::TooLarge {
            width,
            height,
            cap: limits.max_pixels,
        });
    }
    Ok(())
}

fn decode_err(e: impl std::fmt::Display) -> OcrError {
    OcrError::Decode(e.to_string())
}

/// Decode an image file (PNG, JPEG, GIF, BMP, TIFF, WebP, PNM) to gray. The header's
/// dimensions are checked against the cap first, and the decoder's own allocation limit is
/// set to match.
pub fn decode_image(bytes: &[u8], limits: &Limits) -> Result<GrayImage, OcrError> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(decode_err)?;
    let (w, h) = reader.into_dimensions().map_err(decode_err)?;
    check(u64::from(w), u64::from(h), limits)?;
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(decode_err)?;
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(w);
    lim.max_image_height = Some(h);
    // RGBA16 is the widest buffer a decoder may need.
    lim.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(lim);
    let img = reader.decode().map_err(decode_err)?;
    Ok(img.to_luma8())
}

/// How the samples of a raw (already unfiltered) PDF image stream are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawLayout {
    /// One sample per pixel (DeviceGray, or an indexed image read as gray).
    Gray,
    /// DeviceRGB.
    Rgb,
    /// DeviceCMYK.
    Cmyk,
}

/// Pixels of a raw PDF image stream (after Flate/LZW and predictors): `bits` per component
/// 1, 2, 4, 8 or 16, rows padded to whole bytes. `decode_inverted` is the `/Decode [1 0]`
/// of 1-bit images (1 = black).
pub fn from_raw(
    data: &[u8],
    width: u32,
    height: u32,
    layout: RawLayout,
    bits: u8,
    decode_inverted: bool,
    limits: &Limits,
) -> Result<GrayImage, OcrError> {
    check(u64::from(width), u64::from(height), limits)?;
    let comps: usize = match layout {
        RawLayout::Gray => 1,
        RawLayout::Rgb => 3,
        RawLayout::Cmyk => 4,
    };
    if !matches!(bits, 1 | 2 | 4 | 8 | 16) {
        return Err(OcrError::Decode(format!("{bits} bits per component")));
    }
    let (w, h) = (width as usize, height as usize);
    let row_bits = w * comps * bits as usize;
    let row_bytes = row_bits.div_ceil(8);
    if data.len() < row_bytes * h {
        return Err(OcrError::Decode(format!(
            "image stream holds {} bytes, {w}×{h} needs {}",
            data.len(),
            row_bytes * h
        )));
    }
    let max = ((1u32 << bits.min(16)) - 1) as f32;
    let sample = |row: &[u8], i: usize| -> f32 {
        let v = match bits {
            8 => u32::from(row[i]),
            16 => u32::from(row[2 * i]) << 8 | u32::from(row[2 * i + 1]),
            b => {
                let bit = i * b as usize;
                let byte = row[bit / 8];
                let shift = 8 - b as usize - (bit % 8);
                u32::from(byte >> shift) & ((1 << b) - 1)
            }
        };
        v as f32 / max
    };
    let mut out = GrayImage::new(width, height);
    for (y, row) in data.chunks(row_bytes).take(h).enumerate() {
        for x in 0..w {
            let i = x * comps;
            let lum = match layout {
                RawLayout::Gray => {
                    let v = sample(row, i);
                    if decode_inverted {
                        1.0 - v
                    } else {
                        v
                    }
                }
                RawLayout::Rgb => {
                    0.299 * sample(row, i) + 0.587 * sample(row, i + 1) + 0.114 * sample(row, i + 2)
                }
                RawLayout::Cmyk => {
                    let k = sample(row, i + 3);
                    let c = 0.299 * sample(row, i)
                        + 0.587 * sample(row, i + 1)
                        + 0.114 * sample(row, i + 2);
                    (1.0 - c) * (1.0 - k)
                }
            };
            out.put_pixel(
                x as u32,
                y as u32,
                image::Luma([(lum * 255.0).round() as u8]),
            );
        }
    }
    Ok(out)
}

/// Pixels of a CCITTFaxDecode stream: `k` < 0 is Group 4, otherwise Group 3. `inverted`
/// swaps black and white: the stream's `/BlackIs1 true`, or an image `/Decode [1 0]` (both
/// together cancel out).
pub fn from_ccitt(
    data: &[u8],
    width: u32,
    height: u32,
    k: i64,
    inverted: bool,
    limits: &Limits,
) -> Result<GrayImage, OcrError> {
    check(u64::from(width), u64::from(height), limits)?;
    let mut out = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut y = 0u32;
    let mut line = |transitions: &[u32]| {
        if y >= height {
            return;
        }
        for (x, c) in fax::decoder::pels(transitions, width).enumerate() {
            let black = matches!(c, fax::Color::Black) != inverted;
            if black {
                out.put_pixel(x as u32, y, image::Luma([0]));
            }
        }
        y += 1;
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), width, Some(height), &mut line)
    } else {
        fax::decoder::decode_g3(data.iter().copied(), &mut line)
    };
    if ok.is_none() && y == 0 {
        return Err(OcrError::Decode("broken CCITT stream".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_checked_before_decoding() {
        // A PGM header claiming 100000×100000 pixels, no pixel data.
        let png = b"P5\n100000 100000\n255\n".to_vec();
        let err = decode_image(&png, &Limits::default());
        assert!(matches!(err, Err(OcrError::TooLarge { .. })), "{err:?}");
    }

    #[test]
    fn raw_one_bit_and_rgb() {
        let lim = Limits::default();
        // 1-bit, 0 = black: first pixel black, rest white.
        let g = from_raw(&[0b0111_1111], 8, 1, RawLayout::Gray, 1, false, &lim);
        let g = g.unwrap_or_default();
        assert_eq!(g.get_pixel(0, 0).0[0], 0);
        assert_eq!(g.get_pixel(1, 0).0[0], 255);
        let g = from_raw(
            &[255, 255, 255, 0, 0, 0],
            2,
            1,
            RawLayout::Rgb,
            8,
            false,
            &lim,
        )
        .unwrap_or_default();
        assert_eq!((g.get_pixel(0, 0).0[0], g.get_pixel(1, 0).0[0]), (255, 0));
        assert!(
            from_raw(&[0], 8, 2, RawLayout::Gray, 1, false, &lim).is_err(),
            "short data"
        );
    }
}
