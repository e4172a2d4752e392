#!/usr/bin/env sh
# Build the fuzz targets the way `cargo fuzz build -s none` does (libFuzzer, SanitizerCoverage
# with inline 8-bit counters, compare tracing (per package: see Cargo.toml's profile), debug
# assertions and overflow checks on), on the stable toolchain: RUSTC_BOOTSTRAP=1 unlocks the flags cargo-fuzz needs. No AddressSanitizer:
# every target is safe Rust, and without it a target runs several times faster.
#   sh fuzz/build.sh            (binaries in fuzz/target/x86_64-unknown-linux-gnu/release/<target>)
#   NOHOOKS=1 sh fuzz/build.sh  (the same without libFuzzer's memcmp hooks; see below)
set -eu
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# NOHOOKS=1: libFuzzer without its memcmp/strcmp interceptors (FuzzerInterceptors.cpp). Their
# hook copies both operands of every memcmp into libFuzzer's comparison table; the aligner's
# maps of cell keys make thousands of such calls per report, 15-45% of the text and html
# targets' time (perf). Edge coverage and integer compare tracing are unchanged; only the
# memcmp-derived dictionary hints are lost.
if [ "${NOHOOKS:-0}" = 1 ]; then
  src=$(dirname "$(cargo metadata --format-version 1 --locked 2>/dev/null |
    grep -o '"manifest_path":"[^"]*libfuzzer-sys-[^"]*"' | head -1 | cut -d'"' -f4)")/libfuzzer
  if [ ! -d "$src" ]; then
    echo "NOHOOKS=1: libFuzzer's sources not found in libfuzzer-sys (run \`cargo fetch\` in fuzz/)" >&2
    exit 1
  fi
  lib=target/libfuzzer-nohooks
  mkdir -p "$lib"
  for f in "$src"/*.cpp; do
    case $f in *Interceptors*) continue ;; esac
    c++ -c -O2 -std=c++17 -fno-omit-frame-pointer -w "$f" -o "$lib/$(basename "$f" .cpp).o"
  done
  rm -f "$lib/libfuzzer_nohooks.a"
  ar rcs "$lib/libfuzzer_nohooks.a" "$lib"/*.o
  export CUSTOM_LIBFUZZER_PATH="$PWD/$lib/libfuzzer_nohooks.a"
fi
# --target keeps RUSTFLAGS off build scripts and proc macros (as cargo-fuzz does).
exec cargo build --release --bins --target x86_64-unknown-linux-gnu "$@"
