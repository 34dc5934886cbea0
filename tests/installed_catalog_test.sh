#!/usr/bin/env bash
# The Chinese catalog is found where the README says: beside an installed
# qun (cmake --install: bin/ and share/locale/) and beside a copied binary
# (qun and locale/ in one folder). Without it qun still runs, in English.
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

speaks_chinese() {  # qun binary
  local out
  out="$("$1" --lang zh --home "$work/no-such-home" status 2>&1 || true)"
  case "$out" in
    *"qun：出错了："*) return 0 ;;
    *) echo "not Chinese from $1: $out" >&2; return 1 ;;
  esac
}

cmake --install "$build" --prefix "$work/prefix" >/dev/null
speaks_chinese "$work/prefix/bin/qun"

mkdir "$work/copied"
cp "$build/cli/qun" "$work/copied/qun"
cp -r "$build/locale" "$work/copied/locale"
speaks_chinese "$work/copied/qun"

mkdir "$work/alone"
cp "$build/cli/qun" "$work/alone/qun"
out="$("$work/alone/qun" --lang zh --home "$work/no-such-home" status 2>&1 || true)"
case "$out" in
  *"qun: error: "*) ;;
  *) echo "a qun without its catalog should fall back to English: $out" >&2; exit 1 ;;
esac
echo "the catalog is found installed and copied"
