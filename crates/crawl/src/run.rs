//! The scheduler: one task owns the archive and the frontier; fetches run as tokio tasks,
//! at most `per_host_concurrency` per host and `max_concurrency` overall. Each finished
//! fetch is archived (WARC + fsync) and committed with the links discovered on it in one
//! index transaction, so a crash at any moment loses nothing that was committed and a
//! restart resumes the unfinished run without refetching done URLs.

use nianbao_archive::{Archive, Exchange, NewItem};
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use url::Url;

use crate::config::Config;
use crate::discover::{self, Page, Role, Rules};
use crate::fetch::{Fetched, Fetcher, Job, Validators};
use crate::politeness::Gates;
use crate::robots::Robots;
use crate::scope::{host_key, hosts_of};
use crate::summary::Summary;
use crate::CrawlError;

/// Result of a run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The summary (also printed by the CLI).
    pub summary: Summary,
    /// True when an unfinished run was resumed.
    pub resumed: bool,
}

#[derive(Default)]
struct HostState {
    robots: Option<Robots>,
    robots_requested: bool,
    in_flight: usize,
}

struct Scope {
    allowed: Arc<HashSet<String>>,
    source_of_host: HashMap<String, String>,
}

fn build_scope(cfg: &Config) -> Scope {
    let mut allowed = HashSet::new();
    let mut source_of_host = HashMap::new();
    for s in &cfg.sources {
        let hosts = if s.allow.is_empty() {
            hosts_of(&s.start)
        } else {
            s.allow.iter().map(|h| h.to_ascii_lowercase()).collect()
        };
        for h in hosts {
            source_of_host
                .entry(h.clone())
                .or_insert_with(|| s.name.clone());
            allowed.insert(h);
        }
    }
    Scope {
        allowed: Arc::new(allowed),
        source_of_host,
    }
}

fn robots_url(u: &Url) -> Option<Url> {
    let mut r = u.clone();
    r.set_path("/robots.txt");
    r.set_query(None);
    r.set_fragment(None);
    Some(r)
}

/// Run a crawl as configured (the CLI's `nianbao crawl`).
pub async fn run(mut cfg: Config) -> Result<RunReport, CrawlError> {
    cfg.validate()?;
    // Offline demo: serve the replica sites from this process.
    let mut _servers = Vec::new();
    if let Some(demo) = cfg.demo.clone() {
        let (sites, tasks) = crate::serve::spawn_sites(&demo.serve_dir, demo.base_port)
            .await
            .map_err(|e| CrawlError::Io {
                path: demo.serve_dir.display().to_string(),
                source: e,
            })?;
        for (n, a) in &sites {
            tracing::info!(site = %n, addr = %a, "demo site serving");
        }
        cfg.substitute_sites(&sites);
        cfg.validate()?;
        _servers = tasks;
    }
    let data = cfg.storage.data.clone();
    std::fs::create_dir_all(&data).map_err(|e| CrawlError::Io {
        path: data.display().to_string(),
        source: e,
    })?;
    let mut archive = Archive::open(&data)?;
    let (run_id, resumed) = match archive.index().unfinished_run("crawl")? {
        Some(id) => (id, true),
        None => (archive.index().start_run("crawl")?, false),
    };
    if resumed {
        tracing::info!(run_id, "resuming unfinished run");
    }
    let cfg = Arc::new(cfg);
    let rules = Rules::new(&cfg.crawl)
        .map_err(|e| CrawlError::Config(crate::config::ConfigError::Invalid(e.to_string())))?;
    let scope = build_scope(&cfg);
    let gates = Arc::new(Gates::new());
    let fetcher = Fetcher::new(cfg.clone(), gates.clone())?;

    // Seeds (a no-op on resume: they are already in this run's frontier).
    let mut seeds = Vec::new();
    for s in &cfg.sources {
        for (url, role) in s.seeds() {
            seeds.push(NewItem {
                url: url.to_string(),
                host: host_key(&url),
                role: role.as_str().into(),
                depth: 0,
                referrer: None,
                source: Some(s.name.clone()),
                revisit: true,
            });
        }
    }
    archive.index_mut().enqueue(run_id, &seeds)?;

    let progress = progress_bar(cfg.quiet);
    let mut hosts: HashMap<String, HostState> = HashMap::new();
    let mut crawl_delays: HashMap<String, f64> = HashMap::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut tasks: JoinSet<(nianbao_archive::FrontierItem, Fetched)> = JoinSet::new();
    let mut started: usize = archive
        .index()
        .records_of_run(run_id)?
        .iter()
        .filter(|r| r.role != "robots")
        .count();
    let base_delay = Duration::from_millis(cfg.politeness.delay_ms);

    loop {
        // Dispatch what can go now.
        let mut dispatched_any = false;
        let pending = archive.index().pending(run_id, 1000)?;
        let mut waiting = 0usize;
        for item in pending {
            if in_flight.contains(&item.url) {
                continue;
            }
            let Ok(url) = Url::parse(&item.url) else {
                archive.index().set_state(&item.url, "invalid")?;
                continue;
            };
            let host = item.host.clone();
            if !scope.allowed.contains(&host) {
                archive.index().set_state(&item.url, "out_of_scope")?;
                continue;
            }
            let role = Role::parse(&item.role);
            let hs = hosts.entry(host.clone()).or_default();
            if role != Role::Robots && cfg.politeness.respect_robots {
                if hs.robots.is_none() {
                    if !hs.robots_requested {
                        hs.robots_requested = true;
                        if let Some(ru) = robots_url(&url) {
                            // Done in this run already (resume)? Then read it back.
                            let loaded = load_robots(&archive, ru.as_str(), run_id, &cfg)?;
                            match loaded {
                                Some(r) => {
                                    apply_delay(
                                        &gates,
                                        &host,
                                        &r,
                                        &cfg,
                                        &mut crawl_delays,
                                        base_delay,
                                    );
                                    hs.robots = Some(r);
                                }
                                None => {
                                    archive.index_mut().enqueue(
                                        run_id,
                                        &[NewItem {
                                            url: ru.to_string(),
                                            host: host.clone(),
                                            role: "robots".into(),
                                            depth: 0,
                                            referrer: None,
                                            source: item.source.clone(),
                                            revisit: true,
                                        }],
                                    )?;
                                }
                            }
                        }
                    }
                    if hs.robots.is_none() {
                        waiting += 1;
                        continue;
                    }
                }
                if let Some(r) = &hs.robots {
                    if !r.allowed(url.as_str()) {
                        tracing::debug!(url = %url, "robots.txt disallows");
                        archive.index().set_state(&item.url, "robots_denied")?;
                        continue;
                    }
                }
            }
            if hs.in_flight >= cfg.politeness.per_host_concurrency
                || tasks.len() >= cfg.crawl.max_concurrency
            {
                waiting += 1;
                continue;
            }
            if role != Role::Robots && started >= cfg.crawl.max_pages {
                continue;
            }
            let conditional = match role {
                Role::Listing | Role::Hub | Role::Robots => true,
                Role::Report | Role::Attachment => cfg.crawl.revisit_reports,
            };
            let validators = if conditional {
                archive.index().latest_ok(&item.url)?.map(|r| Validators {
                    etag: r.etag,
                    last_modified: r.last_modified,
                })
            } else {
                None
            };
            // An archived report whose server gave no validators cannot be revisited with
            // a conditional request: keep the archived copy instead of downloading it again.
            if matches!(role, Role::Report | Role::Attachment)
                && validators
                    .as_ref()
                    .is_some_and(|v| v.etag.is_none() && v.last_modified.is_none())
            {
                archive.index().set_state(&item.url, "kept")?;
                continue;
            }
            let job = Job {
                url,
                role: item.role.clone(),
                referrer: item.referrer.clone(),
                validators,
                allowed: scope.allowed.clone(),
                run_id,
            };
            hs.in_flight += 1;
            if role != Role::Robots {
                started += 1;
            }
            in_flight.insert(item.url.clone());
            let f = fetcher.clone();
            tasks.spawn(async move {
                let fetched = f.fetch(&job).await;
                (item, fetched)
            });
            dispatched_any = true;
        }
        progress.set_length((started + waiting) as u64);
        if tasks.is_empty() {
            if dispatched_any || (waiting > 0 && robots_pending(&archive, run_id)?) {
                continue;
            }
            break;
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (item, fetched) = match joined {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "fetch task failed");
                continue;
            }
        };
        in_flight.remove(&item.url);
        if let Some(hs) = hosts.get_mut(&item.host) {
            hs.in_flight = hs.in_flight.saturating_sub(1);
        }
        progress.inc(1);
        progress.set_message(item.url.clone());
        handle_result(
            &mut archive,
            &item,
            fetched,
            &cfg,
            &rules,
            &scope,
            &mut hosts,
            &gates,
            &mut crawl_delays,
            base_delay,
        )?;
    }
    progress.finish_and_clear();
    archive.index().finish_run(run_id)?;

    let summary = Summary::from_index(archive.index(), run_id, &crawl_delays)?;
    for t in _servers {
        t.abort();
    }
    Ok(RunReport { summary, resumed })
}

fn robots_pending(archive: &Archive, run_id: i64) -> Result<bool, CrawlError> {
    Ok(archive
        .index()
        .pending(run_id, 1000)?
        .iter()
        .any(|i| i.role == "robots"))
}

fn load_robots(
    archive: &Archive,
    robots_url: &str,
    run_id: i64,
    cfg: &Config,
) -> Result<Option<Robots>, CrawlError> {
    let Some((item, item_run)) = archive.index().frontier_item(robots_url)? else {
        return Ok(None);
    };
    if item_run != run_id || item.state == "pending" {
        return Ok(None);
    }
    let Some(rec) = archive.index().latest_in_run(robots_url, run_id)? else {
        return Ok(None);
    };
    let robots = match rec.outcome.as_str() {
        "redirect" | "refused" => Robots::AllowAll,
        "not_modified" => match archive.index().latest_ok(robots_url)? {
            Some(ok) => {
                let body = archive
                    .read_response(&ok)
                    .map(|s| s.http.body)
                    .unwrap_or_default();
                Robots::from_answer(Some(200), &body, &cfg.politeness.user_agent)
            }
            None => Robots::AllowAll,
        },
        _ => {
            let body = if rec.status.is_some() {
                archive
                    .read_response(&rec)
                    .map(|s| s.http.body)
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            Robots::from_answer(rec.status, &body, &cfg.politeness.user_agent)
        }
    };
    Ok(Some(robots))
}

fn apply_delay(
    gates: &Gates,
    host: &str,
    robots: &Robots,
    cfg: &Config,
    crawl_delays: &mut HashMap<String, f64>,
    base: Duration,
) {
    let mut delay = base;
    if let Some(cd) = robots.crawl_delay() {
        let capped = cd.min(cfg.politeness.max_crawl_delay_s).max(0.0);
        if cd > capped {
            tracing::warn!(
                host,
                crawl_delay = cd,
                cap = capped,
                "robots.txt Crawl-delay capped"
            );
        }
        crawl_delays.insert(host.to_string(), capped);
        delay = delay.max(Duration::from_secs_f64(capped));
    }
    gates.set_delay(host, delay);
}

#[allow(clippy::too_many_arguments)]
fn handle_result(
    archive: &mut Archive,
    item: &nianbao_archive::FrontierItem,
    fetched: Fetched,
    cfg: &Config,
    rules: &Rules,
    scope: &Scope,
    hosts: &mut HashMap<String, HostState>,
    gates: &Gates,
    crawl_delays: &mut HashMap<String, f64>,
    base_delay: Duration,
) -> Result<(), CrawlError> {
    let mut attempts = fetched.attempts;
    let Some(mut last) = attempts.pop() else {
        archive.index().set_state(&item.url, "failed")?;
        return Ok(());
    };
    for ex in &attempts {
        archive.store(ex, None, &[])?;
    }
    let role = Role::parse(&item.role);
    if role == Role::Robots {
        let robots = match last.outcome.as_str() {
            "not_modified" => match archive.index().latest_ok(&item.url)? {
                Some(ok) => {
                    let body = archive
                        .read_response(&ok)
                        .map(|s| s.http.body)
                        .unwrap_or_default();
                    Robots::from_answer(Some(200), &body, &cfg.politeness.user_agent)
                }
                None => Robots::AllowAll,
            },
            // Refused by policy (private address): the pages are refused one by one and
            // reported as such, not as robots denials.
            "redirect" | "refused" => Robots::AllowAll,
            _ => {
                let status = last.response.as_ref().map(|r| r.status);
                let body = last
                    .response
                    .as_ref()
                    .map(|r| r.body.clone())
                    .unwrap_or_default();
                Robots::from_answer(status, &body, &cfg.politeness.user_agent)
            }
        };
        tracing::info!(host = %item.host, rules = ?robots, "robots.txt");
        apply_delay(gates, &item.host, &robots, cfg, crawl_delays, base_delay);
        let state = if matches!(last.outcome.as_str(), "ok" | "not_modified") {
            "done"
        } else {
            "failed"
        };
        archive.store(&last, Some((&item.url, state)), &[])?;
        hosts.entry(item.host.clone()).or_default().robots = Some(robots);
        return Ok(());
    }

    // Discovery on the answer (or on the archived copy when the server said 304).
    let mut discovered = Vec::new();
    let final_url = fetched
        .final_url
        .clone()
        .or_else(|| Url::parse(&item.url).ok());
    let body_and_type: Option<(Vec<u8>, Option<String>)> = match last.outcome.as_str() {
        "ok" => last
            .response
            .as_ref()
            .map(|r| (r.body.clone(), r.header("content-type").map(str::to_string))),
        "not_modified" => archive
            .index()
            .latest_ok(&last.url)?
            .and_then(|ok| archive.read_response(&ok).ok())
            .map(|s| {
                (
                    s.http.body.clone(),
                    s.http.header("content-type").map(str::to_string),
                )
            }),
        _ => None,
    };
    if let (Some((body, ct)), Some(final_url)) = (&body_and_type, &final_url) {
        let page = Page {
            url: final_url,
            role,
            content_type: ct.as_deref(),
            body,
        };
        let d = discover::discover(page, rules);
        if last.outcome == "ok" {
            last.charset = d.charset.clone();
        }
        for f in d.links {
            let depth = if f.pagination {
                item.depth
            } else {
                item.depth + 1
            };
            if depth > cfg.crawl.max_depth as i64 {
                continue;
            }
            let host = host_key(&f.url);
            let revisit = match f.role {
                Role::Listing | Role::Hub | Role::Robots => true,
                Role::Report | Role::Attachment => cfg.crawl.revisit_reports,
            };
            // Until requests carry a method and a body: a form POST is marked `#post`, with
            // the form as its query.
            let url = match &f.form {
                Some(form) => {
                    let mut u = f.url.clone();
                    u.set_query(Some(&String::from_utf8_lossy(form)));
                    u.set_fragment(Some("post"));
                    u
                }
                None => f.url.clone(),
            };
            discovered.push(NewItem {
                url: url.to_string(),
                source: scope
                    .source_of_host
                    .get(&host)
                    .cloned()
                    .or_else(|| item.source.clone()),
                host,
                role: f.role.as_str().into(),
                depth,
                referrer: Some(final_url.to_string()),
                revisit,
            });
        }
    }
    // Hanweb proxies that refuse GET: ask again as a form POST.
    if let Ok(u) = Url::parse(&item.url) {
        let answer = match last.outcome.as_str() {
            "ok" => last.response.as_ref().map(|r| r.body.as_slice()),
            _ => None,
        };
        let failed = matches!(last.outcome.as_str(), "ok" | "http_error" | "failed");
        if let Some(post) = discover::hanweb::post_fallback(&u, answer).filter(|_| failed) {
            discovered.push(NewItem {
                url: post.to_string(),
                host: item.host.clone(),
                role: item.role.clone(),
                depth: item.depth,
                referrer: item.referrer.clone(),
                source: item.source.clone(),
                revisit: true,
            });
        }
    }
    if let Some(target) = &fetched.redirect_to {
        discovered.push(NewItem {
            url: target.to_string(),
            host: host_key(target),
            role: item.role.clone(),
            depth: item.depth,
            referrer: Some(item.url.clone()),
            source: item.source.clone(),
            revisit: true,
        });
    }
    let state = match last.outcome.as_str() {
        "ok" | "not_modified" => "done",
        "redirect" if last.error_kind.is_none() => "done",
        _ => "failed",
    };
    log_outcome(&last);
    archive.store(&last, Some((&item.url, state)), &discovered)?;
    Ok(())
}

fn log_outcome(ex: &Exchange) {
    match ex.outcome.as_str() {
        "ok" | "not_modified" | "redirect" if ex.error_kind.is_none() => {
            tracing::debug!(url = %ex.url, outcome = %ex.outcome, "fetched")
        }
        _ => {
            tracing::info!(url = %ex.url, outcome = %ex.outcome, kind = ?ex.error_kind, "not fetched")
        }
    }
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(0);
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {pos}/{len} fetched  {wide_msg}",
    ) {
        pb.set_style(style);
        pb.enable_steady_tick(Duration::from_millis(200));
    }
    pb
}
