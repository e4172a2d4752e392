#!/usr/bin/env sh
# Run the fuzz targets one after the other (one process: the machine is shared), each until
# RUNS executions or SECONDS seconds, whichever comes first, and print one line per target:
# executions, seconds, executions per second, corpus files, findings, -max_len. Findings land
# in fuzz/artifacts/<target>/; fixed ones are copied to fuzz/regressions/<target>/, which
# `cargo test` replays.
#   sh fuzz/build.sh && sh fuzz/seed.sh && sh fuzz/run.sh [SECONDS] [RUNS] [MAX_LEN] [TARGET...]
# MAX_LEN (a number; optional) caps the input length libFuzzer makes and the bytes it reads of
# each corpus file: the text, html, pdf and discover seeds are whole reports of up to ~1 MB,
# which keeps those targets at tens of executions per second without it.
# Wrap it in `nice -n 19` on a shared machine.
set -u
cd "$(dirname "$0")"
secs=${1:-300}
runs=${2:-1000000}
shift 2 2>/dev/null || shift $#
maxlen=
case ${1:-} in
  '' | *[!0-9]*) ;;
  *) maxlen=$1; shift ;;
esac
targets=${*:-robots warc text discover html xlsx ods docx xls pdf}
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t"
  start=$(date +%s)
  # -rss_limit_mb / -malloc_limit_mb: a document may not make us use more than 1 GiB;
  # -timeout: one input may not take more than 10 s.
  "$bin/$t" "corpus/$t" -runs="$runs" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=1024 -malloc_limit_mb=1024 -print_final_stats=1 \
    ${maxlen:+-max_len="$maxlen"} \
    -artifact_prefix="artifacts/$t/" > "logs/$t.log" 2>&1
  rc=$?
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  s=$((end - start))
  echo "$t: ${execs:-?} executions in $s s ($(( ${execs:-0} / (s > 0 ? s : 1) )) exec/s), corpus $(ls "corpus/$t" | wc -l) files, findings $(ls "artifacts/$t" | wc -l), max_len ${maxlen:-default}, exit $rc"
done
