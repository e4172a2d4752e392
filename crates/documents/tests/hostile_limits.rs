//! Hostile spreadsheets and documents, made byte by byte here: each is refused with a
//! `Limit` error naming the limit, before any parser allocates for it. (Time and memory of the
//! whole `nianbao extract` process on the same bytes are checked in `tests/hostile.rs`.)

use nianbao_documents::{read_document, DocError, DocKind};
use std::io::Write;
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// An XLSX with one sheet; `shared` is written stored (uncompressed) when `stored`.
fn xlsx(sheet: &str, shared: &[u8], stored: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default();
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ] {
        w.start_file(name, deflated).unwrap();
        w.write_all(body).unwrap();
    }
    let opts = if stored {
        deflated.compression_method(zip::CompressionMethod::Stored)
    } else {
        deflated
    };
    w.start_file("xl/sharedStrings.xml", opts).unwrap();
    w.write_all(shared).unwrap();
    w.finish().unwrap().into_inner()
}

fn sheet(dimension: &str, cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>规章</t></si><si><t>本年制发件数</t></si></sst>"#;

fn limit_reason(r: Result<nianbao_documents::DocumentLines, DocError>) -> String {
    match r {
        Err(e @ DocError::Limit { .. }) => e.to_string(),
        Err(e) => panic!("expected a limit error, got {e}"),
        Ok(d) => panic!("expected a limit error, got {} parts", d.parts.len()),
    }
}

#[test]
fn a_small_valid_workbook_reads() {
    let s = sheet(
        "A1:B2",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="B2"><v>7</v></c></row>"#,
    );
    let doc = read_document(&xlsx(&s, SHARED.as_bytes(), false), DocKind::Xlsx).unwrap();
    let cells: Vec<Vec<String>> = doc.parts[0].lines.iter().map(|l| l.cells.clone()).collect();
    assert_eq!(cells[0], vec!["规章", "本年制发件数"]);
    assert!(cells[1].contains(&"7".to_string()));
}

#[test]
fn a_huge_declared_dimension_alone_costs_nothing() {
    // The dimension is only a claim; the cells present are two.
    let s = sheet(
        "A1:XFD1048576",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>3</v></c></row>"#,
    );
    let doc = read_document(&xlsx(&s, SHARED.as_bytes(), false), DocKind::Xlsx).unwrap();
    assert_eq!(doc.parts[0].lines[0].cells, vec!["规章", "3"]);
}

#[test]
fn huge_dimension_with_a_far_cell_is_refused() {
    let s = sheet(
        "A1:XFD1048576",
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
    );
    let bytes = xlsx(&s, SHARED.as_bytes(), false);
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
    let why = limit_reason(read_document(&bytes, DocKind::Xlsx));
    assert!(why.contains("sheet cells"), "{why}");
}

#[test]
fn huge_declared_shared_string_count_is_refused() {
    let shared = SHARED.replace(r#"uniqueCount="2""#, r#"uniqueCount="1000000000000""#);
    let why = limit_reason(read_document(
        &xlsx(&sheet("A1", ""), shared.as_bytes(), false),
        DocKind::Xlsx,
    ));
    assert!(why.contains("declared shared strings"), "{why}");
}

#[test]
fn too_many_shared_strings_are_refused() {
    // 1.5 million strings, stored uncompressed so only the count limit can catch them.
    let mut shared = String::from(r#"<sst xmlns="x">"#);
    for i in 0..1_500_000u32 {
        shared.push_str(&format!("<si><t>{}</t></si>", i % 97));
    }
    shared.push_str("</sst>");
    let why = limit_reason(read_document(
        &xlsx(&sheet("A1", ""), shared.as_bytes(), true),
        DocKind::Xlsx,
    ));
    assert!(why.contains("shared strings is 1000001"), "{why}");
}

#[test]
fn a_shared_string_bomb_is_refused_by_its_ratio() {
    let shared = "<si><t>a</t></si>".repeat(500_000);
    let bytes = xlsx(&sheet("A1", ""), shared.as_bytes(), false);
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let why = limit_reason(read_document(&bytes, DocKind::Xlsx));
    assert!(why.contains("compression ratio"), "{why}");
}

#[test]
fn a_lying_zip_size_cannot_inflate_past_its_claim() {
    // Patch the central directory to claim 3 GB for the shared strings: refused by size.
    let mut bytes = xlsx(&sheet("A1", ""), SHARED.as_bytes(), false);
    let name = b"xl/sharedStrings.xml";
    let cd = bytes
        .windows(4)
        .rposition(|w| w == b"PK\x01\x02")
        .expect("central directory entry");
    assert_eq!(&bytes[cd + 46..cd + 46 + name.len()], name);
    bytes[cd + 24..cd + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    let why = limit_reason(read_document(&bytes, DocKind::Xlsx));
    assert!(why.contains("zip entry size"), "{why}");
}

#[test]
fn deep_docx_xml_is_refused() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("word/document.xml", SimpleFileOptions::default())
        .unwrap();
    let depth = 5000;
    let xml = "<w:tbl><w:tr><w:tc>".repeat(depth) + &"</w:tc></w:tr></w:tbl>".repeat(depth);
    w.write_all(format!("<w:document><w:body>{xml}</w:body></w:document>").as_bytes())
        .unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let why = limit_reason(read_document(&bytes, DocKind::Docx));
    assert!(why.contains("XML depth"), "{why}");
}

/// A BIFF8 workbook stream with the given sheet records, wrapped in an OLE compound file.
fn xls(sheet_records: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let rec = |typ: u16, data: &[u8]| {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    };
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0u8; 12]);
        d
    };
    let mut stream = rec(0x0809, &bof(0x0005));
    stream.extend(rec(0x000A, &[]));
    stream.extend(rec(0x0809, &bof(0x0010)));
    for (t, d) in sheet_records {
        stream.extend(rec(*t, d));
    }
    stream.extend(rec(0x000A, &[]));
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn xls_huge_dimensions_record_is_refused() {
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(u32::MAX.to_le_bytes());
    dims.extend([0u8, 0, 0xFF, 0, 0, 0]);
    let why = limit_reason(read_document(&xls(&[(0x0200, dims)]), DocKind::Xls));
    assert!(why.contains("declared sheet dimension"), "{why}");
}

#[test]
fn xls_far_apart_cells_are_refused() {
    let number = |r: u16, c: u16| {
        let mut d = r.to_le_bytes().to_vec();
        d.extend(c.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(1.0f64.to_le_bytes());
        (0x0203u16, d)
    };
    let why = limit_reason(read_document(
        &xls(&[number(0, 0), number(65535, 255)]),
        DocKind::Xls,
    ));
    assert!(why.contains("sheet cells"), "{why}");
}

#[test]
fn ods_repeated_columns_are_refused() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("mimetype", stored).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    w.start_file("content.xml", SimpleFileOptions::default())
        .unwrap();
    let row = r#"<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
    w.write_all(
        format!(
            r#"<office:document-content xmlns:office="o" xmlns:table="t"><office:body><office:spreadsheet><table:table table:name="S">{row}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
        .as_bytes(),
    )
    .unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let why = limit_reason(read_document(&bytes, DocKind::Ods));
    assert!(why.contains("expanded ODS table"), "{why}");
}

fn parse_reason(r: Result<nianbao_documents::DocumentLines, DocError>) -> String {
    match r {
        Err(e @ DocError::Parse { .. }) => e.to_string(),
        Err(e) => panic!("expected a parse error, got {e}"),
        Ok(d) => panic!("expected a parse error, got {} parts", d.parts.len()),
    }
}

/// calamine computes cell references with unchecked `u32` arithmetic: a reference beyond
/// `XFD1048576` (an overflow, found by the `xlsx` fuzz target) and a reversed range (an
/// underflow) are refused before it reads them, with the part and the reference named.
#[test]
fn xlsx_cell_references_outside_the_grid_are_refused() {
    for (cells, dimension, why) in [
        (
            r#"<row r="1"><c r="AAAAAAAAA1"><v>1</v></c></row>"#,
            "A1",
            "outside A1:XFD1048576",
        ),
        (
            r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#,
            "A1",
            "outside A1:XFD1048576",
        ),
        (
            r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#,
            "A1",
            "outside A1:XFD1048576",
        ),
        (
            r#"<row r="4294967296"><c><v>1</v></c></row>"#,
            "A1",
            "outside A1:XFD1048576",
        ),
        (
            r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
            "C3:A1",
            "reversed range",
        ),
    ] {
        let bytes = xlsx(&sheet(dimension, cells), SHARED.as_bytes(), false);
        let got = parse_reason(read_document(&bytes, DocKind::Xlsx));
        assert!(
            got.contains("xl/worksheets/sheet1.xml") && got.contains(why),
            "{got}"
        );
    }
    // The largest reference of the grid is read.
    let cells = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#;
    let bytes = xlsx(&sheet("A1:XFD1048576", cells), SHARED.as_bytes(), false);
    match read_document(&bytes, DocKind::Xlsx) {
        Err(DocError::Limit { .. }) => {} // the bounding box is too large: a limit, not a parse error
        other => panic!("expected the sheet-cells limit, got {other:?}"),
    }
}

/// calamine's OLE reader trusts the container's sector chains (the `xls` fuzz target found a
/// sector id at the end of the file panicking on a slice): the in-repo workbook cut at any
/// length gives an error or a reading, never a panic.
#[test]
fn truncated_xls_containers_never_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/documents/006.xls");
    let whole = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(e) = read_document(&whole, DocKind::Xls) {
        panic!("the whole workbook: {e}");
    }
    let mut errors = 0;
    for cut in (0..whole.len()).step_by(97) {
        match read_document(&whole[..cut], DocKind::Xls) {
            Err(e @ DocError::Panic { .. }) => panic!("cut at {cut}: {e}"),
            Err(_) => errors += 1,
            Ok(_) => {}
        }
    }
    assert!(
        errors > 0,
        "no cut was refused: the test does not reach the container reader"
    );
}
