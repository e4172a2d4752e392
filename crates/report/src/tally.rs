//! Counters keyed by values read from the data, with a bound on the number of keys so that
//! memory stays flat whatever the input holds (a hostile file can name a million flags).

use std::collections::BTreeMap;

/// The key that collects everything beyond the bound.
pub const OTHER: &str = "(其他 other)";

/// A map from text keys to counters holding at most `cap` keys plus [`OTHER`].
#[derive(Debug)]
pub struct Capped<V> {
    map: BTreeMap<String, V>,
    cap: usize,
}

impl<V> Capped<V> {
    /// An empty map of at most `cap` keys.
    pub fn new(cap: usize) -> Capped<V> {
        Capped {
            map: BTreeMap::new(),
            cap,
        }
    }

    /// The counter of `key` (of [`OTHER`] once the map is full), created by `make`.
    pub fn entry(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let key = if self.map.contains_key(key) || self.map.len() < self.cap {
            key
        } else {
            OTHER
        };
        self.map.entry(key.to_string()).or_insert_with(make)
    }

    /// Apply `f` to the counter of `key` (of [`OTHER`] once the map is full), created by
    /// `make`. Unlike [`Capped::entry`] it allocates nothing for a key already there, which
    /// matters on the per-cell paths.
    pub fn update(&mut self, key: &str, make: impl FnOnce() -> V, f: impl FnOnce(&mut V)) {
        if let Some(v) = self.map.get_mut(key) {
            f(v);
            return;
        }
        f(self.entry(key, make));
    }

    /// Keys and counters in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter()
    }

    /// No key yet.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_beyond_the_bound_go_to_other() {
        let mut m: Capped<u64> = Capped::new(2);
        for k in ["a", "b", "c", "a", "d"] {
            *m.entry(k, || 0) += 1;
        }
        let got: Vec<(String, u64)> = m.iter().map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(
            got,
            [
                (OTHER.to_string(), 2),
                ("a".to_string(), 2),
                ("b".to_string(), 1)
            ]
        );
        assert_eq!(m.len(), 3);
        m.update("b", || 0, |v| *v += 10);
        m.update("e", || 100, |v| *v += 1);
        let got: Vec<u64> = m.iter().map(|(_, v)| *v).collect();
        assert_eq!(
            got,
            [3, 2, 11],
            "\"e\" is beyond the bound: counted under OTHER"
        );
    }
}
