#!/usr/bin/env bash
# Measure the real OpenClaw gateway the plans are sized by: seconds from
# start to /readyz and the resident memory of the gateway with its helper
# processes once idle: bare (plugins=0), with the channel plugins enabled
# (1), and with those and the provider plugins the plans pre-install,
# their keys configured (2).
#   bench/openclaw/measure.sh [RUNS]      (default 1 run of each)
# Uses the package scripts/openclaw-deps.sh installs (the provider plugins
# from npm's cache, offline); no network needed.  Prints one line per
# run: "plugins=<0|1|2> ready_s=<n> rss_mb=<n> load=<1-min load average
# at the start>".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-1}
{ read -r oc; read -r prov; } < <(OCH_OPENCLAW_PROVIDERS=1 "$top/scripts/openclaw-deps.sh")
# the plans' provider plugins (npm specs), as openclaw-deps.sh caches them
mapfile -t providers < <(grep -oE "'@openclaw/[a-z0-9-]+@[0-9.]+'" \
    "$top/schema/310_plan_providers.sql" | tr -d "'" | sort -u)
port=${OCH_BENCH_PORT:-18799}
work=$(mktemp -d)
trap 'kill -TERM -- "-$gw" 2>/dev/null || true; sleep 5; rm -rf "$work"' EXIT
export PATH=$oc/node/bin:$oc/prefix/bin:$PATH OPENCLAW_SERVICE_REPAIR_POLICY=external \
    OPENCLAW_NO_RESPAWN=1 OPENCLAW_DISABLE_BONJOUR=1
gw=0
# `openclaw onboard`'s arguments as och-setup gives them (on $port)
mapfile -t onboard < <(bash -c '. "$1"; onboard_flags "$2"' och-setup \
    "$top/cloud-init/och-setup" "$port")

# rss_mb PGID: resident memory of the process group, MiB
rss_mb() { ps -o rss= -g "$1" | awk '{s += $1} END {printf "%d", s / 1024}'; }

measure() {	# plugins(0|1)
	local t0 t1 i
	export HOME=$work/h$1 OPENCLAW_STATE_DIR=$work/h$1/.openclaw
	mkdir -p "$OPENCLAW_STATE_DIR"
	printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$(openssl rand -hex 32)" >"$OPENCLAW_STATE_DIR/.env"
	[[ -f $OPENCLAW_STATE_DIR/openclaw.json ]] ||
	    openclaw onboard "${onboard[@]}" >/dev/null 2>&1
	if [[ $1 -ge 1 && ! -f $OPENCLAW_STATE_DIR/.och-plugins ]]; then
		for p in whatsapp discord slack; do
			openclaw plugins install "$oc/plugins/$p" --link --force \
			    --accept-capabilities >"$work/install.log" 2>&1 ||
			    { echo "measure: $p not linked:" >&2; tail -n 5 "$work/install.log" >&2; exit 1; }
		done
		printf '{"plugins":{"entries":{"whatsapp":{"enabled":true},"discord":{"enabled":true},"slack":{"enabled":true}}}}' |
		    openclaw config patch --stdin >/dev/null 2>&1
		touch "$OPENCLAW_STATE_DIR/.och-plugins"
	fi
	if [[ $1 == 2 && ! -f $OPENCLAW_STATE_DIR/.och-providers ]]; then
		for p in "${providers[@]}"; do
			npm_config_offline=true npm_config_cache=$prov/npm-cache \
			    openclaw plugins install "$p" --force \
			    --accept-capabilities >"$work/install.log" 2>&1 ||
			    { echo "measure: $p not installed:" >&2; tail -n 5 "$work/install.log" >&2; exit 1; }
		done
		printf 'DEEPSEEK_API_KEY=sk-bench-0123456789\nMISTRAL_API_KEY=bench-0123456789\n' \
		    >>"$OPENCLAW_STATE_DIR/.env"
		touch "$OPENCLAW_STATE_DIR/.och-providers"
	fi
	load=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(date +%s.%N)
	setsid openclaw gateway --port "$port" </dev/null >"$work/gw$1.log" 2>&1 &
	gw=$!
	for ((i = 0; i < 600; i++)); do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] && break
		sleep 1
	done
	t1=$(date +%s.%N)
	sleep 30	# idle
	printf 'plugins=%s ready_s=%.0f rss_mb=%s load=%s\n' "$1" "$(echo "$t1 - $t0" | bc)" \
	    "$(rss_mb "$gw")" "$load"
	# stopped as the unit stops it: SIGTERM, 30 s (TimeoutStopSec), SIGKILL
	kill -TERM "$gw" 2>/dev/null || true
	for ((i = 0; i < 30; i++)); do kill -0 "$gw" 2>/dev/null || break; sleep 1; done
	kill -KILL -- "-$gw" 2>/dev/null || true
}

for ((r = 0; r < runs; r++)); do
	measure 0
	measure 1
	measure 2
done
