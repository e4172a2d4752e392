//! The chain of division names an agency name starts with (`吉林省通化市梅河口市商务局` →
//! 吉林省 → 通化市 → 梅河口市), matched against the names valid in one year.
//!
//! Every name occurrence comes from one pass of the Aho-Corasick automaton (overlapping
//! matches); a chain starts at the given offset and each next name must follow the previous
//! one without a gap and be a division inside it. Of several readings the one reaching
//! furthest wins; readings that reach equally far pool their candidates (an ambiguity the
//! caller resolves with hints or reports).

use crate::table::{Table, Target};

/// The end of the longest chain from an offset: where it stops and what it may be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChainMatch {
    /// Rows (valid in the year) the last name of the chain may stand for.
    pub rows: Vec<u32>,
    /// Byte offset in the text right after the chain.
    pub end: usize,
    /// A special-zone alias was part of the chain.
    pub alias: bool,
    /// Pattern ids of the chain's last name (several when readings were pooled).
    pub leaf: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    pattern: usize,
}

/// Name occurrences in `text`, for any number of [`longest_chain`] calls on it.
pub(crate) struct Hits(Vec<Hit>);

impl Hits {
    /// Does a name start at `pos`?
    pub fn starts_at(&self, pos: usize) -> bool {
        self.0.iter().any(|h| h.start == pos)
    }

    pub fn find(table: &Table, text: &str) -> Hits {
        // The automaton was built with `MatchKind::Standard`, the kind overlapping search needs.
        Hits(
            table
                .automaton
                .try_find_overlapping_iter(text)
                .into_iter()
                .flatten()
                .map(|m| Hit {
                    start: m.start(),
                    end: m.end(),
                    pattern: m.pattern().as_usize(),
                })
                .collect(),
        )
    }
}

/// Candidates of one name in `year`: its rows valid then, aliases whose code is valid then.
fn candidates(table: &Table, pattern: usize, year: u16) -> (Vec<u32>, bool) {
    let mut rows = Vec::new();
    let mut alias = false;
    for t in table.patterns.get(pattern).into_iter().flatten() {
        match *t {
            Target::Row(i) => {
                if table.rows[i as usize].valid(year) {
                    rows.push(i);
                }
            }
            Target::Alias(k) => {
                if let Some(a) = table.aliases.get(k as usize) {
                    if year >= a.since {
                        if let Some(i) = table.index_at(a.code, year) {
                            rows.push(i);
                            alias = true;
                        }
                    }
                }
            }
        }
    }
    rows.sort_unstable();
    rows.dedup();
    (rows, alias)
}

/// The longest chain of division names starting exactly at `start`.
pub(crate) fn longest_chain(
    table: &Table,
    hits: &Hits,
    start: usize,
    year: u16,
) -> Option<ChainMatch> {
    extend(table, hits, start, year, None, 0)
}

fn extend(
    table: &Table,
    hits: &Hits,
    pos: usize,
    year: u16,
    parents: Option<&[u32]>,
    depth: usize,
) -> Option<ChainMatch> {
    // Province → prefecture → county is three names; a fourth can only be noise.
    if depth >= 4 {
        return None;
    }
    let mut best: Option<ChainMatch> = None;
    for h in hits.0.iter().filter(|h| h.start == pos) {
        let (mut rows, alias) = candidates(table, h.pattern, year);
        if let Some(ps) = parents {
            rows.retain(|&c| ps.iter().any(|&p| table.is_ancestor(p, c)));
        }
        if rows.is_empty() {
            continue;
        }
        let here = match extend(table, hits, h.end, year, Some(&rows), depth + 1) {
            Some(mut longer) => {
                longer.alias |= alias;
                longer
            }
            None => ChainMatch {
                rows,
                end: h.end,
                alias,
                leaf: vec![h.pattern],
            },
        };
        best = Some(match best {
            None => here,
            Some(b) if here.end > b.end => here,
            Some(b) if here.end < b.end => b,
            Some(mut b) => {
                b.rows.extend(here.rows);
                b.rows.sort_unstable();
                b.rows.dedup();
                b.alias |= here.alias;
                b.leaf.extend(here.leaf);
                b
            }
        });
    }
    best
}
