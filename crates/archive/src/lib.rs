//! nianbao-archive (stub)
