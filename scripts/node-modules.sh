# Sourced by scripts/test-sdk-node, test-medusa and test-vendure:
# node_modules of a package directory, installed with `npm ci` from its
# committed package-lock.json and kept between runs: in the directory and,
# hard-linked, under ${XDG_CACHE_HOME:-~/.cache}/openflex/<name>-node_modules
# (so a fresh clone on the same machine does not download again).
#
# node_modules_from_lock DIR NAME
node_modules_from_lock() {
	local dir=$1 name=$2
	local lock_sum stamp cache_root t
	lock_sum=$(sha256sum "$dir/package-lock.json" | cut -c1-16)
	stamp=$dir/node_modules/.openflex-lock
	cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/openflex/$name-node_modules
	if [ "$(cat "$stamp" 2>/dev/null || true)" = "$lock_sum" ]; then
		printf '\n== %s: node_modules up to date (package-lock.json %s)\n' "$name" "$lock_sum" >&2
		return 0
	fi
	t=$(date +%s)
	rm -rf "$dir/node_modules"
	if [ -d "$cache_root/$lock_sum/node_modules" ] &&
		cp -al "$cache_root/$lock_sum/node_modules" "$dir/node_modules" 2>/dev/null; then
		printf '\n== %s: node_modules linked from %s (%s s)\n' "$name" "$cache_root/$lock_sum" $(($(date +%s) - t)) >&2
	else
		rm -rf "$dir/node_modules"
		printf '\n== %s: npm ci (package-lock.json %s)\n' "$name" "$lock_sum" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
		printf '\n== %s: npm ci took %s s\n' "$name" $(($(date +%s) - t)) >&2
		# Keep a hard-linked copy for the next clone on this machine (and only that one).
		if mkdir -p "$cache_root" 2>/dev/null; then
			rm -rf "$cache_root/.tmp" "$cache_root"/*/ 2>/dev/null || true
			if cp -al "$dir/node_modules" "$cache_root/.tmp" 2>/dev/null; then
				mkdir -p "$cache_root/$lock_sum" && mv "$cache_root/.tmp" "$cache_root/$lock_sum/node_modules"
			else
				rm -rf "$cache_root/.tmp"
			fi
		fi
	fi
	echo "$lock_sum" >"$stamp"
}
