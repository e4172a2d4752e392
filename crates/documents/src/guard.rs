//! Limits checked before a third-party parser allocates ([`nianbao_text::Limits`]).
//!
//! * **Zip containers** (DOCX, XLSX, ODS): the central directory is read first (entry count,
//!   declared decompressed sizes, compression ratios). The zip crate refuses to inflate an
//!   entry past its declared size, so the declared sizes are a real bound on what calamine
//!   and our XML readers can inflate.
//! * **XLSX**: the shared-string part is streamed once and its strings counted (and its
//!   declared `uniqueCount`, which calamine would `reserve`); sheets are read cell by cell and
//!   the bounding box of the cells present is checked before a grid exists.
//! * **XLSX cell references** (`r` of rows and cells, `ref` of dimensions, merged regions,
//!   hyperlinks, shared formulas and tables): calamine turns them into numbers with unchecked
//!   `u32` arithmetic (overflow with a long reference, underflow with a reversed range), so a
//!   reference outside `A1:XFD1048576` or a reversed range is refused here first.
//! * **XLS**: calamine builds every sheet while opening the workbook, reserving the declared
//!   `DIMENSIONS` and a dense grid over the cells' bounding box; both are computed here first
//!   from the BIFF records of the `Workbook` stream. calamine's own OLE reader trusts the
//!   sector chains of the container (a sector id at the end of the file, one past the FAT, a
//!   cycle), so it is only ever given a fresh container holding the workbook stream, written
//!   by the `cfb` crate after that crate has read the original with its validated chains.
//! * **ODS**: `content.xml` is streamed once and each table's expanded size (repeated rows
//!   and columns, which calamine expands) is checked.
//! * **XML depth** of every part we walk ourselves.

use crate::{DocError, DocKind};
use nianbao_text::limits::{check, LimitExceeded};
use nianbao_text::Limits;
use quick_xml::events::Event;
use std::io::{BufReader, Cursor, Read};

/// A limit error for a document kind.
pub(crate) fn limit(kind: DocKind, e: LimitExceeded) -> DocError {
    DocError::Limit { kind, limit: e }
}

/// Check a zip container's central directory: entry count, per-entry and total declared
/// sizes, and the compression ratio of large entries.
pub(crate) fn check_zip(bytes: &[u8], kind: DocKind, limits: &Limits) -> Result<(), DocError> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocError::Parse {
        kind,
        detail: format!("zip: {e}"),
    })?;
    check(
        "zip entries",
        zip.len() as u64,
        limits.max_zip_entries as u64,
    )
    .map_err(|e| limit(kind, e))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(meta) = zip.by_index_data(i) else {
            continue;
        };
        let size = meta.size();
        let packed = meta.compressed_size().max(1);
        check("zip entry size (bytes)", size, limits.max_zip_entry_bytes)
            .map_err(|e| limit(kind, e))?;
        if size > 1 << 20 {
            check(
                "zip entry compression ratio",
                size / packed,
                limits.max_zip_ratio,
            )
            .map_err(|e| limit(kind, e))?;
        }
        total = total.saturating_add(size);
    }
    check("zip total size (bytes)", total, limits.max_zip_total_bytes).map_err(|e| limit(kind, e))
}

/// Stream every `sharedStrings.xml` part of an XLSX: its declared counts and the strings it
/// holds must stay under [`Limits::max_shared_strings`], its nesting under
/// [`Limits::max_xml_depth`].
pub(crate) fn check_xlsx_shared_strings(bytes: &[u8], limits: &Limits) -> Result<(), DocError> {
    let kind = DocKind::Xlsx;
    let parse = |detail: String| DocError::Parse { kind, detail };
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| parse(format!("zip: {e}")))?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .collect();
    for name in names {
        let f = zip
            .by_name(&name)
            .map_err(|e| parse(format!("{name}: {e}")))?;
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(f));
        let mut buf = Vec::new();
        let mut strings = 0u64;
        let mut depth = 0usize;
        loop {
            buf.clear();
            let ev = reader
                .read_event_into(&mut buf)
                .map_err(|e| parse(format!("{name}: {e}")))?;
            let (e, start) = match &ev {
                Event::Start(e) => (e, true),
                Event::Empty(e) => (e, false),
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            if start {
                depth += 1;
                check_depth(kind, depth, limits)?;
            }
            match e.local_name().as_ref() {
                "sst" => {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == "uniqueCount" {
                            let n: u64 = a.value.trim().parse().unwrap_or(0);
                            check("declared shared strings", n, limits.max_shared_strings)
                                .map_err(|e| limit(kind, e))?;
                        }
                    }
                }
                "si" => {
                    strings += 1;
                    check("shared strings", strings, limits.max_shared_strings)
                        .map_err(|e| limit(kind, e))?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// XML nesting check for our own walkers.
pub(crate) fn check_depth(kind: DocKind, depth: usize, limits: &Limits) -> Result<(), DocError> {
    check("XML depth", depth as u64, limits.max_xml_depth as u64).map_err(|e| limit(kind, e))
}

/// Tracks the bounding box of the cells of one sheet without storing them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BoundingBox {
    min: Option<(u32, u32)>,
    max: (u32, u32),
}

impl BoundingBox {
    pub(crate) fn add(&mut self, row: u32, col: u32) {
        self.min = Some(match self.min {
            None => (row, col),
            Some((r, c)) => (r.min(row), c.min(col)),
        });
        self.max = (self.max.0.max(row), self.max.1.max(col));
    }

    /// A box of `rows × cols` cells.
    pub(crate) fn from_size(rows: u64, cols: u64) -> BoundingBox {
        let clamp = |n: u64| u32::try_from(n.saturating_sub(1)).unwrap_or(u32::MAX);
        if rows == 0 || cols == 0 {
            return BoundingBox::default();
        }
        BoundingBox {
            min: Some((0, 0)),
            max: (clamp(rows), clamp(cols)),
        }
    }

    /// Cells of a dense grid over the box.
    pub(crate) fn cells(&self) -> u64 {
        match self.min {
            None => 0,
            Some((r0, c0)) => {
                (u64::from(self.max.0 - r0) + 1).saturating_mul(u64::from(self.max.1 - c0) + 1)
            }
        }
    }

    pub(crate) fn check(&self, kind: DocKind, limits: &Limits) -> Result<(), DocError> {
        check(
            "sheet cells (bounding box of the cells present)",
            self.cells(),
            limits.max_sheet_cells,
        )
        .map_err(|e| limit(kind, e))
    }
}

/// Scan the BIFF records of an XLS workbook stream before calamine opens it: every
/// `DIMENSIONS` record and the bounding box of the cell records of each sheet substream must
/// stay under [`Limits::max_sheet_cells`]. Returns the container calamine may open: a fresh
/// OLE file holding only the workbook stream (see the module comment).
pub(crate) fn check_xls(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, DocError> {
    let kind = DocKind::Xls;
    let parse = |detail: String| DocError::Parse { kind, detail };
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| parse(format!("OLE container: {e}")))?;
    let path = if cf.exists("/Workbook") {
        "/Workbook"
    } else if cf.exists("/Book") {
        "/Book"
    } else {
        return Err(parse(
            "no Workbook or Book stream in the OLE container".into(),
        ));
    };
    let mut stream = Vec::new();
    {
        let s = cf.open_stream(path).map_err(|e| DocError::Parse {
            kind,
            detail: format!("workbook stream: {e}"),
        })?;
        s.take(limits.max_input_bytes)
            .read_to_end(&mut stream)
            .map_err(|e| DocError::Parse {
                kind,
                detail: format!("workbook stream: {e}"),
            })?;
    }
    let u16_at = |d: &[u8], i: usize| d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |d: &[u8], i: usize| {
        d.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut bbox = BoundingBox::default();
    let mut i = 0usize;
    while i + 4 <= stream.len() {
        let typ = u16_at(&stream, i).unwrap_or(0);
        let len = usize::from(u16_at(&stream, i + 2).unwrap_or(0));
        let data = &stream[(i + 4).min(stream.len())..(i + 4 + len).min(stream.len())];
        i += 4 + len;
        match typ {
            // BOF: a new substream (sheet, chart, globals).
            0x0809 => {
                bbox.check(kind, limits)?;
                bbox = BoundingBox::default();
            }
            // DIMENSIONS, as calamine reads it (it reserves rows × columns).
            0x0200 => {
                let (rf, rl, cf_, cl) = match data.len() {
                    10 => (
                        u32::from(u16_at(data, 0).unwrap_or(0)),
                        u32::from(u16_at(data, 2).unwrap_or(0)),
                        u32::from(u16_at(data, 4).unwrap_or(0)),
                        u32::from(u16_at(data, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u32_at(data, 0).unwrap_or(0),
                        u32_at(data, 4).unwrap_or(0),
                        u32::from(u16_at(data, 8).unwrap_or(0)),
                        u32::from(u16_at(data, 10).unwrap_or(0)),
                    ),
                    _ => continue,
                };
                let cf_ = if cf_ > 0xFF || cl < cf_ { 0 } else { cf_ };
                let rows = u64::from(rl.saturating_sub(rf)) + 1;
                let cols = u64::from(cl.saturating_sub(cf_)) + 1;
                check(
                    "declared sheet dimension (cells)",
                    rows.saturating_mul(cols),
                    limits.max_sheet_cells,
                )
                .map_err(|e| limit(kind, e))?;
            }
            // Cell records: row, column first.
            0x0203 | 0x0204 | 0x00FD | 0x027E | 0x0006 | 0x0205 | 0x0201 | 0x00D6 | 0x0207 => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    bbox.add(u32::from(r), u32::from(c));
                }
            }
            // MULRK / MULBLANK: row, first column, ..., last column.
            0x00BD | 0x00BE => {
                if let (Some(r), Some(c0)) = (u16_at(data, 0), u16_at(data, 2)) {
                    bbox.add(u32::from(r), u32::from(c0));
                    if let Some(c1) = data.len().checked_sub(2).and_then(|j| u16_at(data, j)) {
                        bbox.add(u32::from(r), u32::from(c1.max(c0)));
                    }
                }
            }
            _ => {}
        }
    }
    bbox.check(kind, limits)?;
    neutralise_biff(&mut stream).map_err(parse)?;
    rebuild_ole(path, &stream).map_err(|e| parse(format!("rewriting the OLE container: {e}")))
}

/// A record type calamine's XLS reader does not look at.
const IGNORED_RECORD: u16 = 0x0000;

/// Make a BIFF workbook stream safe for calamine's XLS reader, which reads record fields
/// without checking the record's length (found by the `xls` fuzz target: a formula whose
/// token length runs past its record). Record offsets never move (sheets are found by offset):
/// * records we do not use and calamine parses unchecked are retyped to one it ignores:
///   defined names (`Lbl`), `ExternSheet`, and `DIMENSIONS` (only a capacity hint to
///   calamine, whose reversed ranges underflow; they were checked above);
/// * a formula keeps its cached value and loses its tokens (length set to 0): we read values;
/// * a `MULRK` whose last column is before its first (a `u16` underflow in calamine) is
///   retyped;
/// * `FilePass`, `CodePage`, `DateMode` and `BOF` records too short for their first field
///   are retyped, and so is a `MergeCells` record shorter than the ranges it counts;
/// * the shared string table must not make calamine read a string's fields past its
///   records ([`check_sst`]); such a workbook is refused, since dropping the table would
///   silently empty every text cell;
/// * each `BoundSheet8` must be long enough and point at a record boundary inside the stream
///   (calamine slices the stream at that offset and reads records from there).
fn neutralise_biff(stream: &mut [u8]) -> Result<(), String> {
    let u16_at = |d: &[u8], i: usize| d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let mut starts = Vec::new();
    let mut sheet_offsets = Vec::new();
    // calamine reads the workbook globals (and so the SST) up to the first EOF record.
    let mut in_globals = true;
    let mut i = 0usize;
    while i + 4 <= stream.len() {
        starts.push(i);
        let typ = u16_at(stream, i).unwrap_or(0);
        let len = usize::from(u16_at(stream, i + 2).unwrap_or(0));
        let retype = match typ {
            0x0018 | 0x0017 | 0x0200 => true,
            0x002F | 0x0042 | 0x0022 | 0x0809 => len < 2,
            0x0006 if len >= 22 => {
                if let Some(cce) = stream.get_mut(i + 4 + 20..i + 4 + 22) {
                    cce.fill(0);
                }
                false
            }
            0x0006 => len >= 20,
            // MULRK: calamine computes `last - first + 1` columns in u16.
            0x00BD if len >= 6 => {
                let first = u16_at(stream, i + 4 + 2).unwrap_or(0);
                let last = u16_at(stream, i + 4 + len - 2).unwrap_or(0);
                last < first || last - first == u16::MAX
            }
            // MergeCells: calamine reads `count` ranges of 8 bytes without checking the length.
            0x00E5 => u16_at(stream, i + 4)
                .filter(|_| len >= 2)
                .is_none_or(|n| 2 + 8 * usize::from(n) > len),
            0x000A => {
                in_globals = false;
                false
            }
            0x00FC if in_globals => {
                let data = stream.get(i + 4..i + 4 + len).unwrap_or_default();
                let conts = continue_records(stream, i + 4 + len);
                check_sst(data, &conts).map_err(|e| format!("shared string table at {i}: {e}"))?;
                false
            }
            0x0085 => {
                let offset = stream
                    .get(i + 4..i + 8)
                    .filter(|_| len >= 6)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                let Some(offset) = offset else {
                    return Err(format!("BoundSheet8 record of {len} bytes at {i}"));
                };
                sheet_offsets.push(offset as usize);
                false
            }
            _ => false,
        };
        if retype {
            stream[i..i + 2].copy_from_slice(&IGNORED_RECORD.to_le_bytes());
        }
        i += 4 + len;
    }
    for offset in sheet_offsets {
        if starts.binary_search(&offset).is_err() {
            return Err(format!(
                "sheet offset {offset} is not a record in the workbook stream"
            ));
        }
    }
    Ok(())
}

/// The CONTINUE records that follow a record ending at `at`, as calamine's record iterator
/// gathers them (it stops at a CONTINUE record that runs past the stream, with an error).
fn continue_records(stream: &[u8], mut at: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some(head) = stream.get(at..at + 4).filter(|_| stream.len() - at > 4) {
        if u16::from_le_bytes([head[0], head[1]]) != 0x003C {
            break;
        }
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let Some(data) = stream.get(at + 4..at + 4 + len) else {
            break;
        };
        out.push(data);
        at += 4 + len;
    }
    out
}

/// Walk a shared string table (SST record `data` and its CONTINUE records) the way calamine's
/// `parse_sst` reads it and say where calamine would index past a record: it reads a string's
/// `cRun` and `cbExtRst` fields, and the flag byte that starts a string's continuation,
/// without checking they are there (found reading calamine's BIFF parsers after the `xls`
/// fuzz target found the same pattern in `MergeCells`). Where calamine returns an error of
/// its own the walk stops: that is no crash.
fn check_sst(data: &[u8], conts: &[&[u8]]) -> Result<(), String> {
    let Some(mut cur) = data.get(8..) else {
        return Ok(());
    };
    let mut next = conts.iter().copied();
    let mut index = 0usize;
    loop {
        if cur.is_empty() {
            match next.next() {
                Some(c) => {
                    cur = c;
                    continue;
                }
                None => return Ok(()),
            }
        }
        let [c0, c1, flags, rest @ ..] = cur else {
            return Ok(());
        };
        let (cch, flags) = (usize::from(u16::from_le_bytes([*c0, *c1])), *flags);
        cur = rest;
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            let [a, b, rest @ ..] = cur else {
                return Err(format!(
                    "string {index}: its cRun field runs past the record"
                ));
            };
            runs = usize::from(u16::from_le_bytes([*a, *b]));
            cur = rest;
        }
        let mut ext = 0usize;
        if flags & 0x4 != 0 {
            let [a, b, c, d, rest @ ..] = cur else {
                return Err(format!(
                    "string {index}: its cbExtRst field runs past the record"
                ));
            };
            // As calamine converts it: a negative size becomes huge, and its skip then fails.
            ext = i32::from_le_bytes([*a, *b, *c, *d]) as usize;
            cur = rest;
        }
        let mut high_byte = flags & 0x1 != 0;
        let mut left = cch;
        while left > 0 {
            let chars = if high_byte { cur.len() / 2 } else { cur.len() }.min(left);
            cur = &cur[if high_byte { 2 * chars } else { chars }..];
            left -= chars;
            if left > 0 {
                let Some(c) = next.next() else {
                    return Ok(());
                };
                let Some((flag, rest)) = c.split_first() else {
                    return Err(format!(
                        "string {index} continues in an empty CONTINUE record"
                    ));
                };
                high_byte = flag & 0x1 != 0;
                cur = rest;
            }
        }
        for mut skip in [runs * 4, ext] {
            while skip > 0 {
                if cur.is_empty() {
                    match next.next() {
                        Some(c) => cur = c,
                        None => return Ok(()),
                    }
                    continue;
                }
                let n = skip.min(cur.len());
                cur = &cur[n..];
                skip -= n;
            }
        }
        index += 1;
    }
}

/// A new OLE compound file holding one stream. Version 3 (512-byte sectors, what Excel
/// writes): calamine refuses a version 4 file whose root has no mini stream.
fn rebuild_ole(path: &str, stream: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let buf = Cursor::new(Vec::with_capacity(stream.len() + 4096));
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, buf)?;
    out.create_stream(path)?.write_all(stream)?;
    out.flush()?;
    Ok(out.into_inner().into_inner())
}

/// Read every XML part of an XLSX except the shared strings (checked by
/// [`check_xlsx_shared_strings`]) and refuse a cell reference beyond `XFD1048576` or a
/// reversed range in any `r` or `ref` attribute. The parts are scanned as bytes, not parsed:
/// calamine's XML reader is lenient (unchecked end names, its own attribute scanner), and a
/// stricter parser here would stop at a malformed tag that calamine reads past (found by the
/// `xlsx` fuzz target). A part whose checksum fails is checked up to where it fails.
pub(crate) fn check_xlsx_cell_refs(bytes: &[u8], limits: &Limits) -> Result<(), DocError> {
    let kind = DocKind::Xlsx;
    let parse = |detail: String| DocError::Parse { kind, detail };
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| parse(format!("zip: {e}")))?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.ends_with(".xml") && !n.ends_with("sharedstrings.xml")
        })
        .collect();
    let mut part = Vec::new();
    for name in names {
        let Ok(f) = zip.by_name(&name) else {
            continue;
        };
        part.clear();
        // On an error the bytes read so far stay in `part`: that much calamine reads too.
        let _ = f.take(limits.max_zip_entry_bytes).read_to_end(&mut part);
        scan_cell_refs(&part).map_err(|(value, why)| {
            let shown: String = String::from_utf8_lossy(value).chars().take(40).collect();
            parse(format!("{name}: cell reference {shown:?} {why}"))
        })?;
    }
    Ok(())
}

/// Find every `r="…"` and `ref="…"` attribute (either quote, blanks around `=`) and check its
/// value with [`check_cell_ref`].
fn scan_cell_refs(xml: &[u8]) -> Result<(), (&[u8], &'static str)> {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.');
    let skip_blanks = |mut j: usize| {
        while xml.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        j
    };
    for (i, _) in xml
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_whitespace())
    {
        let rest = &xml[i + 1..];
        let (key_len, range) = if rest.starts_with(b"ref") {
            (3, true)
        } else if rest.starts_with(b"r") {
            (1, false)
        } else {
            continue;
        };
        if rest.get(key_len).is_some_and(|b| is_name(*b)) {
            continue;
        }
        let j = skip_blanks(i + 1 + key_len);
        if xml.get(j) != Some(&b'=') {
            continue;
        }
        let j = skip_blanks(j + 1);
        let Some(&quote) = xml.get(j).filter(|q| matches!(q, b'"' | b'\'')) else {
            continue;
        };
        let value = &xml[j + 1..];
        let value = &value[..value
            .iter()
            .position(|b| *b == quote)
            .unwrap_or(value.len())];
        check_cell_ref(value, range).map_err(|why| (value, why))?;
    }
    Ok(())
}

/// Largest row and column of a worksheet (`XFD1048576`).
const MAX_ROW: u64 = 1 << 20;
const MAX_COL: u64 = 1 << 14;

/// Check a reference (`B7`, a row `7`) or, when `range`, a range (`A1:C9`) the way calamine
/// reads it: letters then digits, pieces split at `:`. Text calamine would refuse with an
/// error is left to it; what it would compute with overflowing or underflowing `u32`
/// arithmetic is refused.
fn check_cell_ref(value: &[u8], range: bool) -> Result<(), &'static str> {
    let mut corners = Vec::new();
    for piece in value.split(|b| *b == b':') {
        let (mut col, mut row, mut i) = (0u64, 0u64, 0usize);
        while let Some(c) = piece.get(i).filter(|c| c.is_ascii_alphabetic()) {
            col = (col * 26 + u64::from(c.to_ascii_uppercase() - b'A') + 1).min(MAX_COL + 1);
            i += 1;
        }
        while let Some(c) = piece.get(i).filter(|c| c.is_ascii_digit()) {
            row = (row * 10 + u64::from(c - b'0')).min(MAX_ROW + 1);
            i += 1;
        }
        if col > MAX_COL || row > MAX_ROW {
            return Err("is outside A1:XFD1048576");
        }
        let whole = i == piece.len() && col > 0 && row > 0;
        corners.push(whole.then_some((row, col)));
    }
    if let (true, [Some(start), Some(end)]) = (range, corners.as_slice()) {
        if end.0 < start.0 || end.1 < start.1 {
            return Err("is a reversed range");
        }
    }
    Ok(())
}

/// Stream an ODS `content.xml` and check each table's expanded size (calamine expands
/// repeated columns of non-empty cells and repeated rows into a dense grid) and the nesting.
pub(crate) fn check_ods(bytes: &[u8], limits: &Limits) -> Result<(), DocError> {
    let kind = DocKind::Ods;
    let parse = |detail: String| DocError::Parse { kind, detail };
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| parse(format!("zip: {e}")))?;
    let Ok(f) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(f));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    // Per table: rows up to the last non-empty one, the widest row.
    let (mut rows, mut rows_to_last, mut width) = (0u64, 0u64, 0u64);
    // Per row: repeat count, columns so far, columns up to the last non-empty cell.
    let (mut row_repeat, mut cols, mut cols_to_last) = (1u64, 0u64, 0u64);
    let attr_num = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| a.value.trim().parse().ok())
    };
    let has_attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
        e.attributes().flatten().any(|a| a.key.as_ref() == key)
    };
    let check_table = |rows_to_last: u64, width: u64| {
        check(
            "sheet cells (expanded ODS table)",
            rows_to_last.saturating_mul(width),
            limits.max_sheet_cells,
        )
        .map_err(|e| limit(kind, e))
    };
    loop {
        buf.clear();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| parse(format!("content.xml: {e}")))?;
        let (e, empty) = match &ev {
            Event::Start(e) => {
                depth += 1;
                check_depth(kind, depth, limits)?;
                (e, false)
            }
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.name().as_ref() {
                    "table:table-row" => {
                        rows = rows.saturating_add(row_repeat);
                        if cols_to_last > 0 {
                            rows_to_last = rows;
                            width = width.max(cols_to_last);
                            check_table(rows_to_last, width)?;
                        }
                    }
                    "table:table" => {
                        check_table(rows_to_last, width)?;
                        (rows, rows_to_last, width) = (0, 0, 0);
                    }
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.name().as_ref() {
            "table:table" => (rows, rows_to_last, width) = (0, 0, 0),
            "table:table-row" => {
                // calamine caps rows at 1,048,576 and columns at 16,384.
                row_repeat = attr_num(e, "table:number-rows-repeated")
                    .unwrap_or(1)
                    .clamp(1, 1 << 20);
                (cols, cols_to_last) = (0, 0);
                if empty {
                    rows = rows.saturating_add(row_repeat);
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let n = attr_num(e, "table:number-columns-repeated")
                    .unwrap_or(1)
                    .clamp(1, 1 << 14);
                cols = cols.saturating_add(n).min(1 << 14);
                if !empty || has_attr(e, "office:value-type") {
                    cols_to_last = cols;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An SST record body: total and unique counts, then the strings as given.
    fn sst(strings: &[u8]) -> Vec<u8> {
        let mut d = vec![1, 0, 0, 0, 1, 0, 0, 0];
        d.extend_from_slice(strings);
        d
    }

    #[test]
    fn a_well_formed_table_passes_also_across_a_continue_record() {
        // "abc" (compressed), then "de" split over a CONTINUE record with its flag byte.
        let data = sst(&[3, 0, 0, b'a', b'b', b'c', 2, 0, 0, b'd']);
        assert_eq!(check_sst(&data, &[&[0, b'e']]), Ok(()));
        // Rich text: cRun = 1, one 4-byte run after the characters.
        let data = sst(&[1, 0, 0x8, 1, 0, b'x', 0, 0, 0, 0]);
        assert_eq!(check_sst(&data, &[]), Ok(()));
    }

    #[test]
    fn fields_calamine_would_read_past_the_record_are_refused() {
        let cut_run = sst(&[1, 0, 0x8, 1]);
        assert!(check_sst(&cut_run, &[]).is_err_and(|e| e.contains("cRun")));
        let cut_ext = sst(&[1, 0, 0x4, 1, 0]);
        assert!(check_sst(&cut_ext, &[]).is_err_and(|e| e.contains("cbExtRst")));
        let empty_continue = sst(&[2, 0, 0, b'd']);
        assert!(check_sst(&empty_continue, &[&[]]).is_err_and(|e| e.contains("empty CONTINUE")));
    }

    #[test]
    fn errors_calamine_reports_itself_are_left_to_it() {
        // Too short for its counts, or a string cut without a continuation: calamine returns
        // an error, not a panic.
        assert_eq!(check_sst(&[1, 0], &[]), Ok(()));
        assert_eq!(check_sst(&sst(&[9, 0, 0, b'a']), &[]), Ok(()));
    }

    #[test]
    fn a_merge_cells_record_shorter_than_its_count_is_retyped() {
        // MergeCells claiming 2 ranges with bytes for one, then a well-formed one, then EOF.
        let mut stream = vec![0xE5, 0, 10, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0];
        stream.extend_from_slice(&[0xE5, 0, 10, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
        stream.extend_from_slice(&[0x0A, 0, 0, 0]);
        assert_eq!(neutralise_biff(&mut stream), Ok(()));
        assert_eq!(&stream[0..2], &IGNORED_RECORD.to_le_bytes());
        assert_eq!(&stream[14..16], &[0xE5, 0]);
    }

    #[test]
    fn a_workbook_whose_string_table_would_crash_calamine_is_refused() {
        let body = sst(&[1, 0, 0x8, 1]);
        let mut stream = vec![0xFC, 0, body.len() as u8, 0];
        stream.extend_from_slice(&body);
        stream.extend_from_slice(&[0x0A, 0, 0, 0]);
        assert!(neutralise_biff(&mut stream).is_err_and(|e| e.contains("shared string table")));
    }
}
