//! A small content-stream interpreter: it follows the graphics and text state far enough to
//! place every glyph (text matrix, CTM, font size, character/word spacing, horizontal
//! scaling, rise, TJ adjustments, vertical writing), to collect straight ruling lines
//! (stroked segments and thin filled rectangles) and to measure images. Everything else
//! (colour, clipping, shading) is ignored.

use super::fonts::{deref, get, num, Font};
use super::Limits;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;
use std::rc::Rc;

/// An affine matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix([f32; 6]);

impl Matrix {
    pub(crate) const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other` (apply self first, then other), as in the PDF spec.
    fn mul(&self, o: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() < 6 {
            return None;
        }
        let mut m = [0.0f32; 6];
        for (k, o) in ops.iter().take(6).enumerate() {
            m[k] = num(o)?;
        }
        Some(Matrix(m))
    }
}

/// A placed glyph in page space (PDF user space, y up).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub text: String,
    /// Left and right edge.
    pub x0: f32,
    pub x1: f32,
    /// Baseline (horizontal) or glyph centre line (vertical writing).
    pub y: f32,
    /// Font size in page units.
    pub size: f32,
    /// Written in vertical mode.
    pub vertical: bool,
}

/// A straight ruling line in page space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Segment {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// Everything the layout step needs from one page.
#[derive(Debug, Default)]
pub(crate) struct PageItems {
    pub glyphs: Vec<Glyph>,
    pub segments: Vec<Segment>,
    /// Sum of the areas of the images drawn on the page (page units²).
    pub image_area: f32,
    pub images: u32,
    /// Characters without a Unicode mapping.
    pub unmapped: u32,
}

#[derive(Clone)]
struct GState<'d> {
    ctm: Matrix,
    font: Option<Rc<Font<'d>>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    hscale: f32,
    leading: f32,
    rise: f32,
}

/// Fonts read so far by dictionary address. Pages of one document share their fonts, so one
/// cache serves the whole document: a font (and its ToUnicode CMap) is parsed once, not once
/// per page.
pub(crate) type FontCache<'d> = HashMap<usize, Rc<Font<'d>>>;

fn unmapped_total(fonts: &FontCache) -> u32 {
    fonts.values().map(|f| *f.unmapped.borrow()).sum()
}

/// Interpret one page. `res` is the page's resource dictionary; `fonts` the document's fonts.
pub(crate) fn interpret_page<'d>(
    doc: &'d Document,
    content: &[u8],
    res: Option<&'d Dictionary>,
    limits: &'d Limits,
    fonts: &mut FontCache<'d>,
) -> Result<PageItems, String> {
    let mut items = PageItems::default();
    let before = unmapped_total(fonts);
    let mut ctx = Ctx {
        doc,
        limits,
        items: &mut items,
        ops: 0,
        fonts,
    };
    ctx.run(content, res, Matrix::IDENTITY, 0)?;
    let after = unmapped_total(ctx.fonts);
    items.unmapped = after.saturating_sub(before);
    Ok(items)
}

struct Ctx<'d, 'i> {
    doc: &'d Document,
    limits: &'d Limits,
    items: &'i mut PageItems,
    ops: usize,
    /// Fonts by dictionary address, shared across the pages and forms of the document.
    fonts: &'i mut FontCache<'d>,
}

impl<'d> Ctx<'d, '_> {
    fn font_for(&mut self, res: Option<&'d Dictionary>, key: &[u8]) -> Option<Rc<Font<'d>>> {
        let fonts = res
            .and_then(|r| get(self.doc, r, b"Font"))
            .and_then(|o| o.as_dict().ok())?;
        let dict = get(self.doc, fonts, key).and_then(|o| o.as_dict().ok())?;
        let addr = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&addr) {
            return Some(f.clone());
        }
        let font = Rc::new(Font::new(self.doc, dict));
        self.fonts.insert(addr, font.clone());
        Some(font)
    }

    fn run(
        &mut self,
        content: &[u8],
        res: Option<&'d Dictionary>,
        base: Matrix,
        depth: u32,
    ) -> Result<(), String> {
        if depth > self.limits.max_pdf_form_depth {
            return Ok(());
        }
        let content = Content::decode(content).map_err(|e| format!("content stream: {e}"))?;
        let mut gs = GState {
            ctm: base,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut stack: Vec<GState<'d>> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let mut path: Vec<Segment> = Vec::new();
        let mut rects: Vec<(f32, f32, f32, f32)> = Vec::new();
        let mut cur = (0.0f32, 0.0f32);
        let mut start = (0.0f32, 0.0f32);

        for op in &content.operations {
            self.ops += 1;
            if self.ops > self.limits.max_pdf_ops_per_page {
                return Err("too many content operations on one page".into());
            }
            let o = &op.operands;
            let f = |i: usize| o.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(o) {
                        gs.ctm = m.mul(&gs.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let Some(Object::Name(key)) = o.first() {
                        gs.font = self.font_for(res, key);
                    }
                    gs.size = f(1);
                }
                "Tc" => gs.char_spacing = f(0),
                "Tw" => gs.word_spacing = f(0),
                "Tz" => gs.hscale = f(0) / 100.0,
                "TL" => gs.leading = f(0),
                "Ts" => gs.rise = f(0),
                "Td" => {
                    tlm = Matrix::translate(f(0), f(1)).mul(&tlm);
                    tm = tlm;
                }
                "TD" => {
                    gs.leading = -f(1);
                    tlm = Matrix::translate(f(0), f(1)).mul(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(o) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = o.first() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "'" | "\"" => {
                    if op.operator == "\"" {
                        gs.word_spacing = f(0);
                        gs.char_spacing = f(1);
                    }
                    tlm = Matrix::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = o.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        for it in items {
                            match it {
                                Object::String(s, _) => self.show(&gs, &mut tm, s),
                                other => {
                                    if let Some(adj) = num(other) {
                                        let tx = -adj / 1000.0 * gs.size * gs.hscale;
                                        let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                        tm = if vertical {
                                            Matrix::translate(0.0, -adj / 1000.0 * gs.size).mul(&tm)
                                        } else {
                                            Matrix::translate(tx, 0.0).mul(&tm)
                                        };
                                    }
                                }
                            }
                        }
                    }
                }
                "m" => {
                    cur = gs.ctm.apply(f(0), f(1));
                    start = cur;
                }
                "l" => {
                    let p = gs.ctm.apply(f(0), f(1));
                    if path.len() < 100_000 {
                        path.push(Segment {
                            x0: cur.0,
                            y0: cur.1,
                            x1: p.0,
                            y1: p.1,
                        });
                    }
                    cur = p;
                }
                "c" => cur = gs.ctm.apply(f(4), f(5)),
                "v" | "y" => cur = gs.ctm.apply(f(2), f(3)),
                "h" => {
                    if path.len() < 100_000 {
                        path.push(Segment {
                            x0: cur.0,
                            y0: cur.1,
                            x1: start.0,
                            y1: start.1,
                        });
                    }
                    cur = start;
                }
                "re" => {
                    let (x, y, w, h) = (f(0), f(1), f(2), f(3));
                    let p0 = gs.ctm.apply(x, y);
                    let p1 = gs.ctm.apply(x + w, y + h);
                    if rects.len() < 100_000 {
                        rects.push((
                            p0.0.min(p1.0),
                            p0.1.min(p1.1),
                            p0.0.max(p1.0),
                            p0.1.max(p1.1),
                        ));
                    }
                    cur = gs.ctm.apply(x, y);
                    start = cur;
                }
                "S" | "s" => {
                    self.emit_stroke(&path, &rects);
                    path.clear();
                    rects.clear();
                }
                "f" | "F" | "f*" => {
                    self.emit_fill(&path, &rects);
                    path.clear();
                    rects.clear();
                }
                "B" | "B*" | "b" | "b*" => {
                    self.emit_stroke(&path, &rects);
                    path.clear();
                    rects.clear();
                }
                "n" => {
                    path.clear();
                    rects.clear();
                }
                "Do" => {
                    if let Some(Object::Name(key)) = o.first() {
                        self.xobject(res, key, gs.ctm, depth)?;
                    }
                }
                "BI" | "EI" => {
                    self.image(gs.ctm);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn emit_stroke(&mut self, path: &[Segment], rects: &[(f32, f32, f32, f32)]) {
        let segs = &mut self.items.segments;
        for s in path {
            if segs.len() < 50_000 {
                segs.push(*s);
            }
        }
        for &(x0, y0, x1, y1) in rects {
            if segs.len() + 4 > 50_000 {
                break;
            }
            segs.push(Segment { x0, y0, x1, y1: y0 });
            segs.push(Segment { x0, y0: y1, x1, y1 });
            segs.push(Segment { x0, y0, x1: x0, y1 });
            segs.push(Segment { x0: x1, y0, x1, y1 });
        }
    }

    /// Filled shapes count as rules only when they are thin (table borders drawn as
    /// rectangles); a cell's background fill contributes its edges too (only when small).
    fn emit_fill(&mut self, path: &[Segment], rects: &[(f32, f32, f32, f32)]) {
        let segs = &mut self.items.segments;
        for &(x0, y0, x1, y1) in rects {
            if segs.len() + 1 > 50_000 {
                break;
            }
            let (w, h) = (x1 - x0, y1 - y0);
            if h <= 2.5 && w > h {
                let y = (y0 + y1) / 2.0;
                segs.push(Segment {
                    x0,
                    y0: y,
                    x1,
                    y1: y,
                });
            } else if w <= 2.5 && h > w {
                let x = (x0 + x1) / 2.0;
                segs.push(Segment {
                    x0: x,
                    y0,
                    x1: x,
                    y1,
                });
            }
        }
        // A filled polygon made of straight edges: thin ones are rules too.
        if !path.is_empty() && path.len() <= 8 {
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for s in path {
                x0 = x0.min(s.x0).min(s.x1);
                x1 = x1.max(s.x0).max(s.x1);
                y0 = y0.min(s.y0).min(s.y1);
                y1 = y1.max(s.y0).max(s.y1);
            }
            let (w, h) = (x1 - x0, y1 - y0);
            if h <= 2.5 && w > h && segs.len() < 50_000 {
                let y = (y0 + y1) / 2.0;
                segs.push(Segment {
                    x0,
                    y0: y,
                    x1,
                    y1: y,
                });
            } else if w <= 2.5 && h > w && segs.len() < 50_000 {
                let x = (x0 + x1) / 2.0;
                segs.push(Segment {
                    x0: x,
                    y0,
                    x1: x,
                    y1,
                });
            }
        }
    }

    fn image(&mut self, ctm: Matrix) {
        let (x0, y0) = ctm.apply(0.0, 0.0);
        let (x1, y1) = ctm.apply(1.0, 1.0);
        let area = ((x1 - x0) * (y1 - y0)).abs();
        if area.is_finite() {
            self.items.image_area += area;
        }
        self.items.images += 1;
    }

    fn xobject(
        &mut self,
        res: Option<&'d Dictionary>,
        key: &[u8],
        ctm: Matrix,
        depth: u32,
    ) -> Result<(), String> {
        let doc = self.doc;
        let Some(xobjs) = res
            .and_then(|r| get(doc, r, b"XObject"))
            .and_then(|o| o.as_dict().ok())
        else {
            return Ok(());
        };
        let Some(stream) = get(doc, xobjs, key).and_then(|o| o.as_stream().ok()) else {
            return Ok(());
        };
        let subtype = get(doc, &stream.dict, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"");
        match subtype {
            b"Image" => self.image(ctm),
            b"Form" => {
                let m = get(doc, &stream.dict, b"Matrix")
                    .and_then(|o| o.as_array().ok())
                    .and_then(|a| {
                        let v: Vec<Object> = a.iter().map(|x| deref(doc, x).clone()).collect();
                        Matrix::from_operands(&v)
                    })
                    .unwrap_or(Matrix::IDENTITY);
                let form_res = get(doc, &stream.dict, b"Resources")
                    .and_then(|o| o.as_dict().ok())
                    .or(res);
                let data = stream
                    .decompressed_content_with_limit(self.limits.max_pdf_stream_bytes)
                    .or_else(|_| {
                        if stream.dict.get(b"Filter").is_err() {
                            Ok(stream.content.clone())
                        } else {
                            Err(())
                        }
                    })
                    .map_err(|_| "form XObject could not be decompressed".to_string());
                if let Ok(data) = data {
                    self.run(&data, form_res, m.mul(&ctm), depth + 1)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn show(&mut self, gs: &GState<'d>, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else { return };
        let size = gs.size;
        for code in font.decode(bytes) {
            let trm = Matrix([size * gs.hscale, 0.0, 0.0, size, 0.0, gs.rise])
                .mul(tm)
                .mul(&gs.ctm);
            let w = code.width / 1000.0;
            let spacing = gs.char_spacing
                + if code.is_space_byte {
                    gs.word_spacing
                } else {
                    0.0
                };
            if font.vertical {
                // Vertical writing: origin at the top centre of the glyph, advance downwards.
                let (cx, cy) = trm.apply(0.0, -0.5);
                let (lx, _) = trm.apply(-0.5, -0.5);
                let (rx, _) = trm.apply(0.5, -0.5);
                let dev_size = vec_len(&trm, 0.0, 1.0);
                self.push_glyph(Glyph {
                    text: code.text,
                    x0: lx.min(rx),
                    x1: lx.max(rx),
                    y: cy,
                    size: dev_size,
                    vertical: true,
                });
                let _ = cx;
                let ty = -(size + spacing);
                *tm = Matrix::translate(0.0, ty).mul(tm);
            } else {
                let (x0, y0) = trm.apply(0.0, 0.0);
                let (x1, _) = trm.apply(w, 0.0);
                let dev_size = vec_len(&trm, 0.0, 1.0);
                self.push_glyph(Glyph {
                    text: code.text,
                    x0: x0.min(x1),
                    x1: x0.max(x1),
                    y: y0,
                    size: dev_size,
                    vertical: false,
                });
                let tx = (w * size + spacing) * gs.hscale;
                *tm = Matrix::translate(tx, 0.0).mul(tm);
            }
        }
    }

    fn push_glyph(&mut self, g: Glyph) {
        if g.text.trim().is_empty() || !g.x0.is_finite() || !g.y.is_finite() {
            return;
        }
        if self.items.glyphs.len() < self.limits.max_pdf_glyphs_per_page {
            self.items.glyphs.push(g);
        }
    }
}

fn vec_len(m: &Matrix, x: f32, y: f32) -> f32 {
    let [a, b, c, d, _, _] = m.0;
    let (vx, vy) = (a * x + c * y, b * x + d * y);
    (vx * vx + vy * vy).sqrt()
}
