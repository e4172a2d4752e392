//! The crawl configuration (`config.toml`): sources, crawl limits, politeness, storage and
//! the optional built-in demo server. Every field has a default, so a file with only
//! `[[sources]]` is valid. Unknown keys are errors (typos must not be silently ignored).

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Errors reading or checking the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is invalid or has unknown keys.
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Parser message.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Sites to crawl.
    pub sources: Vec<Source>,
    /// Crawl scope and limits.
    pub crawl: CrawlConfig,
    /// Politeness and fetch limits.
    pub politeness: Politeness,
    /// Where the archive and the dataset go.
    pub storage: Storage,
    /// Built-in static server for the offline demo.
    pub demo: Option<DemoConfig>,
}

/// One site (or unit) to crawl.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Source {
    /// Human-readable name (goes into logs and the frontier).
    pub name: String,
    /// Start URLs: a 年报 column (listing) or a site root.
    pub start: Vec<String>,
    /// Hosts in scope (`host` or `host:port`); default: the hosts of `start`.
    pub allow: Vec<String>,
    /// 6-digit division code of the government this source belongs to (a hint for the
    /// dataset's agency identity, see `nianbao_divisions`).
    pub division_code: Option<String>,
}

/// Crawl scope and limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlConfig {
    /// Maximum number of fetches per run (all hosts together).
    pub max_pages: usize,
    /// Maximum link depth from a start URL (pagination does not add depth).
    pub max_depth: u32,
    /// Maximum number of list pages followed per pagination sequence.
    pub max_list_pages: usize,
    /// Regex a link title must match to be taken as a report (a year is also required).
    pub report_title_pattern: String,
    /// Regex of titles that are never reports even when the pattern matches.
    pub exclude_title_pattern: String,
    /// Regex of link texts that name a 年报 column (used on site roots).
    pub column_pattern: String,
    /// Allow requests to private, loopback and link-local addresses (tests and demo only).
    pub allow_private_addresses: bool,
    /// Revisit already archived reports with conditional requests on later runs (reports
    /// archived without ETag/Last-Modified are kept, not downloaded again).
    pub revisit_reports: bool,
    /// Fetch attachments (PDF, Word, Excel) linked from report pages.
    pub attachments: bool,
    /// Maximum number of requests in flight over all hosts.
    pub max_concurrency: usize,
    /// Maximum redirects followed for one URL.
    pub max_redirects: usize,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_pages: 5000,
            max_depth: 4,
            max_list_pages: 100,
            report_title_pattern: "年度[报報]告|年[报報]".into(),
            exclude_title_pattern: "政府工作报告|工作要点|的函$|通知$".into(),
            column_pattern: "^(政府)?(信息)?公[开開](工作)?年(度[报報]告|[报報])$|^年度[报報]告$"
                .into(),
            allow_private_addresses: false,
            revisit_reports: true,
            attachments: true,
            max_concurrency: 16,
            max_redirects: 5,
        }
    }
}

/// Politeness and fetch limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Politeness {
    /// Minimum delay between two requests to the same host, in milliseconds.
    pub delay_ms: u64,
    /// Requests in flight per host.
    pub per_host_concurrency: usize,
    /// Obey robots.txt (Disallow/Allow and Crawl-delay).
    pub respect_robots: bool,
    /// Upper bound for a robots.txt Crawl-delay, in seconds.
    pub max_crawl_delay_s: f64,
    /// Total time for one request (connect + headers + body), in seconds.
    pub timeout_s: f64,
    /// Connect timeout, in seconds.
    pub connect_timeout_s: f64,
    /// Retries after a transient failure (timeouts, resets, 5xx, 429).
    pub retries: u32,
    /// Base of the exponential backoff, in milliseconds (doubled per attempt, plus jitter).
    pub backoff_ms: u64,
    /// Upper bound for a server's Retry-After, in seconds.
    pub max_retry_after_s: f64,
    /// Maximum body size in MiB; larger bodies are cut and recorded as `too_large`.
    pub max_body_mb: f64,
    /// User-Agent sent with every request (and matched against robots.txt).
    pub user_agent: String,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            delay_ms: 1000,
            per_host_concurrency: 1,
            respect_robots: true,
            max_crawl_delay_s: 30.0,
            timeout_s: 30.0,
            connect_timeout_s: 10.0,
            retries: 3,
            backoff_ms: 1000,
            max_retry_after_s: 120.0,
            max_body_mb: 50.0,
            user_agent: format!(
                "nianbao/{} (+https://github.com/nianbao; annual OGI report research crawler)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

impl Politeness {
    /// The body cap in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        (self.max_body_mb.max(0.0) * 1024.0 * 1024.0) as u64
    }
}

/// Storage locations.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Storage {
    /// Data directory: WARC files and the SQLite index (the crawl state).
    pub data: PathBuf,
    /// Output directory of the dataset (reports.csv, cells.csv, checks.csv, codebook.csv).
    pub out: PathBuf,
    /// Write a UTF-8 BOM into the CSV files (for Excel).
    pub bom: bool,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            data: PathBuf::from("data/crawl"),
            out: PathBuf::from("out"),
            bom: false,
        }
    }
}

/// The offline demo: a built-in static server.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DemoConfig {
    /// Directory whose sub-directories are served as one site each on 127.0.0.1.
    /// `{{site:NAME}}` in start URLs, allow lists and served files becomes that site's
    /// `127.0.0.1:PORT`.
    pub serve_dir: PathBuf,
    /// First port: sites get `base_port`, `base_port + 1`, ... in name order, so that
    /// re-runs see the same hosts (incremental crawl). 0 = random ports.
    pub base_port: u16,
}

impl Config {
    /// Parse a TOML string.
    pub fn from_toml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        Ok(cfg)
    }

    /// Read a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Check values that would make a crawl meaningless or unsafe.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.sources.is_empty() {
            return Err(ConfigError::Invalid("no [[sources]]".into()));
        }
        for s in &self.sources {
            if s.start.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "source {:?} has no start URL",
                    s.name
                )));
            }
            for u in &s.start {
                if self.demo.is_some() && u.contains("{{site:") {
                    continue;
                }
                let parsed = url::Url::parse(u).map_err(|e| {
                    ConfigError::Invalid(format!("source {:?}: bad start URL {u}: {e}", s.name))
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(ConfigError::Invalid(format!(
                        "source {:?}: only http(s) start URLs: {u}",
                        s.name
                    )));
                }
            }
        }
        for (name, pat) in [
            ("report_title_pattern", &self.crawl.report_title_pattern),
            ("exclude_title_pattern", &self.crawl.exclude_title_pattern),
            ("column_pattern", &self.crawl.column_pattern),
        ] {
            regex::Regex::new(pat)
                .map_err(|e| ConfigError::Invalid(format!("[crawl] {name}: {e}")))?;
        }
        if self.politeness.per_host_concurrency == 0 || self.crawl.max_concurrency == 0 {
            return Err(ConfigError::Invalid(
                "concurrency must be at least 1".into(),
            ));
        }
        if self.politeness.timeout_s.is_nan()
            || self.politeness.connect_timeout_s.is_nan()
            || self.politeness.timeout_s <= 0.0
            || self.politeness.connect_timeout_s <= 0.0
        {
            return Err(ConfigError::Invalid("timeouts must be positive".into()));
        }
        Ok(())
    }

    /// Replace `{{site:NAME}}` placeholders in start URLs and allow lists.
    pub fn substitute_sites(&mut self, sites: &[(String, String)]) {
        let subst = |s: &str| {
            let mut s = s.to_string();
            for (name, addr) in sites {
                s = s.replace(&format!("{{{{site:{name}}}}}"), addr);
            }
            s
        };
        for src in &mut self.sources {
            src.start = src.start.iter().map(|u| subst(u)).collect();
            src.allow = src.allow.iter().map(|u| subst(u)).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let c =
            Config::from_toml("[[sources]]\nname='x'\nstart=['https://a.gov.cn/']\n", "t").unwrap();
        c.validate().unwrap();
        assert_eq!(c.politeness.per_host_concurrency, 1);
        assert!(!c.crawl.allow_private_addresses);
        assert!(Config::from_toml("[crawl]\nmax_pagez=1\n", "t").is_err());
        let mut c = Config::from_toml("[[sources]]\nstart=['http://{{site:a}}/x']\n", "t").unwrap();
        c.substitute_sites(&[("a".into(), "127.0.0.1:9".into())]);
        assert_eq!(c.sources[0].start[0], "http://127.0.0.1:9/x");
    }
}

#[cfg(test)]
mod repo_files {
    use super::*;

    #[test]
    fn shipped_configs_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let c = Config::load(&root.join("config.toml")).unwrap();
        c.validate().unwrap();
        assert_eq!(
            c.crawl.report_title_pattern,
            CrawlConfig::default().report_title_pattern
        );
        assert_eq!(
            c.crawl.column_pattern,
            CrawlConfig::default().column_pattern
        );
        let d = Config::load(&root.join("data/demo/demo.toml")).unwrap();
        d.validate().unwrap();
        assert!(d.crawl.allow_private_addresses);
    }
}
