//! A crawl run: configuration checked, the demo sites served if asked, the archive opened
//! (an unfinished run is resumed), seeds added to the frontier, then the [`Scheduler`]
//! works until nothing is pending, and the summary is read back from the index.

use nianbao_archive::{Archive, NewItem};
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::discover::Rules;
use crate::downloader::Downloader;
use crate::process::Pipeline;
use crate::scheduler::Scheduler;
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

/// Hosts in scope and the source each belongs to.
pub(crate) struct Scope {
    pub(crate) allowed: Arc<HashSet<String>>,
    pub(crate) source_of_host: HashMap<String, String>,
}

pub(crate) fn build_scope(cfg: &Config) -> Scope {
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
    let downloader = Arc::new(Downloader::new(cfg.clone(), scope.allowed.clone())?);
    let pipeline = Arc::new(Pipeline {
        run_id,
        rules,
        allowed: scope.allowed.clone(),
        source_of_host: scope.source_of_host,
        max_depth: cfg.crawl.max_depth,
        revisit_reports: cfg.crawl.revisit_reports,
        warc_dir: archive.warc_dir().to_path_buf(),
    });

    // Seeds (a no-op on resume: they are already in this run's frontier).
    let mut seeds = Vec::new();
    for s in &cfg.sources {
        for (url, role) in s.seeds() {
            seeds.push(NewItem {
                url: url.to_string(),
                host: host_key(&url),
                role: role.as_str().into(),
                source: Some(s.name.clone()),
                revisit: true,
                ..Default::default()
            });
        }
    }
    archive.index_mut().enqueue(run_id, &seeds)?;

    let progress = progress_bar(cfg.quiet);
    let mut scheduler = Scheduler::new(
        archive,
        run_id,
        cfg.clone(),
        pipeline,
        downloader.clone(),
        progress.clone(),
    )?;
    scheduler.run().await?;
    progress.finish_and_clear();
    let archive = scheduler.into_archive().ok_or_else(|| {
        CrawlError::Archive(nianbao_archive::ArchiveError::Corrupt(
            "archive lost".into(),
        ))
    })?;
    archive.index().finish_run(run_id)?;

    let summary =
        Summary::from_index(archive.index(), run_id, &downloader.robots().crawl_delays())?;
    for t in _servers {
        t.abort();
    }
    Ok(RunReport { summary, resumed })
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
