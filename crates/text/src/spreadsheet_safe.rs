//! Text that a spreadsheet would run as a formula when a CSV file is opened (OWASP's "CSV
//! injection" rule: a field starting with `=`, `+`, `-`, `@`, tab or carriage return). Every
//! CSV writer passes its *text* fields through [`neutralise_formula`]; numbers are written as
//! numbers and never pass through it, so value columns stay numeric.

use std::borrow::Cow;

/// Whether a spreadsheet would take this text for a formula.
pub fn is_formula_like(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// The text as a CSV writer must write it: formula-like text gets a leading `'`, which Excel,
/// LibreOffice and Google Sheets show as text and do not evaluate; other text is unchanged.
pub fn neutralise_formula(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_is_neutralised_and_nothing_else() {
        for p in ["=", "+", "-", "@", "\t", "\r"] {
            let s = format!("{p}HYPERLINK(\"http://x\",\"y\")");
            assert_eq!(neutralise_formula(&s), format!("'{s}"));
        }
        for s in ["平潭", "12", "'=already", " =x", "", "{\"a\":1}", "a=b"] {
            assert_eq!(neutralise_formula(s), s);
        }
    }
}
