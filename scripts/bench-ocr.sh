#!/usr/bin/env bash
# OCR speed and memory: `nianbao extract FILE --format json` on the OCR fixtures, whole process
# (decoding, rule finding, tesseract runs, layout, aligner), one page after another.
# Usage: sh scripts/bench-ocr.sh [path/to/nianbao]   (default target/release/nianbao)
set -eu
BIN=${1:-target/release/nianbao}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in tests/fixtures/ocr/006-scan-ccitt.pdf tests/fixtures/ocr/006-scan-flate.pdf \
         tests/fixtures/ocr/006-scan-jpeg.pdf tests/fixtures/ocr/006-tables.png; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$tmp/rss" "$BIN" extract "$f" --format json > "$tmp/out.json"
  end=$(date +%s.%N)
  python3 - "$f" "$start" "$end" "$tmp/out.json" "$tmp/rss" <<'PY'
import json, sys
f, start, end, out, rss = sys.argv[1:]
r = json.load(open(out))[0]
pages = ((r.get("provenance") or {}).get("ocr") or {}).get("pages", 0)
secs = float(end) - float(start)
kb = int(open(rss).read().split()[-1])
print(f"{f:40s} {pages} pages {secs:6.1f} s {pages / secs:5.2f} pages/s  peak RSS {kb // 1024} MB")
PY
done
