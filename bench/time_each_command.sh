#!/bin/sh
# A compiler and linker launcher for measuring a build (docs/performance.md, "Build time"): runs the command it is
# given, then appends "start end user system output" to $TL_LOG (seconds since the epoch, CPU seconds, the file after
# -o). Use it for both, on a fresh build directory:
#   cmake --preset test -DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/bench/time_each_command.sh \
#                       -DCMAKE_CXX_LINKER_LAUNCHER=$PWD/bench/time_each_command.sh
#   TL_LOG=/tmp/build.log cmake --build --preset test
out=unknown prev=
for a in "$@"; do
  [ "$prev" = "-o" ] && out=$a
  prev=$a
done
log=${TL_LOG:-/tmp/tapegrad-build-times.log}
start=$(date +%s.%N)
/usr/bin/time -o "$log.$$" -f "%U %S" "$@"
rc=$?
echo "$start $(date +%s.%N) $(cat "$log.$$") $PWD/$out" >>"$log"
rm -f "$log.$$"
exit $rc
