//! nianbao-documents (stub)
