//! Per-host politeness: one gate per host that spaces request starts by the host's delay
//! (the larger of `[politeness] delay_ms` and the robots.txt Crawl-delay, capped) and
//! also keeps that delay after each response ends. Many hosts proceed in parallel; the
//! scheduler limits requests in flight per host.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Gates for all hosts.
#[derive(Debug, Default)]
pub struct Gates {
    inner: Mutex<HashMap<String, (Instant, Duration)>>,
}

impl Gates {
    /// New, empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the delay of a host.
    pub fn set_delay(&self, host: &str, delay: Duration) {
        if let Ok(mut m) = self.inner.lock() {
            let e = m.entry(host.to_string()).or_insert((Instant::now(), delay));
            e.1 = delay;
        }
    }

    /// The delay of a host (`default` when not set).
    pub fn delay(&self, host: &str, default: Duration) -> Duration {
        self.inner
            .lock()
            .ok()
            .and_then(|m| m.get(host).map(|e| e.1))
            .unwrap_or(default)
    }

    /// Wait until the host may be contacted, and reserve that slot.
    pub async fn wait(&self, host: &str, default: Duration) {
        let at = {
            let Ok(mut m) = self.inner.lock() else { return };
            let now = Instant::now();
            let e = m.entry(host.to_string()).or_insert((now, default));
            let at = e.0.max(now);
            e.0 = at + e.1;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// A response from the host ended: the next request waits the delay from now.
    pub fn done(&self, host: &str) {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(e) = m.get_mut(host) {
                e.0 = e.0.max(Instant::now() + e.1);
            }
        }
    }

    /// Push the next allowed time of a host back (Retry-After).
    pub fn hold(&self, host: &str, until: Instant) {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(e) = m.get_mut(host) {
                e.0 = e.0.max(until);
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
        let b = backoff(Duration::from_millis(100), 2);
        assert!(b >= Duration::from_millis(400) && b <= Duration::from_millis(600));
    }
}
