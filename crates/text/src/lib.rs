//! Text handling for nianbao: bytes to Unicode ([`decode`], the project's one charset
//! decision), the normalisation every label goes through before matching ([`normalize`]), the
//! [`Line`] type that every reader (text, HTML, PDF, Office) emits and the aligner consumes,
//! the one list of file types ([`filetypes`]) and the one reader of report titles ([`title`]),
//! the resource [`Limits`] of every reader of untrusted bytes, the HTML nesting guard
//! ([`guard_html`]) that runs before any HTML parser, and the CSV formula guard
//! ([`neutralise_formula`]) of every CSV writer.
//!
//! ```
//! let d = nianbao_text::decode(b"\xef\xbb\xbf2020", None);
//! assert_eq!(d.text, "2020");
//! assert_eq!(nianbao_text::normalize("商務(wù)局"), "商务局");
//! ```

mod charset_info;
mod decode;
pub mod filetypes;
mod html_guard;
pub mod limits;
mod lines;
mod normalize;
mod spreadsheet_safe;
pub mod title;

pub use charset_info::CharsetInfo;
pub use decode::{
    content_type_charset, decode, sniff_meta_charset, CharsetSource, Decoded, Overruled,
};
pub use html_guard::{guard_html, guard_html_bytes, Guarded};
pub use limits::{LimitExceeded, Limits};
pub use lines::{split_text, split_text_line, Line, LineKind};
pub use normalize::{compact, compact_char, normalize, strip_pinyin, to_simplified};
pub use spreadsheet_safe::{is_formula_like, neutralise_formula};
