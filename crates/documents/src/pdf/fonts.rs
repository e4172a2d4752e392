//! Fonts: turning the bytes of a PDF string into characters and advance widths.
//!
//! Decoding order, per font: a `/ToUnicode` CMap when present (lopdf parses it), else a
//! predefined Chinese CMap named in `/Encoding` (`UniGB-UCS2-H`/`UniGB-UTF16-H` are UTF-16BE,
//! the `GB*-EUC-H` family is GBK), else lopdf's simple encodings (WinAnsi, Differences, ...).
//! Widths come from `/W` + `/DW` for CID fonts and `/FirstChar` + `/Widths` for simple fonts.

use lopdf::{Dictionary, Document, Encoding, Object};
use std::cell::RefCell;
use std::collections::HashMap;

/// Largest number of explicit widths kept per font (a guard against absurd `/W` ranges).
const MAX_WIDTHS: usize = 70_000;

/// Follow references (bounded) to the object they point at.
pub(crate) fn deref<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..16 {
        match obj {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(o) => obj = o,
                Err(_) => return &Object::Null,
            },
            _ => return obj,
        }
    }
    &Object::Null
}

/// Look a key up in a dictionary and follow references.
pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

pub(crate) fn num(o: &Object) -> Option<f32> {
    o.as_float().ok().filter(|v| v.is_finite())
}

/// How many bytes make up one character code.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CodeLen {
    One,
    Two,
    /// GBK-style: a byte >= 0x81 starts a two-byte code.
    Gbk,
}

enum Decoder<'a> {
    Lopdf(Encoding<'a>),
    Utf16,
    Gbk,
    /// A CID font with neither a ToUnicode CMap nor a known CMap: characters are unknown.
    Unknown,
}

/// One decoded character code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Code {
    /// The text it stands for (may be empty or several chars).
    pub text: String,
    /// Advance width in thousandths of the font size.
    pub width: f32,
    /// A single-byte code 32, to which word spacing applies.
    pub is_space_byte: bool,
}

/// A font ready for decoding.
pub(crate) struct Font<'a> {
    decoder: Decoder<'a>,
    code_len: CodeLen,
    widths: HashMap<u32, f32>,
    default_width: f32,
    /// Vertical writing mode (an `-V` CMap): glyphs advance downwards.
    pub vertical: bool,
    /// Type 3 fonts scale widths by their FontMatrix.
    width_scale: f32,
    cache: RefCell<HashMap<u32, String>>,
    /// Codes that had no Unicode mapping.
    pub unmapped: RefCell<u32>,
}

impl<'a> Font<'a> {
    /// Build a font from its dictionary. Never fails: an unreadable font decodes to U+FFFD.
    pub(crate) fn new(doc: &'a Document, dict: &'a Dictionary) -> Font<'a> {
        let subtype = get(doc, dict, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"");
        let encoding_name: Option<&[u8]> =
            get(doc, dict, b"Encoding").and_then(|o| o.as_name().ok());
        let is_type0 = subtype == b"Type0";
        let vertical = encoding_name.is_some_and(|n| n.ends_with(b"-V"));
        let has_to_unicode = get(doc, dict, b"ToUnicode").is_some_and(|o| o.as_stream().is_ok());

        let code_len = match (is_type0, encoding_name) {
            (false, _) => CodeLen::One,
            (true, Some(n)) if is_gbk_cmap(n) => CodeLen::Gbk,
            (true, _) => CodeLen::Two,
        };

        let decoder = match encoding_name {
            Some(n)
                if is_type0
                    && (n.starts_with(b"UniGB-UCS2")
                        || n.starts_with(b"UniGB-UTF16")
                        || n.starts_with(b"UniCNS-UCS2")
                        || n.starts_with(b"UniCNS-UTF16")) =>
            {
                Decoder::Utf16
            }
            Some(n) if is_type0 && is_gbk_cmap(n) && !has_to_unicode => Decoder::Gbk,
            _ => lopdf_decoder(doc, dict, is_type0, has_to_unicode),
        };

        let mut font = Font {
            decoder,
            code_len,
            widths: HashMap::new(),
            default_width: if is_type0 { 1000.0 } else { 500.0 },
            vertical,
            width_scale: 1.0,
            cache: RefCell::new(HashMap::new()),
            unmapped: RefCell::new(0),
        };
        if is_type0 {
            font.read_cid_widths(doc, dict);
        } else {
            font.read_simple_widths(doc, dict);
            if subtype == b"Type3" {
                if let Some(m) = get(doc, dict, b"FontMatrix").and_then(|o| o.as_array().ok()) {
                    if let Some(a) = m.first().and_then(num) {
                        font.width_scale = (a * 1000.0).abs();
                    }
                }
            }
        }
        font
    }

    fn read_cid_widths(&mut self, doc: &'a Document, dict: &'a Dictionary) {
        let Some(desc) = get(doc, dict, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        else {
            return;
        };
        if let Some(dw) = get(doc, desc, b"DW").and_then(num) {
            self.default_width = dw;
        }
        let Some(w) = get(doc, desc, b"W").and_then(|o| o.as_array().ok()) else {
            return;
        };
        let mut i = 0;
        while i < w.len() && self.widths.len() < MAX_WIDTHS {
            let Some(first) = num(deref(doc, &w[i])) else {
                break;
            };
            let first = first.max(0.0) as u32;
            match w.get(i + 1).map(|o| deref(doc, o)) {
                Some(Object::Array(list)) => {
                    for (k, v) in list.iter().enumerate().take(MAX_WIDTHS) {
                        if let Some(v) = num(deref(doc, v)) {
                            self.widths.insert(first.saturating_add(k as u32), v);
                        }
                    }
                    i += 2;
                }
                Some(last) => {
                    let Some(last) = num(last) else { break };
                    let Some(v) = w.get(i + 2).map(|o| deref(doc, o)).and_then(num) else {
                        break;
                    };
                    let last = (last.max(0.0) as u32).min(first.saturating_add(MAX_WIDTHS as u32));
                    for c in first..=last {
                        self.widths.insert(c, v);
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }

    fn read_simple_widths(&mut self, doc: &'a Document, dict: &'a Dictionary) {
        if let Some(fd) = get(doc, dict, b"FontDescriptor").and_then(|o| o.as_dict().ok()) {
            if let Some(mw) = get(doc, fd, b"MissingWidth")
                .and_then(num)
                .filter(|w| *w > 0.0)
            {
                self.default_width = mw;
            }
        }
        let first = get(doc, dict, b"FirstChar")
            .and_then(num)
            .unwrap_or(0.0)
            .max(0.0) as u32;
        if let Some(ws) = get(doc, dict, b"Widths").and_then(|o| o.as_array().ok()) {
            for (k, v) in ws.iter().enumerate().take(256) {
                if let Some(v) = num(deref(doc, v)) {
                    self.widths.insert(first.saturating_add(k as u32), v);
                }
            }
        } else if let Some(base) = get(doc, dict, b"BaseFont").and_then(|o| o.as_name().ok()) {
            if base.windows(7).any(|w| w == b"Courier") {
                self.default_width = 600.0;
            }
        }
    }

    /// Split a string into codes and decode each.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Vec<Code> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let (code, n) = match self.code_len {
                CodeLen::One => (u32::from(bytes[i]), 1),
                CodeLen::Two if i + 1 < bytes.len() => {
                    ((u32::from(bytes[i]) << 8) | u32::from(bytes[i + 1]), 2)
                }
                CodeLen::Two => (u32::from(bytes[i]), 1),
                CodeLen::Gbk if bytes[i] >= 0x81 && i + 1 < bytes.len() => {
                    ((u32::from(bytes[i]) << 8) | u32::from(bytes[i + 1]), 2)
                }
                CodeLen::Gbk => (u32::from(bytes[i]), 1),
            };
            let text = self.text_of(code, &bytes[i..i + n]);
            let width = self
                .widths
                .get(&code)
                .copied()
                .unwrap_or(self.default_width)
                * self.width_scale;
            out.push(Code {
                text,
                width,
                is_space_byte: n == 1 && code == 32,
            });
            i += n;
        }
        out
    }

    fn text_of(&self, code: u32, raw: &[u8]) -> String {
        if let Some(s) = self.cache.borrow().get(&code) {
            return s.clone();
        }
        let s = match &self.decoder {
            Decoder::Lopdf(enc) => enc.bytes_to_string(raw).unwrap_or_default(),
            Decoder::Utf16 => encoding_rs::UTF_16BE
                .decode_without_bom_handling(raw)
                .0
                .into_owned(),
            Decoder::Gbk => encoding_rs::GBK
                .decode_without_bom_handling(raw)
                .0
                .into_owned(),
            Decoder::Unknown => "\u{fffd}".to_string(),
        };
        // Control characters other than whitespace carry no text.
        let s: String = s.chars().filter(|c| !c.is_control() || *c == ' ').collect();
        if s.contains('\u{fffd}') || (s.is_empty() && code != 0) {
            *self.unmapped.borrow_mut() += 1;
        }
        if self.cache.borrow().len() < MAX_WIDTHS {
            self.cache.borrow_mut().insert(code, s.clone());
        }
        s
    }
}

fn is_gbk_cmap(name: &[u8]) -> bool {
    name.starts_with(b"GB") && name.windows(3).any(|w| w == b"EUC")
}

fn lopdf_decoder<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    is_type0: bool,
    has_to_unicode: bool,
) -> Decoder<'a> {
    if is_type0 && !has_to_unicode {
        return Decoder::Unknown;
    }
    match dict.get_font_encoding(doc) {
        // lopdf returns an unusable "SimpleEncoding" for CMap names it does not know.
        Ok(Encoding::SimpleEncoding(name)) if name != b"WinAnsiEncoding" => {
            if has_to_unicode {
                to_unicode_only(doc, dict)
            } else {
                Decoder::Unknown
            }
        }
        Ok(enc) => Decoder::Lopdf(enc),
        Err(_) => Decoder::Unknown,
    }
}

/// A decoder from the ToUnicode CMap alone, for fonts whose `/Encoding` lopdf cannot use.
fn to_unicode_only<'a>(doc: &'a Document, dict: &'a Dictionary) -> Decoder<'a> {
    // lopdf exposes ToUnicode parsing only through `get_font_encoding`, which prefers
    // `/Encoding`; a copy of the dictionary without it makes lopdf read the CMap.
    let mut copy = dict.clone();
    copy.remove(b"Encoding");
    if let Ok(Object::Reference(id)) = dict.get(b"ToUnicode") {
        copy.set("ToUnicode", Object::Reference(*id));
    }
    match copy.get_font_encoding(doc) {
        Ok(Encoding::UnicodeMapEncoding(cmap)) => {
            Decoder::Lopdf(Encoding::UnicodeMapEncoding(cmap))
        }
        _ => Decoder::Unknown,
    }
}
