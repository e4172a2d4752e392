#!/usr/bin/env sh
# Cost of the parser child process: `nianbao extract` on the corpus PDF and Office files
# (copied N times), one core, with the child (default) and with --no-sandbox, alternating
# in the same run so that the machine's load hits both alike.
#   sh crates/sandbox/benches/cost.sh [N]      (release build: cargo build --release first)
set -eu
cd "$(dirname "$0")/../../.."
n=${1:-10}
bin=${NIANBAO_BIN:-target/release/nianbao}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files="tests/fixtures/documents/006.pdf tests/fixtures/documents/006-unruled.pdf tests/fixtures/documents/009-text.pdf tests/fixtures/documents/006.docx tests/fixtures/documents/006.xlsx tests/fixtures/documents/006.xls tests/fixtures/documents/006.ods tests/fixtures/documents/006.doc"
for f in ../shared/corpus/dev/025.pdf ../shared/corpus/dev/026.pdf; do
  [ -f "$f" ] && files="$files $f"
done
i=0
while [ $i -lt "$n" ]; do
  for f in $files; do cp "$f" "$tmp/$i-$(basename "$f")"; done
  i=$((i + 1))
done
docs=$(ls "$tmp" | wc -l)
now() { date +%s.%N; }
run() { taskset -c 0 "$bin" extract "$tmp" --format json -j 1 "$@" > /dev/null 2>&1 || true; }
best_child=999; best_inproc=999
for round in 1 2 3; do
  t0=$(now); run; t1=$(now); run --no-sandbox; t2=$(now)
  c=$(echo "$t1 - $t0" | bc); p=$(echo "$t2 - $t1" | bc)
  best_child=$(echo "if ($c < $best_child) $c else $best_child" | bc)
  best_inproc=$(echo "if ($p < $best_inproc) $p else $best_inproc" | bc)
  echo "round $round: child ${c}s, in-process ${p}s"
done
echo "$docs documents; best of 3 on one core: child ${best_child}s, in-process ${best_inproc}s"
echo "per document: child $(echo "scale=2; 1000 * $best_child / $docs" | bc) ms, in-process $(echo "scale=2; 1000 * $best_inproc / $docs" | bc) ms, overhead $(echo "scale=2; 1000 * ($best_child - $best_inproc) / $docs" | bc) ms"
