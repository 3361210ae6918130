#!/usr/bin/env bash
# Runs benches/peers.rs in every build it needs and prints one Markdown report on stdout.
#
#   benches/run.sh                   # about 9 minutes on 2 cores, half of it compiling
#   PEERS_ROUNDS=51 benches/run.sh   # more rounds (see benches/peers.rs for every setting)
#
# One binary holds lock-rank in one mode only, so the bench runs four times:
#   1. a plain release build: lock-rank unchecked, next to std, parking_lot and tracing-mutex
#      (with the `tokio` and `parking_lot` features, whose rows compare against the plain locks);
#   2. `--features enforce`: lock-rank checked, the std-shaped locks;
#   3. `--features enforce,parking_lot`: lock-rank checked, the parking_lot locks;
#   4. `--features enforce,tokio`: lock-rank checked, the tokio locks and a std-shaped lock
#      taken in a task; and the std-shaped rows again, outside any task, in a column of their
#      own: with the `tokio` feature every checked sync acquire also asks tokio which task is
#      running (see docs/async.md), which run 2 does not pay.
#
# Code placement is pinned for every lock alike, so that where a loop or a branch happens to
# land does not tilt the comparison: loops aligned to 64 bytes, and no jump across a 32-byte
# boundary (Intel's "jump conditional code" erratum makes such jumps slow on many Xeons, by up
# to a fifth of a lock's cost). That needs its own target directory (`<target>/peers`, or
# PEERS_TARGET_DIR) so the usual builds are not redone.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned="-Cllvm-args=-align-loops=64"
if [ "$(uname -m)" = x86_64 ]; then
    pinned="$pinned -Cllvm-args=-x86-branches-within-32B-boundaries"
fi
export RUSTFLAGS="${PEERS_RUSTFLAGS-$pinned}"
export CARGO_TARGET_DIR="${PEERS_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/peers}"
# Backtrace capture would make tracing-mutex (and lock-rank, with LOCK_RANK_BACKTRACE) slower.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE LOCK_RANK_BACKTRACE

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

bench() {
    cargo bench --quiet --bench peers "$@" | grep '^row' >>"$rows"
}

# The checked tokio build: its rows outside a task go in a column of their own (mode
# "checked+tokio").
bench_tokio() {
    cargo bench --quiet --bench peers "$@" | grep '^row' |
        awk -F'\t' -v OFS='\t' '$2 == "checked" && $3 !~ /in a task/ { $2 = "checked+tokio" } 1' >>"$rows"
}

# Five runs by default: each run is a new process, and where the system places its stack and heap
# moves one binary's ratios by up to 0.15 from one launch to the next.
runs="${PEERS_RUNS:-5}"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
started=$(date +%s)
# The four builds take turns, `runs` times, so that a slow spell of the machine does not land on
# one build only.
for _ in $(seq "$runs"); do
    bench --features tokio,parking_lot
    PEERS_LOCKS=lock-rank bench --features enforce
    PEERS_LOCKS=lock-rank PEERS_WORKLOADS="parking_lot Mutex,parking_lot RwLock" bench --features enforce,parking_lot
    PEERS_LOCKS=lock-rank bench_tokio --features enforce,tokio
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}; $(rustc --version)."
echo "Load average before / after: ${load_before} / ${load_after}; $(($(date +%s) - started)) s in all."
echo "Each cell: ratio to the baseline, the median of ${runs} runs' medians over ${PEERS_ROUNDS:-31} rounds each (min-max over all rounds in brackets); lower is faster."
echo

awk -F'\t' '
function cell(w, c) { return (w SUBSEP c) in median ? sprintf("%.2f (%.2f-%.2f)", median[w, c], lo[w, c], hi[w, c]) : "-" }
function mid(list,    v, m, i, j, t) {
    m = split(list, v, " ")
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
$1 == "row" {
    mode = $2; w = $3; lock = $6
    if (!(w in seen)) { seen[w] = 1; order[++n] = w; base[w] = $4 }
    base_list[w] = base_list[w] " " $5
    col = lock == "lock-rank" ? "lock-rank " mode : lock
    key = w SUBSEP col
    runs_of[key] = runs_of[key] " " $7
    if (!(key in lo) || $8 + 0 < lo[key]) lo[key] = $8
    if (!(key in hi) || $9 + 0 > hi[key]) hi[key] = $9
}
END {
    for (key in runs_of) median[key] = mid(runs_of[key])
    for (w in base_list) base_ns[w] = mid(base_list[w])
    print "| Workload | std, ns/op | parking_lot | tracing-mutex | lock-rank, checked | lock-rank, checked, `tokio` on | lock-rank, unchecked |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
        w = order[i]
        if (base[w] != "std" || w ~ /in a task/) continue
        printf "| %s | %.1f | %s | %s | %s | %s | %s |\n", w, base_ns[w], cell(w, "parking_lot"), cell(w, "tracing-mutex"),
            cell(w, "lock-rank checked"), cell(w, "lock-rank checked+tokio"), cell(w, "lock-rank unchecked")
    }
    header = 0
    for (i = 1; i <= n; i++) {
        w = order[i]
        if (base[w] == "std" && w !~ /in a task/) continue
        if (!header) {
            print ""
            print "| Workload | baseline | baseline, ns/op | lock-rank, checked | lock-rank, unchecked |"
            print "|---|---|---:|---:|---:|"
            header = 1
        }
        printf "| %s | %s | %.1f | %s | %s |\n", w, base[w], base_ns[w], cell(w, "lock-rank checked"),
            cell(w, "lock-rank unchecked")
    }
}' "$rows"
