//! nianbao-ingest (stub)
