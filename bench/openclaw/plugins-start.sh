#!/usr/bin/env bash
# The real gateway's start to /readyz with the three channel plugins
# (WhatsApp, Discord, Slack; linked from the package cache, no network)
# installed and, as `plugins install` leaves them, enabled ("on"); the
# same installed and turned off by och-setup's static settings ("off",
# as a server's state now is until a channel is configured); and none
# installed ("none").  No channel configured in any.  One gateway at a
# time, stopped with SIGTERM; the compile cache warmed by one start first.
# Then, on the "off" state, the WhatsApp plugin and channel turned on by
# `config patch` while the gateway runs: the gateway's own log says
# whether it applied that live (same process) or restarted.
#   bench/openclaw/plugins-start.sh [ROUNDS]     (default 2)
# Prints one line per start ("state=<on|off|none> ready_s=<n> rss_mb=<n>
# load=<1-min load average at its start>"), the medians and off/on, then
# the live-enable line.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-2}
port=${OCH_BENCH_PORT:-18796}
# shellcheck source=bench/openclaw/gateway.sh
. "$top/bench/openclaw/gateway.sh"
export NODE_COMPILE_CACHE=$work/cc
static=$(bash -c '. "$1"; static_patch' och-setup "$top/cloud-init/och-setup")
base=$work
# mk NAME PLUGINS(on|off|none): a state folder onboarded as och-setup does
mk() {
	local p
	export HOME=$base/$1 OPENCLAW_STATE_DIR=$base/$1/.openclaw
	st=$OPENCLAW_STATE_DIR
	mkdir -p "$base/$1" && mkdir -m 700 "$st"
	gw_onboard "$(tok)" <<<'{"gateway":{"trustedProxies":["127.0.0.1"]}}'
	[[ $2 == none ]] && return 0
	for p in whatsapp discord slack; do
		openclaw plugins install "$oc/plugins/$p" --link --force \
		    --accept-capabilities >/dev/null 2>&1
	done
	[[ $2 == off ]] && openclaw config patch --stdin <<<"$static" >/dev/null 2>&1
	[[ $(jq -c '[.plugins.entries.whatsapp.enabled, .plugins.entries.slack.enabled]' \
	    "$st/openclaw.json") == "$([[ $2 == on ]] && echo '[true,true]' || echo '[false,false]')" ]] ||
	    { echo "plugins-start: state $1 is not as meant" >&2; exit 1; }
}
# start NAME: seconds to /readyz; leaves the gateway running in $gw
start() {
	local t0 t1 load
	export HOME=$base/$1 OPENCLAW_STATE_DIR=$base/$1/.openclaw
	st=$OPENCLAW_STATE_DIR
	load=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(date +%s.%N)
	gw_start
	gw_ready
	t1=$(date +%s.%N)
	printf 'state=%s ready_s=%.1f rss_mb=%s load=%s\n' "$1" "$(echo "$t1 - $t0" | bc)" \
	    "$(ps -o rss= -g "$gw" | awk '{s += $1} END {printf "%d", s / 1024}')" "$load" |
	    tee -a "$work/lines"
}
mk on on; mk off off; mk none none
start none >/dev/null; gw_stop; : >"$work/lines"	# the compile cache, once (untimed)
for ((r = 0; r < rounds; r++)); do
	for s in on off none; do start "$s"; gw_stop; done
done
for s in on off none; do
	printf '%s median %s s\n' "$s" "$(sed -n "s/^state=$s ready_s=\([0-9.]*\).*/\1/p" "$work/lines" | median)"
done
on=$(sed -n 's/^state=on ready_s=\([0-9.]*\).*/\1/p' "$work/lines" | median)
off=$(sed -n 's/^state=off ready_s=\([0-9.]*\).*/\1/p' "$work/lines" | median)
printf 'off/on %.2f\n' "$(echo "$off / $on" | bc -l)"
# turned on while it runs
start off >/dev/null
pid=$gw
openclaw config patch --stdin >/dev/null 2>&1 \
    <<<'{"plugins":{"entries":{"whatsapp":{"enabled":true}}},"channels":{"whatsapp":{"enabled":true,"dmPolicy":"pairing"}}}'
for ((i = 0; i < 240; i++)); do
	sed 's/\x1b\[[0-9;]*m//g' "$work/gateway.log" | grep -q 'config hot reload applied ([^)]*plugins.entries.whatsapp' && break
	sleep 0.5
done
applied=$(sed 's/\x1b\[[0-9;]*m//g' "$work/gateway.log" | grep -c 'config hot reload applied ([^)]*plugins.entries.whatsapp' || true)
printf 'live enable: hot reload lines=%s same process=%s\n' "$applied" \
    "$(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
gw_stop
