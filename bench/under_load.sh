#!/bin/sh
# Training steps/s with 1 and 2 threads while another process keeps one core busy (a shell loop, the "hog"), and
# the ratio 2 threads / 1 thread per configuration: the pool must never make 2 threads slower than 1, on a quiet
# machine or a loaded one. See docs/performance.md, "Threads".
#   bench/under_load.sh [--quiet] [--rounds 5] [--reps 3] [--secs 0.5] [--bin PATH] [--baseline PATH] [--configs "vae iwae50"]
# --quiet runs without the hog. --baseline runs a second bench_train (e.g. one built from an older commit) in the
# same rounds, interleaved with --bin, so that both see the same load. Each round runs every configuration at 1 and
# 2 threads, the order alternating from round to round; the table gives the medians over the rounds. --configs runs
# some of the configurations (vae iwae1 iwae5 iwae50) only, so that more rounds fit in the same time.
# A machine shared with others (a virtual machine) can vary by 5-10 % from one run to the next, so the ratios are
# also taken round by round, from runs made seconds apart: their geometric mean, a 95 % interval for it (Student's t
# on the logarithms), and in how many rounds 2 threads ran at least as fast as 1. An interval that holds 1 is a
# difference the rounds cannot tell from the noise. Give --bin as --baseline too for a control: the new/baseline
# table then compares a program with itself, and shows how wide the interval of no difference at all is.
set -eu

quiet=0 rounds=5 reps=3 secs=0.5 configs="vae iwae1 iwae5 iwae50"
cd "$(dirname "$0")/.."
bin=build/release/bench/bench_train baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quiet) quiet=1; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --secs) secs=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    *) echo "under_load.sh: unknown argument '$1' (use --quiet, --rounds N, --reps N, --secs S, --bin PATH, --baseline PATH, --configs \"vae iwae50\")" >&2; exit 2 ;;
  esac
done
for b in "$bin" $baseline; do
  [ -x "$b" ] || { echo "under_load.sh: '$b' is not an executable bench_train (build it: cmake --build build/release --target bench_train)" >&2; exit 2; }
done

figs=$(mktemp)
hog=""
cleanup() {
  [ -n "$hog" ] && kill "$hog" 2>/dev/null
  rm -f "$figs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
if [ "$quiet" -eq 0 ]; then
  # The hog is another program, in a session of its own: with the kernel's autogroups (sched_autogroup_enabled),
  # it then gets its own share of the CPU, as another user's program would, instead of sharing the benchmark's.
  # It writes its own pid: setsid may fork, and then $! would name a process that has already gone, leaving the
  # loop running after this script ends.
  hogpid=$(mktemp)
  loop='echo $$ > "$1"; while :; do :; done'
  if command -v setsid >/dev/null 2>&1; then
    setsid sh -c "$loop" hog "$hogpid" &
  else
    sh -c "$loop" hog "$hogpid" &
  fi
  while [ ! -s "$hogpid" ]; do sleep 0.1; done
  hog=$(cat "$hogpid")
  rm -f "$hogpid"
  echo "# one busy process (pid $hog) keeps a core loaded"
fi
echo "# $rounds rounds, bench_train --reps $reps --secs $secs per run"

# run WHO BIN CONFIG THREADS: one bench_train run; keeps its median steps/s as "WHO.CONFIG.THREADS ROUND value"
run() {
  v=$("$2" --config "$3" --threads "$4" --reps "$reps" --secs "$secs" | grep -v -e '^#' -e '^config' -e '^peak' |
    head -n 1 | awk '{print $(NF-5)}')
  echo "$1.$3.$4 $r ${v:--}" >>"$figs"
}

r=1
while [ "$r" -le "$rounds" ]; do
  for c in $configs; do
    if [ $((r % 2)) -eq 1 ]; then order="1 2"; else order="2 1"; fi
    for t in $order; do
      run new "$bin" "$c" "$t"
      [ -n "$baseline" ] && run base "$baseline" "$c" "$t"
    done
  done
  echo "# round $r of $rounds done"
  r=$((r + 1))
done
[ -n "$hog" ] && kill "$hog" && hog=""

# med KEY: the median over the rounds of one figure
med() {
  grep "^$1 " "$figs" | cut -d' ' -f3 | grep -v '^-$' | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b}'; }

# paired A B: figure A over figure B in each round that has both, then "geometric mean | 95 % interval | rounds
# with A >= B", the interval from Student's t (two-sided, 95 %) on the logarithms of the ratios.
paired() {
  awk -v a="$1" -v b="$2" '
    $3 != "-" && $3 + 0 > 0 { v[$1, $2] = $3 + 0; if ($2 > last) last = $2 }
    END {
      split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23 2.20 2.18 2.16 2.14 2.13 2.12 2.11 2.10 2.09 2.09 " \
            "2.08 2.07 2.07 2.06 2.06 2.06 2.05 2.05 2.05 2.04", t, " ")
      for (r = 1; r <= last; r++)
        if (((a, r) in v) && ((b, r) in v)) {
          l = log(v[a, r] / v[b, r]); s += l; ss += l * l; n++
          if (v[a, r] >= v[b, r]) ahead++
        }
      if (n < 2) { print "- | - | -"; exit }
      m = s / n; var = (ss - n * m * m) / (n - 1); if (var < 0) var = 0
      q = n - 1 <= 30 ? t[n - 1] : (n - 1 <= 60 ? 2.00 : 1.98)
      h = q * sqrt(var / n)
      printf "%.3f | %.3f to %.3f | %d of %d\n", exp(m), exp(m - h), exp(m + h), ahead, n
    }' "$figs"
}

if [ "$quiet" -eq 1 ]; then load="quiet"; else load="one core busy"; fi
echo
echo "Training steps/s, $load (median of $rounds rounds)"
echo
if [ -n "$baseline" ]; then
  echo "| configuration | baseline 1 thread | baseline 2 threads | baseline 2t/1t | 1 thread | 2 threads | 2t/1t |"
  echo "|---|---|---|---|---|---|---|"
else
  echo "| configuration | 1 thread | 2 threads | 2t/1t |"
  echo "|---|---|---|---|"
fi
for c in $configs; do
  a=$(med "new.$c.1") b=$(med "new.$c.2")
  if [ -n "$baseline" ]; then
    p=$(med "base.$c.1") q=$(med "base.$c.2")
    echo "| $c | $p | $q | $(ratio "$q" "$p") | $a | $b | $(ratio "$b" "$a") |"
  else
    echo "| $c | $a | $b | $(ratio "$b" "$a") |"
  fi
done

echo
echo "2 threads / 1 thread, round by round (geometric mean, 95 % interval, rounds in which 2 threads >= 1)"
echo
echo "| configuration | program | 2t/1t | 95 % interval | 2t >= 1t |"
echo "|---|---|---|---|---|"
for c in $configs; do
  echo "| $c | new | $(paired "new.$c.2" "new.$c.1") |"
  if [ -n "$baseline" ]; then echo "| $c | baseline | $(paired "base.$c.2" "base.$c.1") |"; fi
done
if [ -n "$baseline" ]; then
  echo
  echo "new / baseline, round by round (the same binary as both gives the width of no difference)"
  echo
  echo "| configuration | threads | new/baseline | 95 % interval | new >= baseline |"
  echo "|---|---|---|---|---|"
  for c in $configs; do
    for t in 1 2; do echo "| $c | $t | $(paired "new.$c.$t" "base.$c.$t") |"; done
  done
fi
