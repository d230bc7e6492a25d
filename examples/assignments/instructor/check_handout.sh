#!/usr/bin/env bash
# The handout, checked as a student gets it: unpacked in a temporary folder, configured and built there against
# PREFIX (an installed tapegrad: nothing is read from the repository), its docs linted, every skeleton failing its
# grader; then the solutions dropped in, and every exercise passing.
#   check_handout.sh KIT.tar.gz PREFIX REPOSITORY WORK
set -euo pipefail
kit=$1 prefix=$2 repo=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
tar xzf "$kit" -C "$work"
root=$work/tapegrad-assignments
assignments=$root/examples/assignments

# Nothing withheld is in the kit, and no file of the kit names a withheld file.
for dir in solutions mistakes hidden gradescope instructor; do
  [ ! -e "$assignments/$dir" ] || { echo "the kit holds examples/assignments/$dir" >&2; exit 1; }
done
[ ! -e "$root/docs/teaching.md" ] || { echo "the kit holds docs/teaching.md" >&2; exit 1; }
for file in "$repo"/examples/assignments/{solutions,mistakes,hidden}/*.cpp; do
  name=$(basename "$(dirname "$file")")/$(basename "$file")
  if grep -rlF "$name" "$root" > /dev/null; then
    echo "the kit names the withheld $name in: $(grep -rlF "$name" "$root" | xargs)" >&2
    exit 1
  fi
done
cmake -D "KIT=$root" -P "$assignments/lint_docs.cmake"

# The kit alone, against the installed library: every skeleton fails its grader with its message, earning nothing.
build=$work/build
cmake -S "$assignments" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
if grep -qE "$repo/(examples|autodiff|prob|nn|vae|cmake)/" "$build/CMakeCache.txt"; then
  echo "the kit's build reads the repository's sources" >&2
  exit 1
fi
cmake --build "$build" -j 2 > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; exit 1; }
(cd "$build" && ctest -L assignments -j 2 --output-on-failure) > "$work/skeletons.log" 2>&1 ||
  { cat "$work/skeletons.log"; exit 1; }
skeletons=$(grep -c "assignment_.*_skeleton .*Passed" "$work/skeletons.log" || true)
exercises=$(ls -d "$assignments"/*/grader.cpp | wc -l)
[ "$skeletons" -eq "$exercises" ] || { echo "$skeletons skeleton tests for $exercises exercises" >&2; exit 1; }

# The solutions dropped in: every exercise passes (and its answers off by 1e-6 fail).
cp -r "$repo/examples/assignments/solutions" "$assignments/solutions"
cmake "$build" > /dev/null
cmake --build "$build" -j 2 >> "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; exit 1; }
(cd "$build" && ctest -L assignments -j 2 --output-on-failure) > "$work/solutions.log" 2>&1 ||
  { cat "$work/solutions.log"; exit 1; }
solved=$(grep -c "assignment_.*_solution .*Passed" "$work/solutions.log" || true)
[ "$solved" -eq "$exercises" ] || { echo "$solved solutions passed for $exercises exercises" >&2; exit 1; }
echo "the handout builds on its own: $exercises skeletons fail, $solved solutions pass"
