//! Fuzz targets of nianbao (see `README.md` in this folder). The entry points live in
//! `targets.rs`, shared with the regression replay of the main workspace.

include!("../targets.rs");
