#!/usr/bin/env bash
# nianbao crawl split over a Slurm job array: task i runs shard i/N, where N is the size of
# the array (`--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`), into its own archive
# $NIANBAO_ARCHIVES/shard-<i>. No coordinator: the tasks never talk to each other, and a
# host is fetched by one task only. Merge with deploy/slurm/export.sh afterwards:
#
#   jid=$(sbatch --parsable --array=0-3 deploy/slurm/crawl-array.sh)
#   sbatch --dependency=afterany:$jid deploy/slurm/export.sh
#
# `afterany`, not `afterok`: a shard that ends with exit 4 (some hosts failed) still holds
# good reports. Environment: NIANBAO (binary, default `nianbao`), NIANBAO_CONFIG (default
# config.toml), NIANBAO_ARCHIVES (default archives).
#SBATCH --job-name=nianbao-crawl
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=2-00:00:00
#SBATCH --output=nianbao-crawl-%A_%a.log
set -euo pipefail
: "${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=0-N}"
count="${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=0-N}"
archives="${NIANBAO_ARCHIVES:-archives}"
mkdir -p "$archives"
exec "${NIANBAO:-nianbao}" --log-format json crawl \
  --config "${NIANBAO_CONFIG:-config.toml}" \
  --shard "$SLURM_ARRAY_TASK_ID/$count" \
  --data "$archives/shard-$SLURM_ARRAY_TASK_ID"
