#!/usr/bin/env bash
# A cold first boot from a pre-built image, its openclaw part, on the real
# gateway: seconds from och-setup's first openclaw step until the gateway
# answers the admin RPC `health` with the instance's token, the way it
# was and the way it is now, alternating (old, new, old, new, ...) so both
# see the same machine load:
#   old  och-setup: `openclaw --version` (the image check), onboarding and
#        one `config patch` (the static settings and the origins), the
#        gateway started; the agent's first config comes while the
#        gateway starts (its ready call is a second or two): the admin
#        RPC does not answer yet, so `openclaw config patch`; then, with
#        no env.last on a new server, the env file rewritten and the
#        gateway restarted (a second full start); then the token checked
#   new  och-setup's own code (its functions, as a pre-built first boot
#        runs them): the image's onboarded state (`och-setup image-state`,
#        made once before the rounds), only the env file with a throwaway
#        token, the gateway started; the agent's first config waits for
#        /readyz and goes through the admin RPC (config.get, config.patch
#        with the agent's own replacePaths program) with the token the
#        gateway holds; no restart (a new order's config has no env
#        entries)
# Both on Node's compile cache as the image has it (`och-setup
# warm-cache`, once; a fresh copy each round).  The first config is what
# the API sends a new order (cgi-bin/agent_conf.c): the gateway block
# with the instance's token and the origins of its name, the admin RPC
# plugin.  The new way also checks that the gateway took the image's
# state as it is (no .clobbered copy, no backup restored: the config's
# keys are there; still the same process) and made again the key the
# image does not carry (config-journal-fingerprint.key).
# A bare gateway (no channel plugins); uses the package
# scripts/openclaw-deps.sh installs; no network needed.
#   bench/openclaw/firstboot.sh [ROUNDS]     (default 2 of each)
# Prints one line per round ("way=<old|new> total_s=<n> setup_s=<n>
# config_s=<n> (<parts>) gateway_starts=<n> load=<1-min load average at
# its start>": setup_s until the gateway is started, config_s from then
# until the token is taken; its parts: old, the agent's CLI patch and the
# stop of the starting gateway, then the restart to the token; new, the
# start to /readyz, then the RPC apply to the token), then the medians and
# new/old.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-2}
port=${OCH_BENCH_PORT:-18797}
# shellcheck source=bench/openclaw/gateway.sh
. "$top/bench/openclaw/gateway.sh"
setup=$top/cloud-init/och-setup
REPLACE=$(awk "/^REPLACE_JQ='/ { f = 1; sub(/^REPLACE_JQ='/, \"\") }
    f { if (/'\$/) { sub(/'\$/, \"\"); print; exit } print }" "$top/cloud-init/och-agent")
[[ $REPLACE == *apaths* ]] || { echo "no REPLACE_JQ in cloud-init/och-agent" >&2; exit 1; }
# /opt/openclaw as the image has it, och-setup's test overrides
mkdir -p "$work/prefix/bin"
ln -s "$(command -v openclaw)" "$work/prefix/bin/openclaw"
ln -s "$(command -v node)" "$work/prefix/bin/node"
ln -s "$oc/prefix/lib" "$work/prefix/lib"
export OCH_OPENCLAW_PREFIX=$work/prefix OCH_OPENCLAW_HOME=$work OCH_OPENCLAW_USER='' \
    OCH_COMPILE_CACHE=$work/cc OCH_SETUP_LOG=$work/setup.log OCH_WARM_TMP=$work \
    OCH_WARM_PORT=$port NODE_COMPILE_CACHE=$work/cc
now() { date +%s.%N; }
# onboarding as och-setup ran it on a server (its port, 18789)
mapfile -t ONBOARD18789 < <(bash -c '. "$1"; onboard_flags' och-setup "$setup")
sub() { echo "$1 - $2" | bc; }

# the image: compile cache, onboarded state
OCH_COMPILE_CACHE=$work/cache-image bash "$setup" warm-cache
rmdir "$st"
OCH_COMPILE_CACHE=$work/cache-image bash "$setup" image-state
mv "$st" "$work/baked"
ver=$(jq -r .version "$oc/prefix/lib/node_modules/openclaw/package.json")

# the instance's first config, as the agent patches it (the unit's port:
# the gateway here listens on $port, given on its command line)
first_patch() {
	jq -cn --arg t "$1" '{gateway: {mode: "local", port: 18789,
	    bind: "loopback", auth: {mode: "token", token: $t},
	    trustedProxies: ["127.0.0.1"], controlUi: {enabled: true,
	    allowedOrigins: ["https://bench.example"]},
	    publicOrigin: "https://bench.example"},
	    plugins: {entries: {"admin-http-rpc": {enabled: true}}}}' >"$work/first.json"
}
# rpc_apply TOKEN: the agent's gw_config_patch
rpc_apply() {
	printf '{"method":"config.get","params":{}}' >"$work/g.req"
	[[ $(rpc "$1" "$work/g.req") == 200 ]] || { echo "config.get: $(head -c 300 "$work/rpc.out")" >&2; return 1; }
	jq '.payload.config' "$work/rpc.out" >"$work/cur.json"
	jq -cs "$REPLACE" "$work/cur.json" "$work/first.json" >"$work/rp.json"
	jq -cn --rawfile raw "$work/first.json" --arg h "$(jq -r '.payload.hash' "$work/rpc.out")" \
	    --slurpfile rp "$work/rp.json" \
	    '{method: "config.patch", params: {raw: $raw, baseHash: $h, replacePaths: $rp[0]}}' >"$work/p.req"
	if [[ $(rpc "$1" "$work/p.req") != 200 ]] || ! jq -e '.ok != false' "$work/rpc.out" >/dev/null; then
		echo "config.patch: $(head -c 300 "$work/rpc.out")" >&2
		return 1
	fi
}

old() {
	local inst=$1
	openclaw --version >/dev/null
	envfile "$(tok)"
	openclaw onboard "${ONBOARD18789[@]}" </dev/null >/dev/null 2>&1
	printf '{"gateway":{"trustedProxies":["127.0.0.1"],"controlUi":{"allowedOrigins":["https://bench.example"]},"publicOrigin":"https://bench.example"},"plugins":{"entries":{"admin-http-rpc":{"enabled":true}}}}\n' |
	    openclaw config patch --stdin >/dev/null 2>&1
	t1=$(now)
	gw_start
	openclaw config patch --stdin <"$work/first.json" >/dev/null 2>&1
	: >"$st/.env"
	gw_stop
	t3=$(now)
	gw_start
	until_takes "$inst"
	starts=2
	parts=$(printf 'cli_and_stop_s=%.1f restart_s=%.1f' "$(sub "$t3" "$t1")" "$(sub "$(now)" "$t3")")
}

new() {
	local inst=$1 pid
	cp -a "$work/baked" "$st"
	# shellcheck disable=SC1090,SC2034 # och-setup's functions and variables
	(. "$setup"; FQDN=bench.example VERSION=$ver PLUGINS=() PREBUILT=1
	    openclaw_state) >>"$work/setup.out" 2>&1
	t1=$(now)
	gw_start
	pid=$gw
	gw_ready
	t3=$(now)
	rpc_apply "$(sed -n 's/^OPENCLAW_GATEWAY_TOKEN=//p' "$st/.env")"
	until_takes "$inst"
	starts=1
	parts=$(printf 'ready_s=%.1f apply_s=%.1f' "$(sub "$t3" "$t1")" "$(sub "$(now)" "$t3")")
	kill -0 "$pid" || { echo "new: the gateway exited" >&2; exit 1; }
	[[ -z $(find "$st" -maxdepth 1 -name 'openclaw.json.clobbered.*') ]] ||
	    { echo "new: the gateway set the config aside as clobbered" >&2; exit 1; }
	jq -e --arg t "$inst" '.gateway.auth.token == $t and
	    .gateway.publicOrigin == "https://bench.example" and .wizard.lastRunCommand == "onboard"' \
	    "$st/openclaw.json" >/dev/null ||
	    { echo "new: the live config is not the image's with the first config" >&2; exit 1; }
	[[ -s $st/config-journal-fingerprint.key ]] ||
	    { echo "new: the gateway did not make its fingerprint key" >&2; exit 1; }
	! grep -rqF "$(sed -n 's/^OPENCLAW_GATEWAY_TOKEN=//p' "$st/.env")" "$work/baked" ||
	    { echo "new: the throwaway token is in the image's state" >&2; exit 1; }
}

declare -A tot
for ((r = 1; r <= rounds; r++)); do
	for way in old new; do
		rm -rf "$st" "$work/cc"
		mkdir -m 700 "$st"
		cp -a "$work/cache-image" "$work/cc"
		[[ $way == new ]] && rmdir "$st"
		inst=$(tok)
		first_patch "$inst"
		load=$(cut -d' ' -f1 /proc/loadavg)
		t0=$(now)
		"$way" "$inst"
		t2=$(now)
		gw_stop
		tot[$way]+="$(sub "$t2" "$t0") "
		printf 'way=%s total_s=%.1f setup_s=%.1f config_s=%.1f (%s) gateway_starts=%s load=%s\n' \
		    "$way" "$(sub "$t2" "$t0")" "$(sub "$t1" "$t0")" "$(sub "$t2" "$t1")" "$parts" \
		    "$starts" "$load"
	done
done
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
mo=$(med "${tot[old]}") mn=$(med "${tot[new]}")
printf 'median total_s: old=%.1f new=%.1f new/old=%.2f (openclaw %s, %s rounds)\n' \
    "$mo" "$mn" "$(echo "$mn / $mo" | bc -l)" "$ver" "$rounds"
