//! nianbao-html (stub)
