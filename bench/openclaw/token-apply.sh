#!/usr/bin/env bash
# A new gateway token on the real OpenClaw gateway (a pool claim, a
# rotation): seconds from the agent's first step until the gateway
# answers the admin RPC `health` with the new token (and, live, refuses
# the old one), both ways the agent has had:
#   restart  the token in the env file (OPENCLAW_GATEWAY_TOKEN, the config
#            says "${OPENCLAW_GATEWAY_TOKEN}"): the file rewritten, the
#            gateway stopped and started
#   hot      the token in openclaw.json through `openclaw config patch`:
#            the gateway applies it live (same process)
#   bench/openclaw/token-apply.sh
# A bare gateway (no channel plugins: its start is the shortest there is;
# with the channel plugins it takes 55-81 s, docs/openclaw.md "Size").
# Uses the package scripts/openclaw-deps.sh installs; no network needed.
# Prints "restart_s=<n> hot_s=<n> (config_patch_cli_s=<n>) load=<1-min
# load average at the start>": the hot way's time is mostly the CLI call.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
oc=$("$top/scripts/openclaw-deps.sh" | head -n 1)
port=${OCH_BENCH_PORT:-18798}
work=$(mktemp -d)
gw=0
trap 'kill -TERM -- "-$gw" 2>/dev/null || true; sleep 5; rm -rf "$work"' EXIT
export PATH=$oc/node/bin:$oc/prefix/bin:$PATH OPENCLAW_SERVICE_REPAIR_POLICY=external \
    OPENCLAW_NO_RESPAWN=1 OPENCLAW_DISABLE_BONJOUR=1 HOME=$work \
    OPENCLAW_STATE_DIR=$work/.openclaw
st=$OPENCLAW_STATE_DIR
mkdir -m 700 "$st"
tok() { openssl rand -hex 32; }
envfile() { printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$1" >"$st/.env"; chmod 600 "$st/.env"; }
# health TOKEN: the HTTP status of the admin RPC `health` with TOKEN
health() {
	printf 'header = "Authorization: Bearer %s"\n' "$1" |
	    curl -s -K - -o /dev/null -w '%{http_code}' --max-time 30 \
	    -H 'Content-Type: application/json' --data '{"method":"health","params":{}}' \
	    "http://127.0.0.1:$port/api/v1/admin/rpc" || true
}
start() {
	setsid openclaw gateway --port "$port" </dev/null >>"$work/gateway.log" 2>&1 &
	gw=$!
}
stop() {
	local i
	kill -TERM "$gw" 2>/dev/null || true
	for ((i = 0; i < 120; i++)); do kill -0 "$gw" 2>/dev/null || break; sleep 0.25; done
	kill -KILL -- "-$gw" 2>/dev/null || true
}
# until_takes NEW [OLD]: wait until NEW is accepted (and OLD refused)
until_takes() {
	local i
	for ((i = 0; i < 3000; i++)); do
		if [[ $(health "$1") == 200 ]] && [[ -z ${2:-} || $(health "$2") == 401 ]]; then
			return 0
		fi
		sleep 0.1
	done
	echo "the gateway never took the new token" >&2
	return 1
}

a=$(tok)
envfile "$a"
openclaw onboard --non-interactive --accept-risk --mode local --auth-choice skip \
    --gateway-bind loopback --gateway-port "$port" --gateway-auth token \
    --gateway-token-ref-env OPENCLAW_GATEWAY_TOKEN --skip-channels --skip-skills \
    --skip-search --skip-ui --skip-daemon --skip-health --json >/dev/null 2>&1
# shellcheck disable=SC2016 # OpenClaw's own ${VAR} substitution
printf '{"gateway":{"auth":{"mode":"token","token":"${OPENCLAW_GATEWAY_TOKEN}"}},"plugins":{"entries":{"admin-http-rpc":{"enabled":true}}}}\n' |
    openclaw config patch --stdin >/dev/null 2>&1
load=$(cut -d' ' -f1 /proc/loadavg)
start
until_takes "$a"

# restart: the env file, then a restart
b=$(tok)
t0=$(date +%s.%N)
envfile "$b"
stop
start
until_takes "$b"
t1=$(date +%s.%N)

# hot: openclaw.json through `config patch`, the same gateway
c=$(tok)
t2=$(date +%s.%N)
printf '{"gateway":{"auth":{"token":"%s"}}}\n' "$c" | openclaw config patch --stdin >/dev/null 2>&1
t2b=$(date +%s.%N)
until_takes "$c" "$b"
t3=$(date +%s.%N)
kill -0 "$gw" || { echo "the gateway restarted" >&2; exit 1; }
printf 'restart_s=%.1f hot_s=%.1f (config_patch_cli_s=%.1f) load=%s\n' \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t2b - $t2" | bc)" "$load"
