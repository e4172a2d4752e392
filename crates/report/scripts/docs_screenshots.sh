#!/usr/bin/env bash
# Regenerate docs/report-desktop.png and docs/report-phone.png: the offline demo crawled
# into a temporary folder with `--report`, rendered by screenshot.sh (the top of the page).
#   crates/report/scripts/docs_screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build --release --bin nianbao
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/nianbao crawl --config data/demo/demo.toml --data "$tmp/archive" --out "$tmp/out" --report >/dev/null
crates/report/scripts/screenshot.sh "$tmp/out/report.html" docs report 1900 2600
