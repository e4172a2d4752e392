#!/usr/bin/env bash
# The report page in a real browser (run by .ci/run): writes the page of the hand-made
# contract dataset (every chart) and of the bundled samples (partial folder), then has
# headless Chromium render each at desktop and phone width (screenshot.sh). Prints SKIPPED
# and succeeds when Chromium is not installed; CI does not install it.
#   NIANBAO_BIN=target/debug/nianbao crates/report/scripts/browser_check.sh [SHOTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/../../.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    echo "SKIPPED: browser check of report.html: chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
    exit 0
fi
bin=${NIANBAO_BIN:-target/debug/nianbao}
[ -x "$bin" ] || cargo build --bin nianbao
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shots=${1:-$tmp/shots}
fixture=crates/report/tests/fixtures/dataset
"$bin" report "$fixture" --out "$tmp/fixture" --crawl-summary "$fixture/last-summary.json"
"$bin" extract data/samples --out "$tmp/samples" >/dev/null
"$bin" report "$tmp/samples"
for name in fixture samples; do
    crates/report/scripts/screenshot.sh "$tmp/$name/report.html" "$shots" "$name"
done
echo "browser check passed (screenshots in $shots)"
