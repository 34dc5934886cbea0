#!/usr/bin/env bash
# A five-minute tour of a Qun node, run by `./setup.sh`: create a community,
# add subgroups and people, import a spreadsheet, and print the registry.
# Everything happens in a temporary home, so it touches none of your data.
set -euo pipefail
cd "$(dirname "$0")/.."
QUN="${QUN:-build/cli/qun}"
export QUN_HOME="$(mktemp -d)/qun-demo"
trap 'rm -rf "$(dirname "$QUN_HOME")"' EXIT

step() { printf '\n\033[1m$ qun %s\033[0m\n' "$*"; "$QUN" "$@"; }

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

export_file="$(dirname "$QUN_HOME")/members.csv"
step export members -o "$export_file"
step import members "$export_file"
step status
