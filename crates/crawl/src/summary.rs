//! The run summary, computed from the index (so it covers a run resumed after a crash):
//! per host and per source, fetches, new/changed/unchanged reports, errors by kind,
//! anti-bot blocks, robots.txt denials, out-of-scope links, retries and the Crawl-delay
//! honoured; the URLs of new and changed reports; and the run's verdict as an exit code
//! ([`exit`]).
//!
//! The JSON form (`nianbao crawl --json`, `<data>/runs/last-summary.json`,
//! `<data>/runs/<run_id>.json`) is a contract read by other tools: top-level `run_id`,
//! `started_at`, `finished_at`, `duration_s`, `resumed`, `exit_code`, `hosts` {host →
//! counts}, `sources` {name → counts}, `new_reports` [url], `changed_reports` [url]; counts
//! have `fetched`, `new`, `changed`, `unchanged`, `not_modified`, `errors` {kind → n} and
//! more.

use nianbao_archive::{ArchiveError, Index, RecordRow};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Exit codes of `nianbao crawl` (documented in the README; cron and systemd act on them).
pub mod exit {
    /// The run did its work (per-URL failures are data, see the summary).
    pub const OK: i32 = 0;
    /// A fatal error: unwritable data directory, corrupt index, dataset not writable.
    pub const FATAL: i32 = 1;
    /// Bad configuration or arguments (nothing was fetched).
    pub const CONFIG: i32 = 2;
    /// Requests were made but no host gave one usable answer (offline, DNS down, every
    /// host refusing): the dataset was left as it was.
    pub const NOTHING_FETCHED: i32 = 3;
    /// Some hosts answered, but the share of failed hosts passed
    /// `[crawl] max_failed_host_share`; the dataset was refreshed.
    pub const HOSTS_FAILED: i32 = 4;
    /// Another process holds the archive's lock (an earlier run still going).
    pub const LOCKED: i32 = 5;
}

/// Counters of one host (or one source).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HostSummary {
    /// Responses received (any status, retries included).
    pub fetched: u64,
    /// Requests with a usable answer (2xx, 304 or a redirect), robots.txt not counted.
    pub answered: u64,
    /// Conditional requests answered 304.
    pub not_modified: u64,
    /// Report pages or attachments archived for the first time.
    #[serde(rename = "new")]
    pub new_reports: u64,
    /// Report pages or attachments whose content changed.
    #[serde(rename = "changed")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl_delay_s: Option<f64>,
}

impl HostSummary {
    /// A host (or source) failed when requests to it failed or were blocked and none of
    /// its pages got a usable answer. A host whose pages robots.txt denies did not fail.
    pub fn failed(&self) -> bool {
        self.answered == 0 && (!self.errors.is_empty() || !self.blocked.is_empty())
    }

    fn add(&mut self, o: &HostSummary) {
        self.fetched += o.fetched;
        self.answered += o.answered;
        self.not_modified += o.not_modified;
        self.new_reports += o.new_reports;
        self.changed_reports += o.changed_reports;
        self.unchanged += o.unchanged;
        self.robots_denied += o.robots_denied;
        self.out_of_scope += o.out_of_scope;
        self.retries += o.retries;
        for (k, v) in &o.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.blocked {
            *self.blocked.entry(k.clone()).or_default() += v;
        }
    }
}

/// The summary of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Summary {
    /// Run id (per archive).
    pub run_id: i64,
    /// When this invocation started (RFC 3339, UTC).
    pub started_at: String,
    /// When it finished (RFC 3339, UTC).
    pub finished_at: String,
    /// Wall-clock seconds of this invocation.
    pub duration_s: f64,
    /// True when an interrupted run was resumed.
    pub resumed: bool,
    /// The exit code of the run ([`exit`]).
    pub exit_code: i32,
    /// `i/n` when the run was one shard of a sharded crawl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Per host.
    pub hosts: BTreeMap<String, HostSummary>,
    /// Per source (configured name).
    pub sources: BTreeMap<String, HostSummary>,
    /// URLs of reports (pages and attachments) archived for the first time in this run.
    pub new_reports: Vec<String>,
    /// URLs of reports whose content changed in this run.
    pub changed_reports: Vec<String>,
    /// Hosts that failed (see [`HostSummary::failed`]).
    pub failed_hosts: Vec<String>,
    /// Whether the dataset was rewritten after the run.
    pub dataset_written: bool,
    /// Reports in the dataset written at the end (0 when not written).
    pub dataset_reports: usize,
    /// Documents quarantined by the dataset step: URL → why (a parser crash, an exhausted
    /// limit or a timeout); skipped by later runs unless `--retry-poisoned`.
    pub quarantined: BTreeMap<String, String>,
}

fn is_usable(r: &RecordRow) -> bool {
    match r.outcome.as_str() {
        "ok" | "not_modified" => true,
        "redirect" => r.error_kind.is_none(),
        _ => false,
    }
}

/// Count one record (`last`: it is the final record of its URL in the run).
fn count(h: &mut HostSummary, r: &RecordRow, last: bool) {
    if !last {
        if r.status.is_some() {
            h.fetched += 1;
        }
        if r.outcome == "retried" {
            h.retries += 1;
        }
        if r.outcome == "not_modified" {
            h.not_modified += 1;
        }
        if is_usable(r) && r.role != "robots" {
            h.answered += 1;
        }
        return;
    }
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
        "http_error" if r.role == "robots" && r.status.is_some_and(|s| (400..500).contains(&s)) => {
        }
        "failed" | "http_error" | "refused" | "redirect" => {
            if let Some(k) = &r.error_kind {
                *h.errors.entry(k.clone()).or_default() += 1;
            }
        }
        _ => {}
    }
}

/// RFC 3339 UTC timestamp of `t` (seconds precision).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let s = nianbao_archive::warc::warc_date(t);
    // warc_date gives microseconds; the summary keeps whole seconds.
    match s.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => s,
    }
}

impl Summary {
    /// Compute the summary of `run_id` from the index.
    pub fn from_index(
        index: &Index,
        run_id: i64,
        crawl_delays: &HashMap<String, f64>,
    ) -> Result<Summary, ArchiveError> {
        let conn = index.connection();
        let mut source_of: HashMap<String, String> = HashMap::new();
        {
            let mut st = conn.prepare(
                "SELECT url, source FROM frontier WHERE run_id = ?1 AND source IS NOT NULL",
            )?;
            let rows = st.query_map([run_id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            for row in rows {
                let (u, s) = row?;
                source_of.insert(u, s);
            }
        }
        let mut hosts: BTreeMap<String, HostSummary> = BTreeMap::new();
        let mut sources: BTreeMap<String, HostSummary> = BTreeMap::new();
        let (mut new_reports, mut changed_reports) = (Vec::new(), Vec::new());
        // Streamed from the index (a large run is never all in memory); `last`: the last
        // non-retried record of its request (method and URL: a form POST and a GET of one
        // URL are two requests).
        index.for_each_record_of_run(run_id, |r, last| {
            let src = source_of.get(&r.url);
            count(hosts.entry(r.host.clone()).or_default(), &r, false);
            if let Some(s) = src {
                count(sources.entry(s.clone()).or_default(), &r, false);
            }
            if !last {
                return;
            }
            count(hosts.entry(r.host.clone()).or_default(), &r, true);
            if let Some(s) = src {
                count(sources.entry(s.clone()).or_default(), &r, true);
            }
            if r.outcome == "ok" && (r.role == "report" || r.role == "attachment") {
                match r.novelty.as_deref() {
                    Some("new") => new_reports.push(r.url.clone()),
                    Some("changed") => changed_reports.push(r.url.clone()),
                    _ => {}
                }
            }
        })?;
        new_reports.sort();
        changed_reports.sort();
        let mut st = conn.prepare(
            "SELECT host, source, state, COUNT(*) FROM frontier WHERE run_id = ?1 \
             AND state IN ('robots_denied','out_of_scope','kept') GROUP BY host, source, state",
        )?;
        let rows = st.query_map([run_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (host, source, state, n) = row?;
            let n = n as u64;
            let apply = |h: &mut HostSummary| match state.as_str() {
                "robots_denied" => h.robots_denied += n,
                // archived report without validators: not re-downloaded
                "kept" => h.unchanged += n,
                _ => h.out_of_scope += n,
            };
            apply(hosts.entry(host).or_default());
            if let Some(s) = source {
                apply(sources.entry(s).or_default());
            }
        }
        for (host, d) in crawl_delays {
            if let Some(h) = hosts.get_mut(host) {
                h.crawl_delay_s = Some((*d * 1000.0).round() / 1000.0);
            }
        }
        let failed_hosts = hosts
            .iter()
            .filter(|(_, h)| h.failed())
            .map(|(k, _)| k.clone())
            .collect();
        Ok(Summary {
            run_id,
            hosts,
            sources,
            new_reports,
            changed_reports,
            failed_hosts,
            ..Default::default()
        })
    }

    /// Totals over all hosts.
    pub fn total(&self) -> HostSummary {
        let mut t = HostSummary::default();
        for h in self.hosts.values() {
            t.add(h);
        }
        t
    }

    /// The verdict of the crawl part of the run: [`exit::NOTHING_FETCHED`] when hosts were
    /// asked and none gave a usable answer, [`exit::HOSTS_FAILED`] when the share of failed
    /// hosts passes `max_failed_host_share`, else [`exit::OK`]. A run that asked nothing
    /// (an empty shard, nothing due, everything kept) is OK.
    pub fn verdict(&self, max_failed_host_share: f64) -> i32 {
        let contacted = self
            .hosts
            .values()
            .filter(|h| h.answered > 0 || h.failed())
            .count();
        let failed = self.failed_hosts.len();
        if contacted == 0 {
            exit::OK
        } else if failed == contacted {
            exit::NOTHING_FETCHED
        } else if failed as f64 / contacted as f64 > max_failed_host_share {
            exit::HOSTS_FAILED
        } else {
            exit::OK
        }
    }

    /// Write the JSON summary to `<data>/runs/<run_id>.json` and
    /// `<data>/runs/last-summary.json` (each written to a temporary name and renamed, so a
    /// reader never sees half a file). Each shard has its own archive, so its own `runs/`.
    pub fn write_files(&self, data_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let dir = data_dir.join("runs");
        std::fs::create_dir_all(&dir)?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut written = Vec::new();
        for name in [format!("{}.json", self.run_id), "last-summary.json".into()] {
            let path = dir.join(&name);
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, &json)?;
            std::fs::rename(&tmp, &path)?;
            written.push(path);
        }
        Ok(written)
    }
}

/// True when the archive in `data_dir` holds at least one successfully fetched report page
/// or attachment (the condition for rewriting the dataset). A missing archive holds none.
pub fn archive_has_reports(data_dir: &Path) -> Result<bool, ArchiveError> {
    if !data_dir.join("index.sqlite").exists() {
        return Ok(false);
    }
    let archive = nianbao_archive::Archive::open_read_only(data_dir)?;
    let found = archive
        .index()
        .connection()
        .prepare(
            "SELECT 1 FROM records WHERE outcome = 'ok' AND role IN ('report', 'attachment') LIMIT 1",
        )?
        .exists([])?;
    Ok(found)
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

fn table(
    f: &mut std::fmt::Formatter<'_>,
    title: &str,
    rows: &BTreeMap<String, HostSummary>,
    total: Option<&HostSummary>,
) -> std::fmt::Result {
    // Counts first, the name last: source names are long and mostly Chinese, which a
    // fixed-width column cannot align.
    writeln!(
        f,
        "{:>7} {:>5} {:>5} {:>5} {:>5} {:>5} {:>6} {:>5}  {title}  (errors / blocked)",
        "fetched", "new", "chg", "same", "304", "retry", "robots", "scope"
    )?;
    let mut line = |name: &str, h: &HostSummary| {
        writeln!(
            f,
            "{:>7} {:>5} {:>5} {:>5} {:>5} {:>5} {:>6} {:>5}  {name}  ({} / {}){}{}",
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
                .map(|d| format!("  crawl-delay {d}s"))
                .unwrap_or_default(),
            if h.failed() { "  FAILED" } else { "" }
        )
    };
    for (k, h) in rows {
        line(k, h)?;
    }
    if let Some(t) = total {
        line("TOTAL", t)?;
    }
    Ok(())
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "run {}", self.run_id)?;
        if let Some(s) = &self.shard {
            write!(f, " (shard {s})")?;
        }
        if !self.started_at.is_empty() {
            write!(
                f,
                ": {} → {} ({:.1} s)",
                self.started_at, self.finished_at, self.duration_s
            )?;
        }
        if self.resumed {
            write!(f, ", resumed an interrupted run")?;
        }
        writeln!(f)?;
        table(f, "host", &self.hosts, Some(&self.total()))?;
        if self.sources.len() > 1 {
            writeln!(f)?;
            table(f, "source", &self.sources, None)?;
        }
        for (label, urls) in [
            ("new", &self.new_reports),
            ("changed", &self.changed_reports),
        ] {
            if !urls.is_empty() {
                writeln!(f, "{label} reports:")?;
                for u in urls {
                    writeln!(f, "  {u}")?;
                }
            }
        }
        if !self.failed_hosts.is_empty() {
            writeln!(
                f,
                "failed hosts: {} of {}",
                self.failed_hosts.len(),
                self.hosts.len()
            )?;
        }
        for (url, why) in &self.quarantined {
            writeln!(f, "quarantined: {url}: {why}")?;
        }
        if self.dataset_written {
            write!(f, "reports in dataset: {}", self.dataset_reports)?;
        } else {
            write!(f, "dataset not rewritten")?;
        }
        write!(f, "; exit code {}", self.exit_code)
    }
}
