//! robots.txt handling on top of `texting_robots`: per-host rules, Crawl-delay, and the
//! RFC 9309 rules for unavailable files (4xx: allow everything; 5xx or unreachable:
//! disallow everything for this run).

use texting_robots::Robot;

/// robots.txt files larger than this are cut (texting_robots' README advises a cap).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The rules of one host.
pub enum Robots {
    /// No restrictions (no file, or 4xx).
    AllowAll,
    /// Everything disallowed (5xx, network failure, or a disallow-all file).
    DisallowAll(String),
    /// A parsed file.
    Parsed(Box<Robot>),
}

impl std::fmt::Debug for Robots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Robots::AllowAll => write!(f, "AllowAll"),
            Robots::DisallowAll(why) => write!(f, "DisallowAll({why})"),
            Robots::Parsed(r) => write!(f, "Parsed(delay={:?})", r.delay),
        }
    }
}

/// The product token matched against `User-agent:` lines (`nianbao` for `nianbao/0.1 (...)`).
pub fn agent_token(user_agent: &str) -> &str {
    user_agent.split(['/', ' ']).next().unwrap_or(user_agent)
}

impl Robots {
    /// Rules from the answer to `GET /robots.txt`. `status` is `None` when no response came.
    pub fn from_answer(status: Option<u16>, body: &[u8], user_agent: &str) -> Robots {
        match status {
            None => Robots::DisallowAll("robots.txt unreachable".into()),
            Some(s) if (200..300).contains(&s) => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                match Robot::new(agent_token(user_agent), body) {
                    Ok(r) => Robots::Parsed(Box::new(r)),
                    Err(_) => Robots::AllowAll,
                }
            }
            Some(s) if (400..500).contains(&s) => Robots::AllowAll,
            Some(s) => Robots::DisallowAll(format!("robots.txt answered {s}")),
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) => false,
            Robots::Parsed(r) => r.allowed(url),
        }
    }

    /// The Crawl-delay in seconds, if any.
    pub fn crawl_delay(&self) -> Option<f64> {
        match self {
            Robots::Parsed(r) => r.delay.map(f64::from),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.5\n";
        let r = Robots::from_answer(Some(200), txt, "nianbao/0.1 (+x)");
        assert!(r.allowed("http://a/zfxxgknb/index.html"));
        assert!(!r.allowed("http://a/private/x.html"));
        assert_eq!(r.crawl_delay(), Some(0.5));
        assert!(Robots::from_answer(Some(404), b"", "nianbao").allowed("http://a/x"));
        assert!(!Robots::from_answer(Some(503), b"", "nianbao").allowed("http://a/x"));
        assert!(!Robots::from_answer(None, b"", "nianbao").allowed("http://a/x"));
        let own = Robots::from_answer(
            Some(200),
            b"User-agent: nianbao\nDisallow: /\n",
            "nianbao/0.1",
        );
        assert!(!own.allowed("http://a/x"));
    }
}
