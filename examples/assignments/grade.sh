#!/usr/bin/env bash
# Grades one exercise against a student's file:
#   examples/assignments/grade.sh EXERCISE FILE.cpp [--json results.json] [--junit report.xml]
# The exit status is the number of failed checks: 0 is full marks (64: bad usage, 65: FILE does not compile, 66: the
# library does not build). --json writes Gradescope's results.json, --junit a JUnit XML report.
# The build lives in TG_BUILD (default: build/grade next to examples/); it grades against an installed tapegrad when
# CMake finds one (CMAKE_PREFIX_PATH, or TAPEGRAD_PREFIX), otherwise it builds the libraries the exercise needs, once.
# The library's compiler output goes to TG_BUILD/library.log, never to the screen; FILE's own errors are shown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exercises=$(cd "$here" && for d in */; do [ -f "$d/grader.cpp" ] && printf '%s ' "${d%/}"; done)
usage() {
  echo "usage: $0 EXERCISE FILE.cpp [--json results.json] [--junit report.xml]   (EXERCISE: $exercises)" >&2
  exit 64
}
[ $# -ge 2 ] || usage
exercise=$1 file=$2
shift 2
json="" junit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --json) [ $# -ge 2 ] || usage; json=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --junit) [ $# -ge 2 ] || usage; junit=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) usage ;;
  esac
done
[ -f "$here/$exercise/grader.cpp" ] || { echo "grade: no exercise '$exercise'" >&2; usage; }
[ -f "$file" ] || { echo "grade: no file $file" >&2; exit 64; }

build=${TG_BUILD:-$root/build/grade}
case "$build" in /*) ;; *) build=$PWD/$build ;; esac
mkdir -p "$build/submission"

# results.json and the JUnit report for a file that never ran: every point lost, the compiler's words as output.
report_unbuilt() {
  local why=$1 log=$2 text
  text=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/ /g' "$log" | tr -d '\r' | head -c 20000 | awk '{printf "%s\\n", $0}')
  [ -z "$json" ] || printf '{"score": 0, "output": "%s", "tests": [{"name": "%s: %s", "score": 0, "max_score": 1, "output": "%s", "visibility": "visible"}]}\n' \
    "$why" "$exercise" "$why" "$text" > "$json"
  [ -z "$junit" ] || printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="%s" tests="1" failures="1"><testcase classname="%s" name="%s"><failure message="%s"/></testcase></testsuite></testsuites>\n' \
    "$exercise" "$exercise" "$why" "$why" > "$junit"
}

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "grade: setting up the grading build in $build (once)"
  generator=$(command -v ninja > /dev/null && echo Ninja || echo "Unix Makefiles")
  prefix=()
  [ -z "${TAPEGRAD_PREFIX:-}" ] || prefix=(-DCMAKE_PREFIX_PATH="$TAPEGRAD_PREFIX")
  cmake -S "$here" -B "$build" -G "$generator" "${prefix[@]}" > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; exit 66; }
  grep -q "installed tapegrad" "$build/configure.log" ||
    echo "grade: no installed tapegrad found: building the library from the sources (a few minutes, once)"
fi
cmp -s "$file" "$build/submission/$exercise.cpp" || cp "$file" "$build/submission/$exercise.cpp"

# The library and the grader, silently; then the student's file, whose compiler messages are the student's to read.
if ! cmake --build "$build" --target "prepare_$exercise" -j 2 > "$build/library.log" 2>&1; then
  echo "grade: the library or the grader failed to build: see $build/library.log" >&2
  tail -n 20 "$build/library.log" >&2
  report_unbuilt "the grader did not build (not your file)" "$build/library.log"
  exit 66
fi
if ! cmake --build "$build" --target "grade_$exercise" -j 2 > "$build/submission.log" 2>&1; then
  echo "grade: $file does not compile:" >&2
  grep -v -e '^\[' -e '^ninja: ' -e '^gmake' -e '^make' -e '^FAILED: ' -e ' -c /.*\.cpp$' "$build/submission.log" |
    sed "s|$build/submission/$exercise.cpp|$file|g" >&2 || true
  report_unbuilt "your file does not compile" "$build/submission.log"
  exit 65
fi
grep -v -e '^\[' -e '^ninja: ' -e '^gmake' -e '^make' -e '^Consolidate compiler' "$build/submission.log" || true

args=()
[ -z "$json" ] || args+=(--json "$json")
[ -z "$junit" ] || args+=(--junit "$junit")
exec "$build/grade_$exercise" "${args[@]}"
