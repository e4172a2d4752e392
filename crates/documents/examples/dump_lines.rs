//! Print the lines a document gives, one per line, cells separated by ` | `.
//! Usage: cargo run -p nianbao-documents --example dump_lines -- FILE
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: dump_lines FILE")?;
    let bytes = std::fs::read(path)?;
    let kind = nianbao_documents::sniff(&bytes, Some(path)).ok_or("unknown format")?;
    let t = Instant::now();
    let doc = nianbao_documents::read_document(&bytes, kind)?;
    eprintln!(
        "{kind}: {:?} pages, read in {:?}, flags {:?}, warnings {:?}",
        doc.page_count,
        t.elapsed(),
        doc.flags,
        doc.warnings
    );
    for part in &doc.parts {
        if let Some(n) = &part.name {
            println!("=== sheet {n}");
        }
        for l in &part.lines {
            let tag = match (l.kind, l.table) {
                (nianbao_text::LineKind::TableRow, Some(t)) => format!("T{t}"),
                _ => "  ".to_string(),
            };
            println!("p{:?} {tag} {}", l.page.unwrap_or(0), l.cells.join(" | "));
        }
    }
    Ok(())
}
