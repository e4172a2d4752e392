//! Replays every input kept in `fuzz/regressions/<target>/` (crashes, hangs and allocation
//! failures the fuzzers found, and the hostile inputs of issue 10) through the same entry
//! points the fuzz targets call (`fuzz/targets.rs`), on stable Rust, in `.ci/run`. Each must
//! return normally without panicking anywhere, even where a reader catches the panic: the
//! fuzzer's panic hook aborts on every panic, so a caught one is still a finding. The fuzzing
//! itself is run by hand (see `fuzz/README.md`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Panics seen by the hook since the start, caught or not.
static PANICS: AtomicUsize = AtomicUsize::new(0);

mod targets {
    include!("../fuzz/targets.rs");
}

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("text", targets::text),
    ("html", targets::html),
    ("pdf", targets::pdf),
    ("docx", targets::docx),
    ("xlsx", targets::xlsx),
    ("ods", targets::ods),
    ("xls", targets::xls),
    ("warc", targets::warc),
    ("robots", targets::robots),
    ("discover", targets::discover),
];

#[test]
fn replay_fuzz_regressions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    let mut failed = Vec::new();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    for (name, run) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files.iter().filter(|f| f.is_file()) {
            let bytes = std::fs::read(f).expect("read regression input");
            let before = PANICS.load(Ordering::SeqCst);
            let returned = std::panic::catch_unwind(|| run(&bytes)).is_ok();
            if !returned || PANICS.load(Ordering::SeqCst) != before {
                failed.push(format!("{name}: {}", f.display()));
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} regression inputs");
    assert!(failed.is_empty(), "regressions fail again: {failed:?}");
}
