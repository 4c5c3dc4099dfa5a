#!/usr/bin/env bash
# Issue 19's before/after, in one session on one machine: the same load tool
# (this checkout's cmd/openflex-bench) built twice, once against the
# platform as it was before the one-commit work (BEFORE, default 247d35b)
# and once against this checkout, then run alternately so both see the same
# machine. Usage (from the module root):
#
#   docs/benchmarks/issue19/compare.sh [out-dir]
#   OPENFLEX_BENCH_POSTGRES_URL=postgres://… docs/benchmarks/issue19/compare.sh
#
# The PostgreSQL rows need a server with fsync=on (the test suite's
# throw-away servers run with fsync=off). Each run waits for an idle
# machine first, as docs/benchmarks/run.sh does.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=${1:-docs/benchmarks/issue19}
before_rev=${BEFORE:-247d35b}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/before" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/after" ./cmd/openflex-bench
git worktree add -q --detach "$tmp/before" "$before_rev"
cp cmd/openflex-bench/*.go "$tmp/before/cmd/openflex-bench/"
# Before issue 19, group commit was opt-in and app.Config had no
# NoGroupCommit: its default (no group commit) is what "before" measures.
sed -i 's/, NoGroupCommit: o.NoGroupCommit}/}/' "$tmp/before/cmd/openflex-bench/target.go"
(cd "$tmp/before" && go build -o "$tmp/before-bin" ./cmd/openflex-bench)

idle() { # waits (up to 3 minutes) until the machine is below 0.2 busy cores
	local deadline=$((SECONDS + 180)) a b busy
	while :; do
		read -ra a < <(head -n 1 /proc/stat)
		sleep 3
		read -ra b < <(head -n 1 /proc/stat)
		busy=$(awk -v a="${a[*]:1:8}" -v b="${b[*]:1:8}" -v n="$(nproc)" 'BEGIN {
			split(a, x); split(b, y); t = 0; i = 0
			for (k = 1; k <= 8; k++) { d = y[k] - x[k]; t += d; if (k == 4 || k == 5) i += d }
			printf "%.2f", (t - i) / t * n }')
		awk -v b="$busy" 'BEGIN { exit !(b > 0.2) }' || return 0
		[ $SECONDS -lt $deadline ] || { echo "   machine still busy ($busy cores); measuring anyway" >&2; return 0; }
	done
}

run() { # build (before|after), name, flags…
	local build=$1 name=$2
	shift 2
	local bin="$tmp/after"
	[ "$build" = before ] && bin="$tmp/before-bin"
	idle
	echo "== $name-$build: $*" >&2
	"$bin" --spawn --warmup 2s --json --label "$name-$build" "$@" >"$out/$name-$build.json"
}

# 1,500 accounts of $15,000: enough credit that no run's authorizations
# are refused for insufficient credit.
auth=(--env production --mix authorize=100 --accounts 1500)
for i in 1 2; do
	for build in before after; do
		run "$build" "sqlite-authorize-closed-32-$i" "${auth[@]}" --concurrency 32 --duration 12s
	done
done
for build in before after; do
	run "$build" sqlite-mix-closed-32 --env production --accounts 1500 --concurrency 32 --duration 12s
	run "$build" sqlite-authorize-open-1250 "${auth[@]}" --rate 1250 --duration 12s
	run "$build" sqlite-authorize-closed-32-30s "${auth[@]}" --concurrency 32 --duration 30s
done
if [ -n "${OPENFLEX_BENCH_POSTGRES_URL:-}" ]; then
	pg=(--database-url "$OPENFLEX_BENCH_POSTGRES_URL")
	for build in before after; do
		run "$build" postgres-authorize-closed-32 "${pg[@]}" "${auth[@]}" --concurrency 32 --duration 12s
		run "$build" postgres-mix-closed-32 "${pg[@]}" --env production --accounts 1500 --concurrency 32 --duration 12s
		run "$build" postgres-authorize-closed-32-30s "${pg[@]}" "${auth[@]}" --concurrency 32 --duration 30s
	done
fi
