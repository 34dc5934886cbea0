#!/usr/bin/env bash
# The demo that `./setup.sh` runs starts a `qun serve` and a `qun relay`;
# when it ends, by success or failure, neither may still be running. Runs
# the demo with QUN set to the binary under test and its own TMPDIR, then
# looks for any process that inherited that TMPDIR.
# Usage: demo_leaves_nothing_running_test.sh QUN-BINARY
set -uo pipefail
qun="$(realpath "$1")"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"

# The demo's own processes carry TMPDIR=$tmp/t in their environment.
leftovers() {
  local pid found=()
  for env in /proc/[0-9]*/environ; do
    pid="${env#/proc/}"
    pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    if tr '\0' '\n' 2>/dev/null <"$env" | grep -qxF "TMPDIR=$tmp/t"; then found+=("$pid"); fi
  done
  echo "${found[@]:-}"
}

QUN="$qun" TMPDIR="$tmp/t" timeout 600 bash "$repo/demo/demo.sh" >"$tmp/demo.log" 2>&1
rc=$?
# A process killed by the cleanup may take a moment to go.
for _ in $(seq 50); do
  left="$(leftovers)"
  [ -z "$left" ] && break
  sleep 0.1
done
if [ -n "$left" ]; then
  echo "the demo left processes running:" >&2
  for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline" >&2; echo >&2; kill "$p" 2>/dev/null; done
  exit 1
fi
if [ "$rc" != 0 ]; then
  echo "the demo failed (exit $rc):" >&2
  tail -40 "$tmp/demo.log" >&2
  exit 1
fi
if [ -n "$(ls -A "$tmp/t")" ]; then
  echo "the demo left files in its temporary folder: $(ls -A "$tmp/t")" >&2
  exit 1
fi
echo "the demo ran and left nothing behind"
