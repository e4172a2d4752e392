//! Legacy Word binaries (`.doc`, and `.wps` files that are Word-compatible binaries) through
//! office_oxide's document IR (feature `legacy-doc`): tables row by row (spanned cells once,
//! row-merge continuations omitted), paragraphs as text lines. Without the feature, or when
//! the file cannot be parsed, the caller gets [`DocError::Unsupported`] and the report is
//! flagged `unsupported_format`.

use crate::{DocError, DocKind, DocumentLines};

#[cfg(feature = "legacy-doc")]
pub(crate) fn read_legacy(bytes: &[u8], kind: DocKind) -> Result<DocumentLines, DocError> {
    use crate::DocPart;
    use nianbao_text::{normalize, Line};
    use office_oxide::ir::{Element, InlineContent};
    use office_oxide::{Document, DocumentFormat};

    fn inline_text(content: &[InlineContent]) -> String {
        let mut s = String::new();
        for c in content {
            match c {
                InlineContent::Text(t) => s.push_str(&t.text),
                InlineContent::LineBreak => s.push(' '),
                _ => {}
            }
        }
        s
    }

    fn element_text(e: &Element, out: &mut String) {
        let piece = match e {
            Element::Paragraph(p) => inline_text(&p.content),
            Element::Heading(h) => inline_text(&h.content),
            Element::Table(t) => {
                for row in &t.rows {
                    for c in &row.cells {
                        for e in &c.content {
                            element_text(e, out);
                        }
                    }
                }
                return;
            }
            Element::List(l) => {
                for it in &l.items {
                    for e in &it.content {
                        element_text(e, out);
                    }
                }
                return;
            }
            Element::TextBox(t) => {
                for e in &t.content {
                    element_text(e, out);
                }
                return;
            }
            _ => return,
        };
        let piece = piece.trim();
        if piece.is_empty() {
            return;
        }
        let glue = matches!((out.chars().last(), piece.chars().next()), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric());
        if glue {
            out.push(' ');
        }
        out.push_str(piece);
    }

    fn walk(elements: &[Element], lines: &mut Vec<Line>, table: &mut u32) {
        for e in elements {
            match e {
                Element::Table(t) => {
                    for row in &t.rows {
                        let cells: Vec<String> = row
                            .cells
                            .iter()
                            .map(|c| {
                                let mut s = String::new();
                                for e in &c.content {
                                    element_text(e, &mut s);
                                }
                                normalize(&s).trim().to_string()
                            })
                            .collect();
                        if cells.iter().any(|c| !c.is_empty()) {
                            lines.push(Line::row(cells, Some(*table)));
                        }
                    }
                    *table += 1;
                }
                Element::List(l) => {
                    for it in &l.items {
                        walk(&it.content, lines, table);
                    }
                }
                Element::TextBox(t) => walk(&t.content, lines, table),
                other => {
                    let mut s = String::new();
                    element_text(other, &mut s);
                    let s = normalize(&s).trim().to_string();
                    if !s.is_empty() {
                        lines.push(Line::text(s));
                    }
                }
            }
        }
    }

    let doc = Document::from_reader(std::io::Cursor::new(bytes.to_vec()), DocumentFormat::Doc)
        .map_err(|e| DocError::Unsupported {
            kind,
            reason: format!("office_oxide could not read it as a Word binary: {e}"),
        })?;
    let ir = doc.to_ir();
    let mut lines = Vec::new();
    let mut table = 0;
    for s in &ir.sections {
        walk(&s.elements, &mut lines, &mut table);
    }
    if lines.is_empty() {
        return Err(DocError::Unsupported {
            kind,
            reason: "office_oxide found no text in the Word binary".into(),
        });
    }
    Ok(DocumentLines {
        kind,
        parts: vec![DocPart {
            name: None,
            lines,
            table_pages: Default::default(),
        }],
        page_count: None,
        image_only: false,
        image_pages: Vec::new(),
        pages_read: 0,
        flags: Vec::new(),
        warnings: Vec::new(),
    })
}

#[cfg(not(feature = "legacy-doc"))]
pub(crate) fn read_legacy(_bytes: &[u8], kind: DocKind) -> Result<DocumentLines, DocError> {
    Err(DocError::Unsupported {
        kind,
        reason: "built without the `legacy-doc` feature (office_oxide)".into(),
    })
}
