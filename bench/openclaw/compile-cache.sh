#!/usr/bin/env bash
# Does Node's compile cache speed up the real OpenClaw?  With an empty
# cache ("cold": a new NODE_COMPILE_CACHE folder each time, as every start
# on a VPS had while the cache sat in the unit's PrivateTmp) and with the
# cache a pre-built image carries ("warm": a fresh copy, each time, of the
# folder one onboarding and one gateway start filled, as `och-setup
# warm-cache` fills it), alternating cold and warm in one run so both see
# the same machine load:
#   ready_s      `openclaw gateway` to 200 on /readyz (polled every 0.2 s)
#   cli_s        one short CLI call (`openclaw config get gateway.port`)
#   firstboot_s  the openclaw calls of a pre-built image's first boot
#                before the gateway serves the customer's config: och-setup's
#                version check, onboarding and one `config patch`, the
#                agent's first `config patch`
#   bench/openclaw/compile-cache.sh [RUNS]     (default 3 of each)
# The gateway: loopback, token auth, no channels (what a first boot or a
# pool server starts before any customer config); no network.  One
# gateway at a time, stopped as the unit stops it (SIGTERM, on which Node
# writes the cache; SIGKILL to the group after 30 s).  Prints one line per
# round ("cache=<cold|warm> ready_s=<n> cache_mb=<n> cli_s=<n>
# firstboot_s=<n> load=<1-min load average at its start>"), then the
# medians and their ratios.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
oc=$("$top/scripts/openclaw-deps.sh" | head -n 1)
port=${OCH_BENCH_PORT:-18799}
# `openclaw onboard`'s arguments as och-setup gives them (on $port)
mapfile -t onboard < <(bash -c '. "$1"; onboard_flags "$2"' och-setup \
    "$top/cloud-init/och-setup" "$port")
work=$(mktemp -d)
gw=0
stop_gw() {
	local i
	((gw > 0)) || return 0
	kill -TERM "$gw" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do kill -0 "$gw" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$gw" 2>/dev/null || true
	wait "$gw" 2>/dev/null || true
	gw=0
}
trap 'stop_gw; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
export PATH=$oc/node/bin:$oc/prefix/bin:$PATH OPENCLAW_SERVICE_REPAIR_POLICY=external \
    OPENCLAW_NO_RESPAWN=1 OPENCLAW_DISABLE_BONJOUR=1 \
    HOME=$work/h OPENCLAW_STATE_DIR=$work/h/.openclaw TMPDIR=$work/tmp
mkdir -p "$OPENCLAW_STATE_DIR" "$TMPDIR"
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$(openssl rand -hex 32)" >"$OPENCLAW_STATE_DIR/.env"
NODE_COMPILE_CACHE=$work/cache-image openclaw onboard "${onboard[@]}" \
    >"$work/onboard.log" 2>&1 || { tail -n 20 "$work/onboard.log" >&2; exit 1; }

# start CACHE-DIR: one gateway start on that compile cache; the seconds
# to /readyz in SECS (exits after 600 s; the EXIT trap stops the gateway)
start() {
	local t0 t1 i
	t0=$(date +%s.%N)
	NODE_COMPILE_CACHE=$1 setsid openclaw gateway --port "$port" </dev/null \
	    >>"$work/gw.log" 2>&1 &
	gw=$!
	for ((i = 0; i < 3000; i++)); do
		[[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] &&
		    break
		kill -0 "$gw" 2>/dev/null || { tail -n 20 "$work/gw.log" >&2; exit 1; }
		sleep 0.2
	done
	((i < 3000)) || { echo "compile-cache: no /readyz in 600 s" >&2; exit 1; }
	t1=$(date +%s.%N)
	stop_gw
	SECS=$(echo "$t1 - $t0" | bc)
}

# cli CACHE-DIR: seconds of one short CLI call on that cache, in SECS
cli() {
	local t0
	t0=$(date +%s.%N)
	NODE_COMPILE_CACHE=$1 openclaw config get gateway.port >/dev/null 2>>"$work/cli.log" ||
	    { tail -n 20 "$work/cli.log" >&2; exit 1; }
	SECS=$(echo "$(date +%s.%N) - $t0" | bc)
}

# firstboot CACHE-DIR: seconds of the openclaw calls on a pre-built
# image's first boot up to the gateway's (re)start: och-setup's version
# check, onboarding a new state folder and its one `config patch`, then
# the agent's first `config patch` (the same keys, the instance's name),
# in SECS
firstboot() {
	local t0 h=$work/fb o='https://a.example.com'
	rm -rf "$h"
	mkdir -p "$h/.openclaw"
	printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$(openssl rand -hex 32)" >"$h/.openclaw/.env"
	printf '{"gateway":{"trustedProxies":["127.0.0.1"],"controlUi":{"allowedOrigins":["%s"]},"publicOrigin":"%s"},"plugins":{"entries":{"admin-http-rpc":{"enabled":true}}}}\n' \
	    "$o" "$o" >"$work/setup.patch"
	sed 's/a\.example/b.example/g' "$work/setup.patch" >"$work/agent.patch"
	t0=$(date +%s.%N)
	if ! (export NODE_COMPILE_CACHE=$1 HOME=$h OPENCLAW_STATE_DIR=$h/.openclaw
	    openclaw --version && openclaw onboard "${onboard[@]}" &&
	    openclaw config patch --stdin <"$work/setup.patch" &&
	    openclaw config patch --stdin <"$work/agent.patch") >>"$work/cli.log" 2>&1; then
		tail -n 20 "$work/cli.log" >&2
		exit 1
	fi
	SECS=$(echo "$(date +%s.%N) - $t0" | bc)
}

# one cold|warm: a gateway start, a CLI call, a first boot's calls, each
# on a new empty cache (cold) or on a copy of the image's (warm)
one() {
	local load s c f
	new() {
		rm -rf "$work/c"
		if [[ $1 == warm ]]; then cp -a "$work/cache-image" "$work/c"; else mkdir "$work/c"; fi
	}
	load=$(cut -d' ' -f1 /proc/loadavg)
	new "$1"
	start "$work/c"
	s=$SECS
	printf 'cache=%s ready_s=%.1f cache_mb=%s' "$1" "$s" "$(du -sm "$work/c" | cut -f1)"
	new "$1"
	cli "$work/c"
	c=$SECS
	new "$1"
	firstboot "$work/c"
	f=$SECS
	printf ' cli_s=%.1f firstboot_s=%.1f load=%s\n' "$c" "$f" "$load"
	printf '%s %s\ncli-%s %s\nfirstboot-%s %s\n' "$1" "$s" "$1" "$c" "$1" "$f" >>"$work/times"
}

# the image's cache, as `och-setup warm-cache` makes it: the onboarding
# above and one gateway start
start "$work/cache-image"
printf 'the image cache: ready_s=%.1f (untimed in the medians) cache_mb=%s\n' "$SECS" \
    "$(du -sm "$work/cache-image" | cut -f1)"
for ((r = 0; r < runs; r++)); do
	one cold
	one warm
done
median() { grep "^$1 " "$work/times" | cut -d' ' -f2 | sort -g |
    awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for k in '' cli- firstboot-; do
	c=$(median "${k}cold")
	w=$(median "${k}warm")
	printf '%s median cold=%.1f s warm=%.1f s ratio warm/cold=%.2f (n=%d each)\n' \
	    "${k:-gateway-}" "$c" "$w" "$(echo "$w / $c" | bc -l)" "$runs"
done
