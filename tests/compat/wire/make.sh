#!/usr/bin/env bash
# Makes the frozen wire files of tests/compat/wire/ with the `qun` given:
#   tests/compat/wire/make.sh build/cli/qun
# Run ONCE, by hand, when the files were first made. They are then frozen
# byte for byte: never run it again over them (a new run gives new keys, a
# new community and new hashes, and would hide exactly the break these files
# are there to catch). Every later qun must still take them in and reach the
# state hash recorded in tests/compat/README.md. To freeze the files of a
# new format, write them to a new folder.
#
# What it makes (see tests/compat/README.md for what each holds):
#   community.qunb   a bundle of everything the founder's node held
#   invite.qun       an invite addressed to the frozen node key below
#   node.key node.pub  the invitee's identity (a test key: it guards nothing)
#   change-set.bin   one change set of the second admin, cut out of a bundle
#   made.txt         what this run printed that the README records
set -euo pipefail
QUN=$(realpath "${1:?usage: make.sh PATH-TO-QUN}")
OUT=$(cd "$(dirname "$0")" && pwd)
for f in community.qunb invite.qun node.key node.pub change-set.bin; do
  if [ -e "$OUT/$f" ]; then
    echo "make.sh: $OUT/$f exists: the wire files are frozen, not remade" >&2
    exit 1
  fi
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
A=$W/founder B=$W/second C=$W/invitee
q() {
  local home=$1
  shift
  QUN_HOME=$home "$QUN" "$@"
}

# The founder (王芳) and the community: two groups, people with Chinese
# names and their memberships, an event with sign-ups.
q "$A" init --name 湾区读书会 --admin 王芳
q "$A" group add 北京读书群 --kind regional --platform wechat
q "$A" group add 上海读书群 --kind regional --platform wechat --capacity 50
q "$A" member add 张伟 --wechat zw_001 --city 北京 --tag 摄影 --group 北京读书群
q "$A" member add 李娜 --wechat ln_002 --city 上海 --group 上海读书群
q "$A" member add 陈静 --phone "+86 138 0000 0003" --city 北京 --group 北京读书群
q "$A" member join 上海读书群 陈静
q "$A" member set-role 北京读书群 张伟 core
EVENT=$(q "$A" --json event add 北京读书群 周六读书会 --at "2026-11-28 14:00" \
  --until "2026-11-28 16:00" --place 朝阳图书馆 --capacity 20 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
q "$A" event signup "$EVENT" 张伟 --plus 1 --note 带孩子
q "$A" event signup "$EVENT" 陈静

# A second admin (刘洋), invited as admin of 北京读书群, and then granted
# member-editor as well: a role grant of its own.
q "$B" init --join --admin 刘洋
q "$A" invite "$(head -c 64 "$B/node.pub")" -o "$W/second.invite" --name 刘洋 \
  --role admin --group 北京读书群
q "$B" join "$W/second.invite"
q "$A" admin grant 刘洋 editor
q "$B" bundle vector -o "$W/second.vector"
q "$A" bundle export --for "$W/second.vector" -o "$W/to-second.qunb"
q "$B" bundle import "$W/to-second.qunb"
# The second admin writes: a person in its group, a sign-up.
q "$B" member add 赵磊 --wechat zl_004 --city 北京 --group 北京读书群
q "$B" event signup "$EVENT" 赵磊
q "$A" bundle vector -o "$W/founder.vector"
q "$B" bundle export --for "$W/founder.vector" -o "$W/from-second.qunb"
q "$A" bundle import "$W/from-second.qunb"

# The frozen invitee (王五): a node key of its own, invited as a viewer.
q "$C" init --join --admin 王五
q "$A" invite "$(head -c 64 "$C/node.pub")" -o "$OUT/invite.qun" --name 王五 --role viewer
cp "$C/node.key" "$C/node.pub" "$OUT/"

# Everything the founder holds, the invite of 王五 included.
q "$A" bundle export -o "$OUT/community.qunb"

# The last change set of the second admin's bundle: its sign-up of 赵磊.
# Bundle format (sync/bundle.h): "qunbndl1", community id (16), then per
# change set a u32 little-endian length and its bytes, then a length 0.
python3 - "$W/from-second.qunb" "$OUT/change-set.bin" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"qunbndl1"
at, sets = 24, []
while True:
    (n,) = struct.unpack_from("<I", data, at)
    at += 4
    if n == 0:
        break
    sets.append(data[at:at + n])
    at += n
assert at == len(data)
open(sys.argv[2], "wb").write(sets[-1])
print(f"change sets in the second admin's bundle: {len(sets)}")
PY

# What the test does: the invitee joins, imports the bundle, prints its hash.
q "$C" join "$OUT/invite.qun"
q "$C" bundle import "$OUT/community.qunb"
{
  echo "qun: $("$QUN" --version 2>/dev/null || echo unknown)"
  echo "second admin: $(head -c 64 "$B/node.pub")"
  echo "invitee: $(head -c 64 "$C/node.pub")"
  echo "state-hash (invitee): $(q "$C" state-hash)"
  echo "state-hash (founder): $(q "$A" state-hash)"
  echo "status (invitee): $(q "$C" --json status)"
  echo "sha256:"
  (cd "$OUT" && sha256sum community.qunb invite.qun node.key node.pub change-set.bin)
} | tee "$OUT/made.txt"
