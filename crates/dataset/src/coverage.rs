//! `coverage.csv`: one row per agency and year the dataset knows of — every report found,
//! every listed link that gave no report (404, blocked, robots.txt, other failures), image-only
//! reports, and the years missing between an agency's first and last known year (`not_listed`)
//! — with the legal deadline and whether the report was late.

use crate::identity::Identity;
use crate::output::Outputs;
use crate::sink::Field;
use crate::spill::Spill;
use crate::write::selected;
use crate::{DatasetError, Options};
use rusqlite::params;

/// The legal deadline of the report on `year`: from the 2019 report on (the Regulation as
/// revised in 2019) departments publish by 31 January and governments by 31 March of the next
/// year; before, everyone by 31 March. Unknown for other agencies and unknown kinds.
pub fn deadline(year: i64, agency_kind: Option<&str>) -> Option<String> {
    let next = year + 1;
    if year < 2019 {
        return Some(format!("{next:04}-03-31"));
    }
    match agency_kind {
        Some("department") => Some(format!("{next:04}-01-31")),
        Some("government") => Some(format!("{next:04}-03-31")),
        _ => None,
    }
}

struct Entry {
    agency: Option<String>,
    ident: Identity,
    year: i64,
    found: bool,
    reason: Option<String>,
    report_id: Option<String>,
    url: Option<String>,
    published: Option<String>,
}

fn write_entry(outs: &mut Outputs, opts: &Options, e: &Entry) -> Result<(), DatasetError> {
    if !selected(opts, Some(e.year), &e.ident) {
        return Ok(());
    }
    let deadline = deadline(e.year, e.ident.agency_kind.as_deref());
    let late = match (&e.published, &deadline, e.found) {
        (Some(p), Some(d), true) => Field::Bool(p > d),
        _ => Field::Null,
    };
    let id = &e.ident;
    let set = outs.set(Some(e.year))?;
    set.coverage.row(&[
        Field::opt(id.agency_id.as_deref()),
        Field::opt(e.agency.as_deref()),
        Field::opt(id.division_code.as_deref()),
        Field::opt(id.division_name.as_deref()),
        Field::opt(id.division_level.as_deref()),
        Field::opt(id.agency_kind.as_deref()),
        Field::opt(id.province.as_deref()),
        Field::opt(id.prefecture.as_deref()),
        Field::Int(e.year),
        Field::Bool(e.found),
        Field::opt(e.reason.as_deref()),
        Field::opt(e.report_id.as_deref()),
        Field::opt(e.url.as_deref()),
        Field::opt(e.published.as_deref()),
        Field::opt(deadline.as_deref()),
        late,
    ])
}

/// Write the coverage of every agency, agency by agency, year by year.
pub(crate) fn write(spill: &Spill, outs: &mut Outputs, opts: &Options) -> Result<(), DatasetError> {
    let mut after: Option<String> = None;
    loop {
        let akeys: Vec<String> = {
            let mut st = spill.sq(spill.conn.prepare_cached(
                "SELECT DISTINCT akey FROM cov WHERE (?1 IS NULL OR akey > ?1) ORDER BY akey LIMIT 256",
            ))?;
            let rows = spill.sq(st.query_map(params![after], |r| r.get(0)))?;
            rows.collect::<Result<_, _>>()
                .map_err(|e| DatasetError::spill(spill.path(), e))?
        };
        let Some(last) = akeys.last() else { break };
        after = Some(last.clone());
        for akey in akeys {
            let entries: Vec<Entry> = {
                let mut st = spill.sq(spill.conn.prepare_cached(
                    "SELECT agency, ident, year, found, reason, report_id, url, published FROM cov \
                     WHERE akey = ?1 ORDER BY year, found DESC, report_id, url, rowid",
                ))?;
                let rows = spill.sq(st.query_map(params![akey], |r| {
                    Ok(Entry {
                        agency: r.get(0)?,
                        ident: r
                            .get::<_, Option<String>>(1)?
                            .map(|s| Identity::from_json(&s))
                            .unwrap_or_default(),
                        year: r.get(2)?,
                        found: r.get(3)?,
                        reason: r.get(4)?,
                        report_id: r.get(5)?,
                        url: r.get(6)?,
                        published: r.get(7)?,
                    })
                }))?;
                rows.collect::<Result<_, _>>()
                    .map_err(|e| DatasetError::spill(spill.path(), e))?
            };
            let mut i = 0;
            let mut prev_year: Option<i64> = None;
            while i < entries.len() {
                let year = entries[i].year;
                let j = entries[i..]
                    .iter()
                    .position(|e| e.year != year)
                    .map_or(entries.len(), |n| i + n);
                if let Some(p) = prev_year {
                    // Years between two known years of the agency with nothing at all.
                    for gap in p + 1..year {
                        let like = &entries[i];
                        write_entry(
                            outs,
                            opts,
                            &Entry {
                                agency: like.agency.clone(),
                                ident: like.ident.clone(),
                                year: gap,
                                found: false,
                                reason: Some("not_listed".into()),
                                report_id: None,
                                url: None,
                                published: None,
                            },
                        )?;
                    }
                }
                let group = &entries[i..j];
                let any_found = group.iter().any(|e| e.found);
                let mut seen: Vec<(Option<&str>, Option<&str>)> = Vec::new();
                for e in group {
                    if any_found && !e.found && e.reason.as_deref() != Some("image_only") {
                        // A failed link of a year that has a report is no gap in coverage.
                        continue;
                    }
                    let k = (e.reason.as_deref(), e.url.as_deref());
                    if e.report_id.is_none() && seen.contains(&k) {
                        continue;
                    }
                    seen.push(k);
                    write_entry(outs, opts, e)?;
                }
                prev_year = Some(year);
                i = j;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_deadlines() {
        assert_eq!(
            deadline(2023, Some("department")).as_deref(),
            Some("2024-01-31")
        );
        assert_eq!(
            deadline(2023, Some("government")).as_deref(),
            Some("2024-03-31")
        );
        assert_eq!(deadline(2023, Some("other")), None);
        assert_eq!(deadline(2023, None), None);
        assert_eq!(deadline(2015, None).as_deref(), Some("2016-03-31"));
    }
}
