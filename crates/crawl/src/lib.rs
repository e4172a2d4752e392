//! nianbao-crawl (stub)
