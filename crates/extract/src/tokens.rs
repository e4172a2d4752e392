//! A stretch of the flattened document between two labels, cut into items: numbers,
//! missing markers, blank cells and text. Numbers keep their raw text for provenance.

use crate::flat::{CELL_END, LINE_END};
use regex::Regex;
use std::sync::OnceLock;

/// A unit printed with a money value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// No unit printed.
    None,
    /// 元.
    Yuan,
    /// 万元.
    Wan,
}

/// A parsed number as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    /// Digits with sign and decimal point, no separators or unit (`-1`, `24252.311082`).
    pub digits: String,
    /// Printed unit.
    pub unit: Unit,
    /// The raw text of the token.
    pub raw: String,
    /// True when a sign (`+`/`-`, or a word such as `减`) was printed.
    pub signed: bool,
    /// True when the sign was a word (`减4`, `增加3`, `较上年减少5`).
    pub sign_in_words: bool,
}

impl Num {
    /// True for an unsigned integer made only of digits (a candidate for glued splitting).
    pub fn is_plain_digits(&self) -> bool {
        !self.signed && self.digits.bytes().all(|b| b.is_ascii_digit())
    }
}

/// One item of a region.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A number.
    Num(Num),
    /// `/`, `-`, `—`, `无`: the cell is deliberately empty; raw marker kept.
    Missing(String),
    /// An empty cell.
    Blank,
    /// Text (compact form).
    Text(String),
}

fn number_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元)?").ok())
        .as_ref()
}

/// Words that print the sign of a change before its number, longest first so that `减少` wins
/// over `减`: `true` for an increase.
const SIGN_WORDS: &[(&str, bool)] = &[
    ("增加了", true),
    ("减少了", false),
    ("增加", true),
    ("增长", true),
    ("上升", true),
    ("提高", true),
    ("减少", false),
    ("下降", false),
    ("降低", false),
    ("增", true),
    ("减", false),
];

/// The sign word that ends `before`, if any, with the text before it. `增/减` (the column
/// label) and a word inside a longer label (`增减`) are not signs.
fn sign_word(before: &str) -> Option<(&str, bool)> {
    SIGN_WORDS.iter().find_map(|(w, up)| {
        let rest = before.strip_suffix(w)?;
        let prev = rest.chars().last();
        if matches!(prev, Some('/' | '增' | '减' | '／')) {
            return None;
        }
        // `较上年减少5`: the comparison belongs to the sign, not to the text before it.
        let rest = ["较上年", "比上年", "较去年", "比去年", "同比"]
            .iter()
            .find_map(|c| rest.strip_suffix(c))
            .unwrap_or(rest);
        Some((rest, *up))
    })
}

fn is_missing_marker(t: &str) -> bool {
    matches!(t, "/" | "-" | "—" | "——" | "--" | "无" | "\\" | "、" | "/ ")
}

/// Split a region of [`crate::flat::Flat::buf`] into items. The first piece is the tail of
/// the label's own cell and the last the head of the next label's cell, so neither can be a
/// blank cell.
pub fn tokenize(region: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let pieces: Vec<&str> = region.split(CELL_END).collect();
    let last = pieces.len().saturating_sub(1);
    let is_space = |c: char| c.is_whitespace() || c == LINE_END;
    for (i, piece) in pieces.iter().enumerate() {
        let piece = piece.trim_start_matches(LINE_END);
        if piece.chars().all(is_space) {
            if i != 0 && i != last && !piece.contains(LINE_END) {
                items.push(Item::Blank);
            }
            continue;
        }
        for word in piece.split(is_space).filter(|w| !w.is_empty()) {
            tokenize_word(word, &mut items);
        }
    }
    merge_text(items)
}

fn tokenize_word(word: &str, items: &mut Vec<Item>) {
    if is_missing_marker(word) {
        items.push(Item::Missing(word.to_string()));
        return;
    }
    let Some(re) = number_re() else {
        items.push(Item::Text(nianbao_text::compact(word)));
        return;
    };
    let mut pos = 0;
    for m in re.find_iter(word) {
        let before = &word[pos..m.start()];
        let after = &word[m.end()..];
        let next = after.chars().next();
        let prev = before.chars().last();
        // A number glued to 年/月/日 is a date, `第3` an ordinal, `3.` before text a list
        // marker: all part of the text, not values.
        let is_text_number = matches!(next, Some('年' | '月' | '日' | '号' | '%' | '岁' | '天'))
            || prev == Some('第')
            || (prev.is_some_and(|c| c.is_ascii_alphabetic()))
            || next.is_some_and(|c| c.is_ascii_alphabetic())
            || (next == Some('.')
                && m.as_str().len() <= 2
                && after[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_ascii_digit()));
        if is_text_number {
            continue;
        }
        // The pattern always holds at least one digit, so every match is a number.
        let raw = m.as_str();
        let word_sign = if raw.starts_with(['+', '-']) {
            None
        } else {
            sign_word(before)
        };
        let text_before = word_sign.map_or(before, |(rest, _)| rest);
        if !text_before.is_empty() {
            items.push(Item::Text(nianbao_text::compact(text_before)));
        }
        let (unit, body) = if let Some(b) = raw.strip_suffix("万元") {
            (Unit::Wan, b)
        } else if let Some(b) = raw.strip_suffix('元') {
            (Unit::Yuan, b)
        } else {
            (Unit::None, raw)
        };
        let signed = body.starts_with(['+', '-']) || word_sign.is_some();
        let mut digits: String = body
            .trim_start_matches('+')
            .chars()
            .filter(|&c| c != ',')
            .collect();
        let raw = match word_sign {
            Some((rest, up)) => {
                // A decrease of zero stays `0`, not `-0`.
                if !up && digits.bytes().any(|b| matches!(b, b'1'..=b'9')) {
                    digits.insert(0, '-');
                }
                format!("{}{raw}", &before[rest.len()..])
            }
            None => raw.to_string(),
        };
        items.push(Item::Num(Num {
            digits,
            unit,
            raw,
            signed,
            sign_in_words: word_sign.is_some(),
        }));
        pos = m.end();
    }
    let rest = &word[pos..];
    if !rest.is_empty() {
        // Count words after a number (`97件`) are units, not text.
        let r = rest.trim_start_matches(['件', '条', '个', '项', '次', '人']);
        if !r.is_empty() || pos == 0 {
            items.push(Item::Text(nianbao_text::compact(if pos == 0 {
                word
            } else {
                rest
            })));
        }
    }
}

fn merge_text(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for it in items {
        if let Item::Text(t) = &it {
            if t.is_empty() {
                continue;
            }
            if let Some(Item::Text(prev)) = out.last_mut() {
                prev.push_str(t);
                continue;
            }
        }
        out.push(it);
    }
    out
}

/// Parse a decimal string to an i64 when it is integral.
pub fn as_int(digits: &str) -> Option<i64> {
    if digits.contains('.') {
        return None;
    }
    digits.parse().ok()
}

/// Convert a decimal string in 元 to 万元 exactly (shift the decimal point by four).
pub fn yuan_to_wan(digits: &str) -> Option<f64> {
    let neg = digits.starts_with('-');
    let d = digits.trim_start_matches('-');
    let (int, frac) = d.split_once('.').unwrap_or((d, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let padded = format!("{int:0>5}");
    let (hi, lo) = padded.split_at(padded.len() - 4);
    let s = format!("{}{}.{}{}", if neg { "-" } else { "" }, hi, lo, frac);
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Num(n) => Some(n.digits.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn cells_and_blanks() {
        let r = format!("{c} 0 {c} 12 {c}  {c} - {c}", c = CELL_END);
        let items = tokenize(&r);
        assert_eq!(items.len(), 4, "{items:?}");
        assert_eq!(items[2], Item::Blank);
        assert_eq!(items[3], Item::Missing("-".into()));
    }

    #[test]
    fn glued_text_and_numbers() {
        let items = tokenize("693665第二十条第(五)项");
        assert_eq!(nums(&items), vec!["693665"]);
        let items =
            tokenize("2020年本行政区域(或本部门)政府信息公开发布总数量(非新闻类,消息类):47");
        assert_eq!(nums(&items), vec!["47"]);
        assert!(matches!(&items[0], Item::Text(t) if t.starts_with("2020年")));
    }

    #[test]
    fn signs_in_words() {
        let items = tokenize("减4 增加3 下降2 较上年减少5 增1 减0");
        assert_eq!(nums(&items), vec!["-4", "3", "-2", "-5", "1", "0"]);
        assert!(items
            .iter()
            .all(|i| matches!(i, Item::Num(n) if n.sign_in_words && n.signed)));
        match &items[3] {
            Item::Num(n) => assert_eq!(n.raw, "较上年减少5"),
            other => panic!("{other:?}"),
        }
        // The column label `本年增/减` and words such as `增减` are not signs.
        let items = tokenize("本年增/减4 增减7");
        assert_eq!(nums(&items), vec!["4", "7"]);
        assert!(items
            .iter()
            .all(|i| !matches!(i, Item::Num(n) if n.sign_in_words)));
    }

    #[test]
    fn signs_units_and_separators() {
        let items = tokenize("+2 -1 251000元 160.5964万元 1,234 97件");
        assert_eq!(
            nums(&items),
            vec!["2", "-1", "251000", "160.5964", "1234", "97"]
        );
        match &items[2] {
            Item::Num(n) => assert_eq!(n.unit, Unit::Yuan),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn yuan_conversion_is_exact() {
        assert_eq!(yuan_to_wan("251000"), Some(25.1));
        assert_eq!(yuan_to_wan("39476302.00"), Some(3947.630200));
        assert_eq!(yuan_to_wan("5"), Some(0.0005));
    }
}
