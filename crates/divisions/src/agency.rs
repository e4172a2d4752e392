//! What kind of body an agency name describes once its place names are taken off.

use serde::Serialize;

/// What the agency is, relative to its government.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// The people's government itself (人民政府, a zone's 管委会, a township or street office),
    /// also when its report is published by its general office (flag `published_by_office`).
    Government,
    /// A department of a government: 局, 委, 办, 厅, 署, 室 …, and the government's own
    /// 办公厅/办公室 when the report is the office's own.
    Department,
    /// Not part of a government: courts, procuratorates, people's congresses, CPPCC, party
    /// bodies, mass organisations, institutions (中心, 院, 站, 馆, schools, hospitals), SOEs,
    /// branches of central vertical agencies.
    Other,
}

impl AgencyKind {
    /// The column value: `government`, `department`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Government => "government",
            AgencyKind::Department => "department",
            AgencyKind::Other => "other",
        }
    }
}

impl std::fmt::Display for AgencyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The agency part of a name, after the place names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// The government itself.
    Government,
    /// Its general office: `办公厅` or `办公室`.
    Office(&'static str),
    /// A department, by its normalised name.
    Department(String),
    /// Not part of the government.
    Other(String),
    /// Words that name no recognisable body.
    Unknown(String),
}

/// What follows a place name when the agency is the government itself.
const GOVERNMENT: &[&str] = &[
    "",
    "人民政府",
    "政府",
    "管委会",
    "管理委员会",
    "党工委管委会",
    "党工委、管委会",
    "人民政府网",
    "政府网",
    "人民政府门户网站",
    "政府门户网站",
    "人民政府网站",
    "政府网站",
];

/// The general office of the government, by what follows the place name.
const OFFICES: &[(&str, &str)] = &[
    ("人民政府办公厅", "办公厅"),
    ("人民政府办公室", "办公室"),
    ("政府办公厅", "办公厅"),
    ("政府办公室", "办公室"),
    ("政府办", "办公室"),
    ("管委会办公室", "办公室"),
    ("管理委员会办公室", "办公室"),
    ("办公厅", "办公厅"),
];

/// Words that make a body something other than a government department.
const NOT_GOVERNMENT: &[&str] = &[
    "法院",
    "检察院",
    "人大",
    "人民代表大会",
    "政协",
    "政治协商",
    "纪委",
    "纪律检查",
    "监察委员会",
    "监委",
    "党委",
    "党校",
    "工会",
    "妇联",
    "妇女联合会",
    "共青团",
    "团委",
    "科协",
    "科学技术协会",
    "文联",
    "残联",
    "残疾人联合会",
    "红十字会",
    "工商联",
    "侨联",
    "武装部",
    "兵团",
    "学校",
    "大学",
    "学院",
    "中学",
    "小学",
    "幼儿园",
    "医院",
    "卫生院",
    "银行",
    "公司",
    "集团",
    "研究院",
    "研究所",
    "图书馆",
    "博物馆",
    "纪念馆",
    "文化馆",
    "档案馆",
    "中心",
    "站",
    "协会",
    "学会",
    "基金会",
    "报社",
    "电视台",
    "出版社",
    "供销",
];

/// [`NOT_GOVERNMENT`] as one automaton: `classify` runs on every call.
fn not_government() -> Option<&'static aho_corasick::AhoCorasick> {
    static A: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    A.get_or_init(|| aho_corasick::AhoCorasick::new(NOT_GOVERNMENT).ok())
        .as_ref()
}

/// How the name of an institution ends (设计院, 文化馆, 派出所, 杂志社, 幼儿园).
const OTHER_ENDS: &[&str] = &["院", "馆", "所", "站", "社", "校", "园"];

/// How a department's name ends.
const DEPARTMENT_ENDS: &[&str] = &[
    "局",
    "厅",
    "委",
    "委员会",
    "办",
    "办公室",
    "署",
    "室",
    "管委会",
    "大队",
    "支队",
];

/// Parenthesised notes (`上海市科学技术委员会（市科委）`) and a leading `人民政府` are not part
/// of a department's name.
fn department_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let t = out
        .strip_prefix("人民政府")
        .or_else(|| out.strip_prefix("政府"))
        .filter(|t| t.chars().count() >= 2)
        .unwrap_or(&out);
    t.to_string()
}

/// Classify what follows the place names of an agency.
pub(crate) fn classify(rest: &str) -> Body {
    let bare = department_name(rest);
    if GOVERNMENT.contains(&rest) || GOVERNMENT.contains(&bare.as_str()) {
        return Body::Government;
    }
    if let Some((_, office)) = OFFICES.iter().find(|(o, _)| *o == rest || *o == bare) {
        return Body::Office(office);
    }
    // 县委, 市委办公室: the party committee.
    if bare.starts_with('委')
        || not_government().is_some_and(|a| a.is_match(bare.as_str()))
        || OTHER_ENDS.iter().any(|e| bare.ends_with(e))
    {
        return Body::Other(bare);
    }
    if DEPARTMENT_ENDS.iter().any(|e| bare.ends_with(e)) && bare.chars().count() >= 2 {
        return Body::Department(bare);
    }
    Body::Unknown(bare)
}

/// Prefixes of agency names that are not a government's: the party, the Youth League, and
/// branches of central vertical agencies, which name their place after the prefix.
pub(crate) const FOREIGN_PREFIXES: &[&str] = &[
    "中国共产党",
    "中共",
    "共青团",
    "国家税务总局",
    "中国人民银行",
    "国家金融监督管理总局",
    "中国银行保险监督管理委员会",
    "中国证券监督管理委员会",
    "国家统计局",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(classify(""), Body::Government);
        assert_eq!(classify("人民政府"), Body::Government);
        assert_eq!(classify("管委会"), Body::Government);
        assert_eq!(classify("人民政府办公厅"), Body::Office("办公厅"));
        assert_eq!(classify("政府办"), Body::Office("办公室"));
        assert_eq!(classify("商务局"), Body::Department("商务局".into()));
        assert_eq!(classify("科委"), Body::Department("科委".into()));
        assert_eq!(
            classify("人民政府国有资产监督管理委员会"),
            Body::Department("国有资产监督管理委员会".into())
        );
        assert_eq!(
            classify("科学技术委员会(市科委)"),
            Body::Department("科学技术委员会".into())
        );
        assert_eq!(classify("人民法院"), Body::Other("人民法院".into()));
        assert_eq!(classify("委办公室"), Body::Other("委办公室".into()));
        assert_eq!(
            classify("城市规划设计院"),
            Body::Other("城市规划设计院".into())
        );
        assert_eq!(classify("档案局(馆)"), Body::Department("档案局".into()));
        assert_eq!(
            classify("农业农村局(乡村振兴中心)"),
            Body::Department("农业农村局".into())
        );
        assert_eq!(classify("政务服务中心"), Body::Other("政务服务中心".into()));
        assert_eq!(
            classify("统筹推动城市转型"),
            Body::Unknown("统筹推动城市转型".into())
        );
    }
}
