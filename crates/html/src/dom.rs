//! Small DOM helpers shared by the other modules: which elements are blocks, which are never
//! content, whitespace handling for Chinese text, and an iterative text-length measure.
//!
//! Every walk over the tree is iterative (`ego_tree`'s `traverse`), never recursive: a page of
//! ten thousand nested `<div>`s must not overflow the stack, because the reader accepts any bytes.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::node::Element;
use scraper::Node;

/// Elements whose content is never page text.
pub(crate) fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "iframe"
            | "object"
            | "embed"
            | "select"
            | "option"
            | "textarea"
            | "button"
            | "svg"
            | "canvas"
            | "video"
            | "audio"
            | "map"
    )
}

/// Elements that end a line of text before and after themselves.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "ul"
            | "body"
            | "html"
    )
}

/// Hidden by inline style or the `hidden` attribute. Templates of the Fujian platform hide
/// unused blocks this way; their text is not part of the page a reader sees.
pub(crate) fn is_hidden(el: &Element) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    match el.attr("style") {
        // Cheap test first: most elements carry a style, few say `none`.
        Some(style) if style.contains("none") || style.contains("NONE") => {
            let compact: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            compact.contains("display:none")
        }
        _ => false,
    }
}

/// Characters between which a line break in the source is not a space (CSS Text 3 segment
/// break rule for Chinese), and between which two cell fragments join without a space.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF   // radicals
        | 0x3000..=0x303F // CJK punctuation
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF // full-width forms
        | 0x20000..=0x2FA1F)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}'
}

/// Collapse whitespace runs (ASCII, `&nbsp;`, U+3000) to one space and trim. A run that holds a
/// line break between two Chinese characters disappears: source formatting, not a space.
pub(crate) fn clean_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Option<bool> = None; // Some(had_newline) while inside a whitespace run
    for c in s.chars() {
        if is_space(c) {
            let nl = c == '\n' || c == '\r';
            pending = Some(pending.unwrap_or(false) || nl);
            continue;
        }
        if let Some(had_nl) = pending.take() {
            if let Some(prev) = out.chars().next_back() {
                if !(had_nl && is_cjk(prev) && is_cjk(c)) {
                    out.push(' ');
                }
            }
        }
        out.push(c);
    }
    out
}

/// Join cell fragments (split by `<br>` or block elements) the way a reader reads them:
/// `本年新` + `制作数量` → `本年新制作数量`, `12` + `May` → `12 May`.
pub(crate) fn join_fragments(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if let (Some(prev), Some(next)) = (out.chars().next_back(), p.chars().next()) {
            if !(is_cjk(prev) || is_cjk(next)) {
                out.push(' ');
            }
        }
        out.push_str(p);
    }
    out
}

/// The text of a table cell: fragments split at `<br>` and block elements, then joined; script,
/// style and hidden parts left out. Normalised with [`nianbao_text::normalize`].
pub(crate) fn cell_text(cell: NodeRef<'_, Node>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut skip: Option<ego_tree::NodeId> = None;
    for edge in cell.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => cur.push_str(t),
                    Node::Element(el) => {
                        let name = el.name();
                        if n.id() != cell.id() && (is_skipped(name) || is_hidden(el)) {
                            skip = Some(n.id());
                        } else if name == "br" || (n.id() != cell.id() && is_block(name)) {
                            parts.push(clean_ws(&cur));
                            cur.clear();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                    continue;
                }
                if skip.is_none() && n.id() != cell.id() {
                    if let Node::Element(el) = n.value() {
                        if is_block(el.name()) {
                            parts.push(clean_ws(&cur));
                            cur.clear();
                        }
                    }
                }
            }
        }
    }
    parts.push(clean_ws(&cur));
    nianbao_text::normalize(&join_fragments(&parts))
        .trim()
        .to_string()
}

/// Count of visible non-whitespace characters under `node`, and how many of them sit inside
/// links. Used to validate content candidates and for the text-density fallback.
pub(crate) fn text_len(node: NodeRef<'_, Node>) -> (usize, usize) {
    let mut total = 0;
    let mut in_link = 0;
    let mut link_depth = 0usize;
    let mut skip: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => {
                        let k = t.chars().filter(|c| !is_space(*c)).count();
                        total += k;
                        if link_depth > 0 {
                            in_link += k;
                        }
                    }
                    Node::Element(el) => {
                        if is_skipped(el.name()) || is_hidden(el) {
                            skip = Some(n.id());
                        } else if el.name() == "a" {
                            link_depth += 1;
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                } else if skip.is_none() {
                    if let Node::Element(el) = n.value() {
                        if el.name() == "a" {
                            link_depth = link_depth.saturating_sub(1);
                        }
                    }
                }
            }
        }
    }
    (total, in_link)
}

/// True when `node` has `ancestor` among its ancestors (or is it).
pub(crate) fn is_within(node: NodeRef<'_, Node>, ancestor: ego_tree::NodeId) -> bool {
    node.id() == ancestor || node.ancestors().any(|a| a.id() == ancestor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_rules_for_chinese() {
        assert_eq!(clean_ws("  政府信息\n  公开  "), "政府信息公开");
        assert_eq!(clean_ws("政府 信息"), "政府 信息");
        assert_eq!(clean_ws("\u{a0}\u{3000}"), "");
        assert_eq!(clean_ws("a\n b"), "a b");
    }

    #[test]
    fn fragments_join_without_space_between_hanzi() {
        let parts = vec![
            "本年新".to_string(),
            " 制作数量".to_string(),
            "".to_string(),
        ];
        assert_eq!(join_fragments(&parts), "本年新制作数量");
        let parts = vec!["12".to_string(), "May".to_string()];
        assert_eq!(join_fragments(&parts), "12 May");
    }
}
