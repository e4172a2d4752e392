//! Every flag a report can carry, in one place: its text (as serialised in JSON and CSV), and
//! what it means in Chinese and English. The README's flag tables and the dataset codebook are
//! checked against (or generated from) [`CellFlag::ALL`] and [`ReportFlag::ALL`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! flags {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$vdoc:meta])* $variant:ident = $text:literal, $zh:literal, $en:literal; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $name {
            /// Every flag, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The flag as written in JSON and CSV.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// What the flag means, in Chinese.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)* }
            }

            /// What the flag means, in English.
            pub fn meaning(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }

            /// The flag written as `s`.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }

            /// The flags as a Markdown table (`| flag | meaning |`), as the README prints it.
            pub fn markdown_table() -> String {
                let mut out = String::from("| flag | meaning |\n|---|---|\n");
                for f in Self::ALL {
                    out.push_str(&format!("| `{}` | {} |\n", f.as_str(), f.meaning()));
                }
                out
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} `{s}`", stringify!($name)))
                })
            }
        }
    };
}

flags! {
    /// Why a cell has the value it has, or none.
    CellFlag {
        /// The cell was printed empty.
        Blank = "blank", "单元格为空", "the cell was printed empty (null)";
        /// `/`, `-`, `—` or `无`.
        MissingMarker = "missing_marker", "以“/”“-”“—”“无”表示", "printed as `/`, `-`, `—` or `无` (null)";
        /// Filled from an identity.
        Derived = "derived", "由勾稽关系推出", "a blank total filled from an identity";
        /// Glued digits split by the identities.
        SplitByIdentity = "split_by_identity", "粘连数字按勾稽关系拆分", "glued digits split; the identities chose the only consistent split";
        /// Glued digits with one split.
        SplitGlued = "split_glued", "粘连数字唯一拆分", "glued digits with a single possible split";
        /// A reading chosen or confirmed by the report's own text.
        NarrativeConfirmed = "narrative_confirmed", "正文印证", "a reading chosen or confirmed by a figure the report's text states";
        /// Several readings, none chosen.
        Ambiguous = "ambiguous", "多种读法", "several readings possible; left null rather than guessed";
        /// Placed by the row identity after blanks were dropped.
        PositionInferred = "position_inferred", "按位置推断", "blank cells were dropped; the value was placed by the row identity";
        /// Rows read in document order.
        RowOrder = "row_order", "按行序读取", "numbers far from their labels; rows read in document order (identities hold)";
        /// The value came before its label.
        ValueBeforeLabel = "value_before_label", "数值在标签前", "a PDF printed the value before its row label";
        /// A signed change written in words.
        SignedInWords = "signed_in_words", "增减以文字表示", "a change written in words (`减4`, `增加3`, `下降2`) read as a signed number";
        /// Money without a unit.
        UnitUnknown = "unit_unknown", "未注明单位", "money printed without a unit; the raw number is kept";
        /// Money without a unit, implausible as 万元.
        UnitUnknownLikelyYuan = "unit_unknown:likely_yuan", "疑似以元为单位", "money without a unit, implausible as 万元 (likely 元)";
        /// Converted from 元.
        UnitConvertedFromYuan = "unit_converted_from_yuan", "由元换算为万元", "the cell said 元; converted to 万元";
        /// A unit where none belongs.
        UnexpectedUnit = "unexpected_unit", "单位异常", "a count printed with a money unit";
        /// A count that is not an integer.
        NotInteger = "not_integer", "非整数", "a count that is not an integer";
        /// A negative count.
        Negative = "negative", "负数", "a negative count";
        /// The row was not found.
        NotFound = "not_found", "未找到", "the row was not found (null)";
        /// The source ends inside the row.
        TruncatedSource = "truncated_source", "来源截断", "the source ends before the value (null)";
        /// No reading could be made.
        Unresolved = "unresolved", "无法确定", "the row's values could not be placed (null)";
        /// A blank dropped by the layout.
        DroppedBlank = "dropped_blank", "空白单元格缺失", "a blank cell dropped by the layout (null)";
        /// A row the report does not print.
        NotPrinted = "not_printed", "未印出", "the report does not print this row (null)";
        /// An OCR reading the identities do not confirm.
        OcrUnverified = "ocr_unverified", "识别值未经勾稽验证", "read by OCR but not confirmed by the identities of its row and column (null; the OCR text is in `raw`)";
    }
}

flags! {
    /// What is notable about a report as a whole.
    ReportFlag {
        /// No national table was found.
        NoTables = "no_tables", "未发现统计表", "no national table was found";
        /// The format was chosen by the year, not the labels.
        FormatNotFromLabels = "format_not_from_labels", "格式非由表头判定", "no header text of any format; the format was chosen by the rows found";
        /// An identity fails on the printed values.
        IdentityFailed = "identity_failed", "勾稽关系不成立", "an identity fails on the values as printed (see checks)";
        /// Table 三 read in row order.
        T3RowOrder = "t3_row_order", "表三按行序读取", "Table 三 read in document order (numbers far from their labels)";
        /// The page's plain text gave the values.
        TextFallback = "text_fallback", "按正文文本读取", "the page's tables gave nothing; its plain text was read";
        /// Page metadata names another agency.
        AgencyMismatchPage = "agency_mismatch_page", "页面机构不一致", "the page's metadata names another agency than the report";
        /// Page metadata names another year.
        YearMismatchPage = "year_mismatch_page", "页面年度不一致", "the page's title or date disagrees with the report's year";
        /// Cells of a pre-2019 report dropped.
        Pre2019CellsDropped = "pre2019_cells_dropped", "2019年前报告不取表格", "a report on a year before 2019: cells matched in its tables were dropped";
        /// A list of reports, not a report.
        ListingPage = "listing_page", "列表页", "a list of reports (a 年报 column), not a report";
        /// The tables are images.
        ImageOnly = "image_only", "表格为图片", "the tables are published as images (scanned pages or pictures)";
        /// The tables are in an attachment.
        AttachmentOnly = "attachment_only", "表格在附件中", "the page holds no table; the report is in its attachment";
        /// Decoding replaced bytes.
        DecodeErrors = "decode_errors", "解码错误", "malformed bytes were replaced while decoding the text";
        /// A kind of file that cannot be read.
        UnsupportedFormat = "unsupported_format", "格式不支持", "a file of a kind that cannot be read";
        /// A PDF without text.
        NoText = "no_text", "无文本层", "a PDF without any text";
        /// Glyphs without Unicode.
        UnmappedGlyphs = "unmapped_glyphs", "字符无法映射", "many PDF glyphs have no Unicode mapping";
        /// The agency was taken from the page of an attachment.
        AgencyFromPage = "agency_from_page", "机构取自页面", "the agency was taken from the page that links this attachment";
        /// The tables were read from images by OCR.
        Ocr = "ocr", "表格经文字识别读取", "the tables were read from images by OCR; only values the identities confirm are kept";
        /// Images that need OCR, and no OCR program.
        OcrUnavailable = "ocr_unavailable", "无法进行文字识别", "the tables are images and no OCR program (tesseract with chi_sim) was found; nothing was read from them";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for f in CellFlag::ALL {
            assert!(seen.insert(f.as_str()), "{f}");
            assert_eq!(CellFlag::parse(f.as_str()), Some(*f));
            let json = serde_json::to_string(f).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", f.as_str()));
        }
        for f in ReportFlag::ALL {
            assert!(seen.insert(f.as_str()), "{f}");
            assert_eq!(ReportFlag::parse(f.as_str()), Some(*f));
        }
        assert!(serde_json::from_str::<CellFlag>("\"no_such_flag\"").is_err());
    }
}
