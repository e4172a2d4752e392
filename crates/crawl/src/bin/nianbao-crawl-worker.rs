//! A minimal crawl driver used by the crate's integration tests (kill -9 / resume):
//! `nianbao-crawl-worker CONFIG.toml` runs one crawl and prints the summary.
//! The real CLI is `nianbao crawl`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: nianbao-crawl-worker CONFIG.toml");
        std::process::exit(2);
    };
    let cfg = match nianbao_crawl::Config::load(std::path::Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    match nianbao_crawl::run_blocking(cfg) {
        Ok(r) => {
            println!("{}", r.summary);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
