#!/usr/bin/env bash
# A five-minute tour of Qun, run by `./setup.sh`: create a community, add
# subgroups and people, import a spreadsheet, then bring in two more admins
# on other "laptops" (one with an invite file, one with a code over the
# network), each with its own role (an owner, a group admin, a
# member-editor), and sync the three nodes over the network (loopback),
# with offline edits on every side (an event's sign-up list among them), directly and through a relay that cannot
# read what it carries. Everything happens in temporary homes and on
# 127.0.0.1, so it touches none of your data.
set -euo pipefail
cd "$(dirname "$0")/.."
QUN="${QUN:-build/cli/qun}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export QUN_HOME="$work/xiaolin"  # the first admin's laptop
second="$work/lina"              # the second admin's laptop
third="$work/chenjing"           # the third admin's laptop
relay_home="$work/relay"         # an always-on relay

step() { printf '\n\033[1m[小林]$ qun %s\033[0m\n' "$*"; "$QUN" "$@"; }
step2() { printf '\n\033[1m[李娜]$ qun %s\033[0m\n' "$*"; QUN_HOME="$second" "$QUN" "$@"; }
step3() { printf '\n\033[1m[陈静]$ qun %s\033[0m\n' "$*"; QUN_HOME="$third" "$QUN" "$@"; }
note() { printf '\n\033[2m# %s\033[0m\n' "$*"; }

# Starts a long-running qun in the background (its log in $work/$1.log) and
# sets $started_port to the port it bound on 127.0.0.1. Called directly, not
# in $(...): a command substitution runs in a subshell, whose additions to
# $pids the cleanup would never see, and the server would outlive the demo.
start() {
  local name="$1" home="$2" port
  shift 2
  QUN_HOME="$home" "$QUN" "$@" --listen 'tcp://127.0.0.1:*' >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    port="$(grep -o 'on tcp://127.0.0.1:[0-9]*' "$work/$name.log" | head -1 | cut -d: -f3 || true)"
    if [ -n "$port" ]; then started_port="$port"; return; fi
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  echo "$name did not start" >&2
  exit 1
}

step init --name "湾区创业者社区 Bay Founders" --admin "小林"
step group add "北京交流群" --kind exchange --platform wechat --capacity 300 \
  --intro-template "我是谁 / 我需要什么 / 我能提供什么"
step group add "Shanghai Founders" --kind regional --platform telegram --handle @shfounders
step group add "摄影兴趣群" --kind interest --admission paid --fee 49.90
step member add "张伟" --nickname "北京-张伟-设计" --wechat zhangwei_88 --city 北京 \
  --tag 摄影 --tag 创业 --group "北京交流群" --role admin
step member add "Alice Chen" --phone "+1 415-555-0101" --email alice@example.org \
  --city "San Francisco" --tag "AI" --referred-by zhangwei_88
step member join "Shanghai Founders" alice@example.org --role core
step import members tests/data/members-sample.csv --group "摄影兴趣群"
step group list
step member list --group "北京交流群"
step member list --tag 摄影 --city 上海
step member edit alice@example.org --add-tag 投资 --city "Palo Alto"
step member show alice@example.org
step log alice@example.org --limit 8

export_file="$work/members.csv"
step export members -o "$export_file"
step import members "$export_file"

# A second admin joins with an invite file: her node prints its id, the
# first admin writes an invite for it.
step2 init --join --admin "李娜"
step invite "$(cat "$second/node.pub")" --name "李娜" --role admin --group "摄影兴趣群" \
  -o "$work/invite-lina.qun"
step2 join "$work/invite-lina.qun"

note "小林's laptop serves on the network (here: loopback); the others add it as a peer."
start serve "$QUN_HOME" serve --sync-every 0
port="$started_port"
head -2 "$work/serve.log"
step2 peer add xiaolin "tcp://127.0.0.1:$port" --key "$(cat "$QUN_HOME/node.pub")"
step2 sync xiaolin

note "陈静 joins over the network: 小林 sends her a one-time code (in a private chat, say)."
out="$(step invite --code --address "tcp://127.0.0.1:$port" --name "陈静" --expires 1h \
  --role member-editor)"
echo "$out"
code="$(echo "$out" | grep -o 'qun1-[a-z2-7]*' | head -1)"
# The code goes in on standard input: on the command line, other users of
# the laptop could read it in the process list while qun runs.
printf '\n\033[1m[陈静]$ qun join - --admin 陈静 --peer-name xiaolin\033[0m  (the code pasted)\n'
printf '%s\n' "$code" | QUN_HOME="$third" "$QUN" join - --admin "陈静" --peer-name xiaolin

note "An outing for 摄影兴趣群 (李娜 is its admin), with a sign-up list (接龙) both will take."
step member join "摄影兴趣群" zhangwei_88
step member join "摄影兴趣群" alice@example.org
outing="$("$QUN" event add "摄影兴趣群" "周六西湖外拍" --at "2030-05-04 09:00" --place 西湖断桥 \
  --capacity 3)"
echo "event $outing"
step2 sync xiaolin

note "Offline on all three laptops: two edit Alice, each adds someone."
step member edit alice@example.org --city "Berkeley" --nickname "Alice-SF"
step2 member edit alice@example.org --city "Oakland" --add-tag 读书
step2 member add "陈静" --wechat chenjing_sz --city 深圳 --group "摄影兴趣群"
step3 member add "王磊" --phone "+86 139 0000 0003" --city 北京
note "Sign-ups taken offline on two laptops, and a check-in (打卡)."
step event signup "$outing" zhangwei_88
step event signup "$outing" alice@example.org --plus 1 --note 带三脚架
step2 event signup "$outing" chenjing_sz
step2 checkin "摄影兴趣群" chenjing_sz --note 今日一拍
note "陈静 is a member-editor: she keeps people's records, not groups. Qun says so and writes nothing."
if step3 group add "深圳读书会" --kind interest --platform qq; then
  echo "a member-editor added a group" >&2
  exit 1
fi

note "Back online: each syncs with 小林's node, both ways; 陈静's changes reach 李娜 through it."
step2 sync xiaolin
step3 sync xiaolin
step2 sync xiaolin
step2 sync xiaolin

note "李娜 and 陈静 are rarely online together: a relay stores and forwards for them, unread."
printf '%s 李娜\n%s 陈静\n' "$(cat "$second/node.pub")" "$(cat "$third/node.pub")" >"$work/allow.txt"
start relay "$relay_home" relay --allow "$work/allow.txt"
relay_port="$started_port"
head -2 "$work/relay.log"
relay_key="$(grep -o 'relay key [0-9a-f]*' "$work/relay.log" | cut -d' ' -f3)"
step2 peer add relay "tcp://127.0.0.1:$relay_port" --key "$relay_key"
step3 peer add relay "tcp://127.0.0.1:$relay_port" --key "$relay_key"
step3 member edit chenjing_sz --notes "负责深圳线下活动"
step3 sync relay
step2 sync relay
if grep -q "负责深圳线下活动" "$relay_home/relay.db"; then
  echo "the relay's database holds plaintext" >&2
  exit 1
fi
echo "(the relay's database holds no readable member data)"
step2 sync xiaolin

note "One sign-up list on both laptops, in the same order; the last to sign up waits for a place."
step event show "$outing" --chat
step2 event show "$outing" --chat
if [ "$("$QUN" event show "$outing" --chat)" != "$(QUN_HOME="$second" "$QUN" event show "$outing" --chat)" ]; then
  echo "the sign-up lists differ" >&2
  exit 1
fi
step2 report health --group "摄影兴趣群" --weeks 2

note "All three laptops now show the same registry, and the same fingerprint."
step member show alice@example.org
step3 member show alice@example.org
step2 member list --group "摄影兴趣群" --city 深圳
step state-hash
step2 state-hash
step3 state-hash
a="$("$QUN" state-hash)"
b="$(QUN_HOME="$second" "$QUN" state-hash)"
c="$(QUN_HOME="$third" "$QUN" state-hash)"
if [ "$a" != "$b" ] || [ "$a" != "$c" ]; then
  echo "the nodes disagree after syncing" >&2
  exit 1
fi
step2 status
note "Who may do what, as every node decides it:"
step admin list
note "小林's server log:"
cat "$work/serve.log"
