//! Text normalisation before label matching (spec section 5.6): converter-inserted pinyin is
//! stripped, traditional characters become simplified (OpenCC's full dictionary, through the
//! Apache-2.0 `ferrous-opencc`), Taiwan-phrase conversions are mapped back, and NFKC folds
//! full-width digits and punctuation to ASCII.

use regex::Regex;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Normalise a whole document or a single cell. Idempotent on already-clean simplified text.
pub fn normalize(text: &str) -> String {
    let stripped = strip_pinyin(text);
    let simplified = to_simplified(&stripped);
    nfkc_fast(&simplified)
}

/// NFKC without touching what NFKC leaves alone anyway: ASCII, CJK unified ideographs and the
/// CJK punctuation these reports use pass straight through; every other run of characters
/// is normalised as a run (so combining sequences inside it still compose).
fn nfkc_fast(text: &str) -> String {
    let stable = |c: char| {
        let u = c as u32;
        (c.is_ascii() && c != '\u{a0}')
            || (0x4e00..=0x9fff).contains(&u)
            || (0x3400..=0x4dbf).contains(&u)
            || matches!(
                c,
                '、' | '。'
                    | '“'
                    | '”'
                    | '《'
                    | '》'
                    | '〈'
                    | '〉'
                    | '【'
                    | '】'
                    | '〔'
                    | '〕'
                    | '—'
                    | '…'
                    | '·'
            )
    };
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if stable(c) {
            if let Some(s) = run_start.take() {
                out.extend(text[s..i].nfkc().map(fold_char));
            }
            out.push(fold_char(c));
        } else if run_start.is_none() {
            run_start = Some(i);
        }
    }
    if let Some(s) = run_start {
        out.extend(text[s..].nfkc().map(fold_char));
    }
    out
}

fn fold_char(c: char) -> char {
    match c {
        '「' | '『' | '〝' => '“',
        '」' | '』' | '〞' => '”',
        '\u{00a0}' | '\u{3000}' => ' ',
        // NFKC leaves these: a dash used as an empty marker should look like one.
        '–' | '－' | '−' | '‐' => '-',
        _ => c,
    }
}

fn tone_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\p{Han})[(（]\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*\s*[)）]")
            .unwrap_or_else(|_| unreachable_regex())
    })
}

fn neutral_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\p{Han})[(（]\s*[a-zü]{1,6}\s*[)）]").unwrap_or_else(|_| unreachable_regex())
    })
}

// The patterns above are literals checked by the tests; this keeps library code panic-free
// even in theory by falling back to a pattern that matches nothing.
fn unreachable_regex() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| std::process::abort())
}

/// Remove pinyin that traditional-conversion sites insert after characters: `商務(wù)局` →
/// `商務局`, and on pages where that happened, toneless `的(de)` too. Parentheses holding CJK
/// (`（一）`), upper-case abbreviations (`(PDF)`) and URLs are left alone.
pub fn strip_pinyin(text: &str) -> String {
    let tone = tone_re();
    let tone_hits = tone.find_iter(text).take(2).count();
    let neutral = neutral_re();
    let neutral_hits = if tone_hits >= 2 {
        0
    } else {
        neutral.find_iter(text).take(3).count()
    };
    if tone_hits == 0 && neutral_hits < 3 {
        return text.to_string();
    }
    let out = tone.replace_all(text, "$1");
    if tone_hits >= 2 || neutral_hits >= 3 {
        neutral.replace_all(&out, "$1").into_owned()
    } else {
        out.into_owned()
    }
}

/// Phrases that Taiwan-style converters substitute for mainland terms, mapped back. They are
/// matched on the traditional form, before conversion, so simplified `档案` (archives) is safe.
const TAIWAN_PHRASES: &[(&str, &str)] = &[
    ("性檔案", "性文件"),
    ("公開檔案", "公開文件"),
    ("入口網站", "門戶網站"),
    ("機構設定", "機構設置"),
];

fn opencc() -> Option<&'static ferrous_opencc::OpenCC> {
    static CC: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    CC.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).ok()
    })
    .as_ref()
}

/// Convert traditional characters to simplified. Lines without any traditional character are
/// passed through untouched, which keeps simplified documents (the vast majority) fast.
pub fn to_simplified(text: &str) -> String {
    let hits = text
        .chars()
        .filter(|&c| is_likely_traditional(c))
        .take(2)
        .count();
    // One hit in a short cell is enough; in a long text it may be a stray character.
    if hits == 0 || (hits < 2 && text.chars().count() > 200) {
        return text.to_string();
    }
    let mut s = text.to_string();
    for (from, to) in TAIWAN_PHRASES {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    let Some(cc) = opencc() else { return s };
    cc.convert(&s)
}

/// Every CJK unified ideograph (U+3400..U+9FFF) that OpenCC's t2s dictionary changes when
/// converted on its own, one per line after `#` comments; generated from the dictionary and
/// kept exact by the test `bundled_traditional_set_matches_the_dictionary`. Bundled so that a
/// simplified document never pays the converter's start-up (its dictionaries take ~25 MB and
/// ~9 ms to load, which every parser child process used to pay).
const T2S_CHANGED: &str = include_str!("../../../data/text/t2s_changed.txt");

const LO: u32 = 0x3400;
const HI: u32 = 0x9fff;

fn bitset(chars: impl Iterator<Item = char>) -> Vec<u64> {
    let mut bits = vec![0u64; ((HI - LO) / 64 + 1) as usize];
    for c in chars {
        let u = c as u32;
        if (LO..=HI).contains(&u) {
            let i = (u - LO) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
}

fn bundled_chars() -> impl Iterator<Item = char> {
    T2S_CHANGED
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.chars().next())
}

/// A cheap gate in front of the converter: is `c` a character that OpenCC's t2s dictionary
/// changes on its own? (See [`T2S_CHANGED`].)
fn is_likely_traditional(c: char) -> bool {
    static BITS: OnceLock<Vec<u64>> = OnceLock::new();
    let u = c as u32;
    if !(LO..=HI).contains(&u) {
        return false;
    }
    let bits = BITS.get_or_init(|| bitset(bundled_chars()));
    let i = (u - LO) as usize;
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// The characters of [`LO`]..=[`HI`] that the dictionary changes on its own, computed.
#[cfg(test)]
fn computed_changed_chars() -> Vec<char> {
    let Some(cc) = opencc() else {
        return Vec::new();
    };
    let all: Vec<char> = (LO..=HI).filter_map(char::from_u32).collect();
    let mut probe = String::with_capacity(all.len() * 4);
    for ch in &all {
        probe.push(*ch);
        probe.push('\n');
    }
    let converted = cc.convert(&probe);
    all.iter()
        .zip(converted.split('\n'))
        .filter(|(orig, conv)| {
            let mut it = conv.chars();
            !(it.next() == Some(**orig) && it.next().is_none())
        })
        .map(|(orig, _)| *orig)
        .collect()
}

/// A label in comparable form: whitespace removed, brackets and punctuation unified, so that
/// `第二十条 第(一)项` and `第二十条第（一）项` compare equal. Input should be [`normalize`]d.
pub fn compact(label: &str) -> String {
    label.chars().filter_map(compact_char).collect()
}

/// The per-character rule behind [`compact`]: `None` for characters that are dropped
/// (whitespace, quotes, table pipes, control separators), else the unified character.
pub fn compact_char(c: char) -> Option<char> {
    if c.is_whitespace() || c.is_control() {
        return None;
    }
    match c {
        '“' | '”' | '"' | '\'' | '‘' | '’' | '|' | '*' | '#' => None,
        '（' | '［' | '[' | '【' => Some('('),
        '）' | '］' | ']' | '】' => Some(')'),
        '，' | '、' => Some(','),
        '：' => Some(':'),
        '；' => Some(';'),
        '．' | '。' => Some('.'),
        _ => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_traditional_set_matches_the_dictionary() {
        let computed = computed_changed_chars();
        assert!(computed.len() > 1000, "{}", computed.len());
        let bundled: Vec<char> = bundled_chars().collect();
        if computed != bundled {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/text/t2s_changed.txt"
            );
            if std::env::var_os("NIANBAO_REGENERATE").is_some() {
                let mut text = String::from(
                    "# Every CJK unified ideograph (U+3400..U+9FFF) that OpenCC's t2s dictionary\n\
                     # (ferrous-opencc, Apache-2.0) changes when converted alone. Generated by\n\
                     # NIANBAO_REGENERATE=1 cargo test -p nianbao-text bundled_traditional_set\n",
                );
                for c in &computed {
                    text.push(*c);
                    text.push('\n');
                }
                std::fs::write(path, text).expect("write the set");
            }
            panic!(
                "data/text/t2s_changed.txt is out of date ({} bundled, {} computed); \
                 NIANBAO_REGENERATE=1 rewrites it",
                bundled.len(),
                computed.len()
            );
        }
    }

    #[test]
    fn pinyin_is_stripped_but_cjk_parentheses_stay() {
        assert_eq!(
            strip_pinyin("商務(wù)局政府信息公開(kāi)"),
            "商務局政府信息公開"
        );
        let s = "第二十条第（一）项（单位：万元）附件(PDF) http://a.b/c(d)";
        assert_eq!(strip_pinyin(s), s);
        assert_eq!(strip_pinyin("文(wen)章(zhang)的(de)标(biao)"), "文章的标");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(
            normalize("2020年梅河口市商務(wù)局政府信息公開工作年度報告"),
            "2020年梅河口市商务局政府信息公开工作年度报告"
        );
        assert_eq!(normalize("規範性檔案"), "规范性文件");
        assert_eq!(normalize("結轉下年度繼續辦理"), "结转下年度继续办理");
    }

    #[test]
    fn simplified_text_is_unchanged_and_fullwidth_folds() {
        let s = "本年新收政府信息公开申请数量 档案馆";
        assert_eq!(normalize(s), s);
        assert_eq!(normalize("１２３（一）"), "123(一)");
    }

    #[test]
    fn compact_removes_spaces_and_unifies_brackets() {
        assert_eq!(compact("第二十条 第(一)项"), compact("第二十条第（一）项"));
        assert_eq!(compact("商业 企业"), "商业企业");
    }
}

#[cfg(test)]
mod seed_tests {
    #[test]
    fn seed_stability_label() {
        let s = super::normalize("3.危及“三安全一穩(wěn)定” |");
        assert_eq!(s, "3.危及“三安全一稳定” |");
    }
}
