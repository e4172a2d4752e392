//! DOCX: `word/document.xml` walked with quick-xml. Tables become one line per `w:tr`, each
//! cell once (`w:gridSpan` cells once; `w:vMerge` continuation cells omitted, as HTML rowspan
//! would be), blank cells as `""`. Paragraphs outside tables become text lines, in document
//! order. Text in `w:delText`, field codes and `mc:Fallback` duplicates is skipped.

use crate::{DocError, DocKind, DocPart, DocumentLines};
use nianbao_text::{normalize, Line};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::{Cursor, Read};

/// Largest `document.xml` we inflate (zip-bomb guard).
const MAX_XML: u64 = 128 << 20;

fn err(detail: impl Into<String>) -> DocError {
    DocError::Parse {
        kind: DocKind::Docx,
        detail: detail.into(),
    }
}

pub(crate) fn read_docx(bytes: &[u8]) -> Result<DocumentLines, DocError> {
    crate::guard::check_zip(bytes, DocKind::Docx, &nianbao_text::Limits::DEFAULT)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| err(format!("zip: {e}")))?;
    let mut xml = String::new();
    {
        let f = zip
            .by_name("word/document.xml")
            .map_err(|e| err(format!("word/document.xml: {e}")))?;
        f.take(MAX_XML)
            .read_to_string(&mut xml)
            .map_err(|e| err(format!("word/document.xml: {e}")))?;
    }
    let lines = parse_document_xml(&xml)?;
    Ok(DocumentLines {
        kind: DocKind::Docx,
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

#[derive(Default)]
struct Cell {
    text: String,
    continue_merge: bool,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<Cell>>,
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

fn entity(name: &str) -> Option<String> {
    Some(match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?.to_string()
        }
    })
}

/// Join a paragraph to text before it: no space between CJK, a space between words.
fn push_joined(out: &mut String, piece: &str) {
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

fn parse_document_xml(xml: &str) -> Result<Vec<Line>, DocError> {
    let mut reader = Reader::from_str(xml);
    let mut lines = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut cells: Vec<Cell> = Vec::new(); // open cells, innermost last
    let mut para = String::new();
    let mut in_text = false;
    let mut skip_depth = 0usize; // inside w:delText / w:instrText / mc:Fallback
    let mut table_index = 0u32;
    let mut events = 0usize;
    let mut depth = 0usize;
    let limits = nianbao_text::Limits::DEFAULT;
    loop {
        events += 1;
        if events > 50_000_000 {
            return Err(err("document.xml too large"));
        }
        let ev = reader
            .read_event()
            .map_err(|e| err(format!("XML at {}: {e}", reader.buffer_position())))?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                crate::guard::check_depth(DocKind::Docx, depth, &limits)?;
                let name = e.name();
                let n = name.as_ref();
                if skip_depth > 0 {
                    skip_depth += 1;
                    continue;
                }
                match n {
                    "w:delText" | "w:instrText" | "mc:Fallback" => skip_depth = 1,
                    "w:t" => in_text = true,
                    "w:p" => para.clear(),
                    "w:tbl" => tables.push(Table::default()),
                    "w:tr" => {
                        if let Some(t) = tables.last_mut() {
                            t.rows.push(Vec::new());
                        }
                    }
                    "w:tc" => cells.push(Cell::default()),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if skip_depth > 0 {
                    continue;
                }
                let name = e.name();
                match name.as_ref() {
                    "w:tab" => para.push(' '),
                    "w:br" | "w:cr" => para.push('\n'),
                    "w:vMerge" => {
                        let v = attr(&e, "val");
                        if let Some(c) = cells.last_mut() {
                            c.continue_merge = v.as_deref().is_none_or(|v| v == "continue");
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip_depth == 0 => para.push_str(&t.into_inner()),
            Event::CData(t) if in_text && skip_depth == 0 => para.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_text && skip_depth == 0 => {
                if let Some(s) = entity(&r.into_inner()) {
                    para.push_str(&s);
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                let name = e.name();
                match name.as_ref() {
                    "w:t" => in_text = false,
                    "w:p" => {
                        let text = normalize(&para.replace('\n', " "));
                        para.clear();
                        if let Some(c) = cells.last_mut() {
                            push_joined(&mut c.text, &text);
                        } else if !text.trim().is_empty() {
                            lines.push(Line::text(text.trim().to_string()));
                        }
                    }
                    "w:tc" => {
                        if let Some(c) = cells.pop() {
                            if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                                row.push(c);
                            }
                        }
                    }
                    "w:tbl" => {
                        if let Some(t) = tables.pop() {
                            if let Some(outer) = cells.last_mut() {
                                // A nested table: its text stays inside the enclosing cell.
                                for row in &t.rows {
                                    for c in row {
                                        push_joined(&mut outer.text, &c.text);
                                    }
                                }
                            } else {
                                emit_table(&t, table_index, &mut lines);
                                table_index += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(lines)
}

fn emit_table(t: &Table, index: u32, lines: &mut Vec<Line>) {
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .filter(|c| !c.continue_merge)
            .map(|c| c.text.clone())
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            lines.push(Line::row(cells, Some(index)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_span_and_vmerge() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
          <w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>
          <w:tbl>
            <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三、本年度</w:t></w:r></w:p><w:p><w:r><w:t>办理结果</w:t></w:r></w:p></w:tc>
                  <w:tc><w:p><w:r><w:t>(一)予以公开</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>4</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>
                  <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>A&amp;B</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr>
          </w:tbl></w:body></w:document>"#;
        let lines = parse_document_xml(xml).unwrap();
        let cells: Vec<Vec<String>> = lines.iter().map(|l| l.cells.clone()).collect();
        assert_eq!(
            cells,
            vec![
                vec!["二、主动公开政府信息情况".to_string()],
                vec![
                    "三、本年度办理结果".into(),
                    "(一)予以公开".into(),
                    "4".into(),
                    "".into()
                ],
                vec!["A&B".into(), "0".into()],
            ]
        );
    }
}
