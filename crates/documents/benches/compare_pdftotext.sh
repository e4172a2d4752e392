#!/bin/sh
# Time `pdftotext -layout` (poppler) on the PDFs the criterion bench reads, then run the
# bench, so both numbers come from the same run on the same machine.
# Usage (from the repository root): sh crates/documents/benches/compare_pdftotext.sh [ROUNDS]
set -eu
ROUNDS=${1:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
FILES="$REPO/tests/fixtures/documents/006.pdf $REPO/../shared/corpus/dev/025.pdf $REPO/../shared/corpus/dev/026.pdf"
command -v pdftotext >/dev/null || { echo "pdftotext not installed (apt-get install poppler-utils)"; exit 1; }
echo "== pdftotext -layout, $ROUNDS rounds per file, one process per round"
for f in $FILES; do
    [ -f "$f" ] || { echo "SKIPPED $f (absent)"; continue; }
    pages=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
    start=$(date +%s.%N)
    i=0
    while [ $i -lt "$ROUNDS" ]; do pdftotext -layout "$f" /dev/null; i=$((i + 1)); done
    end=$(date +%s.%N)
    echo "$(basename "$f"): $pages pages, $ROUNDS rounds" | tr '\n' ' '
    echo "$start $end $pages $ROUNDS" | awk '{t=($2-$1)/$4; printf "%.2f ms/file, %.0f pages/s\n", t*1000, $3/t}'
done
echo "== nianbao-documents (criterion, pages/s = thrpt)"
cd "$REPO" && cargo bench -p nianbao-documents --bench pdf -- --noplot 2>&1 | grep -E 'pdf_read/|time:|thrpt:'
