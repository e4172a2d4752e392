//! A fixed pool of worker threads for the CPU work of pages ([`crate::process`]): one
//! thread per core. Off the async runtime, so parsing a huge page never stalls the tasks
//! that talk to other hosts; fixed in size, because more threads would not go faster and
//! every thread that allocates gets its own malloc arena, which keeps freed memory (the
//! tokio blocking pool grew to a dozen threads under churn and cost ~5 MB of RSS).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

/// The job panicked (the pool itself keeps working).
#[derive(Debug, thiserror::Error)]
#[error("processing panicked")]
pub struct Panicked;

/// The worker threads.
#[derive(Debug)]
pub struct Pool {
    tx: Option<mpsc::Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Pool {
    /// `n` threads (at least one) named `name`.
    pub fn new(n: usize, name: &str) -> std::io::Result<Pool> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::new();
        for i in 0..n.max(1) {
            let rx = rx.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("{name}-{i}"))
                    .spawn(move || loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the pool was dropped
                        }
                    })?,
            );
        }
        Ok(Pool {
            tx: Some(tx),
            threads,
        })
    }

    /// One thread per core available to this process.
    pub fn per_core(name: &str) -> std::io::Result<Pool> {
        Pool::new(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            name,
        )
    }

    /// Run `f` on a worker thread and wait for its result without blocking the runtime.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Panicked>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let r = catch_unwind(AssertUnwindSafe(f));
            let _ = done.send(r);
        });
        let sent = self.tx.as_ref().map(|tx| tx.send(job));
        if !matches!(sent, Some(Ok(()))) {
            return Err(Panicked);
        }
        match result.await {
            Ok(Ok(v)) => Ok(v),
            _ => Err(Panicked),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.tx = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_survives_panics() {
        let pool = Pool::new(2, "test").unwrap();
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let boom: Result<(), Panicked> = pool.run(|| panic!("hostile page")).await;
        assert!(boom.is_err());
        let names = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(names.is_some_and(|n| n.starts_with("test-")));
        assert_eq!(
            pool.run(|| 1).await.unwrap(),
            1,
            "still working after a panic"
        );
    }
}
