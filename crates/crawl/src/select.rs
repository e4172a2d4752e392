//! Which sources one run crawls: the registry rows chosen by `[registry]`, the hand-written
//! `[[sources]]`, then the narrowing of the command line (`--source`, `--province`,
//! `--level`) and the shard (`--shard i/n`).
//!
//! Sharding is by host: a host belongs to shard `fnv1a64(key) mod n`, where `key` is the
//! host as the crawler keys it (lower-case, `:port` when not the scheme default) without a
//! leading `www.`, and `fnv1a64` is 64-bit FNV-1a (offset basis `0xcbf29ce484222325`, prime
//! `0x100000001b3`) over the key's UTF-8 bytes. The hash is fixed by its definition, not by
//! the Rust version or a random seed, so every machine of a job array computes the same
//! split, and a host is only ever fetched by one shard (politeness holds across machines).

use std::hash::Hasher;

use crate::config::{Config, ConfigError, Source};
use crate::registry::province_matches;

/// `--shard i/n`: this process crawls shard `index` of `count` (`0 <= index < count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Shard number, from 0.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard wants i/n (e.g. 0/4), not {s:?}"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("--shard: bad index {i:?}"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("--shard: bad count {n:?}"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "--shard {s}: the index must be between 0 and {}",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard key of a host key: lower-case, without a leading `www.` (so `www.x.gov.cn`
/// and `x.gov.cn`, which redirect to each other, fall into the same shard).
pub fn shard_key(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    match h.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => h,
    }
}

/// 64-bit FNV-1a of the shard key of `host`.
pub fn host_hash(host: &str) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(shard_key(host).as_bytes());
    h.finish()
}

impl Shard {
    /// Whether `host` (a host key, `host[:port]`) belongs to this shard.
    pub fn owns(&self, host: &str) -> bool {
        host_hash(host) % self.count == self.index
    }
}

/// Narrowing of one run (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--source`: source names (a registry name also selects its de-duplicated variants
    /// `NAME [...]`), division codes or start URLs.
    pub sources: Vec<String>,
    /// `--province`: province names (or their beginning) or 2-digit codes.
    pub provinces: Vec<String>,
    /// `--level`: `province`, `prefecture`, `county`, `department`, `other`.
    pub levels: Vec<String>,
    /// `--shard i/n`.
    pub shard: Option<Shard>,
}

/// What [`Config::resolve`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Sources taken from the registry by `[registry]`.
    pub from_registry: usize,
    /// Sources after the command-line narrowing.
    pub selected: usize,
    /// Sources left for this shard.
    pub in_shard: usize,
}

fn source_named(s: &Source, q: &str) -> bool {
    let q = q.trim();
    s.name == q
        || s.name.starts_with(&format!("{q} ["))
        || s.division_code.as_deref() == Some(q)
        || s.start.iter().any(|u| u == q)
}

fn host_of(u: &str) -> Option<String> {
    url::Url::parse(u).ok().map(|u| crate::scope::host_key(&u))
}

impl Config {
    /// Load the registry rows chosen by `[registry]`, add them to `[[sources]]`, then
    /// narrow by `sel`. A `--source`, `--province` or `--level` that matches nothing is an
    /// error (a typo must not turn into an empty run); an empty shard is not.
    pub fn resolve(&mut self, sel: &Selection) -> Result<Resolved, ConfigError> {
        let mut done = Resolved::default();
        if let Some(reg) = self.registry.take() {
            let rows = reg.sources()?;
            done.from_registry = rows.len();
            if rows.is_empty() {
                tracing::warn!(file = %reg.file.display(), "[registry] selects no row");
            }
            self.sources.extend(rows);
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.sources {
            if !seen.insert(s.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "two sources are named {:?} (names key the summary and --due)",
                    s.name
                )));
            }
        }
        for q in &sel.sources {
            if !self.sources.iter().any(|s| source_named(s, q)) {
                return Err(ConfigError::Invalid(format!(
                    "--source {q:?}: no such source"
                )));
            }
        }
        let wanted = |s: &Source| {
            (sel.sources.is_empty() || sel.sources.iter().any(|q| source_named(s, q)))
                && (sel.provinces.is_empty()
                    || sel.provinces.iter().any(|p| {
                        province_matches(
                            p,
                            s.province.as_deref().unwrap_or(""),
                            s.division_code.as_deref().unwrap_or(""),
                        )
                    }))
                && (sel.levels.is_empty()
                    || sel
                        .levels
                        .iter()
                        .any(|l| s.level.as_deref() == Some(l.trim())))
        };
        self.sources.retain(wanted);
        done.selected = self.sources.len();
        if done.selected == 0 && !(sel.provinces.is_empty() && sel.levels.is_empty()) {
            return Err(ConfigError::Invalid(format!(
                "no source matches --province {:?} --level {:?}",
                sel.provinces, sel.levels
            )));
        }
        if let Some(shard) = sel.shard {
            for s in &mut self.sources {
                s.start
                    .retain(|u| host_of(u).is_none_or(|h| shard.owns(&h)));
                let before = s.allow.len();
                s.allow.retain(|h| shard.owns(h));
                if s.allow.len() < before {
                    tracing::warn!(source = %s.name, %shard, "allowed hosts of other shards left out");
                }
            }
            self.sources.retain(|s| !s.start.is_empty());
        }
        done.in_shard = self.sources.len();
        Ok(done)
    }
}

/// `crawl --due`: keep only the sources whose last successful check (`checked`: name →
/// unix seconds, from the archive index) is older than `after_days` before `now_unix`, or
/// that were never checked. Returns how many sources were left out.
pub fn keep_due(
    sources: &mut Vec<Source>,
    checked: &std::collections::HashMap<String, i64>,
    now_unix: i64,
    after_days: f64,
) -> usize {
    let before = sources.len();
    let window = (after_days * 86_400.0) as i64;
    sources.retain(|s| checked.get(&s.name).is_none_or(|t| now_unix - t >= window));
    before - sources.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_published_function() {
        // Test vectors of the FNV reference (draft-eastlake-fnv): "" and "a".
        let mut h = fnv::FnvHasher::default();
        h.write(b"");
        assert_eq!(h.finish(), 0xcbf29ce484222325);
        assert_eq!(host_hash("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(host_hash("www.A"), host_hash("a"));
        assert_eq!(shard_key("www."), "www.");
    }

    #[test]
    fn due_keeps_unchecked_and_old() {
        let src = |n: &str| Source {
            name: n.into(),
            start: vec![format!("http://{n}.gov.cn/")],
            ..Default::default()
        };
        let mut v = vec![src("a"), src("b"), src("c")];
        let checked = [
            ("a".to_string(), 1_000_000),
            ("b".to_string(), 1_000_000 - 40 * 86_400),
        ]
        .into_iter()
        .collect();
        assert_eq!(keep_due(&mut v, &checked, 1_000_000 + 3600, 30.0), 1);
        let names: Vec<&str> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["b", "c"], "a was checked an hour ago");
    }

    #[test]
    fn shard_parse_and_partition() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("x/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        let hosts: Vec<String> = (0..200).map(|i| format!("h{i}.gov.cn")).collect();
        let shards: Vec<Shard> = (0..4).map(|i| Shard { index: i, count: 4 }).collect();
        for h in &hosts {
            assert_eq!(shards.iter().filter(|s| s.owns(h)).count(), 1, "{h}");
        }
        for s in &shards {
            let n = hosts.iter().filter(|h| s.owns(h)).count();
            assert!((25..=75).contains(&n), "shard {s} has {n} of 200 hosts");
        }
    }
}
