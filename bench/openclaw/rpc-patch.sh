#!/usr/bin/env bash
# Does the running gateway's admin RPC `config.patch` merge what the agent
# sends as `openclaw config patch --stdin` does, and how long does each
# take?  One real gateway (bare, no channel plugins); for every patch the
# CLI runs on a copy of the live openclaw.json (its own state folder) and
# the RPC on the live one (config.get for the hash, then config.patch),
# and the two results are compared (without "meta").
#   bench/openclaw/rpc-patch.sh
# Prints one line per case: "<case> cli=<same|differs|refused: …>
# rpc=<…>", then "rpc_token_s=<n> (get_s=<n> patch_s=<n>) cli_s=<n>
# load=<1-min load average at the start>".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
port=${OCH_BENCH_PORT:-18799}
# shellcheck source=bench/openclaw/gateway.sh
. "$top/bench/openclaw/gateway.sh"
mkdir -m 700 "$work/cli"
norm() { jq -S 'del(.meta)' "$1"; }
# REPLACE: the paths config.patch must be told it may replace for the
# CLI's merge: the agent's own program (och-agent's REPLACE_JQ), read from
# it so that what is measured here is what the agent sends
REPLACE=$(awk "/^REPLACE_JQ='/ { f = 1; sub(/^REPLACE_JQ='/, \"\") }
    f { if (/'\$/) { sub(/'\$/, \"\"); print; exit } print }" "$top/cloud-init/och-agent")
[[ $REPLACE == *apaths* ]] || { echo "no REPLACE_JQ in cloud-init/och-agent" >&2; exit 1; }
# rpc_patch TOKEN PATCHFILE [auto|none]: config.get, then config.patch with
# the hash (and with "auto" the replacePaths from REPLACE)
rpc_patch() {
	local h code
	printf '{"method":"config.get","params":{}}' >"$work/g.req"
	[[ $(rpc "$1" "$work/g.req") == 200 ]] || { echo "config.get: $(cat "$work/rpc.out")"; return 1; }
	h=$(jq -r '.payload.hash' "$work/rpc.out")
	if [[ ${3:-none} == auto ]]; then
		jq '.payload.config' "$work/rpc.out" >"$work/cur.json"
		jq -cs "$REPLACE" "$work/cur.json" "$2" >"$work/rp.json"
	else
		echo null >"$work/rp.json"
	fi
	jq -cn --rawfile raw "$2" --arg h "$h" --slurpfile rp "$work/rp.json" \
	    '{method: "config.patch", params: ({raw: $raw, baseHash: $h} +
	     (if $rp[0] then {replacePaths: $rp[0]} else {} end))}' >"$work/p.req"
	code=$(rpc "$1" "$work/p.req")
	if [[ $code != 200 ]] || ! jq -e '.ok != false' "$work/rpc.out" >/dev/null; then
		echo "HTTP $code $(jq -c '.error // .' "$work/rpc.out" | cut -c1-300)"
		return 1
	fi
}
# case NAME PATCH [REPLACEPATHS_JSON]
case_() {
	local name=$1 cli rpcr
	printf '%s\n' "$2" >"$work/patch.json"
	cp "$st/openclaw.json" "$work/cli/openclaw.json"
	cp "$st/.env" "$work/cli/.env"
	if out=$(OPENCLAW_STATE_DIR=$work/cli openclaw config patch --stdin <"$work/patch.json" 2>&1); then
		cli=ok
	else
		cli="refused: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)"
	fi
	if out=$(rpc_patch "$tok_cur" "$work/patch.json" "${3:-}"); then
		rpcr=ok
		sleep 1
		if [[ $cli == ok ]]; then
			if diff <(norm "$work/cli/openclaw.json") <(norm "$st/openclaw.json") >"$work/d"; then
				rpcr="ok, same file as the CLI's"
			else
				rpcr="ok, DIFFERS from the CLI's: $(tr '\n' ' ' <"$work/d" | cut -c1-300)"
			fi
		fi
	else
		rpcr="refused: $out"
	fi
	printf '%s: cli=%s | rpc=%s\n' "$name" "$cli" "$rpcr"
}

a=$(tok)
printf '{"gateway":{"auth":{"mode":"token","token":"%s"}},"plugins":{"entries":{"admin-http-rpc":{"enabled":true}}}}\n' "$a" |
    gw_onboard "$a"
load=$(cut -d' ' -f1 /proc/loadavg)
tok_cur=$a
gw_start
until_takes "$a"
printf '{"method":"config.get","params":{}}' >"$work/g.req"
echo "config.get: HTTP $(rpc "$a" "$work/g.req") $(jq -c '{ok, payload: (.payload | keys)}' "$work/rpc.out")"

o2='{"gateway":{"controlUi":{"allowedOrigins":["https://a.example","https://b.example"]}},"commands":{"ownerAllowFrom":["telegram:1","telegram:2"]}}'
o1='{"gateway":{"controlUi":{"allowedOrigins":["https://c.example"]}},"commands":{"ownerAllowFrom":["telegram:3"]}}'
case_ nested-new-arrays "$o2"
case_ arrays-replaced "$o1"
case_ arrays-replaced+replacePaths "$o1" auto
case_ nested-new-arrays+replacePaths "$o2" auto
case_ null-removes-object '{"gateway":{"controlUi":null}}'
case_ null-removes-object+replacePaths '{"gateway":{"controlUi":null}}' auto
case_ null-removes-array '{"commands":{"ownerAllowFrom":null}}'
case_ null-removes-array+replacePaths '{"commands":{"ownerAllowFrom":null}}' auto
case_ new-arrays+replacePaths "$o2" auto
case_ null-absent+replacePaths '{"gateway":{"controlUi":null},"channels":{"nosuch":null}}' auto
case_ invalid-value '{"gateway":{"port":"not-a-port"}}'
# a stale hash
printf '{"method":"config.patch","params":{"raw":"{\\"commands\\":{\\"ownerAllowFrom\\":[\\"x:1\\"]}}","baseHash":"0000"}}' >"$work/s.req"
printf 'stale-hash: HTTP %s %s\n' "$(rpc "$tok_cur" "$work/s.req")" "$(jq -c '.error // .' "$work/rpc.out" | cut -c1-300)"

# the gateway token, live: RPC
b=$(tok)
printf '{"gateway":{"auth":{"token":"%s"}}}\n' "$b" >"$work/t.json"
t0=$(date +%s.%N)
printf '{"method":"config.get","params":{}}' >"$work/g.req"
rpc "$a" "$work/g.req" >/dev/null
h=$(jq -r '.payload.hash' "$work/rpc.out")
t1=$(date +%s.%N)
jq -cn --rawfile raw "$work/t.json" --arg h "$h" '{method: "config.patch", params: {raw: $raw, baseHash: $h}}' >"$work/p.req"
code=$(rpc "$a" "$work/p.req")
t2=$(date +%s.%N)
echo "token patch: HTTP $code $(jq -c '{ok, error, keys: (.payload // .result // {} | keys)}' "$work/rpc.out")"
until_takes "$b" "$a"
t3=$(date +%s.%N)
tok_cur=$b
kill -0 "$gw" || { echo "the gateway restarted" >&2; exit 1; }
# the same through the CLI, for comparison
cli_token "$(tok)" "$b"
printf 'rpc_token_s=%.1f (get_s=%.2f patch_s=%.2f) cli_token_s=%.1f (cli_s=%.1f) load=%s\n' \
    "$(echo "$t3 - $t0" | bc)" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
    "$TAKE_S" "$CLI_S" "$load"
