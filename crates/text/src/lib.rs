//! Text handling for nianbao: bytes to Unicode ([`decode`]), the normalisation every label
//! goes through before matching ([`normalize`]), and the [`Line`] type that every reader (text,
//! HTML, PDF, Office) emits and the aligner consumes; the one list of file types
//! ([`filetypes`]) and the one reader of report titles ([`title`]).
//!
//! ```
//! let d = nianbao_text::decode(b"\xef\xbb\xbf2020", None);
//! assert_eq!(d.text, "2020");
//! assert_eq!(nianbao_text::normalize("商務(wù)局"), "商务局");
//! ```

mod charset_info;
mod decode;
pub mod filetypes;
mod lines;
mod normalize;
pub mod title;

pub use charset_info::CharsetInfo;
pub use decode::{decode, sniff_meta_charset, CharsetSource, Decoded};
pub use lines::{split_text, split_text_line, Line, LineKind};
pub use normalize::{compact, compact_char, normalize, strip_pinyin, to_simplified};
