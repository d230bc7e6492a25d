#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (docs/teaching.md): it installs the
# compilers and builds the library and every grader of exercises.txt, so that a submission is graded in seconds.
# TG_AUTOGRADER_ROOT (default /autograder) moves the whole layout, for a test; TAPEGRAD_PREFIX names an installed
# tapegrad to grade against instead of building the library from the sources.
set -euo pipefail
root=${TG_AUTOGRADER_ROOT:-/autograder}
source_dir=$root/source
if ! command -v cmake > /dev/null || ! command -v g++ > /dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake g++ ninja-build
fi
export TG_BUILD=${TG_BUILD:-$root/grade-build}
exercises=${TG_EXERCISES:-$(grep -v -e '^#' -e '^$' "$source_dir/exercises.txt")}
kit=$source_dir/tapegrad/examples/assignments
for exercise in $exercises; do
  # grading the skeleton builds the library and this exercise's grader; it earns no point (a test keeps it so)
  if "$kit/grade.sh" "$exercise" "$kit/$exercise/skeleton.cpp" > "$TG_BUILD.setup_$exercise.log" 2>&1; then
    echo "setup: the skeleton of $exercise passed its grader: check the kit" >&2
    exit 1
  fi
  [ -x "$TG_BUILD/grade_$exercise" ] || { cat "$TG_BUILD.setup_$exercise.log" >&2; exit 1; }
  echo "setup: $exercise ready"
done
