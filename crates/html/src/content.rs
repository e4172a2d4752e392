//! Find the article body of a page and leave navigation, sidebars and footers out.
//!
//! Order of evidence:
//! 1. the body containers of known CMS families (`div.TRS_Editor`, `<ucapcontent>`, `#zoom`,
//!    `table.sj_nr td`, …; see `spec/sites.md` §7.1), the largest match of the first selector
//!    that yields real text;
//! 2. Hanweb's `<meta name="ContentStart">` / `ContentEnd` markers;
//! 3. generic containers (`article`, `.content`, …);
//! 4. text density: from `<body>` go down into the child that holds most of the non-link text
//!    while it holds most of it.
//!
//! Finally, report tables left outside the chosen container (a template that puts tables in
//! a sibling block) pull the container up to the nearest common ancestor, so that no table
//! with template labels is lost.

use crate::dom::{is_hidden, is_skipped, text_len};
use crate::walk::Scope;
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node};
use std::collections::HashMap;

/// A container pattern: `.class`, `#id`, `tag` or `tag.class`. Matched by hand in one pass
/// over the tree rather than by CSS selectors: one walk instead of one per pattern.
#[derive(Debug, Clone, Copy)]
enum Pat {
    Class(&'static str),
    Id(&'static str),
    Tag(&'static str),
    TagClass(&'static str, &'static str),
}

impl Pat {
    fn matches(self, e: &scraper::node::Element) -> bool {
        // Class and id compare case-insensitively: old templates write `TRS_EDITOR`, and
        // quirks-mode pages (no doctype) match classes that way in browsers too.
        let has_class = |c: &str| e.classes().any(|x| x.eq_ignore_ascii_case(c));
        match self {
            Pat::Class(c) => has_class(c),
            Pat::Id(i) => e.id().is_some_and(|x| x.eq_ignore_ascii_case(i)),
            Pat::Tag(t) => e.name() == t,
            Pat::TagClass(t, c) => e.name() == t && has_class(c),
        }
    }

    fn describe(self) -> String {
        match self {
            Pat::Class(c) => format!(".{c}"),
            Pat::Id(i) => format!("#{i}"),
            Pat::Tag(t) => t.to_string(),
            Pat::TagClass(t, c) => format!("{t}.{c}"),
        }
    }
}

/// Known CMS body containers, most specific first (`spec/sites.md` §7.1).
const SPECIFIC: &[Pat] = &[
    Pat::Class("TRS_Editor"),
    Pat::Class("trs_editor_view"),
    Pat::Class("Custom_UnionStyle"),
    Pat::Tag("ucapcontent"),
    Pat::Id("zoom"),
    Pat::Id("zoomcon"),
    Pat::Class("zoom"),
    Pat::Class("article-content"),
    Pat::Id("ivs_content"),
    Pat::Id("contentText"),
    Pat::Class("art_con"),
    Pat::Id("webeditorview"),
    Pat::Class("xxgk_content"),
    // Baoding: the article is the single cell of this layout table, walked as a container.
    Pat::TagClass("table", "sj_nr"),
    Pat::Class("article_content"),
    Pat::Class("TRS_PreAppend"),
    Pat::Id("UCAP-CONTENT"),
    Pat::Class("pages_content"),
];

/// Generic containers, tried after the markers.
const GENERIC: &[Pat] = &[
    Pat::Tag("article"),
    Pat::Tag("main"),
    Pat::Id("content"),
    Pat::Class("content"),
    Pat::Class("article"),
    Pat::Class("detail"),
    Pat::Id("article"),
];

/// Minimum visible characters for a container to count as the body.
const MIN_TEXT: usize = 20;

/// The chosen content and how it was found (for provenance).
#[derive(Debug, Clone)]
pub(crate) struct Content {
    pub scope: Scope,
    pub how: String,
}

/// Pick the main content of `doc`.
pub(crate) fn find(doc: &Html) -> Content {
    let root = doc.tree.root();
    let found = by_selectors(doc, SPECIFIC)
        .or_else(|| by_markers(root))
        .or_else(|| by_selectors(doc, GENERIC))
        .unwrap_or_else(|| by_density(doc));
    widen_for_report_tables(doc, found)
}

fn by_selectors(doc: &Html, list: &[Pat]) -> Option<Content> {
    // One pass: every element matching a pattern is a candidate under that pattern's rank.
    let mut cands: Vec<Vec<ElementRef<'_>>> = vec![Vec::new(); list.len()];
    for n in doc.tree.root().descendants() {
        let Node::Element(e) = n.value() else {
            continue;
        };
        if let Some(rank) = list.iter().position(|p| p.matches(e)) {
            if let Some(er) = ElementRef::wrap(n) {
                cands[rank].push(er);
            }
        }
    }
    for (rank, group) in cands.into_iter().enumerate() {
        let best = group
            .into_iter()
            .filter(|e| !is_hidden(e.value()))
            .map(|e| (e, useful_len(e)))
            .filter(|(_, len)| *len >= MIN_TEXT)
            .max_by_key(|(_, len)| *len);
        if let Some((e, _)) = best {
            return Some(Content {
                scope: Scope {
                    root: e.id(),
                    range: None,
                },
                how: list[rank].describe(),
            });
        }
    }
    None
}

/// Visible text plus a bonus for tables and images, so an image-only body still counts.
fn useful_len(e: ElementRef<'_>) -> usize {
    let (text, _) = text_len(*e);
    let media = e
        .descendent_elements()
        .filter(|d| matches!(d.value().name(), "table" | "img"))
        .count();
    text + media * MIN_TEXT
}

fn meta_name_is(n: NodeRef<'_, Node>, want: &str) -> bool {
    match n.value() {
        Node::Element(e) if e.name() == "meta" => e
            .attr("name")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(want)),
        _ => false,
    }
}

fn comment_has(n: NodeRef<'_, Node>, want: &str) -> bool {
    matches!(n.value(), Node::Comment(c) if c.contains(want))
}

/// A test on a node, for the start/end markers CMSs put around the article body.
type NodeTest<'a> = &'a dyn Fn(NodeRef<'_, Node>) -> bool;

fn by_markers(root: NodeRef<'_, Node>) -> Option<Content> {
    let pairs: [(NodeTest, NodeTest, &str); 2] = [
        (
            &|n| meta_name_is(n, "ContentStart"),
            &|n| meta_name_is(n, "ContentEnd"),
            "meta ContentStart/ContentEnd",
        ),
        (
            &|n| comment_has(n, "ZJEG_RSS.content.begin"),
            &|n| comment_has(n, "ZJEG_RSS.content.end"),
            "ZJEG_RSS comments",
        ),
    ];
    for (is_start, is_end, how) in pairs {
        let start = root.descendants().find(|n| is_start(*n));
        let Some(start) = start else { continue };
        let end = root
            .descendants()
            .skip_while(|n| n.id() != start.id())
            .find(|n| is_end(*n));
        let Some(end) = end else { continue };
        let Some(lca) = common_ancestor(start, end) else {
            continue;
        };
        return Some(Content {
            scope: Scope {
                root: lca,
                range: Some((start.id(), end.id())),
            },
            how: how.to_string(),
        });
    }
    None
}

fn common_ancestor(a: NodeRef<'_, Node>, b: NodeRef<'_, Node>) -> Option<NodeId> {
    let chain: Vec<NodeId> = std::iter::once(a.id())
        .chain(a.ancestors().map(|n| n.id()))
        .collect();
    std::iter::once(b)
        .chain(b.ancestors())
        .find(|n| chain.contains(&n.id()))
        .map(|n| n.id())
}

/// Non-link text per element, computed bottom-up in one pass.
fn density_map(root: NodeRef<'_, Node>) -> HashMap<NodeId, usize> {
    use ego_tree::iter::Edge;
    let mut map = HashMap::new();
    let mut stack: Vec<(NodeId, usize)> = Vec::new();
    let mut skip: Option<NodeId> = None;
    let mut link_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Element(e) => {
                        if is_skipped(e.name()) || is_hidden(e) || is_chrome(e) {
                            skip = Some(n.id());
                            continue;
                        }
                        if e.name() == "a" {
                            link_depth += 1;
                        }
                        stack.push((n.id(), 0));
                    }
                    Node::Text(t) if link_depth == 0 => {
                        if let Some(top) = stack.last_mut() {
                            top.1 += t.chars().filter(|c| !c.is_whitespace()).count();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(s) = skip {
                    if s == n.id() {
                        skip = None;
                    }
                    continue;
                }
                if let Node::Element(e) = n.value() {
                    if e.name() == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if let Some((id, len)) = stack.pop() {
                        map.insert(id, len);
                        if let Some(parent) = stack.last_mut() {
                            parent.1 += len;
                        }
                    }
                }
            }
        }
    }
    map
}

/// Page furniture by tag or by telling class/id words.
fn is_chrome(e: &scraper::node::Element) -> bool {
    if matches!(e.name(), "nav" | "footer" | "header" | "aside") {
        return true;
    }
    let words = ["nav", "menu", "footer", "sidebar", "breadcrumb", "topbar"];
    let hit = |v: &str| {
        let v = v.to_ascii_lowercase();
        words.iter().any(|w| v.contains(w))
    };
    e.id().is_some_and(hit) || e.classes().any(hit)
}

fn by_density(doc: &Html) -> Content {
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "body"))
        .unwrap_or(root);
    let map = density_map(body);
    let mut cur = body;
    loop {
        let total = map.get(&cur.id()).copied().unwrap_or(0);
        let best = cur
            .children()
            .filter(|c| c.value().is_element())
            .filter_map(|c| map.get(&c.id()).map(|l| (c, *l)))
            .max_by_key(|(_, l)| *l);
        match best {
            Some((child, len)) if total > 0 && len * 10 >= total * 6 => cur = child,
            _ => break,
        }
    }
    Content {
        scope: Scope {
            root: cur.id(),
            range: None,
        },
        how: "density".to_string(),
    }
}

/// Labels that only the national report tables carry.
fn is_report_table(e: ElementRef<'_>) -> bool {
    let t: String = e.text().collect();
    ["申请人情况", "第二十条", "本年新收", "行政复议", "信息内容"]
        .iter()
        .any(|k| t.contains(k))
}

fn widen_for_report_tables(doc: &Html, mut c: Content) -> Content {
    use ego_tree::iter::Edge;
    let Some(root) = doc.tree.get(c.scope.root) else {
        return c;
    };
    // One pass over the tree: outermost tables outside the content. Subtrees of tables and of
    // the content are skipped, so this stays linear even on absurdly nested pages.
    let mut outside: Vec<NodeRef<'_, Node>> = Vec::new();
    let mut skip: Option<NodeId> = None;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                if n.id() == root.id() {
                    skip = Some(n.id());
                } else if matches!(n.value(), Node::Element(e) if e.name() == "table") {
                    skip = Some(n.id());
                    if ElementRef::wrap(n).is_some_and(is_report_table) {
                        outside.push(n);
                    }
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
        }
    }
    if outside.is_empty() {
        return c;
    }
    let mut lca = root.id();
    for t in outside {
        if let Some(node) = doc.tree.get(lca) {
            if let Some(id) = common_ancestor(node, t) {
                lca = id;
            }
        }
    }
    c.scope = Scope {
        root: lca,
        range: None,
    };
    c.how.push_str(" (widened to report tables)");
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_container_beats_navigation() {
        let doc = Html::parse_document(
            "<div class=nav><a href=/>首页</a><a href=/x>政务公开</a></div><div class=TRS_Editor><p>本报告根据《中华人民共和国政府信息公开条例》编制而成，数据统计期限。</p></div><div class=footer>版权所有</div>",
        );
        let c = find(&doc);
        assert_eq!(c.how, ".TRS_Editor");
    }

    #[test]
    fn density_fallback_skips_footer() {
        let doc = Html::parse_document(
            "<body><div id=a><div class=x><p>第一段很长的正文内容，政府信息公开工作年度报告。</p><p>第二段很长的正文内容，主动公开政府信息情况。</p></div></div><div class=footer>版权所有 网站标识码 主办单位</div></body>",
        );
        let c = find(&doc);
        assert_eq!(c.how, "density");
        let node = doc.tree.get(c.scope.root).and_then(ElementRef::wrap);
        assert_eq!(node.and_then(|e| e.value().attr("class")), Some("x"));
    }

    #[test]
    fn markers_delimit_hanweb_bodies() {
        let doc = Html::parse_document(
            "<body><div>导航链接很多很多很多很多很多很多很多很多很多很多</div><div><meta name=\"ContentStart\"><p>正文</p><meta name=\"ContentEnd\"></div><p>页脚</p></body>",
        );
        let c = find(&doc);
        assert!(c.scope.range.is_some());
    }
}
