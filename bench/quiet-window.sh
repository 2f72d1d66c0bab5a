#!/usr/bin/env bash
# `npm run bench:window -- <out-dir> [<WN18RR RotH d=32 run dir for the service>]`: the quiet-window comparison
# table of docs/RESULTS.md (issue 17, part 4) in one run, each command's output in <out-dir>/<name>.log:
# steps against PyTorch (interleaved rounds), the KGEmb-recipe RotH epoch, DistMult epochs against PyKEEN (A, B, A,
# B), filtered evaluation, the service against a fixed-JSON fastify route, and loading / training on large graphs.
# Stop every other job on the machine first (e.g. kill -STOP): the figures are only worth what the window is.
# PyKEEN comes from ../shared/peers/pykeen (install.sh); PYKEEN_PYTHON names its interpreter.
set -euo pipefail
usage="usage: npm run bench:window -- <out-dir> [<WN18RR RotH d=32 run dir for the service>] (about an hour; stop every other job first)"
case "${1:-}" in
  -h|--help) echo "$usage"; exit 0 ;;
  ''|-*) echo "bench:window: $usage" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${KGDISTILL_PEERS:-$root/../shared/peers}
data=${KGDISTILL_DATA:-$root/../shared/data}
pk_python=${PYKEEN_PYTHON:-$HOME/.cache/kgdistill-pykeen-venv/bin/python}
# checked before the hour starts and before anything is written: the steps need PyKEEN's interpreter and the build
if [ ! -x "$pk_python" ]; then echo "bench:window: no PyKEEN interpreter at $pk_python: run bash ../shared/peers/pykeen/install.sh, or set PYKEEN_PYTHON" >&2; exit 2; fi
if [ ! -f "$root/dist/bench/train.js" ]; then echo "bench:window: $root/dist/bench/train.js is missing: run npm run build first" >&2; exit 2; fi
run=${2:-}
if [ -n "$run" ]; then run=$(cd "$run" && pwd); fi
# the out-dir as given, from where the command was run (the steps below run from the package root)
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$root"
date -u +%FT%TZ > "$out/start"
uptime > "$out/load"
node dist/bench/train.js DistMult --no-tfjs --no-hybrid --rounds 7 > "$out/train.log" 2>&1
node dist/bench/epoch.js WN18RR RotH --epochs 3 --optimizer adam > "$out/epoch-roth.log" 2>&1
for round in 1 2; do
  for ds in WN18RR FB15k-237; do
    node dist/bench/epoch.js "$ds" DistMult --epochs 2 --no-double-neg --optimizer adam > "$out/epoch-distmult-$ds-$round.log" 2>&1
    OMP_WAIT_POLICY=PASSIVE "$pk_python" "$peers/pykeen/pk_run.py" --data "$data/$ds" --model DistMult --dim 32 --epochs 2 > "$out/pykeen-$ds-$round.log" 2>&1
  done
done
node dist/bench/eval.js DistMult > "$out/eval.log" 2>&1
if [ -n "$run" ]; then node dist/bench/service.js --run "$run" > "$out/service.log" 2>&1; fi
node dist/bench/scale.js --sizes 50000:1000000,1600000:16000000 > "$out/scale.log" 2>&1
date -u +%FT%TZ > "$out/end"
echo "bench:window: logs in $out"
