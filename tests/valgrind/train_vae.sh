#!/usr/bin/env bash
# A short training run of train_vae under valgrind memcheck: it must end with zero errors and zero bytes lost
# (definitely, indirectly or possibly). Memory the program keeps on purpose until exit (the tensor storage pool,
# per-thread buffers) is "still reachable" and allowed. Run from the repository root after the test workflow:
#   tests/valgrind/train_vae.sh
# valgrind cannot run AVX-512 code: on a CPU that has it, a build without -march=native is made in build/valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)"; exit 1; }

exe=build/test/examples/train_vae
if grep -q avx512f /proc/cpuinfo || [ ! -x "$exe" ]; then
  cmake -S . -B build/valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_NATIVE=OFF -DTG_BUILD_TESTS=OFF \
        -DTG_BUILD_BENCH=OFF > /dev/null
  cmake --build build/valgrind --target train_vae -j2
  exe=build/valgrind/examples/train_vae
fi

# A tiny MNIST-style directory: 64 training and 16 test images of 8 x 8 pixels, a bar in each.
dir=build/valgrind-run
rm -rf "$dir" && mkdir -p "$dir/data"
/usr/bin/python3 - "$dir/data" <<'PY'
import struct, sys
d, side = sys.argv[1], 8
def idx(name, dims, data):
    with open(d + "/" + name, "wb") as f:
        f.write(bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", x) for x in dims) + bytes(data))
def bars(n):
    return [255 if (p // side) == (i * 5) % side else 0 for i in range(n) for p in range(side * side)]
idx("train-images-idx3-ubyte", [64, side, side], bars(64)); idx("train-labels-idx1-ubyte", [64], [1] * 64)
idx("t10k-images-idx3-ubyte", [16, side, side], bars(16)); idx("t10k-labels-idx1-ubyte", [16], [1] * 16)
PY

log="$dir/memcheck.log"
status=0
valgrind --tool=memcheck --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect,possible \
         --errors-for-leak-kinds=definite,indirect,possible --log-file="$log" \
         "$exe" --data "$dir/data" --out "$dir/out" --epochs 2 --batch 16 --hidden 32 --latent 2 --k 3 \
         --eval-n 16 --eval-k 50 --eval-k-epoch 10 --threads 2 > "$dir/stdout.txt" 2>&1 || status=$?
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks" "$log" | sed 's/^==[0-9]*== /valgrind: /'
if [ "$status" -ne 0 ]; then
  echo "valgrind: train_vae exited with status $status (3: memcheck found errors or leaks); see $log"
  tail -20 "$dir/stdout.txt"
  exit 1
fi
grep -q "ERROR SUMMARY: 0 errors" "$log"
echo "valgrind: a 2-epoch run of train_vae: 0 errors, 0 bytes lost"
