//! Bytes to text: the one charset decision of the project.
//!
//! Order of evidence: a byte-order mark, then the charset the caller was told (the HTTP
//! `Content-Type` header, given whole or as a bare label: [`content_type_charset`] is the one
//! parser of it), then a declaration in the first bytes (`<meta charset>`, `http-equiv`), then
//! detection with chardetng. GBK and GB2312 labels decode with encoding_rs' GBK decoder,
//! which is the full GB18030 decoder, so 4-byte sequences survive.
//!
//! A label is a claim, not a fact: servers send GBK pages as UTF-8 and the reverse, and one
//! stray byte makes a UTF-8 report invalid UTF-8, after which detection guesses windows-1252.
//! So a declared or detected charset whose text has decode errors or no CJK at all is checked
//! against the alternatives (UTF-8, GB18030, Big5) by evidence: fewest malformed sequences,
//! then the original claim, then chardetng's guess, then most CJK. Text that is nearly valid
//! UTF-8 (at least 16 valid 3-byte characters per malformed sequence) is UTF-8. The decision,
//! the overruled claim and the number of malformed sequences are kept in [`Decoded`].

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_8};
use serde::Serialize;

/// How the charset of a document was chosen; recorded in the output for provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// Given by the caller (for example the HTTP `Content-Type` header).
    Header,
    /// A byte-order mark.
    Bom,
    /// A `<meta charset>` or `http-equiv` declaration in the document.
    Meta,
    /// The bytes were valid UTF-8.
    Utf8Valid,
    /// Statistical detection (chardetng).
    Detected,
    /// The declared or detected charset gave errors or no CJK text; this one read better.
    Evidence,
}

impl CharsetSource {
    /// The snake_case name used in reports (`header`, `bom`, `meta`, `utf8_valid`,
    /// `detected`, `evidence`).
    pub fn as_str(self) -> &'static str {
        match self {
            CharsetSource::Header => "header",
            CharsetSource::Bom => "bom",
            CharsetSource::Meta => "meta",
            CharsetSource::Utf8Valid => "utf8_valid",
            CharsetSource::Detected => "detected",
            CharsetSource::Evidence => "evidence",
        }
    }
}

/// A charset claim that the evidence overruled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overruled {
    /// The claimed encoding (WHATWG name).
    pub charset: &'static str,
    /// Where the claim came from.
    pub source: CharsetSource,
    /// Malformed sequences when decoding with it.
    pub errors: usize,
    /// CJK ideographs when decoding with it.
    pub cjk: usize,
}

/// Decoded text plus how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The WHATWG name of the encoding used (for example `UTF-8`, `GBK`).
    pub charset: &'static str,
    /// Where the decision came from.
    pub source: CharsetSource,
    /// True when malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
    /// Number of malformed sequences replaced with U+FFFD.
    pub errors: usize,
    /// The claim the evidence overruled, when [`Decoded::source`] is `Evidence`.
    pub overruled: Option<Overruled>,
}

impl Decoded {
    /// A one-line account of the decision, for reports: `"GBK (meta)"`, or
    /// `"UTF-8 (evidence; meta said GBK: 37 errors, 0 CJK)"`.
    pub fn describe(&self) -> String {
        match &self.overruled {
            Some(o) => format!(
                "{} (evidence; {} said {}: {} errors, {} CJK)",
                self.charset,
                o.source.as_str(),
                o.charset,
                o.errors,
                o.cjk
            ),
            None => format!("{} ({})", self.charset, self.source.as_str()),
        }
    }

    /// Why the text cannot be a report, when it cannot: nothing but whitespace, or more than
    /// one character in 20 undecodable or a control character (binary data read as text).
    pub fn unreadable(&self) -> Option<String> {
        let mut total = 0usize;
        let mut bad = 0usize;
        for c in self.text.chars() {
            if c.is_whitespace() {
                continue;
            }
            total += 1;
            if c == '\u{FFFD}' || (c.is_control() && c != '\u{feff}') {
                bad += 1;
            }
        }
        if total == 0 {
            return Some("no text".into());
        }
        (bad * 20 > total).then(|| {
            format!(
                "unreadable text: {bad} of {total} characters are undecodable or control characters (read as {})",
                self.charset
            )
        })
    }
}

/// The charset label in a `Content-Type` value: `text/html; charset="gbk"` gives `gbk`; a
/// bare label (`GB2312`) gives itself; a media type without a charset parameter gives `None`.
/// The one parser of this header in the project (HTML reader, crawler, ingest).
pub fn content_type_charset(value: &str) -> Option<&str> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if !v.contains('/') && !v.contains(';') && !v.contains('=') {
        return Some(v);
    }
    for param in v.split(';').skip(1) {
        let Some((k, val)) = param.split_once('=') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("charset") {
            let val = val.trim().trim_matches(['"', '\'']).trim();
            return (!val.is_empty()).then_some(val);
        }
    }
    None
}

/// Decode bytes. `header` is what the caller was told about the charset from outside the
/// document: a whole `Content-Type` value or a bare label (see [`content_type_charset`]).
pub fn decode(bytes: &[u8], header: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let errors = if had_errors {
            count_replacements(&text)
        } else {
            0
        };
        return Decoded {
            text: text.into_owned(),
            charset: enc.name(),
            source: CharsetSource::Bom,
            had_errors,
            errors,
            overruled: None,
        };
    }
    let claimed = header
        .and_then(content_type_charset)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| sniff_meta_charset(bytes).map(|e| (e, CharsetSource::Meta)));
    let (enc, source) = match claimed {
        Some((enc, source)) => (non_utf16(enc), source),
        None => {
            if let Ok(text) = std::str::from_utf8(bytes) {
                return Decoded {
                    text: text.to_string(),
                    charset: UTF_8.name(),
                    source: CharsetSource::Utf8Valid,
                    had_errors: false,
                    errors: 0,
                    overruled: None,
                };
            }
            (detect(bytes), CharsetSource::Detected)
        }
    };
    let first = Candidate::decode(bytes, enc);
    if first.errors == 0 && first.cjk > 0 || bytes.is_ascii() {
        return first.into_decoded(source, None);
    }
    by_evidence(bytes, first, source)
}

/// One way of reading the bytes, with the evidence about it.
struct Candidate {
    enc: &'static Encoding,
    text: String,
    errors: usize,
    cjk: usize,
    /// Characters of three UTF-8 bytes (U+0800..U+FFFF) other than U+FFFD: valid multi-byte
    /// sequences that random or GBK bytes rarely form.
    wide: usize,
}

impl Candidate {
    fn decode(bytes: &[u8], enc: &'static Encoding) -> Candidate {
        let (text, _, had_errors) = enc.decode(bytes);
        let (mut errors, mut cjk, mut wide) = (0, 0, 0);
        for c in text.chars() {
            match c {
                '\u{FFFD}' => errors += 1,
                '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
                    cjk += 1;
                    wide += 1;
                }
                '\u{0800}'..='\u{FFFF}' => wide += 1,
                _ => {}
            }
        }
        if !had_errors {
            errors = 0;
        }
        Candidate {
            enc,
            text: text.into_owned(),
            errors,
            cjk,
            wide,
        }
    }

    fn into_decoded(self, source: CharsetSource, overruled: Option<Overruled>) -> Decoded {
        Decoded {
            charset: self.enc.name(),
            source,
            had_errors: self.errors > 0,
            errors: self.errors,
            overruled,
            text: self.text,
        }
    }
}

fn by_evidence(bytes: &[u8], first: Candidate, source: CharsetSource) -> Decoded {
    let same_family = |a: &'static Encoding, b: &'static Encoding| {
        a == b || (a == GBK && b == GB18030) || (a == GB18030 && b == GBK)
    };
    let mut candidates = vec![first];
    for enc in [UTF_8, GB18030, BIG5] {
        if !candidates.iter().any(|c| same_family(c.enc, enc)) {
            candidates.push(Candidate::decode(bytes, enc));
        }
    }
    let guess = detect(bytes);
    let utf8_near_valid = candidates
        .iter()
        .position(|c| c.enc == UTF_8 && c.cjk > 0 && c.wide >= 16 * c.errors.max(1));
    let best = match utf8_near_valid {
        Some(i) => i,
        None => {
            let any_cjk = candidates.iter().any(|c| c.cjk > 0);
            (0..candidates.len())
                .filter(|&i| !any_cjk || candidates[i].cjk > 0)
                .min_by_key(|&i| {
                    let c = &candidates[i];
                    (
                        c.errors,
                        i != 0,
                        !same_family(c.enc, guess),
                        std::cmp::Reverse(c.cjk),
                    )
                })
                .unwrap_or(0)
        }
    };
    if best == 0 {
        return candidates.swap_remove(0).into_decoded(source, None);
    }
    let first = &candidates[0];
    let overruled = Overruled {
        charset: first.enc.name(),
        source,
        errors: first.errors,
        cjk: first.cjk,
    };
    candidates
        .swap_remove(best)
        .into_decoded(CharsetSource::Evidence, Some(overruled))
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    // No TLD hint: a `cn` hint turns Big5 into GBK silently (see spec/crates.md).
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// A UTF-16 declaration inside an 8-bit document is a lie by definition (HTML spec); only a
/// BOM can say UTF-16.
fn non_utf16(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    }
}

fn count_replacements(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// Look for a charset declaration in the first 2048 bytes (the HTML prescan reads 1024; Word
/// exports often put it later). Works on bytes, so it is independent of the real encoding.
pub fn sniff_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    const NEEDLE: &[u8] = b"charset";
    let mut from = 0;
    while from + NEEDLE.len() <= head.len() {
        // Cheap scan for the first letter before comparing the word case-insensitively.
        let Some(pos) = head[from..]
            .iter()
            .position(|b| b.eq_ignore_ascii_case(&b'c'))
        else {
            break;
        };
        let at = from + pos;
        if at + NEEDLE.len() > head.len() {
            break;
        }
        if head[at..at + NEEDLE.len()].eq_ignore_ascii_case(NEEDLE) {
            let mut i = at + NEEDLE.len();
            while i < head.len() && (head[i] == b' ' || head[i] == b'\t') {
                i += 1;
            }
            if i < head.len() && head[i] == b'=' {
                i += 1;
                while i < head.len() && matches!(head[i], b' ' | b'"' | b'\'') {
                    i += 1;
                }
                let start = i;
                while i < head.len()
                    && (head[i].is_ascii_alphanumeric()
                        || matches!(head[i], b'-' | b'_' | b':' | b'.'))
                {
                    i += 1;
                }
                if let Some(enc) = Encoding::for_label(&head[start..i]) {
                    return Some(enc);
                }
            }
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str =
        "政府信息公开工作年度报告。本年新收政府信息公开申请数量，行政复议，行政诉讼。\n\
        二、主动公开政府信息情况\n规章 | 0 | 0 | 0\n规范性文件 | 3 | 1 | 12\n";

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn gbk_without_declaration_is_detected() {
        let d = decode(&gbk(REPORT), None);
        assert_eq!(d.text, REPORT);
        assert_eq!(d.source, CharsetSource::Detected);
        assert_eq!(d.charset, "GBK");
        assert_eq!(d.errors, 0);
    }

    #[test]
    fn meta_declaration_wins_over_detection() {
        let mut bytes = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>".to_vec();
        bytes.extend(gbk(REPORT));
        let d = decode(&bytes, None);
        assert!(d.text.contains("规范性文件"));
        assert_eq!(d.source, CharsetSource::Meta);
    }

    #[test]
    fn header_wins_and_bom_wins_over_header() {
        let d = decode(&gbk(REPORT), Some("text/html; charset=GB18030"));
        assert_eq!(d.text, REPORT);
        assert_eq!(d.source, CharsetSource::Header);
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend(REPORT.as_bytes());
        let d = decode(&b, Some("text/html; charset=GBK"));
        assert_eq!(d.text, REPORT);
        assert_eq!(d.source, CharsetSource::Bom);
    }

    #[test]
    fn one_stray_byte_keeps_utf8() {
        let mut b = REPORT.as_bytes().to_vec();
        b.insert(12, 0xFF);
        let d = decode(&b, None);
        assert_eq!(d.charset, "UTF-8");
        assert_eq!(d.source, CharsetSource::Evidence);
        assert_eq!(d.errors, 1);
        assert_eq!(d.text.replace('\u{FFFD}', ""), REPORT);
        assert!(d.describe().starts_with("UTF-8 (evidence; detected said "));
    }

    #[test]
    fn mislabels_are_overruled_both_ways() {
        // Declared GBK, sent UTF-8.
        let d = decode(REPORT.as_bytes(), Some("text/html; charset=gbk"));
        assert_eq!(
            (d.charset, d.source, d.errors),
            ("UTF-8", CharsetSource::Evidence, 0)
        );
        assert_eq!(d.text, REPORT);
        assert_eq!(d.overruled.map(|o| o.charset), Some("GBK"));
        // Declared UTF-8 in a meta tag, sent GBK.
        let mut b = b"<meta charset=\"utf-8\">".to_vec();
        b.extend(gbk(REPORT));
        let d = decode(&b, None);
        assert_eq!(d.charset, "gb18030");
        assert_eq!(d.source, CharsetSource::Evidence);
        assert!(d.text.ends_with(REPORT));
        let o = d.overruled.unwrap();
        assert_eq!((o.charset, o.source), ("UTF-8", CharsetSource::Meta));
        assert!(o.errors > 10, "{o:?}");
    }

    #[test]
    fn binary_garbage_is_unreadable_and_text_is_not() {
        let mut x: u32 = 12345;
        let noise: Vec<u8> = (0..4000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        let d = decode(&noise, None);
        assert!(d.unreadable().is_some(), "{}", d.describe());
        assert!(decode(&gbk(REPORT), None).unreadable().is_none());
        assert!(decode(b"  \n\t", None).unreadable().is_some());
    }

    #[test]
    fn content_type_values_and_bare_labels() {
        assert_eq!(content_type_charset("text/html; charset=GBK"), Some("GBK"));
        assert_eq!(
            content_type_charset("text/html;charset=\"gb2312\""),
            Some("gb2312")
        );
        assert_eq!(
            content_type_charset("text/html; CHARSET='utf-8' ; x=y"),
            Some("utf-8")
        );
        assert_eq!(content_type_charset("GB18030"), Some("GB18030"));
        assert_eq!(content_type_charset("text/html"), None);
        assert_eq!(content_type_charset(""), None);
        assert_eq!(content_type_charset("text/html; charset="), None);
    }
}
