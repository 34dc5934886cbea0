#!/usr/bin/env bash
# Sets up Qun on a fresh Debian 12 machine and runs it.
#
#   ./setup.sh        install what is missing, build, run the demo
#   ./setup.sh test   install what is missing, build, run the whole test suite
#                     and a smoke run of the benchmark (bench/run --scale 0.01),
#                     then build again with clang, AddressSanitizer and
#                     UndefinedBehaviorSanitizer (build-fuzz), run the whole
#                     test suite there too, and fuzz each fuzz target for a
#                     bounded time (tests/fuzz/run; docs/reliability.md)
#
# Installing uses apt-get (through sudo when not root) and only for packages
# that are missing, so a second run starts building at once.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-demo}"
case "$mode" in
  demo|test) ;;
  *) echo "usage: ./setup.sh [demo|test]" >&2; exit 2 ;;
esac

packages=(build-essential cmake pkg-config libsqlite3-dev libsodium-dev libcli11-dev
          nlohmann-json3-dev libfmt-dev doctest-dev util-linux capnproto libcapnp-dev
          libzmq3-dev cppzmq-dev gettext libicu-dev)
# The sanitizer and fuzzing build: clang, its sanitizer and libFuzzer
# runtimes, and llvm-symbolizer for readable reports.
if [ "$mode" = test ]; then packages+=(clang libclang-rt-14-dev llvm-14); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${QUN_BUILD_DIR:-build}"
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
echo "==> building in $build_dir"
# -O2 as RelWithDebInfo, without its debug information, which costs a
# third of the build's time; the sanitizer build below keeps line tables
# for its reports.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DQUN_WERROR="$werror" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"

if [ "$mode" = test ]; then
  echo "==> running the tests"
  ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
  echo "==> a smoke run of the benchmark (docs/performance.md)"
  QUN_BUILD_DIR="$build_dir" bench/run --scale 0.01

  fuzz_dir="${QUN_FUZZ_BUILD_DIR:-build-fuzz}"
  echo "==> building with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer in $fuzz_dir"
  # -O1: sanitizers' usual level, and a quicker build. The benchmark is not
  # run here, so not built.
  CC=clang CXX=clang++ cmake -S . -B "$fuzz_dir" -DQUN_FUZZ=ON -DQUN_BUILD_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="-O1 -g1" -DCMAKE_CXX_FLAGS="-O1 -g1" -DQUN_WERROR="$werror" >/dev/null
  cmake --build "$fuzz_dir" -j "$(nproc)"
  if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
  fi
  echo "==> running the tests under the sanitizers"
  # The crash tests kill qun at 8 points here instead of 52, and the heavy
  # network tests push a third of their data (tests/support/scale.h): the
  # normal build above ran them whole, and each step is slower under the
  # sanitizers.
  QUN_CRASH_POINTS="${QUN_CRASH_POINTS:-8}" QUN_TEST_SCALE="${QUN_TEST_SCALE:-0.34}" \
    ctest --test-dir "$fuzz_dir" --output-on-failure -j "$(nproc)"
  echo "==> fuzzing (tests/fuzz/run)"
  tests/fuzz/run --build "$fuzz_dir" --seconds "${QUN_FUZZ_SECONDS:-12}"
else
  echo "==> running the demo"
  QUN="$build_dir/cli/qun" ./demo/demo.sh
fi
