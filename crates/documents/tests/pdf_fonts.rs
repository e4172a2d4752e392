//! Synthetic PDFs built with lopdf: the classic Chinese font setups (a non-embedded CID font
//! with `UniGB-UCS2-H` and no ToUnicode, on which pdf-extract panics; `GBK-EUC-H`), TJ
//! spacing, page numbers and a table split over two pages with its header row repeated.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use nianbao_documents::{read_document, DocKind};

fn s(text: &[u8]) -> Object {
    Object::String(text.to_vec(), lopdf::StringFormat::Hexadecimal)
}

/// A document whose pages each run the given operations, with font /F1 = a Type0 font
/// using the CMap `encoding` and no ToUnicode.
fn pdf(encoding: &str, pages_ops: Vec<Vec<Operation>>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let cid = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("GB1"), "Supplement" => 4 },
        "DW" => 1000,
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
        "Encoding" => encoding, "DescendantFonts" => vec![cid.into()],
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    for ops in pages_ops {
        let content = Content { operations: ops };
        let cid = doc.add_object(Stream::new(
            dictionary! {},
            content.encode().expect("encode"),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => cid, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(page.into());
    }
    let n = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

fn text(x: f32, y: f32, bytes: &[u8]) -> Vec<Operation> {
    vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![x.into(), y.into()]),
        Operation::new("Tj", vec![s(bytes)]),
        Operation::new("ET", vec![]),
    ]
}

fn line(x0: f32, y0: f32, x1: f32, y1: f32) -> Vec<Operation> {
    vec![
        Operation::new("m", vec![x0.into(), y0.into()]),
        Operation::new("l", vec![x1.into(), y1.into()]),
        Operation::new("S", vec![]),
    ]
}

fn rows(bytes: &[u8]) -> Vec<String> {
    let doc = read_document(bytes, DocKind::Pdf).expect("read");
    doc.all_lines()
        .iter()
        .map(|l| l.cells.join(" | "))
        .collect()
}

#[test]
fn unigb_ucs2_without_to_unicode() {
    // 规章 (U+89C4 U+7AE0), then "12" in UCS-2, far to the right: two cells.
    let mut ops = text(72.0, 700.0, &[0x89, 0xC4, 0x7A, 0xE0]);
    ops.extend(text(300.0, 700.0, &[0x00, 0x31, 0x00, 0x32]));
    assert_eq!(rows(&pdf("UniGB-UCS2-H", vec![ops])), vec!["规章 | 12"]);
}

#[test]
fn gbk_euc_h_without_to_unicode() {
    // 规章 in GBK, then ASCII digits as single bytes.
    let mut ops = text(72.0, 700.0, &[0xB9, 0xE6, 0xD5, 0xC2]);
    ops.extend(text(300.0, 700.0, b"7"));
    assert_eq!(rows(&pdf("GBK-EUC-H", vec![ops])), vec!["规章 | 7"]);
}

#[test]
fn tj_adjustments_move_glyphs() {
    // A TJ with a large negative adjustment opens a gap: two cells.
    let ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![72.into(), 700.into()]),
        Operation::new(
            "TJ",
            vec![Object::Array(vec![
                s(&[0x89, 0xC4, 0x7A, 0xE0]),
                Object::Integer(-8000),
                s(&[0x00, 0x35]),
            ])],
        ),
        Operation::new("ET", vec![]),
    ];
    assert_eq!(rows(&pdf("UniGB-UCS2-H", vec![ops])), vec!["规章 | 5"]);
}

#[test]
fn split_table_joined_and_repeated_header_dropped() {
    // Page 1: header row + one data row, ruled; page number "-1-" at the bottom.
    // Page 2: the header row repeated + one data row; page number "-2-".
    let header = [0x4F, 0xE1, 0x60, 0x6F]; // 信息
    let data1 = [0x89, 0xC4, 0x7A, 0xE0]; // 规章
    let data2 = [0x89, 0xC4, 0x83, 0x03]; // 规范
    let page = |data: &[u8], digit: u8, pn: u8| {
        let mut ops = Vec::new();
        for y in [760.0, 730.0, 700.0] {
            ops.extend(line(50.0, y, 400.0, y));
        }
        for x in [50.0, 250.0, 400.0] {
            ops.extend(line(x, 700.0, x, 760.0));
        }
        ops.extend(text(60.0, 740.0, &header));
        ops.extend(text(260.0, 740.0, &[0x00, 0x41])); // "A"
        ops.extend(text(60.0, 710.0, data));
        ops.extend(text(260.0, 710.0, &[0x00, digit]));
        ops.extend(text(290.0, 30.0, &[0x00, b'-', 0x00, pn, 0x00, b'-']));
        ops
    };
    let bytes = pdf(
        "UniGB-UCS2-H",
        vec![page(&data1, b'3', b'1'), page(&data2, b'4', b'2')],
    );
    let doc = read_document(&bytes, DocKind::Pdf).expect("read");
    let lines: Vec<(String, Option<u32>, Option<u32>)> = doc
        .all_lines()
        .iter()
        .map(|l| (l.cells.join(" | "), l.page, l.table))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("信息 | A".to_string(), Some(1), Some(0)),
            ("规章 | 3".to_string(), Some(1), Some(0)),
            ("规范 | 4".to_string(), Some(2), Some(0)),
        ]
    );
    assert_eq!(doc.parts[0].table_pages.get(&0), Some(&vec![1, 2]));
}
