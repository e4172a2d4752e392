#!/usr/bin/env sh
# Build the fuzz targets the way `cargo fuzz build -s none` does (libFuzzer, SanitizerCoverage
# with inline 8-bit counters and compare tracing, debug assertions and overflow checks on), on
# the stable toolchain: RUSTC_BOOTSTRAP=1 unlocks the flags cargo-fuzz needs. No AddressSanitizer:
# every target is safe Rust, and without it a target runs several times faster.
#   sh fuzz/build.sh            (binaries in fuzz/target/x86_64-unknown-linux-gnu/release/<target>)
set -eu
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# --target keeps RUSTFLAGS off build scripts and proc macros (as cargo-fuzz does).
exec cargo build --release --bins --target x86_64-unknown-linux-gnu "$@"
