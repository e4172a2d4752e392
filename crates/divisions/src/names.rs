//! Name handling: input text to a comparable form, the agency a report title names, the short
//! forms of autonomous divisions, township names and the generic prefixes of unnamed agencies.

/// Characters of an agency field or title that are read.
const MAX_CHARS: usize = 200;

/// Normalised (traditional → simplified, pinyin dropped, NFKC) with whitespace, quotes and
/// title brackets removed: `梅河口市 商務(wù)局` → `梅河口市商务局`.
pub(crate) fn clean(text: &str) -> String {
    // No agency name or report title is this long; a hostile page's metadata may be.
    let text = match text.char_indices().nth(MAX_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    // Plain simplified names (the vast majority) only need the traditional-character check:
    // the pinyin and NFKC steps of `normalize` leave ASCII and CJK ideographs alone, and
    // pinyin glosses need parentheses.
    let plain = text
        .chars()
        .all(|c| (c.is_ascii() && c != '(') || ('\u{4e00}'..='\u{9fff}').contains(&c));
    let normalized = if plain {
        nianbao_text::to_simplified(text)
    } else {
        nianbao_text::normalize(text)
    };
    normalized
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    c,
                    '《' | '》' | '“' | '”' | '"' | '\'' | '‘' | '’' | '〈' | '〉'
                )
        })
        .collect()
}

/// `2023年`, `2023年度`, `2023` before `年` — removed wherever they are.
pub(crate) fn strip_years(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let is_year = i + 4 <= b.len()
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (b[i..].starts_with(b"19") || b[i..].starts_with(b"20"))
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 4 == b.len() || !b[i + 4].is_ascii_digit());
        if is_year {
            let mut j = i + 4;
            if s[j..].starts_with('年') {
                j += '年'.len_utf8();
                if s[j..].starts_with('度') {
                    j += '度'.len_utf8();
                }
            }
            i = j;
            continue;
        }
        // Safe: `i` always sits on a char boundary (ASCII steps by 1, others by their width).
        let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

/// Where a report title's own words end and its agency part stops: the earliest of these.
const TITLE_TAILS: &[&str] = &[
    "政府信息公开",
    "政务信息公开",
    "政务公开",
    "信息公开",
    "年度报告",
    "工作报告",
    "年报",
];

/// In an agency field only unambiguous tails are cut (an agency may be called 信息公开办).
const AGENCY_TAILS: &[&str] = &[
    "政府信息公开工作",
    "政府信息公开年度",
    "政府信息公开年报",
    "政务公开工作",
    "年度报告",
    "年报",
];

/// Offset of the first tail in `s`: a leftmost search of one automaton per tail list (built
/// once; `str::find` per tail rebuilt a searcher on every call).
fn cut_at_tail(s: &str, in_title: bool) -> Option<usize> {
    use aho_corasick::{AhoCorasick, MatchKind};
    use std::sync::OnceLock;
    static TITLE: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    static AGENCY: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let (cell, tails) = if in_title {
        (&TITLE, TITLE_TAILS)
    } else {
        (&AGENCY, AGENCY_TAILS)
    };
    let ac = cell.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(tails)
            .ok()
    });
    match ac {
        Some(ac) => ac.find(s).map(|m| m.start()),
        None => tails.iter().filter_map(|t| s.find(t)).min(),
    }
}

fn trim_subject(mut s: &str) -> &str {
    loop {
        let before = s.len();
        s = s.trim_start_matches("关于");
        s = s.trim_end_matches("关于");
        s = s.trim_end_matches('的');
        s = s.trim_matches(|c: char| {
            matches!(
                c,
                '(' | ')' | '[' | ']' | '【' | '】' | '-' | '_' | ':' | ',' | '.' | '、' | '—'
            )
        });
        if s.len() == before {
            return s;
        }
    }
}

/// The agency a report title names, or `None` when the title is not a report title:
/// `2020年梅河口市商务局政府信息公开工作年度报告` → `梅河口市商务局`,
/// `2022年政府信息公开工作年度报告` → `` (a report title that names no agency).
pub(crate) fn title_subject(title: &str) -> Option<String> {
    let s = strip_years(&clean(title));
    let cut = cut_at_tail(&s, true)?;
    Some(trim_subject(&s[..cut]).to_string())
}

/// An agency field in comparable form, a title-like field cut to its agency.
pub(crate) fn agency_text(agency: &str) -> String {
    let s = strip_years(&clean(agency));
    let cut = cut_at_tail(&s, false).unwrap_or(s.len());
    trim_subject(&s[..cut]).to_string()
}

/// Ethnic group names as they appear in autonomous division names, longest first so that
/// `哈萨克` is not read as a shorter name.
const ETHNIC: &[&str] = &[
    "柯尔克孜",
    "乌孜别克",
    "达斡尔",
    "维吾尔",
    "哈萨克",
    "塔吉克",
    "俄罗斯",
    "鄂温克",
    "鄂伦春",
    "塔塔尔",
    "蒙古",
    "布依",
    "朝鲜",
    "土家",
    "哈尼",
    "傈僳",
    "高山",
    "拉祜",
    "东乡",
    "纳西",
    "景颇",
    "仫佬",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "德昂",
    "保安",
    "裕固",
    "独龙",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
    "回",
    "藏",
    "苗",
    "彝",
    "壮",
    "满",
    "侗",
    "瑶",
    "白",
    "傣",
    "黎",
    "佤",
    "畲",
    "水",
    "土",
    "羌",
    "怒",
    "京",
];

/// The short form of an autonomous division's name, as agencies write it:
/// `恩施土家族苗族自治州` → `恩施州`, `大厂回族自治县` → `大厂县`, `鄂温克族自治旗` → `鄂温克旗`,
/// `伊犁哈萨克自治州` → `伊犁州`, `广西壮族自治区` → `广西自治区`.
pub(crate) fn short_form(name: &str) -> Option<String> {
    let (stem, suffix) = ["自治州", "自治县", "自治旗", "自治区"]
        .iter()
        .find_map(|s| name.strip_suffix(s).map(|st| (st, *s)))?;
    let mut place = stem;
    loop {
        let before = place.len();
        for e in ETHNIC {
            // One-character names only with 族 (else 土, 水, 白 would eat place names).
            let with = format!("{e}族");
            if let Some(p) = place.strip_suffix(with.as_str()) {
                place = p;
                break;
            }
            if e.chars().count() > 1 {
                if let Some(p) = place.strip_suffix(e) {
                    place = p;
                    break;
                }
            }
        }
        if place.len() == before {
            break;
        }
    }
    if place == stem || place.chars().count() < 2 {
        // 鄂温克族自治旗, 东乡族自治县: the people is the place.
        let people = stem.strip_suffix('族').unwrap_or(stem);
        let one = suffix.chars().next_back()?;
        return (suffix != "自治区" && people.chars().count() >= 2)
            .then(|| format!("{people}{one}"));
    }
    let short = match suffix {
        "自治州" => format!("{place}州"),
        "自治县" => format!("{place}县"),
        "自治旗" => format!("{place}旗"),
        _ => format!("{place}自治区"),
    };
    (short != name).then_some(short)
}

/// A township-level name at the start of `s` and what follows it, when what follows makes
/// the whole a township government: `松木塘镇人民政府` → (`松木塘镇`, `人民政府`),
/// `驼峰路街道办事处` → (`驼峰路街道`, ``), `城关镇党政办公室` → (`城关镇`, `党政办公室`).
/// `乡村振兴局` and `住房和城乡建设局` are not townships.
pub(crate) fn township(s: &str) -> Option<(String, &str)> {
    const SUFFIXES: &[(&str, &str)] = &[
        ("街道办事处", "街道"),
        ("街道办", "街道"),
        ("街道", "街道"),
        ("民族乡", "民族乡"),
        ("镇", "镇"),
        ("乡", "乡"),
        ("苏木", "苏木"),
    ];
    const REST: &[&str] = &[
        "",
        "人民政府",
        "政府",
        "办事处",
        "人民政府办公室",
        "政府办公室",
        "党政办公室",
        "党政综合办公室",
        "党政办",
    ];
    for (i, _) in s.char_indices().skip(1).take(12) {
        let (head, tail) = s.split_at(i);
        if head
            .chars()
            .any(|c| matches!(c, '和' | '与' | '及' | '局' | '委' | '厅'))
        {
            return None;
        }
        for (suffix, canonical) in SUFFIXES {
            if let Some(rest) = tail.strip_prefix(suffix) {
                if REST.contains(&rest) {
                    return Some((format!("{head}{canonical}"), rest));
                }
            }
        }
    }
    None
}

/// The one-character place prefix of an agency that does not name its place (`区公安局`,
/// `县人民政府`, `市政府办公室`), split off. `市场监督管理局` and `市政管理处` keep their first
/// character: it is part of the word.
pub(crate) fn generic_prefix(s: &str) -> Option<(char, &str)> {
    let c = s.chars().next()?;
    if !matches!(c, '省' | '市' | '区' | '县' | '州' | '旗' | '盟') {
        return None;
    }
    let rest = &s[c.len_utf8()..];
    const WORDS: &[&str] = &["场", "域", "政", "容", "划", "级", "直", "属", "委", "长"];
    let keeps = WORDS.iter().any(|w| rest.starts_with(w)) && !rest.starts_with("政府");
    (!keeps && rest.chars().count() >= 2).then_some((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_give_their_agency() {
        let t = |s: &str| title_subject(s);
        assert_eq!(
            t("2020年梅河口市商务局政府信息公开工作年度报告").as_deref(),
            Some("梅河口市商务局")
        );
        assert_eq!(
            t("平潭县人民政府2011年政府信息公开工作年度报告").as_deref(),
            Some("平潭县人民政府")
        );
        assert_eq!(
            t("2024 年上海市科委政府信息公开工作年度报告").as_deref(),
            Some("上海市科委")
        );
        assert_eq!(t("2022年政府信息公开工作年度报告").as_deref(), Some(""));
        assert_eq!(
            t("沭阳县政府信息公开工作年度报告（2023年）").as_deref(),
            Some("沭阳县")
        );
        assert_eq!(
            t("关于印发沭阳县2019年政府信息公开工作年度报告的通知").as_deref(),
            Some("印发沭阳县")
        );
        assert_eq!(t("保定市统筹推动城市和产业转型升级"), None);
    }

    #[test]
    fn years_are_removed_but_other_numbers_stay() {
        assert_eq!(strip_years("2023年度沭阳县"), "沭阳县");
        assert_eq!(strip_years("区公安局2024年第一季度"), "区公安局第一季度");
        assert_eq!(strip_years("12019年"), "12019年");
    }

    #[test]
    fn autonomous_short_forms() {
        let s = |n: &str| short_form(n);
        assert_eq!(s("恩施土家族苗族自治州").as_deref(), Some("恩施州"));
        assert_eq!(s("大厂回族自治县").as_deref(), Some("大厂县"));
        assert_eq!(
            s("积石山保安族东乡族撒拉族自治县").as_deref(),
            Some("积石山县")
        );
        assert_eq!(s("伊犁哈萨克自治州").as_deref(), Some("伊犁州"));
        assert_eq!(s("海西蒙古族藏族哈萨克族自治州").as_deref(), Some("海西州"));
        assert_eq!(s("龙胜各族自治县").as_deref(), Some("龙胜县"));
        assert_eq!(s("鄂温克族自治旗").as_deref(), Some("鄂温克旗"));
        assert_eq!(s("鄂伦春自治旗").as_deref(), Some("鄂伦春旗"));
        assert_eq!(s("东乡族自治县").as_deref(), Some("东乡县"));
        assert_eq!(s("互助土族自治县").as_deref(), Some("互助县"));
        assert_eq!(s("广西壮族自治区").as_deref(), Some("广西自治区"));
        assert_eq!(s("西藏自治区"), None);
        assert_eq!(s("内蒙古自治区"), None);
        assert_eq!(s("梅河口市"), None);
    }

    #[test]
    fn townships_and_look_alikes() {
        assert_eq!(
            township("松木塘镇人民政府"),
            Some(("松木塘镇".to_string(), "人民政府"))
        );
        assert_eq!(
            township("驼峰路街道办事处"),
            Some(("驼峰路街道".to_string(), ""))
        );
        assert_eq!(
            township("城关镇党政办公室"),
            Some(("城关镇".to_string(), "党政办公室"))
        );
        assert_eq!(township("乡村振兴局"), None);
        assert_eq!(township("住房和城乡建设局"), None);
        assert_eq!(township("商务局"), None);
    }

    #[test]
    fn generic_prefixes() {
        assert_eq!(generic_prefix("区公安局"), Some(('区', "公安局")));
        assert_eq!(generic_prefix("市政府办公室"), Some(('市', "政府办公室")));
        assert_eq!(generic_prefix("市场监督管理局"), None);
        assert_eq!(generic_prefix("市政管理处"), None);
        assert_eq!(generic_prefix("商务局"), None);
    }

    #[test]
    fn traditional_and_spaced_names_are_cleaned() {
        assert_eq!(clean("梅河口市 商務(wù)局"), "梅河口市商务局");
        assert_eq!(clean("淮安市人民政府辦公室"), "淮安市人民政府办公室");
    }
}
