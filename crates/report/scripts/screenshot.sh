#!/usr/bin/env bash
# Render a report page in headless Chromium (Debian's `chromium`) at desktop and at phone
# width, and check what the browser built from it.
#
#   crates/report/scripts/screenshot.sh PAGE.html OUT_DIR [NAME] [DESKTOP_HEIGHT] [PHONE_HEIGHT]
#
# writes OUT_DIR/NAME-desktop.png (1280 px wide) and OUT_DIR/NAME-phone.png (390 px wide;
# the page's phone layout applies below 600 px), then dumps the DOM the browser parsed and
# checks it has the same number of charts as the file and its closing tag.
# Chinese text needs a CJK font (Debian: fonts-noto-cjk), otherwise it renders as boxes.
# Exit status: 0 done, 1 failed, 77 chromium not installed (prints SKIPPED).
set -euo pipefail
page=${1:?usage: screenshot.sh PAGE.html OUT_DIR [NAME] [DESKTOP_HEIGHT] [PHONE_HEIGHT]}
out=${2:?usage: screenshot.sh PAGE.html OUT_DIR [NAME]}
name=${3:-report}
dh=${4:-2000}
ph=${5:-2400}
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
    echo "SKIPPED: browser check: chromium is not installed (apt-get install -y chromium fonts-noto-cjk)"
    exit 77
fi
# (count, not `grep -q`: with pipefail an early exit of grep fails the pipeline)
if [ "$(fc-list 2>/dev/null | grep -ci cjk || true)" -eq 0 ]; then
    echo "warning: no CJK font installed (fonts-noto-cjk): Chinese text will render as boxes" >&2
fi
mkdir -p "$out"
url="file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network at all: the page must not need any (no DNS, no background fetches).
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --host-resolver-rules="MAP * ~NOTFOUND"
       --user-data-dir="$profile")
shot() {
    "$chrome" "${flags[@]}" --screenshot="$1" --window-size="$2" "$url" >/dev/null 2>&1
    # A blank window compresses to a few KB; a rendered page is far larger.
    size=$(stat -c %s "$1" 2>/dev/null || echo 0)
    [ "$size" -gt 20000 ] || { echo "FAILED: screenshot $1 is blank or missing ($size bytes)" >&2; exit 1; }
    echo "wrote $1 ($2)"
}
shot "$out/$name-desktop.png" "1280,$dh"
shot "$out/$name-phone.png" "390,$ph"
dom=$("$chrome" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
want=$(grep -o 'data-chart="[^"]*"' "$page" | wc -l)
got=$(printf '%s' "$dom" | grep -o 'data-chart="[^"]*"' | wc -l)
if [ "$want" != "$got" ] || ! printf '%s' "$dom" | grep -q '</html>'; then
    echo "FAILED: the browser built $got charts of $want" >&2
    exit 1
fi
echo "browser check: $got charts rendered by $("$chrome" --version 2>/dev/null | head -1)"
