//! nianbao-templates (stub)
