#!/bin/sh
# Builds the libFuzzer harnesses with clang-19 (ASan + UBSan on orcvm and the harnesses)
# in their own build directory (fuzz/configure.sh; scripts/test-sanitizers.sh uses it
# too) and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS_PER_HARNESS]        default 60; CI uses the default
#
# Environment: BUILD_DIR (default build-fuzz), SOURCE_DIR (default the repository),
# JOBS (default 2), HARNESSES (default "decoder lifter vm system").
# Corpora live in BUILD_DIR/corpus/<harness> (seeded from the instruction corpus, and
# from fuzz/regressions/<harness>); a crash leaves crash-* files in
# BUILD_DIR/artifacts/<harness> and makes the script fail; copy it to
# fuzz/regressions/<harness>/ (README.md there).
set -eu
SECONDS_PER_HARNESS=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(dirname "$HERE")}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build-fuzz}
JOBS=${JOBS:-2}
HARNESSES=${HARNESSES:-"decoder lifter vm system"}

start=$(date +%s)
"$HERE/configure.sh" "$SOURCE_DIR" "$BUILD_DIR"
targets=""
for h in $HARNESSES; do targets="$targets fuzz_$h"; done
ninja -C "$BUILD_DIR" -j "$JOBS" $targets
built=$(date +%s)
echo "fuzz/run.sh: built in $((built - start)) s"

# Seeds: the code bytes of the instruction corpus, one file per case.
seed_dir="$BUILD_DIR/corpus/seed"
if [ ! -d "$seed_dir" ]; then
  mkdir -p "$seed_dir"
  i=0
  for f in "$SOURCE_DIR"/tests/insn/*.cases "$SOURCE_DIR"/tests/regressions/*.cases; do
    [ -f "$f" ] || continue
    sed -n 's/^[A-Za-z0-9_]*: \([0-9a-f ]*\)["|].*/\1/p' "$f" | while read -r hex; do
      i=$((i + 1))
      printf '%s' "00 $hex" | xxd -r -p > "$seed_dir/$(echo "$hex" | md5sum | cut -c1-16)" 2>/dev/null || true
    done
  done
fi

status=0
for h in $HARNESSES; do
  corpus="$BUILD_DIR/corpus/$h"
  artifacts="$BUILD_DIR/artifacts/$h/"
  mkdir -p "$corpus" "$artifacts"
  # The system harness reads a header before the code: the bare code seeds would be noise.
  seeds=$seed_dir
  if [ "$h" = system ]; then seeds=""; fi
  t0=$(date +%s)
  if ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$BUILD_DIR/fuzz/fuzz_$h" -max_total_time="$SECONDS_PER_HARNESS" -max_len=256 -timeout=20 -rss_limit_mb=4096 \
       -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" ${seeds:+"$seeds"} "$HERE/regressions/$h" > "$BUILD_DIR/fuzz_$h.log" 2>&1; then
    result="no crash"
  else
    result="CRASH (see $artifacts and $BUILD_DIR/fuzz_$h.log)"
    status=1
  fi
  t1=$(date +%s)
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD_DIR/fuzz_$h.log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz_$h: $((t1 - t0)) s, $runs inputs, $result"
done
echo "fuzz/run.sh: total $(( $(date +%s) - start )) s"
exit $status
