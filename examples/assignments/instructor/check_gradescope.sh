#!/usr/bin/env bash
# The Gradescope autograder, run as Gradescope runs it, in a temporary folder laid out as Gradescope lays it out:
# <work>/autograder/{source,submission,results}, source/ the unpacked zip, run_autograder copied to autograder/.
# setup.sh grades against PREFIX (an installed tapegrad) for two exercises; a submission of their solutions must earn
# every point (with the hidden checks, which must be there), their skeletons none. results.json is checked against
# Gradescope's format by check_results.cmake.
#   check_gradescope.sh ZIP PREFIX SOLUTIONS_DIR WORK
set -euo pipefail
zip=$1 prefix=$2 solutions=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
export TG_EXERCISES="iwae_bound chain_rule" TAPEGRAD_PREFIX=$prefix TG_AUTOGRADER_ROOT=$work/autograder
rm -rf "$work"
mkdir -p "$work/autograder/source" "$work/autograder/submission" "$work/autograder/results"
(cd "$work/autograder/source" && cmake -E tar xf "$zip")
cp "$work/autograder/source/run_autograder" "$work/autograder/run_autograder"
for withheld in solutions mistakes instructor; do
  if [ -e "$work/autograder/source/tapegrad/examples/assignments/$withheld" ]; then
    echo "the autograder zip holds $withheld/" >&2
    exit 1
  fi
done
start=$(date +%s)
bash "$work/autograder/source/setup.sh"
echo "setup.sh: $(($(date +%s) - start)) s"

grade() {  # grade the submission's files, then check results.json
  rm -rf "$work/autograder/results"/*
  start=$(date +%s)
  "$work/autograder/run_autograder"
  echo "run_autograder: $(($(date +%s) - start)) s"
  cmake -D "FILE=$work/autograder/results/results.json" "$@" -P "$here/check_results.cmake"
}
mkdir -p "$work/autograder/submission/nested"
cp "$solutions/iwae_bound.cpp" "$work/autograder/submission/"
cp "$solutions/chain_rule.cpp" "$work/autograder/submission/nested/"
grade -D EXPECT=full -D HIDDEN=ON
rm -rf "$work/autograder/submission"/*
cp "$work/autograder/source/tapegrad/examples/assignments/iwae_bound/skeleton.cpp" \
   "$work/autograder/submission/iwae_bound.cpp"
grade -D EXPECT=zero  # chain_rule.cpp is missing: graded as its skeleton
grep -q "no file chain_rule.cpp in your submission" "$work/autograder/results/results.json" ||
  { echo "results.json does not say that chain_rule.cpp is missing" >&2; exit 1; }
echo "the autograder grades as Gradescope runs it"
