#!/usr/bin/env bash
# Grades one exercise against a student's file:
#   examples/assignments/grade.sh EXERCISE FILE.cpp        (EXERCISE: softplus, gaussian_kl, iwae_bound, joint_density)
# Builds the library once (in build/grade; set TG_BUILD=build/test to reuse a build you have), compiles the
# exercise's grader with FILE and runs it. The exit status is the number of failed checks: 0 is full marks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -ne 2 ] || [ ! -f "$here/$1/grader.cpp" ] || [ ! -f "$2" ]; then
  echo "usage: $0 EXERCISE FILE.cpp   (EXERCISE: $(cd "$here" && ls -d */ | grep -v -e solutions -e mistakes | tr -d / | xargs))" >&2
  exit 64
fi
exercise=$1
file=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
build=${TG_BUILD:-$root/build/grade}
case "$build" in /*) ;; *) build=$root/$build ;; esac
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "grade: building the library in $build (once; a few minutes)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTG_BUILD_TESTS=OFF -DTG_BUILD_EXAMPLES=OFF \
        -DTG_BUILD_BENCH=OFF > /dev/null
fi
cmake --build "$build" --target tg_vae -j2 > /dev/null
native=$(grep -q '^TG_NATIVE:BOOL=ON' "$build/CMakeCache.txt" && echo -march=native || true)
g++ -std=c++20 -O1 -g $native -Wall -Wextra -I "$root" -I "$here" "$here/$exercise/grader.cpp" "$file" \
    "$build/vae/libtg_vae.a" "$build/prob/libtg_prob.a" "$build/nn/libtg_nn.a" "$build/autodiff/libtg_autodiff.a" \
    -pthread -o "$build/grade_$exercise"
exec "$build/grade_$exercise"
