//! Report metadata from the text: title, agency (simplified), and the year reported on.

use regex::Regex;
use std::sync::OnceLock;

fn year_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(20[0-3]\d|19[89]\d)\s*年").ok())
        .as_ref()
}

fn period_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:统计期限|统计时限|统计周期|统计期间|数据统计)[^0-9]{0,8}(20[0-3]\d)\s*年\s*1\s*月\s*1\s*日").ok()).as_ref()
}

/// Metadata found in a report's text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    /// Title line.
    pub title: Option<String>,
    /// Agency.
    pub agency: Option<String>,
    /// Year reported on.
    pub year: Option<i32>,
}

fn clean_title(line: &str) -> String {
    let mut t = line.trim().trim_matches('#').trim();
    for p in ["标题:", "标题：", "题目:"] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim();
        }
    }
    // Long lines (glued pages): cut after the first 报告.
    if t.chars().count() > 60 {
        if let Some(i) = t.find("报告") {
            return t[..i + "报告".len()].trim().to_string();
        }
    }
    t.to_string()
}

const AGENCY_SUFFIXES: [&str; 24] = [
    "人民政府办公厅",
    "人民政府办公室",
    "人民政府",
    "办公厅",
    "办公室",
    "委员会",
    "管委会",
    "管理委员会",
    "局",
    "委",
    "厅",
    "署",
    "办",
    "院",
    "中心",
    "街道办事处",
    "办事处",
    "街道",
    "镇",
    "乡",
    "区",
    "县",
    "市",
    "所",
];

fn looks_like_agency(s: &str) -> bool {
    let n = s.chars().count();
    (2..=40).contains(&n)
        && AGENCY_SUFFIXES.iter().any(|x| s.ends_with(x))
        && !s.contains("报告")
        && !s.contains('，')
        && !s.contains(',')
}

fn agency_from_title(title: &str) -> Option<String> {
    let mut s = title.to_string();
    if let Some(re) = year_re() {
        s = re.replace_all(&s, "").to_string();
    }
    s = s.replace('度', "");
    for cut in [
        "政府信息公开工作年报告",
        "政府信息公开年报告",
        "政务公开工作年报告",
        "政府信息公开工作年报",
        "政府信息公开年报",
        "信息公开工作年报告",
        "年报告",
    ] {
        if let Some(i) = s.find(cut) {
            s.truncate(i);
        }
    }
    let s = s
        .trim_start_matches("关于")
        .trim_end_matches('的')
        .trim()
        .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    looks_like_agency(s).then(|| s.to_string())
}

/// Find the metadata in the first lines of a report.
pub fn find(lines: &[String], full_text: &str) -> Meta {
    let mut m = Meta::default();
    let head: Vec<&String> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(40)
        .collect();
    // A title names the report and ends with it; narrative lines that mention the report
    // (`本年度报告是根据…`) are sentences, not titles.
    let is_title = |l: &str| {
        let t = clean_title(l);
        let n = t.chars().count();
        (6..=80).contains(&n)
            && t.contains("公开")
            && (t.ends_with("报告") || t.ends_with("年报") || t.ends_with("报告)"))
            && !t.contains(['。', ',', '，', ';', '；'])
    };
    // Titles broken over two lines (`…政府信息公开工作` / `年度报告`) are joined first.
    let mut head: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    if let Some(i) = head
        .iter()
        .position(|l| !is_title(l) && l.contains("政府信息公开") && l.chars().count() < 40)
    {
        if let Some(next) = head.get(i + 1) {
            let joined = format!("{}{}", head[i].trim(), next.trim());
            if next.chars().count() <= 12 && is_title(&joined) {
                head[i] = joined;
            }
        }
    }
    let title_idx = head.iter().position(|l| is_title(l));
    if let Some(i) = title_idx {
        let t = clean_title(&head[i]);
        m.agency = agency_from_title(&t);
        if m.agency.is_none() {
            // The agency on its own line next to the title (township reports).
            for j in [i + 1, i.wrapping_sub(1)] {
                if let Some(l) = head.get(j) {
                    let l = l.trim();
                    if looks_like_agency(l) {
                        m.agency = Some(l.to_string());
                        break;
                    }
                }
            }
        }
        if let Some(c) = year_re().and_then(|re| re.captures(&t)) {
            m.year = c.get(1).and_then(|y| y.as_str().parse().ok());
        }
        m.title = Some(t);
    }
    if m.year.is_none() {
        if let Some(c) = period_re().and_then(|re| re.captures(full_text)) {
            m.year = c.get(1).and_then(|y| y.as_str().parse().ok());
        }
    }
    if m.year.is_none() {
        // The year mentioned most often near the start.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_and_year_from_title() {
        let lines = vec!["2020年梅河口市商务局政府信息公开工作年度报告".to_string()];
        let m = find(&lines, &lines[0]);
        assert_eq!(m.agency.as_deref(), Some("梅河口市商务局"));
        assert_eq!(m.year, Some(2020));
        let lines = vec!["标题: 平潭综合实验区2021年度政府信息公开工作年度报告".to_string()];
        let m = find(&lines, &lines[0]);
        assert_eq!(m.agency.as_deref(), Some("平潭综合实验区"));
        assert_eq!(m.year, Some(2021));
    }

    #[test]
    fn agency_on_the_next_line() {
        let lines: Vec<String> = [
            "2022年政府信息公开工作年度报告",
            "桃江县松木塘镇人民政府",
            "一、总体情况",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = find(&lines, "");
        assert_eq!(m.agency.as_deref(), Some("桃江县松木塘镇人民政府"));
    }
}
