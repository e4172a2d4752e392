//! nianbao-export (stub)
