//! A cell's final value with its provenance: raw text and flags.

use crate::assign::Raw;
use crate::flags::CellFlag;
use crate::report::Value;
use crate::tokens::{as_int, yuan_to_wan, Unit};
pub use nianbao_templates::ColumnKind;

/// One template cell after alignment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellOut {
    /// The value, `None` when missing.
    pub value: Option<Value>,
    /// The raw source text, when a cell was read.
    pub raw: Option<String>,
    /// Flags (`blank`, `derived`, ...).
    pub flags: Vec<CellFlag>,
}

impl CellOut {
    /// A missing cell with one flag.
    pub fn missing(flag: CellFlag) -> Self {
        CellOut {
            value: None,
            raw: None,
            flags: vec![flag],
        }
    }

    /// Add a flag once.
    pub fn flag(&mut self, f: CellFlag) {
        if !self.flags.contains(&f) {
            self.flags.push(f);
        }
    }
}

/// Turn a raw cell into a value according to its column.
pub fn convert(raw: &Raw, kind: ColumnKind) -> CellOut {
    match raw {
        Raw::Blank => CellOut::missing(CellFlag::Blank),
        Raw::Missing(m) => CellOut {
            value: None,
            raw: Some(m.clone()),
            flags: vec![CellFlag::MissingMarker],
        },
        Raw::Num(n) => {
            let mut out = CellOut {
                value: None,
                raw: Some(n.raw.clone()),
                flags: Vec::new(),
            };
            let dec = || n.digits.parse::<f64>().ok();
            match kind {
                ColumnKind::Count | ColumnKind::Signed => {
                    if n.unit != Unit::None {
                        out.flag(CellFlag::UnexpectedUnit);
                    }
                    out.value = match as_int(&n.digits) {
                        Some(i) => Some(Value::Int(i)),
                        None => {
                            out.flag(CellFlag::NotInteger);
                            dec().map(Value::Dec)
                        }
                    };
                    if n.sign_in_words {
                        out.flag(CellFlag::SignedInWords);
                        // A count is never a change: `增加3` in a count column says how the
                        // count moved, not what it is, so the cell stays null.
                        if kind == ColumnKind::Count {
                            out.value = None;
                        }
                    } else if kind == ColumnKind::Count && n.digits.starts_with('-') {
                        out.flag(CellFlag::Negative);
                    }
                }
                ColumnKind::MoneyWan | ColumnKind::MoneyCell => match n.unit {
                    Unit::Yuan => {
                        out.value = yuan_to_wan(&n.digits).map(Value::Dec);
                        out.flag(CellFlag::UnitConvertedFromYuan);
                    }
                    Unit::Wan => out.value = money_value(&n.digits),
                    Unit::None => {
                        out.value = money_value(&n.digits);
                        if kind == ColumnKind::MoneyCell {
                            out.flag(CellFlag::UnitUnknown);
                        }
                    }
                },
            }
            out
        }
    }
}

fn money_value(digits: &str) -> Option<Value> {
    match as_int(digits) {
        Some(i) => Some(Value::Int(i)),
        None => digits.parse::<f64>().ok().map(Value::Dec),
    }
}
