#!/bin/bash
# Submit a split `codectok shard` run to Slurm: an array of N tasks, then the merge as a
# job that depends on all of them (--dependency=afterok). Prints both job ids.
#
#   examples/slurm/submit.sh N MANIFEST.jsonl OUT_DIR [codectok shard options...]
#
# Extra sbatch options (partition, account, time, cpus) go in SBATCH_ARGS, e.g.
#   SBATCH_ARGS="--partition=cpu --time=04:00:00 --cpus-per-task=8" examples/slurm/submit.sh 64 m.jsonl /data/ds --val 1
# Options given after OUT_DIR go to every part and to the merge.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 N MANIFEST.jsonl OUT_DIR [codectok shard options...]" >&2
  exit 2
fi
n=$1
manifest=$2
out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
read -r -a extra <<< "${SBATCH_ARGS:-}"

array=$(sbatch --parsable "${extra[@]}" --array="0-$((n - 1))" "$here/shard.sbatch" "$manifest" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable "${extra[@]}" --dependency="afterok:${array}" "$here/merge.sbatch" "$out" "$@")
merge=${merge%%;*}
echo "array job ${array} (${n} tasks), merge job ${merge} (afterok:${array})"
