#!/usr/bin/env bash
# The multi-seed Fashion-MNIST comparison of docs/results.md: VAE (k = 1, 5, 50) and IWAE (k = 5, 50) with one and
# with two stochastic layers, plus the IWAE (k = 50) with the DReG estimator and with the coupling posterior, each for
# every seed; then the table of mean +- standard deviation across seeds and, per seed and architecture, whether the
# IWAE paper's ordering IWAE-50 > IWAE-5 > VAE-5 > VAE-1 (test log p(x)) holds; then the paired differences
# between models, seed by seed.
#   examples/fashion_mnist_seeds.sh [EPOCHS] [EVAL_N] [SEEDS] [TRAIN_N]
#     defaults: 10 epochs, 0 (the whole test set, k = 5000), seeds "1 2 3", 0 (all 60 000 training images)
#   TG_FMNIST_ONLY="vae-1 iwae-50" restricts the configurations (names as in the table); TG_FASHION_MNIST=DIR the data;
#   TG_FMNIST_THREADS=N the threads per run (default 2; 1 lets two copies of the script, given different
#   configurations or seeds, share a 2-core machine).
# A run whose metrics.csv already has its last epoch is skipped, so the script can be stopped and started again.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-10}
eval_n=${2:-0}
seeds=${3:-"1 2 3"}
train_n=${4:-0}
data=${TG_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
exe=build/release/examples/train_vae
out_root=build/fmnist-seeds
[ -x "$exe" ] || { cmake --preset release >/dev/null && cmake --build --preset release --target train_vae; }

# name | flags (the model, k and what differs from the one-layer Gaussian VAE)
configs=(
  "vae-1|--model vae --k 1 --arch iwae-paper"
  "vae-5|--model vae --k 5 --arch iwae-paper"
  "vae-50|--model vae --k 50 --arch iwae-paper"
  "iwae-5|--model iwae --k 5 --arch iwae-paper"
  "iwae-50|--model iwae --k 50 --arch iwae-paper"
  "2l-vae-1|--model vae --k 1 --arch iwae-paper-2"
  "2l-vae-5|--model vae --k 5 --arch iwae-paper-2"
  "2l-vae-50|--model vae --k 50 --arch iwae-paper-2"
  "2l-iwae-5|--model iwae --k 5 --arch iwae-paper-2"
  "2l-iwae-50|--model iwae --k 50 --arch iwae-paper-2"
  "iwae-50-dreg|--model iwae --k 50 --arch iwae-paper --estimator dreg"
  "iwae-50-flow|--model iwae --k 50 --arch iwae-paper --posterior coupling"
)
common=(--data "$data" --batch 20 --epochs "$epochs" --binarize dynamic --eval-k 5000 --eval-n "$eval_n"
        --eval-k-epoch 50 --train-n "$train_n" --threads "${TG_FMNIST_THREADS:-2}")
selected() { [ -z "${TG_FMNIST_ONLY:-}" ] || [[ " $TG_FMNIST_ONLY " == *" $1 "* ]]; }

start=$(date +%s)
for seed in $seeds; do
  for c in "${configs[@]}"; do
    name=${c%%|*}; flags=${c#*|}
    selected "$name" || continue
    dir=$out_root/$name-s$seed
    if [ -f "$dir/metrics.csv" ] && [ "$(tail -n 1 "$dir/metrics.csv" | cut -d, -f1)" = "$epochs" ]; then
      echo "== $name seed $seed: done already"; continue
    fi
    echo "== $exe $flags ${common[*]} --seed $seed --out $dir"
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e s wall, %U s user" "$exe" $flags "${common[@]}" --seed "$seed" --out "$dir" 2>&1 |
      grep -E "^train_vae|^final|s wall" || true
    [ -f "$dir/metrics.csv" ] && [ "$(tail -n 1 "$dir/metrics.csv" | cut -d, -f1)" = "$epochs" ] ||
      echo "!! $name seed $seed did not finish: see $dir"
  done
done
echo "total: $(( $(date +%s) - start )) s wall"

# The last row of a run's metrics.csv as "log_px elbo active_units" (columns by name: there is one test_log_px_k<k>
# column per k used), and its training seconds from timing.csv.
last_row() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next } { last = $0 }
    END { split(last, f, ","); print f[col["test_log_px_k5000"]], f[col["test_elbo"]], f[col["active_units"]] }' "$1"
}
train_seconds() { awk -F, 'NR > 1 { s += $2 } END { print s + 0 }' "$1"; }

# The table: per configuration, mean +- sd over seeds of the last epoch's test log p(x), ELBO and active units, and
# the mean training time.
echo
printf '| model | layers | k | estimator / posterior | test log p(x) (k = 5000) | test ELBO | active units | train s |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for c in "${configs[@]}"; do
  name=${c%%|*}
  selected "$name" || continue
  dirs=()
  for seed in $seeds; do [ -f "$out_root/$name-s$seed/metrics.csv" ] && dirs+=("$out_root/$name-s$seed"); done
  [ ${#dirs[@]} -gt 0 ] || continue
  layers=1; [[ $name == 2l-* ]] && layers=2
  base=${name#2l-}; model=${base%%-*}; rest=${base#*-}; k=${rest%%-*}
  extra=reparam; [[ $name == *-dreg ]] && extra=dreg; [[ $name == *-flow ]] && extra="coupling posterior"
  for d in "${dirs[@]}"; do
    last_row "$d/metrics.csv"
    echo "secs $(train_seconds "$d/timing.csv")"
  done | awk -v m="${model^^}" -v l="$layers" -v k="$k" -v e="$extra" -v n="${#dirs[@]}" '
    $1 == "secs" { secs += $2; next }
    { lp[++i] = $1; el[i] = $2; au[i] = $3 }
    function ms(a,   j, s, q) { s = 0; for (j = 1; j <= i; j++) s += a[j]; s /= i;
                                q = 0; for (j = 1; j <= i; j++) q += (a[j] - s)^2;
                                return i > 1 ? sprintf("%.2f +- %.2f", s, sqrt(q / (i - 1))) : sprintf("%.2f", s) }
    END { printf "| %s | %s | %s | %s | %s | %s | %s | %.0f (%d seeds) |\n", m, l, k, e, ms(lp), ms(el), ms(au), secs / n, n }'
done

# The ordering, seed by seed: IWAE-50 > IWAE-5 > VAE-5 > VAE-1 on test log p(x).
echo
for prefix in "" "2l-"; do
  for seed in $seeds; do
    vals=()
    for name in iwae-50 iwae-5 vae-5 vae-1; do
      f=$out_root/$prefix$name-s$seed/metrics.csv
      [ -f "$f" ] && vals+=("$(last_row "$f" | cut -d' ' -f1)") || vals+=("nan")
    done
    holds=$(awk -v a="${vals[0]}" -v b="${vals[1]}" -v c="${vals[2]}" -v d="${vals[3]}" \
      'BEGIN { print (a > b && b > c && c > d) ? "holds" : "does not hold" }')
    echo "${prefix:-1l-}seed $seed: IWAE-50 ${vals[0]}, IWAE-5 ${vals[1]}, VAE-5 ${vals[2]}, VAE-1 ${vals[3]}: $holds"
  done
done

# Paired differences of test log p(x), seed by seed (the models are evaluated on the same test images).
echo
for prefix in "" "2l-"; do
  for pair in "iwae-5 vae-5" "iwae-50 vae-50" "iwae-50 iwae-5" "vae-5 vae-1" "iwae-50-dreg iwae-50" "iwae-50-flow iwae-50"; do
    read -r a b <<< "$pair"
    diffs=()
    for seed in $seeds; do
      fa=$out_root/$prefix$a-s$seed/metrics.csv fb=$out_root/$prefix$b-s$seed/metrics.csv
      [ -f "$fa" ] && [ -f "$fb" ] || continue
      diffs+=("$(awk -v x="$(last_row "$fa" | cut -d' ' -f1)" -v y="$(last_row "$fb" | cut -d' ' -f1)" \
        'BEGIN { printf "%+.2f", x - y }')")
    done
    [ ${#diffs[@]} -gt 0 ] || continue
    echo "${prefix:-1l-}$a - $prefix$b: ${diffs[*]} (mean $(printf '%s\n' "${diffs[@]}" | awk '{ s += $1 } END { printf "%+.2f", s / NR }'))"
  done
done
