//! Routing by content: magic bytes first, the file name's extension only as a tie-breaker.

use crate::DocKind;
use std::io::Cursor;

/// Guess the document kind from its bytes (and, to break ties, its file name).
///
/// `%PDF` (within the first KiB) is a PDF; a ZIP is DOCX, XLSX or ODS according to its
/// `[Content_Types].xml` / `mimetype` entries; an OLE compound file is DOC (a `WordDocument`
/// stream) or XLS (`Workbook`/`Book`); WPS/ET files are told apart by extension. Returns `None`
/// for anything else (HTML and plain text are not documents for this crate).
pub fn sniff(bytes: &[u8], name: Option<&str>) -> Option<DocKind> {
    let ext = name
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let ext = ext.as_deref();
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(DocKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(sniff_zip(bytes, ext));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(sniff_ole(bytes, ext));
    }
    match ext {
        Some("pdf") if bytes.is_empty() => None,
        _ => None,
    }
}

fn sniff_zip(bytes: &[u8], ext: Option<&str>) -> DocKind {
    if let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) {
        if let Ok(mut f) = zip.by_name("mimetype") {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut (&mut f).take_limit(200), &mut s);
            if s.contains("opendocument.spreadsheet") {
                return DocKind::Ods;
            }
            if s.contains("opendocument.text") {
                return DocKind::Odt;
            }
        }
        let names: Vec<String> = zip
            .file_names()
            .take(10_000)
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        if names.iter().any(|n| n.starts_with("word/")) {
            return DocKind::Docx;
        }
        if names.iter().any(|n| n.starts_with("xl/")) {
            return DocKind::Xlsx;
        }
    }
    match ext {
        Some("xlsx" | "xlsm" | "et") => DocKind::Xlsx,
        Some("ods") => DocKind::Ods,
        Some("odt") => DocKind::Odt,
        _ => DocKind::Docx,
    }
}

trait TakeLimit: std::io::Read + Sized {
    fn take_limit(self, n: u64) -> std::io::Take<Self> {
        self.take(n)
    }
}
impl<R: std::io::Read> TakeLimit for R {}

fn sniff_ole(bytes: &[u8], ext: Option<&str>) -> DocKind {
    let by_ext = match ext {
        Some("wps") => Some(DocKind::Wps),
        Some("et") => Some(DocKind::Xls),
        _ => None,
    };
    if let Ok(cf) = cfb::CompoundFile::open(Cursor::new(bytes)) {
        let has = |n: &str| cf.exists(format!("/{n}"));
        if has("WordDocument") {
            return by_ext.unwrap_or(DocKind::Doc);
        }
        if has("Workbook") || has("Book") {
            return DocKind::Xls;
        }
    }
    by_ext.unwrap_or(match ext {
        Some("xls") => DocKind::Xls,
        _ => DocKind::Doc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_extension() {
        assert_eq!(sniff(b"%PDF-1.7\n...", Some("a.docx")), Some(DocKind::Pdf));
        assert_eq!(sniff(b"<html>", Some("a.pdf")), None);
        assert_eq!(sniff(b"", None), None);
        // A broken OLE header still routes by extension.
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend([0u8; 100]);
        assert_eq!(sniff(&ole, Some("x.xls")), Some(DocKind::Xls));
        assert_eq!(sniff(&ole, Some("x.wps")), Some(DocKind::Wps));
    }
}
