//! `nianbao verify`: is an archive (for example one copied between machines) intact?
//!
//! Every record the index points at is read back at its offset and checked: the gzip member
//! must decompress (its CRC-32 catches a flipped byte), the WARC record must parse, its
//! `WARC-Block-Digest` and `WARC-Payload-Digest` must match the bytes, and the payload's
//! SHA-256 and length must match the index. Each WARC file is also read from start to end
//! to find where valid data stops, and compared with the length the index committed: bytes
//! past the committed length are a torn tail (a writer killed mid-record, a copy that
//! appended garbage), which `--repair` truncates, exactly as opening the archive for writing
//! does. Missing files and WARC files the index does not know are reported too.
//! Corrupt committed records cannot be repaired (their bytes are gone) and are reported.

use crate::warc::{self, HttpResponse, WarcRecord};
use crate::{Archive, ArchiveError, Index};
use flate2::bufread::GzDecoder;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// WARC file name.
    pub file: String,
    /// Byte offset the problem starts at.
    pub offset: u64,
    /// `torn_tail`, `corrupt_record`, `digest_mismatch`, `missing_file`, `unindexed_file`,
    /// `unreadable_data`.
    pub kind: &'static str,
    /// What exactly.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at offset {}: {}",
            self.file, self.kind, self.offset, self.detail
        )
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// WARC files checked.
    pub files: usize,
    /// Index rows whose records were read back and checked.
    pub records: usize,
    /// Problems, in file order.
    pub problems: Vec<Problem>,
    /// Torn tails truncated by `--repair`: (file, from length, to length).
    pub repaired: Vec<(String, u64, u64)>,
}

impl VerifyReport {
    /// True when nothing is wrong (after repairs).
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (file, from, to) in &self.repaired {
            writeln!(
                f,
                "repaired: {file}: torn tail of {} bytes truncated ({from} -> {to})",
                from - to
            )?;
        }
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        write!(
            f,
            "{} WARC files, {} records checked: {}",
            self.files,
            self.records,
            if self.ok() {
                "archive intact".to_string()
            } else {
                format!("{} problems", self.problems.len())
            }
        )
    }
}

/// Check the archive in `data_dir`; with `repair`, truncate torn tails first (this takes the
/// archive's writer lock, so it fails while a crawl runs).
pub fn verify(data_dir: &Path, repair: bool) -> Result<VerifyReport, ArchiveError> {
    if !repair {
        let archive = Archive::open_read_only(data_dir)?;
        return check(&archive);
    }
    let before = {
        let archive = Archive::open_read_only(data_dir)?;
        check(&archive)?
    };
    let tails: Vec<&Problem> = before
        .problems
        .iter()
        .filter(|p| p.kind == "torn_tail")
        .collect();
    // Opening for writing cuts every file back to its committed length.
    let archive = Archive::open(data_dir)?;
    let mut after = check(&archive)?;
    for p in tails {
        let len = std::fs::metadata(archive.warc_dir().join(&p.file))
            .map(|m| m.len())
            .unwrap_or(p.offset);
        let from = p
            .detail
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file_length=").and_then(|n| n.parse().ok()))
            .unwrap_or(len);
        after.repaired.push((p.file.clone(), from, len));
    }
    Ok(after)
}

fn check(archive: &Archive) -> Result<VerifyReport, ArchiveError> {
    let index = archive.index();
    let dir = archive.warc_dir();
    let committed: BTreeMap<String, u64> = index.committed_lengths()?.into_iter().collect();
    let mut report = VerifyReport::default();
    let mut rows_by_file: BTreeMap<String, Vec<(i64, u64, Option<u64>)>> = BTreeMap::new();
    for (id, file, offset, request_offset) in record_locations(index)? {
        rows_by_file
            .entry(file)
            .or_default()
            .push((id, offset, request_offset));
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map_err(ArchiveError::io(dir.display().to_string()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".warc.gz") || n.ends_with(".warc"))
        .collect();
    on_disk.sort();
    for name in &on_disk {
        if !committed.contains_key(name) {
            report.problems.push(Problem {
                file: name.clone(),
                offset: 0,
                kind: "unindexed_file",
                detail: "a WARC file the index does not know".into(),
            });
        }
    }
    for (name, &committed_len) in &committed {
        let path = dir.join(name);
        let Ok(meta) = std::fs::metadata(&path) else {
            report.problems.push(Problem {
                file: name.clone(),
                offset: 0,
                kind: "missing_file",
                detail: format!(
                    "registered in the index ({} records) but not on disk",
                    rows_by_file.get(name).map_or(0, Vec::len)
                ),
            });
            continue;
        };
        report.files += 1;
        let len = meta.len();
        let valid_end = scan(&path)?;
        if len > committed_len {
            report.problems.push(Problem {
                file: name.clone(),
                offset: committed_len,
                kind: "torn_tail",
                detail: format!(
                    "{} bytes after the last committed record (file_length={len} committed={committed_len})",
                    len - committed_len
                ),
            });
        }
        if valid_end < committed_len.min(len) {
            report.problems.push(Problem {
                file: name.clone(),
                offset: valid_end,
                kind: "unreadable_data",
                detail: format!(
                    "records cannot be read from here on ({} committed bytes follow)",
                    committed_len.min(len) - valid_end
                ),
            });
        }
        if len < committed_len {
            report.problems.push(Problem {
                file: name.clone(),
                offset: len,
                kind: "truncated_file",
                detail: format!("{} committed bytes are missing", committed_len - len),
            });
        }
        for (id, offset, request_offset) in rows_by_file.get(name).into_iter().flatten() {
            report.records += 1;
            if let Some(p) = check_record(index, &path, name, *id, *offset)? {
                report.problems.push(p);
            }
            if let Some(ro) = request_offset {
                if let Err(e) = warc::read_record_at(&path, *ro) {
                    report.problems.push(Problem {
                        file: name.clone(),
                        offset: *ro,
                        kind: "corrupt_record",
                        detail: format!("request record of index row {id}: {e}"),
                    });
                }
            }
        }
    }
    report
        .problems
        .sort_by(|a, b| (&a.file, a.offset).cmp(&(&b.file, b.offset)));
    Ok(report)
}

/// `(row id, WARC file, offset, request offset)` of an index row.
type Location = (i64, String, u64, Option<u64>);

/// Where every index row's records are.
fn record_locations(index: &Index) -> Result<Vec<Location>, ArchiveError> {
    let mut st = index
        .connection()
        .prepare("SELECT id, warc_file, warc_offset, request_offset FROM records ORDER BY id")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?.max(0) as u64,
            r.get::<_, Option<i64>>(3)?.map(|o| o.max(0) as u64),
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Read every gzip member of a file in order, one at a time; return where valid data ends.
fn scan(path: &Path) -> Result<u64, ArchiveError> {
    let f = File::open(path).map_err(ArchiveError::io(path.display().to_string()))?;
    let mut reader = Counting {
        inner: BufReader::new(f),
        pos: 0,
    };
    loop {
        let start = reader.pos;
        match reader.fill_buf() {
            Ok([]) | Err(_) => return Ok(start),
            Ok(_) => {}
        }
        let mut raw = Vec::new();
        if GzDecoder::new(&mut reader).read_to_end(&mut raw).is_err()
            || WarcRecord::parse(&raw).is_err()
        {
            return Ok(start);
        }
    }
}

/// Read back one indexed record and compare it with its digests and the index row.
fn check_record(
    index: &Index,
    path: &Path,
    name: &str,
    id: i64,
    offset: u64,
) -> Result<Option<Problem>, ArchiveError> {
    let problem = |kind: &'static str, detail: String| {
        Some(Problem {
            file: name.to_string(),
            offset,
            kind,
            detail: format!("index row {id}: {detail}"),
        })
    };
    let rec = match warc::read_record_at(path, offset) {
        Ok(r) => r,
        Err(e) => return Ok(problem("corrupt_record", e.to_string())),
    };
    if let Some(declared) = rec.header("WARC-Block-Digest") {
        let actual = warc::sha1_base32(&rec.block);
        if declared != actual {
            return Ok(problem(
                "digest_mismatch",
                format!("block digest {actual}, record says {declared}"),
            ));
        }
    }
    if rec.kind() != "response" {
        return Ok(None);
    }
    let http = match HttpResponse::parse(&rec.block) {
        Ok(h) => h,
        Err(e) => return Ok(problem("corrupt_record", e.to_string())),
    };
    if let Some(declared) = rec.header("WARC-Payload-Digest") {
        let actual = warc::sha1_base32(&http.body);
        if declared != actual {
            return Ok(problem(
                "digest_mismatch",
                format!("payload digest {actual}, record says {declared}"),
            ));
        }
    }
    let (sha256, len): (Option<String>, Option<i64>) = index.connection().query_row(
        "SELECT payload_sha256, payload_len FROM records WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let actual = warc::sha256_hex(&http.body);
    if sha256.as_deref().is_some_and(|s| s != actual) {
        return Ok(problem(
            "digest_mismatch",
            format!(
                "payload SHA-256 {actual}, index says {}",
                sha256.unwrap_or_default()
            ),
        ));
    }
    if len.is_some_and(|l| l != http.body.len() as i64) {
        return Ok(problem(
            "digest_mismatch",
            format!(
                "payload length {}, index says {}",
                http.body.len(),
                len.unwrap_or(0)
            ),
        ));
    }
    Ok(None)
}

struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Exchange;
    use std::io::{Seek, SeekFrom, Write};

    fn ex(url: &str, body: &[u8]) -> Exchange {
        Exchange {
            url: url.into(),
            host: "h".into(),
            method: crate::Method::Get,
            role: "report".into(),
            run_id: 1,
            outcome: crate::Outcome::Ok,
            response: Some(HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), "text/plain".into())],
                body: body.to_vec(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn finds_a_torn_tail_and_a_flipped_byte_and_repairs_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let (file, victim) = {
            let mut a = Archive::open(dir.path()).unwrap();
            let body = "二、主动公开政府信息情况 | 规章 | 0 | 0 | 0\n".repeat(200);
            a.store(&ex("http://h/a", body.as_bytes()), None, &[])
                .unwrap();
            let victim = a
                .store(&ex("http://h/b", b"victim body"), None, &[])
                .unwrap();
            a.store(&ex("http://h/c", body.as_bytes()), None, &[])
                .unwrap();
            (a.warc_dir().join(&victim.warc_file), victim)
        };
        let clean = verify(dir.path(), false).unwrap();
        assert!(clean.ok(), "{clean}");
        assert_eq!(clean.records, 3);

        // A flipped byte inside the victim's compressed response, then a torn tail: the
        // first bytes of a valid member appended without the rest.
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&file)
            .unwrap();
        let at = victim.warc_offset as u64 + victim.warc_length as u64 / 2;
        f.seek(SeekFrom::Start(at)).unwrap();
        let mut b = [0u8];
        f.read_exact(&mut b).unwrap();
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(&[b[0] ^ 0x20]).unwrap();
        let member =
            warc::gzip_member(&WarcRecord::new("resource", std::time::SystemTime::now())).unwrap();
        f.seek(SeekFrom::End(0)).unwrap();
        f.write_all(&member[..member.len() / 2]).unwrap();
        drop(f);

        let found = verify(dir.path(), false).unwrap();
        let kinds: Vec<&str> = found.problems.iter().map(|p| p.kind).collect();
        assert!(kinds.contains(&"torn_tail"), "{found}");
        let bad = found
            .problems
            .iter()
            .find(|p| p.kind == "corrupt_record" || p.kind == "digest_mismatch")
            .unwrap_or_else(|| panic!("{found}"));
        assert_eq!(bad.offset, victim.warc_offset as u64, "{found}");

        let repaired = verify(dir.path(), true).unwrap();
        assert_eq!(repaired.repaired.len(), 1, "{repaired}");
        let kinds: Vec<&str> = repaired.problems.iter().map(|p| p.kind).collect();
        assert!(!kinds.contains(&"torn_tail"), "{repaired}");
        // The flipped byte cannot be repaired and is still reported.
        assert!(!repaired.ok());
    }
}
