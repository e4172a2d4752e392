//! The run summary, computed from the index (so it covers a run resumed after a crash):
//! per host, fetches, new/changed/unchanged reports, errors by kind, anti-bot blocks,
//! robots.txt denials, out-of-scope links, retries and the Crawl-delay honoured.

use nianbao_archive::{ArchiveError, Index};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Counters of one host.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HostSummary {
    /// Responses received (any status, retries included).
    pub fetched: u64,
    /// Conditional requests answered 304.
    pub not_modified: u64,
    /// Report pages or attachments archived for the first time.
    pub new_reports: u64,
    /// Report pages or attachments whose content changed.
    pub changed_reports: u64,
    /// Report pages or attachments unchanged (304 or same digest).
    pub unchanged: u64,
    /// Final failures by kind (`timeout`, `http_404`, `redirect_loop`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Anti-bot answers by vendor.
    pub blocked: BTreeMap<String, u64>,
    /// URLs not fetched because robots.txt disallows them.
    pub robots_denied: u64,
    /// Links to hosts out of scope (recorded, not followed).
    pub out_of_scope: u64,
    /// Attempts that were retried.
    pub retries: u64,
    /// Crawl-delay from robots.txt in seconds (after the cap), when set.
    pub crawl_delay_s: Option<f64>,
}

/// The summary of a run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Run id.
    pub run_id: i64,
    /// Per host.
    pub hosts: BTreeMap<String, HostSummary>,
    /// Reports in the dataset written at the end.
    pub dataset_reports: usize,
    /// Documents quarantined by the dataset step: URL → why (a parser crash, an exhausted
    /// limit or a timeout); skipped by later runs unless `--retry-poisoned`.
    pub quarantined: BTreeMap<String, String>,
}

impl Summary {
    /// Compute the summary of `run_id` from the index.
    pub fn from_index(
        index: &Index,
        run_id: i64,
        crawl_delays: &HashMap<String, f64>,
    ) -> Result<Summary, ArchiveError> {
        let mut hosts: BTreeMap<String, HostSummary> = BTreeMap::new();
        let records = index.records_of_run(run_id)?;
        let mut last_by_url: HashMap<&str, usize> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            let h = hosts.entry(r.host.clone()).or_default();
            if r.status.is_some() {
                h.fetched += 1;
            }
            if r.outcome == "retried" {
                h.retries += 1;
                continue;
            }
            if r.outcome == "not_modified" {
                h.not_modified += 1;
            }
            last_by_url.insert(r.url.as_str(), i);
        }
        let mut last: Vec<usize> = last_by_url.into_values().collect();
        last.sort_unstable();
        for i in last {
            let r = &records[i];
            let h = hosts.entry(r.host.clone()).or_default();
            let doc = r.role == "report" || r.role == "attachment";
            match r.outcome.as_str() {
                "ok" if doc => match r.novelty.as_deref() {
                    Some("new") => h.new_reports += 1,
                    Some("changed") => h.changed_reports += 1,
                    _ => h.unchanged += 1,
                },
                "not_modified" if doc => h.unchanged += 1,
                "blocked" => {
                    let v = r.error_kind.clone().unwrap_or_default();
                    let v = v
                        .trim_start_matches("blocked(")
                        .trim_end_matches(')')
                        .to_string();
                    *h.blocked.entry(v).or_default() += 1;
                }
                // A missing robots.txt (4xx) is normal: it allows everything.
                "http_error"
                    if r.role == "robots" && r.status.is_some_and(|s| (400..500).contains(&s)) => {}
                "failed" | "http_error" | "refused" | "redirect" => {
                    if let Some(k) = &r.error_kind {
                        *h.errors.entry(k.clone()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        let mut st = index
            .connection()
            .prepare("SELECT host, state, COUNT(*) FROM frontier WHERE run_id = ?1 AND state IN ('robots_denied','out_of_scope','kept') GROUP BY host, state")?;
        let rows = st.query_map([run_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (host, state, n) = row?;
            let h = hosts.entry(host).or_default();
            if state == "robots_denied" {
                h.robots_denied += n as u64;
            } else if state == "kept" {
                // archived report without validators: not re-downloaded
                h.unchanged += n as u64;
            } else {
                h.out_of_scope += n as u64;
            }
        }
        for (host, d) in crawl_delays {
            if let Some(h) = hosts.get_mut(host) {
                h.crawl_delay_s = Some((*d * 1000.0).round() / 1000.0);
            }
        }
        Ok(Summary {
            run_id,
            hosts,
            dataset_reports: 0,
            quarantined: BTreeMap::new(),
        })
    }

    /// Totals over all hosts.
    pub fn total(&self) -> HostSummary {
        let mut t = HostSummary::default();
        for h in self.hosts.values() {
            t.fetched += h.fetched;
            t.not_modified += h.not_modified;
            t.new_reports += h.new_reports;
            t.changed_reports += h.changed_reports;
            t.unchanged += h.unchanged;
            t.robots_denied += h.robots_denied;
            t.out_of_scope += h.out_of_scope;
            t.retries += h.retries;
            for (k, v) in &h.errors {
                *t.errors.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &h.blocked {
                *t.blocked.entry(k.clone()).or_default() += v;
            }
        }
        t
    }
}

fn kinds(m: &BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "-".into();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "run {} summary", self.run_id)?;
        writeln!(
            f,
            "{:<28} {:>7} {:>5} {:>5} {:>5} {:>9} {:>6} {:>7} {:>6}  errors / blocked",
            "host", "fetched", "new", "chg", "same", "304", "retry", "robots", "scope"
        )?;
        let mut line = |name: &str, h: &HostSummary| {
            writeln!(
                f,
                "{:<28} {:>7} {:>5} {:>5} {:>5} {:>9} {:>6} {:>7} {:>6}  {} / {}{}",
                name,
                h.fetched,
                h.new_reports,
                h.changed_reports,
                h.unchanged,
                h.not_modified,
                h.retries,
                h.robots_denied,
                h.out_of_scope,
                kinds(&h.errors),
                kinds(&h.blocked),
                h.crawl_delay_s
                    .map(|d| format!("  (crawl-delay {d}s)"))
                    .unwrap_or_default()
            )
        };
        for (host, h) in &self.hosts {
            line(host, h)?;
        }
        line("TOTAL", &self.total())?;
        write!(f, "reports in dataset: {}", self.dataset_reports)?;
        for (url, why) in &self.quarantined {
            write!(f, "\nquarantined: {url}: {why}")?;
        }
        Ok(())
    }
}
