//! The source registry (`data/sources/registry.csv`): one row per government portal or
//! 年报 column, header `kind,name,start,division_code,level,province,cms,evidence,source`.
//! `[registry]` in `config.toml` names the file and selects rows by kind, province, level,
//! CMS and division-code prefix; the selected rows become crawl [`Source`]s next to the
//! hand-written `[[sources]]`.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{ConfigError, Source};

/// `[registry]`: which file, which rows.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// The registry CSV (relative paths are taken from the working directory, like the
    /// `[storage]` paths).
    pub file: PathBuf,
    /// Row kinds to keep (`portal`, `column`); empty keeps both.
    pub kind: Vec<String>,
    /// Provinces to keep: a name (`福建省`, or its start `福建`) or a 2-digit code (`35`).
    pub province: Vec<String>,
    /// Levels to keep (`province`, `prefecture`, `county`, `department`, `other`).
    pub level: Vec<String>,
    /// CMS families to keep, as written in the registry's `cms` column (case-insensitive).
    pub cms: Vec<String>,
    /// Division-code prefixes to keep (`3501` keeps Fuzhou and its counties).
    pub division_code: Vec<String>,
}

/// One registry row.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RegistryRow {
    /// `portal` (a government's home page: the crawl discovers its 年报 column) or
    /// `column` (the 年报 column or the platform's 年报 list itself).
    pub kind: String,
    /// Name of the government or department.
    pub name: String,
    /// Start URL.
    pub start: String,
    /// 6-digit administrative division code of the government (empty when unknown).
    #[serde(default)]
    pub division_code: String,
    /// `province`, `prefecture`, `county`, `department` or `other`.
    #[serde(default)]
    pub level: String,
    /// Province name.
    #[serde(default)]
    pub province: String,
    /// CMS family when known.
    #[serde(default)]
    pub cms: String,
    /// Where the address was seen.
    #[serde(default)]
    pub evidence: String,
    /// Which public list the row comes from.
    #[serde(default)]
    pub source: String,
}

const KINDS: [&str; 2] = ["portal", "column"];
const LEVELS: [&str; 5] = ["province", "prefecture", "county", "department", "other"];

/// Read and check a registry file. A malformed row is a configuration error naming its line
/// (the registry is configuration: a silent skip would hide a lost source).
pub fn load(path: &Path) -> Result<Vec<RegistryRow>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parse registry CSV text (`origin` names it in errors).
pub fn parse(text: &str, origin: &str) -> Result<Vec<RegistryRow>, ConfigError> {
    let text = text.trim_start_matches('\u{feff}');
    let bad = |line: u64, message: String| ConfigError::Parse {
        path: origin.to_string(),
        message: format!("line {line}: {message}"),
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    for need in ["kind", "name", "start"] {
        if !headers.iter().any(|h| h == need) {
            return Err(bad(1, format!("missing column {need:?}")));
        }
    }
    let mut rows = Vec::new();
    for rec in rdr.deserialize::<RegistryRow>() {
        let line = rows.len() as u64 + 2;
        let row = rec.map_err(|e| bad(line, e.to_string()))?;
        if !KINDS.contains(&row.kind.as_str()) {
            return Err(bad(
                line,
                format!("kind {:?} is not portal or column", row.kind),
            ));
        }
        if !row.level.is_empty() && !LEVELS.contains(&row.level.as_str()) {
            return Err(bad(line, format!("unknown level {:?}", row.level)));
        }
        let url = url::Url::parse(row.start.trim())
            .map_err(|e| bad(line, format!("bad start URL {:?}: {e}", row.start)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(line, format!("only http(s) start URLs: {}", row.start)));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// True when `filter` keeps `value` (an empty filter keeps everything).
fn keeps(filter: &[String], value: &str) -> bool {
    filter.is_empty()
        || filter
            .iter()
            .any(|f| f.trim().eq_ignore_ascii_case(value.trim()))
}

/// The 31 province-level divisions: 2-digit code prefix and name.
pub const PROVINCES: [(&str, &str); 31] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
];

/// True when a province filter value names this province: a code (its first two digits,
/// `35` or `350000`) or a name or its beginning (`福建` for 福建省), compared with the
/// source's division code and with its province name.
pub fn province_matches(filter: &str, province: &str, division_code: &str) -> bool {
    let f = filter.trim();
    if f.is_empty() {
        return false;
    }
    let (code, name) = if f.bytes().all(|b| b.is_ascii_digit()) {
        let code = f.get(..2).unwrap_or(f);
        let name = PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n);
        (Some(code), name)
    } else {
        let code = PROVINCES
            .iter()
            .find(|(_, n)| n.starts_with(f))
            .map(|(c, _)| *c);
        (code, Some(f))
    };
    code.is_some_and(|c| division_code.starts_with(c))
        || name.is_some_and(|n| !province.is_empty() && province.starts_with(n))
}

impl RegistryConfig {
    /// Whether a row passes the `[registry]` filters.
    pub fn selects(&self, row: &RegistryRow) -> bool {
        keeps(&self.kind, &row.kind)
            && keeps(&self.level, &row.level)
            && keeps(&self.cms, &row.cms)
            && (self.province.is_empty()
                || self
                    .province
                    .iter()
                    .any(|p| province_matches(p, &row.province, &row.division_code)))
            && (self.division_code.is_empty()
                || self
                    .division_code
                    .iter()
                    .any(|p| !p.is_empty() && row.division_code.starts_with(p.trim())))
    }

    /// Load the file and turn the selected rows into sources with unique names.
    pub fn sources(&self) -> Result<Vec<Source>, ConfigError> {
        let rows = load(&self.file)?;
        Ok(to_sources(rows.iter().filter(|r| self.selects(r))))
    }
}

/// Registry rows → sources. A name that occurs more than once in the selection (朝阳区 is
/// in Beijing and in Changchun; a government can have a portal and a column row) gets the
/// division code, then the kind, then the host, then the start URL's path (two columns of one
/// government on one site, like 四川省人民政府's two), then the whole start URL appended, so
/// that every source name — the key of the summary and of `--due` — is unique and stable.
pub fn to_sources<'a>(rows: impl Iterator<Item = &'a RegistryRow>) -> Vec<Source> {
    let rows: Vec<&RegistryRow> = rows.collect();
    let host = |r: &RegistryRow| {
        url::Url::parse(r.start.trim())
            .map(|u| crate::scope::host_key(&u))
            .unwrap_or_default()
    };
    let path = |r: &RegistryRow| {
        url::Url::parse(r.start.trim())
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_default()
    };
    let mut names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let steps: [&dyn Fn(&RegistryRow) -> String; 5] = [
        &|r| r.division_code.clone(),
        &|r| r.kind.clone(),
        &|r| host(r),
        &|r| path(r),
        &|r| r.start.trim().to_string(),
    ];
    for step in steps {
        // Groups of equal names; a step is used in a group only when it tells rows apart.
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            groups.entry(n.clone()).or_default().push(i);
        }
        for members in groups.values().filter(|m| m.len() > 1) {
            let extras: Vec<String> = members.iter().map(|&i| step(rows[i])).collect();
            if extras.iter().all(|e| e == &extras[0]) {
                continue;
            }
            for (&i, extra) in members.iter().zip(extras) {
                if extra.is_empty() {
                    continue;
                }
                names[i] = match names[i].strip_suffix(']') {
                    Some(open) => format!("{open} {extra}]"),
                    None => format!("{} [{extra}]", names[i]),
                };
            }
        }
    }
    rows.iter()
        .zip(names)
        .map(|(r, name)| Source {
            name,
            start: vec![r.start.trim().to_string()],
            allow: Vec::new(),
            division_code: (!r.division_code.is_empty()).then(|| r.division_code.clone()),
            province: (!r.province.is_empty()).then(|| r.province.clone()),
            level: (!r.level.is_empty()).then(|| r.level.clone()),
            kind: Some(r.kind.clone()),
            cms: (!r.cms.is_empty()).then(|| r.cms.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "kind,name,start,division_code,level,province,cms,evidence,source\n";

    #[test]
    fn parse_checks_rows() {
        let ok = format!(
            "{HEAD}portal,朝阳区,http://www.bjchy.gov.cn,110105,county,北京市,,,github:x\n"
        );
        assert_eq!(parse(&ok, "r").unwrap()[0].division_code, "110105");
        let bad_kind =
            format!("{HEAD}site,朝阳区,http://www.bjchy.gov.cn,110105,county,北京市,,,\n");
        let e = parse(&bad_kind, "r").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("site"), "{e}");
        let bad_url = format!("{HEAD}column,x,ftp://a.gov.cn/,,other,,,,\n");
        assert!(parse(&bad_url, "r").is_err());
        assert!(
            parse("name,start\nx,http://a/\n", "r").is_err(),
            "kind column required"
        );
    }

    #[test]
    fn duplicate_names_become_unique() {
        let text = format!(
            "{HEAD}portal,朝阳区,http://www.bjchy.gov.cn,110105,county,北京市,,,\n\
             portal,朝阳区,http://www.chaoyang.gov.cn,220104,county,吉林省,,,\n\
             column,朝阳区,http://www.chaoyang.gov.cn/xxgk/nb/,220104,county,吉林省,,,\n\
             portal,黄山市,http://www.huangshan.gov.cn/,341000,prefecture,安徽省,,,\n\
             column,四川省人民政府,http://www.sc.gov.cn/10954/11064/,510000,province,四川省,,,\n\
             column,四川省人民政府,https://www.sc.gov.cn/10462/2025nb/xxgknbs.shtml,510000,province,四川省,,,\n\
             column,某局,http://a.example.gov.cn/nb/,,department,,,,\n\
             column,某局,https://a.example.gov.cn/nb/,,department,,,,\n"
        );
        let rows = parse(&text, "r").unwrap();
        let names: Vec<String> = to_sources(rows.iter())
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "朝阳区 [110105]",
                "朝阳区 [220104 portal]",
                "朝阳区 [220104 column]",
                "黄山市",
                "四川省人民政府 [/10954/11064/]",
                "四川省人民政府 [/10462/2025nb/xxgknbs.shtml]",
                "某局 [http://a.example.gov.cn/nb/]",
                "某局 [https://a.example.gov.cn/nb/]",
            ]
        );
    }

    #[test]
    fn province_filter_by_name_or_code() {
        assert!(province_matches("福建", "福建省", "350100"));
        assert!(province_matches("福建省", "福建省", "350100"));
        assert!(province_matches("35", "", "350100"));
        assert!(province_matches("350000", "", "350100"));
        assert!(
            province_matches("35", "福建省", ""),
            "no code: the name decides"
        );
        assert!(
            province_matches("福建", "", "350100"),
            "no name: the code decides"
        );
        assert!(!province_matches("广东", "福建省", "350100"));
        assert!(!province_matches("99", "福建省", "350100"));
    }
}
