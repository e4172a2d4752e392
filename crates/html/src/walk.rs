//! Flatten the main content into [`Line`]s in document order: paragraphs and headings become
//! text lines, each row of a data table one row line (see [`crate::grid`]).
//!
//! A table is a *data* table unless it is used for layout: one that contains another table
//! (the Baoding portal puts the whole article in `table.sj_nr > tr > td`) or that has a single
//! cell. Layout tables are walked like `<div>`s, so what they hold comes out in order.

use crate::dom::{cell_text, clean_ws, is_block, is_hidden, is_skipped};
use crate::grid::{Grid, RawCell};
use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use nianbao_text::Line;
use scraper::Node;
use std::collections::HashSet;

/// What the walk produced.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub lines: Vec<Line>,
    pub tables: Vec<Grid>,
    /// `src` (or lazy-load attribute) of each visible `<img>`, as written.
    pub images: Vec<String>,
}

/// Where to walk: a root, optionally only between two marker nodes (Hanweb's
/// `<meta name="ContentStart">` / `ContentEnd`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    pub root: NodeId,
    pub range: Option<(NodeId, NodeId)>,
}

/// Tables that hold another table: layout, not data.
pub(crate) fn layout_tables(root: NodeRef<'_, Node>) -> HashSet<NodeId> {
    let mut set = HashSet::new();
    for n in root.descendants() {
        if is_el(n, "table") {
            // Only the nearest enclosing table is marked; each node is visited by at most one
            // inner table's upward walk, so this stays linear on deeply nested input.
            if let Some(outer) = n.ancestors().find(|a| is_el(*a, "table")) {
                set.insert(outer.id());
            }
        }
    }
    set
}

fn is_el(n: NodeRef<'_, Node>, name: &str) -> bool {
    matches!(n.value(), Node::Element(e) if e.name() == name)
}

/// Walk `scope` inside `tree` and flatten it.
pub(crate) fn walk(tree: &ego_tree::Tree<Node>, scope: Scope, layout: &HashSet<NodeId>) -> Walked {
    let mut out = Walked::default();
    let Some(root) = tree.get(scope.root) else {
        return out;
    };
    let mut buf = String::new();
    let mut active = scope.range.is_none();
    let mut skip: Option<NodeId> = None;
    let mut pre_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                if let Some((start, end)) = scope.range {
                    if n.id() == start {
                        active = true;
                    } else if n.id() == end {
                        flush(&mut buf, &mut out.lines, pre_depth > 0);
                        active = false;
                    }
                }
                match n.value() {
                    Node::Text(t) if active => buf.push_str(t),
                    Node::Element(el) => {
                        let name = el.name();
                        if n.id() != scope.root && (is_skipped(name) || is_hidden(el)) {
                            skip = Some(n.id());
                            continue;
                        }
                        match name {
                            "br" => {
                                if active {
                                    flush(&mut buf, &mut out.lines, pre_depth > 0);
                                }
                            }
                            "img" => {
                                if active {
                                    if let Some(src) = image_src(el) {
                                        out.images.push(src.to_string());
                                    }
                                }
                            }
                            "pre" => {
                                flush(&mut buf, &mut out.lines, pre_depth > 0);
                                pre_depth += 1;
                            }
                            "table" if !layout.contains(&n.id()) => {
                                if let Some(rows) = data_rows(n) {
                                    if active {
                                        flush(&mut buf, &mut out.lines, pre_depth > 0);
                                        let caption = caption_text(n);
                                        let grid = Grid::build(rows, caption.clone());
                                        let idx = out.tables.len() as u32;
                                        if let Some(c) = caption {
                                            out.lines.push(Line::text(c));
                                        }
                                        out.lines.extend(grid.lines(idx));
                                        out.tables.push(grid);
                                    }
                                    skip = Some(n.id());
                                } else if active {
                                    flush(&mut buf, &mut out.lines, pre_depth > 0);
                                }
                            }
                            _ => {
                                if active && is_block(name) {
                                    flush(&mut buf, &mut out.lines, pre_depth > 0);
                                }
                            }
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
                if let Node::Element(el) = n.value() {
                    let name = el.name();
                    if name == "pre" {
                        flush(&mut buf, &mut out.lines, true);
                        pre_depth = pre_depth.saturating_sub(1);
                    } else if active && is_block(name) {
                        flush(&mut buf, &mut out.lines, pre_depth > 0);
                    }
                }
            }
        }
    }
    flush(&mut buf, &mut out.lines, pre_depth > 0);
    out
}

/// The lazy-load attributes editors and CMSs use before `src` (UEditor writes `_src`).
pub(crate) fn image_src(el: &scraper::node::Element) -> Option<&str> {
    ["src", "data-src", "_src", "data-original"]
        .iter()
        .filter_map(|a| el.attr(a))
        .map(str::trim)
        .find(|s| !s.is_empty() && !s.starts_with("data:"))
}

fn flush(buf: &mut String, lines: &mut Vec<Line>, preformatted: bool) {
    if buf.is_empty() {
        return;
    }
    if preformatted {
        // Inside <pre> the source line breaks are the layout (plain-text reports).
        for l in buf.lines() {
            push_text(l, lines);
        }
    } else {
        push_text(buf, lines);
    }
    buf.clear();
}

fn push_text(raw: &str, lines: &mut Vec<Line>) {
    let t = clean_ws(raw);
    if t.is_empty() {
        return;
    }
    let n = nianbao_text::normalize(&t);
    let n = n.trim();
    if !n.is_empty() {
        lines.push(Line::text(n));
    }
}

fn caption_text(table: NodeRef<'_, Node>) -> Option<String> {
    let cap = table.children().find(|c| is_el(*c, "caption"))?;
    let t = cell_text(cap);
    (!t.is_empty()).then_some(t)
}

/// The rows of a data table (`tr` directly under the table or its row groups, `td`/`th`
/// directly under a `tr`), or `None` when the table has at most one cell: a one-cell table is a
/// box around text, not data.
fn data_rows(table: NodeRef<'_, Node>) -> Option<Vec<Vec<RawCell>>> {
    let mut trs = Vec::new();
    for child in table.children() {
        if let Node::Element(el) = child.value() {
            match el.name() {
                "tr" => trs.push(child),
                "thead" | "tbody" | "tfoot" => {
                    trs.extend(child.children().filter(|c| is_el(*c, "tr")));
                }
                _ => {}
            }
        }
    }
    let mut rows = Vec::with_capacity(trs.len());
    let mut n_cells = 0;
    for tr in trs {
        let mut row = Vec::new();
        for c in tr.children() {
            let Node::Element(el) = c.value() else {
                continue;
            };
            let header = match el.name() {
                "td" => false,
                "th" => true,
                _ => continue,
            };
            if is_hidden(el) {
                continue;
            }
            row.push(RawCell {
                text: cell_text(c),
                rowspan: el.attr("rowspan").map(str::to_string),
                colspan: el.attr("colspan").map(str::to_string),
                header,
            });
        }
        n_cells += row.len();
        rows.push(row);
    }
    (n_cells > 1).then_some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn lines_of(html: &str) -> Vec<Vec<String>> {
        let doc = Html::parse_document(html);
        let layout = layout_tables(doc.tree.root());
        let scope = Scope {
            root: doc.tree.root().id(),
            range: None,
        };
        walk(&doc.tree, scope, &layout)
            .lines
            .into_iter()
            .map(|l| l.cells)
            .collect()
    }

    #[test]
    fn paragraphs_and_rows_in_order() {
        let got = lines_of(
            "<p>一、总体情况</p><table><tr><td>规章</td><td>&nbsp;</td><td><p><span>1</span><span>2</span></p></td></tr></table><p>二、<b>主动</b>公开</p>",
        );
        assert_eq!(
            got,
            vec![
                vec!["一、总体情况"],
                vec!["规章", "", "12"],
                vec!["二、主动公开"]
            ]
        );
    }

    #[test]
    fn br_in_header_cell_keeps_both_lines_joined() {
        let got = lines_of("<table><tr><td>信息内容</td><td>本年新<br />制作数量</td><td><p>商业</p><p>企业</p></td></tr></table>");
        assert_eq!(got, vec![vec!["信息内容", "本年新制作数量", "商业企业"]]);
    }

    #[test]
    fn layout_tables_are_walked_like_divs() {
        let got = lines_of(
            "<table class=sj_nr><tr><td><p>正文</p><table><tr><td>a</td><td>1</td></tr></table></td></tr></table><table><tr><td>only cell</td></tr></table>",
        );
        assert_eq!(got, vec![vec!["正文"], vec!["a", "1"], vec!["only cell"]]);
    }

    #[test]
    fn word_export_residue_is_ignored() {
        let got = lines_of(
            "<table><tr><td style='mso-border-alt:solid'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>行政<o:p></o:p></span><span>许可</span></p></td><td><p class=MsoNormal><o:p>&nbsp;</o:p></p></td></tr></table><script>var x='<p>no</p>'</script><div style='display: none'>hidden</div>",
        );
        assert_eq!(got, vec![vec!["行政许可", ""]]);
    }
}
