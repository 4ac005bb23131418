#!/bin/sh
# Configures the sanitizer build that fuzz/run.sh and scripts/test-sanitizers.sh share,
# so that orcvm's libraries, the slow part of the build, are compiled once for both:
# clang-19, ASan + UBSan on all of orcvm (ORCVM_SANITIZE), libFuzzer's coverage
# instrumentation (fuzzer-no-link: only the harnesses link libFuzzer), the harnesses
# (ORCVM_FUZZ) and the guest tests (ORCVM_TESTS).
#
#   fuzz/configure.sh SOURCE_DIR BUILD_DIR
#
# Needs clang-19 and libclang-rt-19-dev (libclang_rt.fuzzer): apt-get install clang-19
# libclang-rt-19-dev; and what the tests need (scripts/install-deps.sh).
set -eu
SOURCE_DIR=$1
BUILD_DIR=$2
if ! command -v clang++-19 >/dev/null; then echo "fuzz/configure.sh: clang++-19 not found (apt-get install clang-19)"; exit 2; fi
if ! ls /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz/configure.sh: libclang_rt.fuzzer for clang 19 missing (apt-get install libclang-rt-19-dev)"; exit 2
fi
cmake -S "$SOURCE_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
  -DORCVM_SANITIZE=ON -DORCVM_FUZZ=ON -DORCVM_TESTS=ON >/dev/null
