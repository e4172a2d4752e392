//! [`identify`]: agency name, title, year and hints → [`Identity`].

use crate::agency::{classify, AgencyKind, Body, FOREIGN_PREFIXES};
use crate::chain::{longest_chain, ChainMatch, Hits};
use crate::names;
use crate::table::{table, DivisionLevel, Table, Target};
use serde::Serialize;

/// What is known about a report's agency. Every field is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityInput<'a> {
    /// The agency as the report or page names it (`梅河口市商务局`, `发布机构`).
    pub agency: Option<&'a str>,
    /// The report's title (`2020年梅河口市商务局政府信息公开工作年度报告`).
    pub title: Option<&'a str>,
    /// The year reported on (not the year published).
    pub year: Option<i32>,
    /// The page's `SiteIDCode` meta tag (政府网站标识码), a hint.
    pub site_id: Option<&'a str>,
    /// The `division_code` of the `[[sources]]` entry the report was found through.
    pub source_division_code: Option<&'a str>,
}

/// Who a report's agency is. Empty fields mean "not certain", never "guessed"; `flags` say why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Stable key of the agency across years and renamings of its division (see the crate docs).
    pub agency_id: Option<String>,
    /// 6-digit code of the government the agency belongs to, as valid in the report's year.
    pub division_code: Option<String>,
    /// That division's name in that year (the township's name for township governments).
    pub division_name: Option<String>,
    /// Level of that government.
    pub division_level: Option<DivisionLevel>,
    /// Government, department or other.
    pub agency_kind: Option<AgencyKind>,
    /// The province the agency is in.
    pub province: Option<String>,
    /// The prefecture the agency is in (none for municipalities and province-run counties).
    pub prefecture: Option<String>,
    /// The county-level division the agency is in (county and township agencies; beyond the
    /// dataset contract, for townships, which have no code of their own).
    pub county: Option<String>,
    /// Code of `county`.
    pub county_code: Option<String>,
    /// Why a field is empty or how it was found (see the crate docs for the list).
    pub flags: Vec<&'static str>,
}

impl Identity {
    /// The flags as one `;`-separated column value.
    pub fn flags_joined(&self) -> String {
        self.flags.join(";")
    }
}

/// One name (agency field or title subject) read against the table.
#[derive(Debug, Clone)]
struct Parsed {
    chain: Option<ChainMatch>,
    township: Option<String>,
    generic: Option<char>,
    body: Body,
    /// Starts with a party, Youth League or central-agency prefix.
    foreign: bool,
    /// The chain matched under the names of the year after or before (a renaming year).
    shifted: Option<&'static str>,
}

impl Parsed {
    fn depth(&self, t: &Table) -> Option<usize> {
        let c = self.chain.as_ref()?;
        let row = &t.rows[*c.rows.first()? as usize];
        Some(match (self.township.is_some(), row.level) {
            (true, _) => 4,
            (_, DivisionLevel::Province) => 1,
            (_, DivisionLevel::Prefecture) => 2,
            _ => 3,
        })
    }
}

fn parse_at(t: &Table, text: &str, year: u16) -> (Parsed, bool) {
    let prefix = FOREIGN_PREFIXES.iter().find(|p| text.starts_with(**p));
    let (start, foreign) = prefix.map_or((0, false), |p| (p.len(), true));
    let hits = Hits::find(t, text);
    let chain = longest_chain(t, &hits, start, year);
    let mut rest = &text[chain.as_ref().map_or(start, |c| c.end)..];
    // A division name right after the chain that is not valid this year: the year of a renaming.
    let stalled = hits.starts_at(text.len() - rest.len()) && !rest.is_empty();
    let mut generic = None;
    if chain.is_none() {
        if let Some((c, r)) = names::generic_prefix(rest) {
            generic = Some(c);
            rest = r;
        }
    }
    let leaf_level = chain
        .as_ref()
        .and_then(|c| c.rows.first())
        .map(|&i| t.rows[i as usize].level);
    let mut township = None;
    let mut body = None;
    if leaf_level != Some(DivisionLevel::Province) {
        if let Some((name, after)) = names::township(rest) {
            township = Some(name);
            body = Some(classify(after));
        }
    }
    let mut body = body.unwrap_or_else(|| classify(rest));
    if let Some(p) = prefix {
        // 中共沭阳县委 → 中共县委: the level word stays, the place is in the code.
        let level = chain
            .as_ref()
            .and_then(|c| text[..c.end].chars().next_back())
            .map(String::from)
            .unwrap_or_default();
        body = Body::Other(format!("{p}{level}{rest}"));
    }
    (
        Parsed {
            chain,
            township,
            generic,
            body,
            foreign,
            shifted: None,
        },
        stalled,
    )
}

/// Parse in the report's year; when no name chain matches (or it stops at a name of another
/// year), try the names of the following year (a report published after a renaming) and of
/// the previous one (a division renamed during the year reported on), mapped to the row valid
/// in the report's year through the lineage.
fn parse(t: &Table, text: &str, year: u16) -> Parsed {
    let (p, stalled) = parse_at(t, text, year);
    if p.chain.is_some() && !stalled {
        return p;
    }
    let reach = p.chain.as_ref().map_or(0, |c| c.end);
    let mut tries: Vec<(u16, &'static str)> = Vec::new();
    if year < t.last_year {
        tries.push((year + 1, "name_of_following_year"));
    }
    if year > t.first_year {
        tries.push((year - 1, "name_of_previous_year"));
    }
    for (y, flag) in tries {
        let (mut q, _) = parse_at(t, text, y);
        let Some(c) = q.chain.as_mut() else { continue };
        if c.end <= reach {
            continue;
        }
        let mut mapped = Vec::new();
        for &r in &c.rows {
            if t.rows[r as usize].valid(year) {
                mapped.push(r);
            } else if y > year {
                mapped.extend(t.predecessors_at(r, year));
            } else if let Some(s) = t.step_of(r).filter(|&s| t.rows[s as usize].valid(year)) {
                mapped.push(s);
            }
        }
        mapped.sort_unstable();
        mapped.dedup();
        if mapped.len() == c.rows.len() && !mapped.is_empty() {
            c.rows = mapped;
            q.shifted = Some(flag);
            return q;
        }
    }
    p
}

/// The row a 6-digit code stands for in `year`, if it is a code then.
fn code_at(t: &Table, code: &str, year: u16) -> Option<u32> {
    let c = code.trim();
    let c = c
        .get(..6)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))?;
    t.index_at(c.parse().ok()?, year)
}

/// A source's code may be the current one of a division renamed since the report's year:
/// then the one row of the same lineage valid in that year.
fn source_row(t: &Table, code: &str, year: u16, flags: &mut Vec<&'static str>) -> Option<u32> {
    let c = code.trim();
    if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
        flags.push("source_code_unknown");
        return None;
    }
    if let Some(r) = code_at(t, c, year) {
        return Some(r);
    }
    let latest = c
        .parse()
        .ok()
        .and_then(|n: u32| t.rows_of(n).last().copied());
    let mapped = latest
        .map(|r| t.same_lineage_at(r, year))
        .unwrap_or_default();
    if let [r] = mapped[..] {
        flags.push("source_code_of_other_year");
        Some(r)
    } else {
        flags.push("source_code_unknown");
        None
    }
}

/// Does a one-character place prefix (`区公安局`) fit the division a hint names?
fn generic_fits(t: &Table, c: char, row: u32, year: u16) -> bool {
    let r = &t.rows[row as usize];
    match c {
        '省' => r.level == DivisionLevel::Province,
        _ => t.names_at(row, year).any(|n| n.ends_with(c)),
    }
}

fn same_body(a: &Parsed, b: &Parsed) -> bool {
    a.body == b.body && a.township == b.township
}

fn code6(c: u32) -> String {
    format!("{c:06}")
}

/// Who a report's agency is: the government it belongs to (as valid in the report's year),
/// its level, the kind of agency, and a stable `agency_id`. Fields stay empty with a flag
/// when no answer is certain. Never panics; cheap enough for 10⁶ calls (see the bench).
pub fn identify(input: &IdentityInput) -> Identity {
    let mut out = Identity::default();
    let t = match table() {
        Ok(t) => t,
        Err(_) => {
            out.flags.push("division_table_error");
            return out;
        }
    };
    let flags = &mut out.flags;

    // The year the names are read in.
    let (year, any_year) = match input.year {
        Some(y) if y < i32::from(t.first_year) => {
            flags.push("year_out_of_table");
            (None, false)
        }
        Some(y) if y > i32::from(t.last_year) => {
            flags.push("year_after_table");
            (Some(t.last_year), false)
        }
        Some(y) => (Some(y as u16), false),
        None => {
            flags.push("year_unknown");
            (Some(t.last_year), true)
        }
    };

    let agency = input
        .agency
        .map(names::agency_text)
        .filter(|s| !s.is_empty());
    let subject = input
        .title
        .and_then(names::title_subject)
        .filter(|s| !s.is_empty());
    let Some(year) = year else {
        if let Some(p) = agency.as_deref().or(subject.as_deref()) {
            out.agency_kind = kind_of(&classify(p), false);
        }
        out.flags.push("division_unmatched");
        return out;
    };
    let pa = agency.as_deref().map(|s| parse(t, s, year));
    // Most titles name exactly the agency field: read it once.
    let ps = match (&pa, subject.as_deref()) {
        (Some(p), Some(s)) if agency.as_deref() == Some(s) => Some(p.clone()),
        (_, s) => s.map(|s| parse(t, s, year)),
    };

    // Which name describes the reporting agency: the agency field, unless the title names a
    // more specific body of the same place (the field then names the publisher: a portal,
    // the government).
    let (mut primary, support, from_title) = match (pa, ps) {
        (None, None) => {
            flags.push("no_agency_name");
            flags.push("division_unmatched");
            return out;
        }
        (None, Some(s)) => (s, None, true),
        (Some(a), None) => (a, None, false),
        (Some(a), Some(s)) => {
            let related = match (&a.chain, &s.chain) {
                (Some(x), Some(y)) => x
                    .rows
                    .iter()
                    .any(|&i| y.rows.iter().any(|&j| t.related(i, j))),
                _ => false,
            };
            let deeper = s.depth(t) > a.depth(t)
                || (s.depth(t) == a.depth(t)
                    && a.body == Body::Government
                    && a.township == s.township
                    && !matches!(s.body, Body::Government | Body::Unknown(_)));
            if related && deeper {
                (s, Some(a), true)
            } else {
                (a, Some(s), false)
            }
        }
    };
    if from_title && support.is_some() {
        flags.push("agency_from_title");
    }

    // Place candidates from the names.
    let mut rows: Vec<u32> = Vec::new();
    let mut alias = false;
    let mut leaf: Vec<usize> = Vec::new();
    if let Some(c) = &primary.chain {
        rows = c.rows.clone();
        alias = c.alias;
        leaf = c.leaf.clone();
        if let Some(f) = primary.shifted {
            flags.push(f);
        }
    }
    if let Some(s) = &support {
        if let Some(sc) = &s.chain {
            if rows.is_empty() && !primary.foreign && same_body(&primary, s) {
                rows = sc.rows.clone();
                alias = sc.alias;
                leaf = sc.leaf.clone();
                primary.township = primary.township.take().or_else(|| s.township.clone());
                flags.push("division_from_title");
            } else if !rows.is_empty() {
                let kept: Vec<u32> = rows
                    .iter()
                    .copied()
                    .filter(|&i| sc.rows.iter().any(|&j| t.related(i, j)))
                    .collect();
                if kept.is_empty() {
                    flags.push("agency_title_conflict");
                    rows.clear();
                } else if kept.len() < rows.len() {
                    flags.push("disambiguated_by_title");
                    rows = kept;
                }
            }
        }
    }

    // Hints: the source's code, the site's identifier.
    let src = input
        .source_division_code
        .and_then(|c| source_row(t, c, year, flags));
    let site_given = input.site_id.is_some_and(|s| !s.trim().is_empty());
    let site = input.site_id.and_then(|s| code_at(t, s, year));
    let mut site_needed = false;
    if rows.len() > 1 {
        site_needed = true;
        for (hint, flag) in [
            (src, "disambiguated_by_source"),
            (site, "disambiguated_by_site_id"),
        ] {
            let Some(h) = hint else { continue };
            let kept: Vec<u32> = rows.iter().copied().filter(|&i| t.related(i, h)).collect();
            if !kept.is_empty() && kept.len() < rows.len() {
                rows = kept;
                if rows.len() == 1 {
                    flags.push(flag);
                    break;
                }
            }
        }
    } else if let [r] = rows[..] {
        if src.is_some_and(|h| !t.related(r, h)) {
            flags.push("source_code_conflict");
        }
        if site.is_some_and(|h| !t.related(r, h)) {
            flags.push("site_id_conflict");
        }
    } else if !primary.foreign && !matches!(primary.body, Body::Unknown(_)) {
        // A name without a place (`区公安局`, `县人民政府`, `太平镇人民政府`) belongs to the
        // division of the site it was published on, when its prefix fits that division.
        site_needed = true;
        let hint = match (src, site) {
            (Some(a), Some(b)) if !t.related(a, b) => {
                flags.push("hint_conflict");
                None
            }
            (Some(a), _) => Some((a, "division_from_source")),
            (None, Some(b)) => Some((b, "division_from_site_id")),
            (None, None) => None,
        };
        if let Some((h, flag)) = hint {
            if primary.generic.is_none_or(|c| generic_fits(t, c, h, year)) {
                rows = vec![h];
                flags.push(flag);
            } else {
                flags.push("hint_level_mismatch");
            }
        }
    }
    if site_needed && site_given && site.is_none() && rows.len() != 1 {
        flags.push("site_id_rejected");
    }

    // Without a year, a name is only certain when every division ever so named is one lineage.
    if any_year && rows.len() == 1 {
        let lineage = t.lineage_code(rows[0]);
        let one = leaf
            .iter()
            .flat_map(|&p| t.patterns.get(p).into_iter().flatten())
            .all(|tg| match *tg {
                Target::Row(i) => t.lineage_code(i) == lineage,
                Target::Alias(_) => true,
            });
        if !one {
            rows.clear();
        }
    }

    // Kind.
    let office_for_government = matches!(primary.body, Body::Office(_))
        && support.as_ref().is_some_and(|s| {
            s.body == Body::Government
                && s.township == primary.township
                && s.chain.as_ref().is_some_and(|c| {
                    rows.iter().any(|&r| {
                        c.rows
                            .iter()
                            .any(|&q| t.rows[q as usize].code == t.rows[r as usize].code)
                    })
                })
        });
    out.agency_kind = kind_of(&primary.body, office_for_government);
    if office_for_government {
        out.flags.push("published_by_office");
    }
    if out.agency_kind.is_none() {
        out.flags.push("agency_kind_unknown");
    }
    let flags = &mut out.flags;

    // Certain parts of an ambiguous place: a province or prefecture all candidates share.
    if rows.len() > 1 {
        flags.push("division_ambiguous");
        let p0 = t.province_code(rows[0]);
        if rows.iter().all(|&r| t.province_code(r) == p0) {
            out.province = Some(t.rows[rows[0] as usize].province.to_string());
            let f0 = t.prefecture_code(rows[0]);
            if f0.is_some() && rows.iter().all(|&r| t.prefecture_code(r) == f0) {
                out.prefecture = t.rows[rows[0] as usize]
                    .prefecture
                    .as_deref()
                    .map(str::to_string);
            }
        }
        if let Some(tw) = &primary.township {
            out.division_name = Some(tw.clone());
            out.division_level = Some(DivisionLevel::Township);
            out.flags.push("township_no_code");
        }
        return out;
    }
    let Some(&r) = rows.first() else {
        flags.push("division_unmatched");
        if let Some(tw) = &primary.township {
            out.division_name = Some(tw.clone());
            out.division_level = Some(DivisionLevel::Township);
            out.flags.push("township_no_code");
        }
        return out;
    };
    if alias {
        flags.push("division_alias");
    }
    let row = &t.rows[r as usize];
    out.province = Some(row.province.to_string());
    out.prefecture = row.prefecture.as_deref().map(str::to_string);
    if row.level == DivisionLevel::County {
        out.county = Some(row.name.to_string());
        out.county_code = Some(code6(row.code));
    }
    let governmental = matches!(
        out.agency_kind,
        Some(AgencyKind::Government | AgencyKind::Department)
    );
    match (&primary.township, governmental) {
        (Some(tw), true) => {
            out.division_name = Some(tw.clone());
            out.division_level = Some(DivisionLevel::Township);
            flags.push("township_no_code");
        }
        (None, true) => {
            out.division_code = Some(code6(row.code));
            out.division_name = Some(row.name.to_string());
            out.division_level = Some(row.level);
        }
        (_, false) => {
            if out.agency_kind.is_some() {
                flags.push("not_government_body");
            }
        }
    }

    // agency_id: the lineage's code, then the township, then the body's own name.
    let mut id = code6(t.lineage_code(r));
    if let Some(tw) = &primary.township {
        id.push('-');
        id.push_str(tw);
    }
    let own = match (&primary.body, office_for_government) {
        (Body::Government, _) | (Body::Office(_), true) => None,
        (Body::Office(o), false) => Some(o.to_string()),
        (Body::Department(n) | Body::Other(n) | Body::Unknown(n), _) => Some(n.clone()),
    };
    if let Some(n) = own.filter(|n| !n.is_empty()) {
        id.push('-');
        id.push_str(&n);
    }
    out.agency_id = Some(id);
    out
}

fn kind_of(body: &Body, office_for_government: bool) -> Option<AgencyKind> {
    match body {
        Body::Government => Some(AgencyKind::Government),
        Body::Office(_) if office_for_government => Some(AgencyKind::Government),
        Body::Office(_) | Body::Department(_) => Some(AgencyKind::Department),
        Body::Other(_) => Some(AgencyKind::Other),
        Body::Unknown(_) => None,
    }
}
