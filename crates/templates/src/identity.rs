//! The accounting identities (勾稽关系) as data, and the closed set of check ids.

use serde::{Deserialize, Serialize};

/// The id of a check: the identities I1-I4 within a report, and the cross-year check X1 the
/// dataset computes between an agency's consecutive reports. Serialises to `I1` … `X1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckId {
    /// Table 三, per column: 一 + 二 = （七）总计 + 四.
    I1,
    /// Table 三, per row: 总计 = the six applicant columns.
    I2,
    /// Table 三, per column: （七）总计 = the sum of all results.
    I3,
    /// Table 四, per group: 总计 = the four outcomes.
    I4,
    /// Across years: 上年结转 of a report = 结转下年度 of the same agency's previous report.
    X1,
}

impl CheckId {
    /// Every check id.
    pub const ALL: [CheckId; 5] = [
        CheckId::I1,
        CheckId::I2,
        CheckId::I3,
        CheckId::I4,
        CheckId::X1,
    ];

    /// The id as written in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::I1 => "I1",
            CheckId::I2 => "I2",
            CheckId::I3 => "I3",
            CheckId::I4 => "I4",
            CheckId::X1 => "X1",
        }
    }

    /// Parse an id as written.
    pub fn parse(s: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// What the check says, in English.
    pub fn description(self) -> &'static str {
        match self {
            CheckId::I1 => {
                "Table 3, per column: new + carried over = results total + carried forward"
            }
            CheckId::I2 => "Table 3, per row: total = the six applicant columns",
            CheckId::I3 => "Table 3, per column: results total = the sum of all result rows",
            CheckId::I4 => "Table 4, per group: total = upheld + corrected + other + pending",
            CheckId::X1 => "across years: carried over = the previous report's carried forward",
        }
    }

    /// What the check says, in Chinese.
    pub fn description_zh(self) -> &'static str {
        match self {
            CheckId::I1 => "表三各列：第一项加第二项之和等于第三项加第四项之和",
            CheckId::I2 => "表三各行：总计等于各申请人之和",
            CheckId::I3 => "表三各列：（七）总计等于各办理结果之和",
            CheckId::I4 => "表四各组：总计等于结果维持、结果纠正、其他结果、尚未审结之和",
            CheckId::X1 => "跨年度：上年结转等于上一年度报告的结转下年度",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What an identity is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// Each Table 三 column; the sides name Table 三 rows.
    T3Columns,
    /// Each Table 三 row; the sides name Table 三 columns.
    T3Rows,
    /// Each Table 四 group; the sides name Table 四 columns.
    T4Groups,
}

impl Over {
    /// Parse the data-file name.
    pub fn parse(s: &str) -> Option<Over> {
        Some(match s {
            "t3_columns" => Over::T3Columns,
            "t3_rows" => Over::T3Rows,
            "t4_groups" => Over::T4Groups,
            _ => return None,
        })
    }
}

/// One identity of a format, resolved to indices: `sum(lhs) = sum(rhs)` for every scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Check id.
    pub id: CheckId,
    /// What it is applied to.
    pub over: Over,
    /// Left side: Table 三 rows (T3Columns) or columns (T3Rows, T4Groups).
    pub lhs: Vec<usize>,
    /// Right side, same kind of index as `lhs`.
    pub rhs: Vec<usize>,
}

impl Identity {
    /// The identity's single left cell, when it has one (then it can fill a blank total).
    pub fn total(&self) -> Option<usize> {
        match self.lhs.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}
