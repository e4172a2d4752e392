//! # nianbao-sandbox: one hostile document costs one document, not the run
//!
//! The readers check their limits before they allocate ([`nianbao_text::Limits`]), but PDF
//! and Office files are parsed by large third-party crates (lopdf, calamine, zip, cfb,
//! office_oxide), and an allocation failure anywhere in them is an **abort**, not a panic:
//! `catch_unwind` cannot stop it, and the whole batch (a crawl's dataset step, an `export`,
//! an `extract` of a folder) dies with it. So binary documents are parsed in a child process:
//! the `nianbao` binary re-executes itself with a hidden subcommand, the child caps its own
//! address space (`RLIMIT_AS`) and CPU time (`RLIMIT_CPU`) before reading the document from
//! its standard input, and answers with the reports as JSON on its standard output. Inputs
//! up to [`MAX_SHARED_INPUT`] go to long-lived workers that serve many documents each (the
//! `worker` module: a process start per document cost more than a small PDF's reading). The
//! parent waits with a deadline. A child that aborts, is killed by a limit, times out or
//! answers garbage becomes a [`Failure`] marked `poison`: the caller records an error row and
//! (in the dataset step) quarantines the document so later runs skip it.
//!
//! Text and HTML stay in the process: they are read by our own code and html5ever behind the
//! nesting guard, with panics caught.
//!
//! Cost: measured by `benches/cost.sh` (child against `--no-sandbox` in the same run); the
//! figure and the command are in the README's "Hostile input" section.

#![warn(missing_docs)]

use nianbao_extract::Report;
use nianbao_ingest::{IngestError, InputHint, Route};
use nianbao_text::limits::LIMIT_PREFIX;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

mod worker;
pub use worker::{shutdown, MAX_SHARED_INPUT};

/// The hidden subcommand of the `nianbao` binary that runs [`child_main`].
pub const CHILD_SUBCOMMAND: &str = "__parse-document";

/// Where documents are parsed.
#[derive(Debug, Clone, Default)]
pub enum Isolation {
    /// In this process, panics caught (library callers, tests).
    #[default]
    InProcess,
    /// PDF and Office documents in a child process (the `nianbao` binary).
    Child(ChildConfig),
}

/// How to start the child and what it may use.
#[derive(Debug, Clone)]
pub struct ChildConfig {
    /// The executable (the `nianbao` binary).
    pub exe: PathBuf,
    /// Address space of the child: this much plus [`ChildConfig::memory_per_input_byte`]
    /// times the input size. Default 1 GiB (`NIANBAO_SANDBOX_MEMORY_MB`).
    pub memory_bytes: u64,
    /// Extra address space per byte of input. Default 8.
    pub memory_per_input_byte: u64,
    /// CPU seconds of the child. Default 60 (`NIANBAO_SANDBOX_CPU_S`).
    pub cpu_seconds: u64,
    /// Wall-clock deadline; the child is killed after it. Default 120 s.
    pub wall: Duration,
}

impl ChildConfig {
    /// The running executable as the child, with the default limits (overridable with the
    /// environment variables `NIANBAO_SANDBOX_MEMORY_MB` and `NIANBAO_SANDBOX_CPU_S`).
    pub fn current_exe() -> std::io::Result<ChildConfig> {
        let env_u64 = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let cpu_seconds = env_u64("NIANBAO_SANDBOX_CPU_S").unwrap_or(60).max(1);
        Ok(ChildConfig {
            exe: std::env::current_exe()?,
            memory_bytes: env_u64("NIANBAO_SANDBOX_MEMORY_MB").map_or(1 << 30, |m| m << 20),
            memory_per_input_byte: 8,
            cpu_seconds,
            wall: Duration::from_secs(cpu_seconds.saturating_mul(2)),
        })
    }
}

/// Why an input gave no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The message for the error row.
    pub reason: String,
    /// The input crashed a parser, exhausted a limit or timed out: the same bytes will do it
    /// again, so they should be quarantined.
    pub poison: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

fn from_ingest(e: IngestError) -> Failure {
    let reason = e.to_string();
    Failure {
        poison: reason.contains(LIMIT_PREFIX),
        reason,
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Extract in this process, catching panics.
pub fn extract_in_process(bytes: &[u8], hint: &InputHint) -> Result<Vec<Report>, Failure> {
    match catch_unwind(AssertUnwindSafe(|| {
        nianbao_ingest::extract_bytes(bytes, hint)
    })) {
        Ok(r) => r.map_err(from_ingest),
        Err(p) => Err(Failure {
            reason: format!("parser panicked: {}", panic_message(&*p)),
            poison: true,
        }),
    }
}

/// Extract every report from one input: binary documents in the child when `isolation`
/// says so, everything else in this process.
pub fn extract(
    bytes: &[u8],
    hint: &InputHint,
    isolation: &Isolation,
) -> Result<Vec<Report>, Failure> {
    match isolation {
        Isolation::Child(cfg) if nianbao_ingest::route(bytes, hint) == Route::Document => {
            if bytes.len() <= MAX_SHARED_INPUT {
                worker::extract_in_worker(bytes, hint, cfg)
            } else {
                extract_in_child(bytes, hint, cfg)
            }
        }
        _ => extract_in_process(bytes, hint),
    }
}

/// What the child answers on its standard output.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    /// The reports.
    Ok(Vec<Report>),
    /// The reader's error (`poison` as in [`Failure`]).
    Err {
        /// The message.
        reason: String,
        /// Whether the input should be quarantined.
        poison: bool,
    },
}

/// Parse in a child process (see the crate docs).
pub fn extract_in_child(
    bytes: &[u8],
    hint: &InputHint,
    cfg: &ChildConfig,
) -> Result<Vec<Report>, Failure> {
    let memory = cfg
        .memory_bytes
        .saturating_add((bytes.len() as u64).saturating_mul(cfg.memory_per_input_byte));
    let mut cmd = Command::new(&cfg.exe);
    cmd.arg(CHILD_SUBCOMMAND)
        .arg("--memory")
        .arg(memory.to_string())
        .arg("--cpu")
        .arg(cfg.cpu_seconds.to_string())
        .arg("--source")
        .arg(&hint.source);
    set_allocator_env(&mut cmd);
    if let Some(ct) = &hint.content_type {
        cmd.arg("--content-type").arg(ct);
    }
    if let Some(r) = &hint.referrer {
        cmd.arg("--referrer").arg(r);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure {
            reason: format!("cannot start the parser process {}: {e}", cfg.exe.display()),
            poison: false,
        })?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Failure {
            reason: "parser process has no pipes".into(),
            poison: false,
        });
    };
    let (status, out, err) = std::thread::scope(|s| {
        // A child that dies early closes its stdin: the write error is expected then.
        s.spawn(move || {
            let _ = stdin.write_all(bytes);
        });
        let out = s.spawn(move || {
            let mut v = Vec::new();
            let _ = stdout.read_to_end(&mut v);
            v
        });
        let err = s.spawn(move || {
            let mut v = Vec::new();
            let _ = (&mut stderr).take(64 << 10).read_to_end(&mut v);
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            v
        });
        let status = match wait_timeout::ChildExt::wait_timeout(&mut child, cfg.wall) {
            Ok(Some(st)) => Ok(st),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "parser timed out after {} s (killed)",
                    cfg.wall.as_secs()
                ))
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("cannot wait for the parser process: {e}"))
            }
        };
        (
            status,
            out.join().unwrap_or_default(),
            err.join().unwrap_or_default(),
        )
    });
    let status = status.map_err(failed)?;
    let stderr_tail = String::from_utf8_lossy(&err);
    let stderr_tail = stderr_tail.trim();
    let stderr_tail = stderr_tail
        .char_indices()
        .rev()
        .nth(300)
        .map_or(stderr_tail, |(i, _)| &stderr_tail[i..]);
    if !status.success() {
        return Err(failed(describe_exit(
            status,
            stderr_tail,
            memory,
            Some(cfg.cpu_seconds),
        )));
    }
    read_answer(&out)
}

/// The child's answer for one document.
fn answer_for(bytes: &[u8], hint: &InputHint) -> Answer {
    fault_injection(hint);
    match extract_in_process(bytes, hint) {
        Ok(r) => Answer::Ok(r),
        Err(f) => Answer::Err {
            reason: f.reason,
            poison: f.poison,
        },
    }
}

/// The parent's reading of a child's answer.
fn read_answer(json: &[u8]) -> Result<Vec<Report>, Failure> {
    match serde_json::from_slice::<Answer>(json) {
        Ok(Answer::Ok(reports)) => Ok(reports),
        Ok(Answer::Err { reason, poison }) => Err(Failure { reason, poison }),
        Err(e) => Err(failed(format!("parser process answered garbage: {e}"))),
    }
}

/// Fault injection for tests of the parent's side: a child whose input's source ends with
/// the value of `NIANBAO_SANDBOX_ABORT_ON` aborts as a parser would on an allocation failure.
/// Only the child reads it; an unset or empty variable does nothing.
fn fault_injection(hint: &InputHint) {
    if let Some(v) = std::env::var_os("NIANBAO_SANDBOX_ABORT_ON") {
        let v = v.to_string_lossy();
        if !v.is_empty() && hint.source.ends_with(v.as_ref()) {
            eprintln!("NIANBAO_SANDBOX_ABORT_ON: aborting on {}", hint.source);
            std::process::abort();
        }
    }
}

/// A failure that poisons the input.
fn failed(reason: String) -> Failure {
    Failure {
        reason,
        poison: true,
    }
}

/// The binary's allocator (mimalloc) reserves 1 GiB of address space per arena at its first
/// large allocation; under the child's address-space limit that reservation fails and the
/// child dies with SIGSEGV on a document it could read. Small arenas keep the limit meaning
/// "memory used", not "memory reserved". A caller's own setting wins.
fn set_allocator_env(cmd: &mut Command) {
    if std::env::var_os("MIMALLOC_ARENA_RESERVE").is_none() {
        cmd.env("MIMALLOC_ARENA_RESERVE", "64MiB");
    }
}

/// Why a parser process ended badly, from its exit status and the tail of its stderr.
fn describe_exit(
    status: std::process::ExitStatus,
    stderr_tail: &str,
    memory: u64,
    cpu_seconds: Option<u64>,
) -> String {
    use std::os::unix::process::ExitStatusExt;
    let stderr_tail = stderr_tail.trim();
    let stderr_tail = stderr_tail
        .char_indices()
        .rev()
        .nth(300)
        .map_or(stderr_tail, |(i, _)| &stderr_tail[i..]);
    let how = match status.signal() {
        Some(6) if stderr_tail.contains("memory allocation") => format!(
            "parser exhausted its memory limit ({} MiB) and aborted",
            memory >> 20
        ),
        Some(24) => match cpu_seconds {
            Some(s) => format!("parser exhausted its CPU limit ({s} s)"),
            None => "parser exhausted its CPU limit".into(),
        },
        Some(sig) => format!("parser crashed (signal {sig})"),
        None => format!("parser failed ({status})"),
    };
    if stderr_tail.is_empty() {
        how
    } else {
        format!("{how}: {stderr_tail}")
    }
}

/// Arguments of the child (the hidden subcommand of the `nianbao` binary).
#[derive(Debug, Clone, Default)]
pub struct ChildArgs {
    /// Address-space limit in bytes.
    pub memory: u64,
    /// CPU limit in seconds.
    pub cpu: u64,
    /// The input hint.
    pub hint: InputHint,
    /// Serve many documents (length-prefixed, see the `worker` module) instead of one.
    pub serve: bool,
}

impl ChildArgs {
    /// Parse `--memory N --cpu N --source S [--content-type T] [--referrer R]`.
    pub fn parse(args: &[String]) -> Result<ChildArgs, String> {
        let mut a = ChildArgs::default();
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let v = it
                .next()
                .ok_or_else(|| format!("{k} needs a value"))?
                .clone();
            match k.as_str() {
                "--memory" => a.memory = v.parse().map_err(|e| format!("--memory: {e}"))?,
                "--cpu" => a.cpu = v.parse().map_err(|e| format!("--cpu: {e}"))?,
                "--source" => a.hint.source = v,
                "--content-type" => a.hint.content_type = Some(v),
                "--referrer" => a.hint.referrer = Some(v),
                "--serve" => a.serve = v == "1",
                _ => return Err(format!("unknown argument {k}")),
            }
        }
        Ok(a)
    }
}

/// The child: cap this process, read the document from stdin, answer on stdout. Returns
/// the exit code (0 whenever an answer was written, including reader errors).
pub fn child_main(args: &ChildArgs) -> i32 {
    use rustix::process::{setrlimit, Resource, Rlimit};
    if args.memory > 0 {
        let lim = Rlimit {
            current: Some(args.memory),
            maximum: Some(args.memory),
        };
        if let Err(e) = setrlimit(Resource::As, lim) {
            eprintln!("cannot limit the address space: {e}");
            return 3;
        }
    }
    if args.cpu > 0 {
        // Soft limit: SIGXCPU; hard limit a second later: SIGKILL.
        let lim = Rlimit {
            current: Some(args.cpu),
            maximum: Some(args.cpu + 1),
        };
        if let Err(e) = setrlimit(Resource::Cpu, lim) {
            eprintln!("cannot limit the CPU time: {e}");
            return 3;
        }
    }
    if args.serve {
        return worker::serve();
    }
    let max = nianbao_text::Limits::DEFAULT.max_input_bytes;
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().take(max).read_to_end(&mut bytes) {
        eprintln!("cannot read the document: {e}");
        return 3;
    }
    let answer = answer_for(&bytes, &args.hint);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if serde_json::to_writer(&mut out, &answer).is_err() || out.flush().is_err() {
        return 3;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_args_round_trip() {
        let a = ChildArgs::parse(&[
            "--memory".into(),
            "100".into(),
            "--cpu".into(),
            "5".into(),
            "--source".into(),
            "http://x/a.pdf".into(),
            "--content-type".into(),
            "application/pdf".into(),
        ])
        .unwrap();
        assert_eq!((a.memory, a.cpu), (100, 5));
        assert_eq!(a.hint.source, "http://x/a.pdf");
        assert_eq!(a.hint.content_type.as_deref(), Some("application/pdf"));
        assert!(ChildArgs::parse(&["--memory".into()]).is_err());
        assert!(ChildArgs::parse(&["--bogus".into(), "1".into()]).is_err());
    }

    #[test]
    fn limit_errors_are_poison_and_plain_errors_are_not() {
        let e = extract_in_process(b"  ", &InputHint::file("empty.txt")).unwrap_err();
        assert!(!e.poison);
        let mut noise = vec![0u8; 2000];
        for (i, b) in noise.iter_mut().enumerate() {
            *b = (i * 7919 % 251) as u8;
        }
        let e = extract_in_process(&noise, &InputHint::file("noise.txt")).unwrap_err();
        assert!(e.reason.contains("unreadable"), "{e}");
        assert!(!e.poison);
    }

    #[test]
    fn a_missing_child_executable_is_an_error_not_poison() {
        let cfg = ChildConfig {
            exe: "/nonexistent/nianbao".into(),
            memory_bytes: 1 << 30,
            memory_per_input_byte: 8,
            cpu_seconds: 5,
            wall: Duration::from_secs(5),
        };
        let e = extract(
            b"%PDF-1.4\n",
            &InputHint::file("a.pdf"),
            &Isolation::Child(cfg),
        )
        .unwrap_err();
        assert!(!e.poison);
        assert!(e.reason.contains("cannot start"), "{e}");
    }
}
