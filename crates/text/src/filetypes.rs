//! The one list of file types nianbao knows by name: report pages, plain-text dumps, document
//! attachments and images. The HTML reader (attachments of a page), the ingest router, the
//! `extract` directory walk and the crawler (which may depend only on `archive` and `text`)
//! all read it from here, so a new attachment type is added once.
//!
//! Names only decide where content sniffing cannot (magic bytes always win in the readers).
//!
//! ```
//! use nianbao_text::filetypes::{attachment_ext, file_type, FileType};
//! assert_eq!(attachment_ext("https://a.gov.cn/u/P020240308.PDF"), Some("pdf"));
//! assert_eq!(attachment_ext("https://a.gov.cn/downfile.jsp?filename=nb.docx"), Some("docx"));
//! assert_eq!(file_type("scan.jpeg"), Some(FileType::Image));
//! assert_eq!(file_type("t20240308_87885.htm"), Some(FileType::Page));
//! ```

/// Documents that can hold a report and are linked from report pages as attachments. The
/// crawler follows these (through [`is_attachment_url`]) and the HTML reader lists them. Not
/// `.txt`: nothing shows sites publishing reports as text files, a linked `.txt` is more likely
/// a readme or a data dump, and following it would make it an attachment of the report. (The
/// corpus's text dumps are flattened copies read by `extract` by name, not links on pages.)
pub const ATTACHMENT_EXTS: &[&str] = &[
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ods", "odt", "ofd", "rtf",
];

/// Images: report tables posted as pictures (图片版), and scanned pages.
pub const IMAGE_EXTS: &[&str] = &["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"];

/// Web pages (static or server-generated) that are read as HTML.
pub const PAGE_EXTS: &[&str] = &["html", "htm", "shtml", "xhtml", "jsp", "php", "asp", "aspx"];

/// Plain-text dumps (flattened tables, markdown).
pub const TEXT_EXTS: &[&str] = &["txt", "md", "csv"];

/// What a file name says about its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A web page.
    Page,
    /// A plain-text dump.
    Text,
    /// A document attachment (PDF, Word, Excel, WPS, OFD, ...).
    Document,
    /// An image.
    Image,
}

/// The lower-case extension of the last path segment of a path or URL, ignoring `?query` and
/// `#fragment` (`a/b.PDF?x=1` → `pdf`).
pub fn extension(path_or_url: &str) -> Option<String> {
    let path = path_or_url.split(['?', '#']).next().unwrap_or("");
    let name = path.rsplit(['/', '\\']).next().unwrap_or("");
    let (_, ext) = name.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 5).then(|| ext.to_ascii_lowercase())
}

/// The type an extension (without dot, any case) stands for.
pub fn type_of_ext(ext: &str) -> Option<FileType> {
    let e = ext.to_ascii_lowercase();
    let e = e.as_str();
    if PAGE_EXTS.contains(&e) {
        Some(FileType::Page)
    } else if TEXT_EXTS.contains(&e) {
        Some(FileType::Text)
    } else if ATTACHMENT_EXTS.contains(&e) {
        Some(FileType::Document)
    } else if IMAGE_EXTS.contains(&e) {
        Some(FileType::Image)
    } else {
        None
    }
}

/// The type a path or URL names by its extension.
pub fn file_type(path_or_url: &str) -> Option<FileType> {
    type_of_ext(&extension(path_or_url)?)
}

fn known(list: &[&'static str], s: &str) -> Option<&'static str> {
    let e = extension(s.trim())?;
    list.iter().find(|x| **x == e).copied()
}

/// The attachment extension of a URL, from its path or else from a query value
/// (`downfile.jsp?filename=a.pdf`, `viewer.html?file=/u/b.pdf`).
pub fn attachment_ext(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if let Some(e) = known(ATTACHMENT_EXTS, path) {
        return Some(e);
    }
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|kv| {
        let v = kv.split_once('=')?.1;
        known(ATTACHMENT_EXTS, &percent_decoded_ascii(v))
    })
}

/// The image extension of a URL's path, if it names an image.
pub fn image_ext(url: &str) -> Option<&'static str> {
    known(IMAGE_EXTS, url.split(['?', '#']).next().unwrap_or(url))
}

/// Words in the address of a picture that is page furniture (icons, logos, QR codes, share
/// buttons, spacers), never a report's table.
pub const DECORATIVE_IMAGE_WORDS: &[&str] = &[
    "icon",
    "filetypeimages",
    "qrcode",
    "ewm",
    "share",
    "logo",
    "spacer",
    "blank.gif",
];

/// True when an image address names page furniture ([`DECORATIVE_IMAGE_WORDS`]).
pub fn is_decorative_image(url: &str) -> bool {
    let s = url.to_ascii_lowercase();
    DECORATIVE_IMAGE_WORDS.iter().any(|w| s.contains(w))
}

/// True when a URL names a document attachment by its path or a query value, or is one of
/// the download endpoints CMSs serve attachments from. A pdf.js viewer page
/// (`viewer.html?file=a.pdf`) is not: it is the page that shows the document, and the readers
/// follow the document it names instead (the crawler's `viewer` links, the HTML reader's
/// `viewer_file`).
pub fn is_attachment_url(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or("");
    if name.contains("viewer") && file_type(name) == Some(FileType::Page) {
        return false;
    }
    if attachment_ext(url).is_some() {
        return true;
    }
    path.ends_with("downfile.jsp") || path.contains("/download/")
}

/// `%2E` → `.` and `%2F` → `/` in query values, enough to see an extension (`a%2Epdf`).
fn percent_decoded_ascii(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = String::with_capacity(v.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(c) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                if c.is_ascii() {
                    out.push(c as char);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_from_paths_and_urls() {
        assert_eq!(extension("a/b/c.PDF").as_deref(), Some("pdf"));
        assert_eq!(
            extension("https://x.cn/a.htm?b=c.pdf#d").as_deref(),
            Some("htm")
        );
        assert_eq!(extension("https://x.cn/dir/"), None);
        assert_eq!(extension("https://x.cn/dir.v2/readme"), None);
        assert_eq!(extension("C:\\r\\nb.docx").as_deref(), Some("docx"));
    }

    #[test]
    fn attachments_by_path_query_and_endpoint() {
        assert_eq!(attachment_ext("https://x.cn/P0201.pdf"), Some("pdf"));
        assert_eq!(
            attachment_ext("https://x.cn/d.jsp?f=1&filename=nb.xls"),
            Some("xls")
        );
        assert_eq!(
            attachment_ext("https://x.cn/v.html?file=%2Fu%2Fa%2Epdf"),
            Some("pdf")
        );
        assert_eq!(attachment_ext("https://x.cn/t.htm"), None);
        assert_eq!(attachment_ext("https://x.cn/a.png"), None);
        assert!(is_attachment_url("https://x.cn/module/downfile.jsp?id=3"));
        assert!(is_attachment_url("https://x.cn/getFile.do?fileName=nb.ods"));
        assert!(!is_attachment_url("https://x.cn/t2024.html"));
        assert!(!is_attachment_url("https://x.cn/readme.txt"));
        assert!(!is_attachment_url(
            "https://x.cn/generic2/web/viewer.html?file=/u/a.pdf"
        ));
        assert_eq!(image_ext("https://x.cn/u/table.JPG?x=1"), Some("jpg"));
    }

    #[test]
    fn every_extension_has_one_type() {
        let all = [ATTACHMENT_EXTS, IMAGE_EXTS, PAGE_EXTS, TEXT_EXTS].concat();
        let mut seen = std::collections::HashSet::new();
        for e in &all {
            assert!(seen.insert(*e), "{e} listed twice");
            assert!(type_of_ext(e).is_some());
        }
        assert_eq!(type_of_ext("TXT"), Some(FileType::Text));
        assert_eq!(type_of_ext("exe"), None);
    }
}
