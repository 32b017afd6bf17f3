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
port=${OCH_BENCH_PORT:-18798}
# shellcheck source=bench/openclaw/gateway.sh
. "$top/bench/openclaw/gateway.sh"

a=$(tok)
# shellcheck disable=SC2016 # OpenClaw's own ${VAR} substitution
printf '{"gateway":{"auth":{"mode":"token","token":"${OPENCLAW_GATEWAY_TOKEN}"}},"plugins":{"entries":{"admin-http-rpc":{"enabled":true}}}}\n' |
    gw_onboard "$a"
load=$(cut -d' ' -f1 /proc/loadavg)
gw_start
until_takes "$a"

# restart: the env file, then a restart
b=$(tok)
t0=$(date +%s.%N)
envfile "$b"
gw_stop
gw_start
until_takes "$b"
t1=$(date +%s.%N)

# hot: openclaw.json through `config patch`, the same gateway
cli_token "$(tok)" "$b"
printf 'restart_s=%.1f hot_s=%.1f (config_patch_cli_s=%.1f) load=%s\n' \
    "$(echo "$t1 - $t0" | bc)" "$TAKE_S" "$CLI_S" "$load"
