//! Report metadata from titles and text: the one place that knows how a report title names
//! its agency and year, how to find the title among the first lines of a report, and when two
//! agency names may denote the same body. The aligner (the report's own text), the HTML
//! reader (page titles) and the assembly step (page versus report) all use it.
//!
//! ```
//! use nianbao_text::title::{agency_from_title, year_in};
//! let t = "2019年上海市人民政府办公厅政府信息公开工作年度报告";
//! assert_eq!(agency_from_title(t).as_deref(), Some("上海市人民政府办公厅"));
//! assert_eq!(year_in(t), Some(2019));
//! ```

use regex::Regex;
use std::sync::OnceLock;

fn year_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(20[0-3]\d|19[89]\d)\s*年").ok())
        .as_ref()
}

fn period_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:统计期限|统计时限|统计周期|统计期间|数据统计)[^0-9]{0,8}(20[0-3]\d)\s*年\s*1\s*月\s*1\s*日",
        )
        .ok()
    })
    .as_ref()
}

/// The first `YYYY年` (1980-2039) in `s`.
pub fn year_in(s: &str) -> Option<i32> {
    year_re()?.captures(s)?.get(1)?.as_str().parse().ok()
}

/// Does a title name an annual OGI report (`…政府信息公开工作年度报告`, `…政务公开年报`)?
pub fn names_report(title: &str) -> bool {
    (title.contains("年度报告") || title.contains("年报") || title.contains("年度工作报告"))
        && (title.contains("信息公开") || title.contains("政务公开"))
}

/// The last characters of the names of government bodies (局, 委员会, 人民政府, 街道办事处, …).
const AGENCY_ENDS: &str = "局委办府厅室会院区县市镇乡所站队部署处馆司心道组行团社校关台场园港盟";

/// Does `s` read like the name of a government body: 2-40 characters, ending like one, and
/// not a sentence or a report title?
pub fn looks_like_agency(s: &str) -> bool {
    let n = s.chars().count();
    (2..=40).contains(&n)
        && s.chars()
            .next_back()
            .is_some_and(|c| AGENCY_ENDS.contains(c))
        && !s.contains("报告")
        && !s.contains(['，', ',', '。', ';', '；', ':', '：'])
}

/// Words after which a title stops naming the agency.
const REPORT_WORDS: [&str; 4] = ["政府信息公开", "政务公开", "信息公开", "年度报告"];

fn cut_at_report_words(s: &str) -> &str {
    let end = REPORT_WORDS
        .iter()
        .filter_map(|w| s.find(w))
        .min()
        .unwrap_or(s.len());
    &s[..end]
}

fn trim_agency(s: &str) -> &str {
    s.trim_start_matches("关于")
        .trim_end_matches("关于")
        .trim_end_matches('的')
        .trim_matches(|c: char| matches!(c, '(' | ')' | '（' | '）' | '《' | '》' | '“' | '”'))
}

/// The agency a report title names: before its year (`平潭县人民政府2011年…`,
/// `某局关于2020年度…`), right after it (`2019年上海市人民政府办公厅政府信息公开…`), or before
/// the report words when the title has no year.
pub fn agency_from_title(title: &str) -> Option<String> {
    let t: String = clean_title(title)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let candidates: Vec<&str> = match year_re().and_then(|re| re.find(&t)) {
        Some(m) => {
            let after = t[m.end()..].trim_start_matches('度');
            vec![&t[..m.start()], cut_at_report_words(after)]
        }
        None => vec![cut_at_report_words(&t)],
    };
    candidates
        .into_iter()
        .map(trim_agency)
        .find(|a| looks_like_agency(a))
        .map(str::to_string)
}

/// A title as printed: markdown heading marks and `标题:` labels removed; a glued page
/// (title and body on one long line) cut after the first `报告`.
pub fn clean_title(line: &str) -> String {
    let mut t = line.trim().trim_matches('#').trim();
    for p in ["标题:", "标题：", "题目:", "题目："] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim();
        }
    }
    if t.chars().count() > 60 {
        if let Some(i) = t.find("报告") {
            return t[..i + "报告".len()].trim().to_string();
        }
    }
    t.to_string()
}

/// Is a line of text a report title? A title names the report and ends with it; narrative
/// lines that mention the report (`本年度报告是根据…`) are sentences, not titles.
pub fn is_title_line(line: &str) -> bool {
    let t = clean_title(line);
    let n = t.chars().count();
    (6..=80).contains(&n)
        && t.contains("公开")
        && (t.ends_with("报告") || t.ends_with("年报") || t.ends_with("报告)"))
        && !t.contains(['。', ',', '，', ';', '；'])
}

/// Title, agency and year found in a report's own text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TitleMeta {
    /// The title line.
    pub title: Option<String>,
    /// The agency the title (or the line next to it) names.
    pub agency: Option<String>,
    /// The year reported on: the title's, else the statistics period's, else the year named
    /// most often at the start.
    pub year: Option<i32>,
}

/// Find title, agency and year in the lines of a report (`lines` one string per line,
/// `full_text` the whole text).
pub fn find_title_meta(lines: &[String], full_text: &str) -> TitleMeta {
    let mut m = TitleMeta::default();
    let mut head: Vec<String> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(40)
        .cloned()
        .collect();
    // A title broken over two lines (`…政府信息公开工作` / `年度报告`) is joined first.
    if let Some(i) = head
        .iter()
        .position(|l| !is_title_line(l) && l.contains("政府信息公开") && l.chars().count() < 40)
    {
        if let Some(next) = head.get(i + 1) {
            let joined = format!("{}{}", head[i].trim(), next.trim());
            if next.chars().count() <= 12 && is_title_line(&joined) {
                head[i] = joined;
            }
        }
    }
    if let Some(i) = head.iter().position(|l| is_title_line(l)) {
        let t = clean_title(&head[i]);
        m.agency = agency_from_title(&t).or_else(|| {
            // The agency on its own line next to the title (township reports).
            [i + 1, i.wrapping_sub(1)]
                .iter()
                .filter_map(|&j| head.get(j))
                .map(|l| l.trim())
                .find(|l| looks_like_agency(l))
                .map(str::to_string)
        });
        m.year = year_in(&t);
        m.title = Some(t);
    }
    if m.year.is_none() {
        m.year = period_re()
            .and_then(|re| re.captures(full_text))
            .and_then(|c| c.get(1)?.as_str().parse().ok());
    }
    if m.year.is_none() {
        let start: String = full_text.chars().take(3000).collect();
        let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
        if let Some(re) = year_re() {
            for c in re.captures_iter(&start) {
                if let Some(y) = c.get(1).and_then(|y| y.as_str().parse().ok()) {
                    *counts.entry(y).or_default() += 1;
                }
            }
        }
        m.year = counts
            .into_iter()
            .max_by_key(|&(y, n)| (n, y))
            .map(|(y, _)| y);
    }
    m
}

/// Strip words every agency name may or may not carry, for comparison.
fn agency_core(a: &str) -> String {
    let mut s = crate::compact(a);
    for w in [
        "办公室",
        "办公厅",
        "人民政府",
        "政府",
        "管委会",
        "管理委员会",
        "党工委",
        "网站",
        "网",
    ] {
        s = s.replace(w, "");
    }
    s
}

/// May two agency names denote the same body? One contains the other once the words every
/// name may or may not carry are dropped, or they share most of their beginning.
pub fn agencies_compatible(a: &str, b: &str) -> bool {
    let (x, y) = (agency_core(a), agency_core(b));
    if x.is_empty() || y.is_empty() || x.contains(&y) || y.contains(&x) {
        return true;
    }
    let common = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
    let shorter = x.chars().count().min(y.chars().count());
    common * 10 >= shorter * 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn agency_before_after_and_without_year() {
        let cases = [
            (
                "2020年梅河口市商务局政府信息公开工作年度报告",
                Some("梅河口市商务局"),
            ),
            (
                "标题: 平潭综合实验区2021年度政府信息公开工作年度报告",
                Some("平潭综合实验区"),
            ),
            (
                "平潭县人民政府2011年政府信息公开工作年度报告",
                Some("平潭县人民政府"),
            ),
            (
                "2019年上海市人民政府办公厅政府信息公开工作年度报告",
                Some("上海市人民政府办公厅"),
            ),
            (
                "沭阳县发展和改革局关于2023年度政府信息公开工作的年度报告",
                Some("沭阳县发展和改革局"),
            ),
            (
                "宿州市人民政府2019年政府信息公开工作年度报告（图片版）",
                Some("宿州市人民政府"),
            ),
            ("某某县审计局政府信息公开工作年度报告", Some("某某县审计局")),
            ("2022年政府信息公开工作年度报告", None),
            ("政府信息公开年报", None),
        ];
        for (t, want) in cases {
            assert_eq!(agency_from_title(t).as_deref(), want, "{t}");
        }
    }

    #[test]
    fn title_meta_from_text() {
        let m = find_title_meta(
            &lines(&["2020年梅河口市商务局政府信息公开工作年度报告"]),
            "",
        );
        assert_eq!(m.agency.as_deref(), Some("梅河口市商务局"));
        assert_eq!(m.year, Some(2020));
        let l = lines(&[
            "2022年政府信息公开工作年度报告",
            "桃江县松木塘镇人民政府",
            "一、总体情况",
        ]);
        let m = find_title_meta(&l, "");
        assert_eq!(m.agency.as_deref(), Some("桃江县松木塘镇人民政府"));
        let l = lines(&[
            "上海市科委政府信息公开工作",
            "年度报告",
            "本报告统计期限为2024年1月1日至12月31日",
        ]);
        let m = find_title_meta(&l, &l.join("\n"));
        assert_eq!(
            m.title.as_deref(),
            Some("上海市科委政府信息公开工作年度报告")
        );
        assert_eq!(m.year, Some(2024));
    }

    #[test]
    fn titles_and_sentences() {
        assert!(is_title_line("## 2023年度政府信息公开工作年度报告"));
        assert!(!is_title_line("本年度报告是根据条例编制的，现予公布。"));
        assert!(names_report("区公安局2024年政务公开年报"));
        assert!(!names_report("2024年政府工作报告"));
    }

    #[test]
    fn agency_comparison_is_lenient_but_not_blind() {
        assert!(agencies_compatible(
            "平潭综合实验区",
            "平潭综合实验区管委会办公室"
        ));
        assert!(agencies_compatible(
            "上海市人民政府办公厅",
            "上海市人民政府办公厅"
        ));
        assert!(!agencies_compatible(
            "上海市人民政府办公厅",
            "平潭综合实验区管委会办公室"
        ));
        assert!(!agencies_compatible(
            "上海市发展和改革委员会",
            "上海市公安局"
        ));
    }
}
