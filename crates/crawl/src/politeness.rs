//! Per-host politeness: one gate per host that spaces request starts by the host's delay
//! (the larger of `[politeness] delay_ms` and the robots.txt Crawl-delay, capped) and
//! also keeps that delay after each response ends. Every request to a host goes through
//! its gate, robots.txt included, and the delay in force when a request waits is the one
//! applied, so the page after robots.txt already keeps its Crawl-delay. Many hosts proceed in parallel; the
//! scheduler limits requests in flight per host.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The timing state of one host.
#[derive(Debug, Clone, Copy)]
struct Gate {
    delay: Duration,
    /// Start of the latest request (reserved slot, possibly in the future).
    last_start: Option<Instant>,
    /// End of the latest response.
    last_end: Option<Instant>,
    /// No request before this (Retry-After).
    hold: Option<Instant>,
}

impl Gate {
    fn new(delay: Duration) -> Gate {
        Gate {
            delay,
            last_start: None,
            last_end: None,
            hold: None,
        }
    }

    /// Earliest start of the next request, with the delay as it is *now*: a Crawl-delay
    /// learnt from robots.txt applies to the request right after robots.txt.
    fn next_start(&self, now: Instant) -> Instant {
        [
            Some(now),
            self.last_start.map(|t| t + self.delay),
            self.last_end.map(|t| t + self.delay),
            self.hold,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now)
    }
}

/// Gates for all hosts.
#[derive(Debug, Default)]
pub struct Gates {
    inner: Mutex<HashMap<String, Gate>>,
}

impl Gates {
    /// New, empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the delay of a host.
    pub fn set_delay(&self, host: &str, delay: Duration) {
        if let Ok(mut m) = self.inner.lock() {
            m.entry(host.to_string())
                .or_insert_with(|| Gate::new(delay))
                .delay = delay;
        }
    }

    /// The delay of a host (`default` when not set).
    pub fn delay(&self, host: &str, default: Duration) -> Duration {
        self.inner
            .lock()
            .ok()
            .and_then(|m| m.get(host).map(|g| g.delay))
            .unwrap_or(default)
    }

    /// Wait until the host may be contacted, and reserve that slot.
    pub async fn wait(&self, host: &str, default: Duration) {
        let at = {
            let Ok(mut m) = self.inner.lock() else { return };
            let now = Instant::now();
            let g = m
                .entry(host.to_string())
                .or_insert_with(|| Gate::new(default));
            let at = g.next_start(now);
            g.last_start = Some(at);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// A response from the host ended: the next request waits the delay from now.
    pub fn done(&self, host: &str) {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(g) = m.get_mut(host) {
                let now = Instant::now();
                g.last_end = Some(g.last_end.map_or(now, |t| t.max(now)));
            }
        }
    }

    /// Push the next allowed time of a host back (Retry-After).
    pub fn hold(&self, host: &str, until: Instant) {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(g) = m.get_mut(host) {
                g.hold = Some(g.hold.map_or(until, |t| t.max(until)));
            }
        }
    }
}

/// Exponential backoff with jitter: `base * 2^attempt` plus up to half of that again.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(10));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // xorshift on the clock's nanoseconds: enough to de-synchronise clients
    let mut x = nanos ^ 0x9E37_79B9 ^ attempt.wrapping_mul(0x85EB_CA6B);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    let frac = (x % 1000) as f64 / 1000.0;
    exp + exp.mul_f64(0.5 * frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spacing() {
        let g = Gates::new();
        let d = Duration::from_millis(60);
        let t0 = Instant::now();
        g.wait("h", d).await;
        g.wait("h", d).await;
        g.wait("h", d).await;
        assert!(t0.elapsed() >= Duration::from_millis(120));
        let t1 = Instant::now();
        g.wait("other", d).await;
        assert!(t1.elapsed() < Duration::from_millis(50));
        // A delay learnt between two requests (robots.txt's Crawl-delay) spaces them.
        let t2 = Instant::now();
        g.wait("late", Duration::ZERO).await;
        g.done("late");
        g.set_delay("late", Duration::from_millis(80));
        g.wait("late", Duration::ZERO).await;
        assert!(t2.elapsed() >= Duration::from_millis(80));
        let b = backoff(Duration::from_millis(100), 2);
        assert!(b >= Duration::from_millis(400) && b <= Duration::from_millis(600));
    }
}
