# Sourced by bench/openclaw/token-apply.sh and rpc-patch.sh: one real
# OpenClaw gateway (the package scripts/openclaw-deps.sh installs, no
# network) on loopback port $port, in a throwaway state folder that goes
# when the script exits.  The caller sets port (and top) first.
# Sets oc, work, st, gw and ONBOARD; defines tok, envfile, rpc, health,
# until_takes, cli_token, gw_start, gw_ready, gw_stop, gw_onboard and
# median.
# shellcheck shell=bash disable=SC2154 # top and port: the caller's
oc=$("$top/scripts/openclaw-deps.sh" | head -n 1)
work=$(mktemp -d)
gw=0
trap 'kill -TERM -- "-$gw" 2>/dev/null || true; sleep 5; rm -rf "$work"' EXIT
export PATH=$oc/node/bin:$oc/prefix/bin:$PATH OPENCLAW_SERVICE_REPAIR_POLICY=external \
    OPENCLAW_NO_RESPAWN=1 OPENCLAW_DISABLE_BONJOUR=1 HOME=$work \
    OPENCLAW_STATE_DIR=$work/.openclaw
st=$OPENCLAW_STATE_DIR
mkdir -m 700 "$st"
url=http://127.0.0.1:$port/api/v1/admin/rpc
# `openclaw onboard`'s arguments as och-setup gives them (on $port)
mapfile -t ONBOARD < <(bash -c '. "$1"; onboard_flags "$2"' och-setup \
    "$top/cloud-init/och-setup" "$port")

tok() { openssl rand -hex 32; }
# envfile TOKEN: the gateway's env file holds TOKEN
envfile() { printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$1" >"$st/.env"; chmod 600 "$st/.env"; }
# rpc TOKEN REQFILE: the admin RPC's answer in $work/rpc.out; prints the
# HTTP status (the token reaches curl on stdin, never an argv)
rpc() {
	printf 'header = "Authorization: Bearer %s"\n' "$1" |
	    curl -s -K - -o "$work/rpc.out" -w '%{http_code}' --max-time 60 \
	    -H 'Content-Type: application/json' --data-binary "@$2" "$url" || true
}
# health TOKEN: the HTTP status of the admin RPC `health` with TOKEN
health() {
	printf '{"method":"health","params":{}}' >"$work/h.req"
	printf 'header = "Authorization: Bearer %s"\n' "$1" |
	    curl -s -K - -o /dev/null -w '%{http_code}' --max-time 30 \
	    -H 'Content-Type: application/json' --data-binary "@$work/h.req" "$url" || true
}
# until_takes NEW [OLD]: wait (at most about 5 minutes) until NEW is
# accepted and OLD, if given, refused; fails otherwise
until_takes() {
	local i
	for ((i = 0; i < 3000; i++)); do
		if [[ $(health "$1") == 200 ]] && [[ -z ${2:-} || $(health "$2") == 401 ]]; then
			return 0
		fi
		sleep 0.1
	done
	echo "the gateway never took the token" >&2
	return 1
}
# cli_token NEW OLD: NEW put into openclaw.json by `openclaw config patch`
# (the token on its stdin), then until_takes NEW OLD; the gateway must
# still be the same process.  Sets CLI_S (the CLI call) and TAKE_S (from
# the call until NEW is taken), in seconds.
cli_token() {
	local t0 t1 t2
	t0=$(date +%s.%N)
	printf '{"gateway":{"auth":{"token":"%s"}}}\n' "$1" | openclaw config patch --stdin >/dev/null 2>&1
	t1=$(date +%s.%N)
	until_takes "$1" "$2"
	t2=$(date +%s.%N)
	kill -0 "$gw" || { echo "the gateway restarted" >&2; exit 1; }
	# shellcheck disable=SC2034 # read by the caller
	CLI_S=$(echo "$t1 - $t0" | bc) TAKE_S=$(echo "$t2 - $t0" | bc)
}
gw_start() {
	setsid openclaw gateway --port "$port" </dev/null >>"$work/gateway.log" 2>&1 &
	gw=$!
}
# gw_ready: wait (at most 10 minutes) until /readyz answers 200; fails
# otherwise
gw_ready() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] &&
		    return 0
		sleep 0.1
	done
	echo "the gateway never got ready" >&2
	return 1
}
# median: the median of the numbers on stdin (one per line)
median() {
	sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
gw_stop() {
	local i
	kill -TERM "$gw" 2>/dev/null || true
	for ((i = 0; i < 120; i++)); do kill -0 "$gw" 2>/dev/null || break; sleep 0.25; done
	kill -KILL -- "-$gw" 2>/dev/null || true
}
# gw_onboard TOKEN: onboarding as och-setup does it (token from the env
# file), then the gateway's auth block and the admin RPC plugin from the
# JSON on stdin, through `config patch`
gw_onboard() {
	cat >"$work/onboard-patch.json"
	envfile "$1"
	openclaw onboard "${ONBOARD[@]}" </dev/null >/dev/null 2>&1
	openclaw config patch --stdin <"$work/onboard-patch.json" >/dev/null 2>&1
}
