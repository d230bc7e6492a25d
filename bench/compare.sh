#!/bin/sh
# Builds the release benchmarks and runs them beside the reference programs of bench/reference/, interleaved
# (every round runs each tapegrad measurement next to its reference, the order alternating from round to round),
# then prints the medians over the rounds and the ratios tapegrad / reference. See docs/performance.md.
#   bench/compare.sh [--rounds 3] [--reps 3] [--secs 1]
# The references are optional: without PyTorch (apt-get install python3-torch) or OpenBLAS (apt-get install
# libopenblas-dev) the run says so and prints tapegrad's figures alone. The raw output of every program and the
# table are kept under build/release/compare/.
set -eu

rounds=3 reps=3 secs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --secs) secs=$2; shift 2 ;;
    *) echo "compare.sh: unknown argument '$1' (use --rounds N, --reps N, --secs S)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
bin=build/release/bench
[ -f build/release/CMakeCache.txt ] || cmake --preset release >/dev/null
cmake --preset release >/dev/null  # picks up libopenblas-dev installed since the last configure
targets="bench_train bench_gemm bench_scalar"
grep -q '^TG_OPENBLAS_LIBRARY:FILEPATH=/' build/release/CMakeCache.txt && targets="$targets sgemm_openblas"
# shellcheck disable=SC2086
cmake --build build/release --target $targets -j2 >/dev/null

python=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then python=$p; break; fi
done
torch_py=bench/reference/torch_train.py
[ -n "$python" ] || echo "# PyTorch reference skipped: python3 cannot import torch (Debian: apt-get install python3-torch)"
blas=""
if grep -q '^TG_OPENBLAS_LIBRARY:FILEPATH=/' build/release/CMakeCache.txt && [ -x $bin/sgemm_openblas ]; then
  blas=$bin/sgemm_openblas
else
  echo "# OpenBLAS reference skipped: libopenblas-dev not found (Debian: apt-get install libopenblas-dev, then rerun)"
fi

out=build/release/compare/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/raw"
figs=$out/figures.txt
: >"$figs"
machine="$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
load_before=$(uptime | sed 's/.*load average/load average/')
echo "# $machine; $load_before"
echo "# $rounds rounds; training: $reps reps x ~${secs}s per run; raw output in $out"

# run NAME CMD...: runs one program, keeps its output as raw/NAME (atomically: written aside, then renamed)
run() {
  name=$1
  shift
  "$@" >"$out/raw/$name.tmp" 2>&1 || echo "# $name failed: see $out/raw/$name" >&2
  mv "$out/raw/$name.tmp" "$out/raw/$name"
}
fig() { echo "$1 $2" >>"$figs"; }

# The figures of one training run: steps/s, peak RSS, and (tapegrad) heap allocations per step.
train_figs() {  # KEY FILE
  line=$(grep -v '^#' "$2" | grep -v -e '^config' -e '^peak' | head -n 1)
  rss=$(sed -n 's/^peak RSS \([0-9.]*\) MB/\1/p' "$2")
  case $1 in
    tg*) set -- "$1" "$(echo "$line" | awk '{print $(NF-5)}')" "$(echo "$line" | awk '{print $(NF-1) + $NF}')" ;;
    *) set -- "$1" "$(echo "$line" | awk '{print $(NF-2)}')" "" ;;
  esac
  [ -n "$2" ] && fig "$1.steps" "$2"
  [ -n "$3" ] && fig "$1.allocs" "$3"
  [ -n "$rss" ] && fig "$1.rss" "$rss"
  return 0
}
gemm_figs() {  # WHO FILE
  sed -n -E 's/.*M= *([0-9]+) N= *([0-9]+) K= *([0-9]+) ([NT]{2}) +(packed|openblas) +([0-9.]+).*/\1x\2x\3_\4 \6/p' "$2" |
    while read -r shape g; do fig "gemm.$shape.$1" "$g"; done
}
scalar_figs() {  # WHO FILE
  v=$(awk '/^us per node/ {print $7}' "$2")
  a=$(awk '/^us per node/ {print $10}' "$2")
  [ -n "$v" ] && fig "scalar.$1.us" "$v"
  [ -n "$a" ] && fig "scalar.$1.allocs" "$a"
  return 0
}

configs="vae iwae1 iwae5 iwae50"
r=1
while [ "$r" -le "$rounds" ]; do
  echo "# round $r of $rounds ..."
  for c in $configs; do
    tg1="run r$r.$c.tg1 $bin/bench_train --config $c --threads 1 --reps $reps --secs $secs"
    tg2="run r$r.$c.tg2 $bin/bench_train --config $c --threads 2 --reps $reps --secs $secs"
    t1=true t12=true t2=true
    if [ -n "$python" ]; then
      t1="run r$r.$c.pt1 $python $torch_py --config $c --threads 1 --reps $reps --secs $secs"
      t12="run r$r.$c.pt12 $python $torch_py --config $c --threads 1 --blas-threads 2 --reps $reps --secs $secs"
      t2="run r$r.$c.pt2 $python $torch_py --config $c --threads 2 --reps $reps --secs $secs"
    fi
    if [ $((r % 2)) -eq 1 ]; then
      $tg1; $t1; $tg2; $t12; $t2
    else
      $t1; $tg1; $t12; $t2; $tg2
    fi
    for w in tg1 tg2 pt1 pt12 pt2; do
      [ -f "$out/raw/r$r.$c.$w" ] && train_figs "$w.$c" "$out/raw/r$r.$c.$w"
    done
  done
  gt="run r$r.gemm.tg $bin/bench_gemm 1 5 --no-plain"
  gb=true
  # OpenBLAS chooses its kernels from the CPU only when OPENBLAS_CORETYPE is unset: unset for this command alone
  [ -n "$blas" ] && gb="run r$r.gemm.openblas env -u OPENBLAS_CORETYPE $blas 1 5"
  if [ $((r % 2)) -eq 1 ]; then $gt; $gb; else $gb; $gt; fi
  gemm_figs tg "$out/raw/r$r.gemm.tg"
  [ -f "$out/raw/r$r.gemm.openblas" ] && gemm_figs openblas "$out/raw/r$r.gemm.openblas"
  run "r$r.scalar.tg" $bin/bench_scalar --reps 9
  scalar_figs tg "$out/raw/r$r.scalar.tg"
  if [ -n "$python" ]; then
    run "r$r.scalar.pt" "$python" $torch_py --scalar --reps 9
    scalar_figs pt "$out/raw/r$r.scalar.pt"
  fi
  r=$((r + 1))
done
load_after=$(uptime | sed 's/.*load average/load average/')

# med KEY: the median over the rounds of one figure ("-" when there is none)
med() {
  grep "^$1 " "$figs" | cut -d' ' -f2 | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# ratio A B: A / B to two decimals ("-" when either is missing)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b}'; }
# best of torch's thread settings: prints "value setting"
best() {
  b1=$(med "pt1.$1.steps") b12=$(med "pt12.$1.steps") b2=$(med "pt2.$1.steps")
  printf '%s 1\n%s 1+blas2\n%s 2\n' "$b1" "$b12" "$b2" | grep -v '^-' | sort -g -r | head -n 1
}

{
  echo "$machine; bench/compare.sh --rounds $rounds --reps $reps --secs $secs"
  echo "before: $load_before; after: $load_after"
  echo
  echo "Training steps/s (median of $rounds rounds); torch best = the best of 1 thread, 1 thread + 2 OpenBLAS threads, 2 threads"
  echo
  echo "| configuration | tapegrad 1 thread | tapegrad 2 threads | torch 1 thread | torch best (setting) | 1 thread: tapegrad / torch | 2 threads: tapegrad / torch best |"
  echo "|---|---|---|---|---|---|---|"
  for c in $configs; do
    a=$(med "tg1.$c.steps") b=$(med "tg2.$c.steps") p=$(med "pt1.$c.steps")
    bb=$(best "$c")
    bv=${bb% *} bs=${bb#* }
    [ -n "$bb" ] || bv="-" bs="-"
    echo "| $c | $a | $b | $p | $bv ($bs) | $(ratio "$a" "$p") | $(ratio "$b" "$bv") |"
  done
  echo
  echo "Heap allocations per steady-state step (operator new + the storage pool's system allocations) and peak RSS in MB (1-thread runs)"
  echo
  echo "| configuration | tapegrad allocations/step | tapegrad peak RSS | torch peak RSS | RSS tapegrad / torch |"
  echo "|---|---|---|---|---|"
  for c in $configs; do
    a=$(med "tg1.$c.allocs") m=$(med "tg1.$c.rss") p=$(med "pt1.$c.rss")
    echo "| $c | $a | $m | $p | $(ratio "$m" "$p") |"
  done
  echo
  echo "GEMM single thread, GFLOP/s (median of $rounds rounds, each the median of 5 reps)"
  echo
  echo "| M x N x K, op | tapegrad | OpenBLAS | tapegrad / OpenBLAS |"
  echo "|---|---|---|---|"
  for k in $(grep '^gemm\..*\.tg ' "$figs" | cut -d' ' -f1 | sed 's/^gemm\.//; s/\.tg$//' | awk '!seen[$0]++'); do
    a=$(med "gemm.$k.tg") o=$(med "gemm.$k.openblas")
    echo "| $(echo "$k" | tr '_' ' ') | $a | $o | $(ratio "$a" "$o") |"
  done
  echo
  echo "Scalar chain a = tanh(a * b + c), microseconds per node, forward + backward"
  echo
  echo "| | tapegrad | torch | tapegrad / torch | tapegrad heap allocations/node |"
  echo "|---|---|---|---|---|"
  a=$(med scalar.tg.us) p=$(med scalar.pt.us)
  echo "| us per node | $a | $p | $(ratio "$a" "$p") | $(med scalar.tg.allocs) |"
} >"$out/table.md.tmp"
mv "$out/table.md.tmp" "$out/table.md"
cat "$out/table.md"
