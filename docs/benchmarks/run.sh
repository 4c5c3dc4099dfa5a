#!/usr/bin/env bash
# Re-runs the measurements of docs/scaling.md and writes one JSON report per
# run into this directory. Usage (from the module root):
#
#   docs/benchmarks/run.sh                      # SQLite only
#   OPENFLEX_BENCH_POSTGRES_URL=postgres://… docs/benchmarks/run.sh
#
# Each run spawns the platform in-process on a fresh data dir (or fresh
# PostgreSQL schemas), creates 200 accounts, warms up for 2 s and measures
# for 15 s. Runs are sequential. On a shared machine each run first waits
# (up to 3 minutes) for the other processes to leave the CPUs mostly idle;
# every report records how busy the whole machine was during its run
# (process_cpu.machine_cores_busy).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/benchmarks
bin=$(mktemp -d)/openflex-bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/openflex-bench

# busy prints how many cores the machine kept busy over the next 3 seconds.
busy() {
	local a b
	read -ra a < <(head -n 1 /proc/stat)
	sleep 3
	read -ra b < <(head -n 1 /proc/stat)
	awk -v a="${a[*]:1:8}" -v b="${b[*]:1:8}" -v n="$(nproc)" 'BEGIN {
		split(a, x); split(b, y); t = 0; i = 0
		for (k = 1; k <= 8; k++) { d = y[k] - x[k]; t += d; if (k == 4 || k == 5) i += d }
		printf "%.2f", (t - i) / t * n }'
}

wait_idle() {
	[ -r /proc/stat ] || return 0
	local deadline=$((SECONDS + 180)) b
	while b=$(busy); awk -v b="$b" 'BEGIN { exit !(b > 0.2) }'; do
		if [ $SECONDS -ge $deadline ]; then
			echo "   machine still busy ($b cores); measuring anyway" >&2
			return 0
		fi
		echo "   machine busy ($b cores), waiting" >&2
	done
}

common=(--spawn --accounts 200 --warmup 2s --duration 15s --json)
bench() { # name, flags…
	local name=$1
	shift
	wait_idle
	echo "== $name: $*" >&2
	"$bin" "${common[@]}" --label "$name" "$@" >"$out/$name.json"
}

# SQLite, TRAINING plane (synchronous=NORMAL).
for rate in 200 400 600 800 1000; do
	bench "sqlite-training-open-$rate" --env training --rate "$rate"
done
bench sqlite-training-closed-16 --env training --concurrency 16
bench sqlite-training-closed-16-no-idempotency --env training --concurrency 16 --idempotency none
bench sqlite-training-groupcommit-open-1200 --env training --group-commit --rate 1200
bench sqlite-training-groupcommit-closed-16 --env training --group-commit --concurrency 16

# SQLite, PRODUCTION plane (synchronous=FULL: one WAL fsync per commit),
# group commit off (it is on by default since issue 19).
for rate in 200 400 600 800; do
	bench "sqlite-production-open-$rate" --env production --no-group-commit --rate "$rate"
done
for c in 16 64; do
	bench "sqlite-production-closed-$c" --env production --no-group-commit --concurrency "$c"
done

# Issue 19's rows: authorize-only and the default mix, PRODUCTION defaults.
auth=(--env production --mix authorize=100)
bench issue19-sqlite-production-authorize-closed-32 "${auth[@]}" --concurrency 32
bench issue19-sqlite-production-authorize-open-1250 "${auth[@]}" --rate 1250
bench issue19-sqlite-production-mix-closed-32 --env production --concurrency 32
# 30 s for the outbox backlog; 800 accounts so credit does not run out.
bench issue19-sqlite-production-authorize-closed-32-30s "${auth[@]}" --concurrency 32 --duration 30s --accounts 800
for rate in 400 600 800 1000 1200; do
	bench "sqlite-production-groupcommit-open-$rate" --env production --group-commit --rate "$rate"
done
for c in 16 64; do
	bench "sqlite-production-groupcommit-closed-$c" --env production --group-commit --concurrency "$c"
done

if [ -n "${OPENFLEX_BENCH_POSTGRES_URL:-}" ]; then
	pg=(--database-url "$OPENFLEX_BENCH_POSTGRES_URL")
	for rate in 200 400 600 800; do
		bench "postgres-open-$rate" "${pg[@]}" --rate "$rate"
	done
	for c in 16 64; do
		bench "postgres-closed-$c" "${pg[@]}" --concurrency "$c"
	done
	bench issue19-postgres-authorize-closed-32 "${pg[@]}" --env production --mix authorize=100 --concurrency 32
fi
