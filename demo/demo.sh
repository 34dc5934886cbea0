#!/usr/bin/env bash
# A five-minute tour of Qun, run by `./setup.sh`: create a community, add
# subgroups and people, import a spreadsheet, then bring in a second admin on
# another "laptop" and sync the two nodes by file, with offline edits on
# both sides. Everything happens in temporary homes, so it touches none of
# your data.
set -euo pipefail
cd "$(dirname "$0")/.."
QUN="${QUN:-build/cli/qun}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export QUN_HOME="$work/xiaolin"  # the first admin's laptop
second="$work/lina"              # the second admin's laptop

step() { printf '\n\033[1m[小林]$ qun %s\033[0m\n' "$*"; "$QUN" "$@"; }
step2() { printf '\n\033[1m[李娜]$ qun %s\033[0m\n' "$*"; QUN_HOME="$second" "$QUN" "$@"; }

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

# A second admin joins: her node prints its id, the first admin invites it.
step2 init --join --admin "李娜"
step invite "$(cat "$second/node.pub")" --name "李娜" -o "$work/invite.qun"
step2 join "$work/invite.qun"
# First sync by file: she says what she holds, he writes what she lacks.
step2 bundle vector -o "$work/lina.vector"
step bundle export --for "$work/lina.vector" -o "$work/to-lina.qun"
step2 bundle import "$work/to-lina.qun"

# Offline on both laptops: both edit Alice, each adds someone.
step member edit alice@example.org --city "Berkeley" --nickname "Alice-SF"
step2 member edit alice@example.org --city "Oakland" --add-tag 读书
step2 member add "陈静" --wechat chenjing_sz --city 深圳 --group "摄影兴趣群"
step member add "王磊" --phone "+86 139 0000 0003" --city 北京

# Swap bundles both ways.
step2 bundle vector -o "$work/lina.vector"
step bundle export --for "$work/lina.vector" -o "$work/to-lina.qun"
step2 bundle import "$work/to-lina.qun"
step bundle vector -o "$work/xiaolin.vector"
step2 bundle export --for "$work/xiaolin.vector" -o "$work/to-xiaolin.qun"
step bundle import "$work/to-xiaolin.qun"

# Both laptops now show the same registry, and the same fingerprint.
step member show alice@example.org
step2 member show alice@example.org
step state-hash
step2 state-hash
if [ "$("$QUN" state-hash)" != "$(QUN_HOME="$second" "$QUN" state-hash)" ]; then
  echo "the two nodes disagree after syncing" >&2
  exit 1
fi
step status
