//! Finding template labels in the compact text: every occurrence of every alias of a row,
//! extended backwards over the row's printed ordinal, and the best chain of occurrences for an
//! ordered list of rows (most rows found, then the tightest chain, so a label quoted in the
//! narrative before the table loses to the one in the table).

use crate::flat::Flat;

/// At most this many occurrences of one row's labels are considered.
const MAX_OCCURRENCES: usize = 64;

/// A label occurrence as compact (start, end) offsets.
pub type Occ = (usize, usize);

/// All occurrences of any of `labels`; overlapping hits are merged into the longest.
pub fn occurrences(flat: &Flat, labels: &[String]) -> Vec<Occ> {
    let mut all: Vec<Occ> = labels.iter().flat_map(|l| flat.find_all(l)).collect();
    // A label repeated thousands of times (a pasted or hostile document) must not make the
    // chain search quadratic: keep the first occurrences.
    all.truncate(MAX_OCCURRENCES);
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<Occ> = Vec::with_capacity(all.len());
    for o in all {
        if let Some(last) = out.last_mut() {
            if o.0 < last.1 {
                last.1 = last.1.max(o.1);
                continue;
            }
        }
        out.push(o);
    }
    out
}

/// Move an occurrence's start back over the printed ordinal (`2.`, `(一)`, `一,`), so that in
/// glued text the ordinal is not read as the last digit of the previous row.
pub fn extend_over_ordinal(flat: &Flat, occ: Occ, ordinal: &str) -> Occ {
    if ordinal.is_empty() {
        return occ;
    }
    let before = &flat.compact[..occ.0];
    for suffix in [".", ",", ":", ""] {
        if let Some(rest) = before.strip_suffix(suffix) {
            if rest.ends_with(ordinal) {
                return (occ.0 - suffix.len() - ordinal.len(), occ.1);
            }
        }
    }
    occ
}

/// Choose at most one occurrence per row so that chosen occurrences are in row order and do
/// not overlap, maximising the number of rows found, then minimising the summed gaps.
pub fn best_chain(occs: &[Vec<Occ>]) -> Vec<Option<Occ>> {
    // Nodes: (row, occurrence). best[node] = (count, cost, prev node).
    let mut nodes: Vec<(usize, Occ)> = Vec::new();
    for (r, list) in occs.iter().enumerate() {
        for &o in list {
            nodes.push((r, o));
        }
    }
    let mut best: Vec<(usize, usize, Option<usize>)> = Vec::with_capacity(nodes.len());
    for i in 0..nodes.len() {
        let (r, o) = nodes[i];
        let mut b = (1usize, 0usize, None);
        for (j, &(rj, oj)) in nodes[..i].iter().enumerate() {
            if rj < r && oj.1 <= o.0 {
                let (c, cost, _) = best[j];
                let cand = (c + 1, cost + (o.0 - oj.1), Some(j));
                if cand.0 > b.0 || (cand.0 == b.0 && cand.1 < b.1) {
                    b = cand;
                }
            }
        }
        best.push(b);
    }
    let mut out = vec![None; occs.len()];
    let mut end = None;
    for (i, b) in best.iter().enumerate() {
        match end {
            None => end = Some(i),
            Some(e) => {
                let be: &(usize, usize, Option<usize>) = &best[e];
                if b.0 > be.0 || (b.0 == be.0 && b.1 < be.1) {
                    end = Some(i);
                }
            }
        }
    }
    let mut cur = end;
    while let Some(i) = cur {
        let (r, o) = nodes[i];
        out[r] = Some(o);
        cur = best[i].2;
    }
    out
}

/// Known words (group labels, header words) that may stand between a label and its values,
/// indexed by first character so the cover test below stays cheap.
#[derive(Debug, Default)]
pub struct NoiseWords {
    words: Vec<String>,
    by_first: std::collections::HashMap<char, Vec<usize>>,
}

impl NoiseWords {
    /// Index a word list (compact form).
    pub fn new(words: Vec<String>) -> Self {
        let mut by_first: std::collections::HashMap<char, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, w) in words.iter().enumerate() {
            if let Some(c) = w.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        NoiseWords { words, by_first }
    }

    /// Is `text` made only of known words, ordinals and punctuation?
    pub fn is_noise(&self, text: &str) -> bool {
        // Header words and group labels are short; long text is never noise (and the cover
        // below is quadratic in the worst case).
        if text.len() > 600 {
            return false;
        }
        let n = text.len();
        // ok[i]: text[..i] (bytes) can be covered.
        let mut ok = vec![false; n + 1];
        ok[0] = true;
        for (i, c) in text.char_indices() {
            if !ok[i] {
                continue;
            }
            if c.is_ascii_punctuation()
                || c.is_ascii_digit()
                || matches!(
                    c,
                    '一' | '二'
                        | '三'
                        | '四'
                        | '五'
                        | '六'
                        | '七'
                        | '八'
                        | '九'
                        | '十'
                        | '、'
                        | '…'
                        | '—'
                        | '“'
                        | '”'
                )
            {
                ok[i + c.len_utf8()] = true;
            }
            let rest = &text[i..];
            for &wi in self.by_first.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
                let w = &self.words[wi];
                if rest.starts_with(w.as_str()) {
                    ok[i + w.len()] = true;
                }
            }
        }
        ok[n]
    }
}

/// Is `text` made only of `words`, ordinals and punctuation? (Convenience for tests.)
#[cfg(test)]
pub fn is_noise(text: &str, words: &[String]) -> bool {
    NoiseWords::new(words.to_vec()).is_noise(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_text::Line;

    #[test]
    fn chain_prefers_the_table_over_the_narrative() {
        let lines = vec![
            Line::text("本年新收政府信息公开申请数量为3件"),
            Line::text("其他段落"),
            Line::text("一、本年新收政府信息公开申请数量 | 3"),
            Line::text("二、上年结转政府信息公开申请数量 | 0"),
        ];
        let f = Flat::new(&lines);
        let occs = vec![
            occurrences(&f, &["本年新收政府信息公开申请数量".into()]),
            occurrences(&f, &["上年结转政府信息公开申请数量".into()]),
        ];
        let chain = best_chain(&occs);
        assert_eq!(occs[0].len(), 2);
        assert_eq!(chain[0], Some(occs[0][1]));
    }

    #[test]
    fn noise_words_cover_headers() {
        let w: Vec<String> = ["结果", "维持", "纠正", "总计", "三,本年度办理结果"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(is_noise("结果结果维持纠正", &w));
        assert!(is_noise("三,本年度办理结果", &w));
        assert!(!is_noise("其他主动公开文件", &w));
    }
}
