//! A nesting guard for HTML, run before any HTML parser sees the bytes.
//!
//! html5ever (the parser behind `scraper`) walks its stack of open elements for many start
//! tags (is a `<p>` open in button scope? which formatting elements are active?), so a page of
//! 100,000 nested `<div>`s costs it O(n²): 29 s, and 1,000,000 never finish. Real report pages
//! nest fewer than 60 elements. [`guard_html`] follows the nesting in one linear pass and
//! drops the tags of every element deeper than the limit (its start and end tags; its text
//! and its children's text stay where they were), so the parser sees at most `max_depth`
//! open elements and the page keeps all its text.
//!
//! The pass knows just enough HTML to count depth like a browser: void elements (`<br>`,
//! `<img>`, ...) open nothing; comments, `<!DOCTYPE>` and processing instructions are skipped;
//! the content of raw-text elements (`<script>`, `<style>`, `<textarea>`, `<title>`, ...) is
//! not scanned for tags; quoted attribute values may contain `>`; and the end tags a browser
//! implies are implied here too (a `<p>` is closed by the next block, a `<li>` by the next
//! `<li>`, a `<td>` by the next cell or row). When the model and the parser disagree on a page,
//! the only effect is that some deep tags are dropped. Tags are ASCII, and so are the
//! bytes `<`, `>` and quotes in every ASCII-compatible encoding (UTF-8, GBK/GB18030, Big5:
//! their trailing bytes are ≥ 0x40), so the guard works on undecoded bytes as well as on text.

use std::borrow::Cow;
use std::collections::HashMap;

/// What [`guard_html_bytes`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded<'a> {
    /// The bytes to parse: borrowed when nothing had to be dropped.
    pub bytes: Cow<'a, [u8]>,
    /// Tags dropped (start and end tags of elements deeper than the limit).
    pub dropped_tags: usize,
}

/// Flatten nesting deeper than `max_depth` in an HTML text (see the module docs). Returns the
/// text unchanged (borrowed) when it nests less deeply.
///
/// ```
/// let deep = "<div>".repeat(10) + "x" + &"</div>".repeat(10);
/// let out = nianbao_text::guard_html(&deep, 3);
/// assert_eq!(out, "<div><div><div>x</div></div></div>");
/// ```
pub fn guard_html(html: &str, max_depth: usize) -> Cow<'_, str> {
    let g = guard_html_bytes(html.as_bytes(), max_depth);
    match g.bytes {
        Cow::Borrowed(_) => Cow::Borrowed(html),
        // Only whole ASCII tags were removed, so the rest is still valid UTF-8; the lossy
        // conversion never replaces anything and never copies again.
        Cow::Owned(v) => Cow::Owned(
            String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()),
        ),
    }
}

/// Byte version of [`guard_html`], for pages that are not decoded yet; also reports how many
/// tags were dropped.
pub fn guard_html_bytes(bytes: &[u8], max_depth: usize) -> Guarded<'_> {
    let mut g = Guard {
        src: bytes,
        out: None,
        copied: 0,
        stack: Vec::new(),
        open_counts: HashMap::new(),
        suppressed: HashMap::new(),
        suppressed_total: 0,
        dropped: 0,
        max_depth: max_depth.max(1),
    };
    g.run();
    let dropped_tags = g.dropped;
    let bytes = match g.out {
        None => Cow::Borrowed(bytes),
        Some(mut out) => {
            out.extend_from_slice(&bytes[g.copied..]);
            Cow::Owned(out)
        }
    };
    Guarded {
        bytes,
        dropped_tags,
    }
}

struct Guard<'a> {
    src: &'a [u8],
    /// Output, created at the first dropped tag.
    out: Option<Vec<u8>>,
    /// `src[..copied]` has been handled (copied to `out` or dropped).
    copied: usize,
    /// Open elements as the parser would see them (lower-case names).
    stack: Vec<Vec<u8>>,
    /// How many elements of each name are on `stack` (only the names implied ends look for).
    open_counts: HashMap<&'static [u8], usize>,
    /// Elements whose tags were dropped and whose end tags are still to come, by name.
    suppressed: HashMap<Vec<u8>, usize>,
    suppressed_total: usize,
    dropped: usize,
    max_depth: usize,
}

const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"basefont",
    b"bgsound",
    b"br",
    b"col",
    b"embed",
    b"frame",
    b"hr",
    b"img",
    b"input",
    b"keygen",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"image",
];

const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// Names whose open count is tracked, because a later start tag may close them implicitly.
const TRACKED: &[&[u8]] = &[
    b"p", b"li", b"dd", b"dt", b"td", b"th", b"tr", b"tbody", b"thead", b"tfoot", b"option", b"a",
    b"button",
];

/// Start tags that close an open `<p>` (HTML tree construction, "close a p element").
const CLOSES_P: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"header",
    b"hgroup",
    b"hr",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"p",
    b"pre",
    b"section",
    b"summary",
    b"table",
    b"ul",
    b"li",
    b"dd",
    b"dt",
    b"listing",
    b"plaintext",
];

/// Elements that bound the search for an element to close implicitly.
const SCOPE: &[&[u8]] = &[
    b"html",
    b"table",
    b"td",
    b"th",
    b"caption",
    b"marquee",
    b"object",
    b"applet",
    b"template",
];

impl Guard<'_> {
    fn run(&mut self) {
        let src = self.src;
        let mut i = 0;
        while let Some(off) = src[i..].iter().position(|&b| b == b'<') {
            let lt = i + off;
            i = lt + 1;
            let Some(&next) = src.get(lt + 1) else {
                break;
            };
            if src[lt..].starts_with(b"<!--") {
                i = find(src, lt + 4, b"-->").map_or(src.len(), |p| p + 3);
            } else if next == b'!' || next == b'?' {
                i = tag_end(src, lt + 2);
            } else if next == b'/' {
                let (name, end) = tag_name(src, lt + 2);
                if name.is_empty() {
                    // `</>` and `</ x>` are not end tags (ignored, or a bogus comment).
                    i = tag_end(src, lt + 2);
                    continue;
                }
                let close = tag_end(src, end);
                self.end_tag(&name, lt, close);
                i = close;
            } else if next.is_ascii_alphabetic() {
                let (name, end) = tag_name(src, lt + 1);
                let close = tag_end(src, end);
                self.start_tag(&name, lt, close);
                i = close;
                if RAW_TEXT.contains(&name.as_slice()) {
                    i = raw_text_end(src, i, &name);
                } else if name == b"plaintext" {
                    break;
                }
            }
        }
    }

    fn drop_range(&mut self, from: usize, to: usize) {
        let src = self.src;
        let out = self
            .out
            .get_or_insert_with(|| Vec::with_capacity(src.len()));
        out.extend_from_slice(&src[self.copied..from]);
        self.copied = to;
        self.dropped += 1;
    }

    fn start_tag(&mut self, name: &[u8], from: usize, to: usize) {
        if VOID.contains(&name) {
            return;
        }
        if self.suppressed_total == 0 {
            self.implied_ends(name);
        }
        if self.suppressed_total > 0 || self.stack.len() >= self.max_depth {
            match self.suppressed.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    self.suppressed.insert(name.to_vec(), 1);
                }
            }
            self.suppressed_total += 1;
            self.drop_range(from, to);
            return;
        }
        if let Some(t) = TRACKED.iter().find(|t| **t == name) {
            *self.open_counts.entry(t).or_default() += 1;
        }
        self.stack.push(name.to_vec());
    }

    fn end_tag(&mut self, name: &[u8], from: usize, to: usize) {
        if let Some(n) = self.suppressed.get_mut(name) {
            if *n > 0 {
                *n -= 1;
                self.suppressed_total -= 1;
                self.drop_range(from, to);
                return;
            }
        }
        if let Some(pos) = self.stack.iter().rposition(|n| n == name) {
            // Closing an open element closes everything inside it, dropped or not.
            self.truncate(pos);
            self.suppressed.clear();
            self.suppressed_total = 0;
        }
    }

    /// Pop `stack[pos..]`.
    fn truncate(&mut self, pos: usize) {
        for n in self.stack.drain(pos..) {
            if let Some(t) = TRACKED.iter().find(|t| **t == n.as_slice()) {
                if let Some(c) = self.open_counts.get_mut(t) {
                    *c = c.saturating_sub(1);
                }
            }
        }
    }

    fn open(&self, name: &'static [u8]) -> bool {
        self.open_counts.get(name).is_some_and(|c| *c > 0)
    }

    /// Close the innermost of `targets` if it is open below no element of `stop` (nor of
    /// [`SCOPE`] when `scoped`).
    fn close_open(&mut self, targets: &[&[u8]], stop: &[&[u8]], scoped: bool) {
        let found = self.stack.iter().rposition(|n| {
            targets.contains(&n.as_slice())
                || stop.contains(&n.as_slice())
                || (scoped && SCOPE.contains(&n.as_slice()))
        });
        if let Some(pos) = found {
            if targets.contains(&self.stack[pos].as_slice()) {
                self.truncate(pos);
            }
        }
    }

    /// The end tags a start tag implies (HTML tree construction, simplified).
    fn implied_ends(&mut self, name: &[u8]) {
        if self.open(b"p") && CLOSES_P.contains(&name) {
            self.close_open(&[b"p"], &[b"button"], true);
        }
        match name {
            b"li" if self.open(b"li") => self.close_open(&[b"li"], &[b"ul", b"ol"], true),
            b"dd" | b"dt" if self.open(b"dd") || self.open(b"dt") => {
                self.close_open(&[b"dd", b"dt"], &[b"dl"], true)
            }
            // Table parts close the open cell or row of their own table (a cell is no scope
            // boundary for them).
            b"td" | b"th" if self.open(b"td") || self.open(b"th") => {
                self.close_open(&[b"td", b"th"], &[b"tr", b"table"], false)
            }
            b"tr" if self.open(b"tr") => {
                self.close_open(&[b"tr"], &[b"tbody", b"thead", b"tfoot", b"table"], false)
            }
            b"tbody" | b"thead" | b"tfoot"
                if self.open(b"tbody") || self.open(b"thead") || self.open(b"tfoot") =>
            {
                self.close_open(&[b"tbody", b"thead", b"tfoot"], &[b"table"], false)
            }
            b"option" if self.open(b"option") => self.close_open(&[b"option"], &[b"select"], true),
            b"a" if self.open(b"a") => self.close_open(&[b"a"], &[], true),
            b"button" if self.open(b"button") => self.close_open(&[b"button"], &[], true),
            _ => {}
        }
    }
}

/// Lower-case tag name starting at `at`, and the index after it. Long names are cut at 32
/// bytes (only the known short names matter).
fn tag_name(src: &[u8], at: usize) -> (Vec<u8>, usize) {
    let mut end = at;
    while end < src.len()
        && !matches!(
            src[end],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
        )
    {
        end += 1;
    }
    let name = src[at..end]
        .iter()
        .take(32)
        .map(u8::to_ascii_lowercase)
        .collect();
    (name, end)
}

/// Index after the `>` that ends the tag whose attributes start at `at` (quoted attribute
/// values may contain `>`); the end of input when there is none.
fn tag_end(src: &[u8], at: usize) -> usize {
    let mut i = at;
    let mut after_eq = false;
    while i < src.len() {
        match src[i] {
            b'>' => return i + 1,
            b'=' => after_eq = true,
            q @ (b'"' | b'\'') if after_eq => {
                match src[i + 1..].iter().position(|&b| b == q) {
                    Some(p) => i += p + 1,
                    None => return src.len(),
                }
                after_eq = false;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {}
            _ => after_eq = false,
        }
        i += 1;
    }
    src.len()
}

/// Index of the `</name` that ends a raw-text element, or the end of input.
fn raw_text_end(src: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = find(src, i, b"</") {
        let start = p + 2;
        let candidate = &src[start..src.len().min(start + name.len())];
        if candidate.eq_ignore_ascii_case(name)
            && src
                .get(start + name.len())
                .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'))
        {
            return p;
        }
        i = p + 2;
    }
    src.len()
}

fn find(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= src.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while let Some(off) = src[i..].iter().position(|&b| b == first) {
        let p = i + off;
        if src[p..].starts_with(needle) {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_borrowed_unchanged() {
        let page = "<html><head><title>a<b></title><script>if (a<b) { x = '<div>'; }</script>\
                    </head><body><div class=\"x>y\"><p>一<p>二<table><tr><td>1<td>2<tr><td>3\
                    </table><ul><li>a<li>b</ul><br><img src=x></div></body></html>";
        let out = guard_html(page, 8);
        assert!(matches!(out, Cow::Borrowed(_)), "{out}");
    }

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        let n = 1000;
        let page = "<div>a".repeat(n) + &"</div>".repeat(n) + "<p>end</p>";
        let g = guard_html_bytes(page.as_bytes(), 10);
        let out = String::from_utf8(g.bytes.into_owned()).unwrap();
        assert_eq!(out.matches("<div>").count(), 10);
        assert_eq!(out.matches("</div>").count(), 10);
        assert_eq!(out.matches('a').count(), n);
        assert!(out.ends_with("</div><p>end</p>"));
        assert_eq!(g.dropped_tags, 2 * (n - 10));
    }

    #[test]
    fn implied_ends_do_not_count_as_depth() {
        // 10,000 unclosed paragraphs, list items and cells are siblings for a browser.
        let page = "<p>x".repeat(10_000)
            + "<ul>"
            + &"<li>y".repeat(10_000)
            + "</ul><table>"
            + &"<tr><td>1<td>2".repeat(10_000)
            + "</table>";
        assert!(matches!(guard_html(&page, 16), Cow::Borrowed(_)));
    }

    #[test]
    fn self_closed_and_unclosed_formatting_tags_nest() {
        // html5ever opens a `<div/>`: these nest as deeply as plain `<div>`s.
        let page = "<div/>".repeat(100) + &"<font>".repeat(100) + "z";
        let out = guard_html(&page, 20);
        assert_eq!(out.matches('<').count(), 20);
        assert!(out.ends_with('z'));
    }

    #[test]
    fn multibyte_text_survives() {
        let page = "<span>年".repeat(50) + "报" + &"</span>".repeat(50);
        let out = guard_html(&page, 5);
        assert_eq!(out.matches('年').count(), 50);
        assert!(out.contains('报'));
    }

    #[test]
    fn million_nested_divs_are_linear() {
        let n = 1_000_000;
        let page = "<div>".repeat(n) + "x" + &"</div>".repeat(n);
        let g = guard_html_bytes(page.as_bytes(), 256);
        assert_eq!(g.dropped_tags, 2 * (n - 256));
    }
}
