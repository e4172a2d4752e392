#!/usr/bin/env bash
# One dataset from every shard archive written by deploy/slurm/crawl-array.sh.
#   sbatch --dependency=afterany:<array job id> deploy/slurm/export.sh
#SBATCH --job-name=nianbao-export
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --output=nianbao-export-%j.log
set -euo pipefail
archives="${NIANBAO_ARCHIVES:-archives}"
args=()
for d in "$archives"/shard-*; do
  [ -f "$d/index.sqlite" ] && args+=(--data "$d")
done
[ ${#args[@]} -gt 0 ] || { echo "no shard archive in $archives" >&2; exit 1; }
exec "${NIANBAO:-nianbao}" export "${args[@]}" --out "${NIANBAO_OUT:-out}"
