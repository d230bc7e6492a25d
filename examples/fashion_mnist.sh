#!/usr/bin/env bash
# Trains VAE (k = 1), VAE (k = 5), IWAE (k = 5) and IWAE (k = 50) on Fashion-MNIST with the IWAE paper's
# architecture, dynamic binarisation and one epoch budget, then prints the table of docs/results.md.
#   examples/fashion_mnist.sh [EPOCHS] [EVAL_N]      (defaults: 10 epochs, 2000 test images, k = 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-10}
eval_n=${2:-2000}
data=${TG_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
exe=build/release/examples/train_vae
[ -x "$exe" ] || { cmake --preset release >/dev/null && cmake --build --preset release --target train_vae; }
common=(--data "$data" --arch iwae-paper --batch 20 --epochs "$epochs" --binarize dynamic --eval-k 5000
        --eval-n "$eval_n" --eval-k-epoch 100 --seed 1)
runs=("vae 1" "vae 5" "iwae 5" "iwae 50")
for run in "${runs[@]}"; do
  set -- $run
  out=build/fmnist/$1-k$2
  echo "== $exe --model $1 --k $2 ${common[*]} --out $out"
  /usr/bin/time -f "%e s wall" "$exe" --model "$1" --k "$2" "${common[@]}" --out "$out" 2>&1 | grep -v '^\s*$' | tail -4
done
echo
printf '| model | k | test log p(x) (k = 5000) | test ELBO | active units | train time (s) |\n|---|---|---|---|---|---|\n'
for run in "${runs[@]}"; do
  set -- $run
  csv=build/fmnist/$1-k$2/metrics.csv
  secs=$(awk -F, 'NR > 1 { s += $2 } END { printf "%.0f", s }' "build/fmnist/$1-k$2/timing.csv")
  # columns by name: metrics.csv has one test_log_px_k<k> column per k used
  awk -F, -v m="${1^^}" -v k="$2" -v secs="$secs" '
    NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
    { last = $0 }
    END { split(last, f, ","); printf "| %s | %s | %.2f | %.2f | %d | %s |\n", m, k, f[col["test_log_px_k5000"]],
          f[col["test_elbo"]], f[col["active_units"]], secs }' "$csv"
done
