//! Table rules in the pixels: long, thin runs of dark pixels. They tell the layout where the
//! cells are (so a blank cell stays blank), and are erased before recognition.

use crate::decode::GrayImage;

/// A ruling line: the pixel box it covers (inclusive start, exclusive end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Left edge.
    pub x0: u32,
    /// Top edge.
    pub y0: u32,
    /// Right edge (exclusive).
    pub x1: u32,
    /// Bottom edge (exclusive).
    pub y1: u32,
}

impl Rule {
    /// Wider than high.
    pub fn is_horizontal(&self) -> bool {
        self.x1 - self.x0 >= self.y1 - self.y0
    }
}

/// Darker than this is ink.
const INK: u8 = 160;
/// Light pixels a run may jump (anti-aliasing, JPEG noise, a broken print).
const GAP: u32 = 2;

/// Runs `(line, from, to)` of ink along each of `lines` lines of `len` pixels, at least
/// `min_len` long.
fn runs(
    lines: u32,
    len: u32,
    min_len: u32,
    ink: impl Fn(u32, u32) -> bool,
) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    for l in 0..lines {
        let mut start: Option<u32> = None;
        let mut last_ink = 0u32;
        for p in 0..=len {
            let is_ink = p < len && ink(l, p);
            if is_ink {
                if start.is_none() {
                    start = Some(p);
                }
                last_ink = p;
            } else if let Some(s) = start {
                if p >= len || p - last_ink > GAP {
                    if last_ink + 1 - s >= min_len {
                        out.push((l, s, last_ink + 1));
                    }
                    start = None;
                }
            }
        }
    }
    out
}

/// Join runs on neighbouring lines that overlap into thick rules; keep the thin ones.
fn join(mut rs: Vec<(u32, u32, u32)>, max_thick: u32) -> Vec<(u32, u32, u32, u32)> {
    // (line0, line1 exclusive, from, to)
    let mut groups: Vec<(u32, u32, u32, u32)> = Vec::new();
    rs.sort_by_key(|r| r.0);
    for (l, a, b) in rs {
        let hit = groups
            .iter_mut()
            .rev()
            .take(64)
            .find(|g| g.1 >= l && g.1 <= l + 1 && a < g.3 && b > g.2);
        match hit {
            Some(g) => {
                g.1 = l + 1;
                g.2 = g.2.min(a);
                g.3 = g.3.max(b);
            }
            None => groups.push((l, l + 1, a, b)),
        }
    }
    groups.retain(|g| g.1 - g.0 <= max_thick);
    groups
}

/// The horizontal and vertical rules of an image. A rule is at least 1/30 of the image's
/// width (or height), and at least 40 px, long: longer than any stroke of a character.
pub fn find_rules(img: &GrayImage) -> Vec<Rule> {
    let (w, h) = img.dimensions();
    let ink = |x: u32, y: u32| img.get_pixel(x, y).0[0] < INK;
    let max_thick = (w.max(h) / 250).max(6);
    let min_h = (w / 30).max(40);
    let min_v = (h / 40).max(40);
    let mut out = Vec::new();
    for (y0, y1, x0, x1) in join(runs(h, w, min_h, |y, x| ink(x, y)), max_thick) {
        out.push(Rule { x0, y0, x1, y1 });
    }
    for (x0, x1, y0, y1) in join(runs(w, h, min_v, ink), max_thick) {
        out.push(Rule { x0, y0, x1, y1 });
    }
    out
}

/// Paint the rules white (one pixel wider on each side, for anti-aliasing).
pub fn erase_rules(img: &mut GrayImage, rules: &[Rule]) {
    let (w, h) = img.dimensions();
    for r in rules {
        for y in r.y0.saturating_sub(1)..(r.y1 + 1).min(h) {
            for x in r.x0.saturating_sub(1)..(r.x1 + 1).min(w) {
                img.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_gives_its_rules_and_text_strokes_are_not_rules() {
        let mut img = GrayImage::from_pixel(400, 300, image::Luma([255]));
        for x in 10..390 {
            for y in [20u32, 21, 150, 280] {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        for y in 20..281 {
            for x in [10u32, 200, 389] {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        // A short horizontal stroke (一) inside a cell.
        for x in 50..75 {
            img.put_pixel(x, 80, image::Luma([0]));
        }
        let rules = find_rules(&img);
        let hs = rules.iter().filter(|r| r.is_horizontal()).count();
        assert_eq!(hs, 3, "{rules:?}");
        assert_eq!(rules.len() - hs, 3, "{rules:?}");
        erase_rules(&mut img, &rules);
        assert_eq!(img.get_pixel(100, 150).0[0], 255);
        assert_eq!(img.get_pixel(60, 80).0[0], 0, "the stroke stays");
    }
}
