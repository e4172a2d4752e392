//! Long-lived parser children: one process serves many documents, one after another, so a
//! batch pays the start of a process (executable, allocator, templates) once per worker, not
//! once per document (it was most of a small PDF's time).
//!
//! Protocol on the child's standard input, per document: `u32` length + hint as JSON, `u64`
//! length + the bytes (little-endian). The child answers each with `u64` length + the
//! [`Answer`] as JSON on its standard output and exits at end of input. A child that dies,
//! answers garbage or passes the wall-clock deadline costs the document in hand (poison) and
//! is replaced for the next one. Workers sit in a pool; [`shutdown`] closes them and waits, so
//! their resource use is accounted to this process.

use crate::{describe_exit, failed, set_allocator_env, ChildConfig, Failure};
use nianbao_extract::Report;
use nianbao_ingest::InputHint;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};

/// Inputs larger than this get a child of their own, with an address-space limit that grows
/// with their size; smaller ones share workers.
pub const MAX_SHARED_INPUT: usize = 16 << 20;

/// A worker is replaced after this many documents (memory fragmentation, leaks in parsers).
const RECYCLE_AFTER: usize = 2_000;

/// Bytes of a worker's standard error kept for the error message.
const STDERR_TAIL: usize = 64 << 10;

/// Idle workers.
static POOL: Mutex<Vec<Worker>> = Mutex::new(Vec::new());

struct Worker {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<Result<Vec<u8>, String>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    exe: PathBuf,
    memory: u64,
    served: usize,
}

/// The address-space limit of a shared worker.
pub(crate) fn worker_memory(cfg: &ChildConfig) -> u64 {
    cfg.memory_bytes
        .saturating_add((MAX_SHARED_INPUT as u64).saturating_mul(cfg.memory_per_input_byte))
}

impl Worker {
    fn start(cfg: &ChildConfig) -> Result<Worker, Failure> {
        let memory = worker_memory(cfg);
        let mut cmd = Command::new(&cfg.exe);
        cmd.arg(crate::CHILD_SUBCOMMAND)
            .arg("--memory")
            .arg(memory.to_string())
            .arg("--serve")
            .arg("1");
        set_allocator_env(&mut cmd);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Failure {
                reason: format!("cannot start the parser process {}: {e}", cfg.exe.display()),
                poison: false,
            })?;
        let (Some(stdin), Some(mut stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure {
                reason: "parser process has no pipes".into(),
                poison: false,
            });
        };
        let (tx, answers) = std::sync::mpsc::channel();
        // The answers are read on a thread so that the caller can wait with a deadline.
        std::thread::spawn(move || loop {
            let mut len = [0u8; 8];
            if let Err(e) = stdout.read_exact(&mut len) {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
            let n = u64::from_le_bytes(len);
            let mut buf = Vec::new();
            match (&mut stdout).take(n).read_to_end(&mut buf) {
                Ok(got) if got as u64 == n => {
                    if tx.send(Ok(buf)).is_err() {
                        return;
                    }
                }
                Ok(_) => {
                    let _ = tx.send(Err("answer cut short".into()));
                    return;
                }
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let tail = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                if let Ok(mut t) = tail.lock() {
                    t.extend_from_slice(&chunk[..n]);
                    let excess = t.len().saturating_sub(STDERR_TAIL);
                    t.drain(..excess);
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            answers,
            stderr,
            exe: cfg.exe.clone(),
            memory,
            served: 0,
        })
    }

    /// Send one document and wait for its answer. `Err` means the worker is dead or stuck
    /// (the message says which) and must not be used again.
    fn ask(
        &mut self,
        bytes: &[u8],
        hint: &InputHint,
        wall: std::time::Duration,
    ) -> Result<Vec<u8>, String> {
        let h = serde_json::json!({
            "source": hint.source,
            "content_type": hint.content_type,
            "referrer": hint.referrer,
        })
        .to_string();
        let sent = (|| {
            self.stdin.write_all(&(h.len() as u32).to_le_bytes())?;
            self.stdin.write_all(h.as_bytes())?;
            self.stdin.write_all(&(bytes.len() as u64).to_le_bytes())?;
            self.stdin.write_all(bytes)?;
            self.stdin.flush()
        })();
        if let Err(e) = sent {
            // The child died; its exit status says why.
            return Err(format!("cannot send the document: {e}"));
        }
        match self.answers.recv_timeout(wall) {
            Ok(Ok(buf)) => Ok(buf),
            Ok(Err(e)) => Err(e),
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                Err(format!(
                    "parser timed out after {} s (killed)",
                    wall.as_secs()
                ))
            }
            Err(RecvTimeoutError::Disconnected) => Err("parser process vanished".into()),
        }
    }

    /// The failure of a worker that died or was killed with a document in hand.
    fn bury(mut self, why: String) -> Failure {
        let status = match wait_timeout::ChildExt::wait_timeout(
            &mut self.child,
            std::time::Duration::from_secs(5),
        ) {
            Ok(Some(st)) => Some(st),
            _ => {
                let _ = self.child.kill();
                self.child.wait().ok()
            }
        };
        if why.starts_with("parser timed out") {
            return failed(why);
        }
        let tail = self
            .stderr
            .lock()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        match status {
            Some(st) if !st.success() => failed(describe_exit(st, &tail, self.memory, None)),
            _ => failed(format!("parser process failed: {why}")),
        }
    }

    /// Close the worker's input (it exits at end of input) and wait for it.
    fn close(mut self) {
        drop(self.stdin);
        if !matches!(
            wait_timeout::ChildExt::wait_timeout(
                &mut self.child,
                std::time::Duration::from_secs(5)
            ),
            Ok(Some(_))
        ) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Parse in a shared worker (see the module docs).
pub(crate) fn extract_in_worker(
    bytes: &[u8],
    hint: &InputHint,
    cfg: &ChildConfig,
) -> Result<Vec<Report>, Failure> {
    let idle = POOL.lock().ok().and_then(|mut p| {
        let i = p.iter().position(|w| w.exe == cfg.exe)?;
        Some(p.swap_remove(i))
    });
    let mut worker = match idle {
        Some(w) => w,
        None => Worker::start(cfg)?,
    };
    match worker.ask(bytes, hint, cfg.wall) {
        Ok(buf) => {
            worker.served += 1;
            if worker.served >= RECYCLE_AFTER {
                worker.close();
            } else if let Ok(mut p) = POOL.lock() {
                p.push(worker);
            }
            crate::read_answer(&buf)
        }
        Err(why) => Err(worker.bury(why)),
    }
}

/// Close every idle worker and wait for it. Call at the end of a batch: a worker left
/// running exits when this process does, but its resource use is then not accounted.
pub fn shutdown() {
    let workers: Vec<Worker> = POOL
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    for w in workers {
        w.close();
    }
}

/// The child's side: answer documents from standard input until it ends. Returns the exit
/// code.
pub(crate) fn serve() -> i32 {
    let max = nianbao_text::Limits::DEFAULT.max_input_bytes;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    loop {
        let mut len = [0u8; 4];
        match input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return 0,
            Err(e) => {
                eprintln!("cannot read the request: {e}");
                return 3;
            }
        }
        let mut h = vec![0u8; u32::from_le_bytes(len).min(1 << 20) as usize];
        let mut blen = [0u8; 8];
        if input.read_exact(&mut h).is_err() || input.read_exact(&mut blen).is_err() {
            eprintln!("request cut short");
            return 3;
        }
        let n = u64::from_le_bytes(blen);
        if n > max {
            eprintln!("document of {n} bytes is over the input limit");
            return 3;
        }
        let mut bytes = Vec::new();
        if (&mut input).take(n).read_to_end(&mut bytes).is_err() || bytes.len() as u64 != n {
            eprintln!("document cut short");
            return 3;
        }
        let v: serde_json::Value = serde_json::from_slice(&h).unwrap_or_default();
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let hint = InputHint {
            source: text("source").unwrap_or_default(),
            content_type: text("content_type"),
            referrer: text("referrer"),
        };
        let Ok(json) = serde_json::to_vec(&crate::answer_for(&bytes, &hint)) else {
            return 3;
        };
        let written = out
            .write_all(&(json.len() as u64).to_le_bytes())
            .and_then(|_| out.write_all(&json))
            .and_then(|_| out.flush());
        if written.is_err() {
            return 3;
        }
    }
}
